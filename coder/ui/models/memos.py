"""Every memo of the project as a table: kind, title, author, last change.

Rows are :class:`coder.core.memo_index.MemoEntry` values. After an edit only the memos it
touched are read again (one coding's memo, one annotation), so coding in a big project never
re-reads the list; renaming documents, codes or cases (which appear in titles) reloads it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from coder.core.changes import Changes
from coder.core.memo_index import KINDS, MemoEntry, excerpt, memo_entries, memo_entry
from coder.core.project import Project
from coder.ui.models.table import RowsTableModel

EntryRole = Qt.ItemDataRole.UserRole + 1  # the MemoEntry
KeyRole = Qt.ItemDataRole.UserRole + 2  # (kind, id)
SearchRole = Qt.ItemDataRole.UserRole + 3  # title and text, for the search box
SortRole = Qt.ItemDataRole.UserRole + 4

KIND, TITLE, AUTHOR, MODIFIED = range(4)
_Index = QModelIndex | QPersistentModelIndex


REFRESH_ONE_BY_ONE = 200  # more memos touched than this: read the list again


def _changed_keys(changes: Changes) -> set[tuple[str, int]]:
    """The memos an edit may have touched, by (kind, id): a coding counts only when it had
    or has a memo, so coding and uncoding never read memos."""
    keys = {("memo", i) for i in changes.memos}
    keys |= {("annotation", i) for i in changes.annotations}
    for (table, key), row in (*changes.before.items(), *changes.after.items()):
        if table == "codings" and row is not None and row.get("memo"):
            keys.add(("coding", key))
    if changes.ids("meta"):
        keys.add(("project", 0))
    return keys


class MemosModel(RowsTableModel):
    HEADERS = ("Kind", "Title", "Author", "Changed")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.set_rows(memo_entries(project) if project is not None else [])

    def entries(self) -> list[MemoEntry]:
        return list(self._rows)

    def row_of(self, key: tuple[str, int]) -> int:
        for row, entry in enumerate(self._rows):
            if entry.key == key:
                return row
        return -1

    def on_changes(self, changes: Changes) -> None:
        """Read again the memos an edit touched (all of them after a rename)."""
        project = self.project
        if project is None:
            return
        if self.rereads_all(changes):
            self.set_rows(memo_entries(project))
            return
        keys = _changed_keys(changes)
        edited = {r.document_id for r in changes.retexts}
        if edited:
            keys |= {e.key for e in self._rows if e.document_id in edited}
        if len(keys) > REFRESH_ONE_BY_ONE:
            self.set_rows(memo_entries(project))
            return
        for key in sorted(keys):
            self.refresh(key)

    @staticmethod
    def rereads_all(changes: Changes) -> bool:
        """Whether the change asks to read every memo again. A rename may change any memo's
        title: read them all again, without first going through every row of a big edit (a
        merge) for the memos it touched. A document's text edited is no rename (its row changes
        only in its revision and length): only the memos anchored in it may have moved."""
        renamed = changes.ids("documents") - changes.retexted_only()
        return bool(renamed or changes.codes or changes.cases)

    def refresh(self, key: tuple[str, int]) -> None:
        """Insert, update or remove one memo's row to match the project."""
        assert self.project is not None
        entry = memo_entry(self.project, *key)
        row = self.row_of(key)
        if entry is None:
            if row >= 0:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
        elif row >= 0:
            self._rows[row] = entry
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))
        else:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
            self._rows.append(entry)
            self.endInsertRows()

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        entry: MemoEntry | None = self.row_at(index)
        if entry is None:
            return None
        col = index.column()
        if role == EntryRole:
            return entry
        if role == KeyRole:
            return entry.key
        if role == SearchRole:
            return f"{entry.title}\n{entry.text}\n{entry.author}"
        if role in (Qt.ItemDataRole.DisplayRole, SortRole):
            values = (entry.kind_label, entry.title, entry.author, entry.modified[:16])
            if role == SortRole and col == KIND:
                return (KINDS.index(entry.kind), entry.title.casefold())
            value = values[col].replace("T", " ") if col == MODIFIED else values[col]
            return value.casefold() if role == SortRole else value
        if role == Qt.ItemDataRole.ToolTipRole:
            return excerpt(entry.text, 300) or "(empty)"
        if role == Qt.ItemDataRole.AccessibleTextRole and col == TITLE:
            return f"{entry.kind_label}: {entry.title}, by {entry.author or 'unknown'}"
        return None


class MemoFilter(QSortFilterProxyModel):
    """Filters memos by kind and by words in their title, text or author (all must occur)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.kind: str | None = None
        self.words: list[str] = []
        self.setSortRole(SortRole)

    def set_kind(self, kind: str | None) -> None:
        self._refilter(lambda: setattr(self, "kind", kind))

    def set_search(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "words", [w.casefold() for w in text.split()]))

    def _refilter(self, change: Callable[[], None]) -> None:
        """Apply ``change`` to the filter (Qt 6.10 replaced invalidateFilter)."""
        begin = getattr(self, "beginFilterChange", None)
        if begin is None:
            change()
            self.invalidateFilter()
            return
        begin()
        change()
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        index = self.sourceModel().index(source_row, 0, source_parent)
        entry = index.data(EntryRole)
        if entry is None or (self.kind is not None and entry.kind != self.kind):
            return False
        haystack = str(index.data(SearchRole)).casefold()
        return all(w in haystack for w in self.words)
