"""Project files on disk: recognising one without changing it, and connecting to it."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from coder.core.errors import ProjectFileError
from coder.core.migrations import APPLICATION_ID, SCHEMA_VERSION

EXTENSION = ".coder"
SQLITE_MAGIC = b"SQLite format 3\x00"


def check_file(path: Path) -> None:
    """Refuse anything that is not a Coder project, without modifying it."""
    if not path.exists():
        raise ProjectFileError(f"{path}: no such project file")
    if path.is_dir():
        raise ProjectFileError(f"{path} is a folder, not a Coder project")
    try:
        with path.open("rb") as f:
            head = f.read(100)
    except OSError as e:
        raise ProjectFileError(f"{path} cannot be read: {e.strerror}") from None
    if len(head) < 100 or not head.startswith(SQLITE_MAGIC):
        if path.suffix.lower() != EXTENSION:  # a transcript given by mistake: no backups talk
            raise ProjectFileError(
                f"{path} is not a Coder project (not an SQLite database); give a .coder file"
            )
        raise ProjectFileError(
            f"{path} is not a Coder project (not an SQLite database): it is damaged, or another "
            "file was renamed; restore it from its backups folder"
        )
    # The header holds both marks (big-endian): user_version at 60, application_id at 68.
    version = int.from_bytes(head[60:64], "big")
    app_id = int.from_bytes(head[68:72], "big")
    wal = Path(f"{path}-wal")
    # A project open elsewhere (or left by a crash) may hold its latest header in its WAL.
    live = wal.is_file() and wal.stat().st_size > 0
    try:
        # immutable=1: the check creates no -wal/-shm files beside a file that may not be ours
        mode = "ro" if live else "ro&immutable=1"
        conn = sqlite3.connect(f"file:{path.as_posix()}?mode={mode}", uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if live:
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        raise ProjectFileError(
            f"{path} is damaged and cannot be opened ({e}); restore it from its backups folder"
        ) from None
    if app_id != APPLICATION_ID:
        if app_id == 0 and not tables:
            raise ProjectFileError(f"{path} is an empty database, not a Coder project")
        raise ProjectFileError(
            f"{path} is an SQLite database of another application, not a Coder project"
        )
    if version > SCHEMA_VERSION:
        raise ProjectFileError(
            f"{path} was saved by a newer version of Coder (schema {version}; this version "
            f"reads up to {SCHEMA_VERSION}): update Coder to open it"
        )


SIDE_FILES = ("-wal", "-shm")


def side_files(path: Path) -> set[str]:
    """Which of the project's -wal/-shm files exist now."""
    return {suffix for suffix in SIDE_FILES if os.path.lexists(f"{path}{suffix}")}


def remove_created_side_files(path: Path, before: set[str]) -> None:
    """After a failed open (a full disk, a read-only folder, a signal): remove the -wal/-shm
    files that the attempt created, when the WAL holds nothing. Files that were there before
    belong to someone else (a window with the project open) and are never touched."""
    if "-wal" in before:
        return
    try:
        if os.path.getsize(f"{path}-wal") > 0:
            return
    except OSError:
        pass
    for suffix in SIDE_FILES:
        if suffix not in before:
            with contextlib.suppress(OSError):
                os.unlink(f"{path}{suffix}")


def _open(path: Path, mode: str) -> sqlite3.Connection:
    return sqlite3.connect(
        f"file:{path.as_posix()}?mode={mode}", uri=True, isolation_level=None,
        check_same_thread=False,
    )  # fmt: skip


def _live_wal(path: Path) -> bool:
    """Whether the project has changes in its WAL file (open elsewhere, or left by a crash)."""
    try:
        return os.stat(f"{path}-wal").st_size > 0
    except OSError:
        return False


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def _in_memory_temp(conn: sqlite3.Connection) -> None:
    # The undo log and the journal of a nested edit (a savepoint) in memory, not in temporary
    # files: importing a transcript's 8,000 speaker turns takes half the time.
    conn.execute("PRAGMA temp_store = MEMORY")


def connect(path: Path, read_only: bool) -> sqlite3.Connection:
    """A connection with the project's pragmas.

    A read-only project still gets a read-write connection with ``query_only`` when the file
    and its folder allow it: the last connection to close then folds the WAL back into the
    file, so reading never leaves ``-wal``/``-shm`` files behind. Where they cannot be written
    (a read-only disk or share, a full disk, a file marked read-only) the file is read as it
    is on disk (SQLite's ``immutable``), which creates no file at all; only changes still in
    a WAL file need SQLite's read-only mode, which must write its ``-shm`` index.
    """
    before = side_files(path)
    if not read_only:
        conn = _open(path, "rwc")
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA busy_timeout = 5000")
            _in_memory_temp(conn)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
        except BaseException:
            conn.close()
            remove_created_side_files(path, before)
            raise
        return conn
    live = _live_wal(path)
    modes = ["rw"] if _writable(path) else []  # may still fail: a full disk has no room for -shm
    modes.append("ro" if live else "ro&immutable=1")
    problem: sqlite3.Error | None = None
    for mode in modes:
        try:
            conn = _open(path, mode)
        except sqlite3.Error as e:
            problem = e
            continue
        try:
            conn.execute("PRAGMA schema_version").fetchone()
        except sqlite3.Error as e:
            conn.close()
            remove_created_side_files(path, before)
            problem = e
            continue
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 5000")
        _in_memory_temp(conn)
        conn.execute("PRAGMA query_only = ON")
        return conn
    assert problem is not None
    if live:
        raise ProjectFileError(
            f"{path} has recent changes in {path.name}-wal that can only be read where the "
            f"folder can be written ({problem}); copy both files to such a folder"
        )
    raise problem
