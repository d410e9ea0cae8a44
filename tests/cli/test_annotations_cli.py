"""`coder annotate`, `coder annotations` and `coder code add --category`, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coder.core.project import Project
from tests.cli.helpers import ok, user_error


@pytest.fixture
def study(tmp_path: Path) -> str:
    path = tmp_path / "study.coder"
    with Project.create(path) as p:
        p.add_document("Talk", "I: What gave you hope? 😀\nR: My family. My family, always.")
    return str(path)


def test_annotate_by_text_and_list_as_json(study):
    out = ok(
        "annotate",
        study,
        "--document",
        "Talk",
        "--text",
        "My family",
        "--occurrence",
        "2",
        "--note",
        "Repeated 😀",
        "--coder",
        "ann",
    ).stdout
    assert out.startswith("annotated Talk ")
    ok("annotate", study, "--document", "Talk", "--start", "3", "--end", "7", "--note", "asks")
    rows = json.loads(ok("annotations", study, "--json").stdout)
    assert [(r["text"], r["note"]) for r in rows] == [
        ("What", "asks"),
        ("My family", "Repeated 😀"),
    ]
    first = rows[1]
    assert set(first) >= {"guid", "document", "start", "end", "text", "note", "coder", "created"}
    assert first["coder"] == "ann" and first["document"] == "Talk"
    text = "I: What gave you hope? 😀\nR: My family. My family, always."
    assert text[first["start"] : first["end"]] == "My family"
    assert first["start"] == text.index("My family", text.index("My family") + 1)
    table = ok("annotations", study, "--document", "Talk").stdout
    assert "Repeated 😀" in table and "asks" in table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--text", "nowhere"], "nowhere"),
        (["--text", "My family"], "2"),
        (["--start", "5"], "--end"),
        (["--start", "5", "--end", "500"], "500"),
    ],
)
def test_annotate_errors_are_one_line_and_change_nothing(study, args, message):
    line = user_error("annotate", study, "--document", "Talk", "--note", "x", *args)
    assert message in line
    assert json.loads(ok("annotations", study, "--json").stdout) == []


def test_annotations_of_an_unknown_document_is_an_error(study):
    assert "Nope" in user_error("annotations", study, "--document", "Nope")


def test_a_category_groups_codes_and_cannot_be_applied(study):
    ok("code", "add", study, "Feelings", "--category")
    ok("code", "add", study, "Hope", "--parent", "Feelings")
    codes = json.loads(ok("code", "list", study, "--json").stdout)
    assert codes[0]["name"] == "Feelings" and codes[0]["codable"] is False
    assert codes[0]["children"][0]["codable"] is True
    line = user_error(
        "code", "apply", study, "--document", "Talk", "--code", "Feelings", "--text", "hope"
    )
    assert "Feelings" in line and "categor" in line
    ok("code", "apply", study, "--document", "Talk", "--code", "Hope", "--text", "hope")
