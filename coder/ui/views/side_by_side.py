"""Two coders' codings of one code side by side, around a passage where they disagree (opened
from the agreement window's list of disagreeing passages)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from coder.core.intercoder import Disagreement
from coder.core.project import Project
from coder.core.text import PositionMap
from coder.ui.views import common


def _tint(color: str) -> QColor:
    c = QColor(color)
    if not c.isValid():
        c = QColor("#4E79A7")
    c.setAlpha(90)
    return c


class SideBySideDialog(QDialog):
    """Each coder's codings of one code around a passage, in read-only panes side by side."""

    CONTEXT = 600  # characters shown before and after the passage

    def __init__(
        self,
        parent: QWidget | None,
        project: Project,
        coders: list[str],
        code_id: int,
        disagreement: Disagreement,
    ) -> None:
        super().__init__(parent)
        code = project.code(code_id)
        self.disagreement = disagreement
        self.setWindowTitle(f"{code.path} in {disagreement.document}: codings side by side")
        common.fit_to_screen(self, 1000, 600)
        text = project.document_text(disagreement.document_id)
        lo = max(0, disagreement.start - self.CONTEXT)
        hi = min(len(text), disagreement.end + self.CONTEXT)
        # widen to whole lines so the excerpt reads naturally
        lo = text.rfind("\n", 0, lo) + 1 if lo > 0 else 0
        nl = text.find("\n", hi)
        hi = len(text) if nl < 0 else nl
        excerpt = text[lo:hi]
        layout = QVBoxLayout(self)
        head = QLabel(
            f"Passage {disagreement.start}–{disagreement.end} of {disagreement.document}. "
            f"Coded with {code.path} by {', '.join(disagreement.coded_by) or 'nobody'}; "
            f"not by {', '.join(disagreement.not_coded_by) or 'nobody'}."
        )
        head.setWordWrap(True)
        layout.addWidget(head)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.panes: dict[str, QPlainTextEdit] = {}
        self.spans: dict[str, list[tuple[int, int]]] = {}
        by_coder = {c.id: c.name for c in project.coders()}
        for name in coders:
            coder_id = next((i for i, n in by_coder.items() if n == name), None)
            spans = [
                (g.start, g.end)
                for g in project.codings(
                    document_id=disagreement.document_id,
                    code_ids=[code_id],
                    coder_ids=[coder_id] if coder_id is not None else [],
                )
                if g.end > lo and g.start < hi
            ]
            box, pane = self._pane(name, excerpt, spans, lo, hi, code.color)
            splitter.addWidget(box)
            self.panes[name] = pane
            self.spans[name] = spans
        layout.addWidget(splitter, 1)
        # The panes hold the same text: scrolling one scrolls the others.
        bars = [pane.verticalScrollBar() for pane in self.panes.values()]
        for bar in bars:
            for other in bars:
                if other is not bar:
                    bar.valueChanged.connect(other.setValue)
        row = QHBoxLayout()
        row.addStretch(1)
        self.compare_button = QPushButton("Show in the &Main Window")
        self.compare_button.setToolTip("Open the passage in the workbench, comparing the coders")
        row.addWidget(self.compare_button)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        row.addWidget(close)
        layout.addLayout(row)

    def _pane(
        self, name: str, excerpt: str, spans: list[tuple[int, int]], lo: int, hi: int, color: str
    ) -> tuple[QWidget, QPlainTextEdit]:
        """One coder's read-only pane: their codings tinted, the passage underlined."""
        disagreement = self.disagreement
        pm = PositionMap(excerpt)
        box = QWidget()
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel(f"{name}: {len(spans)} coding{'s' if len(spans) != 1 else ''} here")
        box_layout.addWidget(label)
        pane = QPlainTextEdit()
        pane.setReadOnly(True)
        pane.setPlainText(excerpt)
        pane.setAccessibleName(f"Codings of {name}")
        selections = []
        for start, end in spans:
            sel = QTextEdit.ExtraSelection()
            cursor = QTextCursor(pane.document())
            cursor.setPosition(pm.to_utf16(max(start, lo) - lo))
            cursor.setPosition(pm.to_utf16(min(end, hi) - lo), QTextCursor.MoveMode.KeepAnchor)
            fmt_ = QTextCharFormat()
            fmt_.setBackground(_tint(color))
            sel.cursor, sel.format = cursor, fmt_
            selections.append(sel)
        passage = QTextEdit.ExtraSelection()
        cursor = QTextCursor(pane.document())
        cursor.setPosition(pm.to_utf16(disagreement.start - lo))
        cursor.setPosition(pm.to_utf16(disagreement.end - lo), QTextCursor.MoveMode.KeepAnchor)
        outline = QTextCharFormat()
        outline.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        outline.setUnderlineColor(QColor("#D62728"))
        passage.cursor, passage.format = cursor, outline
        selections.append(passage)
        pane.setExtraSelections(selections)
        show = QTextCursor(pane.document())
        show.setPosition(pm.to_utf16(disagreement.start - lo))
        pane.setTextCursor(show)
        pane.centerCursor()
        box_layout.addWidget(pane, 1)
        return box, pane
