"""Restoring a backup into a new project file, and saving a copy of an open project."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from coder.core import files, leftovers
from coder.core.backup import copy_database, verify
from coder.core.errors import (
    CoderError,
    InvalidValue,
    ProjectFileError,
    database_problem,
    file_reason,
)
from coder.core.project import Project
from coder.core.projectfile import EXTENSION


def _check_new_path(new_path: Path, source: Path, what: str) -> None:
    if new_path.suffix.lower() != EXTENSION:
        raise InvalidValue(f"{new_path}: a project file name must end with {EXTENSION}")
    if os.path.abspath(new_path) == os.path.abspath(source):
        raise InvalidValue(f"{what} into a new file, not onto itself")
    if new_path.exists() or Path(str(new_path) + "-wal").exists():
        raise InvalidValue(f"{new_path} already exists; {what} into a new file name")
    if not new_path.parent.is_dir():
        raise InvalidValue(f"{new_path.parent}: no such folder")


def _copy_into_new_file(source: sqlite3.Connection, new_path: Path, what: str) -> None:
    """Copy ``source`` (consistent, verified) into ``new_path``, which must not exist; the file
    appears complete or not at all, and is opened once as a project."""
    part = new_path.with_name(f".{new_path.name}.{os.getpid()}.part")
    leftovers.sweep(part.parent, leftovers.COPY_PART)  # copies cut short by a kill
    try:
        with leftovers.claimed(part):  # no later run takes it for litter while it is written
            copy_database(source, part)
            files.sync_file(part)
            _link_new(part, new_path, what)
        files.sync_folder(new_path.parent)
    except (OSError, sqlite3.Error) as e:
        with contextlib.suppress(OSError):
            part.unlink()
        why = file_reason(e) if isinstance(e, OSError) else database_problem(e)
        raise CoderError(f"{new_path} cannot be written: {why}") from None
    try:
        Project.open(new_path, read_only=True).close()
    except CoderError:
        with contextlib.suppress(OSError):
            new_path.unlink()
        raise


def _link_new(part: Path, new_path: Path, what: str) -> None:
    """Give the finished copy ``part`` the name ``new_path`` unless that name was taken."""
    try:
        try:
            os.link(part, new_path)  # fails if the name was taken meanwhile: never overwrite
        except FileExistsError:
            raise InvalidValue(f"{new_path} already exists; {what} into a new file name") from None
        except OSError:
            if new_path.exists():
                raise InvalidValue(
                    f"{new_path} already exists; {what} into a new file name"
                ) from None
            os.replace(part, new_path)  # file systems without hard links
    finally:
        with contextlib.suppress(OSError):
            part.unlink()


def restore(backup_path: str | Path, new_path: str | Path) -> Path:
    """Copy a backup into a new project file (never over an existing file); returns it.

    The backup is verified first, and the restored file is opened once as a project.
    """
    backup_path, new_path = Path(backup_path), Path(new_path)
    _check_new_path(new_path, backup_path, "restore a backup")
    verify(backup_path)
    source = sqlite3.connect(f"file:{backup_path.as_posix()}?mode=ro", uri=True)
    try:
        _copy_into_new_file(source, new_path, "restore a backup")
    except ProjectFileError as e:
        raise ProjectFileError(f"{backup_path} is damaged ({e}); choose another backup") from None
    finally:
        source.close()
    return new_path


def save_copy(project: Project, new_path: str | Path) -> Path:
    """Copy the open project, as it is now, into a new project file (never over an existing
    file) and return it; the project itself stays open and unchanged."""
    new_path = Path(new_path)
    _check_new_path(new_path, project.path, "save a copy")
    try:
        _copy_into_new_file(project.db.conn, new_path, "save a copy")
    except ProjectFileError as e:
        raise ProjectFileError(f"{project.path} is damaged ({e}); no copy was saved") from None
    return new_path
