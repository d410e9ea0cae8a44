"""Retrieval of coded passages: OR lists codings, AND covers exactly the overlap of all codes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coder.core.retrieval import retrieve

LENGTH = 60

spans = st.lists(
    st.tuples(st.integers(0, 2), st.integers(0, LENGTH - 1), st.integers(1, 15)), max_size=12
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(coded=spans)
def test_and_covers_exactly_the_characters_every_code_covers(fresh_project, coded) -> None:
    """Per character: inside an AND passage if and only if each selected code covers it."""
    p = fresh_project
    with p.db.atomic():
        p.db.execute("DELETE FROM codings")
        p.db.execute("DELETE FROM codes")
        p.db.execute("DELETE FROM documents")
    p.add_document("D", "x" * LENGTH)
    doc = p.documents()[0].id
    ids = [p.add_code(name).created("codes")[0] for name in ("A", "B", "C")]
    for code, start, size in coded:
        p.apply_code(doc, ids[code], start, min(LENGTH, start + size), coder="kim")
    covered = [set() for _ in ids]
    for code, start, size in coded:
        covered[code].update(range(start, min(LENGTH, start + size)))
    selected = ids[:2]
    expected = covered[0] & covered[1]
    passages = retrieve(p, selected, "and")
    got: set[int] = set()
    for passage in passages:
        chars = set(range(passage.start, passage.end))
        assert not chars & got  # passages never overlap each other
        got |= chars
        assert set(passage.code_ids) == set(selected)
    assert got == expected
    # Passages are maximal: two never touch (they would be one).
    ends = {x.end for x in passages}
    assert not any(x.start in ends for x in passages)
    # OR: one passage per coding of either code.
    assert len(retrieve(p, selected, "or")) == sum(1 for c, _s, _z in coded if c < 2)
