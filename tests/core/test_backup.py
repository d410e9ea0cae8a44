"""Backups: made on open and while editing, verified, rotated, restored; broken project files."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from coder.cli import main
from coder.core import backup, leftovers, restore, settings
from coder.core.errors import CoderError, InvalidValue, ProjectFileError
from coder.core.lock import lock_path
from coder.core.project import Project


@pytest.fixture(autouse=True)
def _no_open_spacing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every changed open makes a backup (the one-minute spacing has its own test)."""
    monkeypatch.setattr(backup, "MIN_SECONDS_BETWEEN_OPEN_BACKUPS", 0)


def _make(path: Path, docs: int = 3, size: int = 2000) -> Path:
    with Project.create(path) as p:
        code = p.add_code("Trust").created("codes")[0]
        for i in range(docs):
            doc = p.add_document(f"Interview {i}", f"Speaker {i}: " + "words " * size)
            p.apply_code(doc.created("documents")[0], code, 0, 10)
    return path


def _dump(path: Path) -> dict[str, list]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE '%fts%' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}
    finally:
        conn.close()


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def test_backup_now_is_a_verified_copy_beside_the_project(tmp_path: Path) -> None:
    path = _make(tmp_path / "study.coder")
    with Project.open(path) as p:
        p.add_code("Fear")
        made = backup.backup_now(p)
    assert made.parent == tmp_path / "study.backups"
    assert made.name.startswith("study-") and made.suffix == ".coder"
    assert _integrity(made) == "ok"
    assert _dump(made) == _dump(path)
    assert not [f for f in os.listdir(made.parent) if f.endswith((".part", "-wal", "-journal"))]
    with Project.open(made, read_only=True) as copy:
        assert {c.name for c in copy.codes()} == {"Fear", "Trust"}


def test_open_backs_up_only_when_the_project_changed(tmp_path: Path) -> None:
    path = _make(tmp_path / "study.coder")
    Project.open(path).close()
    first = backup.list_backups(path)
    assert len(first) == 1, "the first open of a project makes a backup"
    Project.open(path).close()
    Project.open(path, read_only=True).close()
    assert backup.list_backups(path) == first, "nothing changed, no new backup"
    with Project.open(path) as p:
        p.add_code("Fear")
    with Project.open(path) as p:
        assert backup.list_backups(path)[-1] != first[-1]
        newest = backup.list_backups(path)[-1].path
    with Project.open(newest, read_only=True) as copy:
        assert "Fear" in {c.name for c in copy.codes()}


def test_a_file_backed_up_right_after_a_write_is_hashed_until_its_time_settles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """File times tick coarsely: a file written just before its backup is compared by content
    (its size and time alone could miss a change in the same tick), until its time is older
    than a tick can be; from then on its size and time tell, and opening reads no more."""
    path = _make(tmp_path / "study.coder")
    Project.open(path).close()  # the backup: the file was written a moment ago
    hashed: list[Path] = []
    real_sha1 = backup._sha1

    def sha1(p: Path) -> str | None:
        hashed.append(p)
        return real_sha1(p)

    monkeypatch.setattr(backup, "_sha1", sha1)
    assert not backup.changed_since_backup(path)
    assert len(hashed) == 1, "freshly written: compared by content"
    later = os.stat(path).st_mtime_ns + backup._FRESH_NS
    monkeypatch.setattr(backup.time, "time_ns", lambda: later)
    assert not backup.changed_since_backup(path)
    assert len(hashed) == 2, "compared by content once more, now that its time is settled"
    assert not backup.changed_since_backup(path)
    assert len(hashed) == 2, "then its size and time tell"
    with Project.open(path) as p:
        p.add_code("Fear")
    assert backup.changed_since_backup(path)


def test_open_soon_after_a_backup_makes_no_new_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup, "MIN_SECONDS_BETWEEN_OPEN_BACKUPS", 3600)
    path = _make(tmp_path / "study.coder")
    Project.open(path).close()
    for name in ("A", "B", "C"):
        with Project.open(path) as p:
            p.add_code(name)
    assert len(backup.list_backups(path)) == 1, "a script's many opens keep older backups"


def test_rotation_keeps_the_newest_n(tmp_path: Path) -> None:
    settings.set_value("backups_keep", 3)
    path = _make(tmp_path / "study.coder", docs=1)
    made = []
    with Project.open(path) as p:
        for i in range(5):
            p.add_code(f"Code {i}")
            made.append(backup.backup_now(p))
    kept = [b.path for b in backup.list_backups(path)]
    assert kept == made[-3:]
    assert all(not m.exists() for m in made[:2])


