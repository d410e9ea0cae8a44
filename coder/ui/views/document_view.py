"""The document view: read-only text, coding highlights, speaker gutter and coding stripes.

Highlights are painted, not formatted: the codings of the shown document are kept as one
sorted array (by UTF-16 start) with a running maximum of ends, so the codings touching the
visible blocks are found with two bisects, and each paint draws translucent rectangles per
line fragment before the text itself is drawn. Nothing about codings lives in the
QTextDocument, so showing a document is one ``setPlainText`` and a coding change repaints
only the blocks it touches.
"""

from __future__ import annotations

import json
import re
import math
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable
from heapq import heappop, heappush
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QKeyCombination,
    QMimeData,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QContextMenuEvent,
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
    QTextBlock,
    QTextCursor,
    QTextOption,
)
from PySide6.QtWidgets import QMenu, QPlainTextEdit, QToolTip, QWidget

from coder.core.text import PositionMap, paragraph_index, paragraphs

if TYPE_CHECKING:
    from coder.core.project import Changes, Project

PASSAGE_MIME = "application/x-coder-passage"


def first_line_below(layout: Any, y: float) -> int:
    """Index of the first line of a block layout whose bottom reaches ``y`` (block coordinates).

    Lines are ordered by y, so this bisects: a huge block (a PDF without line breaks) has
    thousands of lines.
    """
    lo, hi = 0, layout.lineCount()
    while lo < hi:
        mid = (lo + hi) // 2
        line = layout.lineAt(mid)
        if line.y() + line.height() < y:
            lo = mid + 1
        else:
            hi = mid
    return lo


def text_has_astral(pm: PositionMap) -> bool:
    """Whether code points and UTF-16 positions differ anywhere in the text."""
    return pm.utf16_length != pm.length


def key_text(event: QKeyEvent) -> str:
    """The portable text of a key press ("1", "Shift+Left"), keypad digits as plain digits."""
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return QKeySequence(QKeyCombination(mods, Qt.Key(event.key()))).toString()


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


class Span:
    """One coding of the shown document, in both code points and UTF-16 units."""

    __slots__ = (
        "code_id", "coder", "coder_id", "column", "e16", "end", "id", "memo", "s16", "start",
    )  # fmt: skip

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

    def __init__(self, name: str, path: str, color: str, dark: bool) -> None:
        self.name = name
        self.path = path
        base = QColor(color)
        if dark:
            # Light text on a dark base: a darkened wash keeps overlaps dark enough to read,
            # while the underline stays bright enough to tell the codes apart.
            self.line = base.lighter(120)
            self.fill = base.darker(170)
            self.fill.setAlpha(150)
        else:
            # Dark text on a light base: a light wash; overlaps only get darker, never opaque.
            self.line = base
            self.fill = QColor(base)
            self.fill.setAlpha(64)


_CODING_SQL = 'SELECT g.id, g.code_id, g.start, g."end", g.memo, g.coder_id FROM codings g'


def first_line_after(layout: Any, y: float) -> int:
    """Index of the first line of a block layout that starts below ``y`` (block coordinates)."""
    lo, hi = 0, layout.lineCount()
    while lo < hi:
        mid = (lo + hi) // 2
        if layout.lineAt(mid).y() > y:
            hi = mid
        else:
            lo = mid + 1
    return lo


class VisibleBlocks:
    """The blocks on screen with their viewport geometry, for one scroll position and layout.

    ``QPlainTextEdit.blockBoundingGeometry`` walks from the first visible block on every call,
    so the view measures the screen once and reuses it until the key (scroll position, sizes,
    document layout, or the view's generation) changes.
    """

    __slots__ = ("blocks", "bottoms", "key", "levels", "lines", "range", "starts")

    def __init__(
        self, key: tuple, blocks: list[tuple[QTextBlock, QRectF]], rng: tuple[int, int]
    ) -> None:
        self.key = key
        self.blocks = blocks
        self.starts = [b.position() for b, _g in blocks]
        self.bottoms = [g.bottom() for _b, g in blocks]
        self.range = rng
        # block index -> UTF-16 range of its lines on screen
        self.lines: dict[int, tuple[int, int]] = {}
        # block index -> the stripe columns its underline levels were last painted with
        self.levels: dict[int, tuple[int, ...]] = {}


