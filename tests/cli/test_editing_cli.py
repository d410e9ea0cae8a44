"""`coder document edit` and `coder document replace`: codings follow, JSON lists the moves."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.helpers import ok, user_error


def _codings(project: Path) -> dict[str, str]:
    rows = json.loads(ok("codings", str(project), "--json").stdout)
    return {r["guid"]: r["text"] for r in rows}


def test_edit_and_replace_move_codings(tmp_path: Path) -> None:
    src = tmp_path / "flood.txt"
    src.write_text("I: what happened?\nR: teh flood came at night. teh end 😀.\n", "utf-8")
    project = tmp_path / "p.coder"
    ok("new", str(project))
    ok("import", str(project), str(src))
    ok("code", "add", str(project), "Loss")
    ok(
        "code",
        "apply",
        str(project),
        "--document",
        "flood",
        "--code",
        "Loss",
        "--text",
        "flood came at night",
    )
    ok("code", "apply", str(project), "--document", "flood", "--code", "Loss", "--text", "end 😀")
    before = _codings(project)
    out = json.loads(
        ok(
            "document",
            "edit",
            str(project),
            "--document",
            "flood",
            "--text",
            "teh",
            "--occurrence",
            "1",
            "--replace",
            "the great",
            "--json",
        ).stdout
    )
    assert out["characters"] == 57 + 6
    assert {c["guid"] for c in out["changed"]} == set(before) and out["removed"] == []
    assert _codings(project) == before
    out = json.loads(
        ok(
            "document", "replace", str(project), "--all", "teh", "the", "--whole-word", "--json"
        ).stdout
    )
    assert out["replacements"] == 1 and out["documents"][0]["document"] == "flood"
    assert _codings(project) == before
    out = json.loads(
        ok(
            "document",
            "edit",
            str(project),
            "--document",
            "flood",
            "--text",
            "end 😀",
            "--replace",
            "",
            "--json",
        ).stdout
    )
    assert len(out["removed"]) == 1
    assert list(_codings(project).values()) == ["flood came at night"]
    dry = json.loads(
        ok(
            "document",
            "replace",
            str(project),
            "--document",
            "flood",
            "night",
            "day",
            "--dry-run",
            "--json",
        ).stdout
    )
    assert dry["dry_run"] and dry["replacements"] == 1
    assert list(_codings(project).values()) == ["flood came at night"]
    assert "not inside" in user_error(
        "document",
        "edit",
        str(project),
        "--document",
        "flood",
        "--start",
        "3",
        "--end",
        "999",
        "--replace",
        "x",
    )
    assert "does not occur" in user_error(
        "document", "edit", str(project), "--document", "flood", "--text", "zebra", "--replace", "x"
    )


def test_replace_dry_run_reads_only_while_the_window_holds_the_project(tmp_path: Path) -> None:
    """A dry run computes the moves by the rule and writes nothing: it works while another
    program holds the project, and its JSON is what the real replace then reports."""
    from coder.core.project import Project

    src = tmp_path / "talk.txt"
    src.write_text("R: teh river rose. Then teh rain.\nI: and teh house?\n", "utf-8")
    project = tmp_path / "p.coder"
    ok("new", str(project))
    ok("import", str(project), str(src))
    ok("code", "add", str(project), "Water")
    for passage in ("teh river rose", "rain", "teh house"):
        ok(
            "code",
            "apply",
            str(project),
            "--document",
            "talk",
            "--code",
            "Water",
            "--text",
            passage,
        )
    before = _codings(project)
    args = ("document", "replace", str(project), "--all", "teh", "th", "--whole-word", "--json")
    with Project.open(project):  # the window has it open
        dry = json.loads(ok(*args, "--dry-run").stdout)
        assert "open in Coder" in user_error(*args)
    assert _codings(project) == before
    done = json.loads(ok(*args).stdout)
    assert {**dry, "dry_run": False} == done
    moved = {
        c["guid"]: (c["old_start"], c["old_end"], c["start"], c["end"])
        for c in done["documents"][0]["changed"]
    }
    assert moved and set(moved) <= set(before)
    text = json.loads(ok("codings", str(project), "--json").stdout)
    assert sorted(r["text"] for r in text) == ["rain", "th house", "th river rose"]
