"""The measurements: one function per group, each returning rows of :class:`Result`.

Targets come from docs/performance.md. A group whose code is not in the tree yet returns a row
marked "n/a" instead of failing, so the harness runs at every stage of the project.
"""

from __future__ import annotations

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import corpus, editing
from benchmarks.corpus import Spec
from benchmarks.pseudonymise import pseudonymise
from benchmarks.timing import Result, measure

# One transcript with its codings, for the document view: 1x, 3x and 10x.
DOCUMENT = {
    1: Spec(1, 300_000, 5_000, cases=1),
    3: Spec(1, 900_000, 15_000, cases=1),
    10: Spec(1, 3_000_000, 50_000, cases=1),
}
# 50,000 codings spread over 100 interviews (500 in each).
SPREAD = Spec(100, 50_000, 50_000)
# A year of fieldwork: 100 interviews of 50,000 characters, 60 cases, 20,000 codings (1.0),
# and smaller slices of it with the same proportions.
FIELDWORK = {
    0.1: Spec(10, 50_000, 2_000),
    0.25: Spec(25, 50_000, 5_000),
    0.3: Spec(30, 50_000, 6_000),
    1.0: Spec(100, 50_000, 20_000),
}
# A laptop-sized window (the offscreen screen is 800x800; windows may be larger), and the
# document pane of such a window with the docks beside it.
WINDOW = (1600, 1000)
VIEW = (900, 900)


@dataclass
class Context:
    quick: bool
    tmp: Path
    log: Callable[[str], None]

    def runs(self, full: int, quick: int = 1) -> int:
        return quick if self.quick else full

    def sizes(self, sizes: list, quick: list) -> list:
        return quick if self.quick else sizes

    def folder(self, name: str) -> Path:
        path = Path(tempfile.mkdtemp(prefix=name + "-", dir=self.tmp))
        return path


def _missing(
    name: str, work: str, size: str, target: float | None, why: str, unit: str = "s"
) -> Result:
    return Result(name, work, size, unit=unit, target=target, missing=why)


def _module(dotted: str):
    """Import a module of the app, or None when that part is not built yet."""
    import importlib

    try:
        return importlib.import_module(dotted)
    except ModuleNotFoundError as e:
        if e.name and (dotted == e.name or dotted.startswith(e.name + ".")):
            return None
        raise


# ------------------------------------------------------------------------------ baseline


def baseline(ctx: Context) -> list[Result]:
    """A pure-Python reference loop: scale the other figures by it on another machine."""

    def work(_):
        total = 0
        for i in range(2_000_000):
            total += i & 7
        return total

    return [
        Result(
            "baseline",
            "Reference: pure-Python loop, 2M iterations",
            "-",
            measure(work, ctx.runs(5, 3)),
            note="machine speed",
        )
    ]


# ------------------------------------------------------------------------------ import


def import_turn_dense(ctx: Context) -> list[Result]:
    """Import a transcript with the turn density of real interviews (speaker detection is most
    of the parsing); 1 MB and 10 MB have targets."""
    from coder.core.project import Project
    from coder.core.text import detect_turns

    out = []
    for mb in ctx.sizes([1, 3, 10], [1, 10]):
        folder = ctx.folder("import-text")
        src = folder / f"interview-{mb}mb.txt"
        text = corpus.text_of_size(mb * 1_000_000)
        src.write_text(text, encoding="utf-8")
        turns = len(detect_turns(text)) / (len(text.encode("utf-8")) / 1e6)
        counter = iter(range(1000))

        def setup():
            return Project.create(folder / f"p{next(counter)}.coder")

        def run(project):
            project.import_file(src)

        def done(project):
            assert project.documents()[0].characters > mb * 900_000
            project.close()

        samples = measure(run, ctx.runs(5, 3) if mb == 1 else ctx.runs(3), setup, done)
        out.append(
            Result(
                "import_turn_dense",
                "Import a plain-text transcript dense in speaker turns (stored, indexed)",
                f"{mb} MB",
                samples,
                target={1: 0.1, 10: 1.0}.get(mb),
                note=f"{turns:,.0f} turns per MB",
            )
        )
        if mb in (1, 10):
            out += _undo_import(ctx, setup, src, mb)
    return out


