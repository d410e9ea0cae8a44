"""`coder crosstab` with number and date attributes grouped into ranges."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import ok, user_error


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "ages.coder"
    ok("new", str(path))
    people = {"Ana": 24, "Ben": 29, "Cleo": 31, "Dara": 31, "Eli": 40, "Finn": 100}
    files = []
    for name in people:
        f = tmp_path / f"{name}.txt"
        f.write_text(f"{name}: we left because of the leaders.\n", encoding="utf-8")
        files.append(str(f))
    ok("import", str(path), *files, "--case-per-document")
    sheet = tmp_path / "cases.csv"
    rows = ["case,age,country"] + [f"{n},{a},{'UK' if a < 35 else 'FR'}" for n, a in people.items()]
    sheet.write_text("\n".join(rows) + "\n", encoding="utf-8")
    ok("cases", "import", str(path), str(sheet))
    ok("code", "add", str(path), "Leaders")
    for name in ("Ana", "Cleo", "Eli", "Finn"):
        ok("code", "apply", str(path), "--document", name, "--code", "Leaders",
           "--text", "leaders")  # fmt: skip
    return path


def crosstab(project: Path, *args: str) -> dict:
    return json.loads(ok("crosstab", str(project), "age", *args, "--json").stdout)


def test_number_values_in_numeric_order(project: Path) -> None:
    x = crosstab(project)
    assert x["grouping"] == "values" and x["values"] == ["24", "29", "31", "40", "100"]
    assert x["value_groups"] == [["24"], ["29"], ["31"], ["40"], ["100"]]


def test_ranges_between_limits(project: Path) -> None:
    x = crosstab(project, "--ranges", "30,40")
    assert x["values"] == ["< 30", "30–39", "≥ 40"] and x["column_totals"] == [2, 2, 2]
    assert x["rows"][0]["counts"] == [1, 1, 2] and x["rows"][0]["column_percent"] == [
        50.0,
        50.0,
        100.0,
    ]


def test_quantile_groups(project: Path) -> None:
    x = crosstab(project, "--quantiles", "3")
    assert x["values"] == ["24–29", "31", "40–100"] and x["column_totals"] == [2, 2, 2]
    assert x["value_groups"][2] == ["40", "100"]


def test_bad_groupings_are_one_line_errors(project: Path) -> None:
    assert "limits must go up" in user_error("crosstab", str(project), "age", "--ranges", "40,30")
    assert "at least 2" in user_error("crosstab", str(project), "age", "--quantiles", "1")
    assert "only number and date" in user_error(
        "crosstab", str(project), "country", "--quantiles", "2"
    )
