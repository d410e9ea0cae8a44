"""Undo commands. Every user edit is a QUndoCommand whose redo/undo call core services only.

Core services return a :class:`Changes` recording the rows they touched, and the project can
put those rows back (``project.undo``) or re-apply them (``project.redo``) exactly, ids
included; so one generic command serves every edit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtGui import QUndoCommand

from coder.core.errors import CoderError
from coder.core.project import Changes, Project


class ChangeListener(Protocol):
    project: Project | None

    def on_changes(self, changes: Changes) -> None: ...


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

    @classmethod
    def from_changes(cls, window: ChangeListener, text: str, changes: Changes) -> ServiceCommand:
        """A command for an edit already written (e.g. by a worker thread's own connection).

        Its first redo only announces ``changes``; later undo/redo replay them as usual.
        """
        return cls(window, text, lambda: changes)

    def redo(self) -> None:
        project = self._window.project
        assert project is not None
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
        if self._replay(project.undo, "undo"):
            self._window.on_changes(self.changes.inverse())
            self._announce("Undone")

    def _announce(self, verb: str) -> None:
        """Say what an undo or redo did ("Undone: Apply code 'Corruption'")."""
        show = getattr(self._window, "show_status", None)
        if show is not None:
            show(f"{verb}: {self.text()}")

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
            # Nothing was written: refresh the touched rows from the file, with no net change.
            self._window.on_changes(Changes(self.changes.after, self.changes.after))
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
