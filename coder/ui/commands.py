"""Undo commands. Every user edit is a QUndoCommand whose redo/undo call core services only.

Core services return a :class:`Changes` recording the rows they touched, and the project can
put those rows back (``project.undo``) or re-apply them (``project.redo``) exactly, ids
included; so one generic command serves every edit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QTimer
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QWidget

from coder.core.errors import CoderError
from coder.core.project import Changes, Project

T = TypeVar("T")


class ChangeListener(Protocol):
    project: Project | None

    def on_changes(self, changes: Changes) -> None: ...


class _History:
    """A window's undo history while a failed undo or redo is put right.

    The stack moves its index whatever a command's undo()/redo() does. When one fails (a full
    disk), that step and every later one of the same jump (Undo History clicks undo several
    at once) are left as they are in the file, and the index is moved back over them, so the
    history always says what the file holds and the failed step can be retried.
    """

    def __init__(self, window: ChangeListener) -> None:
        self.window = window
        self.failed_verb = ""  # "undo" or "redo" while a failure is being put right
        self.passed: list[ServiceCommand] = []

    def fail(self, command: ServiceCommand, verb: str) -> None:
        if not self.failed_verb:
            self.failed_verb = verb
            QTimer.singleShot(0, self.restore)
        self.passed.append(command)

    def restore(self) -> None:
        stack = getattr(self.window, "undo_stack", None)
        verb, passed = self.failed_verb, self.passed
        self.failed_verb, self.passed = "", []
        if stack is None:
            return
        for command in passed:
            command.skip_once = True  # moving the index back over it changes nothing
        step = len(passed) if verb == "undo" else -len(passed)
        stack.setIndex(stack.index() + step)


class _Replays:
    """A window's undos and redos, one at a time and in order.

    A big step (more rows than the window's ``BULK_ROWS``: an import, a merge) is written on a
    worker with a connection of its own, as the import itself was, and the window takes the
    result in its own thread. The stack's index moves at once (the Edit menu's texts are right
    meanwhile); an undo or redo asked for while one is written waits its turn. If a written
    step fails, the ones waiting are dropped and the index goes back to what the file holds.
    Figures asked for meanwhile (:func:`after_writes`) are computed once the file holds every
    step: read earlier, on a connection of their own, they would be those from before.
    """

    def __init__(self, window: ChangeListener) -> None:
        self.window = window
        self.busy = False  # a step is being written on a worker
        self.waiting: list[tuple[ServiceCommand, str, int]] = []
        self.restoring = False  # the index moves back over steps the file does not hold
        self.jobs = 0  # steps written on a worker, for tests that count
        self.then: list[Callable[[], object]] = []  # what waits until they are all written

    @property
    def writing(self) -> bool:
        """An undo or redo is being written or waits its turn: the file does not yet hold what
        the history says."""
        return self.busy or bool(self.waiting)

    def _settled(self) -> None:
        if self.writing:
            return
        then, self.then = self.then, []
        for call in then:
            call()

    def index(self, command: ServiceCommand, verb: str) -> int:
        """Where the history stands in the file before ``command``'s undo or redo."""
        stack = getattr(self.window, "undo_stack", None)
        if stack is None:
            return 0
        at = next((i for i in range(stack.count()) if stack.command(i) is command), 0)
        return at + 1 if verb == "undo" else at

    def big(self, command: ServiceCommand) -> bool:
        from coder.ui.views.common import BULK_ROWS

        return (
            command.changes is not None
            and command.changes.row_count > BULK_ROWS
            and isinstance(self.window, QWidget)
        )

    def start(self, command: ServiceCommand, verb: str, index: int) -> None:
        from coder.ui import tasks

        project = self.window.project
        assert project is not None and command.changes is not None
        changes = command.changes
        self.busy = True
        self.jobs += 1

        def write(progress: Any) -> Changes:
            own = project.worker_connection()
            try:
                if verb == "undo":
                    own.undo(changes)
                    return changes.inverse().prepare()
                own.redo(changes)
                return changes.prepare()
            finally:
                own.close()

        def done(shown: Changes) -> None:
            self.busy = False
            if self.window.project is not project:  # closed meanwhile: its history is gone
                self.waiting.clear()
                self.then.clear()
                return
            self.window.on_changes(shown)
            command._announce("Undone" if verb == "undo" else "Redone")
            self.next()
            self._settled()

        def failed(message: str) -> None:
            self.busy = False
            if self.window.project is not project:
                self.waiting.clear()
                self.then.clear()
                return
            self.back(index)
            command._failed(verb, message)
            self._settled()

        title = f"{'Undoing' if verb == 'undo' else 'Redoing'} “{command.text()}”"
        assert isinstance(self.window, QWidget)
        tasks.run_task(self.window, title, write, done, failed, cancellable=False)

    def next(self) -> None:
        """Write the steps that waited, in order (the next big one on a worker)."""
        while self.waiting and not self.busy:
            command, verb, index = self.waiting.pop(0)
            if self.big(command):
                self.start(command, verb, index)
            elif not command._write(verb):
                self.back(index)

    def back(self, index: int) -> None:
        """Move the history back to ``index``, what the file holds; the steps that waited are
        dropped."""
        self.waiting.clear()
        stack = getattr(self.window, "undo_stack", None)
        if stack is None:
            return
        self.restoring = True
        try:
            stack.setIndex(index)
        finally:
            self.restoring = False


