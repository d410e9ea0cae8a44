"""Tables of the Explore dock: words, keyword in context, similar passages.

Each row is the core's row object (``RowRole``); ``SortRole`` gives the value a column sorts
by (numbers as numbers; the context before a keyword read backwards from the keyword). The
models sort and filter their own rows (one key per row, sorted in C): a proxy model would call
``data`` from Python for every comparison, seconds for tens of thousands of words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from coder.ui.models.table import RowsTableModel

if TYPE_CHECKING:  # the queries are imported when words are first counted
    from coder.core.query.similar import SimilarPassage
    from coder.core.query.words import KwicRow, WordRow

SortRole = Qt.ItemDataRole.UserRole + 1
RowRole = Qt.ItemDataRole.UserRole + 2
_Index = QModelIndex | QPersistentModelIndex


def flat(text: str) -> str:
    """Text on one line (line breaks and runs of spaces as one space)."""
    return " ".join(text.split())


def words_near(text: str, before: bool) -> tuple[str, ...]:
    """A sort key: the words next to the keyword first (the left context read backwards),
    as the word list reads them (punctuation between them left out)."""
    from coder.core.query.words import tokens

    words = tokens(text)
    return tuple(reversed(words) if before else words)


class _Model(RowsTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._all: list[Any] = []
        self._filter = ""

    def cell(self, row: Any, column: int) -> tuple[str, Any]:
        raise NotImplementedError

    def matches(self, row: Any, text: str) -> bool:
        """Whether ``row`` passes the filter ``text`` (folded)."""
        return True

    def set_rows(self, rows: Any) -> None:
        self._all = list(rows)
        self._apply_filter()

    def set_filter(self, text: str) -> None:
        self._filter = text.strip().casefold()
        self._apply_filter()

    def _apply_filter(self) -> None:
        text = self._filter
        super().set_rows([r for r in self._all if self.matches(r, text)] if text else self._all)

    def total(self) -> int:
        """Rows before the filter."""
        return len(self._all)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by the column's sort key; selected rows stay selected."""
        if not 0 <= column < len(self.HEADERS):
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        before = [
            self._rows[i.row()] if 0 <= i.row() < len(self._rows) else None for i in persistent
        ]
        self._rows.sort(
            key=lambda row: self.cell(row, column)[1],
            reverse=order == Qt.SortOrder.DescendingOrder,
        )
        where = {id(r): n for n, r in enumerate(self._rows)}
        moved = [
            self.index(where[id(r)], i.column()) if r is not None else QModelIndex()
            for r, i in zip(before, persistent, strict=True)
        ]
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

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

    def matches(self, row: WordRow, text: str) -> bool:
        return text in row.word


class KwicModel(_Model):
    HEADERS = ("Document", "Speaker", "Before", "Word", "After")

    @staticmethod
    def prepare(rows: Any) -> list[tuple[KwicRow, str, str, tuple[str, ...], tuple[str, ...]]]:
        """Each row with its contexts on one line and their sort keys (made off the GUI
        thread: thousands of rows)."""
        shown = []
        for r in rows:
            left, right = flat(r.left), flat(r.right)
            shown.append((r, left, right, words_near(left, True), words_near(right, False)))
        return shown

    def set_rows(self, rows: Any) -> None:
        """Rows of :meth:`prepare`, or the core's rows (prepared here)."""
        rows = list(rows)
        super().set_rows(rows if rows and isinstance(rows[0], tuple) else self.prepare(rows))

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
