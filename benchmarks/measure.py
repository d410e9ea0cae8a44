"""The measurements: one function per group, each returning rows of :class:`Result`.

Targets come from docs/performance.md. A group whose code is not in the tree yet returns a row
marked "n/a" instead of failing, so the harness runs at every stage of the project.
"""

from __future__ import annotations

import gc
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks import corpus
from benchmarks.corpus import Spec
from benchmarks.timing import Result, measure

# One transcript with its codings, for the document view: 1x, 3x and 10x.
DOCUMENT = {
    1: Spec(1, 300_000, 5_000, cases=1),
    3: Spec(1, 900_000, 15_000, cases=1),
    10: Spec(1, 3_000_000, 50_000, cases=1),
}
# A year of fieldwork: 100 interviews of 50,000 characters, 60 cases, 20,000 codings (1.0),
# and smaller slices of it with the same proportions.
FIELDWORK = {
    0.1: Spec(10, 50_000, 2_000),
    0.25: Spec(25, 50_000, 5_000),
    0.3: Spec(30, 50_000, 6_000),
    1.0: Spec(100, 50_000, 20_000),
}


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


def _missing(name: str, work: str, size: str, target: float | None, why: str, unit: str = "s") -> Result:
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


def import_text(ctx: Context) -> list[Result]:
    from coder.core.project import Project

    out = []
    for mb in ctx.sizes([1, 3, 10], [1]):
        folder = ctx.folder("import-text")
        src = folder / f"interview-{mb}mb.txt"
        src.write_text(corpus.text_of_size(mb * 1_000_000), encoding="utf-8")
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
                "import_text",
                "Import a plain-text transcript (stored + full-text indexed)",
                f"{mb} MB",
                samples,
                target=0.1 * mb if mb == 1 else None,
            )
        )
    return out


def import_docx(ctx: Context) -> list[Result]:
    from coder.core.project import Project

    out = []
    for n in ctx.sizes([10, 30, 100], [100]):
        ctx.log(f"generating {n} .docx transcripts (cached)")
        files = sorted(corpus.docx_transcripts(100).glob("*.docx"))[:n]
        folder = ctx.folder("import-docx")
        counter = iter(range(1000))
        calls = []

        def setup():
            calls.clear()
            return Project.create(folder / f"p{next(counter)}.coder")

        def run(project):
            report = project.import_files(files, progress=lambda done, total, path: calls.append(done))
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
            assert len(table.rows) == 40 and table.total == spec.cases
            samples = measure(lambda _: freq(project, "case"), ctx.runs(9, 5))
        out.append(
            Result(
                "frequencies",
                "Frequencies by case (40 codes)",
                f"{spec.cases} cases, {spec.codings:,} codings",
                samples,
                target=0.05 if scale == 1.0 else None,
            )
        )
    return out


# ------------------------------------------------------------------------------ coding (core)


def _passages(project, doc_id: int, n: int, seed: int = 7, within: int = 3000) -> list[tuple[int, int]]:
    """``n`` sentence-long passages near the top of a document (what the user sees)."""
    text = project.document_text(doc_id)
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        s = rng.randrange(0, min(within, len(text) - 200))
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
                f"{spec.codings:,} codings",
                samples,
                note="no repaint",
            )
        )
    return out


# ------------------------------------------------------------------------------ registry

GROUPS: dict[str, Callable[[Context], list[Result]]] = {
    "baseline": baseline,
    "apply_coding": apply_coding_core,
    "import_text": import_text,
    "import_docx": import_docx,
    "search": search,
    "frequencies": frequencies,
}
