"""Project-level agreement: units, shared documents, hand-computed figures, disagreements."""

from __future__ import annotations

import pytest

from coder.core import intercoder
from coder.core.errors import InvalidValue, NotFound
from coder.core.text import Turn, paragraphs

TEN_PARAGRAPHS = "\n".join(f"Paragraph number {i} says something." for i in range(10))


def _code_paragraphs(project, doc_id, code_id, coder, indexes):
    spans = paragraphs(project.document_text(doc_id))
    for i in indexes:
        start, end = spans[i]
        # a coding well inside the paragraph: it overlaps that paragraph only
        project.apply_code(doc_id, code_id, start + 2, end - 2, coder=coder)


@pytest.fixture
def ten(fresh_project):
    """A 10-paragraph document; ann codes paragraphs 0-4 with Trust, bob 0-2 and 5-6."""
    p = fresh_project
    p.add_document("Ten", TEN_PARAGRAPHS)
    doc = p.find_document("Ten").id
    p.add_code("Trust")
    trust = p.find_code("Trust").id
    _code_paragraphs(p, doc, trust, "ann", [0, 1, 2, 3, 4])
    _code_paragraphs(p, doc, trust, "bob", [0, 1, 2, 5, 6])
    return p


def test_ten_paragraphs_hand_computed(ten):
    """2x2 table both=3, only ann=2, only bob=2, neither=3.

    Po = 6/10 = 0.6; Pe = 0.5*0.5 + 0.5*0.5 = 0.5; kappa = (0.6-0.5)/(1-0.5) = 0.2.
    alpha: n = 20 values (10 yes, 10 no), 4 disagreeing units give 8 ordered pairs;
    alpha = 1 - (n-1) * 8 / (2*10*10) = 1 - 19*8/200 = 0.24.
    """
    result = intercoder.compute_agreement(ten, ["ann", "bob"], unit="paragraph")
    assert result.coders == ("ann", "bob")
    assert result.documents == ("Ten",)
    [trust] = result.codes
    assert trust.code == "Trust" and trust.units == 10
    assert trust.percent_agreement == pytest.approx(60.0)
    assert trust.kappa == pytest.approx(0.2)
    assert trust.alpha == pytest.approx(0.24)
    assert result.overall.units == 10
    assert result.overall.kappa == pytest.approx(0.2)


def test_character_unit_hand_computed(fresh_project):
    """100 characters; ann codes [0,40), bob [20,60): both 20, only ann 20, only bob 20, neither 40.

    Po = 0.6; Pe = 0.4*0.4 + 0.6*0.6 = 0.52; kappa = 0.08/0.48 = 1/6.
    """
    p = fresh_project
    p.add_document("D", "x" * 100)
    p.add_code("C")
    doc, code = p.find_document("D").id, p.find_code("C").id
    p.apply_code(doc, code, 0, 40, coder="ann")
    p.apply_code(doc, code, 20, 60, coder="bob")
    result = intercoder.compute_agreement(p, ["ann", "bob"], unit="character")
    assert result.codes[0].units == 100
    assert result.codes[0].percent_agreement == pytest.approx(60.0)
    assert result.codes[0].kappa == pytest.approx(1 / 6)


def test_turn_unit_uses_the_turns_table(fresh_project):
    p = fresh_project
    text = "A: one\nB: two\nA: three\nB: four"
    spans = paragraphs(text)
    turns = [Turn("A" if i % 2 == 0 else "B", s, e) for i, (s, e) in enumerate(spans)]
    p.add_document("T", text, turns=turns)
    p.add_document("No turns", "plain text without speakers")
    p.add_code("C")
    doc, plain, code = p.find_document("T").id, p.find_document("No turns").id, p.find_code("C").id
    p.apply_code(doc, code, spans[0][0], spans[1][1], coder="ann")  # turns 0 and 1
    p.apply_code(doc, code, spans[1][0] + 3, spans[1][0] + 5, coder="bob")  # turn 1
    p.apply_code(plain, code, 0, 5, coder="ann")
    p.apply_code(plain, code, 0, 5, coder="bob")
    result = intercoder.compute_agreement(p, ["ann", "bob"], unit="turn")
    assert result.documents == ("T",)
    assert [d.as_json() for d in result.excluded_documents] == [
        {"document": "No turns", "reason": "no speaker turns"}
    ]
    # 4 turns in T (none in "No turns"): both 1, only ann 1, neither 2
    assert result.codes[0].units == 4
    assert result.codes[0].percent_agreement == pytest.approx(75.0)
    # the line breaks between the turns are outside every turn; no coding lies wholly there
    assert result.excluded.as_json() == {"characters": 3, "codings": 0}


