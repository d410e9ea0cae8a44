"""The report's agreement section on a project built through the command line: three coders,
a coder who coded nothing in a document, text outside speaker turns, a case without documents,
segments with their overlap and the overall row's pooling."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest

from tests.builders import style_name
from tests.cli.helpers import ok, run, user_error

D1 = (
    "Interview recorded in March. Notes by the field worker.\n"
    "Interviewer: How did the move go?\n"
    "Ana: It was hard. My sister helped with money.\n"
    "Interviewer: And work?\n"
    "Ana: I lost my job and found another after months.\n"
)
D2 = "The family moved in 2019.\nMoney was short for a year.\nThey found support at church.\n"
D3 = "School was far away.\nThe children walked an hour each day.\nTeachers were kind.\n"
CODINGS = [
    ("d1", "Money", "My sister helped with money", "Alex"),
    ("d1", "Money", "My sister helped with money", "Sam"),
    ("d1", "Support", "My sister helped", "Sam"),
    ("d1", "Work", "I lost my job", "Alex"),
    ("d1", "Work", "I lost my job and found another", "Kim"),
    ("d1", "Money", "Interview recorded in March", "Kim"),  # outside every speaker turn
    ("d2", "Money", "Money was short for a year", "Alex"),
    ("d2", "Support", "support at church", "Alex"),
    ("d2", "Money", "Money was short", "Kim"),
    ("d3", "Work", "Teachers were kind", "Sam"),
    ("d3", "Support", "Teachers were kind", "Alex"),
]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("team")
    path = folder / "t.coder"
    files = []
    for name, text in (("d1", D1), ("d2", D2), ("d3", D3)):
        files.append(folder / f"{name}.txt")
        files[-1].write_text(text, encoding="utf-8")
    ok("new", str(path))
    ok("import", str(path), *map(str, files), "--case-per-document")
    sheet = folder / "cases.csv"
    sheet.write_text("case,gender\nd1,female\nd2,male\nd3,female\nP4,male\n", encoding="utf-8")
    ok("cases", "import", str(path), str(sheet))  # P4: a case without documents
    for code in ("Money", "Work", "Support"):
        ok("code", "add", str(path), code)
    for document, code, text, coder in CODINGS:
        ok(
            "code",
            "apply",
            str(path),
            "--document",
            document,
            "--code",
            code,
            "--text",
            text,
            "--coder",
            coder,
        )
    return path


def _report(project: Path, *args: str) -> docx.document.Document:
    out = project.parent / "report.docx"
    ok("report", str(project), "-o", str(out), *args)
    return docx.Document(str(out))


def _section(d: docx.document.Document) -> list[str]:
    """The agreement section's paragraphs, from its heading to the next heading."""
    paragraphs = list(d.paragraphs)
    start = next(
        i
        for i, p in enumerate(paragraphs)
        if p.text == "Inter-coder agreement" and style_name(p).startswith("Heading")
    )
    end = next(
        i for i in range(start + 1, len(paragraphs)) if style_name(paragraphs[i]) == "Heading 1"
    )
    return [p.text for p in paragraphs[start:end]]


def _agreement_tables(d: docx.document.Document) -> list[list[list[str]]]:
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in d.tables]
    return [t for t in tables if t[0][0] == "Code" and t[0][1] in ("Units", "Segments", "% agree")]


def test_three_coders_per_turn_say_what_was_compared_and_define_their_figures(project):
    d = _report(project, "--coders", "Alex", "Sam", "Kim", "--agreement-unit", "turn")
    section = _section(d)
    assert section[1] == (
        "Agreement of Alex, Kim and Sam per speaker turn, over the 1 document that every one of "
        "them coded."
    )
    assert "Left out: d2 (not coded by Sam) and d3 (not coded by Kim)." in section
    assert (
        "Outside the speaker turns: 60 characters and 1 coding lying wholly there, not compared."
        in section
    )
    assert "Documents compared: d1." in section
    texts = [p.text for p in d.paragraphs]
    assert "Not analysed (1 of 4 cases, no document in this selection, so not in N): P4." in texts
    captions = [p.text for p in d.paragraphs if style_name(p) == "Caption"]
    assert any(c.endswith("Agreement table per code (speaker turns)") for c in captions)
    counts, figures = _agreement_tables(d)
    assert counts[0] == ["Code", "Units", "All", "Some", "None"]
    # Kim's Money lies outside the turns: only Alex and Sam coded Money, in one turn.
    assert counts[1] == ["Money", "4", "0", "1", "3"]
    assert figures[0][4] == "Fleiss κ" and "Cohen κ" not in figures[0]
    positive = next(t for t in section if t.startswith("% positive"))
    assert "Σ n(n − 1) / Σ n(m − 1)" in positive  # the many-coder form, not 2a / (2a + b + c)
    assert any(t.startswith("% agree") and "agreeing coder pairs" in t for t in section)
    # agrees with the command line's figures
    data = json.loads(
        ok(
            "agreement", str(project), "--coders", "Alex", "Sam", "Kim", "--unit", "turn", "--json"
        ).stdout
    )
    money = next(c for c in data["codes"] if c["code"] == "Money")
    assert money["table"] == {"all": 0, "some": 1, "none": 3}
    assert figures[1][1] == f"{money['percent_agreement']:.1f}"