def _undo_import(ctx: Context, setup: Callable[[], Any], src: Path, mb: int) -> list[Result]:
    """Undo, then redo, of that import in the core: what Ctrl+Z and Ctrl+Y cost."""

    def imported(undone: bool) -> Callable[[], Any]:
        def make():
            project = setup()
            changes = project.import_file(src)
            if undone:
                project.undo(changes)
            return project, changes

        return make

    def close(state):
        state[0].close()

    runs = ctx.runs(3, 1)
    undo = measure(lambda s: s[0].undo(s[1]), runs, imported(False), close)
    redo = measure(lambda s: s[0].redo(s[1]), runs, imported(True), close)
    work = "Undo / redo that import (core: turns read once and deleted, or written back)"
    return [
        Result("import_turn_dense", work, f"{mb} MB, undo", undo),
        Result("import_turn_dense", work, f"{mb} MB, redo", redo),
    ]


def import_docx(ctx: Context) -> list[Result]:
    from coder.core.project import Project

    out = []
    for n in ctx.sizes([10, 30, 100], [100]):
        ctx.log(f"generating {n} .docx transcripts (cached)")
        files = sorted(corpus.docx_transcripts(100).glob("*.docx"))[:n]
        folder = ctx.folder("import-docx")
        counter = iter(range(1000))
        calls: list[int] = []

        def setup():
            calls.clear()
            return Project.create(folder / f"p{next(counter)}.coder")

        def run(project):
            report = project.import_files(
                files, progress=lambda done, total, path: calls.append(done)
            )
            assert len(report.imported) == n and not report.failed, report.failed

        def done(project):
            assert len(calls) == n  # the progress bar is fed once per file
            project.close()

        samples = measure(run, ctx.runs(3, 1), setup, done)
        out.append(
            Result(
                "import_docx",
                "Import .docx transcripts of ~10 pages (with progress)",
                f"{n} files",
                samples,
                target=5.0 if n == 100 else None,
            )
        )
    return out


# ------------------------------------------------------------------------------ queries


SEARCHES = [
    ("landlord", "common word"),
    ("Kraków", "rare word"),
    ("спасибо большое", "non-Latin phrase"),
    ("neighbour*", "prefix"),
]


def search(ctx: Context) -> list[Result]:
    from coder.core.project import Project

    out = []
    for scale in ctx.sizes([0.1, 0.3, 1.0], [1.0]):
        spec = FIELDWORK[scale]
        path = corpus.ensure(spec)
        with Project.open(path, read_only=True) as project:
            for query, kind in SEARCHES:
                hits = project.search(query)
                assert hits, f"no hits for {query!r}"
                samples = measure(lambda _: project.search(query), ctx.runs(9, 5))
                out.append(
                    Result(
                        "search",
                        f"Full-text search, {kind} ('{query}', up to 200 hits)",
                        f"{spec.documents} docs, {corpus._human(spec.characters)} chars",
                        samples,
                        target=0.05 if scale == 1.0 else None,
                    )
                )
    return out


def frequencies(ctx: Context) -> list[Result]:
    from coder.core.project import Project
    from coder.core.query import frequencies as freq

    out = []
    for scale in ctx.sizes([0.1, 0.3, 1.0], [1.0]):
        spec = FIELDWORK[scale]
        with Project.open(corpus.ensure(spec), read_only=True) as project:
            table = freq(project, "case")
            analysed = min(spec.cases, spec.documents)  # cases with a document (one each here)
            assert len(table.rows) == 40 and table.total == analysed
            samples = measure(lambda _: freq(project, "case"), ctx.runs(9, 5))
        out.append(
            Result(
                "frequencies",
                "Frequencies by case (40 codes)",
                f"{analysed} cases, {spec.codings:,} codings",
                samples,
                target=0.05 if scale == 1.0 else None,
            )
        )
    return out


# ------------------------------------------------------------------------------ coding (core)


def _passages(
    project, doc_id: int, n: int, seed: int = 7, within: int = 3000, after: int = 0
) -> list[tuple[int, int]]:
    """``n`` sentence-long passages starting in [after, within) of a document."""
    text = project.document_text(doc_id)
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        s = rng.randrange(after, min(within, len(text) - 200))
        out.append((s, s + rng.randint(40, 160)))
    return out


