"""The pseudonym list and how its originals are found in a text."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from coder.core.errors import InvalidValue, NotFound
from coder.core.project import Project
from coder.core.pseudonymise.matching import Matcher, Rule


def replaced(rules: list[Rule], text: str) -> str:
    return Matcher(rules).replace(text)[0]


def test_whole_words_any_case_any_normalisation_form() -> None:
    rules = [Rule("José", "P01"), Rule("Kraków", "[city]")]
    text = "José, JOSÉ and " + unicodedata.normalize("NFD", "josé") + " left Krakówek for KRAKÓW."
    assert replaced(rules, text) == "P01, P01 and P01 left Krakówek for [city]."
    nfd_rule = [Rule(unicodedata.normalize("NFD", "José"), "P01")]
    assert replaced(nfd_rule, "José") == "P01"


def test_names_inside_words_are_left_unless_partial() -> None:
    assert replaced([Rule("Mara", "P01")], "Mara ran a Marathon; Mara_interview") == (
        "P01 ran a Marathon; P01_interview"
    )
    assert replaced([Rule("Mara", "P01", whole_word=False)], "Marathon") == "P01thon"


def test_longest_original_wins_then_the_earlier() -> None:
    rules = [Rule("Christina", "P02"), Rule("Christina M", "P01")]
    assert replaced(rules, "Christina M met Christina") == "P01 met P02"


def test_case_sensitive_rule() -> None:
    rules = [Rule("Rose", "P03", case_sensitive=True)]
    assert replaced(rules, "Rose smelt a rose") == "P03 smelt a rose"


def test_positions_in_the_result_are_exact_with_changing_lengths() -> None:
    text = "👩‍👩‍👧 Ŝtefan met ß-Straße and Ŝtefan"
    matcher = Matcher([Rule("Ŝtefan", "P1"), Rule("Straße", "[street]")])
    new, placed = matcher.replace(text)
    for match, at in placed:
        assert text[match.start : match.end].casefold() == match.rule.original.casefold()
        assert new[at : at + len(match.rule.replacement)] == match.rule.replacement
    assert new == "👩‍👩‍👧 P1 met ß-[street] and P1"


def test_a_case_folding_that_changes_length_maps_back() -> None:
    # "ß" folds to "ss": the match must still cover exactly the text's characters.
    new, _ = Matcher([Rule("STRASSE", "[street]")]).replace("die Straße hier")
    assert new == "die [street] hier"


def test_the_list_with_undo(fresh_project: Project) -> None:
    changes = fresh_project.add_pseudonym("Mara", "P01", category="person", forms=("Maras",))
    [p] = fresh_project.pseudonyms()
    assert (p.original, p.replacement, p.category, p.forms) == ("Mara", "P01", "person", ("Maras",))
    assert fresh_project.find_pseudonym("MARA").id == p.id
    fresh_project.undo(changes)
    assert fresh_project.pseudonyms() == []
    fresh_project.redo(changes)
    removal = fresh_project.remove_pseudonym("mara")
    assert fresh_project.pseudonyms() == []
    fresh_project.undo(removal)
    assert [q.original for q in fresh_project.pseudonyms()] == ["Mara"]


@pytest.mark.parametrize(
    ("original", "replacement", "message"),
    [
        ("", "P01", "cannot be empty"),
        ("Jan", "", "needs a replacement"),
        ("MARA", "P09", "already in the list"),
        ("Jan", "Mara Smith", "contains the original 'Mara'"),
        ("P01", "P02", "occurs in the replacement of 'Mara'"),
    ],
)
def test_bad_entries_are_refused(
    fresh_project: Project, original: str, replacement: str, message: str
) -> None:
    fresh_project.add_pseudonym("Mara", "P01")
    with pytest.raises(InvalidValue, match=message):
        fresh_project.add_pseudonym(original, replacement)
    assert len(fresh_project.pseudonyms()) == 1


def test_unknown_category_and_unknown_original(fresh_project: Project) -> None:
    with pytest.raises(InvalidValue, match="unknown category"):
        fresh_project.add_pseudonym("Mara", "P01", category="pet")
    with pytest.raises(NotFound):
        fresh_project.remove_pseudonym("Mara")


def test_export_and_import_round_trip(fresh_project: Project, tmp_path: Path) -> None:
    fresh_project.add_pseudonym("Kraków", "[city]", category="place", forms=("Krakowie",))
    fresh_project.add_pseudonym("Rose", "P03", case_sensitive=True, note="not the flower")
    out = tmp_path / "key.csv"
    assert fresh_project.export_pseudonyms(out) == 2
    other = Project.create(tmp_path / "other.coder")
    try:
        other.import_pseudonyms(out)
        assert [
            (p.original, p.replacement, p.category, p.forms, p.case_sensitive, p.note)
            for p in other.pseudonyms()
        ] == [
            (p.original, p.replacement, p.category, p.forms, p.case_sensitive, p.note)
            for p in fresh_project.pseudonyms()
        ]
    finally:
        other.close()


def test_import_is_all_or_nothing(fresh_project: Project, tmp_path: Path) -> None:
    table = tmp_path / "names.csv"
    table.write_text("Mara,P01,person\nJan,P02,pet\n", encoding="utf-8")
    with pytest.raises(InvalidValue, match="row 2: unknown category 'pet'"):
        fresh_project.import_pseudonyms(table)
    assert fresh_project.pseudonyms() == []
    table.write_text("Mara,P01,person\nJan,P02\n", encoding="utf-8")
    fresh_project.import_pseudonyms(table)
    assert sorted(p.original for p in fresh_project.pseudonyms()) == ["Jan", "Mara"]


SUGGEST_TEXT = (
    "Interviewer: How did you meet Ruth Brennock?\n"
    "Mara: Through the Fellowship. Then Ruth Brennock wrote to me at ruth.b@example.org, "
    "and the Fellowship site https://fellowship.example.org/join said to call +44 20 7946 0958.\n"
    "Interviewer: When?\n"
    "Mara: On 14 March 2025. The leaders and Ruth Brennock met in October.\n"
)


def test_suggestions(fresh_project: Project, tmp_path: Path) -> None:
    from coder.core.pseudonymise.suggest import suggest

    source = tmp_path / "Mara.txt"
    source.write_text(SUGGEST_TEXT, encoding="utf-8")
    fresh_project.import_file(source, speakers="auto")
    fresh_project.add_case("Case Aoife")
    found = {s.text: s for s in suggest(fresh_project)}
    assert found["Mara"].kind == "speaker" and found["Mara"].category == "person"
    assert found["Mara"].count == 2 and found["Mara"].documents == ("Mara",)
    assert found["Ruth Brennock"].kind == "name" and found["Ruth Brennock"].count == 3
    assert found["Fellowship"].count == 2
    assert found["ruth.b@example.org"].category == "contact"
    assert found["https://fellowship.example.org/join"].kind == "url"
    assert found["+44 20 7946 0958"].kind == "phone"
    assert found["14 March 2025"].category == "date"
    assert found["Case Aoife"].kind == "case"
    for common in ("Interviewer", "Then", "The", "October", "When"):
        assert common not in found
    assert found["Mara"].replacement == "P01" and found["Case Aoife"].replacement == "P02"
    fresh_project.add_pseudonym("mara", "P07")
    fresh_project.dismiss_suggestion("Fellowship")
    left = {s.text for s in suggest(fresh_project)}
    assert "Mara" not in left and "Fellowship" not in left and "Ruth Brennock" in left


def test_case_sensitive_and_other_originals_overlapping() -> None:
    rules = [Rule("Ann", "P1"), Rule("Anna", "P2", case_sensitive=True)]
    assert replaced(rules, "Anna met ann and Joanna, ANNA") == "P2 met P1 and Joanna, ANNA"


def test_a_refused_match_hides_no_other() -> None:
    # "ana" inside "banab" is not a whole word; "nab" (inside words too) starts within it.
    rules = [Rule("ana", "X"), Rule("nab", "Y", whole_word=False)]
    assert replaced(rules, "banab ana") == "baY X"


def test_many_originals_in_a_long_text() -> None:
    names = [f"Näme{i}" for i in range(200)]
    text = " ".join(f"{names[i % 200]} said {'w' * (i % 7)}" for i in range(20000))
    new, placed = Matcher(Rule(n, f"P{i}") for i, n in enumerate(names)).replace(text)
    assert len(placed) == 20000 and "Näme" not in new