def replays(window: Any) -> _Replays:
    """The window's undos and redos in flight (``replays(window).busy``)."""
    return _attached(window, "_undo_replays", _Replays)


def after_writes(window: Any, then: Callable[[], object]) -> bool:
    """While an undo or redo of ``window`` is being written (or waits its turn): ``then()`` once
    the file holds them all (or one failed), called once however often it was asked; True."""
    queue = replays(window)
    if queue.writing and then not in queue.then:
        queue.then.append(then)
    return queue.writing


def _history(window: Any) -> _History:
    return _attached(window, "_undo_history_repair", _History)


def _attached(window: Any, name: str, make: Callable[[Any], T]) -> T:
    """The window's one ``make(window)``, kept as its attribute ``name``."""
    found = getattr(window, name, None)
    if found is None:
        found = make(window)
        setattr(window, name, found)
    return found


class ServiceCommand(QUndoCommand):
    """Run a service once; afterwards undo/redo replay its recorded rows.

    ``text`` is for people ("Apply code 'Corruption'") and becomes the Edit menu's text.
    ``merge_id`` (>= 0) lets repeated small edits of the same object (nudging a coding's edge)
    merge into one undo step when ``merge_key`` matches.
    """

    def __init__(
        self,
        window: ChangeListener,
        text: str,
        service: Callable[[], Changes],
        merge_id: int = -1,
        merge_key: object = None,
    ) -> None:
        super().__init__(text)
        self._window = window
        self._service: Callable[[], Changes] | None = service
        self.changes: Changes | None = None
        self.error: CoderError | None = None
        self._merge_id = merge_id
        self._merge_key = merge_key
        self.skip_once = False  # the next undo/redo only moves the stack's index

    @classmethod
    def from_changes(cls, window: ChangeListener, text: str, changes: Changes) -> ServiceCommand:
        """A command for an edit already written (e.g. by a worker thread's own connection).

        Its first redo only announces ``changes``; later undo/redo replay them as usual.
        """
        return cls(window, text, lambda: changes)

    def redo(self) -> None:
        project = self._window.project
        assert project is not None
        if self._skipped("redo"):
            return
        if self._service is not None:
            service, self._service = self._service, None
            try:
                self.changes = service()
            except CoderError as e:
                # The stack pushes even a failed command; it becomes obsolete (dropped).
                self.error = e
                self.changes = Changes()
                self.setObsolete(True)
                return
        else:
            assert self.changes is not None
            self._replay_in_turn("redo")
            return
        self._window.on_changes(self.changes)

    def undo(self) -> None:
        project = self._window.project
        assert project is not None and self.changes is not None
        if self._skipped("undo"):
            return
        self._replay_in_turn("undo")

    def _replay_in_turn(self, verb: str) -> None:
        """Undo or redo now, on a worker when the step is big, or after the one being written."""
        queue = replays(self._window)
        if queue.busy or queue.waiting:
            queue.waiting.append((self, verb, queue.index(self, verb)))
        elif queue.big(self):
            queue.start(self, verb, queue.index(self, verb))
        elif not self._write(verb):
            _history(self._window).fail(self, verb)

    def _write(self, verb: str) -> bool:
        """Undo or redo on the window's connection and show it; False when it failed."""
        project = self._window.project
        assert project is not None and self.changes is not None
        if not self._replay(project.undo if verb == "undo" else project.redo, verb):
            return False
        self._window.on_changes(self.changes.inverse() if verb == "undo" else self.changes)
        self._announce("Undone" if verb == "undo" else "Redone")
        return True

    def _announce(self, verb: str) -> None:
        """Say what an undo or redo did ("Undone: Apply code 'Corruption'")."""
        show = getattr(self._window, "show_status", None)
        if show is not None:
            show(f"{verb}: {self.text()}")

    def _skipped(self, verb: str) -> bool:
        """Whether this call must leave the file alone: the stack is moving back over a step
        that failed, or a step of the same jump came after a failure."""
        if self.skip_once:
            self.skip_once = False
            return True
        if replays(self._window).restoring:
            return True
        history = _history(self._window)
        if history.failed_verb == verb:
            history.fail(self, verb)
            return True
        return False

    def _replay(self, apply: Callable[[Changes], Changes], verb: str) -> bool:
        """Undo or redo; a failure (the file became unwritable, say) is shown, not raised
        into Qt, and the views are refreshed from what the file holds."""
        assert self.changes is not None
        try:
            apply(self.changes)
        except CoderError as e:
            self._failed(verb, str(e))
            return False
        return True

    def _failed(self, verb: str, message: str) -> None:
        """Show a failed undo or redo. Nothing was written: the touched rows are refreshed
        from the file, with no net change (the step stays, to be tried again)."""
        assert self.changes is not None
        show = getattr(self._window, "show_error", None)
        if show is not None:
            show(f"could not {verb} “{self.text()}”: {message}")
        rows = self.changes.after if verb == "undo" else self.changes.before
        self._window.on_changes(Changes(rows, rows))

    def id(self) -> int:
        return self._merge_id

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, ServiceCommand) or other._merge_key != self._merge_key:
            return False
        if self.changes is None or other.changes is None or other.error is not None:
            return False
        self.changes = self.changes | other.changes
        return True