def apply_coding_core(ctx: Context) -> list[Result]:
    from coder.core.project import Project

    out = []
    for factor in ctx.sizes([1, 3, 10], [10]):
        spec = DOCUMENT[factor]
        path = corpus.working_copy(spec, ctx.folder("apply"))
        with Project.open(path) as project:
            doc_id = project.documents()[0].id
            code_id = project.codes()[5].id
            passages = iter(_passages(project, doc_id, 50))

            def run(_):
                s, e = next(passages)
                project.apply_code(doc_id, code_id, s, e, coder="Amira")

            samples = measure(run, ctx.runs(15, 7))
        out.append(
            Result(
                "apply_coding",
                "Apply one coding: write only (core service, durable commit)",
                f"{spec.codings:,} codings in the transcript",
                samples,
                note="no repaint",
            )
        )
    return out


# ------------------------------------------------------------------------------ window


def open_document(ctx: Context) -> list[Result]:
    """Show a transcript with its codings in the real document view: until the first paint (a
    big one shows its start first), and until every coding is shown and painted."""
    work = "Open a transcript in the document view until every coding is shown (stripes too)"
    sizes = ctx.sizes([1, 3, 10], [1, 10])
    view_mod = _module("coder.ui.views.document_view")
    if view_mod is None:
        return [
            _missing("open_document", work, DOCUMENT[f].label(), 0.05 * f, "not built")
            for f in sizes
        ]
    from benchmarks import gui
    from coder.core.project import Project

    gui.app()
    out = []
    for factor in sizes:
        spec = DOCUMENT[factor]
        with Project.open(corpus.ensure(spec), read_only=True) as project:
            doc_id = project.documents()[0].id
            view = view_mod.DocumentView()
            view.resize(*VIEW)
            view.show()
            gui.settle()
            watch = gui.PaintWatch(view, view.viewport())
            late: list[int] = []
            firsts: list[float] = []

            def setup():
                view.clear_document()
                gui.settle()
                return watch.paints

            def run(since):
                t0 = time.perf_counter()
                view.set_document(project, doc_id)
                if gui.run_until(lambda: watch.paints > since, timeout=60) is None:
                    late.append(1)
                firsts.append(time.perf_counter() - t0)
                gui.run_until(lambda: not view.loading, timeout=120)
                painted = watch.paints
                view.viewport().update()
                gui.run_until(lambda: watch.paints > painted, timeout=60)

            samples = measure(run, ctx.runs(5, 3), setup)
            assert len(view.spans) == spec.codings, (len(view.spans), spec.codings)
            view.close()
            view.deleteLater()
            gui.settle()
        size = f"{corpus._human(spec.characters)} chars, {spec.codings:,} codings"
        out.append(
            Result(
                "open_document",
                work,
                size,
                samples,
                target=0.05 * factor if factor in (1, 10) else None,
                note="no paint seen" if late else "",
            )
        )
        out.append(Result("open_document", "same, to the first paint", size, firsts))
    return out


