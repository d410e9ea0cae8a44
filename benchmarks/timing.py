"""Results, repeated timing and the table/JSON output."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Result:
    """One measured row: a piece of work at one size, several samples."""

    name: str  # the benchmark group (for --only)
    work: str  # what the user waits for
    size: str
    samples: list[float] = field(default_factory=list)
    unit: str = "s"  # "s" or "MB"
    target: float | None = None  # in ``unit``; None when the size has no target of its own
    note: str = ""
    missing: str = ""  # why it could not be measured ("not built", ...)
    cpu: list[float] = field(default_factory=list)  # CPU seconds per run, where measured

    def __post_init__(self) -> None:
        if not self.cpu and isinstance(self.samples, Samples):
            self.cpu = list(self.samples.cpu)
        self.samples = list(self.samples)

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    @property
    def status(self) -> str:
        if self.missing.startswith("error"):
            return "ERROR"
        if self.missing:
            return "n/a"
        median = self.median
        if self.target is None or median is None:
            return "-"
        return "pass" if median <= self.target else "FAIL"

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "work": self.work,
            "size": self.size,
            "unit": self.unit,
            "runs": len(self.samples),
            "median": self.median,
            "min": min(self.samples) if self.samples else None,
            "max": max(self.samples) if self.samples else None,
            "samples": self.samples,
            "cpu_median": statistics.median(self.cpu) if self.cpu else None,
            "target": self.target,
            "status": self.status,
            "note": self.note or self.missing,
        }


class Samples(list):
    """Wall-clock seconds per run, with the process's CPU seconds per run in ``cpu``."""

    def __init__(self) -> None:
        super().__init__()
        self.cpu: list[float] = []


def measure(
    fn: Callable[[Any], Any],
    runs: int,
    setup: Callable[[], Any] | None = None,
    teardown: Callable[[Any], Any] | None = None,
) -> Samples:
    """Time ``fn(state)`` ``runs`` times; ``setup()`` makes ``state`` untimed before each run.

    Wall time is what the user waits for. CPU time (every thread of this process) is the work
    itself: on a shared machine, wall time far above CPU time means waiting for a core (or
    for the disk, e.g. the fsync of a durable commit).
    """
    samples = Samples()
    for _ in range(runs):
        state = setup() if setup else None
        c0 = time.process_time()
        t0 = time.perf_counter()
        fn(state)
        samples.append(time.perf_counter() - t0)
        samples.cpu.append(time.process_time() - c0)
        if teardown:
            teardown(state)
    return samples


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "MB":
        return f"{value:.0f} MB"
    if value < 1e-3:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1e3:.1f} ms" if value < 0.1 else f"{value * 1e3:.0f} ms"
    return f"{value:.2f} s"


def fmt_target(r: Result) -> str:
    if r.target is None:
        return "-"
    return "≤ " + fmt(r.target, r.unit)


def table(results: list[Result]) -> str:
    """A Markdown table (readable in a terminal, pasteable into the README)."""
    head = ["Work", "Size", "Median", "Min–max", "CPU", "Runs", "Target", "Result"]
    rows = []
    for r in results:
        if r.missing:
            rows.append([r.work, r.size, "n/a", r.missing, "-", "0", fmt_target(r), r.status])
            continue
        spread = f"{fmt(min(r.samples), r.unit)} – {fmt(max(r.samples), r.unit)}"
        status = r.status + (f" ({r.note})" if r.note else "")
        cpu = fmt(statistics.median(r.cpu), "s") if r.cpu else "-"
        rows.append(
            [
                r.work,
                r.size,
                fmt(r.median, r.unit),
                spread,
                cpu,
                str(len(r.samples)),
                fmt_target(r),
                status,
            ]
        )
    widths = [
        max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(head)
    ]
    lines = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    return "\n".join(lines)