def test_periodic_backup_needs_changes_and_the_interval(tmp_path: Path) -> None:
    path = _make(tmp_path / "study.coder", docs=1)
    with Project.open(path) as p:
        start = len(backup.list_backups(path))
        assert backup.maybe_backup(p, interval=0) is None, "no change since the open backup"
        p.add_code("Fear")
        assert backup.maybe_backup(p, interval=10) is None, "changed, but not 10 minutes yet"
        made = backup.maybe_backup(p, interval=0)
        assert made is not None and made.exists()
        assert backup.maybe_backup(p, interval=0) is None
        p.undo(p.add_code("Hope"))
        assert backup.maybe_backup(p, interval=0) is not None, "an undo is a change too"
        assert len(backup.list_backups(path)) == start + 2
    with Project.open(path, read_only=True) as r:
        assert backup.maybe_backup(r, interval=0) is None


def test_settings_give_interval_and_count() -> None:
    assert backup.interval_minutes() == 10 and backup.keep_count() == 10
    settings.set_value("backup_interval_minutes", 2)
    settings.set_value("backups_keep", 4)
    assert backup.interval_minutes() == 2 and backup.keep_count() == 4
    settings.set_value("backups_keep", "lots")
    assert backup.keep_count() == 10


def test_unwritable_folder_backs_up_into_user_data(tmp_path: Path) -> None:
    path = _make(tmp_path / "study.coder", docs=1)
    (tmp_path / "study.backups").write_text("a file where the folder would go")
    with Project.open(path) as p:
        made = backup.backup_now(p)
    assert made.parent == backup.fallback_folder(path)
    assert str(made).startswith(str(settings.data_dir()))
    assert [b.path for b in backup.list_backups(path)][-1] == made


def test_list_backups_ignores_other_files_and_projects(tmp_path: Path) -> None:
    folder = tmp_path / "a.backups"
    folder.mkdir()
    for name in (
        "a-20240101-101010.coder",
        "a-20240101-101010-2.coder",
        "a-b-20240102-101010.coder",
        "notes.txt",
        "a-2024.coder",
        "a-20240103-101010.coder.part",
    ):
        (folder / name).write_bytes(b"x" * 7)
    found = backup.list_backups(tmp_path / "a.coder")
    assert [b.path.name for b in found] == ["a-20240101-101010.coder", "a-20240101-101010-2.coder"]
    assert found[0].size == 7 and found[0].created.year == 2024 and found[0].created.second == 10


def test_restore_into_a_new_file(tmp_path: Path) -> None:
    path = _make(tmp_path / "study.coder")
    with Project.open(path) as p:
        made = backup.backup_now(p)
        p.delete_code(p.find_code("Trust").id)
    new = restore.restore(made, tmp_path / "restored.coder")
    with Project.open(new) as r:
        assert r.find_code("Trust") and len(r.codings()) == 3
    with pytest.raises(InvalidValue, match="already exists"):
        restore.restore(made, new)
    with pytest.raises(InvalidValue, match="already exists"):
        restore.restore(made, path)
    with pytest.raises(InvalidValue, match=".coder"):
        restore.restore(made, tmp_path / "restored.txt")
    with Project.open(path) as p:
        assert len(p.codings()) == 0, "the original project is untouched"


def test_a_backup_stopped_midway_leaves_no_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _make(tmp_path / "study.coder")
    copy = backup.copy_database

    def stopped(source: sqlite3.Connection, target: Path) -> None:
        copy(source, target)
        raise KeyboardInterrupt  # Ctrl+C, or SIGTERM as the command line turns it

    with Project.open(path) as p:
        monkeypatch.setattr(backup, "copy_database", stopped)
        with pytest.raises(KeyboardInterrupt):
            backup.backup_now(p)
    assert [f for f in os.listdir(tmp_path / "study.backups") if f.endswith(".part")] == []


def test_a_damaged_backup_is_not_restored(tmp_path: Path) -> None:
    path = _make(tmp_path / "study.coder", docs=6, size=3000)
    with Project.open(path) as p:
        made = backup.backup_now(p)
    _zero_middle(made)
    with pytest.raises(ProjectFileError, match="damaged"):
        restore.restore(made, tmp_path / "r.coder")
    assert not (tmp_path / "r.coder").exists()
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".part")]