def apply_coding(ctx: Context) -> list[Result]:
    """Apply one coding through the window (undo stack, every dock, repaint), and the core
    write alone for comparison.

    Two shapes of a project with 50,000 codings: all of them in the transcript on screen (the
    worst case: the view and the documents list recount that transcript's codings), and a
    year of fieldwork, 100 transcripts with 500 codings each.
    """
    out = apply_coding_core(ctx)
    work = "Apply one coding in the window (write, undo step, docks, repaint)"
    cases = [(DOCUMENT[f], f == 10, "in the transcript shown") for f in ctx.sizes([1, 3, 10], [10])]
    cases.append((SPREAD, True, "over 100 transcripts"))
    window_mod = _module("coder.ui.main_window")
    if window_mod is None:
        return out + [
            _missing(
                "apply_coding",
                work,
                f"{spec.codings:,} codings {where}",
                0.005 if target else None,
                "not built",
            )
            for spec, target, where in cases
        ]
    from benchmarks import gui

    gui.app()
    for spec, has_target, where in cases:
        path = corpus.working_copy(spec, ctx.folder("apply-window"))
        window = window_mod.MainWindow()
        window.show()
        window.showNormal()  # a small screen starts the window maximised; measure at WINDOW
        window.resize(*WINDOW)
        assert window.open_project(path)
        gui.settle()
        project = window.project
        doc_id = project.documents()[0].id
        window.show_document(doc_id)
        gui.settle()
        code_id = project.codes()[5].id
        view = window.view
        watch = gui.PaintWatch(view, view.viewport())
        # Passages on screen (the user codes what they see; an edit off screen paints nothing).
        first, last = (view.pm.to_codepoint(u) for u in view.visible_range())
        passages = iter(_passages(project, doc_id, 60, seed=11, within=last - 200, after=first))
        late = []

        def setup():
            gui.settle()
            return watch.paints

        def run(since):
            s, e = next(passages)
            ok = window.push(
                "Apply code", lambda: project.apply_code(doc_id, code_id, s, e, coder="Amira")
            )
            assert ok
            if not watch.wait(since, timeout=5):
                late.append(1)

        samples = measure(run, ctx.runs(15, 7), setup)
        window.close_project()
        window.close()
        window.deleteLater()
        gui.settle()
        out.append(
            Result(
                "apply_coding",
                work,
                f"{spec.codings:,} codings {where}",
                samples,
                target=0.005 if has_target else None,
                note="no paint seen" if late else "",
            )
        )
    return out


# ------------------------------------------------------------------------------ processes


def _env(ctx: Context, **extra: str) -> dict[str, str]:
    """The environment of a measured process: offscreen Qt, and compiled modules kept (in a
    folder of the run) as an installed Coder has them; with PYTHONDONTWRITEBYTECODE set, every
    new process would compile Coder's modules again, which no user waits for."""
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(ctx.tmp / "pycache")
    env.update(extra)
    return env


def _probe(ctx: Context, *args: str, env: dict | None = None) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.probe", *args],
        cwd=corpus.REPO,
        env=env or _env(ctx),
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"probe {args[0]} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------------ report, exchange


