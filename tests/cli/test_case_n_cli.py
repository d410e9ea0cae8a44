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
