"""Full disks, read-only media, planted lock files, damaged pages, terminals and SIGTERM: one line
each, never a traceback, nothing left behind.

Where a test needs a real read-only or full file system it mounts a small tmpfs (only root can,
so CI as another user skips those); every case is also covered by injecting the error.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from coder.core import lock, projectfile
from coder.core.errors import CoderError, ProjectNotWritable
from coder.core.project import Project
from tests.cli.helpers import ok, run, user_error

TEXT = "Anna: we left in May.\nBen: and came back in June.\nAnna: yes.\nBen: no.\n"
LITTER = ("-wal", "-shm", "-journal", ".lock")


def build(path: Path) -> Path:
    with Project.create(path) as p:
        p.add_document("Interview", TEXT)
        p.add_code("Leaving")
        p.apply_code(1, 1, 6, 13, coder="ann")
    return path


def litter(folder: Path) -> list[str]:
    """Files Coder may leave only while it runs: -wal/-shm/-journal, locks, .part files."""
    return sorted(
        p.name
        for p in folder.rglob("*")
        if p.name.endswith(LITTER) or p.name.endswith((".part", ".tmp"))
    )


def main_line(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run the command line in this process (so injected errors apply): exit 1, one line."""
    from coder.cli import main

    code = main(list(argv))
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


# --------------------------------------------------------------------------- a tmpfs


def remount_read_only(point: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(point)], check=True)


def fill(point: Path, leave: int) -> None:
    """Fill the file system until about ``leave`` bytes are free."""
    with (point / "filler").open("wb") as f:
        while True:
            free = os.statvfs(point).f_bavail * os.statvfs(point).f_frsize
            if free <= leave:
                break
            try:
                f.write(b"\0" * min(65536, free - leave))
                f.flush()
            except OSError:
                break


# --------------------------------------------------------------------------- the lock file


def test_a_planted_lock_link_is_never_followed(tmp_path: Path) -> None:
    path = build(tmp_path / "p.coder")
    victim = tmp_path / "thesis.docx"
    victim.write_bytes(b"three years of work")
    Path(f"{path}.lock").symlink_to(victim)
    with pytest.raises(ProjectNotWritable, match="lock file p.coder.lock is a link"):
        Project.open(path)
    assert victim.read_bytes() == b"three years of work"
    line = user_error("code", "add", str(path), "Other")
    assert "is a link, not Coder's" in line
    assert victim.read_bytes() == b"three years of work"
    with Project.open(path, read_only=True) as p:  # reading takes no lock
        assert len(p.codings()) == 1


def test_a_dangling_lock_link_creates_nothing(tmp_path: Path) -> None:
    path = build(tmp_path / "p.coder")
    target = tmp_path / "elsewhere" / "created.txt"
    target.parent.mkdir()
    Path(f"{path}.lock").symlink_to(target)
    assert "is a link" in user_error("code", "add", str(path), "Other")
    assert not target.exists()


