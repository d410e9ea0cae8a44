"""The code editor: name, colour, definition, inclusion and exclusion criteria, example, memo."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coder.core.model import Code
from coder.ui.views import common

TEXT_FIELDS = (
    (
        "definition",
        "&Definition",
        "What the code means, so that every coder applies it the same way",
    ),
    ("inclusion", "&Include when", "Inclusion criteria: when to apply the code"),
    (
        "exclusion",
        "E&xclude when",
        "Exclusion criteria: when not to apply it (and which code to use instead)",
    ),
    ("example", "Typical e&xample", "A typical passage for this code"),
    ("memo", "&Memo", "Notes about the code"),
)
FIELDS = ("name", "color") + tuple(f for f, _l, _t in TEXT_FIELDS)


class ColorButton(QPushButton):
    """A button showing a colour; clicking it opens the colour chooser."""

    def __init__(self, color: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Code colour")
        self.clicked.connect(self.choose)
        self.set_color(color)

    def color(self) -> str:
        return self._color

    def set_color(self, color: str) -> None:
        self._color = QColor(color).name().upper()
        self.setText(self._color)
        qc = QColor(self._color)
        text = "#000000" if qc.lightnessF() > 0.55 else "#FFFFFF"
        self.setStyleSheet(
            f"QPushButton {{ background: {self._color}; color: {text}; padding: 4px 12px; }}"
        )

    def choose(self) -> None:
        chosen = QColorDialog.getColor(QColor(self._color), self, "Code colour")
        if chosen.isValid():
            self.set_color(chosen.name())


class CodeEditorDialog(QDialog):
    """Edit (or create, with ``code=None``) one code; :meth:`changed_fields` lists the edits."""

    def __init__(
        self, code: Code | None, parent: QWidget | None = None, color: str = "#4E79A7"
    ) -> None:
        super().__init__(parent)
        self._code = code
        self.setWindowTitle(f"Edit code '{code.name}'" if code else "New code")
        self.setAccessibleName(self.windowTitle())
        self.name = QLineEdit(code.name if code else "")
        self.name.setAccessibleName("Code name")
        self.color = ColorButton(code.color if code else color)
        self.texts: dict[str, QPlainTextEdit] = {}
        form = QFormLayout()
        form.addRow("&Name", self.name)
        form.addRow("&Colour", self.color)
        for field, label, tip in TEXT_FIELDS:
            edit = QPlainTextEdit(getattr(code, field) if code else "")
            edit.setAccessibleName(label.replace("&", ""))
            edit.setToolTip(tip)
            edit.setPlaceholderText(tip)
            edit.setTabChangesFocus(True)
            edit.setMinimumHeight(54 if field != "definition" else 80)
            self.texts[field] = edit
            form.addRow(label, edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        common.fit_to_screen(self, 520, 560)
        self.name.setFocus()

    def values(self) -> dict[str, str]:
        out = {"name": " ".join(self.name.text().split()), "color": self.color.color()}
        for field, edit in self.texts.items():
            out[field] = edit.toPlainText().strip() if field != "memo" else edit.toPlainText()
        return out

    def changed_fields(self) -> dict[str, Any]:
        """The fields whose value differs from the code's (all fields for a new code)."""
        values = self.values()
        if self._code is None:
            return values
        return {k: v for k, v in values.items() if getattr(self._code, k) != v}

    def _accept(self) -> None:
        if not self.values()["name"]:
            self.name.setFocus()
            self.name.setPlaceholderText("A code needs a name")
            pal = self.name.palette()
            pal.setColor(QPalette.ColorRole.PlaceholderText, QColor("#C0392B"))
            self.name.setPalette(pal)
            return
        self.accept()
