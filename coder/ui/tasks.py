"""Background work: run a function off the GUI thread, its result back on the GUI thread.

The function receives the core's ``progress(done, total, label)`` (:mod:`coder.core.progress`;
False once the user cancelled, and a runner's step raises :class:`Cancelled` then), and its
result is handed to ``on_done`` back on the GUI thread. SQLite connections belong to one
thread, so a function that touches the project opens its own connection
(``project.worker_connection()``).

Two ways to run one: :func:`run_task` for work the user waits for (import, export, merge: a
window-modal progress dialog with Cancel), and a :class:`Runner` for the queries behind a window
(analysis, agreement): one job at a time per window, a new request cancels the one running
(its SQL is interrupted, its result never shown), progress and Cancel in the window itself once
a job has run for a second (:class:`ProgressLine`).
"""

from __future__ import annotations

import sqlite3
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar, cast

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QEventLoop,
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QProgressDialog,
    QPushButton,
    QWidget,
)

from coder.core.errors import CoderError, database_problem, file_problem
from coder.core.progress import Cancelled, Progress, check

if TYPE_CHECKING:
    from coder.core.project import Project

T = TypeVar("T")


class _Signals(QObject):
    progress = Signal(int, int, str)
    part = Signal(object)
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
        self._hooks: list[Callable[[], None]] = []
        self._hooks_lock = threading.Lock()

    def cancel(self) -> None:
        with self._hooks_lock:
            self.cancel_event.set()
            hooks = list(self._hooks)
        for hook in hooks:
            hook()

    def on_cancel(self, hook: Callable[[], None]) -> Callable[[], None]:
        """Call ``hook`` (from any thread) when the task is cancelled, at once if it already
        was; returns a function that unregisters it."""
        with self._hooks_lock:
            if not self.cancel_event.is_set():
                self._hooks.append(hook)
                return lambda: self._forget(hook)
        hook()
        return lambda: None

    def _forget(self, hook: Callable[[], None]) -> None:
        with self._hooks_lock:
            if hook in self._hooks:
                self._hooks.remove(hook)

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
        except OSError as e:  # a full disk, a removed drive, a folder that cannot be written
            self.signals.failed.emit(file_problem(e))
        except sqlite3.Error as e:  # a project file damaged or gone while reading it
            self.signals.failed.emit(database_problem(e))
        except MemoryError:
            self.signals.failed.emit("the task needs more memory than this computer has")
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
    cancellable: bool = True,
) -> Task:
    """Start ``fn`` on the thread pool with a window-modal progress dialog; returns the task.
    Not ``cancellable``: the dialog has no Cancel (a write that is one transaction)."""
    task = Task(fn)
    dialog = QProgressDialog(title, "Cancel" if cancellable else "", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(400)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setAccessibleName(title)
    if cancellable:
        dialog.canceled.connect(task.cancel)
        dialog.canceled.connect(lambda: dialog.setLabelText("Cancelling after the current item…"))
    else:
        dialog.setCancelButton(None)

    def progress(done: int, total: int, label: str) -> None:
        if total > 0:
            dialog.setMaximum(total)
            dialog.setValue(min(done, total))
        if label and not task.cancelled:
            dialog.setLabelText(f"{title}: {label} ({done} of {total})")

    def finish() -> None:
        task.finished = True
        if cancellable:
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


# What starts something. Releases still arrive, so that no button or view is left believing a
# key or the mouse is still down (a release alone starts nothing whose press was dropped).
_HELD = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.Wheel,
        QEvent.Type.KeyPress,
        QEvent.Type.ShortcutOverride,
        QEvent.Type.Shortcut,
        QEvent.Type.ContextMenu,
        QEvent.Type.DragEnter,
        QEvent.Type.DragMove,
        QEvent.Type.Drop,
    }
)


# The windows whose closing is kept for later: the user's windows and dialogs (not the popups,
# menus and tooltips Qt closes as it goes).
_CLOSABLE = (Qt.WindowType.Window, Qt.WindowType.Dialog)


