"""Errors a person can act on: each carries a one-line message."""

from __future__ import annotations

import errno
import sqlite3
from typing import Any


class CoderError(Exception):
    """Base for every error shown to a user (CLI: stderr + exit 1; GUI: a dialog)."""


class ImportFailed(CoderError):
    """A file could not be imported (missing, unreadable, wrong format, too big, ...)."""


class ProjectFileError(CoderError):
    """A path is not a usable Coder project (not SQLite, other app, newer version, corrupt)."""


class ProjectLocked(CoderError):
    """Another process is writing the project.

    ``info`` says who holds it (a ``coder.core.lock.LockInfo``, or None when unknown) and
    ``path`` which project, for the window's read-only or cancel choice.
    """

    info: Any = None
    path: Any = None


class NotFound(CoderError):
    """A named object (document, code, case, coder, coding) does not exist."""


class Ambiguous(CoderError):
    """A name matches more than one object."""


class InvalidValue(CoderError):
    """A value given by the user is not acceptable (bad colour, empty name, bad range...)."""


class ExchangeError(CoderError):
    """A REFI-QDA file cannot be used at all (hostile, corrupt or not REFI-QDA)."""


class ProjectNotWritable(CoderError):
    """A project cannot be changed where it is (a read-only disk or folder, a full disk); it
    can still be opened read-only. ``reason`` says why in a few words, ``advice`` what to do
    to change it."""

    reason = ""
    advice = "Copy it to a folder you can write to change it."


# --------------------------------------------------------------------------- one-line reasons

_ERRNO_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the disk is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EISDIR: "it is a folder",
    errno.ENOENT: "no such file or folder",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EIO: "the disk could not be read or written (input/output error)",
    errno.ELOOP: "it is a symbolic link",
    errno.ENAMETOOLONG: "the name is too long",
}


def file_reason(error: OSError) -> str:
    """Why a file operation failed, in words for people ("the disk is full")."""
    return _ERRNO_REASONS.get(error.errno or 0) or (error.strerror or str(error)).lower()


def file_problem(error: OSError) -> str:
    """A failed file operation as one line naming the file."""
    name = error.filename if error.filename is not None else ""
    return f"{name}: {file_reason(error)}" if name else file_reason(error)


_SQLITE_REASONS = {
    5: "it is busy (another program is writing it); try again",  # SQLITE_BUSY
    8: "it cannot be written (it is read-only)",  # SQLITE_READONLY
    10: "the disk could not be read or written (is it full, or was it removed?)",  # IOERR
    11: "it is damaged; restore it from its backups folder",  # SQLITE_CORRUPT
    13: "the disk is full; nothing was changed",  # SQLITE_FULL
    14: "it cannot be opened (its folder cannot be read or written)",  # SQLITE_CANTOPEN
    26: "it is not a database or it is damaged; restore it from its backups folder",  # NOTADB
}


def database_problem(error: sqlite3.Error) -> str:
    """What went wrong with a project file, in words for people (from SQLite's error code)."""
    code = getattr(error, "sqlite_errorcode", None)
    reason = _SQLITE_REASONS.get(code & 0xFF) if isinstance(code, int) else None
    return f"{reason} ({error})" if reason else f"the project file could not be used ({error})"


def is_damage(error: sqlite3.Error) -> bool:
    """Whether SQLite found the file damaged (not a full disk or a busy file)."""
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB
    text = str(error).lower()
    return "malformed" in text or "not a database" in text
