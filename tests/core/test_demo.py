"""The shipped demo project: built from resources/demo through the public services."""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest

from coder.core import query
from coder.core.demo import (
    DEMO_FILE_NAME,
    DEMO_NAME,
    create_demo_project,
    demo_folder,
    fresh_demo_copy,
)
from coder.core.errors import Ambiguous, InvalidValue, NotFound
from coder.core.project import Project
from coder.core.text import find_passage, normalise

DEMO = Path(str(demo_folder()))
PSEUDONYMS = {"Mara", "Tomasz", "Aiyana", "Jun"}


def _data(name: str) -> dict:
    return json.loads((DEMO / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / DEMO_FILE_NAME
    create_demo_project(path)
    return path


@pytest.fixture
def demo(demo_path: Path):
    project = Project.open(demo_path, read_only=True)
    try:
        yield project
    finally:
        project.close()


def test_name_and_project_memo(demo: Project) -> None:
    assert DEMO_FILE_NAME == f"{DEMO_NAME}.coder"
    assert "Veldmere Fellowship" in demo.memo
    assert "Alex" in demo.memo and "Sam" in demo.memo


def test_four_interviews_with_two_speakers_each(demo: Project) -> None:
    setup = _data("project.json")
    docs = demo.documents()
    assert [d.name for d in docs] == [e["name"] for e in setup["documents"]]
    for doc, entry in zip(docs, setup["documents"], strict=True):
        text = demo.document_text(doc.id)
        raw = (DEMO / entry["file"]).read_text(encoding="utf-8")
        assert text == normalise(raw)
        assert 700 <= len(text.split()) <= 1300
        turns = demo.turns(doc.id)
        speakers = Counter(t.speaker for t in turns)
        assert set(speakers) == {"Interviewer", entry["case"]}
        assert min(speakers.values()) >= 8
        # turns alternate and every turn starts with its speaker's label
        assert all(a.speaker != b.speaker for a, b in pairwise(turns))
        assert all(text[t.start : t.end].startswith(f"{t.speaker}: ") for t in turns)
        assert doc.case == entry["case"]
        assert doc.group == "Interviews"
        assert doc.memo.strip()


def test_unicode_passages_survive_exactly(demo: Project) -> None:
    texts = {d.name: demo.document_text(d.id) for d in demo.documents()}
    assert "「いつでも帰っておいで。待ってるよ 🍵」" in texts["Interview 4 – Jun"]
    assert "(潤)" in texts["Interview 4 – Jun"]
    assert "Czekamy 🙏" in texts["Interview 2 – Tomasz"]
    assert "🕯️🕯️" in texts["Interview 3 – Aiyana"]
    jun = demo.find_document("Interview 4 – Jun")
    (card,) = [
        c
        for c in demo.codings(document_id=jun.id)
        if c.coder == "Alex" and "待ってるよ" in texts[jun.name][c.start : c.end]
    ]
    # Offsets are code points: the emoji is one character, the passage ends where the data says.
    assert texts[jun.name][card.start : card.end].startswith("「いつでも")
    assert texts[jun.name][card.end - 1] == "."


def test_codebook_is_complete(demo: Project) -> None:
    codes = demo.codes()
    top = [c for c in codes if c.depth == 0]
    assert 6 <= len(top) <= 8
    assert any(c.depth == 1 for c in codes)
    for code in codes:
        assert code.definition.strip() and code.inclusion.strip(), code.path
        assert code.exclusion.strip() and code.example.strip(), code.path
        assert re.fullmatch(r"#[0-9A-F]{6}", code.color.upper()), code.path
    assert len({c.color.upper() for c in codes}) == len(codes)
    book = _data("codebook.json")
    expected = []
    for entry in book["codes"]:
        expected.append(entry["name"])
        expected += [f"{entry['name']}/{child['name']}" for child in entry.get("children", [])]
    assert [c.path for c in codes] == expected


def test_every_coding_matches_its_data_passage(demo: Project) -> None:
    data = _data("codings.json")["codings"]
    docs = {d.name: d.id for d in demo.documents()}
    texts = {name: demo.document_text(i) for name, i in docs.items()}
    expected: Counter[tuple] = Counter()
    for entry in data:
        for coder in entry["coders"]:
            key = (entry["document"], entry["code"], coder, entry["text"], entry.get("memo", ""))
            expected[key] += 1
    actual = Counter(
        (c.document, c.code_path, c.coder, texts[c.document][c.start : c.end], c.memo)
        for c in demo.codings()
    )
    assert actual == expected
    # the one passage picked by occurrence is the second of two
    aiyana = texts["Interview 3 – Aiyana"]
    (in_vivo,) = [
        c
        for c in demo.codings(document_id=docs["Interview 3 – Aiyana"])
        if c.coder == "Alex" and c.code_path == "Disillusionment with leaders/Hypocrisy"
    ]
    assert aiyana[in_vivo.start : in_vivo.end] == "carry him"
    assert in_vivo.start == aiyana.find("carry him", aiyana.find("carry him") + 1)


def test_two_coders_who_mostly_agree(demo: Project) -> None:
    assert [c.name for c in demo.coders()] == ["Alex", "Sam"]
    spans = {
        name: {
            (c.document_id, c.code_id, c.start, c.end) for c in demo.codings() if c.coder == name
        }
        for name in ("Alex", "Sam")
    }
    both = spans["Alex"] & spans["Sam"]
    only = spans["Alex"] ^ spans["Sam"]
    assert len(both) > len(only) / 2  # mostly the same passages...
    assert len(only) >= 10  # ...but enough differences to review
    # differing extents: the same code in the same document, overlapping but not identical
    extents = [
        (a, s)
        for a in spans["Alex"] - both
        for s in spans["Sam"] - both
        if a[:2] == s[:2] and a[2] < s[3] and s[2] < a[3]
    ]
    assert len(extents) >= 5
    # every coder worked on every document
    for name in ("Alex", "Sam"):
        assert {d for d, *_ in spans[name]} == {d.id for d in demo.documents()}
    assert sum(1 for c in demo.codings() if c.memo) >= 5


def test_cases_with_typed_attributes(demo: Project) -> None:
    cases = demo.cases()
    assert {c.name for c in cases} == PSEUDONYMS
    assert all(c.documents == 1 and c.memo for c in cases)
    types = {a.name: a.type for a in demo.attributes("case")}
    assert types == {
        "age": "number",
        "country": "text",
        "role": "text",
        "years_in_group": "number",
        "returned_home": "boolean",
        "interview_date": "date",
    }
    values = demo.attribute_values("case")
    with (DEMO / "cases.csv").open(encoding="utf-8", newline="") as f:
        rows = {r["case"]: r for r in csv.DictReader(f)}
    for case in cases:
        got, row = values[case.id], rows[case.name]
        assert got["age"] == row["age"] and got["years_in_group"] == row["years_in_group"]
        assert got["returned_home"] == {"yes": "true", "no": "false"}[row["returned_home"]]
        assert got["interview_date"] == row["interview_date"]
        assert got["country"] == row["country"] and got["role"] == row["role"]


def test_frequencies_by_case_look_sane(demo: Project) -> None:
    by_case = query.frequencies(demo, "case", include_children=True)
    assert by_case.total == 4
    codes = {c.id: c for c in demo.codes()}
    for row in by_case.rows:
        if codes[row.code_id].depth == 0:
            assert 1 <= row.units <= 4, row.code
            assert row.codings >= 2, row.code
    for name in ("Alex", "Sam"):
        table = query.frequencies(demo, "case", [demo.find_coder(name).id], include_children=True)
        assert all(r.units >= 1 for r in table.rows if codes[r.code_id].depth == 0), name
    flat = {r.code: r for r in query.frequencies(demo, "case").rows}
    assert flat["Family pull"].units == 4 and flat["Turning point"].units == 4
    assert flat["Financial exploitation"].units < 4  # not every theme is everyone's reason
    by_returned = query.frequencies_by_attribute(demo, "returned_home")
    assert {r.value for r in by_returned.rows} == {"true", "false"}


def test_memos(demo: Project) -> None:
    titles = [m.title for m in demo.memos()]
    assert len(titles) == 2 and all(m.text for m in demo.memos())


def test_stats_by_case_on_the_command_line(
    demo: Project, demo_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from coder.cli import main

    assert main(["stats", str(demo_path), "--by", "case", "--include-children", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["by"] == "case" and out["total"] == 4
    assert [r["code"] for r in out["rows"]] == [c.path for c in demo.codes()]
    assert all(r["units"] >= 1 for r in out["rows"])


def test_refuses_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "demo.coder"
    path.write_bytes(b"something else")
    with pytest.raises(InvalidValue):
        create_demo_project(path)
    assert path.read_bytes() == b"something else"


def test_find_passage() -> None:
    text = "We carry him. We literally carry him. 🕯️ light"
    assert find_passage(text, "literally") == (17, 26)
    assert find_passage(text, "carry him", 2) == (27, 36)
    assert find_passage(text, "light") == (text.index("light"), len(text))
    with pytest.raises(Ambiguous, match="2 times in 'doc'"):
        find_passage(text, "carry him", where="doc")
    with pytest.raises(NotFound):
        find_passage(text, "carry her")
    with pytest.raises(NotFound):
        find_passage(text, "carry him", 3)
    with pytest.raises(InvalidValue):
        find_passage(text, "")


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"text": "a sentence nobody said"}, NotFound),
        ({"text": "carry him"}, Ambiguous),  # in Aiyana's interview twice, no occurrence
        ({"code": "No such theme"}, NotFound),
        ({"document": "Interview 9"}, NotFound),
        ({"coders": []}, InvalidValue),
    ],
)
def test_bad_data_fails_and_leaves_no_file(tmp_path: Path, change: dict, error: type) -> None:
    source = tmp_path / "demo"
    shutil.copytree(DEMO, source)
    data = _data("codings.json")
    base = next(e for e in data["codings"] if e["document"] == "Interview 3 – Aiyana")
    entry = dict(base)
    entry.update(change)
    data["codings"].append(entry)
    (source / "codings.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    target = tmp_path / "broken.coder"
    with pytest.raises(error):
        create_demo_project(target, source=source)
    assert not target.exists()
    assert list(tmp_path.glob("broken.coder*")) == []


def test_fresh_copy_replaces_a_closed_copy_and_spares_an_open_one(tmp_path: Path) -> None:
    first = fresh_demo_copy(tmp_path)
    assert first == tmp_path / DEMO_FILE_NAME
    with Project.open(first) as project:
        project.delete_document(project.documents()[0].id)  # a user's edits to the copy
    again = fresh_demo_copy(tmp_path)
    assert again == first
    with Project.open(again) as project:
        assert len(project.documents()) == 4  # fresh, edits gone
        other = fresh_demo_copy(tmp_path)  # the first copy is open: it stays untouched
        assert other == tmp_path / f"{DEMO_NAME} 2.coder"
        assert len(project.documents()) == 4
    with Project.open(other, read_only=True) as project:
        copied = len(project.codings())
    with Project.open(first, read_only=True) as project:
        assert len(project.codings()) == copied > 0


def test_fresh_copy_defaults_to_the_user_data_folder(_user_data_dir: Path) -> None:
    path = fresh_demo_copy()
    assert path == _user_data_dir / "demo" / DEMO_FILE_NAME
    with Project.open(path, read_only=True) as project:
        assert project.name == DEMO_NAME
