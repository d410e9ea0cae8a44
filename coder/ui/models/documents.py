"""Documents as a tree model: groups (folders) with their documents; ungrouped ones at the end.

Columns: name, characters, codings, case. A group row shows its documents' totals. Renaming
in place goes through the model's ``push(text, service)`` (the window's undo stack).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, Qt

from coder.core.bulk import run_together
from coder.core.model import Document
from coder.core.project import Changes, Project
from coder.ui.models.tree import ROOT, IdTreeModel

DocumentIdRole = Qt.ItemDataRole.UserRole + 1
GroupRole = Qt.ItemDataRole.UserRole + 2
IsGroupRole = Qt.ItemDataRole.UserRole + 3
SortRole = Qt.ItemDataRole.UserRole + 4
# The text a filter matches (name and case cells); counts never change it, so a filtering
# proxy keyed on this role is not re-run when a coding changes a count.
FilterRole = Qt.ItemDataRole.UserRole + 5

DOCUMENTS_MIME = "application/x-coder-documents"

COLUMNS = ("Document", "Characters", "n", "Case")  # n: codings, as in the codebook
TOOLTIPS = (
    "Document name",
    "Length in characters",
    "n: codings in the document",
    "The case the document belongs to",
)
NAME, CHARACTERS, CODINGS, CASE = range(4)

# What a new codings count is announced as (see DocumentsModel.on_changes): the codings cell
# alone, never the name column (a proxy sorted by name would re-sort: a layout change that
# makes the view lay out and repaint every row) nor FilterRole (a recursive filter would
# re-check and announce the group). The spoken text of the name, which says the count, is
# read when asked for.
COUNT_CELLS = (
    (CODINGS, CODINGS, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, SortRole]),
)

# Group rows get ids far above any SQLite rowid a project will reach in practice.
GROUP_BASE = 1 << 48

Push = Callable[[str, Callable[[], Changes]], bool]


@dataclass(frozen=True)
class GroupRow:
    name: str
    documents: int
    characters: int
    codings: int


class DocumentsModel(IdTreeModel):
    def __init__(self, push: Push | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._push = push
        self._project: Project | None = None
        self._group_ids: dict[str, int] = {}  # stable ids for group rows while a project is open

    @property
    def project(self) -> Project | None:
        return self._project

    def set_project(self, project: Project | None) -> None:
        self._project = project
        self._group_ids = {}
        self.replace_all(*self._load())

    def on_changes(self, changes: Changes) -> None:
        """Refresh the rows that changed; a coding only updates its document's count."""
        if self._project is None:
            return
        if changes.documents or changes.cases:
            # Re-read only the documents touched (and those of a renamed case): reading all
            # of them measures every text, which is slow for long transcripts.
            docs = {d.id: d for d in self.documents()}
            again = set(changes.documents) | {
                d.id for d in docs.values() if d.case_id in changes.cases
            }
            found = self._project.documents_by_id(again)
            for doc_id in again:
                if doc_id in found:
                    docs[doc_id] = found[doc_id]
                else:
                    docs.pop(doc_id, None)
            self.sync(*self._load(list(docs.values())))
        elif changes.codings:
            # Counts move by what the change created and deleted: re-counting a document's
            # codings (or reading every document) per coding would be slow on long transcripts.
            updated: dict[int, Any] = {}
            for d, delta in changes.coding_counts().items():
                doc = self.value(d)
                if not delta or not isinstance(doc, Document):
                    continue
                updated[d] = replace(doc, codings=doc.codings + delta)
                group = self.parent_id(d)
                if group and isinstance(self.value(group), GroupRow):
                    old = updated.get(group, self.value(group))
                    updated[group] = replace(old, codings=old.codings + delta)
            if updated:
                self.update_values(updated, COUNT_CELLS)

    def refresh(self) -> None:
        if self._project is not None:
            self.sync(*self._load())

    def _group_id(self, name: str) -> int:
        if name not in self._group_ids:
            self._group_ids[name] = GROUP_BASE + len(self._group_ids) + 1
        return self._group_ids[name]

    def _load(
        self, docs: list[Document] | None = None
    ) -> tuple[dict[int, list[int]], dict[int, Any]]:
        children: dict[int, list[int]] = {ROOT: []}
        values: dict[int, Any] = {}
        if self._project is None:
            return children, values
        if docs is None:
            docs = self._project.documents()
        docs = sorted(docs, key=lambda d: (d.name.casefold(), d.id))
        ungrouped: list[int] = []
        groups: dict[str, list[Document]] = {}
        for doc in docs:
            values[doc.id] = doc
            if doc.group:
                groups.setdefault(doc.group, []).append(doc)
            else:
                ungrouped.append(doc.id)
        for name in sorted(groups, key=str.casefold):
            members = groups[name]
            gid = self._group_id(name)
            values[gid] = GroupRow(
                name,
                len(members),
                sum(d.characters for d in members),
                sum(d.codings for d in members),
            )
            children[ROOT].append(gid)
            children[gid] = [d.id for d in members]
        children[ROOT].extend(ungrouped)
        return children, values

    # ----------------------------------------------------------------- reading

    def document(self, doc_id: int) -> Document | None:
        value = self.value(doc_id)
        return value if isinstance(value, Document) else None

    def documents(self) -> list[Document]:
        return [v for v in self._values.values() if isinstance(v, Document)]

    def groups(self) -> list[str]:
        return sorted({d.group for d in self.documents() if d.group}, key=str.casefold)

    def document_ids(self, indexes: Sequence[QModelIndex]) -> list[int]:
        """Documents at ``indexes``; a group's index stands for all its documents."""
        ids: list[int] = []
        for index in indexes:
            node = self.node_id(index)
            members = self.child_ids(node) if isinstance(self.value(node), GroupRow) else [node]
            for m in members:
                if isinstance(self.value(m), Document) and m not in ids:
                    ids.append(m)
        return ids

    def columnCount(self, parent: Any = QModelIndex()) -> int:
        return len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return TOOLTIPS[section]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        value = self.value(self.node_id(index))
        col = index.column()
        if isinstance(value, GroupRow):
            return self._group_data(value, col, role)
        if not isinstance(value, Document):
            return None
        doc = value
        if role == DocumentIdRole:
            return doc.id
        if role == GroupRole:
            return doc.group
        if role == IsGroupRole:
            return False
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == NAME:
                return doc.name
            if col == CHARACTERS:
                return (
                    f"{doc.characters:,}" if role == Qt.ItemDataRole.DisplayRole else doc.characters
                )
            if col == CODINGS:
                return f"{doc.codings:,}" if role == Qt.ItemDataRole.DisplayRole else doc.codings
            if col == CASE:
                return doc.case or ""
        if role == FilterRole:
            return (doc.name, None, None, doc.case)[col]
        if role == SortRole:
            return (doc.name.casefold(), doc.characters, doc.codings, (doc.case or "").casefold())[
                col
            ]
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (CHARACTERS, CODINGS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [doc.name, f"{doc.characters:,} characters, {doc.codings:,} codings"]
            if doc.source_name:
                lines.append(f"Imported from {doc.source_name} ({doc.source_format})")
            if doc.case:
                lines.append(f"Case: {doc.case}")
            if doc.memo.strip():
                lines.append(f"Memo: {doc.memo.strip()[:300]}")
            return "\n".join(lines)
        if role == Qt.ItemDataRole.AccessibleTextRole and col == NAME:
            case = f", case {doc.case}" if doc.case else ""
            return f"Document {doc.name}, {doc.characters} characters, {doc.codings} codings{case}"
        return None

    @staticmethod
    def _group_data(group: GroupRow, col: int, role: int) -> Any:
        if role == IsGroupRole:
            return True
        if role == GroupRole:
            return group.name
        if role == Qt.ItemDataRole.EditRole and col == NAME:
            return group.name
        if role == FilterRole:
            return f"{group.name} ({group.documents})" if col == NAME else None
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                f"{group.name} ({group.documents})",
                f"{group.characters:,}",
                f"{group.codings:,}",
                "",
            )[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            n = group.documents
            return f"Group '{group.name}': {n} document{'s' if n != 1 else ''}"
        if role == SortRole:
            # Groups sort among themselves by name; the proxy keeps them above documents.
            return (group.name.casefold(), group.characters, group.codings, "")[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (CHARACTERS, CODINGS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.AccessibleTextRole and col == NAME:
            return f"Group {group.name}, {group.documents} documents"
        if role == Qt.ItemDataRole.FontRole and col == NAME:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(True)
            return font
        return None

    # ----------------------------------------------------------------- editing

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        flags |= Qt.ItemFlag.ItemIsDragEnabled
        if index.column() == NAME and self._push is not None:
            flags |= Qt.ItemFlag.ItemIsEditable  # a document's name, or a group's
        return flags

    def setData(
        self,
        index: QModelIndex | QPersistentModelIndex,
        value: Any,
        role: int = Qt.ItemDataRole.EditRole,
    ) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() != NAME:
            return False
        group = self.value(self.node_id(index))
        if isinstance(group, GroupRow):
            return self.rename_group(group.name, str(value))
        doc = self.document(self.node_id(index))
        project = self._project
        if doc is None or project is None or self._push is None:
            return False
        name = str(value).strip()
        if not name or name == doc.name:
            return False
        return self._push(
            f"Rename document '{doc.name}' to '{name}'",
            lambda: project.rename_document(doc.id, name),
        )

    def rename_group(self, old: str, new: str) -> bool:
        """Give every document of group ``old`` the group ``new`` (one undoable edit)."""
        project, new = self._project, " ".join(new.split())
        if project is None or self._push is None or not new or new == old:
            return False
        members = [d.id for d in self.documents() if d.group == old]
        if not members:
            return False
        calls = [lambda d=d: project.set_document_fields(d, group=new) for d in members]
        return self._push(f"Rename group '{old}' to '{new}'", lambda: run_together(project, calls))

    def mimeTypes(self) -> list[str]:
        return [DOCUMENTS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        """Dragged documents (to link them to a case in the cases table)."""
        ids = self.document_ids(indexes)
        mime = QMimeData()
        mime.setData(DOCUMENTS_MIME, json.dumps(ids).encode())
        documents = [self.document(i) for i in ids]
        mime.setText("\n".join(d.name for d in documents if d is not None))
        return mime

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction
