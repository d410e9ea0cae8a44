"""Writing a file whole or not at all: exports, reports, settings, REFI-QDA files.

:func:`atomic_path` hands out a temporary file in the target's folder; when the block succeeds
the file is flushed to disk (fsync), given the permissions a new file gets from the user's
umask (or the replaced file's), and renamed onto the target, and the folder is synced so the
rename survives a power cut. A private file (``private=True``: a pseudonymisation key, a
pseudonym list) keeps the temporary file's owner-only mode (0600 on POSIX) from its creation
on, whatever it replaces; Windows has no such mode bits (the folder's access rules apply).
On any failure the temporary file is removed. While it is written the temporary file is
claimed (:mod:`coder.core.leftovers`), so a later write into the same
folder removes what a killed process left there and never a file another Coder is writing.
Backups and restores, which SQLite writes by name, claim their copies the same way and make
them durable with :func:`sync_file` and :func:`sync_folder`.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from coder.core import leftovers
from coder.core.errors import CoderError, InvalidValue, file_reason


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# Read once, at import (os.umask is process-wide; reading it later from a worker thread races).
_UMASK = _read_umask()


def new_file_mode() -> int:
    """The permissions the user's umask gives a new file (0644 with the usual 022)."""
    return 0o666 & ~_UMASK


@contextlib.contextmanager
def atomic_path(path: str | Path, replace: bool = True, private: bool = False) -> Iterator[Path]:
    """A temporary path next to ``path``, moved onto ``path`` only if the block succeeds.

    With ``replace=False`` an existing ``path`` is never overwritten: the move fails with
    :class:`InvalidValue` if the name is taken, even by a file that appeared meanwhile.
    With ``private=True`` the file is readable and writable by its owner only (0600) from its
    first byte on, also where it replaces a file others could read.
    An ``OSError`` in the block (a full disk, a removed drive) becomes one line.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise InvalidValue(f"{path.parent}: no such folder")
    if path.is_dir():
        raise InvalidValue(f"{path} is a folder; give the name of a file to write")
    leftovers.sweep(path.parent, leftovers.EXPORT_PART)  # what a killed write left there
    try:
        fd, name = tempfile.mkstemp(
            prefix=f".{path.stem}-", suffix=path.suffix + ".part", dir=path.parent
        )
    except OSError as e:
        raise CoderError(f"{path} cannot be written: {file_reason(e)}") from None
    fd = leftovers.hold(fd)  # held until the file is in place: no later run takes it for litter
    tmp = Path(name)
    try:
        try:
            yield tmp
            sync_file(tmp)
        except OSError as e:
            raise CoderError(f"{path} could not be written: {file_reason(e)}") from None
        if not private:  # mkstemp made the file private (0600): a private one stays so
            try:
                mode = path.stat().st_mode & 0o7777 if replace else new_file_mode()
            except OSError:
                mode = new_file_mode()
            with contextlib.suppress(OSError):
                os.chmod(tmp, mode)
        _move(tmp, path, replace)
        sync_folder(path.parent)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
        leftovers.release(fd)


def write_bytes(path: str | Path, data: bytes, replace: bool = True, private: bool = False) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_path`)."""
    with atomic_path(path, replace, private) as tmp:
        tmp.write_bytes(data)


def write_text(path: str | Path, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically (see :func:`atomic_path`)."""
    write_bytes(path, text.encode("utf-8"))


def write_csv(
    path: str | Path,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    replace: bool = True,
    private: bool = False,
) -> None:
    """Write a CSV table to ``path`` atomically: UTF-8 with a BOM (so that Excel reads it as
    UTF-8 rather than the local code page) and CRLF line ends; ``replace`` and ``private`` as
    in :func:`atomic_path`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    write_bytes(path, buffer.getvalue().encode("utf-8-sig"), replace, private)


def _move(tmp: Path, path: Path, replace: bool) -> None:
    taken = InvalidValue(f"{path} already exists; choose a new file name")
    try:
        if replace:
            os.replace(tmp, path)
            return
        try:
            os.link(tmp, path)  # fails if the name is taken: never overwrites
        except FileExistsError:
            raise taken from None
        except OSError:
            if path.exists():
                raise taken from None
            os.replace(tmp, path)  # file systems without hard links
    except PermissionError:
        raise InvalidValue(f"{path} cannot be written (is it open in another program?)") from None
    except OSError as e:
        raise CoderError(f"{path} could not be written: {file_reason(e)}") from None


def sync_file(path: Path) -> None:
    """Flush ``path``'s data to the disk."""
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


def sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows has no folder handles to sync)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
