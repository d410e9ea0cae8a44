"""Table models for the analysis window and the report options: thin adapters over the
dataclasses of :mod:`coder.core.query` (the window turns each result into a :class:`Table`).

``SortRole`` gives numbers as numbers so that columns sort numerically through a
``QSortFilterProxyModel``; ``DrillRole`` carries what to retrieve when a cell is clicked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from coder.core.numbers import fixed
from coder.core.query import Passage
from coder.ui.models.table import row_header

SortRole = Qt.ItemDataRole.UserRole
DrillRole = Qt.ItemDataRole.UserRole + 1
IdRole = Qt.ItemDataRole.UserRole + 2
PassageRole = Qt.ItemDataRole.UserRole + 3
_Index = QModelIndex | QPersistentModelIndex


@dataclass
class Table:
    """Rows of display values, with optional sort keys, drill-down payloads and cell colours."""

    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    drills: list[list[Any]] = field(default_factory=list)  # parallel to rows (None = nothing)
    backgrounds: list[list[str | None]] = field(default_factory=list)
    tooltips: list[str] = field(default_factory=list)  # per row
    note: str = ""


def display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return fixed(value, 1)  # halves up, as in the command line and the report
    return str(value)


class AnalysisTableModel(QAbstractTableModel):
    """A read-only table (codes as rows) over a :class:`Table`."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.table = Table([])

    def set_table(self, table: Table) -> None:
        self.beginResetModel()
        self.table = table
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.table.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.table.headers)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.table.rows):
            return None
        r, c = index.row(), index.column()
        row = self.table.rows[r]
        if c >= len(row):
            return None
        value = row[c]
        if role == Qt.ItemDataRole.DisplayRole:
            return display(value)
        if role == SortRole:
            return value if isinstance(value, (int, float)) else display(value).casefold()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if isinstance(value, (int, float)):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == DrillRole:
            if r < len(self.table.drills) and c < len(self.table.drills[r]):
                return self.table.drills[r][c]
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            if r < len(self.table.backgrounds) and c < len(self.table.backgrounds[r]):
                color = self.table.backgrounds[r][c]
                if color:
                    return QBrush(QColor(color))
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if c == 0 and r < len(self.table.tooltips) and self.table.tooltips[r]:
                return self.table.tooltips[r]
            return None
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.table.headers[section] if 0 <= section < len(self.table.headers) else None
        return row_header(self, section)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class PassageModel(QAbstractTableModel):
    """Retrieved passages: document, codes, coder, speaker, where, text."""

    HEADERS = ["Document", "Codes", "Coder", "Speaker", "Where", "Passage"]

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.passages: list[Passage] = []

    def set_passages(self, passages: Sequence[Passage]) -> None:
        self.beginResetModel()
        self.passages = list(passages)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.passages)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.passages):
            return None
        p = self.passages[index.row()]
        c = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, SortRole):
            if c == 0:
                return p.document
            if c == 1:
                return ", ".join(p.codes)
            if c == 2:
                return ", ".join(p.coders)
            if c == 3:
                return p.speaker
            if c == 4:
                if role == SortRole:
                    return p.start
                return f"¶ {p.paragraph}" if p.paragraph is not None else f"{p.start}–{p.end}"
            if c == 5:
                text = " ".join(p.text.split())
                return text if role == SortRole or len(text) <= 300 else text[:297] + "…"
        if role == Qt.ItemDataRole.ToolTipRole and c == 5:
            return (p.before + "[" + p.text + "]" + p.after)[:2000]
        if role == PassageRole:
            return p
        if role == Qt.ItemDataRole.BackgroundRole and c == 5 and p.color:
            color = QColor(p.color)
            color.setAlpha(70)
            return QBrush(color)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None
        if role == Qt.ItemDataRole.DisplayRole:
            return row_header(self, section)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class CheckListModel(QAbstractListModel):
    """A checkable list of (id, label, indent) items: codes, documents, cases or coders."""

    def __init__(self, items: Sequence[tuple[int, str, int]] = (), parent: Any = None) -> None:
        super().__init__(parent)
        self.items = list(items)
        self.checked = [True] * len(self.items)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.items)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.items):
            return None
        item_id, label, indent = self.items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return "    " * indent + label
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if self.checked[index.row()] else Qt.CheckState.Unchecked
        if role == IdRole:
            return item_id
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return label
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.CheckStateRole:
            return False
        state = value.value if hasattr(value, "value") else value
        self.checked[index.row()] = (
            state == Qt.CheckState.Checked.value or value == Qt.CheckState.Checked
        )
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsUserCheckable
        )

    def set_items(
        self, items: Sequence[tuple[int, str, int]], unchecked: Iterable[int] = ()
    ) -> None:
        """New items, every one checked but those ``unchecked``."""
        off = set(unchecked)
        self.beginResetModel()
        self.items = list(items)
        self.checked = [item[0] not in off for item in self.items]
        self.endResetModel()

    def set_all(self, checked: bool) -> None:
        self.checked = [checked] * len(self.items)
        if self.items:
            self.dataChanged.emit(
                self.index(0), self.index(len(self.items) - 1), [Qt.ItemDataRole.CheckStateRole]
            )

    def set_checked_ids(self, ids: Sequence[int]) -> None:
        wanted = set(ids)
        self.checked = [i in wanted for i, _, _ in self.items]
        if self.items:
            self.dataChanged.emit(
                self.index(0), self.index(len(self.items) - 1), [Qt.ItemDataRole.CheckStateRole]
            )

    def checked_ids(self) -> list[int]:
        return [item[0] for item, on in zip(self.items, self.checked, strict=True) if on]

    def selection(self) -> tuple[int, ...] | None:
        """The checked ids, or None when every item is checked (no restriction)."""
        if all(self.checked):
            return None
        return tuple(self.checked_ids())
