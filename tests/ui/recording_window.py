"""The real main window for tests, and short typed ways to reach what it holds."""

from __future__ import annotations

from PySide6.QtGui import QUndoStack

from coder.core.project import Project
from coder.ui.main_window import MainWindow


class RecordingWindow(MainWindow):
    """The window, with the errors it would show kept in a list instead."""

    def __init__(self) -> None:
        super().__init__()
        self.errors: list[str] = []

    def show_error(self, message: str) -> None:
        self.errors.append(message)


def stack(window: MainWindow) -> QUndoStack:
    assert window.undo_stack is not None
    return window.undo_stack


def project_of(window: MainWindow) -> Project:
    assert window.project is not None
    return window.project


def shown(window: MainWindow) -> int:
    """The id of the document shown."""
    assert window.view.doc_id is not None
    return window.view.doc_id


def written(qtbot, window: MainWindow) -> None:
    """Wait until the undos and redos asked for are written (a big one runs on a worker)."""
    from coder.ui.commands import replays

    qtbot.waitUntil(lambda: not replays(window).busy, timeout=20000)
