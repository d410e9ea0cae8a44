"""coder autocode, words, kwic and similar through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import ok, run, user_error

TEXT = (
    "Interviewer: Tell me about your family.\n"
    "Mara: My family came from Cork. We moved in 1990.\n"
    "Interviewer: And the family business?\n"
    "Mara: It was a family shop. Everyone worked there.\n"
)


@pytest.fixture
def project(tmp_path: Path) -> str:
    src = tmp_path / "mara.txt"
    src.write_text(TEXT, encoding="utf-8")
    path = str(tmp_path / "p.coder")
    ok("new", path)
    ok("import", path, str(src))
    return path


def _count(path: str) -> int:
    return len(json.loads(ok("codings", path, "--json").stdout))


def test_autocode_json_lists_every_coding_and_is_idempotent(project: str) -> None:
    out = json.loads(
        ok(
            "autocode",
            project,
            "--code",
            "Family",
            "--search",
            "family",
            "--unit",
            "sentence",
            "--json",
        ).stdout
    )
    assert out["created_codes"] == ["Family"] and out["dry_run"] is False
    assert [c["text"] for c in out["codings"]][:2] == [
        "Interviewer: Tell me about your family.",
        "Mara: My family came from Cork.",
    ]
    for c in out["codings"]:
        assert TEXT[c["start"] : c["end"]] == c["text"] and c["code"] == "Family"
    assert _count(project) == len(out["codings"]) == 4
    again = json.loads(
        ok(
            "autocode",
            project,
            "--code",
            "Family",
            "--search",
            "family",
            "--unit",
            "sentence",
            "--json",
        ).stdout
    )
    assert again["codings"] == [] and again["existing"] == 4 and _count(project) == 4


def test_speaker_dry_run_and_within(project: str) -> None:
    dry = ok("autocode", project, "--code", "Q", "--speaker", "Interviewer", "--dry-run")
    assert "would create code Q (top level)" in dry.stdout and _count(project) == 0
    ok("autocode", project, "--code", "Q", "--speaker", "Interviewer")
    out = json.loads(
        ok(
            "autocode", project, "--code", "F", "--search", "family", "--within", "Q", "--json"
        ).stdout
    )
    assert [TEXT[c["start"] : c["end"]] for c in out["codings"]] == ["family", "family"]
    assert all(
        c["start"] < TEXT.index("Mara") or c["start"] > TEXT.index("Interviewer: And")
        for c in out["codings"]
    )


def test_errors_are_one_line_and_change_nothing(project: str, tmp_path: Path) -> None:
    assert "regular expression" in user_error("autocode", project, "--code", "X", "--regex", "(")
    assert "--code" in user_error("autocode", project, "--search", "family")
    assert "no code named" in user_error(
        "autocode", project, "--code", "X", "--search", "a", "--within", "Nope"
    )
    bad = tmp_path / "slow.txt"
    bad.write_text("x" * 5000, encoding="utf-8")
    ok("import", project, str(bad))
    line = user_error("autocode", project, "--code", "X", "--regex", "(x+x+)+y", "--timeout", "0.2")
    assert "stopped" in line
    assert json.loads(ok("code", "list", project, "--json").stdout) == []
    assert run("autocode", project, "--code", "X").returncode == 2


def test_dictionary(project: str, tmp_path: Path) -> None:
    d = tmp_path / "d.csv"
    d.write_text(
        "code,term,type\nPlaces/Cork,Cork,search\nYears,\\b19\\d\\d\\b,regex\n", encoding="utf-8"
    )
    out = json.loads(ok("autocode", project, "--dictionary", str(d), "--json").stdout)
    assert out["created_codes"] == ["Places/Cork", "Years"]
    assert [(c["code"], c["text"]) for c in out["codings"]] == [
        ("Places/Cork", "Cork"),
        ("Years", "1990"),
    ]


def test_words_kwic_similar(project: str) -> None:
    rows = json.loads(ok("words", project, "--stopwords", "en", "--top", "3", "--json").stdout)
    assert rows[0] == {"word": "family", "count": 4, "documents": 1, "cases": 0}
    assert "the" not in [r["word"] for r in rows]
    hits = json.loads(ok("kwic", project, "family", "--width", "5", "--json").stdout)
    assert len(hits) == 4 and hits[0]["left"] == TEXT[hits[0]["start"] - 5 : hits[0]["start"]]
    assert hits[0]["speaker"] == "Interviewer" and hits[1]["speaker"] == "Mara"
    start = TEXT.index("It was")
    sim = json.loads(
        ok(
            "similar",
            project,
            "--document",
            "mara",
            "--start",
            str(start),
            "--end",
            str(start + 20),
            "--json",
        ).stdout
    )
    assert sim and set(sim[0]) == {"document", "start", "end", "text", "score"}
    assert "bad" not in user_error(
        "similar", project, "--document", "mara", "--start", "5", "--end", "1"
    )
