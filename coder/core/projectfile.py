"""Project files on disk: recognising one without changing it, and connecting to it."""

from __future__ import annotations

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
        raise ProjectFileError(
            f"{path} is not a Coder project (not an SQLite database); "
            "open a .coder file, or restore one from its backups folder"
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


def connect(path: Path, read_only: bool) -> sqlite3.Connection:
    """A connection with the project's pragmas.

    A read-only project still gets a read-write connection with ``query_only`` when the file
    allows it: the last connection to close then folds the WAL back into the file, so reading
    never leaves ``-wal``/``-shm`` files behind. A file we may not write opens with mode=ro.
    """
    mode = "rw" if read_only else "rwc"
    try:
        conn = sqlite3.connect(
            f"file:{path.as_posix()}?mode={mode}", uri=True, isolation_level=None,
            check_same_thread=False,
        )  # fmt: skip
        conn.execute("PRAGMA schema_version").fetchone()
    except sqlite3.OperationalError:
        if not read_only:
            raise
        conn = sqlite3.connect(
            f"file:{path.as_posix()}?mode=ro", uri=True, isolation_level=None,
            check_same_thread=False,
        )  # fmt: skip
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 5000")
    # The undo log and the journal of a nested edit (a savepoint) in memory, not in temporary
    # files: importing a transcript's 8,000 speaker turns takes half the time.
    conn.execute("PRAGMA temp_store = MEMORY")
    if read_only:
        conn.execute("PRAGMA query_only = ON")
    else:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
    return conn
