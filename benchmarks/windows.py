"""The window as the user feels it: each action timed from the click in a new session, with the
longest freeze of the event loop on the way (a 10 ms QTimer heartbeat; the longest gap between
two ticks). Every run is a process of its own (:mod:`benchmarks.window_probe`), so the first
use of a window pays for its imports, as it does for a user.

Each group returns its timing rows and ``longest_freeze`` rows; the ``longest_freeze`` group
runs them all and keeps only the freezes.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial

from benchmarks import corpus
from benchmarks.corpus import SEED, Spec
from benchmarks.measure import DOCUMENT, FIELDWORK, Context, _env, _missing, _module
from benchmarks.timing import Result

FREEZE = "longest_freeze"
FREEZE_TARGET = 0.05  # seconds, on the 100-transcript / 20,000-coding project
FREEZE_TARGET_HUGE = 0.1  # at 3M characters / 50,000 codings
# A team member's copy to merge in: 50 other interviews with 10,000 codings.
MERGED = Spec(50, 50_000, 10_000, seed=SEED + 1)


def _run_probe(ctx: Context, *args: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.window_probe", *args],
        cwd=corpus.REPO,
        env=_env(ctx),
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"window probe {args[0]} failed:\n{proc.stderr[-2000:]}")
    return json.loads(lines[-1])


def _copy(ctx: Context, spec: Spec, i: int) -> str:
    """A fresh working copy of the corpus for run ``i`` (each run writes: a lock, a backup)."""
    return str(corpus.working_copy(spec, ctx.folder(f"run{i}")))


_warm: set[str] = set()


def _runs(ctx: Context, kind: str, args: Callable[[int], list[str]], full: int = 5) -> list[dict]:
    """The action in ``full`` new processes (2 in --quick), after one untimed run that leaves
    the modules it imports compiled, as in an installed Coder."""
    if kind not in _warm:
        _run_probe(ctx, kind, *args(-1))
        _warm.add(kind)
    return [_run_probe(ctx, kind, *args(i)) for i in range(ctx.runs(full, 2))]


def _freeze(work: str, size: str, runs: list[dict], target: float = FREEZE_TARGET) -> Result:
    over = statistics.median(r["over_50ms"] for r in runs)
    return Result(
        FREEZE,
        f"Longest freeze: {work}",
        size,
        [r["freeze"] for r in runs],
        target=target,
        note=f"{over:g} gaps over 50 ms (median); CPU is the GUI thread's in the longest gap",
        cpu=[r["freeze_cpu"] for r in runs],
    )


def _not_built(name: str, work: str, size: str, target: float | None) -> list[Result]:
    return [
        _missing(name, work, size, target, "not built"),
        _missing(FREEZE, work, size, FREEZE_TARGET, "not built"),
    ]


def _fieldwork() -> tuple[Spec, str]:
    spec = FIELDWORK[1.0]
    return spec, f"{spec.documents} transcripts, {spec.codings:,} codings"


# ------------------------------------------------------------------------------ the groups


def analysis_window(ctx: Context) -> list[Result]:
    """Analysis → Frequencies and co-occurrence…: click to the table on screen painted."""
    work = "Analysis window usable: click to the table on screen painted"
    spec, size = _fieldwork()
    if _module("coder.ui.views.analysis_window") is None:
        return _not_built("analysis_window", work, size, 0.3)
    runs = _runs(ctx, "analysis", lambda i: [_copy(ctx, spec, i)])
    return [
        Result(
            "analysis_window",
            work,
            size,
            [r["first"] for r in runs],
            target=0.3,
            cpu=[r["cpu"] for r in runs],
        ),
        Result(
            "analysis_window",
            "Analysis window: every table and chart shown",
            size,
            [r["done"] for r in runs],
        ),
        _freeze("opening the Analysis window", size, runs),
    ]


def _until_done(
    ctx: Context, name: str, kind: str, module: str, work: str, freeze: str, note: str = ""
) -> list[Result]:
    """An action on a fresh copy of the 100-transcript project: until all it shows is
    painted, and its longest freeze. ``{rows}`` in ``note`` is the rows it showed."""
    spec, size = _fieldwork()
    if _module(module) is None:
        return _not_built(name, work, size, None)
    runs = _runs(ctx, kind, lambda i: [_copy(ctx, spec, i)])
    done = [r["done"] for r in runs]
    note = note.format(rows=runs[0].get("rows"))
    return [
        Result(name, work, size, done, cpu=[r["cpu"] for r in runs], note=note),
        _freeze(freeze, size, runs),
    ]


def agreement_window(ctx: Context) -> list[Result]:
    """Team → Agreement…: click to the figures of the two coders painted."""
    return _until_done(
        ctx,
        "agreement_window",
        "agreement",
        "coder.ui.views.agreement_window",
        "Agreement window, two coders: click to the figures painted",
        "agreement, two coders",
        note="{rows} rows",
    )


def merge_window(ctx: Context) -> list[Result]:
    """File → Merge project…: the Merge button to the result shown (backup, merge, undo step)."""
    work = "Merge a project of 10,000 codings in the window: Merge to the result shown"
    spec, size = _fieldwork()
    size = f"{MERGED.codings:,} codings into {size}"
    if _module("coder.ui.dialogs.merge_dialog") is None:
        return _not_built("merge_window", work, size, None)
    other = corpus.ensure(MERGED)
    runs = _runs(
        ctx,
        "merge",
        lambda i: [_copy(ctx, spec, i), str(other)],
        full=3,
    )
    # Every coding comes in but for the few the generator drew twice (a merge adds a passage
    # coded twice alike once).
    assert all(r["codings"] > 0.98 * MERGED.codings for r in runs), runs
    return [
        Result("merge_window", work, size, [r["done"] for r in runs], cpu=[r["cpu"] for r in runs]),
        _freeze("merging 10,000 codings", size, runs),
    ]


def report_window(ctx: Context) -> list[Result]:
    """File → Export → Word report…, first in a new session: menu to the file written."""
    work = "Word report from the window, first in a session: menu to the file written"
    spec = FIELDWORK[0.1]
    size = f"{spec.codings:,} quotes"
    if _module("coder.ui.features.report") is None:
        return _not_built("report_window", work, size, None)
    folder = ctx.folder("report-window")

    def args(i: int) -> list[str]:
        return [_copy(ctx, spec, i), str(folder / f"report-{i}.docx")]

    runs = _runs(ctx, "report", args)
    return [
        Result(
            "report_window", work, size, [r["done"] for r in runs], cpu=[r["cpu"] for r in runs]
        ),
        _freeze("writing the Word report", size, runs),
    ]


def report_fresh_process(ctx: Context) -> list[Result]:
    """``coder report`` as a new process: interpreter start, imports, the report, exit."""
    work = "Word report as a new process (coder report: start, imports, writing, exit)"
    spec = FIELDWORK[0.1]
    size = f"{spec.codings:,} quotes"
    if _module("coder.core.export.report") is None:
        return [_missing("report_fresh_process", work, size, 1.0, "not built")]
    path = corpus.ensure(spec)
    folder = ctx.folder("report-process")
    samples, cpu = [], []
    for i in range(-1, ctx.runs(5, 2)):  # the first run compiles the modules: not counted
        out = folder / f"report-{i}.docx"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "coder", "report", str(path), "-o", str(out)],
            cwd=folder,
            env=_env(ctx),
            capture_output=True,
            text=True,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if i >= 0:
            samples.append(time.perf_counter() - t0)
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        if proc.returncode != 0 or not out.is_file():
            raise RuntimeError(f"coder report failed:\n{proc.stderr[-2000:]}")
    return [
        Result(
            "report_fresh_process",
            work,
            size,
            samples,
            target=1.0,
            cpu=cpu,
            note="CPU is the whole process's",
        )
    ]


def _open_args(path: object, _run: int) -> list[str]:
    return [str(path), "1"]


def open_in_window(ctx: Context) -> list[Result]:
    """A click on a transcript in the Documents list until its text is painted."""
    work = "Open a transcript in the window: click to the text painted"
    cases: list[tuple[Spec, float | None]] = [
        (DOCUMENT[1], FREEZE_TARGET),
        (DOCUMENT[10], FREEZE_TARGET_HUGE),
    ]
    if not ctx.quick:
        cases.insert(1, (DOCUMENT[3], None))
    if _module("coder.ui.main_window") is None:
        return _not_built("open_in_window", work, DOCUMENT[1].label(), None)
    out = []
    for spec, target in cases:
        size = f"{corpus._human(spec.characters)} chars, {spec.codings:,} codings"
        folder = ctx.folder("open")
        path = corpus.working_copy(spec, folder)
        runs = _runs(ctx, "open", partial(_open_args, path), full=3)
        out.append(
            Result(
                "open_in_window",
                work,
                size,
                [r["done"] for r in runs],
                cpu=[r["cpu"] for r in runs],
            )
        )
        if target is not None:
            out.append(_freeze(f"opening a transcript of {size}", size, runs, target))
    return out


def explore_window(ctx: Context) -> list[Result]:
    """The Explore words tab: word list, a word in context, similar passages, each a click."""
    spec, size = _fieldwork()
    if _module("coder.ui.views.explore_dock") is None:
        return _not_built("explore_window", "Explore words", size, 1.0)
    runs = _runs(ctx, "explore", lambda i: [_copy(ctx, spec, i)], full=3)
    rows = []
    for key, work, target in (
        ("words", "Explore words: click to the word list painted (every text counted)", 1.0),
        ("kwic", "Explore words: click on the most frequent word to its rows in context", None),
        ("similar", "Explore words: Find similar to the rows painted (index built first)", None),
    ):
        rows.append(
            Result(
                "explore_window",
                work,
                size,
                [r[key]["first"] for r in runs],
                target=target,
                cpu=[r[key]["cpu"] for r in runs],
                note=f"{runs[0][key].get('rows', 0):,} rows",
            )
        )
    rows.append(_freeze("the three clicks of Explore words", size, runs))
    return rows


def import_window(ctx: Context) -> list[Result]:
    """The window's longest freeze as an import of 1 MB of a turn-dense transcript arrives from
    its worker (undo step, view, docks), then on Edit → Undo and Edit → Redo of it (the core's
    undo and redo run on the window's thread)."""
    spec, size = _fieldwork()
    if _module("coder.ui.features.file") is None:
        return [_missing(FREEZE, "an import in the window", size, FREEZE_TARGET, "not built")]
    text = ctx.folder("import-window") / "interview-1mb.txt"
    text.write_text(corpus.text_of_size(1_000_000), encoding="utf-8")
    runs = _runs(ctx, "import", lambda i: [_copy(ctx, spec, i), str(text)], full=3)
    size = f"1 MB, {runs[0]['turns']:,} turns, into {size}"
    return [
        _freeze(work, size, [r[key] for r in runs])
        for key, work in (
            ("import", "an import of a transcript shown in the window (undo step, view, docks)"),
            ("undo", "Edit → Undo of that import"),
            ("redo", "Edit → Redo of that import"),
        )
    ]


def project_window(ctx: Context) -> list[Result]:
    """File → Open of the project from the window: checked and backed up (each run's copy is
    new, so it gets its first backup) off the window's thread, then shown dock by dock."""
    return _until_done(
        ctx,
        "project_window",
        "project",
        "coder.ui.main_window",
        "File → Open of a project in the window, to its text painted",
        "opening a project (File → Open)",
        note="its first backup included",
    )


WINDOW_GROUPS: dict[str, Callable[[Context], list[Result]]] = {
    "project_window": project_window,
    "import_window": import_window,
    "explore_window": explore_window,
    "analysis_window": analysis_window,
    "agreement_window": agreement_window,
    "merge_window": merge_window,
    "report_window": report_window,
    "open_in_window": open_in_window,
}


def longest_freeze(ctx: Context) -> list[Result]:
    """Every window action's longest freeze (the actions' own timings left out)."""
    return [r for group in WINDOW_GROUPS.values() for r in group(ctx) if r.name == FREEZE]


GROUPS: dict[str, Callable[[Context], list[Result]]] = {
    **WINDOW_GROUPS,
    "report_fresh_process": report_fresh_process,
    FREEZE: longest_freeze,
}
