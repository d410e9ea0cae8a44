"""Exports that leave the app: the Word report, the codebook, quote tables.

Everything here takes a core ``Project`` and a path and runs without a display. Files are
written through :func:`coder.core.files.atomic_path`, so a failure or a cancel never leaves
half a file behind.
"""

from __future__ import annotations

from coder.core.files import atomic_path
from coder.core.progress import Cancelled, Progress, check


def check_progress(progress: Progress | None, done: int, total: int, label: str = "") -> None:
    """Report an export's progress; raise :class:`Cancelled` when asked to stop."""
    check(progress, done, total, label, "export cancelled; no file was written")


__all__ = ["Cancelled", "Progress", "atomic_path", "check_progress"]
