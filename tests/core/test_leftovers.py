"""What a killed export, backup or restore leaves behind is removed by the next one that
writes there, and only that: another program's files and a copy still being written stay."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from coder.core import leftovers
from coder.core.export import atomic_path
from coder.core.project import Project
from tests.cli.helpers import ok

pytestmark = pytest.mark.skipif(
    leftovers.fcntl is None, reason="without OS locks leftovers count after an hour"
)


def build(path: Path) -> Path:
    with Project.create(path) as p:
        p.add_document("Interview", "Anna: we left in May.\nBen: and came back in June.\n")
        p.add_code("Leaving")
        p.apply_code(1, 1, 6, 13, coder="ann")
    return path


def killed(script: str) -> None:
    """Run ``script`` in a fresh process that ends in SIGKILL, as a killed Coder would."""
    code = textwrap.dedent(script) + "\nimport os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == -signal.SIGKILL, done.stderr


def hidden_parts(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".part", "-journal")))


def test_a_killed_export_leaves_a_part_file_the_next_export_removes(tmp_path: Path) -> None:
    path = build(tmp_path / "p.coder")
    out = tmp_path / "report.docx"
    killed(f"""
        from coder.core.export import atomic_path
        with atomic_path({str(out)!r}) as tmp:
            tmp.write_bytes(b"x" * 100_000)
            import os, signal
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    left = hidden_parts(tmp_path)
    assert len(left) == 1 and left[0].startswith(".report-") and left[0].endswith(".docx.part")
    ok("export", str(path), str(tmp_path / "codings.csv"))  # any export into that folder
    assert hidden_parts(tmp_path) == []
    ok("export", str(path), str(out))
    assert out.stat().st_size > 0 and hidden_parts(tmp_path) == []


def test_a_part_file_being_written_is_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "report.docx"
    with atomic_path(out) as tmp:
        tmp.write_bytes(b"half a report")
        assert leftovers.sweep(tmp_path, leftovers.EXPORT_PART) == []
        with atomic_path(tmp_path / "other.csv") as other:  # a second export meanwhile
            other.write_text("a,b\n", encoding="utf-8")
        assert tmp.exists()
    assert out.read_bytes() == b"half a report" and hidden_parts(tmp_path) == []


def test_only_coders_own_leftovers_are_removed(tmp_path: Path) -> None:
    strangers = [
        "thesis.docx.part",  # a browser's download
        ".thesis.docx.part",
        ".notes-abcdefgh.txt",
        ".data-TOOLONG12.csv.part",
        "p-20260101-120000.coder",  # a backup, not a copy in progress
    ]
    for name in strangers:
        (tmp_path / name).write_bytes(b"keep me")
    os.symlink(tmp_path / "thesis.docx.part", tmp_path / ".x-abcdefgh.docx.part")
    mine = [".report-abc_1234.docx.part", "p-20260101-120000.coder.part"]
    for name in mine:
        (tmp_path / name).write_bytes(b"left by a kill")
    leftovers.sweep(tmp_path, leftovers.EXPORT_PART)
    leftovers.sweep(tmp_path, leftovers.BACKUP_PART)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([*strangers, ".x-abcdefgh.docx.part"])  # a link is never followed
    assert all((tmp_path / n).read_bytes() == b"keep me" for n in strangers)


def test_a_killed_backup_leaves_a_copy_and_journal_the_next_backup_removes(
    tmp_path: Path,
) -> None:
    path = build(tmp_path / "p.coder")
    folder = tmp_path / "p.backups"
    folder.mkdir()
    part = folder / "p-20260101-120000.coder.part"
    killed(f"""
        import sqlite3
        from pathlib import Path
        from coder.core import leftovers
        from coder.core.backup import copy_database
        part = Path({str(part)!r})
        source = sqlite3.connect({str(path)!r})
        with leftovers.claimed(part):
            copy_database(source, part)
            dest = sqlite3.connect(part, isolation_level=None)  # cut off while it writes
            dest.execute("BEGIN")
            dest.execute("CREATE TABLE filler (x)")
            dest.execute("INSERT INTO filler VALUES (zeroblob(300000))")
            import os, signal
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    assert hidden_parts(folder) == [part.name, f"{part.name}-journal"]
    made = Path(ok("backup", str(path)).stdout.strip())
    assert hidden_parts(folder) == [] and made.parent == folder
    conn = sqlite3.connect(made)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


def test_a_killed_restore_leaves_a_copy_the_next_restore_removes(tmp_path: Path) -> None:
    path = build(tmp_path / "p.coder")
    backup = Path(ok("backup", str(path)).stdout.strip())
    out = tmp_path / "out"
    out.mkdir()
    part = out / ".restored.coder.999999.part"
    killed(f"""
        import sqlite3
        from pathlib import Path
        from coder.core import leftovers
        from coder.core.backup import copy_database
        part = Path({str(part)!r})
        with leftovers.claimed(part):
            copy_database(sqlite3.connect({str(backup)!r}), part)
            import os, signal
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    assert hidden_parts(out) == [part.name]
    ok("restore", str(backup), "-o", str(out / "restored.coder"))
    assert sorted(p.name for p in out.iterdir()) == ["restored.coder"]


def test_opening_a_project_to_write_removes_what_killed_runs_left_beside_it(
    tmp_path: Path,
) -> None:
    """Also when no export, backup or restore follows: any command that changes the project
    tidies its folder and its backups folder."""
    path = build(tmp_path / "p.coder")
    ok("backup", str(path))  # nothing changed since: opening makes no new backup
    folder = tmp_path / "p.backups"
    left = [
        tmp_path / ".p report-abc12345.docx.part",
        tmp_path / ".copy.coder.4242.part",
        folder / "p-20260101-120000.coder.part",
        folder / "p-20260101-120000.coder.part-journal",
    ]
    for f in left:
        f.write_bytes(b"left by a kill")
    stranger = tmp_path / "notes.part"
    stranger.write_bytes(b"keep me")
    ok("code", "add", str(path), "Other")
    assert not any(f.exists() for f in left) and stranger.exists()
    assert len(list(folder.glob("*.coder"))) == 1