def test_only_documents_every_coder_coded(ten):
    p = ten
    p.add_document("Only ann", "ann alone coded this")
    other = p.find_document("Only ann").id
    p.apply_code(other, p.find_code("Trust").id, 0, 3, coder="ann")
    result = intercoder.compute_agreement(p, ["ann", "bob"], unit="paragraph")
    assert result.documents == ("Ten",)
    assert result.codes[0].units == 10


def test_a_coding_of_any_code_makes_a_document_coded(ten):
    """bob coded only another code in a document: that document counts (nothing of Trust there)."""
    p = ten
    p.add_document("Second", "one\ntwo")
    doc = p.find_document("Second").id
    p.add_code("Other")
    p.apply_code(doc, p.find_code("Trust").id, 0, 3, coder="ann")
    p.apply_code(doc, p.find_code("Other").id, 4, 7, coder="bob")
    result = intercoder.compute_agreement(p, ["ann", "bob"], unit="paragraph", codes=["Trust"])
    assert set(result.documents) == {"Ten", "Second"}
    assert result.codes[0].units == 12
    # Trust: the 10 paragraphs as before, plus (ann yes, bob no) and (no, no)
    assert result.codes[0].percent_agreement == pytest.approx(100 * 7 / 12)


def test_default_codes_are_those_used_in_codebook_order(ten):
    p = ten
    p.add_code("Unused")
    p.add_code("Alpha first", position=0)
    doc = p.find_document("Ten").id
    p.apply_code(doc, p.find_code("Alpha first").id, 0, 5, coder="bob")
    result = intercoder.compute_agreement(p, ["ann", "bob"], unit="paragraph")
    assert [c.code for c in result.codes] == ["Alpha first", "Trust"]
    # named codes are included even when unused
    named = intercoder.compute_agreement(p, ["ann", "bob"], unit="paragraph", codes=["Unused"])
    assert [c.code for c in named.codes] == ["Unused"]
    assert named.codes[0].percent_agreement == 100.0
    assert named.codes[0].kappa is None and named.codes[0].alpha is None


def test_child_codings_do_not_count_for_the_parent(fresh_project):
    p = fresh_project
    p.add_document("D", "a\nb")
    p.add_code("Parent")
    p.add_code("Child", parent_id=p.find_code("Parent").id)
    doc, child = p.find_document("D").id, p.find_code("Parent/Child").id
    p.apply_code(doc, child, 0, 1, coder="ann")
    p.apply_code(doc, child, 0, 1, coder="bob")
    result = intercoder.compute_agreement(
        p, ["ann", "bob"], unit="paragraph", codes=["Parent", "Parent/Child"]
    )
    parent, kid = result.codes
    assert kid.code == "Parent/Child" and kid.percent_agreement == 100.0
    assert parent.percent_agreement == 100.0 and parent.units == 2


def test_overall_pools_code_unit_pairs(ten):
    p = ten
    p.add_code("Second")
    doc = p.find_document("Ten").id
    second = p.find_code("Second").id
    _code_paragraphs(p, doc, second, "ann", [9])
    _code_paragraphs(p, doc, second, "bob", [9])
    result = intercoder.compute_agreement(p, ["ann", "bob"], unit="paragraph")
    assert [c.code for c in result.codes] == ["Trust", "Second"]
    assert result.codes[1].kappa == pytest.approx(1.0)
    # pooled: both 3+1, only ann 2, only bob 2, neither 3+9 -> Po 16/20
    overall = result.overall
    assert overall.units == 20
    assert overall.percent_agreement == pytest.approx(80.0)
    po, pe = 0.8, (6 / 20) * (6 / 20) + (14 / 20) * (14 / 20)
    assert overall.kappa == pytest.approx((po - pe) / (1 - pe))


