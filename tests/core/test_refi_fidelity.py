"""Every coded passage imported from another tool is the passage that tool showed.

Checked against an independent reading of each file (tests/refi_reference.py: the standard
library and the exporting tool's stated convention, none of Coder's code), on:

- the synthetic corpus in tests/fixtures/refi/synthetic (one file per convention: BOM or not,
  CRLF as one or two, UTF-16 units or code points, one coding per document, text outside the
  BMP), which must come in exact and without a warning;
- real exports written by QualCoder 4.0's own export code (tests/fixtures/refi/qualcoder),
  where each selection carries QualCoder's own passage text as its name;
- a real NVivo for Windows 12.6 export (tests/fixtures/refi/nvivo), cut down;
- files written by other tools (tests/fixtures/refi/from-other-tools: qc, ATLAS.ti, MAXQDA).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from coder.core.refi import import_qdpx
from tests.refi_reference import passage_at, passages

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "refi"
SYNTHETIC = json.loads((FIXTURES / "synthetic" / "expected.json").read_text(encoding="utf-8"))
QUALCODER = json.loads((FIXTURES / "qualcoder" / "expected.json").read_text(encoding="utf-8"))


def imported(project) -> Counter:
    """(document, code, passage) of every coding in the project, counted."""
    docs = {d.id: d.name for d in project.documents()}
    return Counter(
        (
            docs[c.document_id],
            c.code_path.rsplit("/", 1)[-1],
            project.document_text(c.document_id)[c.start : c.end],
        )
        for c in project.codings()
    )


@pytest.mark.parametrize("case", SYNTHETIC, ids=[c["file"] for c in SYNTHETIC])
def test_synthetic_corpus_comes_in_exact_without_a_warning(case, fresh_project):
    path = FIXTURES / "synthetic" / case["file"]
    want: Counter = Counter()
    for doc in case["documents"]:
        for c in doc["codings"]:
            # The independent reading of the file agrees with what the corpus meant.
            found = passage_at(
                path,
                doc["member"],
                c["start"],
                c["end"],
                utf16=c["utf16"],
                crlf_two=case["crlf_two"],
            )
            assert found == c["passage"]
            want[(doc["name"], c["code"], c["passage"])] += 1
    result = import_qdpx(fresh_project, path)
    assert imported(fresh_project) == want
    assert result.warnings == []
    assert result.skipped == []


@pytest.mark.parametrize("name", sorted(QUALCODER))
def test_qualcoder_exports_come_in_as_qualcoder_showed_them(name, fresh_project):
    path = FIXTURES / "qualcoder" / name
    truth = QUALCODER[name]
    # QualCoder writes each passage's own text as the selection's name: the independent truth.
    written = Counter(
        (p.document, p.code, p.written) for p in passages(path, utf16=False, crlf_two=False)
    )
    assert written == Counter((c["document"], c["code"], c["passage"]) for c in truth["codings"])
    result = import_qdpx(fresh_project, path)
    assert imported(fresh_project) == written
    assert not [w for w in result.warnings if "position" in w[1]]


def test_real_nvivo_export_passages_are_exact(fresh_project):
    path = FIXTURES / "nvivo" / "nvivo-win-12.6-comments.qdpx"
    # NVivo counts UTF-16 units and CRLF as two; no tool counts the BOM.
    want = Counter((p.document, p.code, p.text) for p in passages(path, utf16=True, crlf_two=True))
    assert sum(want.values()) == 81
    result = import_qdpx(fresh_project, path)
    assert imported(fresh_project) == want
    assert result.warnings == []


def test_qc_export_passages_are_exact(fresh_project):
    path = FIXTURES / "from-other-tools" / "qc-1.3.2-demo.qdpx"
    # qc's sources have no names (Coder names them after their files): compare code and text.
    want = Counter((p.code, p.text) for p in passages(path, utf16=False, crlf_two=True))
    assert sum(want.values()) == 205
    result = import_qdpx(fresh_project, path)
    got = Counter((code, text) for _doc, code, text in imported(fresh_project).elements())
    assert got == want
    assert not [w for w in result.warnings if "position" in w[1]]


@pytest.mark.parametrize(
    "name", ["atlasti-23.2-codes-users.qdpx", "maxqda-24.7-ten-texts-codebook.qdpx"]
)
def test_other_tools_projects_without_codings_import_without_position_warnings(name, fresh_project):
    result = import_qdpx(fresh_project, FIXTURES / "from-other-tools" / name)
    assert fresh_project.codes()
    assert not [w for w in result.warnings if "position" in w[1]]


@pytest.mark.parametrize("name", sorted(QUALCODER))
def test_a_qualcoder_project_comes_through_whole(name, fresh_project):
    p = fresh_project
    truth = QUALCODER[name]
    result = import_qdpx(p, FIXTURES / "qualcoder" / name)
    assert result.skipped == []
    codes = {c.name: c for c in p.codes()}
    assert {n for n, c in codes.items() if not c.codable} == set(truth["categories"])
    assert codes["Kindness"].path == "Daily life/Encounters/Kindness"
    docs = {d.name: d for d in p.documents()}
    assert docs["Amira interview"].memo == "Memo of Amira interview."
    memos = {(c.document, c.code_path.rsplit("/", 1)[-1]): c.memo for c in p.codings() if c.memo}
    assert memos == {(c["document"], c["code"]): c["memo"] for c in truth["codings"] if c["memo"]}
    notes = [
        (p.document(a.document_id).name, p.document_text(a.document_id)[a.start : a.end], a.text)
        for a in p.annotations()
    ]
    assert sorted(notes) == sorted(
        (a["document"], a["passage"], a["note"]) for a in truth["annotations"]
    )
    cases = {c.name: c for c in p.cases()}
    values = p.attribute_values("case")
    for case, want in truth["cases"].items():
        assert cases[case].memo == want["memo"]
        assert [d.name for d in p.documents() if d.case_id == cases[case].id] == want["documents"]
        assert {k: float(v) if k == "Age" else v for k, v in values[cases[case].id].items()} == {
            k: float(v) if k == "Age" else v for k, v in want["attributes"].items()
        }
    file_values = p.attribute_values("document")
    for doc, want in truth["file_attributes"].items():
        assert file_values[docs[doc].id] == want
    journal = [(m.title, m.text) for m in p.memos()]
    assert journal == [(j["name"], j["text"]) for j in truth["journal"]]
    assert p.memo == truth["project_memo"]
