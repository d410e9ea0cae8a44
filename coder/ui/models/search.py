"""Project-wide search hits (keyword in context) as a table model."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from coder.core.model import SearchHit
from coder.ui.models.table import row_header

HitRole = Qt.ItemDataRole.UserRole + 1  # the core SearchHit
DocumentIdRole = Qt.ItemDataRole.UserRole + 2
SpanRole = Qt.ItemDataRole.UserRole + 3  # (start, end)

COLUMNS = ("Document", "Before", "Match", "After")
DOCUMENT, BEFORE, MATCH, AFTER = range(4)


def _flat(text: str) -> str:
    return " ".join(text.split())


class SearchResultsModel(QAbstractTableModel):
    """The hits of one search; a new search replaces them all (a reset)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []

    def hits(self) -> list[SearchHit]:
        return list(self._hits)

    def set_hits(self, hits: list[SearchHit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def remove_documents(self, doc_ids: set[int]) -> None:
        """Drop the hits of deleted documents, row by row."""
        for row in range(len(self._hits) - 1, -1, -1):
            if self._hits[row].document_id in doc_ids:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._hits[row]
                self.endRemoveRows()

    def rowCount(self, parent: Any = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._hits)

    def columnCount(self, parent: Any = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
                return COLUMNS[section]
            if orientation == Qt.Orientation.Vertical:
                return row_header(self, section)
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit, col = self._hits[index.row()], index.column()
        if role == HitRole:
            return hit
        if role == DocumentIdRole:
            return hit.document_id
        if role == SpanRole:
            return (hit.start, hit.end)
        if role == Qt.ItemDataRole.DisplayRole:
            return (hit.document, _flat(hit.before), hit.match, _flat(hit.after))[col]
        if role == Qt.ItemDataRole.TextAlignmentRole and col == BEFORE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and col == MATCH:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{hit.document}: {_flat(hit.before)} {hit.match} {_flat(hit.after)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{hit.document}, characters {hit.start}–{hit.end}"
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
