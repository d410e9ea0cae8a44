"""Search over texts kept in blocks finds and ranks documents exactly as one full-text row per
document (name and whole text) would: checked against such an index built independently."""

from __future__ import annotations

import contextlib
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coder.core import blocks
from coder.core.project import Project
from coder.core.search import parse_query, ranked

WORDS = ["trust", "council", "flood", "Kraków", "krakow", "lost", "night", "trusted", "we", "é"]


def reference(docs: dict[int, tuple[str, str]], query: str) -> list[int]:
    """The documents FTS5 finds for ``query`` with one row per document, best first."""
    terms = parse_query(query)
    fts = " ".join(f'"{" ".join(t.words)}"' + ("*" if t.prefix else "") for t in terms)
    with contextlib.closing(sqlite3.connect(":memory:")) as conn:
        conn.execute("CREATE VIRTUAL TABLE ref USING fts5(name, text, tokenize='unicode61')")
        for doc_id, (name, text) in docs.items():
            conn.execute(
                "INSERT INTO ref (rowid, name, text) VALUES (?, ?, ?)", [doc_id, name, text]
            )
        return [
            r[0]
            for r in conn.execute(
                "SELECT rowid FROM ref WHERE ref MATCH ? ORDER BY rank, rowid", [fts]
            )
        ]


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blocks, "SIZE", 24)


def _add(p: Project, docs: list[tuple[str, str]]) -> dict[int, tuple[str, str]]:
    for name, text in docs:
        p.add_document(name, text)
    return {d.id: (d.name, p.document_text(d.id)) for d in p.documents()}


def test_terms_in_different_blocks_of_one_document_find_it(
    fresh_project: Project, small_blocks: None
) -> None:
    p = fresh_project
    text = "We trusted the council.\n" + "Nothing here at all, really.\n" * 5 + "The flood came.\n"
    docs = _add(p, [("Ana", text), ("Ben", "The flood came.\n"), ("Cem", "the council met\n")])
    ana = p.find_document("Ana").id
    count = p.db.execute("SELECT count(*) FROM text_blocks WHERE document_id = ?", [ana])
    assert count.fetchone()[0] > 3
    hits = p.search("council flood")
    assert {h.document for h in hits} == {"Ana"}
    assert [(h.match, text[h.start : h.end]) for h in hits] == [
        ("council", "council"),
        ("flood", "flood"),
    ]
    assert hits[0].before == "We trusted the " and hits[1].after == " came.\n"
    assert ranked(p.db, parse_query("council flood")) == reference(docs, "council flood") == [ana]


def test_phrase_prefix_and_name_search_as_before(
    fresh_project: Project, small_blocks: None
) -> None:
    p = fresh_project
    docs = _add(
        p,
        [
            ("Flood notes", "We lost everything that night.\nThe council came late.\n" * 3),
            ("Trust", "Trusted by nobody.\nWe lost trust.\n"),
            ("Other", "Kraków at night.\nlost and found\n"),
        ],
    )
    for query in ['"we lost"', "trust*", "flood lost", "krakow", '"lost everything"*', "night"]:
        assert ranked(p.db, parse_query(query)) == reference(docs, query), query
    # a name's word makes the document a result, but only its text gives hits
    assert {h.document for h in p.search("flood council")} == {"Flood notes"}
    assert all(h.match.lower() == "council" for h in p.search("flood council"))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    texts=st.lists(
        st.lists(st.sampled_from(WORDS + ["\n", ". ", ", "]), max_size=40).map(" ".join),
        min_size=1,
        max_size=5,
    ),
    query=st.lists(st.sampled_from(WORDS + ["trust*", '"we lost"', "kr*"]), min_size=1, max_size=3),
)
def test_ranking_matches_one_row_per_document(
    tmp_path_factory: pytest.TempPathFactory, texts: list[str], query: list[str]
) -> None:
    folder = tmp_path_factory.mktemp("rank")
    old = blocks.SIZE
    blocks.SIZE = 12
    try:
        with Project.create(folder / "p.coder") as p:
            docs = _add(p, [(f"doc {WORDS[i]}", t) for i, t in enumerate(texts)])
            q = " ".join(query)
            assert ranked(p.db, parse_query(q)) == reference(docs, q)
    finally:
        blocks.SIZE = old


def test_a_phrase_is_found_on_one_line_wherever_the_blocks_end(
    fresh_project: Project, small_blocks: None
) -> None:
    p = fresh_project
    filler = "Nothing here at all, really.\n" * 3
    _add(
        p,
        [
            ("Ana", "The flood\ncame at night.\n"),  # a line break inside one block
            ("Ben", filler + "The flood\n" + filler + "came at night.\n"),  # a block boundary
            ("Cem", "Then the flood, came at night.\n"),
        ],
    )
    hits = p.search('"flood came"')
    assert [(h.document, h.match) for h in hits] == [("Cem", "flood, came")]
