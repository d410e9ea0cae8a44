"""Preferences (Edit → Preferences…) and the first-start question for the coder's name.

Settings are per user (``coder.core.settings``): ``coder_name`` (recorded on every new coding),
``backup_interval_minutes`` and ``backups_keep`` (read by ``coder.core.backup``).
"""

from __future__ import annotations

import getpass

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from coder.core import settings

CODER_NAME = "coder_name"
BACKUP_INTERVAL = "backup_interval_minutes"
BACKUPS_KEEP = "backups_keep"
DEFAULT_INTERVAL = 10
DEFAULT_KEEP = 10


def configured_coder_name() -> str:
    """The name the user chose, or "" when none was chosen yet."""
    name = settings.get(CODER_NAME)
    return name.strip() if isinstance(name, str) else ""


def _system_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # getuser raises when the system knows no user name
        return ""


def _int_setting(key: str, default: int, low: int, high: int) -> int:
    value = settings.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return max(low, min(high, int(value)))


class CoderNameDialog(QDialog):
    """Asks who is coding: the name recorded with every coding this user makes."""

    def __init__(self, parent: QWidget | None = None, name: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Your name as a coder")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Coder records who made each coding, so that a team can merge its work and "
            "measure agreement. Which name should your codings carry?"
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.name_edit = QLineEdit(name or _system_user())
        self.name_edit.setAccessibleName("Coder name")
        self.name_edit.selectAll()
        form = QFormLayout()
        form.addRow("&Name:", self.name_edit)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.name_edit.textChanged.connect(self._validate)
        self._validate()

    def _validate(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.name_edit.text().strip()))

    def name(self) -> str:
        return self.name_edit.text().strip()


def ensure_coder_name(parent: QWidget | None) -> None:
    """At start-up: ask for the coder's name when none was chosen yet, and store it.

    Cancelling keeps the fallback (the system user name) and asks again at the next start.
    """
    if configured_coder_name():
        return
    dialog = CoderNameDialog(parent)
    if dialog.exec() == QDialog.DialogCode.Accepted and dialog.name():
        settings.set_value(CODER_NAME, dialog.name())


class PreferencesDialog(QDialog):
    """Edit → Preferences…: coder name and backups."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name_edit = QLineEdit(configured_coder_name() or settings.coder_name())
        self.name_edit.setAccessibleName("Coder name")
        self.name_edit.setToolTip("Recorded with every coding you make from now on")
        form.addRow("&Coder name:", self.name_edit)
        self.interval = QSpinBox()
        self.interval.setRange(1, 24 * 60)
        self.interval.setSuffix(" min")
        self.interval.setAccessibleName("Minutes between automatic backups")
        self.interval.setValue(_int_setting(BACKUP_INTERVAL, DEFAULT_INTERVAL, 1, 24 * 60))
        form.addRow("&Back up every:", self.interval)
        self.keep = QSpinBox()
        self.keep.setRange(1, 1000)
        self.keep.setAccessibleName("Backups to keep per project")
        self.keep.setValue(_int_setting(BACKUPS_KEEP, DEFAULT_KEEP, 1, 1000))
        form.addRow("&Keep backups:", self.keep)
        layout.addLayout(form)
        note = QLabel("Codings already made keep the name they were made with.")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.name_edit.textChanged.connect(
            lambda text: self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
                bool(text.strip())
            )
        )

    def save(self) -> None:
        """Store the values in the user's settings (one write)."""
        values = settings.load()
        values[CODER_NAME] = self.name_edit.text().strip()
        values[BACKUP_INTERVAL] = self.interval.value()
        values[BACKUPS_KEEP] = self.keep.value()
        settings.save(values)

    def accept(self) -> None:
        if not self.name_edit.text().strip():
            return
        self.save()
        super().accept()
