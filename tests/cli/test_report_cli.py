"""``coder report`` and the report/quote-table/codebook formats of ``coder export``."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from coder.cli import main
from coder.core.project import Project
from coder.core.text import Turn
from tests.builders import style_name

TEXT = "Interviewer: Why?\nAnn: The rent was high. The landlord was rude.\n"


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "study.coder"
    with Project.create(path) as p:
        turns = [Turn("Interviewer", 0, 17), Turn("Ann", 18, len(TEXT) - 1)]
        p.add_document("Ann interview", TEXT, turns=turns, case="Ann")
        p.add_code("Money", definition="Talk about money.")
        p.add_code("Housing")
        p.add_code("Unused")
        start = TEXT.index("The rent")
        p.apply_code(1, p.find_code("Money").id, start, start + 18, coder="kim")
        p.apply_code(1, p.find_code("Housing").id, start, start + 41, coder="lee")
    return path


def _quotes(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs if style_name(p) == "Coder Quote"]


def test_report_writes_a_docx_with_options(project_path, tmp_path, capsys):
    out = tmp_path / "report.docx"
    rc = main(
        [
            "report",
            str(project_path),
            "-o",
            str(out),
            "--codes",
            "Money",
            "--context",
            "0",
            "--title",
            "Rent",
            "--author",
            "Me",
            "--order",
            "position",
            "--no-memos",
        ]
    )
    assert rc == 0
    assert capsys.readouterr().out.startswith(f"wrote {out} (1 code, 1 quote,")
    d = docx.Document(str(out))
    assert d.paragraphs[0].text == "Rent"
    assert _quotes(out) == ["“The rent was high.” (Ann interview, ¶\u00a02, Ann)"]
    assert "Memos" not in [p.text for p in d.paragraphs if style_name(p) == "Heading 1"]


def test_report_filters_by_coder_case_and_document(project_path, tmp_path):
    out = tmp_path / "r.docx"
    assert (
        main(["report", str(project_path), "-o", str(out), "--coders", "lee", "--context", "0"])
        == 0
    )
    assert _quotes(out) == [
        "“The rent was high. The landlord was rude.” (Ann interview, ¶\u00a02, Ann)"
    ]
    assert (
        main(
            [
                "report",
                str(project_path),
                "-o",
                str(out),
                "--cases",
                "Ann",
                "--documents",
                "Ann interview",
                "--context",
                "paragraph",
            ]
        )
        == 0
    )
    assert len(_quotes(out)) == 2


@pytest.mark.parametrize(
    "option, value, message",
    [
        ("--codes", "Nope", "coder: error: no code named 'Nope' (codes: Money, Housing, Unused)"),
        ("--cases", "Bob", "coder: error: no case named 'Bob' (cases: Ann)"),
        ("--coders", "zed", "coder: error: no coder named 'zed' (coders: kim, lee)"),
        (
            "--documents",
            "Other",
            "coder: error: no document named 'Other' (documents: Ann interview)",
        ),
        (
            "--context",
            "lots",
            "coder: error: --context is a number of characters, 'paragraph' or 'turn', not 'lots'",
        ),
    ],
)
def test_unknown_names_are_one_line_errors_listing_what_exists(
    project_path, tmp_path, capsys, option, value, message
):
    out = tmp_path / "r.docx"
    assert main(["report", str(project_path), "-o", str(out), option, value]) == 1
    err = capsys.readouterr().err
    assert err.strip() == message
    assert not out.exists()


def test_report_options_for_papers(project_path, tmp_path, capsys):
    out = tmp_path / "r.docx"
    args = [
        "report",
        str(project_path),
        "-o",
        str(out),
        "--codes",
        "Money",
        "--quote-marks",
        "single",
        "--cite",
        "case,paragraph",
        "--order",
        "case",
        "--matrix",
        "--case-table",
    ]
    assert main(args) == 0
    assert _quotes(out) == ["‘The rent was high.’ (Ann, ¶\u00a02)"]
    d = docx.Document(str(out))
    captions = [p.text for p in d.paragraphs if style_name(p) == "Caption"]
    assert "Table 2. Codings per code and case" in captions
    assert "Table 3. Cases and their documents" in captions
    assert "Case: Ann" in [p.text for p in d.paragraphs]
    assert main([*args[:4], "--crosstab", "age"]) == 1
    assert capsys.readouterr().err.strip() == (
        "coder: error: no attribute named 'age' (attributes: none yet)"
    )


def test_usage_errors_exit_2(project_path, tmp_path):
    with pytest.raises(SystemExit) as e:
        main(["report", str(project_path), "-o", str(tmp_path / "r.docx"), "--order", "random"])
    assert e.value.code == 2
    with pytest.raises(SystemExit) as e:
        main(["report", str(project_path)])
    assert e.value.code == 2


def test_report_needs_a_docx_name_and_an_existing_project(project_path, tmp_path, capsys):
    assert main(["report", str(project_path), "-o", str(tmp_path / "r.pdf")]) == 1
    assert "Word file" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "missing.coder"), "-o", str(tmp_path / "r.docx")]) == 1


def test_empty_project_reports_fine(tmp_path):
    path = tmp_path / "empty.coder"
    Project.create(path).close()
    out = tmp_path / "r.docx"
    assert main(["report", str(path), "-o", str(out)]) == 0
    assert "Summary" in [p.text for p in docx.Document(str(out)).paragraphs]


def test_export_formats(project_path, tmp_path, capsys):
    for name in ("q.csv", "q.xlsx", "cb.codebook.docx", "full.docx"):
        assert main(["export", str(project_path), str(tmp_path / name)]) == 0
    rows = list(csv.reader((tmp_path / "q.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert [r[2] for r in rows[1:]] == ["Money", "Housing"]
    cb = docx.Document(str(tmp_path / "cb.codebook.docx"))
    assert [p.text for p in cb.paragraphs if style_name(p) == "Heading 1"] == [
        "Money",
        "Housing",
        "Unused",
    ]
    assert len(_quotes(tmp_path / "full.docx")) == 2
    import openpyxl

    assert openpyxl.load_workbook(tmp_path / "q.xlsx").active.max_row == 3


def test_report_runs_as_a_command(project_path, tmp_path):
    out = tmp_path / "r.docx"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "coder",
            "report",
            str(project_path),
            "-o",
            str(out),
            "--codes",
            "Missing",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert (
        proc.stderr.strip()
        == "coder: error: no code named 'Missing' (codes: Money, Housing, Unused)"
    )


# ----------------------------------------------------------------------------- analysis commands


def test_retrieve_and_by_overlap_with_context(project_path, capsys):
    assert (
        main(
            [
                "retrieve",
                str(project_path),
                "--codes",
                "Money",
                "Housing",
                "--mode",
                "and",
                "--context",
                "5",
                "--json",
            ]
        )
        == 0
    )
    import json

    [p] = json.loads(capsys.readouterr().out)
    assert p["text"] == "The rent was high."
    assert p["before"] == "Ann: " and p["codes"] == ["Money", "Housing"]
    assert main(["retrieve", str(project_path), "--codes", "Housing", "--without", "Money"]) == 0
    assert capsys.readouterr().out.strip().endswith("0 passages")


def test_crosstab_cooccurrence_and_speakers(project_path, capsys):
    with Project.open(project_path) as p:
        p.add_attribute("country", "case", "text")
        p.set_attribute_value(p.find_attribute("country").id, p.find_case("Ann").id, "UK")
    import json

    assert main(["crosstab", str(project_path), "country", "--json"]) == 0
    x = json.loads(capsys.readouterr().out)
    assert x["values"] == ["UK"] and x["rows"][0] == {
        "code": "Money",
        "counts": [1],
        "total": 1,
        "row_percent": [100.0],
        "column_percent": [100.0],
    }
    assert main(["cooccurrence", str(project_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["pairs"] == [
        {"code": "Money", "with": "Housing", "passages": 1}
    ]
    assert main(["speakers", str(project_path), "--coders", "lee"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["code", "Ann", "total"]


def test_analysis_commands_name_what_exists_on_a_typo(project_path, capsys):
    assert main(["crosstab", str(project_path), "age"]) == 1
    assert (
        capsys.readouterr().err.strip()
        == "coder: error: no attribute named 'age' (attributes: none yet)"
    )
    assert main(["retrieve", str(project_path), "--codes", "Money", "--groups", "Wave 9"]) == 1
    assert (
        capsys.readouterr().err.strip()
        == "coder: error: no document group named 'Wave 9' (groups: none yet)"
    )
    assert main(["retrieve", str(project_path), "--codes", "Money", "--attribute", "country"]) == 1
    assert "NAME=VALUE" in capsys.readouterr().err
