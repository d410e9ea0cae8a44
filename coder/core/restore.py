"""Restoring a backup into a new project file."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from coder.core.backup import copy_database, verify
from coder.core.errors import CoderError, InvalidValue, ProjectFileError
from coder.core.project import Project
from coder.core.projectfile import EXTENSION


def restore(backup_path: str | Path, new_path: str | Path) -> Path:
    """Copy a backup into a new project file (never over an existing file); returns it.

    The backup is verified first, and the restored file is opened once as a project.
    """
    backup_path, new_path = Path(backup_path), Path(new_path)
    if new_path.suffix.lower() != EXTENSION:
        raise InvalidValue(f"{new_path}: a project file name must end with {EXTENSION}")
    if new_path.exists() or Path(str(new_path) + "-wal").exists():
        raise InvalidValue(f"{new_path} already exists; restore into a new file name")
    if not new_path.parent.is_dir():
        raise InvalidValue(f"{new_path.parent}: no such folder")
    if os.path.abspath(new_path) == os.path.abspath(backup_path):
        raise InvalidValue("restore a backup into a new file, not onto itself")
    verify(backup_path)
    part = new_path.with_name(f".{new_path.name}.{os.getpid()}.part")
    source = sqlite3.connect(f"file:{backup_path.as_posix()}?mode=ro", uri=True)
    try:
        copy_database(source, part)
    except ProjectFileError as e:
        raise ProjectFileError(f"{backup_path} is damaged ({e}); choose another backup") from None
    except (OSError, sqlite3.Error) as e:
        raise CoderError(f"{new_path} cannot be written: {e}") from None
    finally:
        source.close()
    try:
        try:
            os.link(part, new_path)  # fails if the name was taken meanwhile: never overwrite
        except FileExistsError:
            raise InvalidValue(f"{new_path} already exists; restore into a new file name") from None
        except OSError:
            if new_path.exists():
                raise InvalidValue(
                    f"{new_path} already exists; restore into a new file name"
                ) from None
            os.replace(part, new_path)  # file systems without hard links
    finally:
        with contextlib.suppress(OSError):
            part.unlink()
    try:
        Project.open(new_path, read_only=True).close()
    except CoderError:
        with contextlib.suppress(OSError):
            new_path.unlink()
        raise
    return new_path
