"""Cases and their attribute values as a table model (one column per case attribute).

Cells are edited in place; each edit is validated against the attribute's type (number,
date, yes/no) before it becomes one undoable command through ``push(text, service)``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractListModel, QMimeData, QModelIndex, QPersistentModelIndex, Qt

from coder.core.attributes import canonical_value
from coder.core.bulk import run_together
from coder.core.errors import CoderError
from coder.core.model import Attribute, Case, Document
from coder.core.project import Changes, Project
from coder.ui.models.documents import DOCUMENTS_MIME
from coder.ui.models.table import row_header
from coder.ui.models.tree import ROOT, IdTreeModel

CaseIdRole = Qt.ItemDataRole.UserRole + 1
AttributeRole = Qt.ItemDataRole.UserRole + 2  # the core Attribute of a column (None: fixed)
SortRole = Qt.ItemDataRole.UserRole + 3

# Case and Documents first, then one column per attribute, then the memo (the last column).
LEADING_COLUMNS = ("Case", "Documents")
NAME, DOCUMENTS = range(2)
TYPE_LABELS = {"text": "text", "number": "number", "date": "date", "boolean": "yes/no"}

Push = Callable[[str, Callable[[], Changes]], bool]


@dataclass(frozen=True)
class CaseRow:
    case: Case
    values: tuple[str, ...]  # stored values, one per attribute column ("" when unset)


def display_value(value: str, type_: str) -> str:
    if type_ == "boolean" and value:
        return "yes" if value == "true" else "no"
    return value


class CasesModel(IdTreeModel):
    def __init__(
        self,
        push: Push | None = None,
        show_error: Callable[[str], None] | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._push = push
        self._show_error = show_error
        self._project: Project | None = None
        self._attributes: list[Attribute] = []

    @property
    def project(self) -> Project | None:
        return self._project

    @property
    def attributes(self) -> list[Attribute]:
        return list(self._attributes)

    def set_project(self, project: Project | None) -> None:
        self._project = project
        self.beginResetModel()
        self._attributes = project.attributes("case") if project else []
        self._set(*self._load())
        self.endResetModel()

    def on_changes(self, changes: Changes) -> None:
        if self._project is None:
            return
        if not (changes.cases or changes.attributes or changes.documents):
            return
        attributes = self._project.attributes("case")
        if attributes != self._attributes:
            # Columns come and go: a new table layout.
            self.set_project(self._project)
            return
        self.sync(*self._load())

    def _load(self) -> tuple[dict[int, list[int]], dict[int, CaseRow]]:
        children: dict[int, list[int]] = {ROOT: []}
        values: dict[int, CaseRow] = {}
        if self._project is None:
            return children, values
        stored = self._project.attribute_values("case")
        for case in self._project.cases():
            own = stored.get(case.id, {})
            values[case.id] = CaseRow(case, tuple(own.get(a.name, "") for a in self._attributes))
            children[ROOT].append(case.id)
        return children, values

    def case(self, case_id: int) -> Case | None:
        row = self.value(case_id)
        return row.case if row is not None else None

    def cases(self) -> list[Case]:
        return [self.value(i).case for i in self.child_ids(ROOT)]

    def attribute(self, column: int) -> Attribute | None:
        i = column - len(LEADING_COLUMNS)
        return self._attributes[i] if 0 <= i < len(self._attributes) else None

    @property
    def memo_column(self) -> int:
        return len(LEADING_COLUMNS) + len(self._attributes)

    def column_of(self, attribute_name: str) -> int:
        for i, a in enumerate(self._attributes):
            if a.name == attribute_name:
                return len(LEADING_COLUMNS) + i
        return -1

    # ----------------------------------------------------------------- Qt's interface

    def columnCount(self, parent: Any = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(LEADING_COLUMNS) + len(self._attributes) + 1

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return row_header(self, section) if role == Qt.ItemDataRole.DisplayRole else None
        attr = self.attribute(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if section < len(LEADING_COLUMNS):
                return LEADING_COLUMNS[section]
            if section == self.memo_column:
                return "Memo"
            return attr.name if attr else None
        if role == Qt.ItemDataRole.ToolTipRole and attr is not None:
            return f"Case attribute '{attr.name}' ({TYPE_LABELS[attr.type]})"
        if role == AttributeRole:
            return attr
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled
        flags = (
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDropEnabled
        )
        if index.column() != DOCUMENTS and self._push is not None:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        row: CaseRow | None = self.value(self.node_id(index))
        if row is None:
            return None
        col, case = index.column(), row.case
        attr = self.attribute(col)
        if role == CaseIdRole:
            return case.id
        if role == AttributeRole:
            return attr
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == NAME:
                return case.name
            if col == DOCUMENTS:
                return (
                    str(case.documents) if role == Qt.ItemDataRole.DisplayRole else case.documents
                )
            if col == self.memo_column:
                if role == Qt.ItemDataRole.DisplayRole:
                    return " ".join(case.memo.split())
                return case.memo
            if attr is not None:
                return display_value(row.values[col - len(LEADING_COLUMNS)], attr.type)
        if role == SortRole:
            if col == DOCUMENTS:
                return case.documents
            if attr is not None and attr.type == "number":
                value = row.values[col - len(LEADING_COLUMNS)]
                try:
                    return (0, float(value)) if value else (1, 0.0)
                except ValueError:
                    return (1, 0.0)
            value = self.data(index, Qt.ItemDataRole.DisplayRole)
            return (0 if value else 1, str(value).casefold())
        if role == Qt.ItemDataRole.TextAlignmentRole and (
            col == DOCUMENTS or (attr is not None and attr.type == "number")
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col == self.memo_column and case.memo:
            return case.memo
        if role == Qt.ItemDataRole.ToolTipRole and col == DOCUMENTS and self._project is not None:
            names = [d.name for d in self._project.document_refs(case_id=case.id)]
            return "\n".join(names) if names else "No documents linked (drag documents here)"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            header = self.headerData(col, Qt.Orientation.Horizontal)
            return f"{header} of case {case.name}: {self.data(index) or 'empty'}"
        return None

    def setData(
        self,
        index: QModelIndex | QPersistentModelIndex,
        value: Any,
        role: int = Qt.ItemDataRole.EditRole,
    ) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        row: CaseRow | None = self.value(self.node_id(index))
        project = self._project
        if row is None or project is None or self._push is None:
            return False
        case, col = row.case, index.column()
        text = "" if value is None else str(value)
        if col == NAME:
            name = text.strip()
            if not name or name == case.name:
                return False
            if any(c.name == name for c in self.cases() if c.id != case.id):
                return self._error(f"a case named '{name}' already exists")
            return self._push(
                f"Rename case '{case.name}' to '{name}'",
                lambda: project.update_case(case.id, name=name),
            )
        if col == self.memo_column:
            if text == case.memo:
                return False
            return self._push(
                f"Edit memo of case '{case.name}'", lambda: project.update_case(case.id, memo=text)
            )
        attr = self.attribute(col)
        if attr is None:
            return False
        old = row.values[col - len(LEADING_COLUMNS)]
        if not text.strip():
            if not old:
                return False
            return self._push(
                f"Clear '{attr.name}' of case '{case.name}'",
                lambda: project.set_attribute_value(attr.id, case.id, None),
            )
        try:
            stored = canonical_value(text, attr.type, attr.name)
        except CoderError as e:
            return self._error(str(e))
        if stored == old:
            return False
        return self._push(
            f"Set '{attr.name}' of case '{case.name}' to '{display_value(stored, attr.type)}'",
            lambda: project.set_attribute_value(attr.id, case.id, stored),
        )

    def _error(self, message: str) -> bool:
        if self._show_error is not None:
            self._show_error(message)
        return False

    # ----------------------------------------------------------------- dropping documents

    def mimeTypes(self) -> list[str]:
        return [DOCUMENTS_MIME]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.LinkAction | Qt.DropAction.MoveAction

    @staticmethod
    def dropped_documents(data: QMimeData) -> list[int]:
        try:
            ids = json.loads(bytes(data.data(DOCUMENTS_MIME).data()).decode())
        except (ValueError, UnicodeDecodeError):
            return []
        return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []

    def canDropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        return (
            self._push is not None
            and data.hasFormat(DOCUMENTS_MIME)
            and parent.isValid()
            and bool(self.dropped_documents(data))
        )

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
        return self.link_documents(self.node_id(parent), self.dropped_documents(data))

    def link_documents(self, case_id: int, add: Sequence[int], remove: Sequence[int] = ()) -> bool:
        """Link documents to a case (and unlink others from it) as one undoable edit."""
        project, case = self._project, self.case(case_id)
        if project is None or case is None or self._push is None:
            return False
        docs = {d.id: d for d in project.documents()}
        add = [d for d in add if d in docs and docs[d].case_id != case_id]
        remove = [d for d in remove if d in docs and docs[d].case_id == case_id]
        if not add and not remove:
            return False
        calls = [lambda d=d: project.set_document_case(d, case_id) for d in add]
        calls += [lambda d=d: project.set_document_case(d, None) for d in remove]
        if add and not remove:
            what = f"'{docs[add[0]].name}'" if len(add) == 1 else f"{len(add)} documents"
            text = f"Link {what} to case '{case.name}'"
        elif remove and not add:
            what = f"'{docs[remove[0]].name}'" if len(remove) == 1 else f"{len(remove)} documents"
            text = f"Unlink {what} from case '{case.name}'"
        else:
            text = f"Change documents of case '{case.name}'"
        return self._push(text, lambda: run_together(project, calls))


class DocumentChecklistModel(QAbstractListModel):
    """Documents with a check box each (the documents linked to one case)."""

    def __init__(
        self, documents: list[Document], checked: set[int], case_id: int | None, parent: Any = None
    ) -> None:
        super().__init__(parent)
        self._docs = list(documents)
        self._checked = set(checked)
        self._case_id = case_id

    def checked(self) -> set[int]:
        return set(self._checked)

    def rowCount(self, parent: Any = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._docs)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._docs):
            return None
        doc = self._docs[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            other = doc.case if doc.case_id not in (None, self._case_id) else None
            return f"{doc.name}  (now: {other})" if other else doc.name
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if doc.id in self._checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.UserRole:
            return doc.id
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsUserCheckable
        )

    def setData(
        self,
        index: QModelIndex | QPersistentModelIndex,
        value: Any,
        role: int = Qt.ItemDataRole.EditRole,
    ) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        doc_id = self._docs[index.row()].id
        state = value.value if hasattr(value, "value") else value
        if state == Qt.CheckState.Checked.value:
            self._checked.add(doc_id)
        else:
            self._checked.discard(doc_id)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True
