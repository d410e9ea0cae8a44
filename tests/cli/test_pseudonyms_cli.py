"""``coder pseudonyms``, ``coder pseudonymise`` / ``depseudonymise`` and ``--pseudonymise``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import ok, user_error


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "study.coder"
    ok("new", str(path))
    return path


def test_add_list_remove_with_json(project: Path) -> None:
    out = ok(
        "pseudonyms", "add", str(project), "Kraków", "[city]", "--category", "place",
        "--form", "Krakowie", "--json",
    )  # fmt: skip
    added = json.loads(out.stdout)
    assert added["original"] == "Kraków" and added["forms"] == ["Krakowie"]
    ok("pseudonyms", "add", str(project), "Rose", "P03", "--case-sensitive", "--partial-words")
    listed = json.loads(ok("pseudonyms", "list", str(project), "--json").stdout)
    assert [p["original"] for p in listed] == ["Kraków", "Rose"]
    assert set(listed[1]) == {
        "original", "replacement", "category", "forms", "case_sensitive", "whole_word", "note",
        "guid",
    }  # fmt: skip
    assert listed[1]["case_sensitive"] is True and listed[1]["whole_word"] is False
    assert "Kraków" in ok("pseudonyms", "list", str(project)).stdout
    ok("pseudonyms", "remove", str(project), "kraków")
    assert [
        p["original"] for p in json.loads(ok("pseudonyms", "list", str(project), "--json").stdout)
    ] == ["Rose"]


def test_errors_are_one_line_and_change_nothing(project: Path, tmp_path: Path) -> None:
    ok("pseudonyms", "add", str(project), "Mara", "P01")
    assert "already in the list" in user_error("pseudonyms", "add", str(project), "mara", "P02")
    assert "no pseudonym" in user_error("pseudonyms", "remove", str(project), "Jan")
    bad = tmp_path / "bad.csv"
    bad.write_text("Jan,P02\nEva,\n", encoding="utf-8")
    assert "row 2" in user_error("pseudonyms", "import", str(project), str(bad))
    assert "no such file" in user_error(
        "pseudonyms", "import", str(project), str(tmp_path / "x.csv")
    )
    assert ".csv" in user_error("pseudonyms", "export", str(project), str(tmp_path / "k.txt"))
    listed = json.loads(ok("pseudonyms", "list", str(project), "--json").stdout)
    assert [p["original"] for p in listed] == ["Mara"]


def test_export_then_import_into_another_project(project: Path, tmp_path: Path) -> None:
    ok("pseudonyms", "add", str(project), "Mara", "P01", "--category", "person")
    key = tmp_path / "list.csv"
    ok("pseudonyms", "export", str(project), str(key))
    assert key.read_bytes().startswith(b"\xef\xbb\xbforiginal,replacement")
    other = tmp_path / "other.coder"
    ok("new", str(other))
    assert "imported 1 pseudonym" in ok("pseudonyms", "import", str(other), str(key)).stdout
