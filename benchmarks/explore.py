"""Auto-coding and text exploration: auto-code a term, word frequencies, similar passages."""

from __future__ import annotations

from benchmarks import corpus
from benchmarks.measure import FIELDWORK, Context
from benchmarks.timing import Result, Samples, measure


def autocode(ctx: Context) -> list[Result]:
    """Code every sentence holding a common word across 100 transcripts, one transaction."""
    from coder.core.autocode import Rule
    from coder.core.autocode import autocode as run
    from coder.core.project import Project

    spec = FIELDWORK[1.0]
    path = corpus.working_copy(spec, ctx.folder("autocode"))
    out = []
    with Project.open(path) as project:
        for unit in ("match", "sentence"):
            rules = [Rule("Landlord (auto)", search="landlord")]
            made: list = []

            def once(_: object, rules: list = rules, unit: str = unit, made: list = made) -> None:
                made.append(run(project, rules, unit=unit, coder="bench")[1])

            def undo(_: object, made: list = made) -> None:
                project.undo(made.pop())

            samples = measure(once, ctx.runs(7, 3), teardown=undo)
            plan, changes = run(project, rules, unit=unit, coder="bench")
            project.undo(changes)
            out.append(
                Result(
                    "autocode",
                    f"Auto-code a common word ('landlord', unit {unit}), written, one undo step",
                    f"{spec.documents} docs, {corpus._human(spec.characters)} chars",
                    samples,
                    target=1.0,
                    note=f"{len(plan.codings):,} codings",
                )
            )
    return out


def words(ctx: Context) -> list[Result]:
    from coder.core.project import Project
    from coder.core.query.words import kwic, word_frequencies
    from coder.core.stopwords import stopwords

    spec = FIELDWORK[1.0]
    stop = stopwords("en")
    out = []
    with Project.open(corpus.ensure(spec), read_only=True) as project:
        rows = word_frequencies(project, stop=stop)
        samples = measure(lambda _: word_frequencies(project, stop=stop), ctx.runs(5, 3))
        out.append(
            Result(
                "words",
                "Word frequencies, every word of every text (English stop words left out)",
                f"{spec.documents} docs, {corpus._human(spec.characters)} chars",
                samples,
                target=1.0,
                note=f"{len(rows):,} distinct words",
            )
        )
        for label, term in (("a common word", rows[0].word), ("a rare word", rows[-1].word)):
            hits = kwic(project, term)

            def find(_: object, term: str = term) -> object:
                return kwic(project, term)

            samples = measure(find, ctx.runs(5, 3))
            out.append(
                Result(
                    "words",
                    f"Keyword in context, every hit of {label} ('{term}')",
                    f"{spec.documents} docs, {corpus._human(spec.characters)} chars",
                    samples,
                    note=f"{len(hits):,} hits",
                )
            )
    return out


def similar(ctx: Context) -> list[Result]:
    from coder.core.project import Project
    from coder.core.query.similar import SimilarityIndex, similar_passages
    from coder.core.text import paragraphs

    spec = FIELDWORK[1.0]
    out = []
    with Project.open(corpus.ensure(spec), read_only=True) as project:
        index = SimilarityIndex()
        build = measure(lambda _: SimilarityIndex().refresh(project), ctx.runs(3, 1))
        index.refresh(project)
        docs = [d.id for d in project.documents()]
        queries = []
        for doc_id in docs[:: max(1, len(docs) // 10)]:
            spans = paragraphs(project.document_text(doc_id))
            s, e = spans[len(spans) // 2]
            queries.append((doc_id, s, e))

        def query(_: object) -> object:
            return [similar_passages(project, d, s, e, index=index) for d, s, e in queries]

        samples = measure(query, ctx.runs(5, 3))
        per_query = Samples()
        per_query.extend(x / len(queries) for x in samples)
        per_query.cpu = [x / len(queries) for x in samples.cpu]
        out.append(
            Result(
                "similar",
                "Similar passages: index every paragraph (BM25)",
                f"{spec.documents} docs, {corpus._human(spec.characters)} chars",
                build,
            )
        )
        out.append(
            Result(
                "similar",
                "Similar passages: one query (a paragraph), index up to date",
                f"{spec.documents} docs, {corpus._human(spec.characters)} chars",
                per_query,
                target=0.1,
                note=f"mean of {len(queries)} queries",
            )
        )
    return out


GROUPS = {"autocode": autocode, "words": words, "similar": similar}
