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


class Heartbeat:
    """A 10 ms QTimer on the GUI thread; the longest gap between two ticks is the longest time
    the window could not react (a click, a key, a repaint) — the freeze a user feels.

    ``cpu_gaps`` are the GUI thread's own CPU seconds between two ticks: the work that blocked
    the event loop, without the time spent waiting for a core. On a busy machine the wall-clock
    gaps grow with the load; these do not, so they say whether a change made the window freer.
    """

    def __init__(self, interval_ms: int = 10) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.gaps: list[float] = []
        self.cpu_gaps: list[float] = []
        self._last = self._last_cpu = 0.0

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        self.gaps.append(now - self._last)
        self.cpu_gaps.append(cpu - self._last_cpu)
        self._last, self._last_cpu = now, cpu

    def start(self) -> None:
        self.gaps, self.cpu_gaps = [], []
        self._last, self._last_cpu = time.perf_counter(), time.thread_time()
        self.timer.start()

    def stop(self) -> float:
        """Stop; the longest gap in seconds (the last one up to now included)."""
        self._tick()
        self.timer.stop()
        return max(self.gaps)

    def over(self, seconds: float) -> int:
        """How many gaps were longer than ``seconds``."""
        return sum(g > seconds for g in self.gaps)


def run_until(condition, timeout: float = 120.0, poll_ms: int = 2) -> float | None:
    """Run the event loop (idle waits release the GIL, as in the real application, unlike a
    processEvents() spin) until ``condition()`` is true; the time it became true, or None
    after ``timeout`` seconds."""
    from PySide6.QtCore import QEventLoop, QTimer

    if condition():
        return time.perf_counter()
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(poll_ms)
    seen: list[float] = []
    deadline = time.perf_counter() + timeout

    def check() -> None:
        if condition():
            seen.append(time.perf_counter())
            loop.quit()
        elif time.perf_counter() > deadline:
            loop.quit()

    poll.timeout.connect(check)
    poll.start()
    loop.exec()
    poll.stop()
    return seen[0] if seen else None


def run_for(seconds: float) -> None:
    """Let the event loop run for a while (work queued for later turns, late repaints)."""
    end = time.perf_counter() + seconds
    run_until(lambda: time.perf_counter() >= end, timeout=seconds + 1)
