"""The README's search syntax, through `coder search`: words, "phrases", prefix*."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import ok, user_error

FAMILY = (
    "My sister mother-in-law came first. Then my Sister, mother and I left.\n"
    "Her mother sister was older. The sister stayed; mother did not.\n"
    "Leaders and leadership failed; a leader lied about well-being.\n"
)
OTHER = "Only my sister is named here, and the word well appears alone: being there.\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "family.coder"
    ok("new", str(path))
    for name, text in (("family", FAMILY), ("other", OTHER)):
        source = tmp_path / f"{name}.txt"
        source.write_text(text, encoding="utf-8")
        ok("import", str(path), str(source))
    return path


def search(project: Path, *query: str) -> list[dict]:
    return json.loads(ok("search", str(project), *query, "--json").stdout)


def found(project: Path, query: str) -> list[tuple[str, str]]:
    return [(h["document"], h["text"]) for h in search(project, query)]


def test_a_quoted_phrase_matches_the_phrase_only(project: Path) -> None:
    """ "sister mother" finds the two words in that order, with only spaces or punctuation
    between them, never each word on its own."""
    assert found(project, '"sister mother"') == [
        ("family", "sister mother"),
        ("family", "Sister, mother"),
    ]


def test_each_hit_is_exactly_the_passage_at_its_offsets(project: Path) -> None:
    for hit in search(project, '"sister mother"'):
        assert FAMILY[hit["start"] : hit["end"]] == hit["text"]
        assert FAMILY[: hit["start"]].endswith(hit["before"])
        assert FAMILY[hit["end"] :].startswith(hit["after"])


def test_words_without_quotes_find_every_occurrence_in_documents_holding_all(
    project: Path,
) -> None:
    """Unquoted words: documents with every word; each occurrence of either word is a hit."""
    hits = found(project, "sister mother")
    assert {doc for doc, _t in hits} == {"family"}  # "other" has no "mother"
    assert [t.lower() for _d, t in hits] == [
        "sister", "mother", "sister", "mother", "mother", "sister", "sister", "mother",
    ]  # fmt: skip


def test_whole_words_and_prefixes(project: Path) -> None:
    assert found(project, "leader") == [("family", "leader")]
    assert found(project, "leader*") == [
        ("family", "Leaders"),
        ("family", "leadership"),
        ("family", "leader"),
    ]


def test_search_is_case_insensitive(project: Path) -> None:
    assert found(project, "SISTER") == found(project, "sister")
    assert found(project, '"SISTER MOTHER"') == found(project, '"sister mother"')


def test_a_hyphenated_word_is_a_phrase(project: Path) -> None:
    assert found(project, "well-being") == [("family", "well-being")]
    assert found(project, '"well being"') == [("family", "well-being")]


def test_a_phrase_with_a_prefix(project: Path) -> None:
    assert found(project, '"a lead"*') == [("family", "a leader")]


def test_an_unclosed_quote_runs_to_the_end(project: Path) -> None:
    assert found(project, '"sister mother') == found(project, '"sister mother"')


def test_punctuation_is_never_search_syntax(project: Path) -> None:
    assert found(project, "sister OR (mother") == []  # "or" is a word like any other
    assert "at least one word" in user_error("search", str(project), '"" * - ()')


def test_limit_caps_the_hits(project: Path) -> None:
    assert len(search(project, "sister", "--limit", "2")) == 2


def test_plain_output_brackets_the_match(project: Path) -> None:
    out = ok("search", str(project), '"sister mother"').stdout.splitlines()
    assert out[0].startswith("family 3: ") and "[sister mother]" in out[0]
    assert "[Sister, mother]" in out[1]


def test_a_limit_below_one_is_refused(project: Path) -> None:
    assert "at least 1" in user_error("search", str(project), "sister", "--limit", "0")
