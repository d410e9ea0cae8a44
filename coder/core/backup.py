"""Backups of a project: consistent copies (SQLite's online backup API), verified, rotated.

Backups go to ``<folder>/<name>.backups/<name>-YYYYmmdd-HHMMSS.coder`` beside the project, or to
``<user data>/backups/<name>-<hash>/`` when the project's folder is not writable. Each one is
checked with ``PRAGMA integrity_check`` before it counts; the newest ``backups_keep`` are kept.

A backup is made when a project whose file changed since its last backup is opened for writing,
and while editing every ``backup_interval_minutes`` (the window calls :func:`maybe_backup` on a
timer). A backup is an ordinary project file: restore one with :func:`restore` (into a new file).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import re
import sqlite3
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from coder.core import files, leftovers, settings
from coder.core.errors import CoderError, ProjectFileError
from coder.core.projectfile import check_file

if TYPE_CHECKING:
    from coder.core.project import Project

DEFAULT_INTERVAL_MINUTES = 10
DEFAULT_KEEP = 10
# An open shortly after the last backup makes none: a script running 'coder code apply' a
# thousand times must not push every older backup out of the rotation.
MIN_SECONDS_BETWEEN_OPEN_BACKUPS = 60
STATE_FILE = "backups.json"
_STAMP = "%Y%m%d-%H%M%S"
_NAME_RE = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6})(?:-(?P<n>\d+))?\.coder$")


@dataclass(frozen=True)
class BackupInfo:
    """One backup file: where it is, when it was made (local time), its size in bytes."""

    path: Path
    created: _dt.datetime
    size: int


class BackupFailed(CoderError):
    """A backup could not be written or did not pass its integrity check."""


# Per open project: its change marker and the time at its last backup.
_sessions: weakref.WeakKeyDictionary[Project, tuple[object, float]] = weakref.WeakKeyDictionary()
_errors: weakref.WeakKeyDictionary[Project, str] = weakref.WeakKeyDictionary()


def interval_minutes() -> float:
    value = settings.get("backup_interval_minutes", DEFAULT_INTERVAL_MINUTES)
    return value if isinstance(value, (int, float)) and value > 0 else DEFAULT_INTERVAL_MINUTES


def keep_count() -> int:
    value = settings.get("backups_keep", DEFAULT_KEEP)
    return value if isinstance(value, int) and value >= 1 else DEFAULT_KEEP


# --------------------------------------------------------------------------- folders


def beside_folder(project_path: str | Path) -> Path:
    """The backups folder beside the project: ``<folder>/<name>.backups``."""
    p = Path(project_path)
    return p.with_name(p.stem + ".backups")


def fallback_folder(project_path: str | Path) -> Path:
    """The backups folder in the user data directory (for projects in read-only folders)."""
    p = Path(os.path.abspath(project_path))
    digest = hashlib.sha1(str(p).encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return settings.data_dir() / "backups" / f"{p.stem}-{digest}"


def _writable_folder(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
        return True
    except OSError:
        return False


def backup_folder(project_path: str | Path, create: bool = True) -> Path:
    """Where new backups of the project go (beside it when writable, else user data)."""
    beside = beside_folder(project_path)
    if not create:
        return beside if beside.is_dir() else fallback_folder(project_path)
    if _writable_folder(beside):
        return beside
    fallback = fallback_folder(project_path)
    if not _writable_folder(fallback):
        raise BackupFailed(f"no writable folder for backups of {Path(project_path).name}")
    return fallback


# --------------------------------------------------------------------------- listing


def _stamp_time(stamp: str) -> _dt.datetime:
    """The time a stamp (:data:`_STAMP`, digits only) says; ValueError if none. Read by hand:
    strptime's first use compiles its locale's patterns, a few milliseconds of every start."""
    day, time_ = stamp.split("-")
    return _dt.datetime(
        int(day[:4]), int(day[4:6]), int(day[6:]), int(time_[:2]), int(time_[2:4]), int(time_[4:])
    )


def _parse(path: Path) -> BackupInfo | None:
    m = _NAME_RE.match(path.name)
    if not m:
        return None
    try:
        created = _stamp_time(m["stamp"])
        size = path.stat().st_size
    except (ValueError, OSError):
        return None
    return BackupInfo(path, created, size)


def list_backups(project_path: str | Path) -> list[BackupInfo]:
    """The project's backups, oldest first (beside it and in the user data directory)."""
    stem = Path(project_path).stem
    found: dict[Path, BackupInfo] = {}
    for folder in (beside_folder(project_path), fallback_folder(project_path)):
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            info = _parse(entry)
            match = _NAME_RE.match(entry.name)
            if info is not None and match is not None and match["stem"] == stem:
                found[entry] = info
    return sorted(found.values(), key=_order)


