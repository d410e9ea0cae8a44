"""An undo or redo written on a worker and held there until the test lets it land."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import pytest

from coder.core.store import Store
from coder.ui.views import common


@contextlib.contextmanager
def held_on_a_worker(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Every undo and redo counts as big (written on a worker); the worker's write starts only
    once the event yielded is set (set on leaving, whatever happened)."""
    release = threading.Event()
    monkeypatch.setattr(common, "BULK_ROWS", 0)
    for verb in ("undo", "redo"):
        real = getattr(Store, verb)

        def held(self: Store, changes: object, real: object = real) -> object:
            if threading.current_thread() is not threading.main_thread():
                release.wait(60)
            return real(self, changes)  # type: ignore[operator]

        monkeypatch.setattr(Store, verb, held)
    try:
        yield release
    finally:
        release.set()
