"""Growth checks by counting work, never by timing (shared machines are too noisy for that).

The benchmarks (``python -m benchmarks``) time these paths; the tests here pin down why they
scale: which rows and texts are read, and which index structures are rebuilt.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import corpus
from benchmarks.corpus import Spec
from coder.core import search as search_module
from coder.core.project import Project

SMALL = Spec(3, 6_000, 120, cases=4)


def _dump(path: Path) -> tuple:
    with Project.open(path, read_only=True) as p:
        texts = [(d.name, p.document_text(d.id)) for d in p.documents()]
        codings = [(c.document, c.code_path, c.coder, c.start, c.end) for c in p.codings()]
        values = p.attribute_values("case")
        cases = sorted((c.name, tuple(sorted(values.get(c.id, {}).items()))) for c in p.cases())
        return texts, codings, cases, [c.path for c in p.codes()]


def test_corpus_is_deterministic_and_realistic(tmp_path: Path) -> None:
    a = _dump(corpus.build(tmp_path / "a.coder", SMALL))
    b = _dump(corpus.build(tmp_path / "b.coder", SMALL))
    assert a == b
    texts, codings, cases, codes = a
    assert len(texts) == 3 and len(codings) == 120 and len(cases) == 4 and len(codes) == 40
    assert any("/" in c for c in codes)  # nested codes
    assert {c[2] for c in codings} == {"Amira", "Ben"}
    whole = "".join(t for _, t in texts)
    assert "Interviewer: " in whole and "\n\n" in whole
    assert any(ord(ch) > 0xFFFF for ch in whole) or any(ord(ch) > 0x370 for ch in whole)
    text_of = dict(texts)
    for doc, _code, _coder, start, end in codings:
        assert 0 <= start < end <= len(text_of[doc])
    other = _dump(corpus.build(tmp_path / "c.coder", Spec(3, 6_000, 120, cases=4, seed=1)))
    assert other[0] != texts


def _counting(project: Project) -> list[str]:
    statements: list[str] = []
    project.db.conn.set_trace_callback(statements.append)
    return statements


def test_document_texts_are_counted_once(tmp_path: Path) -> None:
    """documents() and every coding's range check would otherwise read whole texts each time."""
    path = corpus.build(tmp_path / "p.coder", SMALL)
    with Project.open(path) as project:
        # The check on opening counted every document once (coder.core.invariants).
        assert set(project.services.lengths.lengths()) == {d.id for d in project.documents()}
        statements = _counting(project)
        first = project.documents()
        assert not [s for s in statements if "length(text)" in s]
        statements.clear()
        doc = first[0]
        for i in range(20):
            project.apply_code(doc.id, project.codes()[0].id, i, i + 10, coder="Amira")
        again = project.documents()
        assert [(d.id, d.characters) for d in again] == [(d.id, d.characters) for d in first]
        assert {d.id: d.codings for d in again}[doc.id] == doc.codings + 20
        assert not [s for s in statements if "length(text)" in s]


@pytest.mark.parametrize("docs", [10, 30])
def test_common_word_search_reads_few_texts(
    tmp_path: Path, docs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hits stop at the limit: a word in every document reads the first few texts, however many
    documents the project has."""
    path = corpus.build(tmp_path / "p.coder", Spec(docs, 20_000, 0, cases=4))
    with Project.open(path, read_only=True) as project:
        texts_read = 0
        original = search_module.blocks.read_text

        def read_text(db, doc_id):
            nonlocal texts_read
            texts_read += 1
            return original(db, doc_id)

        monkeypatch.setattr(search_module.blocks, "read_text", read_text)
        hits = project.search("landlord", limit=50)
        assert len(hits) == 50
        assert texts_read <= 5  # of 10 or 30


def test_one_coding_does_not_rebuild_the_view_index(tmp_path: Path, qapp, monkeypatch) -> None:
    """Applying a coding updates the document view's interval index in place: the full
    rebuild (sort + running maximum over every coding) runs once, when the document opens."""
    from coder.ui.views import document_view

    view_class = document_view.DocumentView
    calls = {"n": 0}
    rebuild = view_class._rebuild_index

    def counting(self, *args, **kwargs):
        calls["n"] += 1
        return rebuild(self, *args, **kwargs)

    monkeypatch.setattr(view_class, "_rebuild_index", counting)
    path = corpus.build(tmp_path / "p.coder", Spec(1, 30_000, 600, cases=1))
    with Project.open(path) as project:
        view = view_class()
        doc_id = project.documents()[0].id
        view.set_document(project, doc_id)
        assert calls["n"] == 1
        for i in range(10):
            changes = project.apply_code(
                doc_id, project.codes()[1].id, 100 * i, 100 * i + 50, coder="Ben"
            )
            view.apply_changes(changes)
            changes = project.remove_coding(changes.created("codings")[0])
            view.apply_changes(changes)
        assert calls["n"] == 1
        assert len(view.spans) == 600
        for cp in range(0, len(project.document_text(doc_id)), 97):  # the index still answers right
            expected = {s.id for s in view.spans.values() if s.start <= cp < s.end}
            assert {s.id for s in view.codings_at(cp)} == expected
        view.deleteLater()


def test_importing_undoing_and_redoing_turns_runs_the_same_statements_for_any_number(
    tmp_path: Path,
) -> None:
    """An import's turns go in, out (undo) and back (redo) with one statement each, logged for
    undo as one step: 5,000 turns run as many statements as 500. Only the search index's own
    page writes (and its blocks) grow with the text."""

    def ours(statements: list[str]) -> int:
        # The search index is kept per text block (a row each, and the index's own statements,
        # traced as "-- ...", for each).
        index = ("_fts", "text_blocks")
        return len(
            [s for s in statements if not s.startswith("-- ") and not any(i in s for i in index)]
        )

    runs = []
    for turns in (500, 5_000):
        source = tmp_path / f"interview-{turns}.txt"
        lines = (f"{'Interviewer' if i % 2 else 'Amira'}: answer {i}.\n\n" for i in range(turns))
        source.write_text("".join(lines), encoding="utf-8")
        with Project.create(tmp_path / f"p{turns}.coder") as project:
            project.add_code("Trust")  # the first edit of a connection sets up the undo log
            statements = _counting(project)
            changes = project.import_file(source)
            doc = project.find_document(source.stem).id
            assert len(project.turn_spans(doc)) == turns
            counts = [ours(statements)]
            statements.clear()
            project.undo(changes)
            counts.append(ours(statements))
            statements.clear()
            project.redo(changes)
            counts.append(ours(statements))
            runs.append(counts)
    assert runs[0] == runs[1]
    assert runs[0][0] < 60
