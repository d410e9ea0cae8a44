"""One atomic file writer and one way to cancel, for every export, backup and long task."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from coder.core import backup, export, files, leftovers, refi, settings
from coder.core.errors import CoderError, InvalidValue
from coder.core.export.codebook_docx import write_codebook
from coder.core.export.report import write_report
from coder.core.export.tables import write_quote_table
from coder.core.merge import merge_projects
from coder.core.progress import Cancelled
from coder.core.project import Project


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    p = Project.create(tmp_path / "study.coder")
    p.add_document("Ana", "Ana: I trust them, mostly.\n")
    p.add_code("Trust")
    p.apply_code(p.find_document("Ana").id, p.find_code("Trust").id, 5, 12)
    yield p
    p.close()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_export_gets_the_users_normal_permissions(project: Project, tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    writers = {
        "report.docx": lambda p: write_report(project, p),
        "codebook.docx": lambda p: write_codebook(project, p),
        "quotes.csv": lambda p: write_quote_table(project, p),
        "quotes.xlsx": lambda p: write_quote_table(project, p),
        "project.qdpx": lambda p: refi.export_qdpx(project, p),
        "codebook.qdc": lambda p: refi.export_qdc(project, p),
    }
    for name, write in writers.items():
        write(out / name)
        assert _mode(out / name) == files.new_file_mode(), name
    made = backup.backup_now(project)
    assert _mode(made) == files.new_file_mode()
    settings.set_value("coder_name", "Ana")
    assert _mode(settings.data_dir() / "settings.json") == files.new_file_mode()
    assert not [f for f in os.listdir(out) if f.endswith(".part")]


def test_replacing_a_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("old")
    target.chmod(0o640)
    files.write_text(target, "new")
    assert target.read_text() == "new" and _mode(target) == 0o640


@pytest.mark.skipif(os.name != "posix", reason="Windows files have no mode bits")
def test_a_private_file_is_owner_only_from_its_first_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "key.csv"
    target.write_text("an older key")
    target.chmod(0o644)
    modes: dict[str, int] = {}
    mkstemp, sync_file = files.tempfile.mkstemp, files.sync_file

    def created(*args: object, **kwargs: object) -> tuple[int, str]:
        fd, name = mkstemp(*args, **kwargs)  # type: ignore[call-overload]
        modes["created"] = _mode(Path(name))
        return fd, name

    def written(path: Path) -> None:
        modes["written"] = _mode(path)
        sync_file(path)

    monkeypatch.setattr(files.tempfile, "mkstemp", created)
    monkeypatch.setattr(files, "sync_file", written)
    files.write_csv(target, ["original", "replacement"], [["Mara", "P01"]], private=True)
    assert modes == {"created": 0o600, "written": 0o600} and _mode(target) == 0o600
    assert "Mara" in target.read_text(encoding="utf-8-sig")
    files.write_csv(target, ["original"], [["Mara"]])  # an ordinary write keeps the mode
    assert _mode(target) == 0o600 and os.listdir(tmp_path) == ["key.csv"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "report.docx"
    target.write_bytes(b"previous")
    with pytest.raises(RuntimeError), files.atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("disk full")
    assert target.read_bytes() == b"previous"
    assert os.listdir(tmp_path) == ["report.docx"]


def test_never_overwrite_refuses_a_name_taken_meanwhile(tmp_path: Path) -> None:
    target = tmp_path / "new.coder"
    with (
        pytest.raises(InvalidValue, match="already exists"),
        files.atomic_path(target, replace=False) as tmp,
    ):
        tmp.write_bytes(b"mine")
        target.write_bytes(b"someone else's")
    assert target.read_bytes() == b"someone else's"
    assert os.listdir(tmp_path) == ["new.coder"]


def test_leftovers_of_a_killed_write_are_removed_by_the_next(tmp_path: Path) -> None:
    killed = tmp_path / ".report-abcd1234.docx.part"  # its writer is gone
    writing = tmp_path / ".other-efgh5678.csv.part"  # another Coder is still writing it
    mine = tmp_path / ".my-own.part"  # not a name Coder gives: never touched
    for path in (killed, mine):
        path.write_bytes(b"half")
    with leftovers.claimed(writing):
        files.write_text(tmp_path / "x.txt", "x")
        assert not killed.exists() and writing.exists() and mine.exists()


# ------------------------------------------------------------------ cancelling


def stop(done: int, total: int, label: str) -> bool:
    return False


def test_one_cancelled_exception_for_every_task(project: Project, tmp_path: Path) -> None:
    assert export.Cancelled is Cancelled and refi.ImportCancelled is Cancelled
    assert issubclass(Cancelled, CoderError)
    with pytest.raises(Cancelled):
        write_report(project, tmp_path / "r.docx", progress=stop)
    with pytest.raises(Cancelled):
        refi.export_qdpx(project, tmp_path / "p.qdpx", progress=stop)
    refi.export_qdpx(project, tmp_path / "p.qdpx")
    with pytest.raises(Cancelled):
        refi.read_qdpx(tmp_path / "p.qdpx", progress=stop)
    content = refi.read_qdpx(tmp_path / "p.qdpx")
    with Project.create(tmp_path / "other.coder") as other:
        with pytest.raises(Cancelled):
            refi.apply_qdpx(other, content, progress=stop)
        assert other.documents() == []
        with pytest.raises(Cancelled):
            merge_projects(other, [project.path], backup=False, progress=stop)
        assert other.documents() == []
    written = {f for f in os.listdir(tmp_path) if not f.startswith(("study.coder", "other.coder"))}
    assert written == {"p.qdpx"}, "a cancelled export leaves no file"


def test_a_progress_that_returns_nothing_goes_on(project: Project, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    refi.export_qdpx(project, tmp_path / "p.qdpx", progress=lambda d, t, _l: seen.append((d, t)))
    assert seen == [(1, 1)]
