"""A dialog to write a note (a memo, an annotation): wrapped lines, room to write, Ctrl+Enter
to accept."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from coder.ui.views import common


class NoteDialog(QDialog):
    def __init__(self, parent: QWidget | None, title: str, label: str, text: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        caption = QLabel(label)
        caption.setWordWrap(True)
        self.edit = QPlainTextEdit(text)
        self.edit.setAccessibleName(title)
        self.edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.edit.setTabChangesFocus(True)
        caption.setBuddy(self.edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(caption)
        layout.addWidget(self.edit, 1)
        layout.addWidget(buttons)
        common.fit_to_screen(self, 520, 300)
        self.edit.setFocus()

    def text(self) -> str:
        return self.edit.toPlainText()


def ask_note(parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
    """The note written, or None when cancelled."""
    dialog = NoteDialog(parent, title, label, text)
    return dialog.text() if dialog.exec() == QDialog.DialogCode.Accepted else None
