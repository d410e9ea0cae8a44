"""python -m benchmarks [--quick] [--json] [--only NAME ...]

Builds the synthetic corpora on first use (cached under build/benchmark-cache, or
CODER_BENCH_CACHE), runs every measurement and prints a table of medians with the min–max
spread, against the targets in docs/performance.md. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import traceback
from pathlib import Path

# Before anything imports Qt: measure on the offscreen platform (no display needed).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def machine() -> dict[str, str]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    try:
        import PySide6
        from PySide6 import QtCore

        qt = f"PySide6 {PySide6.__version__}, Qt {QtCore.qVersion()}"
    except ImportError:
        qt = "PySide6 not installed"
    import sqlite3

    return {
        "cpus": str(os.cpu_count()),
        "cpu": cpu or platform.machine(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "qt": qt,
        "sqlite": sqlite3.sqlite_version,
    }


def main(argv: list[str] | None = None) -> int:
    from benchmarks import explore, measure, windows
    from benchmarks.timing import Result

    groups = {**measure.GROUPS, **explore.GROUPS, **windows.GROUPS}
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n\n")[1]
    )
    parser.add_argument(
        "--quick", action="store_true", help="target sizes only, fewer runs (< 1 minute)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        choices=list(groups),
        help="run only these groups: " + ", ".join(groups),
    )
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        if not args.json:
            print(f"  … {message}", file=sys.stderr, flush=True)

    results = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="coder-bench-") as tmp:
        # Settings, recent projects and backups of the benchmark go to a throwaway folder.
        os.environ["CODER_DATA_DIR"] = str(Path(tmp) / "userdata")
        ctx = measure.Context(quick=args.quick, tmp=Path(tmp), log=log)
        # In a full run the window groups report their freezes themselves.
        for name in args.only or [g for g in groups if g != windows.FREEZE]:
            log(f"{name}")
            t0 = time.perf_counter()
            try:
                rows = groups[name](ctx)
            except Exception as e:  # one broken measurement must not hide the others
                traceback.print_exc(file=sys.stderr)
                message = str(e).strip().splitlines()[0] if str(e).strip() else ""
                rows = [
                    Result(name, name, "-", missing=f"error: {type(e).__name__}: {message}"[:120])
                ]
            results.extend(rows)
            log(f"{name}: {time.perf_counter() - t0:.1f} s")
    elapsed = time.perf_counter() - started

    failed = [r for r in results if r.status in ("FAIL", "ERROR")]
    if args.json:
        json.dump(
            {
                "machine": machine(),
                "quick": args.quick,
                "seconds": round(elapsed, 1),
                "results": [r.as_dict() for r in results],
            },
            sys.stdout,
            indent=2,
            ensure_ascii=False,
        )
        print()
    else:
        from benchmarks.timing import table

        m = machine()
        print(table(results))
        print()
        missed = sum(r.status == "FAIL" for r in results)
        targets = sum(r.status in ("pass", "FAIL") for r in results)
        errors = sum(r.status == "ERROR" for r in results)
        summary = f"{missed} of {targets} targets missed" + (
            f"; {errors} measurements failed" if errors else ""
        )
        print(
            f"{m['cpus']} CPUs ({m['cpu']}), {m['os']}; Python {m['python']}, {m['qt']}, "
            f"SQLite {m['sqlite']}. {'Quick run' if args.quick else 'Full run'} "
            f"in {elapsed:.0f} s; "
            f"{summary}."
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
