"""Ctrl+F: the find bar under the document view."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from coder.ui.views.announce import LaterAnnouncer
from coder.ui.views.document_view import DocumentView


class FindBar(QWidget):
    """Ctrl+F: find in the shown document (case-insensitive), with a match count."""

    def __init__(self, view: DocumentView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.setObjectName("findBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        label = QLabel("&Find:")
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("Find in document (Enter: next, Shift+Enter: previous)")
        self.edit.setAccessibleName("Find in document")
        self.edit.setClearButtonEnabled(True)
        label.setBuddy(self.edit)
        self.count = QLabel("")
        self.count.setAccessibleName("Matches")
        self.say_count = LaterAnnouncer(self, self.count_words)
        self.count.setMinimumWidth(90)
        prev_button = QToolButton()
        prev_button.setText("Previous")
        prev_button.setAccessibleName("Previous match")
        prev_button.setToolTip("Previous match (Shift+Enter, Shift+F3)")
        next_button = QToolButton()
        next_button.setText("Next")
        next_button.setAccessibleName("Next match")
        next_button.setToolTip("Next match (Enter, F3)")
        close_button = QToolButton()
        close_button.setText("✕")
        close_button.setAccessibleName("Close find bar")
        close_button.setToolTip("Close (Escape)")
        for w in (label, self.edit, self.count, prev_button, next_button, close_button):
            layout.addWidget(w)
        layout.setStretch(1, 1)
        self.edit.textChanged.connect(self.search)
        self.edit.installEventFilter(self)
        prev_button.clicked.connect(lambda: self.step(False))
        next_button.clicked.connect(lambda: self.step(True))
        close_button.clicked.connect(self.close_bar)
        self.hide()

    def open_bar(self) -> None:
        self.show()
        c = self.view.textCursor()
        if c.hasSelection() and "\u2029" not in c.selectedText() and len(c.selectedText()) < 80:
            self.edit.setText(c.selectedText())
        self.edit.setFocus()
        self.edit.selectAll()
        self.search(self.edit.text())

    def close_bar(self) -> None:
        self.hide()
        self.view.find_all("")
        self.view.setFocus()

    def search(self, needle: str) -> None:
        n = self.view.find_all(needle)
        self._show_count(-1, n)
        if n:
            self.step(True, from_start=True)

    def step(self, forward: bool, from_start: bool = False) -> None:
        if from_start:
            c = self.view.textCursor()
            c.setPosition(c.selectionStart())
            self.view.setTextCursor(c)
        i = self.view.find_step(forward)
        self._show_count(i, len(self.view.find_matches))

    def _show_count(self, i: int, n: int) -> None:
        if not self.edit.text():
            self.count.setText("")
        elif n == 0:
            self.count.setText("No matches")
        else:
            self.count.setText(f"{i + 1} of {n}" if i >= 0 else f"{n} matches")
        if self.edit.text():
            self.say_count.start()  # said once typing pauses

    def count_words(self) -> str:
        """The count as a screen reader says it: "Match 2 of 5 for 'leaders'"."""
        text, needle = self.count.text(), self.edit.text()
        if not text:
            return ""
        if " of " in text:
            text = f"Match {text}"
        return f"{text} for '{needle}'"

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
        ):
            if event.key() == Qt.Key.Key_Escape:
                self.close_bar()
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.step(not event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                return True
        return super().eventFilter(watched, event)
