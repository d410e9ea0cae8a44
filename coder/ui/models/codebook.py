"""The codebook as a tree model: codes with colour swatches, quick keys and counts.

Edits made in the view (inline rename, drag to reorder or nest) are not applied here: the
model hands each one to its ``push(text, service)`` callable (the window's undo stack), and
shows the result when the window calls :meth:`CodebookModel.on_changes`.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon

from coder.core.bulk import run_together
from coder.core.model import Code, CodeCount
from coder.core.project import Changes, Project
from coder.ui.models.tree import ROOT, IdTreeModel, touched

CodeIdRole = Qt.ItemDataRole.UserRole + 1
CodeColorRole = Qt.ItemDataRole.UserRole + 2
CodePathRole = Qt.ItemDataRole.UserRole + 3
QuickKeyRole = Qt.ItemDataRole.UserRole + 4
# The text a filter matches: the code's name (in the name column). Counts never change it,
# so a filtering proxy keyed on this role is not re-run when a coding changes a count.
FilterRole = Qt.ItemDataRole.UserRole + 5

CODES_MIME = "application/x-coder-codes"
PASSAGE_MIME = "application/x-coder-passage"

COLUMNS = ("Code", "n", "Docs")
NAME, CODINGS, DOCUMENTS = range(3)
# What new counts change in a code's row (see CodebookModel.on_changes).
# The name cell is included for its spoken text and tooltip, which say the counts. The roles
# leave out FilterRole: a filtering proxy then does not re-check (and announce) the ancestors.
COUNT_CELLS = (
    (
        NAME,
        DOCUMENTS,
        [
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.EditRole,
            Qt.ItemDataRole.AccessibleTextRole,
            Qt.ItemDataRole.ToolTipRole,
        ],
    ),
)

Push = Callable[[str, Callable[[], Changes]], bool]


def _category_icon() -> QIcon:
    """A folder: what NVivo and QualCoder show for a group of codes."""
    from PySide6.QtWidgets import QApplication, QStyle

    return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_DirIcon)


@dataclass(frozen=True)
class CodeRow:
    code: Code
    codings: int = 0
    documents: int = 0
    quick_key: str = ""


NO_CODINGS = CodeCount(0, 0)


class CodebookModel(IdTreeModel):
    """Codes in codebook order; column 0 is editable (rename) and draggable (move)."""

    passageDropped = Signal(int, int, int, int)  # code id, document id, start, end

    def __init__(self, push: Push | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._push = push
        self._project: Project | None = None
        self._quick: dict[int, str] = {}  # code id -> digit

    # ----------------------------------------------------------------- data

    @property
    def project(self) -> Project | None:
        return self._project

    def set_project(self, project: Project | None) -> None:
        self._project = project
        children, values = self._load()
        self.replace_all(children, values)

    def set_quick_keys(self, keys: dict[int, str]) -> None:
        """Show quick keys: ``{code id: digit}``."""
        self._quick = dict(keys)
        if self._project is not None:
            self.sync(*self._load())

    def on_changes(self, changes: Changes) -> None:
        """Refresh after an edit: the tree when codes changed, else only the counts that moved."""
        if self._project is None:
            return
        if changes.codes:
            # Recount only the codes touched; the others keep the counts shown.
            recount = set(changes.codes) | touched(changes, "codings", "code_id")
            counts = {
                node: CodeCount(row.codings, row.documents)
                for node, row in self._values.items()
                if node not in recount
            }
            counts.update(self._project.code_counts(sorted(recount)))
            self.sync(*self._load(counts))
        elif changes.codings:
            # Applying one coding must stay cheap in a big project: count only its codes,
            # and announce only the roles counts change. Not the ancestors: a filtering
            # proxy would re-check the branch and the view repaint every row of it (the
            # tooltips that add up sub-codes are built when shown).
            # Codings an edit of their text only moved count for nothing (a keystroke moves
            # every coding of its text block).
            recount = changes.recounted("codings", "code_id", "document_id")
            ids = [c for c in recount if self.value(c) is not None]
            if not ids:
                return
            counts = self._project.code_counts(ids)
            self.update_values(
                {
                    c: replace(
                        self.value(c),
                        codings=counts.get(c, NO_CODINGS).codings,
                        documents=counts.get(c, NO_CODINGS).documents,
                    )
                    for c in ids
                },
                COUNT_CELLS,
            )

    def refresh(self) -> None:
        if self._project is not None:
            self.sync(*self._load())

    def _load(
        self, counts: dict[int, CodeCount] | None = None
    ) -> tuple[dict[int, list[int]], dict[int, CodeRow]]:
        children: dict[int, list[int]] = {ROOT: []}
        values: dict[int, CodeRow] = {}
        if self._project is None:
            return children, values
        if counts is None:
            counts = self._project.code_counts()
        for code in self._project.codes():
            count = counts.get(code.id, NO_CODINGS)
            values[code.id] = CodeRow(
                code, count.codings, count.documents, self._quick.get(code.id, "")
            )
            children.setdefault(code.parent_id or ROOT, []).append(code.id)
            children.setdefault(code.id, [])
        return children, values

    def code(self, code_id: int) -> Code | None:
        row = self.value(code_id)
        return row.code if row is not None else None

    def codes(self) -> list[Code]:
        """Shown codes in codebook order."""
        out: list[Code] = []
        stack = list(reversed(self.child_ids(ROOT)))
        while stack:
            node = stack.pop()
            out.append(self.value(node).code)
            stack.extend(reversed(self.child_ids(node)))
        return out

    def descendants(self, code_id: int) -> list[int]:
        out: list[int] = []
        stack = self.child_ids(code_id)
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(self.child_ids(node))
        return out

    def columnCount(self, parent: Any = QModelIndex()) -> int:
        return len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return (
                    "Code name (a digit after it is the code's quick key)",
                    "n: codings of this code (not counting sub-codes)",
                    "Documents with at least one coding of this code",
                )[section]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        row: CodeRow | None = self.value(self.node_id(index))
        if row is None:
            return None
        code, col = row.code, index.column()
        if role == CodeIdRole:
            return code.id
        if role == CodeColorRole:
            return code.color
        if role == CodePathRole:
            return code.path
        if role == QuickKeyRole:
            return row.quick_key
        if role == FilterRole:
            return code.name if col == NAME else None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == NAME:
                return code.name
            if col == CODINGS:
                return row.codings if role == Qt.ItemDataRole.EditRole else str(row.codings)
            if col == DOCUMENTS:
                return row.documents if role == Qt.ItemDataRole.EditRole else str(row.documents)
        if role == Qt.ItemDataRole.DecorationRole and col == NAME:
            return QColor(code.color) if code.codable else _category_icon()
        if role == Qt.ItemDataRole.FontRole and col == NAME and not code.codable:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and col != NAME:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, self.descendants(code.id))
        if role == Qt.ItemDataRole.AccessibleTextRole and col == NAME:
            if not code.codable:
                return f"Category {code.path}, groups codes and cannot be applied"
            key = f", quick key {row.quick_key}" if row.quick_key else ""
            return f"Code {code.path}, {row.codings} codings in {row.documents} documents{key}"
        return None

    def _tooltip(self, row: CodeRow, descendants: list[int]) -> str:
        code = row.code
        parts = [f"<b>{html.escape(code.path)}</b>"]
        if not code.codable:
            parts.append("<i>A category: it groups codes and cannot be applied.</i>")
        for label, text in (
            ("Definition", code.definition),
            ("Include", code.inclusion),
            ("Exclude", code.exclusion),
            ("Example", code.example),
        ):
            if text.strip():
                parts.append(f"<i>{label}:</i> {html.escape(text.strip())}")
        if len(parts) == 1 and code.codable:
            parts.append("<i>No definition yet (right-click → Edit…)</i>")
        parts.append(f"{row.codings} codings in {row.documents} documents")
        if descendants:
            total = row.codings + sum(self.value(d).codings for d in descendants)
            parts.append(f"{total} codings with its {len(descendants)} sub-codes")
        if code.memo.strip():
            parts.append(f"<i>Memo:</i> {html.escape(code.memo.strip()[:300])}")
        return "<p>" + "<br>".join(parts) + "</p>"

    # ----------------------------------------------------------------- editing

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        flags |= Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsDropEnabled
        if index.column() == NAME and self._push is not None:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(
        self,
        index: QModelIndex | QPersistentModelIndex,
        value: Any,
        role: int = Qt.ItemDataRole.EditRole,
    ) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() != NAME:
            return False
        code = self.code(self.node_id(index))
        project = self._project
        if code is None or project is None or self._push is None:
            return False
        name = " ".join(str(value).split())
        if name == code.name:
            return False
        return self._push(
            f"Rename code '{code.name}' to '{name}'",
            lambda: project.update_code(code.id, name=name),
        )

    # ----------------------------------------------------------------- drag and drop

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [CODES_MIME, PASSAGE_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        ids: list[int] = []
        for index in indexes:
            node = self.node_id(index)
            if index.isValid() and node not in ids:
                ids.append(node)
        mime = QMimeData()
        mime.setData(CODES_MIME, json.dumps(ids).encode())
        mime.setText("\n".join(self.value(i).code.path for i in ids))
        return mime

    def _dragged_codes(self, data: QMimeData) -> list[int]:
        try:
            ids = json.loads(bytes(data.data(CODES_MIME).data()).decode())
        except (ValueError, UnicodeDecodeError):
            return []
        return [i for i in ids if isinstance(i, int) and self.value(i) is not None]

    @staticmethod
    def dropped_passage(data: QMimeData) -> tuple[int, int, int] | None:
        """``(document id, start, end)`` from a passage drag, or None."""
        if not data.hasFormat(PASSAGE_MIME):
            return None
        try:
            value = json.loads(bytes(data.data(PASSAGE_MIME).data()).decode())
            doc, start, end = int(value["document_id"]), int(value["start"]), int(value["end"])
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return None
        return (doc, start, end) if 0 <= start < end else None

    def canDropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        if data.hasFormat(PASSAGE_MIME):
            # A passage is coded with the code it is dropped on (not between codes), never
            # with a category.
            target = self.value(self.node_id(parent)) if parent.isValid() else None
            return (
                target is not None
                and target.code.codable
                and row == -1
                and self.dropped_passage(data) is not None
            )
        if not data.hasFormat(CODES_MIME) or self._push is None:
            return False
        ids = self._dragged_codes(data)
        target = self.node_id(parent)
        return bool(ids) and not any(self._is_ancestor(i, target) for i in ids)

    def dropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        if data.hasFormat(PASSAGE_MIME):
            passage = self.dropped_passage(data)
            assert passage is not None
            self.passageDropped.emit(self.node_id(parent), *passage)
            return True
        target = self.node_id(parent)
        return self.move_codes(self._dragged_codes(data), None if target == ROOT else target, row)

    def move_codes(self, ids: list[int], parent_id: int | None, row: int = -1) -> bool:
        """Move codes under ``parent_id`` (None: top level) before ``row`` (-1: at the end),
        as one undoable edit."""
        project = self._project
        if project is None or self._push is None or not ids:
            return False
        # Drop the codes whose ancestor is dragged too: they travel with it.
        moving = [
            i
            for i in ids
            if not any(self._is_ancestor(a, self.parent_id(i) or ROOT) for a in ids if a != i)
        ]
        siblings = self.child_ids(parent_id or ROOT)
        if row < 0 or row > len(siblings):
            row = len(siblings)
        # Positions count the siblings that stay; the moved codes keep their dragged order.
        before = [s for s in siblings[:row] if s not in moving]
        position = len(before)
        plan = [(code_id, position + k) for k, code_id in enumerate(moving)]
        if all(
            self.parent_id(c) == (parent_id or ROOT) and siblings.index(c) == p for c, p in plan
        ):
            return False  # dropped where it already is
        names = ", ".join(f"'{self.value(c).code.name}'" for c in moving)
        where = f" into '{self.value(parent_id).code.name}'" if parent_id else ""
        text = f"Move code {names}{where}" if len(moving) == 1 else f"Move codes {names}{where}"

        calls = [
            (lambda c=code_id, p=pos: project.move_code(c, parent_id, p)) for code_id, pos in plan
        ]
        return self._push(text, lambda: run_together(project, calls))
