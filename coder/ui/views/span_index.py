"""The codings of the shown document, indexed by position, under a read-only text.

The codings are kept as one sorted array (by UTF-16 start) with a running maximum of ends, so
the codings touching a range of text are found with two bisects; overlapping codings get
stripe columns by greedy interval colouring.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from heapq import heappop, heappush
from itertools import accumulate
from operator import itemgetter
from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from coder.core.text import PositionMap, paragraph_index, paragraphs
from coder.ui.views.contrast import safe_wash

if TYPE_CHECKING:
    from coder.core.project import Project


def text_has_astral(pm: PositionMap) -> bool:
    """Whether code points and UTF-16 positions differ anywhere in the text."""
    return pm.utf16_length != pm.length


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


class Span:
    """One coding of the shown document, in both code points and UTF-16 units."""

    __slots__ = (
        "code_id",
        "coder",
        "coder_id",
        "column",
        "e16",
        "end",
        "id",
        "memo",
        "s16",
        "start",
    )

    def __init__(
        self,
        id: int,
        code_id: int,
        start: int,
        end: int,
        s16: int,
        e16: int,
        coder: str,
        memo: str,
        coder_id: int = 0,
    ) -> None:
        self.id = id
        self.code_id = code_id
        self.start = start
        self.end = end
        self.s16 = s16
        self.e16 = e16
        self.coder = coder
        self.memo = memo or ""
        self.coder_id = coder_id
        self.column = 0

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.s16, self.e16, self.id)


class CodeStyle:
    __slots__ = ("fill", "line", "name", "path")

    def __init__(
        self, name: str, path: str, color: str, dark: bool, text: QColor | None = None
    ) -> None:
        self.name = name
        self.path = path
        base = QColor(color)
        ink = text if text is not None else QColor("#ffffff" if dark else "#000000")
        if dark:
            # Light text on a dark base: a darkened wash keeps overlaps dark enough to read,
            # while the underline stays bright enough to tell the codes apart.
            self.line = base.lighter(120)
            self.fill = safe_wash(base.darker(170), ink, light_base=False, alpha=150)
        else:
            # Dark text on a light base: a light wash; overlaps only get darker, never opaque.
            self.line = base
            self.fill = safe_wash(base, ink, light_base=True, alpha=64)
        # However many codings overlap, the text keeps a contrast of 4.5:1 (see contrast.py).


def is_shown(
    span: Span, coder_filter: AbstractSet[int] | None, compare: tuple[int, int] | None
) -> bool:
    """Whether the coder filter (or the comparison of two coders) shows this coding."""
    if compare is not None:
        return span.coder_id in compare
    return coder_filter is None or span.coder_id in coder_filter


COMPARE_COLUMNS = 3  # stripe columns each coder has at least when two are compared


class SpanIndex:
    """The shown codings sorted by UTF-16 start, with a running maximum of ends and each
    coding's stripe column. Plain data: a worker thread can build it for the view."""

    __slots__ = ("compare_split", "maxends", "ncols", "order", "starts")

    def __init__(
        self,
        spans: dict[int, Span],
        compare: tuple[int, int] | None = None,
        order: list[tuple[int, int, int]] | None = None,
        assign: bool = True,
    ) -> None:
        self.order = order if order is not None else sorted(s.key for s in spans.values())
        self.starts = list(map(itemgetter(0), self.order))
        self.maxends = list(accumulate(map(itemgetter(1), self.order), max))
        self.ncols = self.compare_split = 0
        if not assign:
            return
        if compare is None:
            self.ncols = assign_columns(spans, self.order, 0)
        else:
            # Comparing two coders: the first one's stripes, then the second one's.
            first = compare[0]
            mine = [k for k in self.order if spans[k[2]].coder_id == first]
            theirs = [k for k in self.order if spans[k[2]].coder_id != first]
            # At least three columns each: room for the coder's name above them.
            self.compare_split = max(assign_columns(spans, mine, 0), COMPARE_COLUMNS)
            placed = assign_columns(spans, theirs, self.compare_split)
            self.ncols = max(placed, self.compare_split + COMPARE_COLUMNS)


def assign_columns(spans: dict[int, Span], order: list[tuple[int, int, int]], offset: int) -> int:
    """Greedy interval colouring: each coding takes the lowest column free at its start.

    Returns the number of columns used, plus ``offset``."""
    # Usually a handful of columns: scanning their ends is twice as fast as a heap.
    ends: list[int] = []
    for s16, e16, cid in order:
        col = 0
        for end in ends:
            if end <= s16:
                break
            col += 1
        if col == len(ends):
            if col == 48:
                break  # deeply nested codings: the heap below scales better
            ends.append(e16)
        else:
            ends[col] = e16
        spans[cid].column = col + offset
    else:
        return offset + len(ends) if order else offset
    busy: list[tuple[int, int]] = []  # (end, column) of codings still open
    free: list[int] = []
    ncols = offset
    for s16, e16, cid in order:
        while busy and busy[0][0] <= s16:
            heappush(free, heappop(busy)[1])
        if free:
            col = heappop(free)
        else:
            col = ncols
            ncols += 1
        spans[cid].column = col
        heappush(busy, (e16, col))
    return ncols if order else offset


