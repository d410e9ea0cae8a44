"""Agreement through the command line: scope, left-out documents, segments, pooling."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import ok, run, user_error

# Four paragraphs each; Ann codes Trust in paragraphs 1-2 of A and paragraph 1 of B,
# Bob codes Trust in paragraph 1 of A only and nothing at all in B.
DOC_A = "one trust\ntwo trust\nthree\nfour"
DOC_B = "five trust\nsix\nseven\neight"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "team.coder"
    a, b, c = tmp_path / "A.txt", tmp_path / "B.txt", tmp_path / "C.txt"
    a.write_text(DOC_A, encoding="utf-8")
    b.write_text(DOC_B, encoding="utf-8")
    c.write_text("nobody coded this", encoding="utf-8")
    ok("new", str(path))
    ok("import", str(path), str(a), str(b), str(c))
    ok("code", "add", str(path), "Trust")
    apply = ("code", "apply", str(path), "--code", "Trust")
    ok(*apply, "--document", "A", "--text", "one trust", "--coder", "Ann")
    ok(*apply, "--document", "A", "--text", "two trust", "--coder", "Ann")
    ok(*apply, "--document", "B", "--text", "five trust", "--coder", "Ann")
    ok(*apply, "--document", "A", "--text", "one trust", "--coder", "Bob")
    return path


def _agreement(path: Path, *args: str) -> dict:
    return json.loads(ok("agreement", str(path), "--coders", "Ann", "Bob", *args, "--json").stdout)


def test_default_scope_lists_the_documents_left_out(project: Path) -> None:
    data = _agreement(project, "--unit", "paragraph")
    assert data["documents"] == ["A"]
    assert data["excluded_documents"] == [
        {"document": "B", "reason": "coded only by Ann"},
        {"document": "C", "reason": "coded by none of the coders"},
    ]
    trust = data["codes"][0]
    assert trust["table"] == {"both": 1, "first_only": 1, "second_only": 0, "neither": 2}
    assert trust["percent_agreement"] == 75.0
    assert trust["positive_agreement"] == pytest.approx(200 / 3)
    assert trust["percent_agreement_coded"] == 50.0
    assert data["pooling"] == "units" and data["excluded"] == {"characters": 3, "codings": 0}


def test_listed_documents_are_in_scope_for_every_coder(project: Path) -> None:
    """Bob read B and found nothing to code: that is a disagreement, not a dropped document."""
    data = _agreement(project, "--unit", "paragraph", "--documents", "A", "B")
    assert data["documents"] == ["A", "B"] and data["excluded_documents"] == []
    trust = data["codes"][0]
    assert trust["table"] == {"both": 1, "first_only": 2, "second_only": 0, "neither": 5}
    assert trust["percent_agreement"] == 75.0
    # Cohen: Po = 6/8; Pe = (3/8)(1/8) + (5/8)(7/8) = 38/64
    assert trust["kappa"] == pytest.approx((6 / 8 - 38 / 64) / (1 - 38 / 64))


def test_segment_unit_matches_codings(project: Path) -> None:
    data = _agreement(project, "--unit", "segment", "--min-overlap", "90")
    trust = data["codes"][0]
    assert data["unit"] == "segment" and data["min_overlap"] == 90
    assert trust["agreements"] == 1 and trust["disagreements"] == 1
    assert trust["table"] == {"both": 1, "first_only": 1, "second_only": 0, "neither": 0}
    assert trust["percent_agreement"] == 50.0
    # one code compared: chance 1/2 (at least two categories)
    assert trust["brennan_prediger"] == 0.0
    text = ok("agreement", str(project), "--coders", "Ann", "Bob", "--unit", "segment").stdout
    assert "coded segment" in text and "Agreements" in text


def test_mean_pooling(project: Path) -> None:
    ok("code", "add", str(project), "Doubt")
    ok(
        "code",
        "apply",
        str(project),
        "--document",
        "A",
        "--code",
        "Doubt",
        "--text",
        "three",
        "--coder",
        "Bob",
    )
    data = _agreement(project, "--unit", "paragraph", "--pooling", "mean")
    assert data["pooling"] == "mean"
    rows = data["codes"]
    assert data["overall"]["percent_agreement"] == pytest.approx(
        (rows[0]["percent_agreement"] + rows[1]["percent_agreement"]) / 2
    )
    pooled = _agreement(project, "--unit", "paragraph")
    assert pooled["overall"]["units"] == 8


def test_option_errors_are_one_line(project: Path) -> None:
    assert "no document named 'Z'" in user_error(
        "agreement", str(project), "--coders", "Ann", "Bob", "--documents", "Z"
    )
    ok(
        "code",
        "apply",
        str(project),
        "--document",
        "A",
        "--code",
        "Trust",
        "--text",
        "three",
        "--coder",
        "Cy",
    )
    assert "two coders" in user_error(
        "agreement", str(project), "--coders", "Ann", "Bob", "Cy", "--unit", "segment"
    )
    assert "percentage" in user_error(
        "agreement",
        str(project),
        "--coders",
        "Ann",
        "Bob",
        "--unit",
        "segment",
        "--min-overlap",
        "0",
    )
    assert (
        run("agreement", str(project), "--coders", "Ann", "Bob", "--pooling", "max").returncode == 2
    )


def test_three_coders_get_the_all_some_none_table(project: Path) -> None:
    ok(
        "code",
        "apply",
        str(project),
        "--document",
        "A",
        "--code",
        "Trust",
        "--text",
        "one trust",
        "--coder",
        "Cy",
    )
    data = json.loads(
        ok(
            "agreement",
            str(project),
            "--coders",
            "Ann",
            "Bob",
            "Cy",
            "--unit",
            "paragraph",
            "--json",
        ).stdout
    )
    assert data["codes"][0]["table"] == {"all": 1, "some": 1, "none": 2}
    assert data["codes"][0]["kappa"] is None and data["codes"][0]["fleiss_kappa"] is not None
