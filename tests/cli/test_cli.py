"""The command line is a contract: exit codes, one-line errors and stable --json shapes."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from coder.core.project import Project
from tests.cli.helpers import ok, run, user_error

EMOJI_TEXT = (
    "\ufeffInterviewer: Why did you go? 👩‍👩‍👧\r\n"
    "Mara: The leaders lied. مرحبا שלום 漢字 e\u0301.\r\n"
    "Interviewer: And then?\r\n"
    "Mara: I left. The leaders lied again.\r\n"
)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "study.coder"
    ok("new", str(path))
    src = tmp_path / "mara.txt"
    src.write_bytes(EMOJI_TEXT.encode("utf-8"))
    ok("import", str(path), str(src))
    return path


def test_import_code_and_read_back_exact_passages(project: Path) -> None:
    ok(
        "code",
        "add",
        str(project),
        "Betrayal",
        "--color",
        "#e15759",
        "--definition",
        "Leaders broke trust",
    )
    ok("code", "add", str(project), "Lies", "--parent", "Betrayal")
    ok(
        "code",
        "apply",
        str(project),
        "--document",
        "mara",
        "--code",
        "Lies",
        "--text",
        "The leaders lied",
        "--occurrence",
        "2",
    )
    ok(
        "code",
        "apply",
        str(project),
        "--document",
        "mara",
        "--code",
        "Betrayal",
        "--text",
        "שלום 漢字 e\u0301",
    )
    codings = json.loads(ok("codings", str(project), "--json").stdout)
    assert [
        set(c) >= {"guid", "document", "code", "start", "end", "text", "coder", "speaker"}
        for c in codings
    ] == [True, True]
    by_code = {c["code"]: c for c in codings}
    assert by_code["Betrayal/Lies"]["text"] == "The leaders lied"
    assert by_code["Betrayal/Lies"]["speaker"] == "Mara"
    assert by_code["Betrayal"]["text"] == "שלום 漢字 e\u0301"
    with Project.open(project, read_only=True) as p:
        text = p.document_text(p.find_document("mara").id)
    assert not text.startswith("\ufeff") and "\r" not in text
    for c in codings:  # offsets are code points into the stored text
        assert text[c["start"] : c["end"]] == c["text"]
    assert by_code["Betrayal/Lies"]["start"] == text.index("The leaders lied", text.index("I left"))
    assert not Path(str(project) + "-wal").exists()  # one self-contained file after every command


def test_documents_and_code_list_json_shapes(project: Path) -> None:
    (doc,) = json.loads(ok("documents", str(project), "--json").stdout)
    assert {"guid", "name", "characters", "case"} <= set(doc)
    assert doc["name"] == "mara" and doc["case"] is None
    assert doc["characters"] == len(EMOJI_TEXT.lstrip("\ufeff").replace("\r\n", "\n"))
    ok("code", "add", str(project), "Top")
    ok(
        "code",
        "add",
        str(project),
        "Sub",
        "--parent",
        "Top",
        "--color",
        "#00AA00",
        "--definition",
        "d",
    )
    tree = json.loads(ok("code", "list", str(project), "--json").stdout)
    assert tree[0]["name"] == "Top" and tree[0]["path"] == "Top"
    sub = tree[0]["children"][0]
    assert {k: sub[k] for k in ("name", "path", "color", "definition", "codings", "children")} == {
        "name": "Sub",
        "path": "Top/Sub",
        "color": "#00AA00",
        "definition": "d",
        "codings": 0,
        "children": [],
    }
    assert "guid" in sub


def test_passage_choice_errors(project: Path) -> None:
    ok("code", "add", str(project), "Lies")
    assert "occurs 2 times" in user_error(
        "code",
        "apply",
        str(project),
        "--document",
        "mara",
        "--code",
        "Lies",
        "--text",
        "The leaders lied",
    )
    assert "does not occur" in user_error(
        "code",
        "apply",
        str(project),
        "--document",
        "mara",
        "--code",
        "Lies",
        "--text",
        "absent words",
    )
    assert "--occurrence 3" in user_error(
        "code",
        "apply",
        str(project),
        "--document",
        "mara",
        "--code",
        "Lies",
        "--text",
        "The leaders lied",
        "--occurrence",
        "3",
    )
    assert "no code named" in user_error(
        "code", "apply", str(project), "--document", "mara", "--code", "Nope", "--text", "I left"
    )
    assert "no document named" in user_error(
        "code", "apply", str(project), "--document", "nope", "--code", "Lies", "--text", "I left"
    )
    ok(
        "code",
        "apply",
        str(project),
        "--document",
        "mara",
        "--code",
        "Lies",
        "--start",
        "0",
        "--end",
        "11",
    )
    assert "not inside the document" in user_error(
        "code",
        "apply",
        str(project),
        "--document",
        "mara",
        "--code",
        "Lies",
        "--start",
        "5",
        "--end",
        "100000",
    )


def test_ambiguous_code_name_lists_paths(project: Path) -> None:
    for parent in ("A", "B"):
        ok("code", "add", str(project), parent)
        ok("code", "add", str(project), "Child", "--parent", parent)
    message = user_error("codings", str(project), "--code", "Child")
    assert "A/Child" in message and "B/Child" in message
    ok("codings", str(project), "--code", "B/Child")


def test_sixty_narratives_case_table(tmp_path: Path) -> None:
    """'21 of 60 narratives (35 per cent)' comes out of stats --by case."""
    path = tmp_path / "sixty.coder"
    with Project.create(path) as p:
        infighting = p.add_code("Infighting").created("codes")[0]
        brutality = p.add_code("Brutality").created("codes")[0]
        for i in range(60):
            doc = p.add_document(
                f"narrative {i:02}",
                "He left because of infighting and brutality.",
                case=f"person {i:02}",
            )
            doc_id = doc.created("documents")[0]
            if i < 21:
                p.apply_code(doc_id, infighting, 19, 29)
                if i < 3:  # a second coding in the same case counts once as a unit
                    p.apply_code(doc_id, infighting, 0, 7)
            if i % 12 == 0:
                p.apply_code(doc_id, brutality, 34, 43)
    stats = json.loads(ok("stats", str(path), "--by", "case", "--json").stdout)
    assert stats["by"] == "case" and stats["total"] == 60
    assert stats["rows"][0] == {"code": "Infighting", "codings": 24, "units": 21, "percent": 35.0}
    assert stats["rows"][1] == {"code": "Brutality", "codings": 5, "units": 5, "percent": 8.3}
    assert "21 of 60" in ok("stats", str(path), "--by", "case").stdout
    by_doc = json.loads(ok("stats", str(path), "--json").stdout)
    assert by_doc["by"] == "document" and by_doc["total"] == 60


def test_stats_by_attribute(tmp_path: Path) -> None:
    path = tmp_path / "attr.coder"
    with Project.create(path) as p:
        code = p.add_code("Corruption").created("codes")[0]
        for i in range(5):
            doc = p.add_document(f"d{i}", "some text here", case=f"c{i}").created("documents")[0]
            if i in (0, 2):
                p.apply_code(doc, code, 0, 4)
        attr = p.add_attribute("country", "case", "text").created("attributes")[0]
        for case in p.cases():
            p.set_attribute_value(
                attr, case.id, ["UK", "UK", "France", "France", "France"][int(case.name[1])]
            )
    stats = json.loads(ok("stats", str(path), "--by", "attribute=country", "--json").stdout)
    rows = {r["value"]: r for r in stats["rows"]}
    assert rows["UK"]["units"] == 1 and rows["UK"]["total"] == 2 and rows["UK"]["percent"] == 50.0
    assert rows["France"]["units"] == 1 and rows["France"]["percent"] == 33.3
    assert "no attribute named" in user_error("stats", str(path), "--by", "attribute=age")


def test_search_json(project: Path) -> None:
    hits = json.loads(ok("search", str(project), "leaders", "--json").stdout)
    assert [h["text"] for h in hits] == ["leaders", "leaders"]
    assert {"document", "start", "end", "before", "after"} <= set(hits[0])


def test_cases_import_and_list(project: Path, tmp_path: Path) -> None:
    table = tmp_path / "cases.csv"
    table.write_text("case,age,returned\nMara,34,yes\n", encoding="utf-8")
    ok("cases", "import", str(project), str(table))
    (case,) = json.loads(ok("cases", "list", str(project), "--json").stdout)
    assert case["name"] == "Mara" and case["attributes"] == {"age": "34", "returned": "true"}


# ------------------------------------------------------------------ bad input


def _bad_files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "missing": tmp_path / "missing.txt",
        "unknown extension": tmp_path / "notes.xyz",
        "empty": tmp_path / "empty.txt",
        "binary": tmp_path / "image.txt",
        "corrupt docx": tmp_path / "broken.docx",
        "corrupt pdf": tmp_path / "broken.pdf",
        "corrupt odt": tmp_path / "broken.odt",
        "undecodable": tmp_path / "mixed.txt",
    }
    files["unknown extension"].write_text("text")
    files["empty"].write_text("  \n")
    files["binary"].write_bytes(bytes(range(256)) * 40)
    files["corrupt docx"].write_bytes(b"PK\x03\x04 this is not really a zip")
    files["corrupt pdf"].write_bytes(b"%PDF-1.4\n garbage")
    with zipfile.ZipFile(files["corrupt odt"], "w") as z:
        z.writestr("content.xml", "<not-closed")
    files["undecodable"].write_bytes(b"\x00\x01\x02\xff\xfe\x00" * 500)
    return files


def test_each_bad_file_gives_one_line_and_changes_nothing(project: Path, tmp_path: Path) -> None:
    before = digest(project)
    for kind, path in _bad_files(tmp_path).items():
        message = user_error("import", str(project), str(path))
        assert path.name in message, (kind, message)
    assert digest(project) == before


def test_batch_import_keeps_the_good_files(project: Path, tmp_path: Path) -> None:
    good = [tmp_path / "a.txt", tmp_path / "b.txt"]
    for g in good:
        g.write_text(f"Interviewer: hello {g.stem}\n")
    bad = _bad_files(tmp_path)["binary"]
    result = run("import", str(project), str(good[0]), str(bad), str(good[1]))
    assert result.returncode == 1
    assert bad.name in result.stderr and "Traceback" not in result.stderr
    names = [d["name"] for d in json.loads(ok("documents", str(project), "--json").stdout)]
    assert sorted(names) == ["a", "b", "mara"]


def test_import_never_deduplicates(project: Path, tmp_path: Path) -> None:
    src = tmp_path / "mara.txt"
    ok("import", str(project), str(src))
    names = [d["name"] for d in json.loads(ok("documents", str(project), "--json").stdout)]
    assert names == ["mara", "mara (2)"]


def test_not_a_project(tmp_path: Path) -> None:
    fake = tmp_path / "fake.coder"
    fake.write_text("not sqlite")
    assert "not a Coder project" in user_error("documents", str(fake))
    assert "no such project" in user_error("documents", str(tmp_path / "absent.coder"))


def test_usage_errors_exit_2(project: Path) -> None:
    assert run("code", "apply", str(project), "--document", "mara").returncode == 2
    assert run("frobnicate").returncode == 2
    assert run("stats", str(project), "--by", "weekday").returncode == 1


def test_version() -> None:
    from coder import __version__

    assert ok("--version").stdout.strip() == f"coder {__version__}"


def test_failed_import_into_a_new_project_leaves_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "image.txt"
    bad.write_bytes(bytes(range(256)) * 40)
    target = tmp_path / "new.coder"
    user_error("import", str(target), str(bad))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["image.txt"]


def test_window_without_a_display_is_one_clear_line() -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    if not sys.platform.startswith("linux"):
        pytest.skip("the display check is for Linux")
    result = subprocess.run(
        [sys.executable, "-m", "coder"], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "coder: error: there is no display to open the window on (DISPLAY is not set); "
        "the commands work without one: see 'coder --help'"
    )