def report(ctx: Context) -> list[Result]:
    """The Word report of every coding, each a highlighted quote, as the first report of a new
    process: the time includes importing the report's modules and opening the project (the
    writing alone is in the note). In a process of its own, so its peak memory is its own."""
    work = "Word report, every coding as a quote, first in a new process (imports included)"
    scales = ctx.sizes([0.1, 0.3, 1.0], [0.1])
    if _module("coder.core.export.report") is None:
        return [
            _missing("report", work, f"{FIELDWORK[s].codings:,} quotes", None, "not built")
            for s in scales
        ]
    out = []
    memory = []
    for scale in scales:
        spec = FIELDWORK[scale]
        path = corpus.ensure(spec)
        folder = ctx.folder("report")
        runs = []
        for i in range(ctx.runs(5 if scale < 1 else 3, 1)):
            r = _probe(ctx, "report", str(path), str(folder / f"report-{i}.docx"))
            assert r["quotes"] == spec.codings, r
            runs.append(r)
        target = {0.1: 1.0, 1.0: 5.0}.get(scale)
        writing = sorted(r["seconds"] for r in runs)[len(runs) // 2]
        out.append(
            Result(
                "report",
                work,
                f"{spec.codings:,} quotes",
                [r["total"] for r in runs],
                target=target,
                note=f"writing alone {writing:.2f} s; {runs[0]['bytes'] / 1e6:.1f} MB file",
                cpu=[r["total_cpu"] for r in runs],
            )
        )
        memory.append(
            Result(
                "report",
                "Word report: memory it adds (peak RSS minus before)",
                f"{spec.codings:,} quotes",
                [r["maxrss_mb"] - r["before_mb"] for r in runs],
                unit="MB",
            )
        )
    return out + memory


def export_qdpx(ctx: Context) -> list[Result]:
    work = "QDPX export (REFI-QDA project)"
    scales = ctx.sizes([0.25, 1.0], [0.25])
    mod = _module("coder.core.refi.qdpx")
    if mod is None:
        return [
            _missing("qdpx", work, f"{FIELDWORK[s].codings:,} codings", None, "not built")
            for s in scales
        ]
    from coder.core.project import Project

    out = []
    for scale in scales:
        spec = FIELDWORK[scale]
        folder = ctx.folder("qdpx")
        counter = iter(range(1000))
        with Project.open(corpus.ensure(spec), read_only=True) as project:

            def run(_):
                mod.export_qdpx(project, folder / f"export-{next(counter)}.qdpx")

            samples = measure(run, ctx.runs(5, 3))
        size = (folder / "export-0.qdpx").stat().st_size
        out.append(
            Result(
                "qdpx",
                work,
                f"{spec.documents} docs, {spec.codings:,} codings",
                samples,
                target=0.2 if scale == 0.25 else None,
                note=f"{size / 1e6:.1f} MB file",
            )
        )
    return out


# ------------------------------------------------------------------------------ start-up, memory


def _cpu_of(pid: int) -> float | None:
    """CPU seconds a running process has used so far (every thread), where /proc tells."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def startup(ctx: Context) -> list[Result]:
    """``python -m coder`` reopening the last project, until the window has painted with it
    (the app reports that on stderr when CODER_QUIT_AFTER_START_MS is set, then quits)."""
    work = "Start to a usable window with the last project"
    spec = FIELDWORK[1.0]
    size = f"{spec.documents} docs, {spec.codings:,} codings"
    if _module("coder.ui.app") is None:
        return [_missing("startup", work, size, 0.5, "not built")]
    folder = ctx.folder("startup")
    path = corpus.working_copy(spec, folder)
    data = folder / "userdata"
    env = _env(ctx, CODER_DATA_DIR=str(data), CODER_QUIT_AFTER_START_MS="0")
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from coder.core import settings; settings.add_recent_project(sys.argv[1])",
            str(path),
        ],
        env=env,
        check=True,
        cwd=corpus.REPO,
    )

    def start() -> tuple[float, float, float, float]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "coder"],
            env=env,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            cwd=folder,
        )
        ready = ready_cpu = None
        lines = []
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if line.startswith("coder: started"):
                ready = time.perf_counter() - t0
                ready_cpu = _cpu_of(proc.pid)
                if path.stem not in line:
                    raise RuntimeError(f"the last project was not reopened: {line.strip()}")
        proc.wait(timeout=120)
        if ready is None or proc.returncode != 0:
            raise RuntimeError("coder did not start:\n" + "".join(lines[-20:]))
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        return ready, time.perf_counter() - t0, cpu, cpu if ready_cpu is None else ready_cpu

    start()  # warm the disk cache and .pyc files; the first open also makes the backup
    runs = [start() for _ in range(ctx.runs(5, 3))]
    base, base_cpu = [], []
    for _ in range(ctx.runs(5, 3)):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        base.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        base_cpu.append((after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime))
    return [
        Result(
            "startup",
            work,
            size,
            [r[0] for r in runs],
            target=0.5,
            cpu=[r[3] for r in runs],
            note=f"until exit {statistics.median(r[1] for r in runs):.2f} s, "
            f"CPU {statistics.median(r[2] for r in runs):.2f} s; CPU is start to the window",
        ),
        Result(
            "startup",
            "Reference: start and stop the Python interpreter alone",
            "-",
            base,
            cpu=base_cpu,
        ),
    ]


def bundle(ctx: Context) -> list[Result]:
    """The size of the desktop bundle (one folder), as built by ``pytest -m packaging
    tests/packaging`` (or packaging/build.sh) into dist/Coder, or the folder in CODER_BUNDLE."""
    work = "Desktop bundle (one folder, PyInstaller)"
    folder = Path(os.environ.get("CODER_BUNDLE") or corpus.REPO / "dist" / "Coder")
    if not folder.is_dir():
        why = "not built: pytest -m packaging tests/packaging builds dist/Coder"
        return [_missing("bundle", work, "-", 150, why, unit="MB")]
    files = [f for f in folder.rglob("*") if f.is_file() and not f.is_symlink()]
    built = max(f.stat().st_mtime for f in files)
    return [
        Result(
            "bundle",
            work,
            f"{len(files):,} files",
            [sum(f.stat().st_size for f in files) / 1e6],
            unit="MB",
            target=150,
            note=f"{folder}, built {time.strftime('%Y-%m-%d %H:%M', time.localtime(built))}",
        )
    ]


def memory(ctx: Context) -> list[Result]:
    work = "Peak memory: window, project open, every document shown in turn"
    spec = FIELDWORK[1.0]
    size = f"{spec.documents} docs, {spec.codings:,} codings"
    if _module("coder.ui.main_window") is None:
        return [_missing("memory", work, size, 250, "not built", unit="MB")]
    path = corpus.working_copy(spec, ctx.folder("memory"))
    runs = [_probe(ctx, "memory", str(path)) for _ in range(ctx.runs(3, 1))]
    empty = [_probe(ctx, "memory", "-") for _ in range(ctx.runs(3, 1))]
    assert all(r["documents"] == spec.documents and r["codings"] == spec.codings for r in runs), (
        runs
    )
    return [
        Result("memory", work, size, [r["maxrss_mb"] for r in runs], unit="MB", target=250),
        Result(
            "memory",
            "Reference: peak memory of the window with no project",
            "-",
            [r["maxrss_mb"] for r in empty],
            unit="MB",
        ),
    ]


def open_check(ctx: Context) -> list[Result]:
    """The check every open makes of what SQLite cannot check (coder.core.invariants): a fresh
    connection each run, so the documents' lengths are counted every time."""
    import sqlite3

    from sqlite_utils import Database

    from coder.core import invariants
    from coder.core.services.lengths import TextLengths

    spec = FIELDWORK[1.0]
    path = corpus.working_copy(spec, ctx.folder("open-check"))

    def setup():
        db = Database(sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True))
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # schema read untimed
        return db

    def run(db):
        assert invariants.problem(db, TextLengths(db).lengths) is None

    samples = measure(run, ctx.runs(10, 3), setup, lambda db: db.conn.close())
    size = f"{spec.documents} docs, {spec.codings:,} codings"
    work = "Check a project on opening (codebook, references, passages inside their text)"
    return [Result("open_check", work, size, samples, target=0.03)]


