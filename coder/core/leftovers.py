"""Temporary files that a killed Coder leaves behind, and their removal by a later run.

Exports, backups and restores write a temporary file beside their target and move it into
place at the end. A process killed on the way (SIGKILL, a power cut) leaves that file, often
full size. Each temporary file is therefore *claimed* while it is written: its writer holds an
OS lock on it (``fcntl.flock``) until it is moved or removed. A later run sweeps the folder it
writes into: a file whose name is one Coder gives its temporary files and whose lock it can
take has no writer any more and is removed, with the SQLite journal a killed copy leaves beside
it. Nothing else is touched: not another program's files, not a copy another Coder is writing.

Where no such lock exists (Windows), a temporary file counts as left behind once it has gone
untouched for an hour.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import time
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

# An export's temporary file: ".NAME-<8 random characters>.EXT.part" (tempfile.mkstemp).
EXPORT_PART = re.compile(r"^\..+-[a-z0-9_]{8}(?:\.[A-Za-z0-9]{1,8})?\.part$")
# A backup being copied: "NAME-YYYYmmdd-HHMMSS[-N].coder.part".
BACKUP_PART = re.compile(r"^.+-\d{8}-\d{6}(?:-\d+)?\.coder\.part$")
# A restore or a saved copy being written: ".NAME.coder.<pid>.part".
COPY_PART = re.compile(r"^\..+\.coder\.\d+\.part$")
# What SQLite leaves beside a database file it was writing when killed.
JOURNALS = ("-journal", "-wal", "-shm")
# Without OS locks: a temporary file untouched this long is left behind.
UNLOCKED_STALE_SECONDS = 3600.0

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def hold(fd: int) -> int:
    """Claim the temporary file open as ``fd`` until :func:`release`; returns the descriptor
    to release (-1 where files are not locked: there it is closed at once, as Windows cannot
    move a file that is open)."""
    if fcntl is None:
        os.close(fd)
        return -1
    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


def release(fd: int) -> None:
    if fd >= 0:
        with contextlib.suppress(OSError):
            os.close(fd)


@contextlib.contextmanager
def claimed(path: Path) -> Iterator[None]:
    """Create ``path`` (it must not exist) and hold it claimed for the duration of the block;
    the block writes it by name (SQLite, zipfile)."""
    fd = hold(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o666))
    try:
        yield
    finally:
        release(fd)


def _abandoned(path: Path) -> bool:
    """True when ``path`` is a regular file no running Coder is writing."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    except OSError:
        return False
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return False
        if fcntl is None:
            return time.time() - info.st_mtime >= UNLOCKED_STALE_SECONDS
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False  # its writer is still at work
        return True
    finally:
        os.close(fd)  # closing releases the lock taken just to test it


def sweep(folder: Path, pattern: re.Pattern[str]) -> list[Path]:
    """Remove the temporary files in ``folder`` named like ``pattern`` that no running Coder
    is writing, with the SQLite journals beside them; returns what was removed."""
    removed: list[Path] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    present = set(names)
    for name in names:
        if not pattern.match(name):
            continue
        path = folder / name
        if not _abandoned(path):
            continue
        for victim in [path, *(folder / (name + j) for j in JOURNALS if name + j in present)]:
            with contextlib.suppress(OSError):
                victim.unlink()
                removed.append(victim)
    for name in names:  # journals whose copy is already gone: the kill came as it was removed
        base = next((name[: -len(j)] for j in JOURNALS if name.endswith(j)), None)
        if base and pattern.match(base) and base not in present:
            path = folder / name
            if _abandoned(path):
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed.append(path)
    return removed
