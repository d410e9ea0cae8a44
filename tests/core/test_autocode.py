"""Auto-coding checked against independent scans of the text, its turns and its units."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coder.core.autocode import Rule, apply_plan, autocode, plan_autocode, read_dictionary
from coder.core.errors import CoderError, InvalidValue
from coder.core.query import Filters
from coder.core.text import detect_turns

INTERVIEW = (
    "Interviewer: Tell me about your family. How did it start?\n"
    "Mara: My family came from Cork. Dr. Byrne was our doctor! We moved in 1990.\n"
    "\n"
    "Interviewer: And the FAMILY business?\n"
    "Mara: It was a family-run shop… Everyone worked there. Family first, my mother said.\n"
    "Jun: 家族はとても大事です。Family matters 🍵 to me.\n"
)
OTHER = "No speakers here.\nA familiar story about families and one family.\n"


def _doc(project, name: str, text: str) -> int:
    changes = project.add_document(name, text, turns=detect_turns(text))
    return changes.created("documents")[0]


@pytest.fixture
def project(fresh_project):
    _doc(fresh_project, "interview", INTERVIEW)
    _doc(fresh_project, "other", OTHER)
    return fresh_project


def _codings(project, path: str) -> list[tuple[str, int, int]]:
    code = project.find_code(path)
    return sorted((c.document, c.start, c.end) for c in project.codings(code_ids=[code.id]))


def _word_scan(text: str, word: str) -> list[tuple[int, int]]:
    """Every case-insensitive whole-word occurrence, found character by character."""
    out, w = [], word.casefold()
    for i in range(len(text) - len(word) + 1):
        if text[i : i + len(word)].casefold() != w:
            continue
        before = text[i - 1] if i else " "
        after = text[i + len(word)] if i + len(word) < len(text) else " "
        if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
            out.append((i, i + len(word)))
    return out


def test_speaker_codes_exactly_that_speakers_turns(project) -> None:
    plan, _ = autocode(project, [Rule("Mara said", speaker="mara")], coder="A")
    turns = [(t.start, t.end) for t in detect_turns(INTERVIEW) if t.speaker == "Mara"]
    assert _codings(project, "Mara said") == [("interview", s, e) for s, e in turns]
    assert plan.new_codes == ["Mara said"]
    assert all(c.text.startswith("Mara:") for c in plan.codings)


def test_search_hits_match_an_independent_scan(project) -> None:
    autocode(project, [Rule("Family", search="family")], coder="A")
    expected = [("interview", s, e) for s, e in _word_scan(INTERVIEW, "family")]
    expected += [("other", s, e) for s, e in _word_scan(OTHER, "family")]
    assert _codings(project, "Family") == sorted(expected)
    assert len(expected) == 7  # "family-run" counts, "familiar" and "families" do not


def test_regex_hits_match_pythons_re(project) -> None:
    pattern = r"[Ff]amil(?:y|ies)\b"
    autocode(project, [Rule("Fam", regex=pattern)], coder="A")
    expected = [("interview", *m.span()) for m in re.finditer(pattern, INTERVIEW)]
    expected += [("other", *m.span()) for m in re.finditer(pattern, OTHER)]
    assert _codings(project, "Fam") == sorted(expected)


def _unit_texts(project, unit: str, term: str) -> list[str]:
    plan = plan_autocode(project, [Rule("U", search=term)], unit=unit, coder="A")
    return [c.text for c in plan.codings if c.document == "interview"]


def test_sentence_widening_respects_abbreviations_and_cjk(project) -> None:
    assert _unit_texts(project, "sentence", "doctor") == ["Dr. Byrne was our doctor!"]
    assert _unit_texts(project, "sentence", "business") == ["Interviewer: And the FAMILY business?"]
    assert _unit_texts(project, "sentence", "matters") == ["Family matters 🍵 to me."]
    texts = _unit_texts(project, "sentence", "worked")
    assert texts == ["Everyone worked there."]


def test_paragraph_and_turn_widening(project) -> None:
    paragraph = "Mara: My family came from Cork. Dr. Byrne was our doctor! We moved in 1990."
    assert _unit_texts(project, "paragraph", "Cork") == [paragraph]
    turns = {t.speaker: INTERVIEW[t.start : t.end] for t in detect_turns(INTERVIEW)}
    assert _unit_texts(project, "turn", "1990") == [paragraph]
    assert turns["Mara"] in INTERVIEW
    # A hit outside every turn keeps its paragraph.
    plan = plan_autocode(project, [Rule("U", search="familiar")], unit="turn", coder="A")
    assert [c.text for c in plan.codings] == ["A familiar story about families and one family."]


def test_overlapping_hits_merge_into_one_coding(project) -> None:
    plan = plan_autocode(project, [Rule("U", search="family")], unit="paragraph", coder="A")
    texts = [c.text for c in plan.codings if c.document == "interview"]
    assert len(texts) == len(set(texts)) == 5  # "family" twice in one paragraph: one coding
    assert plan.hits == 7


def test_within_restricts_and_clips_to_coded_passages(project) -> None:
    doc = project.find_document("interview").id
    q = project.add_code("Question").created("codes")[0]
    for t in detect_turns(INTERVIEW):
        if t.speaker == "Interviewer":
            project.apply_code(doc, q, t.start, t.end, coder="A")
    plan, _ = autocode(
        project, [Rule("Asked", search="family")], unit="paragraph", within=[q], coder="A"
    )
    assert [c.text for c in plan.codings] == [
        "Interviewer: Tell me about your family. How did it start?",
        "Interviewer: And the FAMILY business?",
    ]
    # A speaker's turns cut to the coded passages: none of Mara's turns is a question.
    plan = plan_autocode(project, [Rule("M", speaker="Mara")], within=[q], coder="A")
    assert plan.codings == []


def test_running_twice_adds_nothing_and_undo_is_one_step(project) -> None:
    before = project.db.execute("SELECT count(*) FROM codes").fetchone()[0]
    plan, changes = autocode(project, [Rule("Family", search="family")], unit="sentence")
    assert len(changes.created("codings")) == len(plan.codings) > 0
    again, changes2 = autocode(project, [Rule("Family", search="family")], unit="sentence")
    assert again.codings == [] and again.existing == len(plan.codings)
    assert not changes2.created("codings")
    project.undo(changes)
    assert project.db.execute("SELECT count(*) FROM codings").fetchone()[0] == 0
    assert project.db.execute("SELECT count(*) FROM codes").fetchone()[0] == before


def test_dry_run_writes_nothing(project) -> None:
    plan, changes = autocode(project, [Rule("New", search="family")], dry_run=True)
    assert plan.new_codes == ["New"] and plan.codings and not changes
    assert project.db.execute("SELECT count(*) FROM codes").fetchone()[0] == 0


def test_dictionary_codes_many_codes_and_creates_them(project, tmp_path: Path) -> None:
    path = tmp_path / "dict.csv"
    path.write_text(
        "code,term,type\nKin/Family,family,search\nKin/Family,mother,search\n"
        "Places,Cork|Poland,regex\n",
        encoding="utf-8",
    )
    rules = read_dictionary(path)
    plan, _ = autocode(project, rules, coder="A")
    assert plan.new_codes == ["Kin/Family", "Places"]
    assert project.find_code("Kin/Family").path == "Kin/Family"
    fam = _codings(project, "Kin/Family")
    expected = _word_scan(INTERVIEW, "family") + _word_scan(INTERVIEW, "mother")
    assert fam == sorted(
        [("interview", s, e) for s, e in expected]
        + [("other", s, e) for s, e in _word_scan(OTHER, "family")]
    )
    assert [(d, INTERVIEW[s:e]) for d, s, e in _codings(project, "Places")] == [
        ("interview", "Cork")
    ]


def test_a_new_code_under_an_existing_one_is_reported_with_its_path(project) -> None:
    parent = project.add_code("Reasons").created("codes")[0]
    project.add_code("Kin", parent_id=parent)
    plan, _ = autocode(project, [Rule("Kin/Mother", search="mother")], coder="A")
    assert plan.new_codes == ["Reasons/Kin/Mother"]
    assert {c.code for c in plan.codings} == {"Reasons/Kin/Mother"}
    assert project.find_code("Reasons/Kin/Mother").name == "Mother"


def test_selection_limits_documents(project) -> None:
    other = project.find_document("other").id
    plan = plan_autocode(
        project, [Rule("F", search="family")], filters=Filters(documents=frozenset([other]))
    )
    assert {c.document for c in plan.codings} == {"other"}


def test_pathological_regex_is_stopped(fresh_project) -> None:
    _doc(fresh_project, "x", "x" * 5000)
    with pytest.raises(InvalidValue, match="was stopped"):
        autocode(fresh_project, [Rule("Bad", regex=r"(x+x+)+y")], seconds=0.2)
    assert fresh_project.db.execute("SELECT count(*) FROM codes").fetchone()[0] == 0


def test_bad_inputs_are_one_line_errors(project, tmp_path: Path) -> None:
    with pytest.raises(InvalidValue, match="not a regular expression"):
        plan_autocode(project, [Rule("C", regex="(")])
    with pytest.raises(CoderError):
        plan_autocode(project, [Rule("C", regex="(unclosed")])
    with pytest.raises(CoderError):
        read_dictionary(tmp_path / "missing.csv")
    with pytest.raises(InvalidValue):
        Rule("C")
    bad = tmp_path / "bad.csv"
    bad.write_text("C,term,fuzzy\n", encoding="utf-8")
    with pytest.raises(InvalidValue, match="row 1"):
        read_dictionary(bad)
    assert project.db.execute("SELECT count(*) FROM codes").fetchone()[0] == 0


def test_apply_plan_refuses_a_passage_outside_the_text(project) -> None:
    plan = plan_autocode(project, [Rule("F", search="family")], coder="A")
    assert apply_plan(project, plan, coder="A").created("codings")


def test_an_unknown_speaker_is_an_error_naming_the_speakers(project) -> None:
    with pytest.raises(CoderError, match="no speaker named 'Nobody' .speakers: Interviewer, Mara"):
        plan_autocode(project, [Rule("S", speaker="Nobody")])


def test_search_for_chinese_or_japanese_words_finds_them_inside_a_run(project) -> None:
    """Those scripts write no spaces: each character is a word, as in the word list."""
    plan = plan_autocode(project, [Rule("Kin", search="大事")])
    expected = [m.span() for m in re.finditer("大事", INTERVIEW)]
    assert [(c.start, c.end) for c in plan.codings] == expected and len(expected) == 1
    plan = plan_autocode(project, [Rule("Kin", search="家族 大事")], unit="sentence")
    assert [c.text for c in plan.codings] == ["Jun: 家族はとても大事です。"]  # label included
    assert plan_autocode(project, [Rule("Kin", search="家族 妹")]).codings == []  # both must occur
