"""Help → User guide: the bundled guide (workflow, keys, what the figures mean), read in the
app or in the browser; offline, and its shortcut table always the window's own keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from coder.assets import resource
from coder.core import files, settings
from coder.ui.actions import action
from coder.ui.features.edit import shortcuts_table
from coder.ui.views import common

if TYPE_CHECKING:
    from coder.ui.main_window import MainWindow

MARK = "<!-- SHORTCUTS -->"


def guide_html() -> str:
    """The guide's page, with the keyboard shortcuts filled in."""
    page = resource("guide", "guide.html").read_text(encoding="utf-8")
    return page.replace(MARK, shortcuts_table())


def open_in_browser() -> bool:
    """Write the guide into the user data folder and open it in the default browser."""
    folder = settings.data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "guide.html"
    files.write_text(path, guide_html())
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class GuideDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Coder user guide")
        self.setObjectName("userGuide")
        self.browser = QTextBrowser()
        self.browser.setAccessibleName("User guide")
        self.browser.setOpenExternalLinks(True)
        self.browser.setHtml(guide_html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        browser_button = QPushButton("Open in &browser")
        browser_button.setAccessibleName("Open the guide in the web browser")
        buttons.addButton(browser_button, QDialogButtonBox.ButtonRole.ActionRole)
        browser_button.clicked.connect(open_in_browser)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        common.fit_to_screen(self, 760, 760)


@action("help.guide", "Help", "&User guide", enabled_when="always", order=5)
def show_guide(window: MainWindow) -> None:
    dialog = GuideDialog(window)
    window.last_guide = dialog  # type: ignore[attr-defined]
    dialog.open()
