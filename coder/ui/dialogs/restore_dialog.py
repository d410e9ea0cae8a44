"""File → Restore from backup…: the project's backups with dates and sizes, restored into a
NEW file.

Restoring never replaces the project (or any existing file): the user chooses a new file name,
``coder.core.restore.restore`` verifies the backup and refuses an existing name.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coder.core import backup, restore
from coder.core.backup import BackupInfo
from coder.core.errors import CoderError
from coder.ui.models.table import RowsTableModel
from coder.ui.views import common

BackupRole = Qt.ItemDataRole.UserRole
_Index = QModelIndex | QPersistentModelIndex


def human_size(n: int) -> str:
    value = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} bytes"


def human_age(created: _dt.datetime, now: _dt.datetime | None = None) -> str:
    now = now or _dt.datetime.now()
    seconds = (now - created).total_seconds()
    if seconds < 90:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} minutes ago"
    if seconds < 86400:
        hours = int(seconds // 3600)
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    days = int(seconds // 86400)
    return f"{days} day{'s' if days != 1 else ''} ago"


class BackupTableModel(RowsTableModel):
    """The backups of one project, newest first: created, age, size, file name."""

    HEADERS = ("Created", "Age", "Size", "File")

    def __init__(self, project_path: Path | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.project_path = project_path
        self.refresh()

    @property
    def backups(self) -> list[BackupInfo]:
        """Newest first."""
        return self._rows

    def refresh(self) -> None:
        found = backup.list_backups(self.project_path) if self.project_path else []
        self.set_rows(reversed(found))

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.backups)):
            return None
        info = self.backups[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                f"{info.created:%Y-%m-%d %H:%M:%S}",
                human_age(info.created),
                human_size(info.size),
                info.path.name,
            )[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(info.path)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == BackupRole:
            return info
        return None


def default_restore_name(project_path: Path, info: BackupInfo) -> Path:
    """A free name beside the project: "Study (restored 2026-03-01 1042).coder"."""
    base = f"{project_path.stem} (restored {info.created:%Y-%m-%d %H%M})"
    candidate = project_path.with_name(base + project_path.suffix)
    n = 2
    while candidate.exists():
        candidate = project_path.with_name(f"{base} {n}{project_path.suffix}")
        n += 1
    return candidate


class RestoreDialog(QDialog):
    """Lists a project's backups; Restore… copies the chosen one into a new project file."""

    def __init__(self, project_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project_path = Path(project_path)
        self.restored: Path | None = None
        self.setWindowTitle(f"Restore {self.project_path.name} from a backup")
        common.fit_to_screen(self, 640, 380)
        layout = QVBoxLayout(self)
        self.model = BackupTableModel(self.project_path, self)
        folder = backup.backup_folder(self.project_path, create=False)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if self.model.rowCount():
            self.intro.setText(
                f"Backups of {self.project_path.name} (newest first), kept in {folder}. "
                "A backup is restored into a new project file; the project itself is not changed."
            )
        else:
            self.intro.setText(
                f"{self.project_path.name} has no backups yet. Coder makes one when a changed "
                f"project is opened and every few minutes while you work, in {folder}."
            )
        layout.addWidget(self.intro)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAccessibleName("Backups")
        self.table.doubleClicked.connect(lambda _index: self.restore_selected())
        layout.addWidget(self.table)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.restore_button = QPushButton("&Restore into a new file…")
        self.buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.folder_button = QPushButton("Show &folder")
        self.buttons.addButton(self.folder_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        self.restore_button.clicked.connect(self.restore_selected)
        self.folder_button.clicked.connect(self.show_folder)
        self.folder_button.setEnabled(folder.is_dir())
        layout.addWidget(self.buttons)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        if self.model.rowCount():
            self.table.selectRow(0)
        self._update_buttons()

    def selected(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.data(rows[0], BackupRole) if rows else None

    def _update_buttons(self, *_args: Any) -> None:
        self.restore_button.setEnabled(self.selected() is not None)

    def ask_new_path(self, info: BackupInfo) -> Path | None:
        """The new file's name (the file dialog; tests replace this method)."""
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Restore into a new project file",
            str(default_restore_name(self.project_path, info)),
            "Coder projects (*.coder)",
        )
        if not path:
            return None
        if not path.lower().endswith(".coder"):
            path += ".coder"
        return Path(path)

    def show_error(self, message: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.warning(self, "Restore from backup", message)

    def restore_selected(self) -> Path | None:
        info = self.selected()
        if info is None:
            return None
        new_path = self.ask_new_path(info)
        if new_path is None:
            return None
        if new_path.resolve() == self.project_path.resolve() or new_path.exists():
            self.show_error(
                f"{new_path.name} already exists. Choose a new file name: restoring "
                "never replaces an existing file."
            )
            return None
        try:
            self.restored = restore.restore(info.path, new_path)
        except CoderError as e:
            self.show_error(str(e))
            self.model.refresh()
            return None
        self.accept()
        return self.restored

    def show_folder(self) -> None:
        folder = backup.backup_folder(self.project_path, create=False)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
