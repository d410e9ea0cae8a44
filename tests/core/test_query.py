"""Analysis queries against answers worked out by hand on a small project."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coder.core import query
from coder.core.errors import InvalidValue, NotFound
from coder.core.model import Code
from coder.core.project import Project
from coder.core.query import Filters
from coder.core.text import detect_turns

ALPHA = (
    "Interviewer: Tell me about the move.\n"
    "Ann: The rent was high. The landlord was rude.\n"
    "Ann: We felt alone at first.\n"
)
BETA = (
    "Interviewer: And money?\nBob: Money was tight. I felt afraid.\n\nBob: The landlord helped.\n"
)
GAMMA = "Plain notes without speakers.\nMoney matters here.\n"


def _code(project, doc_id, code_id, text, passage, coder="kim"):
    start = text.index(passage)
    project.apply_code(doc_id, code_id, start, start + len(passage), coder=coder)


@pytest.fixture
def small(fresh_project):
    """Three documents, two with speaker turns; codes Money, Housing (child Landlords), Emotions.

    Alpha (case Ann, Wave 1): Money "The rent was high." inside Housing "The rent ... rude.",
    Landlords "The landlord was rude." (coder lee), Emotions "We felt alone" (next turn).
    Beta (case Bob, Wave 2): Money and Emotions in one turn, Landlords in the next.
    Gamma (no case, Wave 2, no turns): Money "Money matters".
    """
    p = fresh_project
    p.add_document("Alpha", ALPHA, turns=detect_turns(ALPHA), case="Ann", group="Wave 1")
    p.add_document("Beta", BETA, turns=detect_turns(BETA), case="Bob", group="Wave 2")
    p.add_document("Gamma", GAMMA, group="Wave 2")
    p.add_case("Cy")
    p.add_attribute("country", "case", "text")
    country = p.find_attribute("country").id
    for case, value in (("Ann", "UK"), ("Bob", "France"), ("Cy", "UK")):
        p.set_attribute_value(country, p.find_case(case).id, value)
    p.add_code("Money")
    p.add_code("Housing")
    p.add_code("Landlords", parent_id=p.find_code("Housing").id)
    p.add_code("Emotions")
    a, b, g = (p.find_document(n).id for n in ("Alpha", "Beta", "Gamma"))
    money, housing, landlords, emotions = (
        p.find_code(n).id for n in ("Money", "Housing", "Landlords", "Emotions")
    )
    _code(p, a, money, ALPHA, "The rent was high.")
    _code(p, a, housing, ALPHA, "The rent was high. The landlord was rude.")
    _code(p, a, landlords, ALPHA, "The landlord was rude.", coder="lee")
    _code(p, a, emotions, ALPHA, "We felt alone")
    _code(p, b, money, BETA, "Money was tight.")
    _code(p, b, emotions, BETA, "I felt afraid.")
    _code(p, b, landlords, BETA, "The landlord helped.")
    _code(p, g, money, GAMMA, "Money matters")
    return p


def _row(table, path):
    return next(r for r in table.rows if r.code == path)


def test_percent_has_one_decimal():
    assert query.percent(21, 60) == 35.0
    assert query.percent(1, 3) == 33.3
    assert query.percent(5, 0) == 0.0
    assert query.percent(1, 16) == 6.3  # 6.25: halves round up
    assert query.percent(1, 8) == 12.5


def test_frequencies_by_document_count_codings_units_and_percent(small):
    t = query.frequencies(small, "document")
    assert t.total == 3
    money = _row(t, "Money")
    assert (money.codings, money.units, money.total, money.percent) == (3, 3, 3, 100.0)
    assert (_row(t, "Housing").codings, _row(t, "Housing").units, _row(t, "Housing").percent) == (
        1,
        1,
        33.3,
    )
    assert (_row(t, "Housing/Landlords").codings, _row(t, "Housing/Landlords").units) == (2, 2)
    assert [r.code for r in t.rows] == ["Money", "Housing", "Housing/Landlords", "Emotions"]


def test_frequencies_by_case_ignore_documents_without_a_case(small):
    t = query.frequencies(small, "case")
    assert t.total == 2  # Ann and Bob; Cy has no document, so it is not analysed
    assert (_row(t, "Money").units, _row(t, "Money").percent) == (2, 100.0)
    assert _row(t, "Money").codings == 3
    assert _row(t, "Housing").units == 1
    assert query.cases_not_analysed(small) == ["Cy"]


def test_case_n_is_the_same_with_and_without_a_list_of_every_document(small):
    every = Filters(documents=[d.id for d in small.documents()])
    for by in ("case",):
        assert (
            query.frequencies(small, by).total == query.frequencies(small, by, filters=every).total
        )
    plain = query.frequencies_by_attribute(small, "country")
    listed = query.frequencies_by_attribute(small, "country", filters=every)
    assert [(r.value, r.total) for r in plain.rows] == [(r.value, r.total) for r in listed.rows]
    assert {(r.value, r.total) for r in plain.rows} == {("France", 1), ("UK", 1)}
    assert query.crosstab(small, "country").column_totals == [1, 1]
    assert query.crosstab(small, "country", filters=every).column_totals == [1, 1]
    assert query.cases_not_analysed(small, every) == ["Cy"]


def test_case_selections_count_for_their_case(small):
    small.add_case("Dee")
    g = small.find_document("Gamma").id
    start = GAMMA.index("Money matters here.")
    small.add_case_selection(small.find_case("Dee").id, g, start, start + 19)
    t = query.frequencies(small, "case")
    assert t.total == 3  # Ann, Bob and Dee (a selection in Gamma); not Cy
    assert _row(t, "Money").units == 3


def test_coverage_counts_overlapping_characters_once(small):
    t = query.frequencies(small, "document")
    chars = len(ALPHA) + len(BETA) + len(GAMMA)
    assert t.characters == chars
    money = len("The rent was high.") + len("Money was tight.") + len("Money matters")
    assert _row(t, "Money").characters == money
    assert _row(t, "Money").coverage == query.percent(money, chars)
    # Housing with its child: the child's passage in Alpha lies inside Housing's own.
    t2 = query.frequencies(small, "document", include_children=True)
    housing = len("The rent was high. The landlord was rude.") + len("The landlord helped.")
    assert _row(t2, "Housing").characters == housing


def test_include_children_counts_sub_codes_and_says_which(small):
    t = query.frequencies(small, "document", include_children=True)
    housing = _row(t, "Housing")
    assert (housing.codings, housing.units) == (3, 2)
    assert housing.included == ("Housing/Landlords",)
    assert _row(t, "Money").included == ()
    assert t.include_children


def test_filters_by_coder_group_and_attribute(small):
    lee = small.find_coder("lee").id
    t = query.frequencies(small, "document", filters=Filters(coders=[lee]))
    assert _row(t, "Housing/Landlords").codings == 1
    assert _row(t, "Money").codings == 0
    t = query.frequencies(small, "document", filters=Filters(groups=["Wave 2"]))
    assert (t.total, _row(t, "Money").units, _row(t, "Housing/Landlords").units) == (2, 2, 1)
    t = query.frequencies(small, "case", filters=Filters(attributes={"country": ["UK"]}))
    assert t.total == 1  # Ann (Cy, also UK, has no document)
    assert (_row(t, "Money").units, _row(t, "Money").percent) == (1, 100.0)
    t = query.frequencies(small, "document", filters=Filters(attributes={"country": "France"}))
    assert (t.total, _row(t, "Money").codings) == (1, 1)


def test_speaker_filter_keeps_that_speakers_codings(small):
    t = query.frequencies(small, "document", filters=Filters(speakers=["Bob"]))
    assert _row(t, "Money").codings == 1
    assert _row(t, "Housing/Landlords").codings == 1


def test_retrieve_or_returns_each_coding_in_document_order(small):
    ps = query.retrieve(small, ["Money", "Emotions"], "or")
    assert [(p.document, p.text) for p in ps] == [
        ("Alpha", "The rent was high."),
        ("Alpha", "We felt alone"),
        ("Beta", "Money was tight."),
        ("Beta", "I felt afraid."),
        ("Gamma", "Money matters"),
    ]
    first = ps[0]
    assert first.speaker == "Ann" and first.paragraph == 2 and first.cases == ("Ann",)
    assert first.codes == ("Money",) and first.coders == ("kim",)
    assert ps[-1].speaker == "" and ps[-1].cases == ()


def test_retrieve_and_by_overlap_returns_the_shared_stretch(small):
    ps = query.retrieve(small, ["Money", "Housing"], "and")
    assert [(p.document, p.text) for p in ps] == [("Alpha", "The rent was high.")]
    assert set(ps[0].codes) == {"Money", "Housing"}
    assert query.retrieve(small, ["Money", "Emotions"], "and") == []


def test_retrieve_and_by_turn_and_paragraph(small):
    for within in ("turn", "paragraph"):
        ps = query.retrieve(small, ["Money", "Emotions"], "and", within=within)
        assert [(p.document, p.text) for p in ps] == [
            ("Beta", "Bob: Money was tight. I felt afraid.")
        ]


def test_retrieve_not_excludes_by_overlap_or_turn(small):
    ps = query.retrieve(small, ["Housing/Landlords", "Money"], "not")
    assert [p.text for p in ps] == ["The landlord was rude.", "The landlord helped."]
    ps = query.retrieve(small, ["Landlords", "Money"], "not", within="turn")
    assert [p.text for p in ps] == ["The landlord helped."]
    ps = query.retrieve(small, ["Housing"], without=["Money"])
    assert ps == []


def test_retrieve_with_children_and_filters(small):
    ps = query.retrieve(small, ["Housing"], include_children=True)
    assert len(ps) == 3
    ann = small.find_case("Ann").id
    ps = query.retrieve(small, ["Money"], filters=Filters(cases=[ann]))
    assert [p.text for p in ps] == ["The rent was high."]


def test_retrieve_and_joins_each_codes_codings_then_filters_before_combining(fresh_project):
    """AND in one passage: each code's codings (any coder) are joined before codes are
    intersected, sub-codes count with include_children, and the coder and document filters
    apply before codes are combined. Each passage names the codings behind it."""
    p = fresh_project
    d = p.add_document("D", "x" * 200).created("documents")[0]
    e = p.add_document("E", "y" * 200).created("documents")[0]
    a, b, c = (p.add_code(name).created("codes")[0] for name in ("A", "B", "C"))
    a1 = p.add_code("A1", parent_id=a).created("codes")[0]
    p.apply_code(d, a, 10, 50, coder="kim")
    p.apply_code(d, a, 40, 70, coder="lee")  # A again, overlapping, by another coder
    p.apply_code(d, b, 60, 80, coder="kim")  # meets A in 60-70
    p.apply_code(d, b, 0, 15, coder="kim")  # meets A in 10-15
    p.apply_code(d, c, 100, 120, coder="kim")  # C alone
    p.apply_code(e, a1, 0, 30, coder="kim")  # A1 (under A) in E
    p.apply_code(e, b, 20, 40, coder="lee")  # meets A1 in 20-30
    both = query.retrieve(p, [a, b], "or")
    assert [(x.document, x.start, x.end) for x in both] == [
        ("D", 0, 15),
        ("D", 10, 50),
        ("D", 40, 70),
        ("D", 60, 80),
        ("E", 20, 40),
    ]
    overlap = query.retrieve(p, [a, b], "and")
    assert [(x.document, x.start, x.end) for x in overlap] == [("D", 10, 15), ("D", 60, 70)]
    second = overlap[1]
    assert set(second.code_ids) == {a, b} and set(second.coders) == {"kim", "lee"}
    assert sorted((p.coding(i).start, p.coding(i).end) for i in second.coding_ids) == [
        (40, 70),
        (60, 80),
    ]
    assert query.retrieve(p, [b, c], "and") == []
    with_children = query.retrieve(p, [a, b], "and", include_children=True)
    assert [(x.document, x.start, x.end) for x in with_children] == [
        ("D", 10, 15),
        ("D", 60, 70),
        ("E", 20, 30),
    ]
    kim = p.find_coder("kim").id
    by_kim = query.retrieve(p, [a, b], "and", filters=Filters(coders=[kim]))
    assert [(x.start, x.end) for x in by_kim] == [(10, 15)]
    assert query.retrieve(p, [a], "or", filters=Filters(documents=[e])) == []
    assert (
        len(query.retrieve(p, [a], "or", filters=Filters(documents=[e]), include_children=True))
        == 1
    )


def test_retrieve_passages_carry_their_codings_memos(small):
    alpha = small.find_document("Alpha").id
    [money] = small.codings(document_id=alpha, code_ids=[small.find_code("Money").id])
    [housing] = small.codings(document_id=alpha, code_ids=[small.find_code("Housing").id])
    small.set_coding_memo(money.id, "high rent")
    small.set_coding_memo(housing.id, "whole complaint")
    assert [x.memo for x in query.retrieve(small, ["Money"])] == ["high rent", "", ""]
    [both] = query.retrieve(small, ["Money", "Housing"], "and")
    assert both.memo == "high rent\nwhole complaint"  # in the order of the codings behind it


def test_retrieve_with_shared_sources_reads_the_codebook_once(small, monkeypatch):
    """Repeated retrievals through one Sources (the Retrieved passages dock) do not re-read
    the codebook; forget_codes() makes the next one see a renamed code."""
    sources = query.Sources(small)
    assert [x.codes for x in query.retrieve(small, ["Emotions"], sources=sources)][0] == (
        "Emotions",
    )
    emotions = small.find_code("Emotions").id
    small.update_code(emotions, name="Feelings")
    calls: list[bool] = []
    real = type(small).codes

    def counted(self: Project) -> list[Code]:
        calls.append(True)
        return real(self)

    monkeypatch.setattr(type(small), "codes", counted)
    assert query.retrieve(small, [emotions], sources=sources)[0].codes == ("Emotions",)
    assert calls == []
    sources.forget_codes()
    assert query.retrieve(small, [emotions], sources=sources)[0].codes == ("Feelings",)
    assert len(calls) == 1


def test_retrieve_context_characters_paragraph_and_turn(small):
    [p] = query.retrieve(
        small, ["Emotions"], filters=Filters(documents=[small.find_document("Alpha").id])
    )
    assert p.before == "" and p.after == ""
    [p] = query.retrieve(small, ["Emotions"], context=5, filters=Filters(groups=["Wave 1"]))
    assert (p.before, p.after) == ("Ann: ", " at")
    [p] = query.retrieve(small, ["Emotions"], context="turn", filters=Filters(groups=["Wave 1"]))
    assert (p.before, p.after) == ("Ann: ", " at first.")
    [p] = query.retrieve(small, ["Money"], context="paragraph", filters=Filters(groups=["Wave 1"]))
    assert (p.before, p.after) == ("Ann: ", " The landlord was rude.")


def test_retrieve_rejects_unknown_mode_and_code(small):
    with pytest.raises(InvalidValue):
        query.retrieve(small, ["Money"], "xor")
    with pytest.raises(NotFound):
        query.retrieve(small, ["Nothing"])


def test_crosstab_counts_row_and_column_percentages(small):
    x = query.crosstab(small, "country")
    assert x.values == ["France", "UK"] and x.column_totals == [1, 1]  # Cy: no document
    money = next(r for r in x.rows if r.code == "Money")
    assert money.counts == (1, 1) and money.total == 2
    assert money.row_percent == (50.0, 50.0)
    assert money.column_percent == (100.0, 100.0)
    housing = next(r for r in x.rows if r.code == "Housing")
    assert housing.counts == (0, 1) and housing.column_percent == (0.0, 100.0)


def test_cooccurrence_by_overlap(small):
    m = query.cooccurrence(small)
    idx = {c.path: i for i, c in enumerate(m.codes)}

    def cell(a: str, b: str) -> int:
        return m.counts[idx[a]][idx[b]]

    assert cell("Money", "Housing") == cell("Housing", "Money") == 1
    assert cell("Housing", "Housing/Landlords") == 1
    assert cell("Money", "Housing/Landlords") == 0
    assert cell("Money", "Emotions") == 0
    assert cell("Money", "Money") == 3
    assert [(a.path, b.path, n) for a, b, n in m.pairs()] == [
        ("Housing", "Housing/Landlords", 1),
        ("Money", "Housing", 1),
    ]
    ps = query.cooccurrence_passages(
        small, small.find_code("Money").id, small.find_code("Housing").id
    )
    assert [p.text for p in ps] == ["The rent was high."]


def test_cooccurrence_by_turn(small):
    m = query.cooccurrence(small, within="turn")
    idx = {c.path: i for i, c in enumerate(m.codes)}

    def cell(a: str, b: str) -> int:
        return m.counts[idx[a]][idx[b]]

    assert cell("Money", "Emotions") == 1
    assert cell("Money", "Housing/Landlords") == 1
    assert cell("Emotions", "Housing/Landlords") == 0
    assert cell("Money", "Money") == 2  # Gamma has no turns


def test_cooccurrence_counts_match_the_passages_behind_each_cell(small):
    for within in ("passage", "paragraph", "turn"):
        m = query.cooccurrence(small, within=within)
        for i, a in enumerate(m.codes):
            for j, b in enumerate(m.codes):
                if i != j:
                    assert m.counts[i][j] == len(
                        query.cooccurrence_passages(small, a.id, b.id, within)
                    )


def test_speaker_breakdown(small):
    s = query.speaker_breakdown(small)
    assert s.speakers == ["Ann", "Bob", ""]
    money = next(r for r in s.rows if r.code == "Money")
    assert money.counts == (1, 1, 1) and money.total == 3
    assert s.totals == [4, 3, 1]


def test_code_matrix_by_document(small):
    m = query.code_matrix(small, "document")
    assert [u.name for u in m.units] == ["Alpha", "Beta", "Gamma"]
    assert m.counts[[r.code for r in m.codes].index("Money")] == [1, 1, 1]


def test_empty_project_gives_empty_tables(fresh_project):
    t = query.frequencies(fresh_project, "case")
    assert t.total == 0 and t.rows == []
    assert query.cooccurrence(fresh_project).counts == []
    assert query.speaker_breakdown(fresh_project).rows == []
    assert query.retrieve(fresh_project, []) == []


def test_frequency_queries_use_indexes_not_table_scans_of_codings(small):
    """The plan, not the clock: every statement frequencies() runs reads codings through an
    index (covering for the per-code/document counts), so it stays fast at 20,000 codings."""
    statements: list[str] = []
    conn = small.db.conn
    conn.set_trace_callback(statements.append)
    try:
        query.frequencies(small, "case")
        query.frequencies(small, "document")
    finally:
        conn.set_trace_callback(None)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "codings" in s]
    assert selects
    plans = []
    for sql in selects:
        plan = " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql))
        plans.append(plan)
        for step in plan.split(" | "):
            if step.startswith("SCAN") and ("codings" in step or step.startswith("SCAN g")):
                assert "INDEX" in step, (sql, plan)
    assert any("COVERING INDEX codings_code" in p for p in plans)


def test_attribute_in_both_scopes_is_named_with_its_scope(small):
    small.add_attribute("country", "document", "text")
    attr = small.find_attribute("country", "document").id
    small.set_attribute_value(attr, small.find_document("Gamma").id, "Chile")
    x = query.crosstab(small, "document:country")
    assert x.unit == "document" and x.values == ["Chile", ""]
    t = query.frequencies(small, "case", filters=Filters(attributes={"case:country": ["UK"]}))
    assert t.total == 1  # Ann; Cy has no document


def test_speaker_breakdown_for_some_codes_lists_only_their_speakers(small):
    s = query.speaker_breakdown(small, codes=[small.find_code("Emotions").id])
    assert s.speakers == ["Ann", "Bob"] and [r.code for r in s.rows] == ["Emotions"]
    assert s.rows[0].counts == (1, 1) and s.totals == [1, 1]


_spans = st.lists(
    st.tuples(st.integers(0, 2), st.integers(0, 58), st.integers(1, 12)), min_size=0, max_size=14
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(spans=_spans)
def test_coverage_and_cooccurrence_agree_with_brute_force(tmp_path_factory, spans):
    """Random codings of three codes in one 70-character document: coverage equals the set of
    coded characters, and each co-occurrence cell equals the AND passages retrieved for it."""
    from coder.core.project import Project

    text = "\n".join(["x" * 20, "y" * 25, "z" * 23])
    with Project.create(tmp_path_factory.mktemp("h") / "p.coder") as p:
        p.add_document("D", text)
        ids = []
        for name in ("A", "B", "C"):
            p.add_code(name)
            ids.append(p.find_code(name).id)
        for k, start, length in spans:
            p.apply_code(1, ids[k], start, min(start + length, len(text)), coder="k")
        table = query.frequencies(p, "document")
        for k in range(len(ids)):
            chars: set[int] = set()
            for kk, start, length in spans:
                if kk == k:
                    chars.update(range(start, min(start + length, len(text))))
            assert _row(table, "ABC"[k]).characters == len(chars)
        sets: list[set[int]] = [set() for _ in ids]
        for k, start, length in spans:
            sets[k].update(range(start, min(start + length, len(text))))
        both = sorted(sets[0] & sets[1])
        runs: list[list[int]] = []
        for c in both:
            if runs and runs[-1][1] == c:
                runs[-1][1] = c + 1
            else:
                runs.append([c, c + 1])
        anded = query.retrieve(p, [ids[0], ids[1]], "and")
        assert [[x.start, x.end] for x in anded] == runs
        for x in anded:  # each stretch names codings of both codes, all overlapping it
            assert set(x.code_ids) == {ids[0], ids[1]}
            for cid in x.coding_ids:
                coding = p.coding(cid)
                assert coding.start < x.end and x.start < coding.end
        # OR: one passage per coding of either code.
        assert len(query.retrieve(p, [ids[0], ids[1]], "or")) == sum(
            1 for k, _s, _n in spans if k < 2
        )
        for within in ("passage", "paragraph"):
            m = query.cooccurrence(p, within=within)
            for i in range(3):
                for j in range(3):
                    if i != j:
                        expected = len(query.retrieve(p, [ids[i], ids[j]], "and", within))
                        assert m.counts[i][j] == expected
