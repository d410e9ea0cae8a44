"""The highlight layer: codings painted under the text, and the screen measured once.

Highlights are painted, not formatted: each paint finds the codings touching the visible
blocks in the span index and draws translucent rectangles per line fragment before the text
itself is drawn. Nothing about codings lives in the QTextDocument, so a coding change repaints
only the lines it touches.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRect, QRectF, QTimer
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen, QTextBlock, QTextCursor
from PySide6.QtWidgets import QWidget

from coder.ui.views.span_index import Span, SpanIndexView

if TYPE_CHECKING:
    from coder.ui.tasks import Runner
    from coder.ui.views.speaker_gutter import SpeakerGutter
    from coder.ui.views.stripe_margin import StripeMargin


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


class HighlightLayer(SpanIndexView):
    """Paints the shown codings and the find matches under the text."""

    stripes: StripeMargin
    gutter: SpeakerGutter
    loader: Runner
    cover: Callable[[int, int], None]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vis: VisibleBlocks | None = None
        self.find_matches: list[tuple[int, int]] = []
        self.find_current = -1

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
            self._gen,
            self.document().revision(),
            first.blockNumber(),
            offset.x(),
            offset.y(),
            viewport.width(),
            viewport.height(),
            size.width(),
            size.height(),
        )

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

    def on_screen(self) -> tuple[tuple, tuple[int, int]]:
        """What the screen shows of the codings and turns (the codings on the lines on screen
        with their places and stripe columns, the turns there, the margins' widths), and how
        many stripe columns the margin divides its width into."""
        a16, b16 = self.visible_range()
        shown = [(s.id, s.code_id, s.s16, s.e16, s.column) for s in self.spans_between(a16, b16)]
        turns = self.turns[bisect_left(self.turn_starts, a16) : bisect_left(self.turn_starts, b16)]
        widths = (self.gutter.preferred_width(), self.stripes.preferred_width())
        return (shown, turns, widths), (self._ncols, self.compare_split)

    # ------------------------------------------------------------------ painting

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.loader.running:  # a big document still being read: its codings on screen first
            a16, b16 = self.visible_range()
            pm = self.pm
            a16, b16 = min(a16, pm.utf16_length), min(b16, pm.utf16_length)
            a, b = pm.to_codepoint(a16), pm.to_codepoint(b16, "up") + 1
            QTimer.singleShot(0, lambda: self.cover(a, b))  # not while painting
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
