"""``coder pseudonyms``, ``coder pseudonymise`` / ``depseudonymise`` and ``--pseudonymise``."""

from __future__ import annotations

import json
import os
import stat
import zipfile
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
    key.write_text("an older list")
    key.chmod(0o644)
    ok("pseudonyms", "export", str(project), str(key))
    assert key.read_bytes().startswith(b"\xef\xbb\xbforiginal,replacement")
    assert os.name != "posix" or stat.S_IMODE(key.stat().st_mode) == 0o600  # it names people
    other = tmp_path / "other.coder"
    ok("new", str(other))
    assert "imported 1 pseudonym" in ok("pseudonyms", "import", str(other), str(key)).stdout


@pytest.fixture
def interviews(tmp_path: Path) -> Path:
    path = tmp_path / "Mara study.coder"
    ok("new", str(path))
    src = tmp_path / "Mara.txt"
    src.write_text(
        "Interviewer: Tell me about Kraków.\nMara: Kraków was home. Marathon runs with Jan.\n",
        encoding="utf-8",
    )
    ok("import", str(path), str(src))
    ok("code", "add", str(path), "Home in Kraków", "--definition", "Mara's words on Kraków")
    ok("code", "apply", str(path), "--document", "Mara", "--code", "Home in Kraków",
       "--text", "Kraków was home")  # fmt: skip
    for original, replacement in (("Mara", "P01"), ("Kraków", "[city]"), ("Jan", "P02")):
        ok("pseudonyms", "add", str(path), original, replacement)
    return path


ORIGINALS = ("Mara", "MARA", "mara", "Kraków", "kraków", "Krako\u0301w", "Jan ")


def unpacked(path: Path) -> bytes:
    data = path.read_bytes()
    if data.startswith(b"PK"):
        with zipfile.ZipFile(path) as z:
            data += b"".join(z.read(n) for n in z.namelist())
    return data


@pytest.mark.parametrize("ext", [".docx", ".csv", ".xlsx", ".qdpx", ".qdc", ".codebook.docx"])
def test_pseudonymised_exports_hold_no_original(interviews: Path, tmp_path: Path, ext: str) -> None:
    out = tmp_path / f"out{ext}"
    ok("export", str(interviews), str(out), "--pseudonymise")
    data = unpacked(out).replace(b"Marathon", b"").replace(b"marathon", b"")
    for original in ORIGINALS:
        assert original.encode() not in data, original
    if ext == ".csv":
        assert "[city] was home" in out.read_text(encoding="utf-8-sig")


def test_pseudonymised_report(interviews: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.docx"
    ok("report", str(interviews), "-o", str(out), "--pseudonymise", "--codes", "Home in Kraków",
       "--title", "Mara and others", "--context", "paragraph")  # fmt: skip
    data = unpacked(out).replace(b"Marathon", b"").replace(b"marathon", b"")
    for original in ORIGINALS:
        assert original.encode() not in data, original
    assert b"P01 and others" in data and b"[city] was home" in data


def test_an_export_that_would_keep_an_original_is_refused(interviews: Path, tmp_path: Path) -> None:
    ok("pseudonyms", "add", str(interviews), "Summary", "[sum]", "--case-sensitive")
    out = tmp_path / "report.docx"
    message = user_error("report", str(interviews), "-o", str(out), "--pseudonymise")
    assert "'Summary' in word/document.xml" in message
    assert not out.exists() and list(tmp_path.glob("*.docx")) == []


def test_pseudonymise_and_back(interviews: Path, tmp_path: Path) -> None:
    new, key, back = tmp_path / "deposit.coder", tmp_path / "key.csv", tmp_path / "back.coder"
    result = json.loads(
        ok("pseudonymise", str(interviews), "-o", str(new), "--key", str(key), "--json").stdout
    )
    assert result["replaced"] >= 8 and result["documents"] == 1
    assert os.name != "posix" or stat.S_IMODE(key.stat().st_mode) == 0o600  # it names people
    data = new.read_bytes().replace(b"Marathon", b"").replace(b"marathon", b"")
    for original in ORIGINALS:
        assert original.encode() not in data, original
    assert json.loads(ok("pseudonyms", "list", str(new), "--json").stdout) == []
    assert "already exists" in user_error(
        "pseudonymise", str(interviews), "-o", str(new), "--key", str(tmp_path / "k2.csv")
    )
    ok("depseudonymise", str(new), "--key", str(key), "-o", str(back))
    assert (
        ok("codings", str(back), "--json").stdout == ok("codings", str(interviews), "--json").stdout
    )
    assert (
        ok("code", "list", str(back), "--json").stdout
        == ok("code", "list", str(interviews), "--json").stdout
    )


def test_a_key_name_taken_meanwhile_is_refused_and_leaves_no_project(
    interviews: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from coder.cli import main
    from coder.core.pseudonymise import project as pseudonymise

    new, key = tmp_path / "deposit.coder", tmp_path / "key.csv"
    make = pseudonymise.pseudonymise_project

    def and_meanwhile(source: object, target: Path) -> object:
        result = make(source, target)  # type: ignore[arg-type]
        key.write_text("someone else's file")
        return result

    monkeypatch.setattr(pseudonymise, "pseudonymise_project", and_meanwhile)
    assert main(["pseudonymise", str(interviews), "-o", str(new), "--key", str(key)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert key.read_text() == "someone else's file" and not new.exists()


def test_pseudonymise_errors(interviews: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.coder"
    ok("new", str(empty))
    assert "list is empty" in user_error(
        "pseudonymise",
        str(empty),
        "-o",
        str(tmp_path / "n.coder"),
        "--key",
        str(tmp_path / "k.csv"),
    )
    assert ".csv" in user_error(
        "pseudonymise",
        str(interviews),
        "-o",
        str(tmp_path / "n.coder"),
        "--key",
        str(tmp_path / "k.txt"),
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("nothing here\n", encoding="utf-8")
    assert "not a key" in user_error(
        "depseudonymise", str(interviews), "--key", str(bad), "-o", str(tmp_path / "b.coder")
    )
    assert not (tmp_path / "n.coder").exists() and not (tmp_path / "b.coder").exists()
