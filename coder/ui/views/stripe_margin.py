"""The document view's right margin: one bar per coding, labelled with its code's name."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QContextMenuEvent,
    QFont,
    QFontMetricsF,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QMenu, QToolTip, QWidget

from coder.ui.views.span_index import CodeStyle, Span

if TYPE_CHECKING:
    from coder.ui.views.document_view import DocumentView


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

    def sizeHint(self) -> QSize:
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

    def changeEvent(self, event: Any) -> None:
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.FontChange:
            self._label_font = None
            self._labels = {}
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
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
        if view.compare is not None and clip.top() < self.band_height():
            self._paint_coder_band(painter, colw)
        painter.end()

    def band_height(self) -> int:
        """Height of the band naming the two coders compared (0 when not comparing)."""
        return int(self._font()[1].height()) + 6 if self.view.compare is not None else 0

    def coder_columns(self) -> list[tuple[str, float, float]]:
        """Comparing two coders: each coder's name with the x range of their stripes."""
        view = self.view
        if view.compare is None:
            return []
        colw = self.column_width()
        split = 6 + max(view.compare_split, 1) * colw - 2
        first, second = (view.coders.get(c, "?") for c in view.compare)
        return [(first, 1.0, split), (second, split, float(self.width()))]

    def _paint_coder_band(self, painter: QPainter, colw: float) -> None:
        """The coders' names above their stripe columns (elided; the tooltip has them whole)."""
        pal = self.palette()
        font, fm = self._font()
        bold = QFont(font)
        bold.setBold(True)
        painter.setFont(bold)
        band = self.band_height()
        painter.fillRect(QRectF(1, 0, self.width() - 1, band), pal.color(QPalette.ColorRole.Window))
        painter.setPen(pal.color(QPalette.ColorRole.Mid))
        painter.drawLine(QPointF(1, band - 0.5), QPointF(self.width(), band - 0.5))
        painter.setPen(pal.color(QPalette.ColorRole.WindowText))
        metrics = QFontMetricsF(bold)
        for name, left, right in self.coder_columns():
            room = right - left - 2
            text = metrics.elidedText(name, Qt.TextElideMode.ElideRight, room)
            painter.drawText(QRectF(left + 1, 0, room, band), Qt.AlignmentFlag.AlignCenter, text)

    def span_at(self, pos: QPoint | QPointF) -> int | None:
        p = QPointF(pos)
        for rect, cid in reversed(self._hits):
            if rect.contains(p):
                return cid
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
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

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
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

    def keyPressEvent(self, event: QKeyEvent) -> None:
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
                passage = self.view.text[span.start : span.end][:80]
                self.setAccessibleDescription(f"{style.path if style else 'code'}: {passage}")
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and self.focused_id:
            self.select_coding(self.focused_id)
        elif key == Qt.Key.Key_Delete and self.focused_id and self.view.remove_coding_hook:
            self.select_coding(self.focused_id)
            self.view.remove_coding_hook(self.focused_id)
        else:
            super().keyPressEvent(event)
