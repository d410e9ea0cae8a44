"""Help → User guide: bundled, offline, opened in the app or the browser, with the window's
own keys and the definitions of the figures."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QUrl

from coder.ui.actions import ACTIONS, plain_title
from coder.ui.features import guide
from coder.ui.main_window import MainWindow


def test_the_guide_opens_in_the_app_with_every_key(qtbot) -> None:
    win = MainWindow()
    qtbot.addWidget(win)
    win.trigger("help.guide")
    dialog = win.findChild(guide.GuideDialog)
    assert dialog is not None and dialog.isVisible()
    text = dialog.browser.toPlainText()
    for heading in ("Coding", "Memos and annotations", "What the figures mean"):
        assert heading in text
    assert "Cohen's kappa" in text and "halves up" in text
    for spec in ACTIONS.values():
        if spec.shortcut:
            assert plain_title(spec.title) in text, spec.id
    assert guide.MARK not in dialog.browser.toHtml()
    assert dialog.width() <= 1366 and dialog.height() <= 728


def test_the_guide_opens_in_the_browser_from_a_file(
    _user_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(guide.QDesktopServices, "openUrl", open_url)
    assert guide.open_in_browser()
    page = _user_data_dir / "guide.html"
    assert opened[0].toLocalFile() == str(page)
    assert "Ctrl+Shift+F" in page.read_text(encoding="utf-8")


def test_the_guide_ships_with_the_package() -> None:
    from coder.assets import resource

    assert resource("guide", "guide.html").is_file()