def test_segments_with_their_overlap_and_the_mean_of_the_codes(project):
    d = _report(
        project,
        "--coders",
        "Alex",
        "Kim",
        "--agreement-unit",
        "segment",
        "--min-overlap",
        "40",
        "--agreement-pooling",
        "mean",
        "--documents",
        "d1",
        "d2",
        "d3",
    )
    section = _section(d)
    assert section[1].startswith("Agreement of Alex and Kim per coded segment, over the 3 ")
    assert any("by at least 40% of their union" in t for t in section)
    assert any("Overall: the mean of the codes' figures." in t for t in section)
    counts, figures = _agreement_tables(d)
    assert counts[0] == ["Code", "Segments", "Agreements", "Only Alex", "Only Kim"]
    rows = {r[0]: r[1:] for r in counts[1:]}
    # Money: "Money was short" is 15 of the 26 characters of Alex's coding (58% >= 40%);
    # Work: 13 of 31 (42%); Support: Kim coded none.
    assert rows["Money"] == ["3", "1", "1", "1"]
    assert rows["Work"] == ["1", "1", "0", "0"]
    assert rows["Support"] == ["2", "0", "2", "0"]
    assert figures[-1][0] == "All codes (mean)"
    assert figures[-1][1] == "44.4"  # (33.3 + 100 + 0) / 3
    bp = next(t for t in section if t.startswith("BP κ"))
    assert "1 / the number of codes compared" in bp
    agree = next(t for t in section if t.startswith("% agree"))
    assert "matched pairs of codings" in agree


def test_segment_disagreements_are_the_unmatched_codings(project):
    data = json.loads(
        ok(
            "agreement",
            str(project),
            "--coders",
            "Alex",
            "Kim",
            "--unit",
            "segment",
            "--min-overlap",
            "40",
            "--documents",
            "d1",
            "d2",
            "d3",
            "--disagreements",
            "--json",
        ).stdout
    )
    by_code = {c["code"]: c["disagreements"] for c in data["codes"]}
    assert by_code["Work"] == []
    assert [
        (d["document"], d["text"], d["coded_by"], d["not_coded_by"]) for d in by_code["Money"]
    ] == [
        ("d1", "Interview recorded in March", ["Kim"], ["Alex"]),
        ("d1", "My sister helped with money", ["Alex"], ["Kim"]),
    ]
    assert [d["text"] for d in by_code["Support"]] == ["support at church", "Teachers were kind"]


def test_bad_agreement_options_of_the_report_change_nothing(project):
    out = project.parent / "bad.docx"
    message = user_error(
        "report",
        str(project),
        "-o",
        str(out),
        "--agreement-unit",
        "segment",
        "--min-overlap",
        "0",
    )
    assert "minimum overlap" in message and not out.exists()
    message = user_error(
        "report",
        str(project),
        "-o",
        str(out),
        "--coders",
        "Alex",
        "Sam",
        "Kim",
        "--agreement-unit",
        "segment",
    )
    assert "compares two coders" in message and not out.exists()
    result = run("report", str(project), "-o", str(out), "--agreement-pooling", "median")
    assert result.returncode == 2 and not out.exists()


def test_a_fractional_minimum_overlap_is_used_and_reported_as_given(project):
    def money(overlap: str) -> tuple[object, dict]:
        data = json.loads(
            ok(
                "agreement",
                str(project),
                "--coders",
                "Alex",
                "Kim",
                "--unit",
                "segment",
                "--min-overlap",
                overlap,
                "--documents",
                "d1",
                "d2",
                "d3",
                "--json",
            ).stdout
        )
        return data["min_overlap"], next(c for c in data["codes"] if c["code"] == "Money")

    # "Money was short" covers 15 of the 26 characters of Alex's coding: 57.69%
    given, row = money("57.5")
    assert given == 57.5 and row["agreements"] == 1
    given, row = money("57.75")
    assert given == 57.75 and row["agreements"] == 0
    given, _row = money("90")
    assert given == 90 and isinstance(given, int)


def test_a_share_of_no_case_is_undefined_not_zero(project):
    data = json.loads(ok("stats", str(project), "--by", "case", "--cases", "P4", "--json").stdout)
    assert data["total"] == 0  # P4 has no document: not analysed
    assert {r["percent"] for r in data["rows"]} == {None}
    text = ok("stats", str(project), "--by", "case", "--cases", "P4").stdout
    assert "0 of 0  undefined" in text
    data = json.loads(
        ok("stats", str(project), "--by", "case", "--cases", "d1", "P4", "--json").stdout
    )
    assert data["total"] == 1


@pytest.mark.parametrize("overlap", ["150", "-1", "nan"])
def test_a_minimum_overlap_outside_0_to_100_is_named_as_given(project, overlap):
    message = user_error(
        "agreement",
        str(project),
        "--coders",
        "Alex",
        "Kim",
        "--unit",
        "segment",
        "--min-overlap",
        overlap,
    )
    assert message.endswith(f"above 0 up to 100, not {overlap}")


def test_a_crosstab_share_of_no_case_is_undefined(project):
    data = json.loads(
        ok(
            "crosstab",
            str(project),
            "gender",
            "--coders",
            "Alex",
            "Sam",
            "--consensus",
            "all",
            "--json",
        ).stdout
    )
    rows = {r["code"]: r for r in data["rows"]}
    assert rows["Money"]["row_percent"] == [100.0, 0.0]  # d1 (female) only
    assert rows["Work"]["total"] == 0 and rows["Work"]["row_percent"] == [None, None]
    assert rows["Work"]["column_percent"] == [0.0, 0.0]  # 0 of the 2 female and 1 male cases
