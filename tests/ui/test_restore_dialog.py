"""File → Restore from backup…, Back up now, the backup timer and the cloud-folder warning."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from coder.core import backup, settings
from coder.core.project import Project
from coder.ui.dialogs.restore_dialog import BackupTableModel, RestoreDialog, default_restore_name
from coder.ui.features import backup as backup_feature


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "study.coder"
    with Project.create(path) as p:
        p.add_document("Interview", "Ana: I trust them.")
        p.add_code("Trust")
    return path


def _backups(path: Path, n: int) -> list[Path]:
    made = []
    with Project.open(path) as p:
        for i in range(n):
            p.add_code(f"Code {i}")
            made.append(backup.backup_now(p))
    return made


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_model_lists_backups_newest_first(qtmodeltester, project_path: Path) -> None:
    made = _backups(project_path, 3)
    model = BackupTableModel(project_path)
    qtmodeltester.check(model)
    assert model.rowCount() == len(backup.list_backups(project_path)) >= 3
    assert model.index(0, 3).data() == made[-1].name
    assert model.index(0, 0).data().count(":") == 2  # a date and time
    assert model.index(0, 2).data().endswith("KB")
    empty = BackupTableModel(project_path.with_name("none.coder"))
    qtmodeltester.check(empty)
    assert empty.rowCount() == 0


def test_restore_into_a_new_file_and_never_over_an_existing_one(
    qtbot, project_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _backups(project_path, 2)
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = RestoreDialog(project_path, parent)
    qtbot.addWidget(dialog)
    errors: list[str] = []
    monkeypatch.setattr(RestoreDialog, "show_error", lambda self, message: errors.append(message))
    selected = dialog.selected()
    assert dialog.restore_button.isEnabled() and selected is not None
    assert selected.path == made[-1]
    original = _sha(project_path)

    monkeypatch.setattr(RestoreDialog, "ask_new_path", lambda self, info: project_path)
    assert dialog.restore_selected() is None
    assert errors and "already exists" in errors[-1]
    assert _sha(project_path) == original

    target = tmp_path / "restored.coder"
    monkeypatch.setattr(RestoreDialog, "ask_new_path", lambda self, info: target)
    assert dialog.restore_selected() == target
    assert dialog.result() == dialog.DialogCode.Accepted
    with Project.open(target) as r:
        assert r.find_code("Code 1")
    assert _sha(project_path) == original


def test_dialog_without_backups_says_so(qtbot, project_path: Path) -> None:
    dialog = RestoreDialog(project_path)
    qtbot.addWidget(dialog)
    assert "no backups yet" in dialog.intro.text()
    assert not dialog.restore_button.isEnabled()


def test_default_restore_name_is_free(project_path: Path) -> None:
    (made,) = _backups(project_path, 1)
    info = backup.list_backups(project_path)[-1]
    first = default_restore_name(project_path, info)
    assert first.parent == project_path.parent and "restored" in first.name and not first.exists()
    first.write_bytes(b"taken")
    assert default_restore_name(project_path, info) != first


def test_cloud_warning_is_shown_once_per_project(qtbot, tmp_path: Path) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    path = tmp_path / "Dropbox" / "study.coder"
    first = backup_feature.cloud_warning_once(parent, path)
    assert first and "Dropbox" in first
    assert backup_feature.cloud_warning_once(parent, path) is None
    assert settings.get(backup_feature.WARNED_KEY)
    other = tmp_path / "Dropbox" / "other.coder"
    assert backup_feature.cloud_warning_once(parent, other)
    assert backup_feature.cloud_warning_once(parent, tmp_path / "local.coder") is None


def test_window_backs_up_while_editing_and_on_demand(
    qtbot, project_path: Path, monkeypatch
) -> None:
    from coder.ui.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    errors: list[str] = []
    monkeypatch.setattr(win, "show_error", errors.append)
    guard = backup_feature.install(win)
    assert backup_feature.install(win) is guard
    assert win.open_project(project_path)
    settings.set_value("backup_interval_minutes", 0.0001)
    before = len(backup.list_backups(project_path))
    assert guard.tick() is None, "nothing changed since the open"
    assert win.push("Add code", lambda p: p.add_code("Fear"))
    qtbot.wait(20)
    made = guard.tick()
    assert made is not None and made.exists()
    assert len(backup.list_backups(project_path)) == before + 1
    win.trigger("file.backup_now")
    assert len(backup.list_backups(project_path)) == before + 2
    assert not errors
    win.close_project()
    assert guard.tick() is None


def test_window_offers_read_only_when_another_coder_holds_the_project(
    qtbot, project_path: Path, monkeypatch
) -> None:
    from coder.ui.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    asked: list[str] = []
    holder = Project.open(project_path)  # "another Coder" has it open for writing
    try:

        def ask_read_only(message: str) -> bool:
            asked.append(message)
            return False

        monkeypatch.setattr(win, "ask_read_only", ask_read_only)
        assert win.open_project(project_path) is False
        assert win.project is None
        assert asked and "is open in Coder by" in asked[0] and "read-only" in asked[0]
        monkeypatch.setattr(win, "ask_read_only", lambda message: True)
        assert win.open_project(project_path) is True
        assert win.project is not None and win.project.read_only
        assert "[read-only]" in win.windowTitle()
        holder.add_code("Written by the other Coder")
        win.close_project()
    finally:
        holder.close()


def test_window_warns_once_about_a_project_in_a_cloud_folder(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from coder.ui.main_window import MainWindow

    folder = tmp_path / "Dropbox" / "thesis"
    folder.mkdir(parents=True)
    path = folder / "study.coder"
    Project.create(path).close()
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "open", lambda self: shown.append(self.text()))
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.open_project(path)
    win.close_project()
    assert win.open_project(path)
    win.close_project()
    assert len(shown) == 1 and "Dropbox" in shown[0]
