"""The window on full disks, unwritable folders, damaged files and odd lock paths: each export
and each opening ends in one line the window shows, never a traceback, nothing left behind."""

from __future__ import annotations

import errno
import os
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coder.core.project import Project
from coder.ui.features import refi as refi_ui
from coder.ui.features import report as report_feature
from tests.ui.recording_window import RecordingWindow, project_of

TEXT = "Anna: we left in May.\nBen: and came back in June.\n"


def build(path: Path) -> Path:
    with Project.create(path) as p:
        p.add_document("Interview", TEXT)
        p.add_code("Leaving")
        p.apply_code(1, 1, 6, 13, coder="ann")
    return path


@pytest.fixture
def window(qtbot, tmp_path: Path) -> Iterator[RecordingWindow]:
    win = RecordingWindow()
    qtbot.addWidget(win)
    assert win.open_project(build(tmp_path / "study.coder"))
    yield win
    win.close_project()


def one_error(qtbot, window: RecordingWindow) -> str:
    qtbot.waitUntil(lambda: bool(window.errors), timeout=60000)
    assert len(window.errors) == 1, window.errors
    line = window.errors[0]
    assert "\n" not in line and "Traceback" not in line and "Errno" not in line, line
    return line


def exports(window: RecordingWindow, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every export of the File menu, into ``out`` (the dialogs answered as a user would)."""
    monkeypatch.setattr(report_feature, "run_dialog", lambda dialog: True)
    monkeypatch.setattr(report_feature, "ask_save_path", lambda *a: str(out))
    if out.suffix == ".docx":
        report_feature.export_report(window)
    elif out.suffix in (".csv", ".xlsx"):
        report_feature.export_quote_table(window)
    else:
        refi_ui.export_file(window, out, out.suffix.lstrip("."))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".part", "-journal")))


@pytest.mark.parametrize("name", ["out.docx", "out.xlsx", "out.qdpx"])
def test_an_export_onto_a_folder(qtbot, window, tmp_path, monkeypatch, name) -> None:
    out = tmp_path / name
    out.mkdir()
    exports(window, out, monkeypatch)
    assert one_error(qtbot, window).endswith("is a folder; give the name of a file to write")
    assert out.is_dir() and leftovers(tmp_path) == []


@pytest.mark.parametrize("name", ["out.docx", "out.xlsx", "out.qdpx"])
def test_an_export_on_a_full_disk(qtbot, window, tmp_path, monkeypatch, name) -> None:
    real_close = zipfile.ZipFile.close

    def full(self: zipfile.ZipFile) -> None:  # the zip's directory is written as it closes
        on_disk = isinstance(self.filename, str)  # not a chart zipped in memory
        writing = on_disk and self.mode != "r" and self.fp is not None
        real_close(self)
        if writing:
            raise OSError(errno.ENOSPC, "No space left on device", self.filename)

    monkeypatch.setattr(zipfile.ZipFile, "close", full)
    out = tmp_path / name
    exports(window, out, monkeypatch)
    assert one_error(qtbot, window) == f"{out} could not be written: the disk is full"
    assert not out.exists() and leftovers(tmp_path) == []


@pytest.mark.parametrize("name", ["out.docx", "out.csv", "out.qdpx"])
def test_an_export_into_a_folder_that_cannot_be_written(
    qtbot, window, tmp_path, monkeypatch, name
) -> None:
    real_mkstemp = tempfile.mkstemp

    def denied(*args: Any, **kwargs: Any) -> tuple[int, str]:
        if Path(kwargs.get("dir") or ".") != tmp_path:  # only that folder is refused
            return real_mkstemp(*args, **kwargs)
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path))

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    out = tmp_path / name
    exports(window, out, monkeypatch)
    assert one_error(qtbot, window) == f"{out} cannot be written: permission denied"


def test_opening_a_partly_overwritten_project(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "p.coder"
    with Project.create(path) as p:
        for i in range(30):
            p.add_document(f"Interview {i}", TEXT * 400)
    data = bytearray(path.read_bytes())
    for at in range(len(data) // 3, 2 * len(data) // 3, 4096 * 3):
        data[at : at + 4096] = os.urandom(4096)
    path.write_bytes(bytes(data))
    win = RecordingWindow()
    qtbot.addWidget(win)
    opened = win.open_project(path)
    if opened:  # the damage missed every page the opening reads: reading it still works
        project_of(win).documents()
        win.close_project()
        assert win.errors == []
        return
    assert len(win.errors) == 1 and "damaged" in win.errors[0], win.errors
    assert "\n" not in win.errors[0] and len(win.errors[0]) < 300, win.errors[0]
    assert win.project is None


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_lock_path_that_is_not_a_file_opens_read_only(qtbot, tmp_path, kind) -> None:
    path = build(tmp_path / "p.coder")
    where = Path(f"{path}.lock")
    where.mkdir() if kind == "folder" else os.mkfifo(where)
    win = RecordingWindow()
    qtbot.addWidget(win)
    assert win.open_project(path)
    try:
        assert project_of(win).read_only and win.errors == []
        message = win.statusBar().currentMessage()
        assert message.startswith("p.coder is open read-only: ") and "not Coder's" in message
        assert message.endswith(
            "Remove that lock file if nobody has the project open, then open it again."
        )
        assert win.mode_label.text() == "Read-only"
    finally:
        win.close_project()
    assert where.exists() and not where.is_file()  # never removed nor replaced


def test_a_planted_lock_link_opens_read_only_and_writes_nothing(qtbot, tmp_path) -> None:
    path = build(tmp_path / "p.coder")
    victim = tmp_path / "thesis.docx"
    victim.write_bytes(b"three years of work")
    Path(f"{path}.lock").symlink_to(victim)
    win = RecordingWindow()
    qtbot.addWidget(win)
    assert win.open_project(path)
    try:
        assert project_of(win).read_only
        assert "is a link" in win.statusBar().currentMessage()
    finally:
        win.close_project()
    assert victim.read_bytes() == b"three years of work"


# --------------------------------------------------------------------------- a real full disk


def fill_up(point: Path) -> Path:
    filler = point / "filler"
    with filler.open("wb", buffering=0) as f:
        while True:
            try:
                f.write(b"\0" * 4096)
            except OSError:
                break
    return filler


def test_undo_on_a_full_disk_keeps_the_step_to_try_again(qtbot, tmpfs: Path) -> None:
    """No injected error: the disk really is full when Undo is pressed."""
    from coder.ui.features import coding
    from tests.ui.recording_window import shown, stack

    path = build(tmpfs / "p.coder")
    win = RecordingWindow()
    qtbot.addWidget(win)
    assert win.open_project(path)
    try:
        leaving = project_of(win).codes()[0].id
        for start in (20, 30):
            coding.apply_code(win, leaving, passage=(shown(win), start, start + 4))
        undo_stack = stack(win)
        assert undo_stack.index() == 2 and len(project_of(win).codings()) == 3
        filler = fill_up(tmpfs)
        undo_stack.undo()
        qtbot.waitUntil(lambda: bool(win.errors) and undo_stack.index() == 2, timeout=20000)
        assert len(win.errors) == 1 and "the disk is full" in win.errors[0], win.errors
        assert len(project_of(win).codings()) == 3 and undo_stack.canUndo()
        filler.unlink()  # room again: the same undo now works
        undo_stack.undo()
        assert undo_stack.index() == 1 and len(project_of(win).codings()) == 2
    finally:
        win.close_project()
    assert sorted(p.name for p in tmpfs.iterdir()) == ["p.backups", "p.coder"]