class DocumentView(QPlainTextEdit):
    """Shows one document of a project; every coding is drawn from the core at paint time."""

    #: the caret or selection moved (status bar text may change)
    positionChanged = Signal()
    #: the user chose a coding (stripe click, click in a passage): its id
    codingActivated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Bumped whenever what is drawn changes wholesale (document, codings index, styles,
        # fonts): the screen measurements and the stripe layout are then measured again.
        self._gen = 0
        self._vis: VisibleBlocks | None = None
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setUndoRedoEnabled(False)
        self.setTabChangesFocus(True)  # Tab leaves the text (to the stripes, then the docks)
        self.setCenterOnScroll(False)
        self.setAccessibleName("Document text")
        self.setAccessibleDescription("The text of the document; select a passage to code it")
        self.setObjectName("documentView")
        self.default_text_size = max(self.font().pointSizeF(), 10.5)
        self.set_text_size(self.default_text_size)
        self.document().setDocumentMargin(8)

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
        self._turns: list[tuple[int, int, str, float | None]] = []
        self._turn_starts: list[int] = []
        self._speakers: tuple[str, ...] = ()
        self._paragraphs: list[tuple[int, int]] | None = None
        self.active_coding_id: int | None = None
        self.find_matches: list[tuple[int, int]] = []
        self.find_current = -1
        # Key -> action for the view's single-key shortcuts (see keyPressEvent).
        self.key_actions: dict[str, QAction] = {}
        # Hooks the window sets: fill the context menu for a position / selection.
        self.menu_hook: Callable[[QMenu, list[int]], None] | None = None
        self.stripe_menu_hook: Callable[[QMenu, int], None] | None = None

        self.gutter = SpeakerGutter(self)
        self.stripes = StripeMargin(self)
        self.updateRequest.connect(self._on_update_request)
        self.cursorPositionChanged.connect(self.positionChanged)
        self.selectionChanged.connect(self.positionChanged)
        self._update_margins()

    # ------------------------------------------------------------------ text size

    def set_text_size(self, points: float) -> None:
        """Set the text's point size (6–40): for reading comfort and low vision."""
        font = self.font()
        font.setPointSizeF(min(max(points, 6.0), 40.0))
        self.setFont(font)
        self._gen += 1
        if hasattr(self, "gutter"):
            self._update_margins()  # speaker names take more or less room

    def text_size(self) -> float:
        return self.font().pointSizeF()

    # ------------------------------------------------------------------ loading

    def clear_document(self) -> None:
        self.project = None
        self.doc_id = None
        self.doc_name = ""
        self.text = ""
        self.pm = PositionMap("")
        self.spans.clear()
        self._all = {}
        self._rebuild_index(assign_columns=True)
        self._turns = []
        self._turn_starts = []
        self._speakers = ()
        self._paragraphs = None
        self.active_coding_id = None
        self.find_matches = []
        self.find_current = -1
        self.setPlainText("")
        self._update_margins()

    def set_document(self, project: Project, doc_id: int) -> None:
        """Show a document with its codings and speaker turns."""
        text = project.document_text(doc_id)
        name_row = project.db.execute(
            "SELECT name FROM documents WHERE id = ?", [doc_id]
        ).fetchone()
        self.project = project
        self.doc_id = doc_id
        self.doc_name = name_row[0] if name_row else ""
        self.text = text
        self.pm = pm = PositionMap(text)
        self._paragraphs = None
        self.active_coding_id = None
        self.find_matches = []
        self.find_current = -1
        self.load_styles(project, update=False)
        self._all = spans = {}
        length = pm.length
        to16 = pm.to_utf16 if text_has_astral(pm) else int
        self.coders = coders = dict(project.db.execute("SELECT id, name FROM coders").fetchall())
        order = []
        for cid, code_id, start, end, memo, coder_id in project.db.execute(
            _CODING_SQL + " WHERE g.document_id = ?", [doc_id]
        ).fetchall():
            if 0 <= start < end <= length:  # a damaged row must not take the view down
                s16, e16 = to16(start), to16(end)
                spans[cid] = Span(
                    cid, code_id, start, end, s16, e16, coders.get(coder_id, ""), memo, coder_id
                )
                order.append((s16, e16, cid))
        if self.coder_filter is None and self.compare is None:
            self.spans = dict(spans)
            order.sort()
            self._rebuild_index(assign_columns=True, order=order)
        else:
            self._apply_filter()
        self._turns = [
            (to16(start), to16(end), speaker, time_start)
            for start, end, speaker, time_start in project.db.execute(
                'SELECT start, "end", speaker, time_start FROM turns WHERE document_id = ? '
                "ORDER BY start",
                [doc_id],
            )
            if speaker and 0 <= start <= end <= length
        ]
        self._turn_starts = [t[0] for t in self._turns]
        self._speakers = tuple(sorted({t[2] for t in self._turns}))
        # Margins first: a width change after the text is set would lay it out twice.
        self._update_margins()
        self.setPlainText(text)
        self.setAccessibleDescription(f"Text of the document {self.doc_name}")

    def load_styles(self, project: Project, update: bool = True) -> None:
        """Read code names and colours (after a code was renamed or recoloured)."""
        dark = is_dark(self.palette())
        self.styles = {c.id: CodeStyle(c.name, c.path, c.color, dark) for c in project.codes()}
        self._gen += 1
        if update:
            self.viewport().update()
            self.stripes.update()

    def _rebuild_index(
        self, assign_columns: bool = False, order: list[tuple[int, int, int]] | None = None
    ) -> None:
        spans = self.spans
        self._gen += 1
        self._order = order if order is not None else sorted(s.key for s in spans.values())
        self._starts = [k[0] for k in self._order]
        self._maxends = list(accumulate((k[1] for k in self._order), max))
        if assign_columns:
            self.compare_split = 0
            if self.compare is None:
                self._ncols = self._assign_columns(self._order, 0)
            else:
                # Comparing two coders: the first one's stripes, then the second one's.
                first, second = self.compare
                mine = [k for k in self._order if spans[k[2]].coder_id == first]
                theirs = [k for k in self._order if spans[k[2]].coder_id != first]
                self.compare_split = self._assign_columns(mine, 0) or 1
                self._ncols = self._assign_columns(theirs, self.compare_split) or self.compare_split
                del second

    def _assign_columns(self, order: list[tuple[int, int, int]], offset: int) -> int:
        """Greedy interval colouring: each coding takes the lowest column free at its start.

        Returns the number of columns used, plus ``offset``."""
        spans = self.spans
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

    # ------------------------------------------------------------------ coder filter

    def _shown(self, span: Span) -> bool:
        if self.compare is not None:
            return span.coder_id in self.compare
        return self.coder_filter is None or span.coder_id in self.coder_filter

    def _apply_filter(self) -> None:
        self.spans = {k: s for k, s in self._all.items() if self._shown(s)}
        self._rebuild_index(assign_columns=True)
        if self.active_coding_id not in self.spans:
            self.active_coding_id = None

    def set_coder_filter(
        self, coder_ids: set[int] | None, compare: tuple[int, int] | None = None
    ) -> None:
        """Show every coder's codings (None), only some coders', or two coders side by side
        (the first coder's stripes, then the second's)."""
        self.coder_filter = set(coder_ids) if coder_ids is not None else None
        self.compare = tuple(compare) if compare is not None else None  # type: ignore[assignment]
        self._apply_filter()
        if self.compare is not None:
            first, second = (self.coders.get(c, "?") for c in self.compare)
            self.stripes.setAccessibleDescription(
                f"Comparing coders: {first}'s codings on the left, {second}'s on the right"
            )
        self._update_margins()
        self.viewport().update()
        self.stripes.update()
        self.positionChanged.emit()

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
            self._paragraphs = paragraphs(self.text)
        return paragraph_index(self._paragraphs, cp)

    def speaker_at(self, cp: int) -> str | None:
        if not self._turns:
            return None
        u = self.pm.to_utf16(min(max(cp, 0), self.pm.length))
        i = bisect_right(self._turn_starts, u) - 1
        if i >= 0 and self._turns[i][0] <= u <= self._turns[i][1]:
            return self._turns[i][2]
        return None

    # ------------------------------------------------------------------ positions

    def selection_cp(self) -> tuple[int, int]:
        """The selection (or caret) in code points, snapped outwards to whole characters."""
        c = self.textCursor()
        a, b = c.selectionStart(), c.selectionEnd()
        n = self.pm.utf16_length
        a, b = min(max(a, 0), n), min(max(b, 0), n)
        return self.pm.to_codepoint(a, "down"), self.pm.to_codepoint(b, "up")

    def has_selection(self) -> bool:
        a, b = self.selection_cp()
        return b > a

    def select_cp(self, start: int, end: int, ensure_visible: bool = True) -> None:
        """Select code points [start, end) (the caret ends at ``end``)."""
        n = self.pm.length
        start, end = min(max(start, 0), n), min(max(end, 0), n)
        c = self.textCursor()
        c.setPosition(self.pm.to_utf16(start))
        c.setPosition(self.pm.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(c)
        if ensure_visible:
            self.ensureCursorVisible()

    def step_cp(self, cp: int, forward: bool) -> int:
        """The code point offset one user-perceived character after/before ``cp``."""
        c = QTextCursor(self.document())
        c.setPosition(self.pm.to_utf16(min(max(cp, 0), self.pm.length)))
        op = (
            QTextCursor.MoveOperation.NextCharacter
            if forward
            else QTextCursor.MoveOperation.PreviousCharacter
        )
        if not c.movePosition(op):
            return cp
        return self.pm.to_codepoint(c.position(), "up" if forward else "down")

    def active_span(self) -> Span | None:
        """The selected coding: the active one (stripe click, just applied) while its passage
        is exactly the selection. Shift/Alt+arrows resize it; otherwise they select text."""
        span = self.spans.get(self.active_coding_id) if self.active_coding_id is not None else None
        if span is not None and (span.start, span.end) == self.selection_cp():
            return span
        return None

    def target_span(self) -> Span | None:
        """The coding U and M act on: the selected one, else one matching the selection
        exactly, else the innermost coding under the caret (or around the selection)."""
        span = self.active_span()
        if span is not None:
            return span
        a, b = self.selection_cp()
        inside = self.codings_at(a)
        if b > a:
            exact = [s for s in inside if (s.start, s.end) == (a, b)]
            if exact:
                return max(exact, key=lambda s: s.id)
            inside = [s for s in inside if s.end >= b] or inside
        if self.active_coding_id is not None:
            for s in inside:
                if s.id == self.active_coding_id:
                    return s
        return inside[0] if inside else None

    # ------------------------------------------------------------------ updates

    def apply_changes(self, changes: Changes) -> None:
        """Refresh after an edit: only what changed, and only the blocks it touched."""
        project = self.project
        if project is None or self.doc_id is None:
            return
        if self.doc_id in changes.deleted("documents"):
            self.clear_document()
            return
        if changes.codes:
            self.load_styles(project)
        if changes.documents and self.doc_id in changes.documents:
            row = project.db.execute(
                "SELECT name FROM documents WHERE id = ?", [self.doc_id]
            ).fetchone()
            if row:
                self.doc_name = row[0]
        if changes.codings and self.doc_id in changes.coding_documents:
            self.update_codings(changes.codings)

    def update_codings(self, ids: Iterable[int]) -> None:
        """Re-read these codings (added, changed or removed) and repaint where they are."""
        project = self.project
        assert project is not None
        ids = list(ids)
        dirty: list[tuple[int, int]] = []
        order, starts, maxends = self._order, self._starts, self._maxends
        old_columns: dict[int, int] = {}
        removed: list[Span] = []
        colw = self.stripes.column_width()
        for cid in ids:
            self._all.pop(cid, None)
            old = self.spans.pop(cid, None)
            if old is not None:
                removed.append(old)
                old_columns[cid] = old.column
                i = bisect_left(order, old.key)
                if i < len(order) and order[i] == old.key:
                    del order[i], starts[i], maxends[i]
                    self._refresh_maxends(i)
                dirty.append((old.s16, old.e16))
        rows = []
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" for _ in chunk)
            rows += project.db.execute(
                _CODING_SQL + f" WHERE g.id IN ({marks}) AND g.document_id = ?",
                [*chunk, self.doc_id],
            ).fetchall()
        pm = self.pm
        new_spans = []
        if any(r[5] not in self.coders for r in rows):
            self.coders = dict(project.db.execute("SELECT id, name FROM coders").fetchall())
        for cid, code_id, start, end, memo, coder_id in rows:
            coder = self.coders.get(coder_id, "")
            if not 0 <= start < end <= pm.length:
                continue
            span = Span(
                cid,
                code_id,
                start,
                end,
                pm.to_utf16(start),
                pm.to_utf16(end),
                coder,
                memo,
                coder_id,
            )
            self._all[cid] = span
            if not self._shown(span):
                continue
            self.spans[cid] = span
            i = bisect_left(order, span.key)
            order.insert(i, span.key)
            starts.insert(i, span.s16)
            maxends.insert(i, -1)
            self._refresh_maxends(i)
            new_spans.append(span)
            dirty.append((span.s16, span.e16))
        rebuilt = self.compare is not None and bool(new_spans)
        if rebuilt:
            self._rebuild_index(assign_columns=True)  # keeps each coder's columns apart
            new_spans = []
        for span in new_spans:
            used = {s.column for s in self.spans_between(span.s16, span.e16) if s is not span}
            col = old_columns.get(span.id, 0)  # a resized or recoded coding keeps its stripe
            if col in used:
                col = 0
                while col in used:
                    col += 1
            span.column = col
            self._ncols = max(self._ncols, col + 1)
        if self.active_coding_id is not None and self.active_coding_id not in self.spans:
            self.active_coding_id = None
        if len(dirty) > 64 or rebuilt:
            # A bulk change (undoing a merge, an import) or new columns: one repaint of the
            # visible area.
            self.stripes.invalidate()
            self.viewport().update()
            self.stripes.update()
        else:
            for a, b in dirty:
                self._repaint_text(a, b)
            # The margin repaints where the changed stripes are, with their labels.
            self.stripes.edited(removed, new_spans, colw)
        self.positionChanged.emit()

    def set_active_coding(self, cid: int | None) -> None:
        """Make a coding the selected one (outlined in the margin; Shift/Alt+arrows and M act
        on it), repainting only the stripes whose outline changes."""
        old, self.active_coding_id = self.active_coding_id, cid
        if old != cid:
            self.stripes.repaint_coding(old)
            self.stripes.repaint_coding(cid)

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

    def update_range(self, a16: int, b16: int) -> None:
        """Repaint the visible part of the blocks holding UTF-16 range [a16, b16)."""
        rect = self._visible_rect(a16, b16)
        if rect is not None:
            self.viewport().update(rect)
            self.stripes.update(QRect(0, rect.top(), self.stripes.width(), rect.height()))

    def _visible_rect(self, a16: int, b16: int) -> QRect | None:
        doc = self.document()
        first = self.firstVisibleBlock()
        if not first.isValid():
            return None
        offset = self.contentOffset()
        height = self.viewport().height()
        top_block = doc.findBlock(a16)
        bottom_block = doc.findBlock(max(a16, b16 - 1))
        if bottom_block.blockNumber() < first.blockNumber():
            return None
        start = top_block if top_block.blockNumber() >= first.blockNumber() else first
        top = self.blockBoundingGeometry(start).translated(offset).top()
        if top > height:
            return None
        end_geo = self.blockBoundingGeometry(bottom_block).translated(offset)
        bottom = min(end_geo.bottom(), height) if bottom_block.isValid() else height
        return QRect(
            0, int(max(top, 0)) - 1, self.viewport().width(), int(bottom - max(top, 0)) + 3
        )

    # ------------------------------------------------------------------ geometry helpers

    def _visible_key(self) -> tuple:
        first = self.firstVisibleBlock()
        offset = self.contentOffset()
        size = self.document().documentLayout().documentSize()
        viewport = self.viewport()
        return (
            self._gen, self.document().revision(), first.blockNumber(), offset.x(), offset.y(),
            viewport.width(), viewport.height(), size.width(), size.height(),
        )  # fmt: skip

    def visible(self) -> VisibleBlocks:
        """The blocks on screen, measured once per scroll position and layout."""
        key = self._visible_key()
        vis = self._vis
        if vis is not None and vis.key == key:
            return vis
        for _ in range(2):  # measuring may lay out blocks, which can move the ones below
            blocks = list(self._scan_visible_blocks())
            after = self._visible_key()
            if after == key:
                break
            key = after
        vis = self._vis = VisibleBlocks(key, blocks, self._range_of(blocks))
        return vis

    def visible_blocks(self) -> Iterable[tuple[QTextBlock, QRectF]]:
        return self.visible().blocks

    def _scan_visible_blocks(self) -> Iterable[tuple[QTextBlock, QRectF]]:
        block = self.firstVisibleBlock()
        offset = self.contentOffset()
        height = self.viewport().height()
        while block.isValid():
            geo = self.blockBoundingGeometry(block).translated(offset)
            if geo.top() > height:
                break
            if block.isVisible():
                yield block, geo
            block = block.next()

    def visible_range(self) -> tuple[int, int]:
        """UTF-16 range of the lines on screen (whole lines; one huge block stays cheap)."""
        return self.visible().range

    def _range_of(self, blocks: list[tuple[QTextBlock, QRectF]]) -> tuple[int, int]:
        if not blocks:
            return 0, 0
        first, last = blocks[0], blocks[-1]
        height = self.viewport().height()
        block, geo = first
        layout = block.layout()
        i = first_line_below(layout, -geo.top())
        start = block.position() + (layout.lineAt(i).textStart() if i < layout.lineCount() else 0)
        block, geo = last
        layout = block.layout()
        j = first_line_below(layout, height - geo.top())
        if j < layout.lineCount():
            line = layout.lineAt(j)
            end = block.position() + line.textStart() + line.textLength() + 1
        else:
            end = block.position() + block.length()
        return start, max(start, end)

    def line_locator(self) -> Callable[[int, bool], float | None]:
        """A fast ``y_of`` for positions in the visible blocks (one paint's worth)."""
        vis = self.visible()
        starts, blocks = vis.starts, vis.blocks

        def locate(u16: int, bottom: bool) -> float | None:
            i = bisect_right(starts, u16) - 1
            if i < 0:
                return self.y_of(u16, bottom)
            block, geo = blocks[i]
            if u16 > starts[i] + block.length():
                return self.y_of(u16, bottom)
            line = block.layout().lineForTextPosition(u16 - starts[i])
            if not line.isValid():
                return geo.bottom() if bottom else geo.top()
            y = geo.top() + line.y()
            return y + line.height() if bottom else y

        return locate

    def y_of(self, u16: int, bottom: bool) -> float | None:
        """Viewport y of the line holding UTF-16 position ``u16`` (its bottom if ``bottom``)."""
        block = self.document().findBlock(u16)
        if not block.isValid():
            return None
        geo = self.blockBoundingGeometry(block).translated(self.contentOffset())
        layout = block.layout()
        line = layout.lineForTextPosition(max(0, u16 - block.position()))
        if not line.isValid():
            return geo.bottom() if bottom else geo.top()
        y = geo.top() + line.y()
        return y + line.height() if bottom else y

    # ------------------------------------------------------------------ painting

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        if self._order or self.find_matches:
            painter = QPainter(self.viewport())
            try:
                self._paint_highlights(painter, event.rect())
            finally:
                painter.end()
        super().paintEvent(event)

    def _screen_lines(self, vis: VisibleBlocks, n: int) -> tuple[int, int]:
        """UTF-16 range of the lines of visible block ``n`` that are on screen."""
        found = vis.lines.get(n)
        if found is None:
            block, geo = vis.blocks[n]
            layout = block.layout()
            bpos = block.position()
            bend = bpos + block.length() - 1
            first = first_line_below(layout, -geo.top())
            last = first_line_after(layout, self.viewport().height() - 1 - geo.top()) - 1
            if first > last or first >= layout.lineCount():
                found = (bpos, bpos)
            else:
                a = bpos + layout.lineAt(first).textStart()
                line = layout.lineAt(last)
                found = (a, min(bend, bpos + line.textStart() + line.textLength()))
            vis.lines[n] = found
        return found

    def _block_columns(self, vis: VisibleBlocks, n: int) -> tuple[list[Span], tuple[int, ...]]:
        """The codings on the screen lines of visible block ``n`` and their stripe columns,
        which set the underline levels of the whole block."""
        va, vb = self._screen_lines(vis, n)
        shown = self.spans_between(va, max(vb, va + 1))
        return shown, tuple(sorted({s.column for s in shown}))

    def _repaint_text(self, a16: int, b16: int) -> None:
        """Repaint the screen lines holding UTF-16 range [a16, b16) after its codings changed:
        only those lines, or the whole block where the change moved other codings' underlines
        (the block's set of stripe columns changed)."""
        vis = self.visible()
        blocks = vis.blocks
        if not blocks or b16 <= a16 or b16 <= vis.range[0] or a16 >= vis.range[1]:
            return
        first = max(bisect_right(vis.starts, a16) - 1, 0)
        last = bisect_right(vis.starts, b16 - 1) - 1
        viewport = self.viewport()
        width, height = viewport.width(), viewport.height()
        for n in range(first, last + 1):
            block, geo = blocks[n]
            bpos = block.position()
            before = vis.levels.get(n)
            if before is None or before != self._block_columns(vis, n)[1]:
                top, bottom = geo.top(), geo.bottom()
            else:
                layout = block.layout()
                line = layout.lineForTextPosition(max(a16, bpos) - bpos)
                end = layout.lineForTextPosition(
                    max(min(b16, bpos + block.length() - 1) - bpos - 1, 0)
                )
                if not line.isValid() or not end.isValid():
                    top, bottom = geo.top(), geo.bottom()
                else:
                    top, bottom = geo.top() + line.y(), geo.top() + end.y() + end.height()
            top, bottom = max(top, 0.0), min(bottom, float(height))
            if bottom > top:
                y = math.floor(top) - 1
                viewport.update(QRect(0, y, width, math.ceil(bottom) + 2 - y))

    def _paint_highlights(self, painter: QPainter, clip: QRect) -> None:
        styles = self.styles
        vis = self.visible()
        blocks = vis.blocks
        # Only the blocks crossing the repainted area (bottoms grow down the screen).
        for n in range(bisect_left(vis.bottoms, clip.top()), len(blocks)):
            block, geo = blocks[n]
            if geo.top() > clip.bottom():
                break
            bpos = block.position()
            bend = bpos + block.length() - 1  # without the paragraph separator
            layout = block.layout()
            lines = []
            top, bottom = clip.top() - geo.top(), clip.bottom() - geo.top()
            # Only the lines being painted: a huge block (a PDF without line breaks) has
            # thousands, ordered by y, so the first one is found by bisection.
            for i in range(first_line_below(layout, top), layout.lineCount()):
                line = layout.lineAt(i)
                if line.y() > bottom:
                    break
                ls = line.textStart()
                lines.append((ls, ls + line.textLength(), line))
            if not lines:
                continue
            a16 = bpos + lines[0][0]
            b16 = min(bend, bpos + lines[-1][1])
            # Underline levels: each coding on this block's lines on screen gets its own stripe
            # of the band, whichever part of the block is being repainted.
            shown, columns = self._block_columns(vis, n)
            vis.levels[n] = columns
            hi = max(b16, a16 + 1)
            spans = [s for s in shown if s.s16 < hi and s.e16 > a16]
            matches = self._matches_between(a16, b16) if self.find_matches else []
            if not spans and not matches:
                continue
            levels = {col: k for k, col in enumerate(columns)}
            for span in spans:
                style = styles.get(span.code_id)
                if style is None:
                    continue
                a = max(span.s16, bpos) - bpos
                b = min(span.e16, bend) - bpos
                if b <= a:
                    continue
                level = levels[span.column] % 4
                for rect in self._fragments(lines, geo, a, b):
                    painter.fillRect(rect, style.fill)
                    y = rect.bottom() - 2.0 - 2.0 * level
                    painter.fillRect(QRectF(rect.left(), y, rect.width(), 2.0), style.line)
            if matches:
                pen = QPen(self.palette().color(QPalette.ColorRole.Highlight), 1.5)
                painter.setPen(pen)
                current = self.find_matches[self.find_current] if self.find_current >= 0 else None
                for ms, me in matches:
                    for rect in self._fragments(lines, geo, ms - bpos, me - bpos):
                        if (ms, me) == current:
                            fill = QColor(self.palette().color(QPalette.ColorRole.Highlight))
                            fill.setAlpha(90)
                            painter.fillRect(rect, fill)
                        painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 2, 2)

    @staticmethod
    def _fragments(lines: list[tuple[int, int, Any]], geo: QRectF, a: int, b: int) -> list[QRectF]:
        rects = []
        for ls, le, line in lines:
            if b <= ls or a >= le:
                continue
            x1 = line.cursorToX(max(a, ls))[0]
            x2 = line.cursorToX(min(b, le))[0]
            if x2 < x1:
                x1, x2 = x2, x1
            if x2 - x1 < 1:
                continue
            rects.append(QRectF(geo.left() + x1, geo.top() + line.y(), x2 - x1, line.height()))
        return rects

    def _matches_between(self, a16: int, b16: int) -> list[tuple[int, int]]:
        i = bisect_left(self.find_matches, (a16, -1))
        # a match may start before the block and run into it (never across blocks for plain text)
        if i > 0 and self.find_matches[i - 1][1] > a16:
            i -= 1
        out = []
        for m in self.find_matches[i:]:
            if m[0] > b16:
                break
            out.append(m)
        return out

    # ------------------------------------------------------------------ find in document

    def find_all(self, needle: str) -> int:
        """Mark every case-insensitive occurrence of ``needle``; returns how many."""
        self.find_matches = []
        self.find_current = -1
        if needle:
            pm = self.pm
            pattern = re.compile(re.escape(needle), re.IGNORECASE)
            self.find_matches = [
                (pm.to_utf16(m.start()), pm.to_utf16(m.end()))
                for m in pattern.finditer(self.text)
                if m.end() > m.start()
            ]
        self.viewport().update()
        return len(self.find_matches)

    def find_step(self, forward: bool = True) -> int:
        """Select the next/previous match from the caret; returns its index or -1."""
        if not self.find_matches:
            return -1
        pos = self.textCursor().selectionEnd() if forward else self.textCursor().selectionStart()
        if forward:
            i = bisect_left(self.find_matches, (pos, -1))
            if i >= len(self.find_matches):
                i = 0
        else:
            i = bisect_left(self.find_matches, (pos, -1)) - 1
            if i < 0:
                i = len(self.find_matches) - 1
        self.find_current = i
        s, e = self.find_matches[i]
        c = self.textCursor()
        c.setPosition(s)
        c.setPosition(e, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(c)
        self.centerCursor()
        self.viewport().update()
        return i

    # ------------------------------------------------------------------ events

    def _update_margins(self) -> None:
        left = self.gutter.preferred_width()
        right = self.stripes.preferred_width()
        self.setViewportMargins(left, 0, right, 0)
        self._place_margins()

    def _place_margins(self) -> None:
        cr = self.contentsRect()
        left, right = self.gutter.preferred_width(), self.stripes.preferred_width()
        self.gutter.setGeometry(QRect(cr.left(), cr.top(), left, cr.height()))
        self.gutter.setVisible(left > 0)
        self.stripes.setGeometry(QRect(cr.right() - right + 1, cr.top(), right, cr.height()))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._place_margins()

    def _on_update_request(self, rect: QRect, dy: int) -> None:
        if dy:
            self.stripes.update()
            self.gutter.update()
        else:
            self.stripes.update(0, rect.y(), self.stripes.width(), rect.height())
            self.gutter.update(0, rect.y(), self.gutter.width(), rect.height())

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        # Single keys (1-9, Q, V, U, M) and Shift/Alt+arrows belong to coding commands; the
        # text control would otherwise swallow some of them (Shift+arrows extend a selection).
        action = self.key_actions.get(key_text(event))
        if action is not None and action.isEnabled():
            action.trigger()
            event.accept()
            return
        super().keyPressEvent(event)

    def event(self, event: Any) -> bool:
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.ShortcutOverride:
            if key_text(event) in self.key_actions:
                event.accept()  # handled in keyPressEvent, ahead of the text control
                return True
        return super().event(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        super().mouseReleaseEvent(event)
        if event.button() != Qt.MouseButton.LeftButton or self.doc_id is None:
            return
        if self.textCursor().hasSelection():
            return
        cp = self.pm.to_codepoint(self.cursorForPosition(event.position().toPoint()).position())
        inside = self.codings_at(cp)
        if inside:
            self.set_active_coding(inside[0].id)
            QToolTip.showText(
                event.globalPosition().toPoint(),
                self.codes_tooltip(inside),
                self.viewport(),
            )
            self.codingActivated.emit(inside[0].id)
        else:
            self.set_active_coding(None)
        self.positionChanged.emit()

    def viewportEvent(self, event: Any) -> bool:  # noqa: N802
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.ToolTip and self.doc_id is not None:
            # Hovering a coded passage names its codes (with coder and memo).
            cursor = self.cursorForPosition(event.pos())
            rect = self.cursorRect(cursor)
            inside = self.codings_at(self.pm.to_codepoint(cursor.position()))
            if inside and abs(rect.center().y() - event.pos().y()) <= rect.height():
                QToolTip.showText(event.globalPos(), self.codes_tooltip(inside), self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def codes_tooltip(self, spans: list[Span]) -> str:
        from html import escape

        rows = []
        for s in spans:
            style = self.styles.get(s.code_id)
            if style is None:
                continue
            rows.append(
                f"<span style='color:{style.line.name()}'>&#9632;</span> <b>{escape(style.path)}</b>"
                f" — {escape(s.coder)}" + (f"<br/><i>{escape(s.memo[:200])}</i>" if s.memo else "")
            )
        return "<br/>".join(rows)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        menu = self.createStandardContextMenu(event.pos())
        if self.doc_id is not None and self.menu_hook is not None:
            if not self.textCursor().hasSelection():
                # Right-click without a selection acts at the clicked position.
                c = self.cursorForPosition(event.pos())
                self.setTextCursor(c)
            cp = self.selection_cp()[0]
            inside = [s.id for s in self.codings_at(cp)]
            menu.addSeparator()
            self.menu_hook(menu, inside)
        menu.exec(event.globalPos())
        menu.deleteLater()

    def createMimeDataFromSelection(self) -> QMimeData:  # noqa: N802
        # Qt's own selection data lists a fixed set of formats, so copy it into a plain one.
        source = super().createMimeDataFromSelection()
        data = QMimeData()
        data.setText(source.text())
        if source.hasHtml():
            data.setHtml(source.html())
        if self.doc_id is not None:
            a, b = self.selection_cp()
            if b > a:
                payload = {"document_id": self.doc_id, "start": a, "end": b}
                data.setData(PASSAGE_MIME, json.dumps(payload).encode("utf-8"))
        return data

    def passage_mime(self) -> QMimeData:
        """The drag payload for the current selection (also used by tests and keyboard drops)."""
        return self.createMimeDataFromSelection()

    def changeEvent(self, event: Any) -> None:
        from PySide6.QtCore import QEvent

        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._gen += 1
        if event.type() == QEvent.Type.PaletteChange and self.project is not None:
            self.load_styles(self.project)


class SpeakerGutter(QWidget):
    """Left margin: the speaker's name (bold) at the first line of each turn."""

    MAX_WIDTH = 130

    def __init__(self, view: DocumentView) -> None:
        super().__init__(view)
        self.view = view
        self.setAccessibleName("Speakers")
        self.setObjectName("speakerGutter")
        self._cached: tuple[object, int] = (None, 0)

    def preferred_width(self) -> int:
        """Wide enough for the longest speaker name (longer ones are elided)."""
        turns = self.view._turns
        if not turns:
            return 0
        key = (self.view._speakers, self.view.font().pointSizeF())
        if self._cached[0] != key:
            font = QFont(self.view.font())
            font.setBold(True)
            fm = QFontMetricsF(font)
            widest = max(fm.horizontalAdvance(name) for name in self.view._speakers)
            self._cached = (key, int(min(max(widest + 18, 48), self.MAX_WIDTH)))
        return self._cached[1]

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.preferred_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        view = self.view
        if not view._turns:
            return
        painter = QPainter(self)
        pal = self.palette()
        painter.fillRect(event.rect(), pal.color(QPalette.ColorRole.AlternateBase))
        font = QFont(view.font())
        font.setBold(True)
        painter.setFont(font)
        fm = QFontMetricsF(font)
        small = QFont(view.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() - 2))
        a16, b16 = view.visible_range()
        i = bisect_left(view._turn_starts, a16)
        top_limit = -fm.height()
        text_color = pal.color(QPalette.ColorRole.Text)
        dim = pal.color(QPalette.ColorRole.PlaceholderText)
        y_of = view.line_locator()
        while i < len(view._turns) and view._turns[i][0] < b16:
            s16, _e16, speaker, time_start = view._turns[i]
            i += 1
            y = y_of(s16, False)
            if y is None or y < top_limit or y > self.height():
                continue
            painter.setPen(text_color)
            painter.setFont(font)
            label = fm.elidedText(speaker, Qt.TextElideMode.ElideRight, self.width() - 14)
            painter.drawText(QPointF(8, y + fm.ascent() + 1), label)
            if time_start is not None:
                painter.setPen(dim)
                painter.setFont(small)
                t = int(time_start)
                stamp = f"{t // 3600:d}:{t % 3600 // 60:02d}:{t % 60:02d}"
                painter.drawText(
                    QPointF(8, y + fm.height() + QFontMetricsF(small).ascent() + 1), stamp
                )
        painter.setPen(pal.color(QPalette.ColorRole.Mid))
        painter.drawLine(
            self.width() - 1, event.rect().top(), self.width() - 1, event.rect().bottom()
        )
        painter.end()


class StripeBar:
    """One coding's stripe as laid out for the lines on screen (margin coordinates)."""

    __slots__ = ("bottom", "column", "key", "reach", "room", "span", "style", "top")

    def __init__(self, span: Span, style: CodeStyle, top: float, bottom: float) -> None:
        self.span = span
        self.style = style
        self.top = top
        self.bottom = bottom
        self.column = span.column
        self.key = (top, span.s16, span.e16, span.id)
        self.room: int | None = None  # label length, set by StripeLayout.reindex
        self.reach = bottom  # lowest y the bar, its outline or its label may paint


def _bar_key(bar: StripeBar) -> tuple[float, int, int, int]:
    return bar.key


class StripeLayout:
    """The stripes of the codings on screen, by column and top, for one screen measurement.

    Each column's bars are sorted by top with a running maximum of how far down they paint,
    so a paint finds the bars crossing its rectangle with two bisects per column, and one
    coding added or removed re-lays out only its own column.
    """

    __slots__ = ("a16", "b16", "bars", "columns", "height", "hits", "key", "order", "reach", "tops")

    def __init__(self, key: tuple, a16: int, b16: int, height: int) -> None:
        self.key = key
        self.a16 = a16
        self.b16 = b16
        self.height = height
        self.bars: dict[int, StripeBar] = {}
        self.columns: dict[int, list[StripeBar]] = {}
        self.order: list[int] = []
        self.tops: dict[int, list[float]] = {}
        self.reach: dict[int, list[float]] = {}
        self.hits: tuple[float, list[tuple[QRectF, int]]] | None = None

    def reindex(self, col: int) -> list[tuple[StripeBar, float]]:
        """Recompute the label room of a column's bars (a label may run past a short bar, down
        to the next bar of the same column); returns the bars whose room changed, each with
        how far down it painted before."""
        bars = self.columns[col]
        changed = []
        last = len(bars) - 1
        for i, bar in enumerate(bars):
            limit = bars[i + 1].top if i < last else self.height
            top = bar.top
            room = int(min(max(limit - top, bar.bottom - top), 220) - 6)
            if room != bar.room:
                changed.append((bar, bar.reach))
                bar.room = room
                # The label starts 3 px below the top; a pixel of slack for the outline.
                bar.reach = max(bar.bottom, top + room + 4)
        if bars:
            self.tops[col] = [b.top for b in bars]
            self.reach[col] = list(accumulate((b.reach for b in bars), max))
        else:
            del self.columns[col], self.tops[col], self.reach[col]
        return changed


class StripeMargin(QWidget):
    """Right margin: one bar per coding, in its code's colour, labelled with the code's name.

    Overlapping codings sit in separate columns. Only the visible region is painted. Click a bar
    to select its passage; hover for code, coder and memo; right-click for remove/recode/memo.
    Keyboard: Up/Down walk the visible bars, Enter selects, Delete removes, Menu opens the menu.
    """

    COLUMN = 17
    BAR = 5
    MAX_COLUMNS = 10

    def __init__(self, view: DocumentView) -> None:
        super().__init__(view)
        self.view = view
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Coding stripes")
        self.setAccessibleDescription("One bar per coding beside the text; Up and Down walk them")
        self.setObjectName("codingStripes")
        self._layout: StripeLayout | None = None
        self._label_font: tuple[QFont, QFontMetricsF] | None = None
        self._labels: dict[tuple[str, int], str] = {}
        self.focused_id: int | None = None
        self._width = self.COLUMN * 3 + 8

    def preferred_width(self) -> int:
        if self.view.doc_id is None:
            return 0
        # Fixed per document: growing it later would re-wrap the whole text.
        cols = min(max(self.view.columns + 1, 3), self.MAX_COLUMNS)
        self._width = cols * self.COLUMN + 8
        return self._width

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(self._width, 0)

    def column_width(self) -> float:
        cols = max(self.view.columns, 1)
        return min(float(self.COLUMN), max(3.0, (self.width() - 8) / cols))

    # ------------------------------------------------------------------ layout

    def invalidate(self) -> None:
        """Forget the laid-out stripes (the next paint lays them out again)."""
        self._layout = None

    def stripe_layout(self) -> StripeLayout | None:
        """The stripes of the codings on screen, laid out once per screen measurement."""
        view = self.view
        if view.doc_id is None or not view.spans:
            self._layout = None
            return None
        vis = view.visible()
        key = (vis.key, self.height())
        lay = self._layout
        if lay is not None and lay.key == key:
            return lay
        a16, b16 = vis.range
        lay = StripeLayout(key, a16, b16, self.height())
        y_of = view.line_locator()
        for span in view.spans_between(a16, b16):
            bar = self._place(lay, span, y_of)
            if bar is not None:
                lay.bars[span.id] = bar
                lay.columns.setdefault(bar.column, []).append(bar)
        for col, bars in list(lay.columns.items()):
            bars.sort(key=_bar_key)  # by top, then in text order
            lay.reindex(col)
        lay.order = sorted(lay.columns)
        self._layout = lay
        return lay

    def _place(
        self, lay: StripeLayout, span: Span, y_of: Callable[[int, bool], float | None]
    ) -> StripeBar | None:
        a16, b16, height = lay.a16, lay.b16, lay.height
        if not (span.s16 < (b16 if b16 > a16 else a16 + 1) and span.e16 > a16):
            return None  # off screen
        style = self.view.styles.get(span.code_id)
        if style is None:
            return None
        top = y_of(span.s16, False) if span.s16 >= a16 else -4.0
        bottom = y_of(max(span.s16, span.e16 - 1), True) if span.e16 <= b16 else height + 4.0
        if top is None or bottom is None:
            return None
        return StripeBar(span, style, max(top, -4.0), min(bottom, height + 4.0))

    def edited(self, removed: Iterable[Span], added: Iterable[Span], column_width: float) -> None:
        """Follow codings removed and added (a changed one is both): lay out only those and
        repaint the margin where they paint, with the labels above them in their columns that
        now end elsewhere. ``column_width`` is the one before the change."""
        view = self.view
        lay = self._layout
        if (
            lay is None
            or not view.spans
            or self.column_width() != column_width
            or lay.key != (view.visible().key, self.height())
        ):
            self._layout = None
            self.update()
            return
        dirty: list[tuple[float, float]] = []
        columns: set[int] = set()
        for span in removed:
            bar = lay.bars.pop(span.id, None)
            if bar is not None:
                bars = lay.columns[bar.column]
                del bars[bisect_left(bars, bar.key, key=_bar_key)]
                dirty.append((bar.top, bar.reach))
                columns.add(bar.column)
        y_of = view.line_locator()
        for span in added:
            bar = self._place(lay, span, y_of)
            if bar is not None:
                lay.bars[span.id] = bar
                insort(lay.columns.setdefault(bar.column, []), bar, key=_bar_key)
                columns.add(bar.column)
        for col in columns:
            for bar, before in lay.reindex(col):
                dirty.append((bar.top, max(before, bar.reach)))
        lay.order = sorted(lay.columns)
        lay.hits = None
        width = self.width()
        for top, bottom in dirty:
            y = math.floor(top) - 2
            self.update(QRect(0, y, width, math.ceil(bottom) + 2 - y))

    def repaint_coding(self, cid: int | None) -> None:
        """Repaint the band of one coding's stripe (its outline or label changed)."""
        if cid is None:
            return
        lay = self._layout
        if lay is None or lay.key != (self.view.visible().key, self.height()):
            self.update()
            return
        bar = lay.bars.get(cid)
        if bar is not None:
            y = math.floor(bar.top) - 2
            self.update(QRect(0, y, self.width(), math.ceil(bar.reach) + 2 - y))

    @property
    def _hits(self) -> list[tuple[QRectF, int]]:
        """(rectangle, coding id) of every stripe on screen, in painting order."""
        lay = self.stripe_layout()
        if lay is None:
            return []
        colw = self.column_width()
        if lay.hits is None or lay.hits[0] != colw:
            hits = []
            for col in lay.order:
                x = 6 + col * colw
                for b in lay.columns[col]:
                    hits.append((QRectF(x, b.top, colw, b.bottom - b.top), b.span.id))
            lay.hits = (colw, hits)
        return lay.hits[1]

    # ------------------------------------------------------------------ painting

    def _font(self) -> tuple[QFont, QFontMetricsF]:
        if self._label_font is None:
            font = QFont(self.font())
            font.setPointSizeF(7.5)
            self._label_font = (font, QFontMetricsF(font))
        return self._label_font

    def changeEvent(self, event: Any) -> None:  # noqa: N802
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.FontChange:
            self._label_font = None
            self._labels = {}
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        view = self.view
        painter = QPainter(self)
        pal = self.palette()
        clip = event.rect()
        painter.fillRect(clip, pal.color(QPalette.ColorRole.Window))
        painter.setPen(pal.color(QPalette.ColorRole.Mid))
        painter.drawLine(0, clip.top(), 0, clip.bottom())
        lay = self.stripe_layout()
        if lay is None:
            painter.end()
            return
        colw = self.column_width()
        labels = colw >= 11
        font, fm = self._font()
        painter.setFont(font)
        height = self.height()
        text_color = pal.color(QPalette.ColorRole.WindowText)
        if view.compare is not None and view.compare_split:
            # Comparing two coders: a rule between the first coder's stripes and the second's.
            x = 6 + view.compare_split * colw - 2
            painter.setPen(QPen(pal.color(QPalette.ColorRole.Mid), 1, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(x, 0), QPointF(x, height))
        marked = (view.active_coding_id, self.focused_id)
        above, below = clip.top(), clip.bottom() + 2
        bar_width = min(self.BAR, colw - 1)
        for col in lay.order:
            bars = lay.columns[col]
            # Bars whose paint reaches the rectangle and that start above its bottom.
            lo = bisect_right(lay.reach[col], above)
            hi = bisect_left(lay.tops[col], below)
            x = 6 + col * colw
            for bar in bars[lo:hi]:
                if bar.reach <= above:
                    continue
                top, bottom, room = bar.top, bar.bottom, bar.room or 0
                rect = QRectF(x, top + 1, bar_width, max(bottom - top - 2, 3))
                painter.fillRect(rect, bar.style.line)
                if bar.span.id in marked:
                    painter.setPen(QPen(text_color, 1))
                    painter.drawRect(rect.adjusted(-1, -1, 1, 1))
                if labels and room > 24:
                    room = room // 8 * 8  # elide in steps: most bars reuse a label
                    name = bar.style.name
                    label = self._labels.get((name, room))
                    if label is None:
                        if len(self._labels) > 4000:
                            self._labels.clear()
                        label = self._labels[(name, room)] = fm.elidedText(
                            name, Qt.TextElideMode.ElideRight, room
                        )
                    painter.save()
                    painter.translate(x + self.BAR + 1.5, top + 3)
                    painter.rotate(90)
                    painter.setPen(text_color)
                    painter.drawText(QPointF(0, -fm.descent()), label)
                    painter.restore()
        painter.end()

    def span_at(self, pos: QPoint | QPointF) -> int | None:
        p = QPointF(pos)
        for rect, cid in reversed(self._hits):
            if rect.contains(p):
                return cid
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        cid = self.span_at(event.position())
        if cid is None:
            return
        if event.button() == Qt.MouseButton.LeftButton:
            self.select_coding(cid)
        event.accept()

    def select_coding(self, cid: int) -> None:
        view = self.view
        span = view.spans.get(cid)
        if span is None:
            return
        view.set_active_coding(cid)
        view.select_cp(span.start, span.end)
        view.codingActivated.emit(cid)
        view.positionChanged.emit()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        cid = self.span_at(event.pos()) if event.reason() == event.Reason.Mouse else self.focused_id
        if cid is None or self.view.stripe_menu_hook is None:
            return
        self.select_coding(cid)
        menu = QMenu(self)
        self.view.stripe_menu_hook(menu, cid)
        pos = event.globalPos()
        menu.exec(pos)
        menu.deleteLater()

    def event(self, event: Any) -> bool:
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.ToolTip:
            cid = self.span_at(event.pos())
            span = self.view.spans.get(cid) if cid is not None else None
            view = self.view
            if span is not None:
                QToolTip.showText(event.globalPos(), view.codes_tooltip([span]), self)
            elif view.compare is not None:
                first, second = (view.coders.get(c, "?") for c in view.compare)
                QToolTip.showText(event.globalPos(), f"Left: {first} · right: {second}", self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        ids = [cid for _r, cid in sorted(self._hits, key=lambda h: (h[0].top(), h[0].left()))]
        key = event.key()
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and ids:
            if self.focused_id in ids:
                i = ids.index(self.focused_id) + (1 if key == Qt.Key.Key_Down else -1)
            else:
                i = 0
            old, self.focused_id = self.focused_id, ids[i % len(ids)]
            self.repaint_coding(old)
            self.repaint_coding(self.focused_id)
            span = self.view.spans.get(self.focused_id)
            if span is not None:
                style = self.view.styles.get(span.code_id)
                self.setAccessibleDescription(
                    f"{style.path if style else 'code'}: {self.view.text[span.start : span.end][:80]}"
                )
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and self.focused_id:
            self.select_coding(self.focused_id)
        elif key == Qt.Key.Key_Delete and self.focused_id and self.view.stripe_menu_hook:
            self.select_coding(self.focused_id)
            from coder.ui.features import coding

            window = self.window()
            coding.remove_coding(window, self.focused_id)  # type: ignore[arg-type]
        else:
            super().keyPressEvent(event)
