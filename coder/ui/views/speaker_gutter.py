"""The document view's left margin: who speaks, at the first line of each turn."""

from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from coder.ui.views.document_view import DocumentView


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
        turns = self.view.turns
        if not turns:
            return 0
        key = (self.view.speakers, self.view.font().pointSizeF())
        if self._cached[0] != key:
            font = QFont(self.view.font())
            font.setBold(True)
            fm = QFontMetricsF(font)
            widest = max(fm.horizontalAdvance(name) for name in self.view.speakers)
            self._cached = (key, int(min(max(widest + 18, 48), self.MAX_WIDTH)))
        return self._cached[1]

    def sizeHint(self) -> QSize:
        return QSize(self.preferred_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        view = self.view
        if not view.turns:
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
        i = bisect_left(view.turn_starts, a16)
        top_limit = -fm.height()
        text_color = pal.color(QPalette.ColorRole.Text)
        dim = pal.color(QPalette.ColorRole.PlaceholderText)
        y_of = view.line_locator()
        while i < len(view.turns) and view.turns[i][0] < b16:
            s16, _e16, speaker, time_start = view.turns[i]
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