class _HoldInput(QObject):
    """Drops the user's clicks, key presses and drops, and keeps the closing of a window
    (the close button, a logout) for when the wait is over."""

    def __init__(self) -> None:
        super().__init__()
        self.closes: list[QWidget] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Close
            and isinstance(watched, QWidget)
            and watched.windowType() in _CLOSABLE
            and watched.isVisible()
        ):
            event.ignore()
            self.closes.append(watched)
            return True
        return event.type() in _HELD


@contextmanager
def input_held() -> Iterator[None]:
    """The user's clicks, key presses and drops are dropped while this lasts; a window asked
    to close meanwhile closes once it is over."""
    app = QCoreApplication.instance()
    if app is None:
        yield
        return
    hold = _HoldInput()
    app.installEventFilter(hold)
    try:
        yield
    finally:
        app.removeEventFilter(hold)
        for window in dict.fromkeys(hold.closes):
            if shiboken6.isValid(window):  # not one deleted meanwhile
                QTimer.singleShot(0, window, window.close)  # nor if it goes before the timer


def in_turns(steps: Sequence[Callable[[], None]]) -> None:
    """Run the steps in order, each on its own turn of the event loop, and return when the
    last has run: what each changed is painted before the next, so the window never stops for
    all of them at once. Input is dropped meanwhile (the steps make one change together)."""
    pending = list(steps)
    if len(pending) < 2 or QCoreApplication.instance() is None:
        for step in pending:
            step()
        return
    loop = QEventLoop()
    failed: list[BaseException] = []

    def next_step() -> None:
        if not pending:
            return  # the loop was left early and the rest run already
        try:
            pending.pop(0)()
        except BaseException as e:  # raised to the caller, once the loop is left
            failed.append(e)
            pending.clear()
        if pending:
            # 1 ms, not 0: Qt runs zero-delay timers before the paint events waiting.
            QTimer.singleShot(1, next_step)
        else:
            loop.quit()

    with input_held():
        QTimer.singleShot(0, next_step)
        loop.exec()  # returns after the last step, or early if the application quits
    while pending and not failed:
        pending.pop(0)()
    if failed:
        raise failed[0]


class _Finished(QObject):
    finished = Signal()


