"""Background work: run a function off the GUI thread with a progress dialog and Cancel.

The function receives ``progress(done, total, label) -> bool`` (False once the user cancelled)
and its result is handed to ``on_done`` back on the GUI thread. SQLite connections belong to
one thread, so a function that touches the project opens its own connection
(``project.worker_connection()``).
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from coder.core.errors import CoderError

Progress = Callable[[int, int, str], bool]


class _Signals(QObject):
    progress = Signal(int, int, str)
    done = Signal(object)
    failed = Signal(str)


class Task(QRunnable):
    """One background job. ``finished`` turns True once its result (or error) was delivered."""

    def __init__(self, fn: Callable[[Progress], Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.fn = fn
        self.signals = _Signals()
        self.cancel_event = threading.Event()
        self.finished = False
        self.result: Any = None
        self.error: str | None = None

    def cancel(self) -> None:
        self.cancel_event.set()

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def _progress(self, done: int, total: int, label: object = "") -> bool:
        self.signals.progress.emit(int(done), int(total), str(label))
        return not self.cancel_event.is_set()

    def run(self) -> None:
        try:
            result = self.fn(self._progress)
        except CoderError as e:
            self.signals.failed.emit(str(e))
        except Exception as e:  # a bug: report it instead of losing it in the worker thread
            traceback.print_exc()
            self.signals.failed.emit(f"the task stopped with an unexpected error: {e}")
        else:
            self.signals.done.emit(result)


def run_task(
    parent: QWidget,
    title: str,
    fn: Callable[[Progress], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[str], None],
) -> Task:
    """Start ``fn`` on the thread pool with a window-modal progress dialog; returns the task."""
    task = Task(fn)
    dialog = QProgressDialog(title, "Cancel", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(400)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setAccessibleName(title)
    dialog.canceled.connect(task.cancel)
    dialog.canceled.connect(lambda: dialog.setLabelText("Cancelling after the current item…"))

    def progress(done: int, total: int, label: str) -> None:
        if total > 0:
            dialog.setMaximum(total)
            dialog.setValue(min(done, total))
        if label and not task.cancelled:
            dialog.setLabelText(f"{title}: {label} ({done} of {total})")

    def finish() -> None:
        task.finished = True
        dialog.canceled.disconnect()
        dialog.reset()
        dialog.close()
        dialog.deleteLater()
        _running.discard(task)

    def done(result: object) -> None:
        task.result = result
        finish()
        on_done(result)

    def failed(message: str) -> None:
        task.error = message
        finish()
        on_error(message)

    task.signals.progress.connect(progress)
    task.signals.done.connect(done)
    task.signals.failed.connect(failed)
    _running.add(task)
    QThreadPool.globalInstance().start(task)
    return task


# Tasks in flight stay referenced here until their result is delivered.
_running: set[Task] = set()


def running() -> list[Task]:
    return [t for t in _running if not t.finished]


def cancel_all(wait_ms: int = 15000) -> bool:
    """Cancel the tasks in flight and wait for the workers (closing the window, say);
    True when they all stopped in time."""
    for task in list(_running):
        task.cancel()
    return QThreadPool.globalInstance().waitForDone(wait_ms)
