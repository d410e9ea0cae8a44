"""Exports that leave the app: the Word report, the codebook, quote tables.

Everything here takes a core ``Project`` and a path and runs without a display. Files are
written through :func:`coder.core.files.atomic_path`, so a failure or a cancel never leaves
half a file behind.
"""

from __future__ import annotations

from collections.abc import Callable

from coder.core.errors import CoderError
from coder.core.files import atomic_path

# progress(done, total, label) -> False when the user asked to stop.
Progress = Callable[[int, int, str], bool]


class Cancelled(CoderError):
    """The user stopped an export; nothing was written."""


def check_progress(progress: Progress | None, done: int, total: int, label: str = "") -> None:
    if progress is not None and progress(done, total, label) is False:
        raise Cancelled("export cancelled; no file was written")


__all__ = ["Cancelled", "Progress", "atomic_path", "check_progress"]
