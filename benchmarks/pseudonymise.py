"""A pseudonymised copy of a year's fieldwork slice (``coder pseudonymise``): every speaker
label replaced in 25 transcripts of 50,000 characters, 5,000 codings following, the copy's
search index rebuilt, VACUUM, and the written file searched for the originals."""

from __future__ import annotations

from typing import Any

from benchmarks import corpus
from benchmarks.corpus import Spec
from benchmarks.timing import Result, measure

# The same slice as the QDPX export's smaller size (FIELDWORK[0.25] in benchmarks.measure).
SLICE = Spec(25, 50_000, 5_000)


def pseudonymise(ctx: Any) -> list[Result]:
    from coder.core.project import Project
    from coder.core.pseudonymise.project import pseudonymise_project

    folder = ctx.folder("pseudonymise")
    counter = iter(range(1000))
    replaced = 0
    with Project.open(corpus.working_copy(SLICE, folder)) as project:
        for i in range(1, SLICE.cases + 1):
            project.add_pseudonym(f"P{i:02d}", f"R{i:02d}", category="person")

        def run(_: Any) -> None:
            nonlocal replaced
            replaced = pseudonymise_project(project, folder / f"new-{next(counter)}.coder").replaced

        samples = measure(run, ctx.runs(3, 1))
    return [
        Result(
            "pseudonymise",
            "Pseudonymised copy of the project (coder pseudonymise)",
            f"{SLICE.documents} docs, {SLICE.codings:,} codings",
            samples,
            note=f"{replaced:,} replacements",
        )
    ]
