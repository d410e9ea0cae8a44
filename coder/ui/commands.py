"""Undo commands. Every user edit is a QUndoCommand whose redo/undo call core services only.

Core services return a :class:`Changes` recording the rows they touched, and the project can
put those rows back (``project.undo``) or re-apply them (``project.redo``) exactly, ids
included; so one generic command serves every edit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QTimer
from PySide6.QtGui import QUndoCommand

from coder.core.errors import CoderError
from coder.core.project import Changes, Project


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


def _history(window: Any) -> _History:
    history = getattr(window, "_undo_history_repair", None)
    if history is None:
        history = _History(window)
        window._undo_history_repair = history
    return history


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
            if not self._replay(project.redo, "redo"):
                return
            self._window.on_changes(self.changes)
            self._announce("Redone")
            return
        self._window.on_changes(self.changes)

    def undo(self) -> None:
        project = self._window.project
        assert project is not None and self.changes is not None
        if self._skipped("undo"):
            return
        if self._replay(project.undo, "undo"):
            self._window.on_changes(self.changes.inverse())
            self._announce("Undone")

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
            show = getattr(self._window, "show_error", None)
            if show is not None:
                show(f"could not {verb} “{self.text()}”: {e}")
            # Nothing was written: refresh the touched rows from the file, with no net change,
            # and put the history back where it was (the step stays, to be tried again).
            rows = self.changes.after if verb == "undo" else self.changes.before
            self._window.on_changes(Changes(rows, rows))
            _history(self._window).fail(self, verb)
            return False
        return True

    def id(self) -> int:
        return self._merge_id

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, ServiceCommand) or other._merge_key != self._merge_key:
            return False
        if self.changes is None or other.changes is None or other.error is not None:
            return False
        self.changes = self.changes | other.changes
        return True