def test_three_coders_alpha_and_no_kappa(ten):
    p = ten
    doc, trust = p.find_document("Ten").id, p.find_code("Trust").id
    _code_paragraphs(p, doc, trust, "cat", [0, 1, 2, 3, 4])
    result = intercoder.compute_agreement(p, ["ann", "bob", "cat"], unit="paragraph")
    row = result.codes[0]
    assert row.kappa is None
    # pairs: ann-bob 6/10, ann-cat 10/10, bob-cat 6/10
    assert row.percent_agreement == pytest.approx(100 * 22 / 30)
    krippendorff = pytest.importorskip("krippendorff")
    import numpy as np

    ann = [1] * 5 + [0] * 5
    bob = [1, 1, 1, 0, 0, 1, 1, 0, 0, 0]
    data = np.array([ann, bob, ann], dtype=float)
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert row.alpha == pytest.approx(expected)


def test_undefined_when_no_shared_documents(fresh_project):
    p = fresh_project
    p.add_document("A", "text a")
    p.add_document("B", "text b")
    p.add_code("C")
    code = p.find_code("C").id
    p.apply_code(p.find_document("A").id, code, 0, 3, coder="ann")
    p.apply_code(p.find_document("B").id, code, 0, 3, coder="bob")
    result = intercoder.compute_agreement(p, ["ann", "bob"], unit="paragraph")
    assert result.documents == () and result.codes == ()
    data = result.as_json()
    old_keys = {k: data["overall"][k] for k in ("percent_agreement", "kappa", "alpha", "units")}
    assert old_keys == {"percent_agreement": None, "kappa": None, "alpha": None, "units": 0}


def test_coders_are_checked(ten):
    with pytest.raises(NotFound, match="ann, bob"):
        intercoder.compute_agreement(ten, ["ann", "zed"])
    with pytest.raises(InvalidValue):
        intercoder.compute_agreement(ten, ["ann"])
    with pytest.raises(InvalidValue):
        intercoder.compute_agreement(ten, ["ann", "ann"])
    with pytest.raises(InvalidValue):
        intercoder.compute_agreement(ten, ["ann", "bob"], unit="sentence")
    with pytest.raises(NotFound):
        intercoder.compute_agreement(ten, ["ann", "bob"], codes=["No such code"])


def test_json_shape(ten):
    data = intercoder.compute_agreement(ten, ["ann", "bob"], unit="paragraph").as_json()
    assert set(data) >= {"unit", "coders", "codes", "overall"}
    assert data["unit"] == "paragraph" and data["coders"] == ["ann", "bob"]
    assert set(data["codes"][0]) >= {"code", "percent_agreement", "kappa", "alpha", "units"}
    assert set(data["overall"]) >= {"percent_agreement", "kappa", "alpha", "units"}


def test_disagreements_list_passages_and_who_coded(ten):
    p = ten
    spans = paragraphs(TEN_PARAGRAPHS)
    found = intercoder.find_disagreements(p, ["ann", "bob"], "Trust", unit="paragraph")
    # paragraphs 3-4 (ann only) and 5-6 (bob only) are consecutive, but who coded differs:
    # runs are maximal runs of disagreeing units, so 3..6 is one passage
    assert [(d.start, d.end) for d in found] == [(spans[3][0], spans[6][1])]
    assert found[0].coded_by == ("ann", "bob") and found[0].document == "Ten"
    assert found[0].text.startswith("Paragraph number 3")


def test_disagreements_character_unit(fresh_project):
    p = fresh_project
    p.add_document("D", "abcdefghij" * 10)
    p.add_code("C")
    doc, code = p.find_document("D").id, p.find_code("C").id
    p.apply_code(doc, code, 0, 40, coder="ann")
    p.apply_code(doc, code, 20, 60, coder="bob")
    p.apply_code(doc, code, 80, 90, coder="bob")
    found = intercoder.find_disagreements(p, ["ann", "bob"], "C", unit="character")
    assert [(d.start, d.end, d.coded_by, d.not_coded_by) for d in found] == [
        (0, 20, ("ann",), ("bob",)),
        (40, 60, ("bob",), ("ann",)),
        (80, 90, ("bob",), ("ann",)),
    ]


def test_coder_summaries(ten):
    p = ten
    p.add_coder("idle")
    rows = {r.name: r for r in intercoder.coder_summaries(p)}
    assert rows["ann"].codings == 5 and rows["ann"].documents == 1 and rows["ann"].codes == 1
    assert rows["idle"].codings == 0


