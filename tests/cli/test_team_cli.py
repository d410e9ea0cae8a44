"""`coder merge`, `coder agreement`, `coder coders`: exit codes, one-line errors, JSON shapes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from coder.core.project import Project
from coder.core.text import paragraphs
from tests.cli.helpers import ok, run, user_error

TEXT = "\n".join(f"Speaker: paragraph {i} of the interview." for i in range(10))


def _code(p: Project, coder: str, indexes: list[int], code: str = "Trust") -> None:
    doc = p.find_document("Interview").id
    spans = paragraphs(p.document_text(doc))
    for i in indexes:
        p.apply_code(doc, p.find_code(code).id, spans[i][0] + 1, spans[i][1] - 1, coder=coder)


@pytest.fixture
def copies(tmp_path: Path) -> tuple[Path, Path]:
    base = tmp_path / "base.coder"
    with Project.create(base) as p:
        p.add_document("Interview", TEXT)
        p.add_code("Trust")
        p.add_code("Doubt")
    ann, bob = tmp_path / "ann.coder", tmp_path / "bob.coder"
    shutil.copy(base, ann)
    shutil.copy(base, bob)
    with Project.open(ann) as p:
        _code(p, "ann", [0, 1, 2, 3, 4])
        _code(p, "ann", [9], "Doubt")
    with Project.open(bob) as p:
        _code(p, "bob", [0, 1, 2, 5, 6])
        _code(p, "bob", [9], "Doubt")
        p.update_code(p.find_code("Doubt").id, name="Uncertainty")
    return ann, bob


def test_merge_then_agreement_json(copies):
    ann, bob = copies
    merged = ok("merge", str(ann), str(bob))
    assert "added" in merged.stdout and "backup before merging" in merged.stdout
    # the rename is a conflict: listed on stderr, mine kept
    conflicts = [line for line in merged.stderr.splitlines() if line.startswith("coder: conflict:")]
    assert len(conflicts) == 1 and "'Doubt'" in conflicts[0] and "'Uncertainty'" in conflicts[0]
    data = json.loads(
        ok("agreement", str(ann), "--coders", "ann", "bob", "--unit", "paragraph", "--json").stdout
    )
    assert set(data) >= {"unit", "coders", "codes", "overall"}
    assert data["unit"] == "paragraph" and data["coders"] == ["ann", "bob"]
    assert [c["code"] for c in data["codes"]] == ["Trust", "Doubt"]
    for row in (*data["codes"], data["overall"]):
        assert set(row) >= {"percent_agreement", "kappa", "alpha", "units"}
    trust = data["codes"][0]
    assert set(trust) >= {"code", "percent_agreement", "kappa", "alpha", "units"}
    assert trust["units"] == 10
    assert trust["percent_agreement"] == pytest.approx(60.0)
    assert trust["kappa"] == pytest.approx(0.2)
    assert trust["alpha"] == pytest.approx(0.24)
    doubt = data["codes"][1]
    assert doubt["percent_agreement"] == pytest.approx(100.0)
    assert doubt["kappa"] == pytest.approx(1.0)
    assert data["overall"]["units"] == 20


def test_merge_twice_changes_nothing(copies):
    ann, bob = copies
    ok("merge", str(ann), str(bob))
    first = json.loads(ok("coders", str(ann), "--json").stdout)
    again = json.loads(ok("merge", str(ann), str(bob), "--json").stdout)
    assert sum(again["added"].values()) == 0
    assert json.loads(ok("coders", str(ann), "--json").stdout) == first
    assert {r["name"]: r["codings"] for r in first} == {"ann": 6, "bob": 6}


def test_merge_prefer_theirs_and_dry_run(copies):
    ann, bob = copies
    dry = json.loads(
        ok("merge", str(ann), str(bob), "--prefer", "theirs", "--dry-run", "--json").stdout
    )
    assert dry["dry_run"] is True and dry["added"]["codings"] == 6
    assert [c["kept"] for c in dry["conflicts"]] == ["theirs"]
    assert [r["name"] for r in json.loads(ok("coders", str(ann), "--json").stdout)] == ["ann"]
    ok("merge", str(ann), str(bob), "--prefer", "theirs")
    with Project.open(ann, read_only=True) as p:
        assert p.find_code("Uncertainty")


def test_undefined_statistics_are_null(copies):
    ann, bob = copies
    ok("merge", str(ann), str(bob))
    data = json.loads(
        ok("agreement", str(ann), "--coders", "ann", "bob", "--unit", "turn", "--json").stdout
    )
    # no speaker turns were stored: no units, nothing made up
    old_keys = {k: data["overall"][k] for k in ("percent_agreement", "kappa", "alpha", "units")}
    assert old_keys == {"percent_agreement": None, "kappa": None, "alpha": None, "units": 0}
    data = json.loads(
        ok(
            "agreement",
            str(ann),
            "--coders",
            "ann",
            "bob",
            "--unit",
            "paragraph",
            "--code",
            "Trust",
            "--disagreements",
            "--json",
        ).stdout
    )
    assert [c["code"] for c in data["codes"]] == ["Trust"]
    [passage] = data["codes"][0]["disagreements"]
    assert passage["coded_by"] == ["ann", "bob"] and passage["document"] == "Interview"


def test_agreement_text_output(copies):
    ann, bob = copies
    ok("merge", str(ann), str(bob))
    out = ok(
        "agreement", str(ann), "--coders", "ann", "bob", "--unit", "paragraph", "--disagreements"
    ).stdout
    assert "Trust" in out and "0.200" in out and "All codes (pooled)" in out
    assert "Disagreements on Trust: 1" in out


def test_agreement_errors(copies):
    ann, bob = copies
    line = user_error("agreement", str(ann), "--coders", "ann", "zed")
    assert "zed" in line and "coders: ann" in line
    usage = run("agreement", str(ann), "--coders", "ann")
    assert usage.returncode == 2 and "at least two" in usage.stderr
    assert run("agreement", str(ann), "--coders", "ann", "bob", "--unit", "page").returncode == 2
    ok("merge", str(ann), str(bob))
    line = user_error("agreement", str(ann), "--coders", "ann", "bob", "--code", "Nope")
    assert "Nope" in line


def test_merge_errors_are_one_line_and_change_nothing(copies, tmp_path):
    ann, bob = copies
    junk = tmp_path / "junk.coder"
    junk.write_text("this is not a project " * 10)
    before = ok("coders", str(ann), "--json").stdout
    line = user_error("merge", str(ann), str(bob), str(junk))
    assert "junk.coder" in line
    assert "no such project file" in user_error("merge", str(ann), str(tmp_path / "nope.coder"))
    assert ok("coders", str(ann), "--json").stdout == before
    assert run("merge", str(ann), str(bob), "--prefer", "newest").returncode == 2


def test_coders_table(copies):
    ann, _ = copies
    out = ok("coders", str(ann)).stdout
    assert out.splitlines()[0].split() == ["Coder", "Codings", "Documents", "Codes"]
    assert "ann" in out


def test_partial_flag(copies, tmp_path):
    ann, bob = copies
    ok("merge", str(ann), str(bob))
    data = json.loads(
        ok(
            "agreement",
            str(ann),
            "--coders",
            "ann",
            "bob",
            "--unit",
            "paragraph",
            "--partial",
            "--json",
        ).stdout
    )
    assert data["partial"] is True and data["codes"][0]["kappa"] == pytest.approx(0.2)
    strict = json.loads(ok("agreement", str(ann), "--coders", "ann", "bob", "--json").stdout)
    assert strict["partial"] is False
