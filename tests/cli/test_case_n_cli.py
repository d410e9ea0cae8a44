"""N of cases through the command line: cases without a document are never counted."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.helpers import ok


def _project(tmp_path: Path) -> Path:
    path = tmp_path / "n.coder"
    files = []
    for name in ("P01", "P02", "P03", "P04"):
        f = tmp_path / f"{name}.txt"
        f.write_text(f"{name} talks about the pull of the city.\n", encoding="utf-8")
        files.append(str(f))
    ok("new", str(path))
    ok("import", str(path), *files, "--case-per-document")
    ok("code", "add", str(path), "Pull")
    for name in ("P01", "P02", "P03", "P04"):
        ok("code", "apply", str(path), "--document", name, "--code", "Pull", "--text", "pull")
    sheet = tmp_path / "cases.csv"
    sheet.write_text(
        "case,gender\nP01,female\nP02,male\nP03,female\nP04,female\nP05,male\n", encoding="utf-8"
    )
    ok("cases", "import", str(path), str(sheet))
    return path


def test_a_case_without_documents_is_not_in_n(tmp_path: Path) -> None:
    path = _project(tmp_path)
    cases = {c["name"]: c for c in json.loads(ok("cases", "list", str(path), "--json").stdout)}
    assert set(cases) == {"P01", "P02", "P03", "P04", "P05"}
    stats = json.loads(ok("stats", str(path), "--by", "case", "--json").stdout)
    assert stats["total"] == 4
    assert stats["rows"][0] == {"code": "Pull", "codings": 4, "units": 4, "percent": 100.0}
    by_gender = json.loads(ok("stats", str(path), "--by", "attribute=gender", "--json").stdout)
    totals = {r["value"]: r["total"] for r in by_gender["rows"]}
    assert totals == {"female": 3, "male": 1}
    crosstab = json.loads(ok("crosstab", str(path), "gender", "--json").stdout)
    assert dict(zip(crosstab["values"], crosstab["column_totals"], strict=True)) == {
        "female": 3,
        "male": 1,
    }
    every = ["--documents", "P01", "P02", "P03", "P04"]
    crosstab = json.loads(ok("crosstab", str(path), "gender", *every, "--json").stdout)
    assert dict(zip(crosstab["values"], crosstab["column_totals"], strict=True)) == {
        "female": 3,
        "male": 1,
    }


def test_stats_with_coders_and_consensus(tmp_path: Path) -> None:
    path = _project(tmp_path)
    # Sam agrees on P01 and P02 only
    for name in ("P01", "P02"):
        ok("code", "apply", str(path), "--document", name, "--code", "Pull", "--text", "pull",
           "--coder", "Sam")  # fmt: skip
    me = json.loads(ok("coders", str(path), "--json").stdout)
    first = next(c["name"] for c in me if c["name"] != "Sam")
    run = ("stats", str(path), "--by", "case", "--coders", first, "Sam", "--json")
    assert json.loads(ok(*run).stdout)["rows"][0]["units"] == 4
    both = json.loads(ok(*run, "--consensus", "all").stdout)["rows"][0]
    assert both["units"] == 2 and both["percent"] == 50.0 and both["codings"] == 4
    listed = json.loads(ok(*run, "--documents", "P01", "P02", "P03", "P04").stdout)
    assert listed["total"] == 4
    passages = json.loads(ok("retrieve", str(path), "--codes", "Pull", "--coders", first, "Sam",
                             "--consensus", "all", "--json").stdout)  # fmt: skip
    assert sorted(p["document"] for p in passages) == ["P01", "P01", "P02", "P02"]