def wait_for(parent: QWidget, title: str, fn: Callable[[], T]) -> T:
    """``fn()`` run on a worker thread; its result returned (or its exception raised) here.

    For work the caller needs before it can go on, yet which may take seconds (opening a
    project checks it and may back it up first): the windows keep painting meanwhile, the
    user's clicks and keys are dropped, and after half a second a window-modal dialog says
    what is under way."""
    outcome: list[Any] = []
    finished = _Finished()
    loop = QEventLoop()
    finished.finished.connect(loop.quit, Qt.ConnectionType.QueuedConnection)

    def work() -> None:
        try:
            outcome.append((True, fn()))
        except BaseException as e:  # handed to the caller, who knows what it means
            outcome.append((False, e))
        finished.finished.emit()

    dialog = QProgressDialog(f"{title}…", "", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setAccessibleName(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setCancelButton(None)
    dialog.setMinimumDuration(500)
    dialog.setValue(0)  # starts the minimum duration's clock
    worker = threading.Thread(target=work, name=title, daemon=True)
    try:
        with input_held():
            worker.start()
            loop.exec()  # returns when the work is done, or early if the application quits
            worker.join()
    finally:
        dialog.reset()
        dialog.deleteLater()
    ok, value = outcome[0]
    if not ok:
        raise value
    return cast(T, value)


def preload(modules: list[str]) -> threading.Thread:
    """Import these modules in a background thread (the windows and exports a user opens
    later), so that their first use does not pay for the import on the GUI thread."""
    import importlib

    def load() -> None:
        for name in modules:
            if name not in sys.modules:
                importlib.import_module(name)

    thread = threading.Thread(target=load, name="preload", daemon=True)
    thread.start()
    return thread


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


# --------------------------------------------------------------------------- one job per window


class Runner(QObject):
    """The background queries of one window: one job at a time, the latest request wins.

    ``run(project, work, on_done)`` runs ``work(conn, progress)`` on a worker thread with a
    connection of its own (``conn``, another connection to ``project``) and hands the result to
    ``on_done`` on the GUI thread. With ``on_part``, ``work(conn, progress, part)`` can hand
    over pieces as they are ready (``part(piece)``: the window shows the first table while the
    others are computed). Starting another job cancels the running one: its SQL is interrupted
    and its results dropped, so the window only ever shows the answer to the last question
    asked. Errors go to ``on_error`` (a one-line message).
    """

    busy = Signal(bool)
    progressed = Signal(int, int, str)

    def __init__(self, on_error: Callable[[str], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.on_error = on_error
        self.task: Task | None = None
        self.title = ""
        self.jobs = 0  # started, for tests that count work

    @property
    def running(self) -> bool:
        return self.task is not None

    def run(
        self,
        project: Project,
        work: Callable[..., Any],
        on_done: Callable[[Any], None],
        title: str = "",
        on_part: Callable[[Any], None] | None = None,
    ) -> Task:
        self.cancel()
        self.title = title
        self.jobs += 1

        def job(progress: Progress) -> Any:
            def step(done: int, total: int, label: str = "") -> bool:
                check(progress, done, total, label)  # raises Cancelled once cancelled
                return True

            conn = project.worker_connection()
            # A cancel interrupts the statement running; a statement started later stops at
            # its first progress check (about every hundred thousand SQLite instructions).
            unhook = task.on_cancel(conn.interrupt)
            conn.stop_when(task.cancel_event.is_set, every=100_000)
            try:
                if on_part is None:
                    return work(conn, step)
                return work(conn, step, task.signals.part.emit)
            except (Cancelled, sqlite3.OperationalError):
                if task.cancelled:  # stopped at a step, or its SQL interrupted: no result
                    return None
                raise
            finally:
                unhook()
                conn.close()

        task = Task(job)
        self.task = task

        def done(result: object) -> None:
            task.finished = True
            _running.discard(task)
            if self.task is task:
                self.task = None
                self.busy.emit(False)
                if not task.cancelled:
                    on_done(result)

        def failed(message: str) -> None:
            task.finished = True
            _running.discard(task)
            if self.task is task:
                self.task = None
                self.busy.emit(False)
                if not task.cancelled:
                    self.on_error(message)

        def progress(done_: int, total: int, label: str) -> None:
            if self.task is task:
                self.progressed.emit(done_, total, label)

        def part(piece: object) -> None:
            if self.task is task and not task.cancelled and on_part is not None:
                on_part(piece)

        task.signals.part.connect(part)
        task.signals.done.connect(done)
        task.signals.failed.connect(failed)
        task.signals.progress.connect(progress)
        _running.add(task)
        self.busy.emit(True)
        QThreadPool.globalInstance().start(task)
        return task

    def cancel(self) -> None:
        """Stop the running job, if any; its result will not be delivered."""
        task, self.task = self.task, None
        if task is not None:
            task.cancel()
            self.busy.emit(False)


class ProgressLine(QWidget):
    """A runner's progress inside its window: hidden while jobs are quick, shown with a
    progress bar and Cancel once one has run for ``delay_ms``."""

    def __init__(self, runner: Runner, delay_ms: int = 1000, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.label = QLabel("")
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(220)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop computing (the tables keep their last figures)")
        self.cancel_button.clicked.connect(runner.cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.setAccessibleName("Progress")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._appear)
        runner.busy.connect(self._busy)
        runner.progressed.connect(self._progress)
        self.hide()

    def _busy(self, busy: bool) -> None:
        if busy:
            self.bar.setRange(0, 0)  # until the first step says how many there are
            self.label.setText(f"{self.runner.title}…" if self.runner.title else "Working…")
            self._timer.start()
        else:
            self._timer.stop()
            self.hide()

    def _appear(self) -> None:
        if self.runner.running:
            self.show()

    def _progress(self, done: int, total: int, label: str) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        if label:
            self.label.setText(f"{self.runner.title or 'Working'}: {label}…")
