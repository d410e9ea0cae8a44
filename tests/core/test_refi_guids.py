"""GUIDs in REFI-QDA files: two objects of one kind with one GUID are refused (nothing imported);
a GUID the project already gives to an object with another name is a listed conflict, never a
silent rename."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from coder.cli import main
from coder.core.errors import ExchangeError
from coder.core.project import Project
from coder.core.refi import import_qdc, import_qdpx

NS = "urn:QDA-XML:project:1.0"
CB_NS = "urn:QDA-XML:codebook:1.0"
KIM = "aaaaaaaa-0000-4000-8000-000000000001"
ALPHA = "bbbbbbbb-0000-4000-8000-000000000001"
BETA = "bbbbbbbb-0000-4000-8000-000000000002"
TALK = "eeeeeeee-0000-4000-8000-000000000001"
CASE = "ffffffff-0000-4000-8000-000000000001"


def code(guid: str, name: str) -> str:
    return f'<Code guid="{guid}" name="{name}" isCodable="true"/>'


def coding(n: int, start: int, end: int, code_guid: str, coding_guid: str = "") -> str:
    g = coding_guid or f"dddddddd-0000-4000-8000-00000000000{n}"
    return (
        f'<PlainTextSelection guid="cccccccc-0000-4000-8000-00000000000{n}" '
        f'startPosition="{start}" endPosition="{end}" creatingUser="{KIM}">'
        f'<Coding guid="{g}" creatingUser="{KIM}"><CodeRef targetGUID="{code_guid}"/></Coding>'
        "</PlainTextSelection>"
    )


def qdpx(
    tmp_path: Path, codes: str, selections: str = "", extra_sources: str = "", cases: str = ""
) -> Path:
    qde = (
        f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="t" origin="Tool 1">'
        f'<Users><User guid="{KIM}" name="Kim"/></Users>'
        f"<CodeBook><Codes>{codes}</Codes></CodeBook>{cases}<Sources>"
        f'<TextSource guid="{TALK}" name="Talk" plainTextPath="internal://talk.txt">'
        f"{selections}</TextSource>{extra_sources}</Sources></Project>"
    )
    path = tmp_path / "tool.qdpx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", qde)
        z.writestr("sources/talk.txt", b"Alpha and Beta were here")
    return path


def qdc(tmp_path: Path, codes: str) -> Path:
    path = tmp_path / "book.qdc"
    path.write_text(
        f'<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="{CB_NS}" origin="Tool 1">'
        f"<Codes>{codes}</Codes></CodeBook>",
        encoding="utf-8",
    )
    return path


def state(p: Project) -> tuple:
    return (
        [(c.guid, c.path, c.definition) for c in p.codes()],
        [(d.guid, d.name) for d in p.documents()],
        [(g.code_id, g.start, g.end) for g in p.codings()],
        [c.name for c in p.coders()],
    )


# --------------------------------------------------------------------------- duplicates


def test_two_codes_with_one_guid_in_a_codebook_are_refused(fresh_project, tmp_path):
    path = qdc(tmp_path, code(ALPHA, "Alpha") + code(ALPHA.upper(), "Beta"))
    before = state(fresh_project)
    with pytest.raises(ExchangeError) as e:
        import_qdc(fresh_project, path)
    message = str(e.value)
    assert "'Alpha'" in message and "'Beta'" in message and ALPHA in message
    assert "\n" not in message
    assert state(fresh_project) == before


def test_two_nested_codes_with_one_guid_in_a_project_are_refused(fresh_project, tmp_path):
    nested = f'<Code guid="{BETA}" name="Parent" isCodable="true">{code(ALPHA, "Beta")}</Code>'
    path = qdpx(tmp_path, code(ALPHA, "Alpha") + nested, coding(1, 0, 5, ALPHA))
    with pytest.raises(ExchangeError, match=r"two codes .*'Alpha' and 'Beta'"):
        import_qdpx(fresh_project, path)
    assert state(fresh_project) == ([], [], [], [])


@pytest.mark.parametrize(
    ("kind", "parts"),
    [
        ("sources", {"extra_sources": f'<TextSource guid="{{{TALK}}}" name="Talk again"/>'}),
        (
            "codings",
            {
                "selections": coding(1, 0, 5, ALPHA, "dddddddd-0000-4000-8000-000000000009")
                + coding(2, 10, 14, ALPHA, "DDDDDDDD-0000-4000-8000-000000000009")
            },
        ),
        (
            "cases",
            {
                "cases": f'<Cases><Case guid="{CASE}" name="One"/>'
                f'<Case guid="{CASE}" name="Two"/></Cases>'
            },
        ),
    ],
)
def test_any_two_objects_of_one_kind_with_one_guid_are_refused(
    fresh_project, tmp_path, kind, parts
):
    path = qdpx(tmp_path, code(ALPHA, "Alpha"), **parts)
    with pytest.raises(ExchangeError, match=f"two {kind} the same GUID"):
        import_qdpx(fresh_project, path)
    assert state(fresh_project) == ([], [], [], [])


def test_a_code_and_a_source_may_share_a_guid(fresh_project, tmp_path):
    # Objects of different kinds live apart: ATLAS.ti repeats a code's GUID on its MemberCode.
    path = qdpx(tmp_path, code(TALK, "Alpha"), coding(1, 0, 5, TALK))
    result = import_qdpx(fresh_project, path)
    assert result.imported["codings"] == 1 and not result.conflicts


def test_cli_refuses_duplicate_guids_with_one_line_and_no_change(tmp_path, capsys):
    project = tmp_path / "study.coder"
    with Project.create(project) as p:
        p.add_code("Existing")
    path = qdpx(tmp_path, code(ALPHA, "Alpha") + code(ALPHA, "Beta"), coding(1, 0, 5, ALPHA))
    assert main(["import", str(project), str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "'Alpha' and 'Beta'" in err
    with Project.open(project, read_only=True) as p:
        assert [c.name for c in p.codes()] == ["Existing"] and p.documents() == []


# --------------------------------------------------------------------------- conflicts


def test_a_guid_the_project_gives_another_code_is_a_conflict_not_a_rename(fresh_project, tmp_path):
    fresh_project.add_code("Alpha", guid=ALPHA, definition="mine")
    result = import_qdc(fresh_project, qdc(tmp_path, code(ALPHA, "Beta") + code(BETA, "Gamma")))
    assert [(c.guid, c.name, c.definition) for c in fresh_project.codes()] == [
        (ALPHA, "Alpha", "mine"),
        (BETA, "Gamma", ""),
    ]
    assert result.conflicts == [
        ("code 'Alpha'", "the file has 'Beta' under its GUID; 'Alpha' kept")
    ]
    assert "1 conflict" in result.summary()


def test_project_import_lists_code_case_and_coder_conflicts(fresh_project, tmp_path):
    fresh_project.add_code("Alpha", guid=ALPHA)
    with fresh_project.edit():
        fresh_project.db.execute("INSERT INTO coders (guid, name) VALUES (?, 'Kimberly')", [KIM])
        fresh_project.db.execute("INSERT INTO cases (guid, name) VALUES (?, 'Site A')", [CASE])
    cases = f'<Cases><Case guid="{CASE}" name="Site B"/></Cases>'
    path = qdpx(tmp_path, code(ALPHA, "Beta"), coding(1, 0, 5, ALPHA), cases=cases)
    result = import_qdpx(fresh_project, path)
    assert sorted(what for what, _ in result.conflicts) == [
        "case 'Site A'",
        "code 'Alpha'",
        "coder 'Kimberly'",
    ]
    assert [c.name for c in fresh_project.codes()] == ["Alpha"]
    assert [c.name for c in fresh_project.coders()] == ["Kimberly"]
    assert [c.name for c in fresh_project.cases()] == ["Site A"]
    # The file's coding of that GUID is a coding of the project's code.
    (g,) = fresh_project.codings()
    assert (g.code_id, g.start, g.end) == (fresh_project.find_code("Alpha").id, 0, 5)


def test_cli_prints_each_conflict_on_stderr(tmp_path, capsys):
    project = tmp_path / "study.coder"
    with Project.create(project) as p:
        p.add_code("Alpha", guid=ALPHA)
    assert main(["import", str(project), str(qdc(tmp_path, code(ALPHA, "Beta")))]) == 0
    out, err = capsys.readouterr()
    assert "1 conflict" in out
    assert (
        err == "coder: conflict: code 'Alpha': the file has 'Beta' under its GUID; 'Alpha' kept\n"
    )
