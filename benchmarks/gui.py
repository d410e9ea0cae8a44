"""Helpers for timing the window on Qt's offscreen platform: what the user waits for is the
call, the layout and the first paint of the visible region, so a timing stops only after the
widget has painted and the events that paint queued have run."""

from __future__ import annotations

import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def app():
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(["coder-benchmarks"])


def settle(rounds: int = 3) -> None:
    """Run the events already queued (and those they queue), a few rounds."""
    qapp = app()
    for _ in range(rounds):
        qapp.processEvents()


class PaintWatch:
    """Counts paint events on some widgets (an event filter that never swallows events)."""

    def __init__(self, *widgets) -> None:
        from PySide6.QtCore import QEvent, QObject

        paint = QEvent.Type.Paint
        watch = self
        self.paints = 0

        class _Filter(QObject):
            def eventFilter(self, obj, event):
                if event.type() == paint:
                    watch.paints += 1
                return False

        self._filter = _Filter()
        for w in widgets:
            w.installEventFilter(self._filter)

    def wait(self, since: int, timeout: float = 60.0) -> bool:
        """Process events until a paint happened after ``since`` (then flush once more)."""
        qapp = app()
        deadline = time.perf_counter() + timeout
        while self.paints == since:
            qapp.processEvents()
            if time.perf_counter() > deadline:
                return False
        qapp.processEvents()
        return True
