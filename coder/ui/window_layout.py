"""The workbench on a small screen: a first-start layout that leaves the text most of the room,
panels hidden and brought back with one key, and the passages, search and memos panels taking
the text's place as tabs instead of shrinking it.

The centre of the window is a tab widget whose first tab holds the text (its tab bar shows
only when there is more than one tab). Panels moved into the centre keep their widgets: they
only change parents, and go back to their docks unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QTabWidget, QWidget

from coder.core import settings

if TYPE_CHECKING:
    from coder.ui.main_window import MainWindow

# The panels that can take the text's place, in tab order.
IN_PLACE = ("retrieval", "search", "memos")
SMALL_SCREEN = 1600  # narrower than this: the window starts maximised
TEXT_SHARE = 0.56  # of the window width, at least, on first start


class WorkTabs(QTabWidget):
    """The window's centre: the text first, then the panels moved in beside it."""

    def __init__(self, text: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workTabs")
        self.setAccessibleName("Text and panels")
        self.setDocumentMode(True)
        self.setTabBarAutoHide(True)
        self.addTab(text, "Text")

    def show_text(self) -> None:
        self.setCurrentIndex(0)


def install(window: MainWindow) -> None:
    """Put the window's centre in a :class:`WorkTabs`; going to a passage shows the text."""
    tabs = WorkTabs(window.central, window)
    window.setCentralWidget(tabs)
    window.work_tabs = tabs
    for dock in (window.retrieval_dock, window.search_dock, window.memos_dock):
        dock.passageActivated.connect(lambda *_: tabs.show_text())
    window.documents_dock.documentActivated.connect(lambda *_: tabs.show_text())
    window.hidden_panels = []


def initial_size(window: MainWindow) -> None:
    """On a laptop-sized screen, fill it; on a big one, most of it."""
    screen = window.screen()
    if screen is None:
        window.resize(1400, 900)
        return
    avail = screen.availableGeometry()
    if avail.width() < SMALL_SCREEN:
        window.resize(avail.size())
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)
    else:
        window.resize(min(1500, int(avail.width() * 0.92)), min(980, int(avail.height() * 0.92)))


def first_start_docks(window: MainWindow) -> None:
    """Side panels that leave the text at least :data:`TEXT_SHARE` of the width, the bottom
    panel a fifth of the height."""
    width = window.width()
    side = int(width * (1 - TEXT_SHARE) / 2) - 6
    for key, share in (("documents", 0.48), ("codebook", 0.52)):
        target = max(200, int(side * 2 * share))
        window.resizeDocks([window.docks[key]], [target], Qt.Orientation.Horizontal)
    bottom = [window.docks["retrieval"]]
    window.resizeDocks(bottom, [max(150, window.height() // 5)], Qt.Orientation.Vertical)


# --------------------------------------------------------------------------- panels


def panels(window: MainWindow) -> list[QDockWidget]:
    return [d for d in window.docks.values() if not d.isFloating()]


def panels_hidden(window: MainWindow) -> bool:
    return bool(window.hidden_panels)


def toggle_panels(window: MainWindow) -> None:
    """Hide every panel (the text takes the whole window), or bring back those hidden."""
    if window.hidden_panels:
        for dock in window.hidden_panels:
            dock.show()
        window.hidden_panels = []
        window.show_status("Panels shown (F9 hides them)")
    else:
        shown = [d for d in panels(window) if d.isVisible()]
        for dock in shown:
            dock.hide()
        window.hidden_panels = shown
        window.show_status("Panels hidden: the text has the window (F9 brings them back)")
    window.view.setFocus()


# --------------------------------------------------------------------------- in place


def in_place(window: MainWindow) -> bool:
    return window.work_tabs.count() > 1


def set_in_place(window: MainWindow, on: bool) -> None:
    """Move the passages, search and memos panels into tabs beside the text, or back."""
    tabs = window.work_tabs
    if on == in_place(window):
        return
    for key in IN_PLACE:
        dock = window.docks[key]
        widget = window.dock_widgets[key]
        if on:
            dock.hide()
            tabs.addTab(widget, dock.windowTitle())
        else:
            tabs.removeTab(tabs.indexOf(widget))
            dock.setWidget(widget)
            dock.show()
    tabs.show_text()
    settings.set_value("passages_in_place", on)


def toggle_in_place(window: MainWindow) -> None:
    on = not in_place(window)
    set_in_place(window, on)
    if on:
        window.work_tabs.setCurrentIndex(1)
        window.show_status(
            "Retrieved passages, search and memos are tabs beside the text (F8 puts them back)"
        )
    else:
        window.show_status("Retrieved passages, search and memos are panels again")


def restore_in_place(window: MainWindow) -> None:
    """Start as the user left it."""
    if settings.get("passages_in_place") is True:
        set_in_place(window, True)
