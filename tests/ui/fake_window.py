"""A minimal stand-in for the main window, enough for the docks: project, push, errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtGui import QUndoStack

from coder.core.project import Changes, Project
from coder.core.text import detect_turns
from coder.ui.commands import ServiceCommand


class FakeWindow:
    def __init__(self, project: Project | None) -> None:
        self.project = project
        self.undo_stack = QUndoStack()
        self.errors: list[str] = []
        self.docks: list[Any] = []
        self.changes: list[Changes] = []
        self.triggered: list[str] = []

    def push(
        self,
        text: str,
        service_fn: Callable[[], Changes],
        merge_id: int = -1,
        merge_key: object = None,
    ) -> bool:
        cmd = ServiceCommand(self, text, service_fn, merge_id, merge_key)
        self.undo_stack.push(cmd)
        if cmd.error is not None:
            self.show_error(str(cmd.error))
            return False
        return True

    def show_error(self, message: str) -> None:
        self.errors.append(message)

    def on_changes(self, changes: Changes) -> None:
        self.changes.append(changes)
        for dock in self.docks:
            dock.on_changes(changes)

    def trigger(self, action_id: str) -> None:
        self.triggered.append(action_id)

    def add(self, dock: Any) -> Any:
        self.docks.append(dock)
        return dock

    def undo_texts(self) -> list[str]:
        return [self.undo_stack.text(i) for i in range(self.undo_stack.count())]


def build_project(path: Path) -> Project:
    """Three documents (two grouped, with speakers), nested codes, codings by two coders,
    cases with typed attributes."""
    p = Project.create(path)
    ana_text = (
        "Ana: I left because the promises were empty.\nInterviewer: When?\n"
        "Ana: After the second winter, when friends stopped writing.\n"
    )
    ben_text = "Ben: Nobody told us the truth about the money.\nBen: I stayed for my brother.\n"
    p.add_document(
        "Interview Ana", ana_text, turns=detect_turns(ana_text), group="Wave 1", case="Ana"
    )
    p.add_document(
        "Interview Ben", ben_text, turns=detect_turns(ben_text), group="Wave 1", case="Ben"
    )
    p.add_document("Field notes", "Notes about the meeting. The promises again.\n")
    for name, parent in (
        ("Reasons", None),  # 1
        ("Disillusion", 1),  # 2
        ("Money", 1),  # 3
        ("Family", None),  # 4
        ("Brother", 4),  # 5
        ("Time", None),  # 6
    ):
        p.add_code(name, parent_id=parent, definition=f"About {name.lower()}")
    ana = p.find_document("Interview Ana").id
    ben = p.find_document("Interview Ben").id
    p.apply_code(ana, 2, 5, 44, coder="kim")  # "I left because the promises were empty."
    p.apply_code(ana, 1, 0, 44, coder="lee")
    p.apply_code(ana, 6, 69, 92, coder="kim")  # "After the second winter"
    p.apply_code(ben, 3, 5, 46, coder="kim")  # "Nobody told us the truth about the money."
    p.apply_code(ben, 5, 52, 76, coder="lee")  # "I stayed for my brother."
    p.add_attribute("age", "case", "number")
    p.add_attribute("joined", "case", "date")
    p.add_attribute("returned", "case", "boolean")
    p.set_attribute_value(p.find_attribute("age").id, p.find_case("Ana").id, "34")
    return p
