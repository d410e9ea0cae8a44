"""Backups in the window: File → Back up now / Restore from backup…, the periodic backup timer,
and the one-time warning for projects kept in a cloud-sync or network folder.

The main window calls :func:`install` once; from then on every project it opens gets a
backup every ``backup_interval_minutes`` of editing (``coder.core.backup.maybe_backup``), and
the cloud/network warning the first time that project is opened.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from coder.core import backup, settings
from coder.core.errors import CoderError
from coder.core.lock import cloud_warning
from coder.ui.actions import action

if TYPE_CHECKING:
    from coder.ui.main_window import MainWindow

WARNED_KEY = "cloud_warning_shown"
CHECK_EVERY_MS = 60_000  # how often the timer asks; a backup is made only after the interval


@action(
    "file.backup_now",
    "File",
    "&Back up now",
    enabled_when="project",
    order=840,
    status_tip="Save a verified copy of the project in its backups folder",
)
def backup_now(window: MainWindow) -> None:
    project = window.project
    if project is None:
        return
    try:
        path = backup.backup_now(project)
    except CoderError as e:
        window.show_error(str(e))
        return
    window.statusBar().showMessage(f"Backup saved: {path}", 8000)


@action(
    "file.restore_backup",
    "File",
    "&Restore from backup…",
    enabled_when="always",
    order=850,
    status_tip="Copy one of the project's backups into a new project file",
)
def restore_from_backup(window: MainWindow) -> None:
    from coder.ui.dialogs.restore_dialog import RestoreDialog

    if window.project is not None:
        project_path = window.project.path
    else:
        chosen, _ = QFileDialog.getOpenFileName(
            window, "Which project's backups?", str(Path.home()), "Coder projects (*.coder)"
        )
        if not chosen:
            return
        project_path = Path(chosen)
    dialog = RestoreDialog(project_path, window)
    if dialog.exec() and dialog.restored is not None:
        restored = dialog.restored
        if window.confirm(f"Restored into {restored}. Open it now?", yes="Open"):
            window.open_project(restored)


def cloud_warning_once(parent: QWidget, path: Path) -> str | None:
    """Warn (once per project file) about a project in a cloud-sync or network folder."""
    message = cloud_warning(path)
    if message is None:
        return None
    key = os.path.normcase(os.path.abspath(path))
    shown = settings.get(WARNED_KEY, [])
    shown = [p for p in shown if isinstance(p, str)] if isinstance(shown, list) else []
    if key in shown:
        return None
    settings.set_value(WARNED_KEY, [*shown, key][-200:])
    box = QMessageBox(
        QMessageBox.Icon.Warning, "Project in a synced or network folder", message, parent=parent
    )
    box.open()  # not modal-blocking: the project is already open and usable
    return message


class BackupGuard(QObject):
    """Backs up the window's project while it is edited; warns about risky folders once."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.tick)
        self.timer.start()
        self._reported: str | None = None
        window.projectChanged.connect(self.on_project_changed)

    def on_project_changed(self) -> None:
        project = self.window.project
        self._reported = None
        if project is None:
            return
        cloud_warning_once(self.window, project.path)
        problem = backup.last_error(project)
        if problem:
            self.report(problem)

    def tick(self) -> Path | None:
        project = self.window.project
        if project is None or project.read_only:
            return None
        try:
            made = backup.maybe_backup(project)
        except CoderError as e:
            self.report(str(e))
            return None
        if made is not None:
            self._reported = None
        return made

    def report(self, message: str) -> None:
        """Show a backup problem once (not every minute) in the status bar and a dialog."""
        if message == self._reported:
            return
        self._reported = message
        self.window.statusBar().showMessage(f"Backup failed: {message}")
        self.window.show_error(f"The automatic backup failed: {message}")


def install(window: MainWindow) -> BackupGuard:
    """Start the periodic backups and the cloud-folder warning for this window."""
    guard: BackupGuard | None = getattr(window, "backup_guard", None)
    if guard is None:
        guard = BackupGuard(window)
        if window.project is not None:
            guard.on_project_changed()
    return guard