def _order(info: BackupInfo) -> tuple:
    m = _NAME_RE.match(info.path.name)
    return (info.created, int(m["n"]) if m and m["n"] else 1, str(info.path))


def backups_hint(project_path: str | Path) -> str:
    """A short pointer to the project's backups for error messages ("" when there are none)."""
    backups = list_backups(project_path)
    if not backups:
        return ""
    folder = backups[-1].path.parent
    return (
        f"{len(backups)} backup{'s' if len(backups) != 1 else ''} in {folder} (newest "
        f"{backups[-1].created:%Y-%m-%d %H:%M}): File → Restore from backup…, or 'coder restore'"
    )


def with_hint(message: str, project_path: str | Path) -> str:
    """An error message about a project, with where its backups are when it has any."""
    hint = backups_hint(project_path)
    return f"{message}. {hint}" if hint else message


# --------------------------------------------------------------------------- state


def _file_signature(project_path: Path) -> dict[str, int] | None:
    """Size and modification time of the project file and its WAL: what 'changed' means."""
    try:
        st = os.stat(project_path)
    except OSError:
        return None
    sig = {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
    try:
        wal = os.stat(str(project_path) + "-wal")
        if wal.st_size:
            sig.update(wal_size=wal.st_size, wal_mtime_ns=wal.st_mtime_ns)
    except OSError:
        pass
    return sig


def _state_path(folder: Path) -> Path:
    return folder / STATE_FILE


def _read_state(folder: Path) -> dict:
    try:
        value = json.loads(_state_path(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _write_state(folder: Path, state: dict) -> None:
    with contextlib.suppress(OSError, CoderError):
        files.write_text(_state_path(folder), json.dumps(state, indent=2))


# File times tick coarsely (a few ms, seconds on some file systems): a file written this
# shortly before its backup may change again without its size or time changing.
_FRESH_NS = 3_000_000_000


# Closing any descriptor of a file drops every POSIX lock this process holds on it, SQLite's
# included: another process reading the project (``coder codings`` while the window is open)
# then finds it unused on closing, checkpoints it and deletes the WAL under the open
# connection, whose later edits nobody else sees. So the descriptor that hashes a project
# stays open until the project closes (:func:`release`).
_descriptors: dict[str, int] = {}


def _descriptor(path: Path) -> int:
    key = os.path.realpath(path)
    fd = _descriptors.get(key)
    if fd is not None and os.fstat(fd).st_ino != os.stat(key).st_ino:
        os.close(fd)  # the file was replaced: that descriptor holds no lock of ours
        fd = None
    if fd is None:
        fd = _descriptors[key] = os.open(key, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    return fd


def release(path: Path) -> None:
    """Close the descriptor kept for ``path`` (after its SQLite connections closed)."""
    fd = _descriptors.pop(os.path.realpath(path), None)
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)


def _sha1(path: Path) -> str | None:
    digest = hashlib.sha1()
    try:
        fd = _descriptor(path)
        os.lseek(fd, 0, os.SEEK_SET)
        for chunk in iter(lambda: os.read(fd, 1 << 20), b""):
            digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def _source_state(project_path: Path) -> dict:
    sig = _file_signature(project_path)
    state: dict = {"source": sig}
    if sig is not None and time.time_ns() - sig["mtime_ns"] < _FRESH_NS:
        state["sha1"] = _sha1(project_path)
    return state


def changed_since_backup(project_path: str | Path) -> bool:
    """Whether the project file differs from when its newest backup was made."""
    project_path = Path(project_path)
    if not list_backups(project_path):
        return True
    folder = backup_folder(project_path, create=False)
    state = _read_state(folder)
    if state.get("source") != _file_signature(project_path):
        return True
    if state.get("sha1"):
        if state["sha1"] != _sha1(project_path):
            return True
        if time.time_ns() - state["source"]["mtime_ns"] >= _FRESH_NS:
            # The same content, and its time is settled: any later write ticks it, so the
            # size and time tell from now on and later opens need not read the whole file.
            del state["sha1"]
            _write_state(folder, state)
    return False


# --------------------------------------------------------------------------- making backups


def _new_backup_path(folder: Path, stem: str) -> Path:
    stamp = _dt.datetime.now().strftime(_STAMP)
    # Several in one second are numbered after every earlier one (even a pruned one).
    taken = [
        int(m["n"] or 1)
        for m in (_NAME_RE.match(f.name) for f in folder.glob(f"*-{stamp}*.coder*"))
        if m and m["stem"] == stem and m["stamp"] == stamp
    ]
    state = _read_state(folder).get("backup", "")
    m = _NAME_RE.match(state) if isinstance(state, str) else None
    if m and m["stem"] == stem and m["stamp"] == stamp:
        taken.append(int(m["n"] or 1))
    if not taken:
        return folder / f"{stem}-{stamp}.coder"
    return folder / f"{stem}-{stamp}-{max(taken) + 1}.coder"


def _integrity(conn: sqlite3.Connection) -> str:
    """ "ok", or the first problem PRAGMA integrity_check reports."""
    return _check(conn, "integrity_check")


def _check(conn: sqlite3.Connection, pragma: str) -> str:
    """ "ok", or the first problem ``PRAGMA pragma`` reports, in one line with the number of
    the others (SQLite may list hundreds, several to a row)."""
    try:
        rows = conn.execute(f"PRAGMA {pragma}").fetchall()
    except sqlite3.DatabaseError as e:
        return str(e)
    if rows == [("ok",)]:
        return "ok"
    problems = [
        line.strip()
        for (row,) in rows
        for line in str(row).splitlines()
        if line.strip() and not line.startswith("*** in database")
    ] or ["no result"]
    more = len(problems) - 1
    return problems[0] + (f" (and {more:,} more problem{'s' * (more > 1)})" if more else "")


_CORRUPT_CODES = (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB


def _is_corruption(error: sqlite3.Error) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _CORRUPT_CODES
    text = str(error).lower()
    return "malformed" in text or "not a database" in text


def _integrity_quick(conn: sqlite3.Connection) -> str:
    return _check(conn, "quick_check")


def copy_database(source: sqlite3.Connection, target: Path) -> None:
    """Copy ``source`` into the file ``target`` (consistent, rollback journal, verified); write
    it through :func:`coder.core.files.atomic_path`, which syncs it to disk.

    Raises ProjectFileError when the copy fails its integrity check (the source is damaged);
    ``target`` is removed on any failure.
    """
    dest = sqlite3.connect(str(target), isolation_level=None)
    try:
        try:
            source.backup(dest)  # all pages in one step: one consistent snapshot
        except sqlite3.DatabaseError as e:
            if _is_corruption(e):
                raise ProjectFileError(f"the copy failed: {e}") from None
            raise
        dest.execute("PRAGMA journal_mode = DELETE")
        problem = _integrity(dest)
        if problem != "ok":
            raise ProjectFileError(f"integrity check failed: {problem}")
    except BaseException:
        dest.close()
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.unlink(str(target) + suffix)
        raise
    dest.close()


def _prune(project_path: Path, folder: Path, keep: int) -> None:
    mine = [b for b in list_backups(project_path) if b.path.parent == folder]
    for old in mine[:-keep] if keep > 0 else []:
        with contextlib.suppress(OSError):
            old.path.unlink()


def backup_now(project: Project) -> Path:
    """Make a verified backup of the open project now; returns its path.

    Raises ProjectFileError when the project itself is damaged (the bad copy is deleted), and
    BackupFailed when no backup could be written.
    """
    folder = backup_folder(project.path)
    target = _new_backup_path(folder, project.path.stem)
    part = target.with_name(target.name + ".part")
    conn = project.db.conn
    leftovers.sweep(folder, leftovers.BACKUP_PART)  # copies cut short by a kill: room first
    try:
        source = _source_state(project.path)
        with leftovers.claimed(part):
            try:
                copy_database(conn, part)
                files.sync_file(part)
                os.replace(part, target)
            except BaseException:  # a failure, or a stop (Ctrl+C, SIGTERM): no copy left
                with contextlib.suppress(OSError):
                    part.unlink()
                raise
        files.sync_folder(folder)
    except ProjectFileError as e:
        raise ProjectFileError(
            f"{project.path} is damaged ({str(e)}); no backup was made. "
            + (backups_hint(project.path) or "Open it read-only to copy out what you can")
        ) from None
    except (OSError, sqlite3.Error) as e:
        raise BackupFailed(f"backup of {project.path.name} into {folder} failed: {e}") from None
    _write_state(folder, {**source, "backup": target.name})
    _sessions[project] = (_change_marker(project), time.monotonic())
    _errors.pop(project, None)
    _prune(project.path, folder, keep_count())
    return target


def sweep_leftovers(project_path: Path) -> None:
    """Remove what a killed export, restore or backup left beside the project and in its
    backups folders (only Coder's own temporary files no running Coder is writing)."""
    leftovers.sweep(project_path.parent, leftovers.EXPORT_PART)
    leftovers.sweep(project_path.parent, leftovers.COPY_PART)
    for folder in {beside_folder(project_path), fallback_folder(project_path)}:
        if folder.is_dir():
            leftovers.sweep(folder, leftovers.BACKUP_PART)


def on_open(project: Project) -> Path | None:
    """The backup made when a project opens for writing, if its file changed since the last.

    A damaged project raises ProjectFileError (it must not be edited further); a backup that
    cannot be written does not stop the opening (:func:`last_error` tells why).
    """
    if project.read_only:
        return None
    sweep_leftovers(project.path)
    backups = list_backups(project.path)
    recent = (
        backups
        and (_dt.datetime.now() - backups[-1].created).total_seconds()
        < MIN_SECONDS_BETWEEN_OPEN_BACKUPS
    )
    if not changed_since_backup(project.path):
        _sessions[project] = (_change_marker(project), time.monotonic())
        return None
    if recent:
        # No new copy so soon, but a changed file is still checked before anyone edits it.
        problem = _integrity_quick(project.db.conn)
        if problem != "ok":
            raise ProjectFileError(
                with_hint(f"{project.path} is damaged ({problem})", project.path)
            )
        _sessions[project] = (_change_marker(project), time.monotonic())
        return None
    try:
        return backup_now(project)
    except BackupFailed as e:
        _errors[project] = str(e)
        _sessions[project] = (_change_marker(project), time.monotonic())
        return None


def _change_marker(project: Project) -> tuple[int, int]:
    """Changes by this connection (total_changes) and by others, e.g. an import worker's
    (data_version changes when another connection commits)."""
    conn = project.db.conn
    try:
        data_version = conn.execute("PRAGMA data_version").fetchone()[0]
    except sqlite3.Error:
        data_version = -1
    return conn.total_changes, data_version


def maybe_backup(project: Project, interval: float | None = None) -> Path | None:
    """The periodic backup: made when the project changed and ``interval`` minutes passed.

    The window calls this on a timer (every minute is fine). Returns the new backup or None.
    Raises BackupFailed/ProjectFileError like :func:`backup_now`.
    """
    if project.read_only or getattr(project, "_closed", False):
        return None
    minutes = interval_minutes() if interval is None else interval
    changes, when = _sessions.get(project, (None, float("-inf")))
    if _change_marker(project) == changes:
        return None
    if time.monotonic() - when < minutes * 60:
        return None
    return backup_now(project)


def last_error(project: Project) -> str | None:
    """Why the last automatic backup of this project failed, or None."""
    return _errors.get(project)


# --------------------------------------------------------------------------- restoring


def verify(backup_path: str | Path) -> None:
    """Raise ProjectFileError unless ``backup_path`` is an intact Coder project."""
    backup_path = Path(backup_path)
    check_file(backup_path)
    conn = sqlite3.connect(f"file:{backup_path.as_posix()}?mode=ro", uri=True)
    try:
        problem = _integrity(conn)
    finally:
        conn.close()
    if problem != "ok":
        raise ProjectFileError(f"{backup_path} is damaged ({problem}); choose another backup")