def test_coder_new_never_follows_a_dangling_link(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.coder"
    link = tmp_path / "new.coder"
    link.symlink_to(target)
    line = user_error("new", str(link))
    assert "already exists (a link to" in line
    assert not target.exists() and not Path(f"{target}-wal").exists()


def test_a_link_planted_while_a_project_is_created_is_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The link appears after Coder looked (a race on a shared folder): still not followed."""
    from coder.core.errors import InvalidValue

    target = tmp_path / "elsewhere.coder"
    link = tmp_path / "new.coder"
    link.symlink_to(target)
    monkeypatch.setattr(os.path, "lexists", lambda p: False)  # looked before it was planted
    with pytest.raises(InvalidValue, match="already exists"):
        Project.create(link)
    assert not target.exists() and link.is_symlink() and litter(tmp_path) == []


@pytest.mark.parametrize("kind", ["folder", "fifo", "device"])
def test_a_lock_path_that_is_not_a_file(tmp_path: Path, kind: str) -> None:
    path = build(tmp_path / "p.coder")
    where = Path(f"{path}.lock")
    if kind == "folder":
        where.mkdir()
    elif kind == "fifo":
        os.mkfifo(where)
    else:
        if os.geteuid() != 0:
            pytest.skip("creating a device node needs root")
        os.mknod(where, 0o600 | 0o020000, os.makedev(1, 3))  # like /dev/null
    line = user_error("code", "add", str(path), "Other")  # no hang on a pipe
    assert "is not a regular file, not Coder's" in line
    assert ok("codings", str(path)).stdout  # reading is fine


def test_reading_a_lock_never_blocks_on_a_pipe(tmp_path: Path) -> None:
    path = build(tmp_path / "p.coder")
    os.mkfifo(f"{path}.lock")
    assert lock.read_lock(path) is None


# --------------------------------------------------------------------------- read-only media


def test_read_only_media_read_export_report_and_restore(tmpfs: Path, tmp_path: Path) -> None:
    path = build(tmpfs / "p.coder")
    ok("backup", str(path))
    backup = next((tmpfs / "p.backups").glob("*.coder"))
    remount_read_only(tmpfs)
    for argv in (
        ["documents", str(path)], ["codings", str(path), "--json"], ["code", "list", str(path)],
        ["search", str(path), "June"], ["stats", str(path)], ["cases", "list", str(path)],
        ["backups", str(path)], ["export", str(path), str(tmp_path / "out.qdpx")],
        ["export", str(path), str(tmp_path / "out.csv")],
        ["report", str(path), "-o", str(tmp_path / "out.docx")],
        ["restore", str(backup), "-o", str(tmp_path / "restored.coder")],
    ):  # fmt: skip
        result = run(*argv)
        assert result.returncode == 0, (argv, result.stderr)
    assert json.loads(ok("codings", str(path), "--json").stdout)[0]["text"] == "we left"
    line = user_error("code", "add", str(path), "Other")
    assert line == (
        f"coder: error: p.coder cannot be changed: its folder {tmpfs} is on a read-only disk "
        "(open it read-only, or copy it to a folder you can write)"
    )
    assert "read-only disk" in user_error("import", str(path), str(tmp_path / "out.csv"))
    assert sorted(p.name for p in tmpfs.iterdir()) == ["p.backups", "p.coder"]


def test_a_folder_that_cannot_be_written_is_read_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No -wal or -shm is created beside a project that cannot be written (SQLite's
    immutable mode); before, reading such a project failed or left them behind."""
    path = build(tmp_path / "p.coder")
    monkeypatch.setattr(projectfile, "_writable", lambda p: False)
    with Project.open(path, read_only=True) as p:
        assert [c.start for c in p.codings()] == [6]
        assert litter(tmp_path) == []
    assert litter(tmp_path) == []


def test_changes_still_in_a_wal_are_read_where_they_can_be(tmp_path: Path) -> None:
    path = build(tmp_path / "p.coder")
    writer = Project.open(path)  # holds changes in its WAL while open
    writer.add_code("Returning")
    try:
        with Project.open(path, read_only=True) as p:
            assert {c.name for c in p.codes()} == {"Leaving", "Returning"}
    finally:
        writer.close()


def test_a_lock_that_cannot_be_written_opens_the_window_read_only(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coder.ui.main_window import MainWindow

    path = build(tmp_path / "p.coder")

    real_open = os.open

    def read_only_disk(file: Any, *args: Any, **kwargs: Any) -> int:
        if str(file) != f"{path}.lock":  # only the lock beside the project is refused
            return real_open(file, *args, **kwargs)
        raise OSError(errno.EROFS, "Read-only file system", f"{path}.lock")

    monkeypatch.setattr(lock.os, "open", read_only_disk)
    window = MainWindow()
    qtbot.addWidget(window)
    assert window.open_project(path)
    assert window.project is not None and window.project.read_only
    message = window.statusBar().currentMessage()
    assert (
        message.startswith("p.coder is open read-only: its folder") and "read-only disk" in message
    )
    assert window.mode_label.text() == "Read-only"
    window.close_project()


# --------------------------------------------------------------------------- full disks


def test_a_nearly_full_disk(tmpfs: Path, tmp_path: Path) -> None:
    """16 KB free: reading works, writing and exporting there say so in one line, and
    nothing is left behind (before: tracebacks, a 0-byte lock, -wal and -shm)."""
    import random
    import string

    path = build(tmp_path / "p.coder")
    rng = random.Random(7)
    with Project.open(path) as p:  # text that does not compress: every export needs room
        p.add_document("Random", "".join(rng.choices(string.ascii_letters + " ", k=80_000)))
    (tmpfs / "p.coder").write_bytes(path.read_bytes())
    path = tmpfs / "p.coder"
    fill(tmpfs, 16 * 1024)
    assert json.loads(ok("codings", str(path), "--json").stdout)[0]["text"] == "we left"
    assert "we left" in ok("codings", str(path)).stdout
    line = user_error("code", "add", str(path), "Other")
    assert "disk" in line and "full" in line or "could not be written" in line, line
    for out in ("out.docx", "out.qdpx"):
        line = user_error("export", str(path), str(tmpfs / out))
        assert "full" in line or "could not be written" in line, line
    assert litter(tmpfs) == []


def test_a_new_project_on_a_full_disk(tmpfs: Path) -> None:
    """From no room at all to a few pages: one line naming the file, nothing left behind."""
    for leave in (0, 8 * 1024, 16 * 1024, 48 * 1024):
        (tmpfs / "filler").unlink(missing_ok=True)
        fill(tmpfs, leave)
        line = user_error("new", str(tmpfs / "n.coder"))
        assert line.startswith(f"coder: error: {tmpfs / 'n.coder'} cannot be created: "), line
        assert sorted(p.name for p in tmpfs.iterdir()) == ["filler"]


def test_a_restore_onto_a_full_disk(tmpfs: Path, tmp_path: Path) -> None:
    path = build(tmp_path / "p.coder")
    backup = Path(ok("backup", str(path)).stdout.strip())
    fill(tmpfs, 40 * 1024)
    line = user_error("restore", str(backup), "-o", str(tmpfs / "r.coder"))
    assert line.startswith(f"coder: error: {tmpfs / 'r.coder'} cannot be written: the disk is full")
    assert sorted(p.name for p in tmpfs.iterdir()) == ["filler"]


def test_the_lock_on_a_full_disk_leaves_no_empty_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = build(tmp_path / "p.coder")

    def full(fd: int, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(lock, "_write_fd", full)
    with pytest.raises(ProjectNotWritable, match="the disk holding .* is full"):
        Project.open(path)
    assert litter(tmp_path) == []


def test_an_export_on_a_full_disk_is_one_line_and_leaves_no_part_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import zipfile

    path = build(tmp_path / "p.coder")
    real_close = zipfile.ZipFile.close

    def full(self: zipfile.ZipFile) -> None:  # the zip's directory is written when it closes
        name = self.filename if isinstance(self.filename, str) else ""
        writing = self.mode != "r" and self.fp is not None and name.startswith(str(tmp_path))
        real_close(self)
        if writing:
            raise OSError(errno.ENOSPC, "No space left on device", self.filename)

    monkeypatch.setattr(zipfile.ZipFile, "close", full)
    for out in ("out.docx", "out.qdpx", "out.xlsx"):
        line = main_line(capsys, "export", str(path), str(tmp_path / out))
        assert line == f"coder: error: {tmp_path / out} could not be written: the disk is full"
    assert litter(tmp_path) == [] and not list(tmp_path.glob("out.*"))


# --------------------------------------------------------------------------- odd paths


def test_an_output_that_is_a_folder(tmp_path: Path) -> None:
    path = build(tmp_path / "p.coder")
    for name in ("out.docx", "out.qdpx", "out.csv"):
        (tmp_path / name).mkdir()
        line = user_error("export", str(path), str(tmp_path / name))
        assert line.endswith(f"{tmp_path / name} is a folder; give the name of a file to write")
    line = user_error("report", str(path), "-o", str(tmp_path / "out.docx"))
    assert "is a folder" in line


def test_an_output_folder_that_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import tempfile

    path = build(tmp_path / "p.coder")

    real_mkstemp = tempfile.mkstemp

    def denied(*args: Any, **kwargs: Any) -> tuple[int, str]:
        if Path(kwargs.get("dir") or ".") != tmp_path:  # only that folder is refused
            return real_mkstemp(*args, **kwargs)
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path))

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    for out in ("out.docx", "out.qdpx", "out.csv"):
        line = main_line(capsys, "export", str(path), str(tmp_path / out))
        assert line == f"coder: error: {tmp_path / out} cannot be written: permission denied"


def test_a_partly_overwritten_project(tmp_path: Path) -> None:
    """Garbage over pages in the middle of the file (the header intact): reading it, exporting
    it and listing its codings each end in one line."""
    path = tmp_path / "p.coder"
    with Project.create(path) as p:
        for i in range(30):
            p.add_document(f"Interview {i}", TEXT * 200)
        p.add_code("Leaving")
        for doc in range(1, 31):
            p.apply_code(doc, 1, 6, 13, coder="ann")
    data = bytearray(path.read_bytes())
    page = 4096
    for at in range(len(data) // 3, 2 * len(data) // 3, page * 3):
        data[at : at + page] = os.urandom(page)
    path.write_bytes(bytes(data))
    for argv in (["codings", str(path)], ["export", str(path), str(tmp_path / "o.docx")],
                 ["search", str(path), "June"], ["documents", str(path), "--json"],
                 ["code", "add", str(path), "Other"]):  # fmt: skip
        result = run(*argv)
        lines = result.stderr.strip().splitlines()
        assert result.returncode in (0, 1) and "Traceback" not in result.stderr, result.stderr
        if result.returncode == 1:
            assert len(lines) == 1 and "damaged" in lines[0] and "backups" in lines[0], lines


# --------------------------------------------------------------------------- SIGTERM


def wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_sigterm_during_an_import_closes_the_project(tmp_path: Path) -> None:
    path = build(tmp_path / "p.coder")
    big = tmp_path / "big.txt"
    big.write_text(TEXT * 150_000, encoding="utf-8")  # a few seconds of work
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "coder", "import", str(path), str(big)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    wait_for(lambda: Path(f"{path}.lock").exists() or proc.poll() is not None)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=120)
    if proc.returncode == 0:
        pytest.skip("the import finished before the signal arrived")
    assert proc.returncode == 143, err
    assert err.strip() == "coder: stopped (terminated); the project was closed"
    assert litter(tmp_path) == []
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


def test_sigterm_closes_the_window_and_its_project(tmp_path: Path) -> None:
    from coder.core import settings

    settings.set_value("coder_name", "ann")  # no first-start question
    path = build(tmp_path / "p.coder")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen([sys.executable, "-m", "coder", str(path)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    try:
        wait_for(lambda: Path(f"{path}.lock").exists() or proc.poll() is not None)
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert litter(tmp_path) == []


# --------------------------------------------------------------------------- terminals


ESCAPES = "\x1b]0;owned\x07\x1b[2J\x9b31m"


def test_control_characters_are_escaped_on_a_terminal_and_exact_in_json(tmp_path: Path) -> None:
    path = tmp_path / "p.coder"
    with Project.create(path) as p:
        p.add_document("Notes", f"plain {ESCAPES} text\nmore text\n")
        p.add_code(f"Evil{ESCAPES}")
        p.apply_code(1, 1, 0, 20, coder="ann")
    for argv in (["code", "list", str(path)], ["codings", str(path)],
                 ["search", str(path), "plain"], ["documents", str(path)]):  # fmt: skip
        out = ok(*argv).stdout
        assert not any(ch in out for ch in "\x1b\x07\x9b"), (argv, out)
    assert "Evil\\u001b]0;owned\\u0007" in ok("code", "list", str(path)).stdout
    names = [c["name"] for c in json.loads(ok("code", "list", str(path), "--json").stdout)]
    assert names == [f"Evil{ESCAPES}"]
    texts = json.loads(ok("codings", str(path), "--json").stdout)
    assert texts[0]["text"] == f"plain {ESCAPES} text"[:20]
    line = user_error("codings", str(path), "--code", f"x{ESCAPES}")
    assert "\x1b" not in line and "\\u001b" in line


# --------------------------------------------------------------------------- messages


def test_a_path_shared_by_a_name_with_a_slash_is_ambiguous(tmp_path: Path) -> None:
    path = tmp_path / "p.coder"
    with Project.create(path) as p:
        x = p.add_code("x").created("codes")[0]
        p.add_code("y", parent_id=x)
        p.add_code("x/y")
    line = user_error("codings", str(path), "--code", "x/y")
    assert line == (
        "coder: error: code path 'x/y' is ambiguous: it names 'y' under 'x' and 'x/y'; "
        "rename the code whose name contains '/'"
    )


def test_merging_a_file_that_is_no_project_says_so_without_backups(tmp_path: Path) -> None:
    path = build(tmp_path / "p.coder")
    ok("backup", str(path))
    notes = tmp_path / "notes.txt"
    notes.write_text("not a project", encoding="utf-8")
    line = user_error("merge", str(path), str(notes))
    assert line == (
        f"coder: error: {notes} is not a Coder project (not an SQLite database); give a .coder file"
    )


def test_xml_nested_too_deep_is_said_in_words() -> None:
    from coder.core.errors import ExchangeError
    from coder.core.refi.safe import parse_xml

    with pytest.raises(ExchangeError) as info:
        parse_xml(b"<a>" * 300 + b"</a>" * 300, "project.qde")
    assert "nested more than 256 levels deep" in str(info.value)
    assert "XML_PARSE_HUGE" not in str(info.value)


def test_coder_errors_are_one_line(tmp_path: Path) -> None:
    assert issubclass(ProjectNotWritable, CoderError)


# --------------------------------------------------------------------------- a read-only file


def refuse_writing(monkeypatch: pytest.MonkeyPatch, path: Path, code: int) -> None:
    """The project file itself cannot be opened for writing (chattr +i gives EPERM)."""
    real_open = os.open

    def guarded(name: object, flags: int, *args: object, **kwargs: object) -> int:
        if str(name) == str(path) and flags & (os.O_RDWR | os.O_WRONLY):
            raise OSError(code, os.strerror(code), str(name))
        return real_open(name, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(lock.os, "open", guarded)


def test_a_file_that_cannot_be_written_is_refused_for_writing_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """SQLite opens such a file read-only without a word: the first edit failed with 'attempt
    to write a readonly database' and left -wal and -shm beside it."""
    path = build(tmp_path / "p.coder")
    refuse_writing(monkeypatch, path, errno.EPERM)
    line = main_line(capsys, "code", "add", str(path), "Other")
    assert line == (
        "coder: error: p.coder cannot be changed: the file is marked immutable (open it "
        "read-only, or copy it to a folder you can write)"
    )
    assert litter(tmp_path) == []
    with Project.open(path, read_only=True) as p:
        assert [c.name for c in p.codes()] == ["Leaving"]


def test_an_immutable_project_for_real(tmp_path: Path) -> None:
    path = build(tmp_path / "p.coder")
    if os.geteuid() != 0 or subprocess.run(["chattr", "+i", str(path)]).returncode != 0:
        pytest.skip("chattr +i needs root and a file system that has the flag")
    try:
        assert "marked immutable" in user_error("code", "add", str(path), "Other")
        assert "we left" in ok("codings", str(path)).stdout
        ok("export", str(path), str(tmp_path / "out.qdpx"))
        assert litter(tmp_path) == []
    finally:
        subprocess.run(["chattr", "-i", str(path)])


def test_the_window_opens_a_file_that_cannot_be_written_read_only(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coder.ui.main_window import MainWindow

    path = build(tmp_path / "p.coder")
    refuse_writing(monkeypatch, path, errno.EACCES)
    window = MainWindow()
    qtbot.addWidget(window)
    assert window.open_project(path)
    assert window.project is not None and window.project.read_only
    assert (
        window.statusBar()
        .currentMessage()
        .startswith("p.coder is open read-only: the file is read-only for you.")
    )
    window.close_project()
    assert litter(tmp_path) == []