def _zero_middle(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.seek(size // 3)
        f.write(b"\x00" * (size // 3))


def test_damaged_project_is_refused_and_points_to_its_backups(tmp_path: Path) -> None:
    path = _make(tmp_path / "study.coder", docs=8, size=4000)
    Project.open(path).close()
    before = [b.path for b in backup.list_backups(path)]
    assert before
    _zero_middle(path)
    with pytest.raises(ProjectFileError) as err:
        Project.open(path)
    message = str(err.value)
    assert "\n" not in message and "damaged" in message
    assert str(tmp_path / "study.backups") in message
    assert [b.path for b in backup.list_backups(path)] == before, "no bad backup was kept"
    assert all(_integrity(b) == "ok" for b in before)
    assert not lock_path(path).exists(), "the refused open released its lock"


def test_damaged_project_is_caught_even_right_after_a_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup, "MIN_SECONDS_BETWEEN_OPEN_BACKUPS", 3600)
    path = _make(tmp_path / "study.coder", docs=8, size=4000)
    Project.open(path).close()
    _zero_middle(path)
    with pytest.raises(ProjectFileError, match="study.backups"):
        Project.open(path)


def test_truncated_project_points_to_its_backups(tmp_path: Path) -> None:
    path = _make(tmp_path / "study.coder", docs=8, size=4000)
    Project.open(path).close()
    with open(path, "r+b") as f:
        f.truncate(path.stat().st_size // 2)
    with pytest.raises(ProjectFileError) as err:
        Project.open(path)
    assert str(tmp_path / "study.backups") in str(err.value)
    with open(path, "r+b") as f:
        f.truncate(50)
    with pytest.raises(ProjectFileError) as err:
        Project.open(path)
    assert str(tmp_path / "study.backups") in str(err.value) and "\n" not in str(err.value)


def test_project_from_a_newer_version_says_so_and_points_to_backups(tmp_path: Path) -> None:
    path = _make(tmp_path / "study.coder", docs=1)
    Project.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(ProjectFileError) as err:
        Project.open(path)
    message = str(err.value)
    assert "newer version" in message and "update Coder" in message
    assert str(tmp_path / "study.backups") in message


def test_disk_full_during_an_edit_raises_and_keeps_saved_work(tmp_path: Path) -> None:
    path = _make(tmp_path / "study.coder", docs=2, size=100)
    with Project.open(path) as p:
        before = _dump(path)
        pages = p.db.execute("PRAGMA page_count").fetchone()[0]
        p.db.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(CoderError, match="could not be written"):
            p.add_document("Huge", "x" * 2_000_000)
        with pytest.raises(CoderError):
            p.import_attributes(_csv(tmp_path, rows=5000))
        assert _dump(path) == before
        p.db.execute("PRAGMA max_page_count = 1073741823")
        p.add_code("After the disk was freed")
    with Project.open(path) as p:
        assert len(p.documents()) == 2 and len(p.codings()) == 2
        assert p.find_code("After the disk was freed")


def _csv(folder: Path, rows: int) -> Path:
    path = folder / "attributes.csv"
    lines = ["case,age,region"] + [
        f"Case {i},{20 + i % 50},Region {i % 7} " + "y" * 200 for i in range(rows)
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_cli_backup_backups_and_restore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _make(tmp_path / "study.coder", docs=1)
    assert main(["backups", str(path)]) == 0
    assert "no backups of study.coder" in capsys.readouterr().out
    assert main(["backup", str(path)]) == 0
    made = Path(capsys.readouterr().out.strip())
    assert made.exists() and made.parent == tmp_path / "study.backups"
    assert main(["backups", str(path), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed == [
        {"path": str(made), "created": listed[0]["created"], "size": made.stat().st_size}
    ]
    assert main(["backups", str(path)]) == 0
    assert made.name in capsys.readouterr().out
    out = tmp_path / "again.coder"
    assert main(["restore", str(made), "-o", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    assert _dump(out) == _dump(path)
    assert main(["restore", str(made), "-o", str(out)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_cli_backup_works_while_the_project_is_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _make(tmp_path / "study.coder", docs=1)
    with Project.open(path) as p:
        p.add_code("Unsaved? No: every edit is saved")
        assert main(["backup", str(path)]) == 0
        made = Path(capsys.readouterr().out.strip())
    with Project.open(made, read_only=True) as copy:
        assert copy.find_code("Unsaved? No: every edit is saved")


def test_copies_cut_short_by_a_crash_are_cleaned_up(tmp_path: Path) -> None:
    """A copy whose writer is gone goes, with its journal, however young; one still being
    written (its writer holds it) stays."""
    path = _make(tmp_path / "study.coder", docs=1)
    folder = tmp_path / "study.backups"
    folder.mkdir()
    old = folder / "study-20200101-101010.coder.part"
    fresh = folder / "study-20990101-101010.coder.part"
    old.write_bytes(b"half a copy")
    Path(f"{old}-journal").write_bytes(b"its journal")
    with leftovers.claimed(fresh):
        fresh.write_bytes(b"a copy in progress")
        with Project.open(path) as p:
            backup.backup_now(p)
        assert not old.exists() and not Path(f"{old}-journal").exists()
        assert fresh.exists(), "a copy still being written is left alone"
    assert all(b.path.suffix == ".coder" for b in backup.list_backups(path))


def test_periodic_backup_sees_changes_made_through_another_connection(tmp_path: Path) -> None:
    """An import worker writes through its own connection: that is a change too."""
    from coder.core.projectfile import connect as _connect

    path = _make(tmp_path / "study.coder", docs=1)
    with Project.open(path) as p:
        assert backup.maybe_backup(p, interval=0) is None
        worker = Project(path, _connect(path, False), False)
        try:
            worker.add_document("Imported by a worker", "Ben: hello")
        finally:
            worker.close()
        made = backup.maybe_backup(p, interval=0)
        assert made is not None
    with Project.open(made, read_only=True) as copy:
        assert copy.find_document("Imported by a worker")


def test_project_turning_read_only_during_an_edit_raises_and_keeps_saved_work(
    tmp_path: Path,
) -> None:
    path = _make(tmp_path / "study.coder", docs=2, size=100)
    with Project.open(path) as p:
        p.add_code("Saved before")
        before = _dump(path)
        p.db.execute("PRAGMA query_only = ON")  # the file can no longer be written
        with pytest.raises(CoderError) as err:
            p.add_code("Lost?")
        assert "could not be written" in str(err.value) and "\n" not in str(err.value)
        assert _dump(path) == before
        p.db.execute("PRAGMA query_only = OFF")
    with Project.open(path) as p:
        assert p.find_code("Saved before")
        assert len(p.codings()) == 2


def _codes_seen_by_another_process(path: Path) -> list[str]:
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "coder", "code", "list", str(path), "--json"],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    return [c["name"] for c in json.loads(out.stdout)]


def test_another_process_reading_never_loses_the_open_projects_later_edits(
    tmp_path: Path,
) -> None:
    """Hashing a freshly written project for its backup state must keep this process's
    SQLite locks: when it dropped them, a reader in another process deleted the WAL under the
    open project on closing, and every later edit was invisible to others (and lost)."""
    path = _make(tmp_path / "study.coder", docs=1)
    with Project.open(path) as p:  # fresh file: the open hashes it
        assert _codes_seen_by_another_process(path) == ["Trust"]
        p.add_code("Fear")
        assert _codes_seen_by_another_process(path) == ["Trust", "Fear"]
        backup.backup_now(p)  # hashes the file again
        assert _codes_seen_by_another_process(path) == ["Trust", "Fear"]
        p.add_code("Hope")
        assert _codes_seen_by_another_process(path) == ["Trust", "Fear", "Hope"]
    with Project.open(path, read_only=True) as p:
        assert [c.name for c in p.codes()] == ["Trust", "Fear", "Hope"]


def test_save_copy_writes_the_open_project_into_a_new_file(tmp_path: Path) -> None:
    from coder.core.restore import save_copy

    path = _make(tmp_path / "study.coder", docs=1)
    with Project.open(path) as p:
        p.add_code("Fear")  # still in the WAL
        copy = save_copy(p, tmp_path / "copy.coder")
        with pytest.raises(InvalidValue, match="already exists"):
            save_copy(p, copy)
        with pytest.raises(InvalidValue, match="not onto itself"):
            save_copy(p, path)
        with pytest.raises(InvalidValue, match="must end with"):
            save_copy(p, tmp_path / "copy.txt")
    assert _dump(copy) == _dump(path)
    assert not [f for f in os.listdir(tmp_path) if f.endswith((".part", "-journal"))]
