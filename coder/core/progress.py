"""Long tasks (import, export, merge, REFI exchange, the report) tell how far they got and
can be stopped, all the same way.

A task takes ``progress: Progress | None`` and calls ``progress(done, total, label)`` as it
goes; when that returns False the task stops by raising :class:`Cancelled`, having written or
changed nothing (its transaction rolled back, its temporary file removed). The one exception
is a batch of independent imports (``Project.import_files``), where each file is its own
transaction: it stops before the next file and says so in its report.
"""

from __future__ import annotations

from typing import Protocol

from coder.core.errors import CoderError


class Progress(Protocol):
    """``progress(done, total, label)``: False asks the task to stop; None or True go on."""

    def __call__(self, done: int, total: int, label: str, /) -> bool | None: ...


class Cancelled(CoderError):
    """The user stopped a long task; nothing was written or changed."""


def check(
    progress: Progress | None,
    done: int,
    total: int,
    label: str = "",
    message: str = "cancelled; nothing was changed",
) -> None:
    """Report progress; raise :class:`Cancelled` (with ``message``) when asked to stop."""
    if progress is not None and progress(done, total, label) is False:
        raise Cancelled(message)


def stopped(progress: Progress | None, done: int, total: int, label: str = "") -> bool:
    """Report progress; True when asked to stop (for tasks that stop without raising)."""
    return progress is not None and progress(done, total, label) is False
