"""`coder export|import` with REFI-QDA files: exit codes, what is reported where."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from coder.cli import main
from coder.core.project import Project


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def study(tmp_path: Path) -> Path:
    path = tmp_path / "study.coder"
    with Project.create(path) as p:
        p.add_document("Talk", "I: What gave you hope?\nR: My family.")
        p.add_code(
            "Hope", definition="hope for the future", inclusion="explicit", example="My family"
        )
        p.add_code("Family", parent_id=p.find_code("Hope").id)
        p.apply_code(p.documents()[0].id, p.find_code("Family").id, 26, 35, coder="ann")
    return path


def test_export_and_import_a_project(capsys, study, tmp_path):
    out = tmp_path / "study.qdpx"
    code, stdout, _ = run(capsys, "export", str(study), str(out))
    assert code == 0 and out.is_file() and "1 document, 2 codes, 1 coding" in stdout
    copy = tmp_path / "copy.coder"  # created by the import
    code, stdout, stderr = run(capsys, "import", str(copy), str(out))
    assert code == 0, stderr
    assert "imported" in stdout and "1 document" in stdout and stderr == ""
    with Project.open(copy) as p:
        g = p.codings()[0]
        assert p.document_text(g.document_id)[g.start : g.end] == "My family"
        assert g.code_path == "Hope/Family" and g.coder == "ann"


def test_export_and_import_a_codebook(capsys, study, tmp_path):
    out = tmp_path / "book.qdc"
    code, stdout, _ = run(capsys, "export", str(study), str(out))
    assert code == 0 and "2 codes written" in stdout
    other = tmp_path / "other.coder"
    code, stdout, _ = run(capsys, "import", str(other), str(out))
    assert code == 0 and "2 codes" in stdout
    with Project.open(other) as p:
        hope = p.find_code("Hope")
        assert (hope.definition, hope.inclusion, hope.example) == (
            "hope for the future",
            "explicit",
            "My family",
        )


def test_taguette_codebook_with_dotted_hierarchy(capsys, tmp_path, fixtures_dir):
    target = tmp_path / "t.coder"
    qdc = fixtures_dir / "refi" / "taguette-1.5.2-codebook.qdc"
    code, _, _ = run(capsys, "import", str(target), str(qdc), "--dotted-hierarchy")
    assert code == 0
    with Project.open(target) as p:
        assert p.find_code("brutality/against-sunnis")


def test_skipped_items_go_to_stderr_with_exit_0(capsys, tmp_path):
    qde = (
        '<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Sources>'
        '<TextSource guid="11111111-1111-1111-1111-111111111111" name="Gone" plainTextPath="internal://gone.txt"/>'
        '<TextSource guid="22222222-2222-2222-2222-222222222222" name="Here" plainTextPath="internal://here.txt"/>'
        "</Sources></Project>"
    )
    path = tmp_path / "partial.qdpx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", qde)
        z.writestr("sources/here.txt", "present")
    code, stdout, stderr = run(capsys, "import", str(tmp_path / "p.coder"), str(path))
    assert code == 0
    assert "1 document" in stdout and "1 skipped" in stdout
    assert "skipped source 'Gone'" in stderr and "not inside the file" in stderr


def test_an_unusable_file_exits_1_with_one_line(capsys, study, tmp_path):
    bad = tmp_path / "bad.qdpx"
    bad.write_text("not a zip", encoding="utf-8")
    before = study.read_bytes()
    code, _, stderr = run(capsys, "import", str(study), str(bad))
    assert code == 1
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("coder: error: bad.qdpx")
    with Project.open(study) as p:
        assert len(p.documents()) == 1 and len(p.codes()) == 2
    assert len(before) > 0


def test_exporting_an_empty_codebook_is_a_user_error(capsys, tmp_path):
    empty = tmp_path / "empty.coder"
    Project.create(empty).close()
    code, _, stderr = run(capsys, "export", str(empty), str(tmp_path / "x.qdc"))
    assert code == 1 and "codebook is empty" in stderr