def test_agreement_text_table(ten):
    from coder.core import agreement_text

    result = intercoder.compute_agreement(ten, ["ann", "bob"], unit="paragraph")
    headers, rows = agreement_text.table(result)
    assert headers[:6] == ("Code", "Units", "Both", "Only ann", "Only bob", "Neither")
    cells = dict(zip(headers, rows[0], strict=True))
    wanted = ("Code", "Units", "Agreement %", "Cohen's κ", "Krippendorff's α")
    assert tuple(cells[h] for h in wanted) == ("Trust", "10", "60.0", "0.200", "0.240")
    assert rows[-1][0] == "All codes (pooled)"
    assert "ann and bob" in agreement_text.scope_sentence(result)
    p = ten
    p.add_document("Empty", "nothing")
    turns = intercoder.compute_agreement(p, ["ann", "bob"], unit="turn")
    # no turns anywhere: no units, figures undefined, never a made-up number
    headers, rows = agreement_text.table(turns)
    assert rows[-1][1] == "0" and set(rows[-1][6:]) == {"undefined"}
    assert "Ten (no speaker turns)" in agreement_text.left_out_sentence(turns)


def test_restricting_documents_and_cases(ten):
    p = ten
    p.add_document("Second", "one\ntwo", case="Person B")
    doc = p.find_document("Second").id
    trust = p.find_code("Trust").id
    p.apply_code(doc, trust, 0, 3, coder="ann")
    p.apply_code(doc, trust, 0, 3, coder="bob")
    both = intercoder.compute_agreement(p, ["ann", "bob"], unit="paragraph")
    assert set(both.documents) == {"Ten", "Second"}
    only = intercoder.compute_agreement(p, ["ann", "bob"], unit="paragraph", documents=[doc])
    assert only.documents == ("Second",) and only.codes[0].units == 2
    case = p.find_case("Person B").id
    by_case = intercoder.compute_agreement(p, ["ann", "bob"], unit="paragraph", cases=[case])
    assert by_case.documents == ("Second",)
    none = intercoder.compute_agreement(p, ["ann", "bob"], unit="paragraph", documents=[])
    assert none.documents == () and none.overall.units == 0


def test_partial_overlap_treats_absent_coders_as_missing(ten):
    """cat coded only a second document: with partial, ann and bob's Ten counts, cat missing."""
    p = ten
    doc, trust = p.find_document("Ten").id, p.find_code("Trust").id
    _code_paragraphs(p, doc, trust, "cat", [0, 1])
    p.add_document("Two", "first line\nsecond line")
    two = p.find_document("Two").id
    p.apply_code(two, trust, 0, 4, coder="ann")
    p.apply_code(two, trust, 0, 4, coder="cat")
    p.apply_code(two, trust, 12, 16, coder="cat")
    strict = intercoder.compute_agreement(p, ["ann", "bob", "cat"], unit="paragraph")
    assert strict.documents == ("Ten",) and strict.partial is False
    loose = intercoder.compute_agreement(p, ["ann", "bob", "cat"], unit="paragraph", partial=True)
    assert set(loose.documents) == {"Ten", "Two"} and loose.as_json()["partial"] is True
    row = loose.codes[0]
    assert row.units == 12 and row.kappa is None
    krippendorff = pytest.importorskip("krippendorff")
    import numpy as np

    nan = np.nan
    ann = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0] + [1, 0]
    bob = [1, 1, 1, 0, 0, 1, 1, 0, 0, 0] + [nan, nan]
    cat = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0] + [1, 1]
    data = np.array([ann, bob, cat], dtype=float)
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert row.alpha == pytest.approx(expected)
    # pairs: Ten has 3 pairs x 10 units, Two has ann-cat x 2 units
    agreeing = 6 + 8 + 6 + 1  # ann-bob, ann-cat, bob-cat in Ten; ann-cat in Two
    assert row.percent_agreement == pytest.approx(100 * agreeing / 32)
    found = intercoder.find_disagreements(
        p, ["ann", "bob", "cat"], "Trust", "paragraph", partial=True
    )
    [in_two] = [d for d in found if d.document == "Two"]
    assert (in_two.coded_by, in_two.not_coded_by) == (("cat",), ("ann",))