def hostile_files(ctx: Context) -> list[Result]:
    """Each hostile file of benchmarks/bombs.py through the command line, in a fresh process:
    the time until it is refused and the process's peak memory (the attacks at their original
    size; --quick: just big enough to cross each limit)."""
    from benchmarks import bombs

    out = []
    for bomb in bombs.BOMBS:
        ctx.log(f"hostile file: {bomb.name}")
        folder = ctx.folder(f"bomb-{bomb.name}")
        runs = [bombs.measure(bomb, folder, timeout=300, small=ctx.quick)
                for _ in range(ctx.runs(3, 1))]  # fmt: skip
        size = f"{runs[0].file_bytes / 1024:,.0f} KB file"
        work = f"Refuse a hostile file: {bomb.attack}"
        wrong = [o for o in runs if o.returncode not in (0, 1) or "Traceback" in o.message]
        if wrong:
            out.append(_missing("bombs", work, size, 5, f"error: {wrong[0]}"))
            continue
        note = runs[0].message.removeprefix("coder: ").removeprefix("error: ")[:90]
        out.append(Result("bombs", work, size, [o.seconds for o in runs], target=5, note=note,
                          cpu=[o.cpu_seconds for o in runs]))  # fmt: skip
        out.append(Result("bombs", "same, peak memory of the process", size,
                          [o.peak_mb for o in runs], unit="MB", target=300))  # fmt: skip
    return out


# ------------------------------------------------------------------------------ registry

GROUPS: dict[str, Callable[[Context], list[Result]]] = {
    "baseline": baseline,
    "open_document": open_document,
    "apply_coding": apply_coding,
    "edit_text": editing.edit_text,
    "import_turn_dense": import_turn_dense,
    "import_docx": import_docx,
    "report": report,
    "qdpx": export_qdpx,
    "search": search,
    "frequencies": frequencies,
    "startup": startup,
    "memory": memory,
    "bundle": bundle,
    "open_check": open_check,
    "bombs": hostile_files,
    "pseudonymise": pseudonymise,
}
