"""Tables of the Explore dock: words, keyword in context, similar passages.

Each row is the core's row object (``RowRole``); ``SortRole`` gives the value a column sorts
by (numbers as numbers; the context before a keyword read backwards from the keyword).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from coder.core.query.similar import SimilarPassage
from coder.core.query.words import KwicRow, WordRow
from coder.ui.models.table import RowsTableModel

SortRole = Qt.ItemDataRole.UserRole + 1
RowRole = Qt.ItemDataRole.UserRole + 2
_Index = QModelIndex | QPersistentModelIndex


def flat(text: str) -> str:
    """Text on one line (line breaks and runs of spaces as one space)."""
    return " ".join(text.split())


def words_near(text: str, before: bool) -> str:
    """A sort key: the words next to the keyword first (the left context read backwards)."""
    words = text.casefold().split()
    return " ".join(reversed(words) if before else words)


class _Model(RowsTableModel):
    def cell(self, row: Any, column: int) -> tuple[str, Any]:
        raise NotImplementedError

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index)
        if row is None:
            return None
        if role == RowRole:
            return self.payload(row)
        if role in (Qt.ItemDataRole.DisplayRole, SortRole, Qt.ItemDataRole.ToolTipRole):
            shown, key = self.cell(row, index.column())
            return key if role == SortRole else shown
        if role == Qt.ItemDataRole.TextAlignmentRole and self.numeric(index.column()):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def numeric(self, column: int) -> bool:
        return False

    def payload(self, row: Any) -> Any:
        """The core's row behind a table row."""
        return row


class WordsModel(_Model):
    HEADERS = ("Word", "Count", "Docs", "Cases")

    def cell(self, row: WordRow, column: int) -> tuple[str, Any]:
        if column == 0:
            return row.word, row.word
        value = (row.count, row.documents, row.cases)[column - 1]
        return f"{value:,}", value

    def numeric(self, column: int) -> bool:
        return column > 0


class KwicModel(_Model):
    HEADERS = ("Document", "Speaker", "Before", "Word", "After")

    def set_rows(self, rows: Any) -> None:
        shown = []
        for r in rows:
            left, right = flat(r.left), flat(r.right)
            shown.append((r, left, right, words_near(left, True), words_near(right, False)))
        super().set_rows(shown)

    def payload(self, row: Any) -> KwicRow:
        return row[0]

    def cell(self, row: Any, column: int) -> tuple[str, Any]:
        r: KwicRow = row[0]
        if column == 0:
            return r.document, (r.document.casefold(), r.start)
        if column == 1:
            return r.speaker or "", (r.speaker or "").casefold()
        if column == 2:
            return row[1], row[3]
        if column == 3:
            return r.term, r.term.casefold()
        return row[2], row[4]


class SimilarModel(_Model):
    HEADERS = ("Score", "Document", "Paragraph")

    def cell(self, row: SimilarPassage, column: int) -> tuple[str, Any]:
        if column == 0:
            return f"{row.score:.2f}", row.score
        if column == 1:
            return row.document, (row.document.casefold(), row.start)
        return flat(row.text), flat(row.text).casefold()

    def numeric(self, column: int) -> bool:
        return column == 0
