"""Measurements that need a process of their own (peak memory is per process).

    python -m benchmarks.probe memory PROJECT|-      window with the project; every document shown
    python -m benchmarks.probe report PROJECT OUT    Word report of every coding

Each prints one JSON object on stdout. ``maxrss_mb`` is the process's peak resident memory
(VmHWM on Linux, getrusage elsewhere), ``before_mb`` the peak before the measured work started.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from collections.abc import Callable

STARTED = time.perf_counter()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _maxrss_mb() -> float:
    """Peak resident memory of this process, in MB.

    On Linux this is VmHWM: getrusage's ru_maxrss of a child starts at its parent's size at
    fork and survives exec, so a small probe started by a big harness would report the
    harness's peak.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (
        rss / 1024 / 1024 if sys.platform == "darwin" else rss / 1024
    )  # bytes on macOS, KiB elsewhere


def _cpu_seconds() -> float:
    """CPU time of this process so far (user and system), interpreter start-up included."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def memory(path: str) -> dict:
    from coder.ui.app import make_application
    from coder.ui.main_window import MainWindow

    app = make_application(["coder"])
    window = MainWindow()
    window.show()
    window.showNormal()  # a small screen starts the window maximised; measure at this size
    window.resize(1600, 1000)
    app.processEvents()
    before = _maxrss_mb()
    shown = codings = 0
    t0 = time.perf_counter()
    if path != "-":
        assert window.open_project(path), "the project did not open"
        app.processEvents()
        project = window.project
        assert project is not None
        codings = project.db.execute("SELECT count(*) FROM codings").fetchone()[0]
        # A working session: every document opened in turn, each painted.
        for doc in project.documents():
            window.show_document(doc.id)
            window.repaint()
            app.processEvents()
            shown += 1
    seconds = time.perf_counter() - t0
    result = {
        "maxrss_mb": _maxrss_mb(),
        "before_mb": before,
        "documents": shown,
        "codings": codings,
        "seconds": seconds,
    }
    window.close_project()
    return result


def report(path: str, out: str) -> dict:
    """The report as a user's first one in a new process: ``total`` includes importing the
    report's modules and opening the project; ``seconds`` is the writing alone."""
    from coder.core.export import report as report_module
    from coder.core.project import Project

    with Project.open(path, read_only=True) as project:
        before = _maxrss_mb()
        c0 = time.process_time()
        t0 = time.perf_counter()
        result = report_module.write_report(project, out)
        seconds = time.perf_counter() - t0
        cpu = time.process_time() - c0
    return {
        "total": time.perf_counter() - STARTED,
        "total_cpu": _cpu_seconds(),
        "seconds": seconds,
        "cpu": cpu,
        "quotes": result.quotes,
        "maxrss_mb": _maxrss_mb(),
        "before_mb": before,
        "bytes": os.path.getsize(out),
    }


def main(argv: list[str]) -> int:
    kind, *args = argv
    probes: dict[str, Callable[..., dict]] = {"memory": memory, "report": report}
    result = probes[kind](*args)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