class SpanIndexView(QPlainTextEdit):
    """A text view that knows the shown document's codings and speaker turns."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Bumped whenever what is drawn changes wholesale (document, codings index, styles,
        # fonts): the screen measurements and the stripe layout are then measured again.
        self._gen = 0
        self.project: Project | None = None
        self.doc_id: int | None = None
        self.doc_name = ""
        self.text = ""
        self.pm = PositionMap("")
        self.styles: dict[int, CodeStyle] = {}
        self.spans: dict[int, Span] = {}  # the codings shown (after the coder filter)
        self._all: dict[int, Span] = {}  # every coding of the document
        self.coder_filter: set[int] | None = None
        self.compare: tuple[int, int] | None = None
        self.compare_split = 0  # first stripe column of the second coder when comparing
        self.coders: dict[int, str] = {}
        self._ncols = 0
        self._order: list[tuple[int, int, int]] = []
        self._starts: list[int] = []
        self._maxends: list[int] = []
        # The document's speaker turns (UTF-16 start, end, speaker, time), their starts, and
        # its speakers: read by the speaker gutter.
        self.turns: list[tuple[int, int, str, float | None]] = []
        self.turn_starts: list[int] = []
        self.speakers: tuple[str, ...] = ()
        self._paragraphs: list[tuple[int, int]] | None = None
        self.active_coding_id: int | None = None

    @property
    def span_order(self) -> list[tuple[int, int, int]]:
        """Every coding shown as (UTF-16 start, end, id), sorted by start."""
        return self._order

    def _rebuild_index(
        self, assign_columns: bool = False, order: list[tuple[int, int, int]] | None = None
    ) -> None:
        index = SpanIndex(self.spans, self.compare, order, assign_columns)
        self._install_index(index, columns=assign_columns)

    def _install_index(self, index: SpanIndex, columns: bool = True) -> None:
        self._gen += 1
        self._order, self._starts, self._maxends = index.order, index.starts, index.maxends
        if columns:
            self._ncols, self.compare_split = index.ncols, index.compare_split

    def _drop_spans(self, ids: Iterable[int]) -> list[Span]:
        """Take these codings out of the index; returns those that were shown."""
        order, starts, maxends = self._order, self._starts, self._maxends
        removed: list[Span] = []
        for cid in ids:
            self._all.pop(cid, None)
            old = self.spans.pop(cid, None)
            if old is not None:
                removed.append(old)
                i = bisect_left(order, old.key)
                if i < len(order) and order[i] == old.key:
                    del order[i], starts[i], maxends[i]
                    self._refresh_maxends(i)
        return removed

    def _add_span(self, span: Span) -> bool:
        """Put a coding into the index; False when the coder filter hides it."""
        self._all[span.id] = span
        if not self._shown(span):
            return False
        self.spans[span.id] = span
        i = bisect_left(self._order, span.key)
        self._order.insert(i, span.key)
        self._starts.insert(i, span.s16)
        self._maxends.insert(i, -1)
        self._refresh_maxends(i)
        return True

    def _give_column(self, span: Span, preferred: int) -> None:
        """Give a new coding the preferred stripe column, or the lowest one free beside it."""
        used = {s.column for s in self.spans_between(span.s16, span.e16) if s is not span}
        col = preferred
        if col in used:
            col = 0
            while col in used:
                col += 1
        span.column = col
        self._ncols = max(self._ncols, col + 1)

    def _refresh_maxends(self, i: int) -> None:
        """Fix the running maximum of ends from index ``i`` after an insertion or deletion there.

        Past the first index whose stored value is already right, every later value is right
        too, so one coding costs a few steps rather than a pass over all of them.
        """
        order, maxends = self._order, self._maxends
        value = maxends[i - 1] if i > 0 else -1
        for j in range(i, len(order)):
            value = max(value, order[j][1])
            if maxends[j] == value:
                break
            maxends[j] = value

    # ------------------------------------------------------------------ coder filter

    def _shown(self, span: Span) -> bool:
        return is_shown(span, self.coder_filter, self.compare)

    def _apply_filter(self) -> None:
        self.spans = {k: s for k, s in self._all.items() if self._shown(s)}
        self._rebuild_index(assign_columns=True)
        if self.active_coding_id not in self.spans:
            self.active_coding_id = None

    @property
    def columns(self) -> int:
        return self._ncols

    # ------------------------------------------------------------------ queries

    def spans_between(self, a16: int, b16: int) -> list[Span]:
        """Codings intersecting the UTF-16 range [a16, b16) (or containing a16 if a16 == b16)."""
        order = self._order
        if not order:
            return []
        hi = bisect_left(self._starts, b16 if b16 > a16 else a16 + 1)
        lo = bisect_right(self._maxends, a16)
        spans = self.spans
        return [spans[k[2]] for k in order[lo:hi] if k[1] > a16]

    def codings_at(self, cp: int) -> list[Span]:
        """Codings containing code point ``cp``, innermost (shortest, then newest) first."""
        u = self.pm.to_utf16(min(max(cp, 0), self.pm.length))
        found = [s for s in self.spans_between(u, u + 1) if s.s16 <= u < s.e16]
        return sorted(found, key=lambda s: (s.e16 - s.s16, -s.id))

    def paragraph_of(self, cp: int) -> int | None:
        if self._paragraphs is None:
            if getattr(self, "loading", False):
                return None  # a big document's paragraphs come with its codings
            self._paragraphs = paragraphs(self.text)
        return paragraph_index(self._paragraphs, cp)

    def speaker_at(self, cp: int) -> str | None:
        if not self.turns:
            return None
        u = self.pm.to_utf16(min(max(cp, 0), self.pm.length))
        i = bisect_right(self.turn_starts, u) - 1
        if i >= 0 and self.turns[i][0] <= u <= self.turns[i][1]:
            return self.turns[i][2]
        return None
