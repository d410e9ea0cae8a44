"""Exports that leave the app: the Word report, the codebook, quote tables.

Everything here takes a core ``Project`` and a path and runs without a display. Files are
written to a temporary file in the target folder and moved into place at the end, so a
failure or a cancel never leaves half a file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from coder.core import leftovers
from coder.core.errors import CoderError, InvalidValue, file_reason

# progress(done, total, label) -> False when the user asked to stop.
Progress = Callable[[int, int, str], bool]


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# Read once, at import (os.umask is process-wide; reading it later from a worker thread races).
_UMASK = _read_umask()


class Cancelled(CoderError):
    """The user stopped an export; nothing was written."""


def check_progress(progress: Progress | None, done: int, total: int, label: str = "") -> None:
    if progress is not None and progress(done, total, label) is False:
        raise Cancelled("export cancelled; no file was written")


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path next to ``path``; moved onto ``path`` only if the block succeeds."""
    path = Path(path)
    if not path.parent.is_dir():
        raise InvalidValue(f"{path.parent}: no such folder")
    if path.is_dir():
        raise InvalidValue(f"{path} is a folder; give the name of a file to write")
    leftovers.sweep(path.parent, leftovers.EXPORT_PART)  # what a killed export left there
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{path.stem}-", suffix=path.suffix + ".part", dir=path.parent
        )
    except OSError as e:
        raise CoderError(f"{path} cannot be written: {file_reason(e)}") from None
    fd = leftovers.hold(fd)  # held until the file is in place: no later run takes it for litter
    tmp_path = Path(tmp)
    try:
        try:
            yield tmp_path
        except OSError as e:  # a full disk, a removed drive: the temporary file goes, one line
            raise CoderError(f"{path} could not be written: {file_reason(e)}") from None
        # mkstemp makes the file private (0600); give it the mode a new file would get.
        try:
            mode = path.stat().st_mode & 0o7777
        except OSError:
            mode = 0o666 & ~_UMASK
        with contextlib.suppress(OSError):
            os.chmod(tmp_path, mode)
        try:
            os.replace(tmp_path, path)
        except PermissionError:
            raise InvalidValue(
                f"{path} cannot be written (is it open in another program?)"
            ) from None
        except OSError as e:
            raise CoderError(f"{path} could not be written: {file_reason(e)}") from None
    finally:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        leftovers.release(fd)
