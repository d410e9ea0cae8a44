"""The document view's note margin, between the text and the stripes: a marker at the first
line of every annotation (a note anchored to a passage) and of every coding with a memo.

Hover a marker for its notes; click it to select the passage; double-click to edit the note;
right-click to edit or delete. The window sets ``menu_hook`` (fills the menu for the notes at
a marker) and ``edit_hook`` (edits one note).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QMenu, QToolTip, QWidget

if TYPE_CHECKING:
    from coder.core.project import Project
    from coder.ui.views.document_view import DocumentView

NOTE_COLOR = QColor("#F2C94C")  # a sticky note


@dataclass(frozen=True)
class Note:
    """An annotation (``kind`` "annotation") or a coding's memo (``kind`` "coding")."""

    kind: str
    id: int
    start: int  # code points
    end: int
    s16: int  # UTF-16, for placing the marker
    text: str
    author: str
    label: str  # "Annotation" or the coding's code name


@dataclass
class Marker:
    """The notes whose passages start on one line of the screen."""

    top: float
    height: float
    notes: list[Note]


class NoteMargin(QWidget):
    """A marker per line where annotations or coding memos start (see the module docstring)."""

    WIDTH = 18

    def __init__(self, view: DocumentView) -> None:
        super().__init__(view)
        self.view = view
        self.setMouseTracking(True)
        self.setAccessibleName("Notes")
        self.setAccessibleDescription(
            "A marker beside each annotation and coding memo; hover to read it"
        )
        self.setObjectName("noteMargin")
        self.annotations: list[Note] = []
        self.menu_hook: Callable[[QMenu, list[Note]], None] | None = None
        self.edit_hook: Callable[[Note], None] | None = None

    def preferred_width(self) -> int:
        return self.WIDTH if self.view.doc_id is not None else 0

    def sizeHint(self) -> QSize:
        return QSize(self.preferred_width(), 0)

    # ------------------------------------------------------------------ data

    def load(self, project: Project | None, doc_id: int | None) -> None:
        """Read the shown document's annotations (after it is shown or they changed)."""
        view = self.view
        self.annotations = []
        if project is not None and doc_id is not None:
            pm = view.pm
            self.annotations = [
                Note(
                    "annotation",
                    a.id,
                    a.start,
                    a.end,
                    pm.to_utf16(a.start),
                    a.text,
                    a.coder,
                    "Annotation",
                )  # fmt: skip
                for a in project.annotations(doc_id)
                if 0 <= a.start < a.end <= pm.length
            ]
        self.update()

    def notes(self, a16: int = 0, b16: int | None = None) -> list[Note]:
        """Annotations and coding memos of the shown document, in text order: those starting
        in UTF-16 [a16, b16] (every one by default). The codings are found in the view's
        index, so a screen of a transcript with 50,000 codings looks at a few dozen."""
        view = self.view
        if b16 is None:
            b16 = view.pm.utf16_length
        memos = []
        for span in view.spans_between(a16, b16 + 1):
            if a16 <= span.s16 <= b16 and span.memo.strip():
                style = view.styles.get(span.code_id)
                label = style.name if style is not None else "Coding"
                memos.append(
                    Note(
                        "coding",
                        span.id,
                        span.start,
                        span.end,
                        span.s16,
                        span.memo,
                        span.coder,
                        label,
                    )  # fmt: skip
                )
        notes = [n for n in self.annotations if a16 <= n.s16 <= b16]
        return sorted([*notes, *memos], key=lambda n: (n.s16, n.kind, n.id))

    def markers(self) -> list[Marker]:
        """The markers on screen: notes grouped by the line they start on."""
        view = self.view
        if view.doc_id is None:
            return []
        a16, b16 = view.visible_range()
        y_of = view.line_locator()
        out: list[Marker] = []
        for note in self.notes(a16, b16):
            top = y_of(note.s16, False)
            bottom = y_of(note.s16, True)
            if top is None or bottom is None:
                continue
            if out and abs(out[-1].top - top) < 1:
                out[-1].notes.append(note)
            else:
                out.append(Marker(top, bottom - top, [note]))
        return out

    def marker_at(self, y: float) -> Marker | None:
        for marker in self.markers():
            if marker.top <= y < marker.top + marker.height:
                return marker
        return None

    # ------------------------------------------------------------------ painting

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        pal = self.palette()
        painter.fillRect(event.rect(), pal.color(QPalette.ColorRole.Base))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        outline = QPen(pal.color(QPalette.ColorRole.WindowText), 1)
        for marker in self.markers():
            size = min(12.0, marker.height - 2)
            rect = QRectF((self.width() - size) / 2, marker.top + (marker.height - size) / 2,
                          size, size)  # fmt: skip
            annotation = any(n.kind == "annotation" for n in marker.notes)
            self._glyph(painter, rect, annotation, outline)
            if len(marker.notes) > 1:
                font = painter.font()
                font.setPointSizeF(6.5)
                font.setBold(True)
                painter.setFont(font)
                painter.setPen(pal.color(QPalette.ColorRole.WindowText))
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(len(marker.notes)))
        painter.end()

    @staticmethod
    def _glyph(painter: QPainter, rect: QRectF, annotation: bool, outline: QPen) -> None:
        """A sticky note with a folded corner (annotation), or a speech bubble (memo)."""
        painter.setPen(outline)
        if annotation:
            fold = rect.width() / 3
            path = QPainterPath(rect.topLeft())
            path.lineTo(rect.right() - fold, rect.top())
            path.lineTo(rect.right(), rect.top() + fold)
            path.lineTo(rect.bottomRight())
            path.lineTo(rect.bottomLeft())
            path.closeSubpath()
            painter.setBrush(NOTE_COLOR)
            painter.drawPath(path)
            painter.drawLine(
                QPointF(rect.right() - fold, rect.top()),
                QPointF(rect.right() - fold, rect.top() + fold),
            )
        else:
            body = rect.adjusted(0, 0, 0, -rect.height() / 4)
            painter.setBrush(QColor("#FFFFFF"))
            painter.drawRoundedRect(body, 2, 2)
            tail = QPainterPath(QPointF(body.left() + 3, body.bottom()))
            tail.lineTo(QPointF(body.left() + 3, rect.bottom()))
            tail.lineTo(QPointF(body.left() + 7, body.bottom()))
            painter.drawPath(tail)

    # ------------------------------------------------------------------ interaction

    @staticmethod
    def tooltip(notes: list[Note]) -> str:
        rows = []
        for note in notes:
            what = "Annotation" if note.kind == "annotation" else f"Memo on '{note.label}'"
            text = escape(note.text[:400]).replace("\n", "<br/>")
            who = escape(note.author or "unknown")
            rows.append(f"<b>{escape(what, quote=False)}</b> — {who}<br/>{text}")
        return "<hr/>".join(rows)

    def event(self, event: object) -> bool:
        from PySide6.QtCore import QEvent
        from PySide6.QtGui import QHelpEvent

        if isinstance(event, QHelpEvent) and event.type() == QEvent.Type.ToolTip:
            marker = self.marker_at(event.pos().y())
            if marker is not None:
                QToolTip.showText(event.globalPos(), self.tooltip(marker.notes), self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)  # type: ignore[arg-type]

    def select_note(self, note: Note) -> None:
        """Select a note's passage (a coding memo selects its coding)."""
        if note.kind == "coding":
            self.view.stripes.select_coding(note.id)
        else:
            self.view.select_cp(note.start, note.end)
        self.view.setFocus()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        marker = self.marker_at(event.position().y())
        if marker is not None and event.button() == Qt.MouseButton.LeftButton:
            self.select_note(marker.notes[0])
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        marker = self.marker_at(event.position().y())
        if marker is not None and self.edit_hook is not None:
            self.edit_hook(marker.notes[0])
        event.accept()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        marker = self.marker_at(event.pos().y())
        if marker is None or self.menu_hook is None:
            return
        menu = QMenu(self)
        self.menu_hook(menu, marker.notes)
        menu.exec(event.globalPos())
        menu.deleteLater()
