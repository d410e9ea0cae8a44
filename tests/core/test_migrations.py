"""Every released schema version's fixture project opens in this build with all its data."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from coder.core import blocks
from coder.core.migrations import SCHEMA_VERSION
from coder.core.project import Project

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# The newest schema version a released Coder has written. Each released version has a fixture;
# the version under development (at most one ahead) gets its fixture when it is released.
RELEASED = 1
VERSIONS = list(range(1, RELEASED + 1))


def test_schema_is_at_most_one_version_ahead_of_the_last_release() -> None:
    assert RELEASED <= SCHEMA_VERSION <= RELEASED + 1


def _fixture_module():
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(params=VERSIONS, ids=lambda v: f"schema-v{v}")
def old_project(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, dict]:
    """A copy of the fixture (the committed file itself is never opened for writing)."""
    source = FIXTURES / f"schema-v{request.param}.coder"
    target = tmp_path / source.name
    shutil.copyfile(source, target)
    expected = json.loads(source.with_suffix(".json").read_text(encoding="utf-8"))
    return target, expected


def test_there_is_a_fixture_for_every_schema_version() -> None:
    for version in VERSIONS:
        assert (FIXTURES / f"schema-v{version}.coder").is_file(), (
            f"schema version {version} has no fixture: add make_v{version} to "
            "tests/fixtures/make_fixtures.py and commit its output"
        )
        assert (FIXTURES / f"schema-v{version}.json").is_file()


def test_old_project_opens_with_every_row_intact(old_project: tuple[Path, dict]) -> None:
    path, expected = old_project
    with Project.open(path) as p:
        assert p.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert p.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert p.db.execute("PRAGMA foreign_key_check").fetchall() == []
    now = _fixture_module().dump(path)
    with Project.open(path, read_only=True) as p:  # texts in blocks, passages anchored in them
        for row in now["documents"]:
            row["text"] = p.document_text(row["id"])
        for table in ("codings", "turns", "case_selections"):
            now[table] = [dict(r) for r in p.db.query(f"SELECT * FROM {table}_at")]
    for table, rows in expected.items():
        assert table in now, f"table {table} disappeared"
        got = {r["id" if "id" in r else "key"]: r for r in now[table]}
        assert len(now[table]) == len(rows), f"{table}: row count changed"
        for row in rows:
            key = row["id" if "id" in row else "key"]
            # Later migrations may add columns; every old column keeps its value.
            assert {k: got[key].get(k) for k in row} == row, f"{table} row {key} changed"


def test_old_project_reads_through_the_api(old_project: tuple[Path, dict]) -> None:
    path, _expected = old_project
    with Project.open(path) as p:
        assert p.guid == "00000000-0000-4000-8000-000000000099"
        assert p.memo == "A small study of trust in local councils."
        assert sorted(d.name for d in p.documents()) == ["Interview Ana", "Interview Ben"]
        ana = p.find_document("Interview Ana")
        assert ana.case == "Ana" and ana.group == "2025" and ana.codings == 4
        assert [t.speaker for t in p.turns(ana.id)] == ["Interviewer", "Ana", "Interviewer", "Ana"]
        text = p.document_text(ana.id)
        passages = {
            (g.code_path, g.coder, text[g.start : g.end]) for g in p.codings(document_id=ana.id)
        }
        assert ("Trust", "ana", "trust the council") in passages
        assert ("Fear", "ben", "I feared them") in passages
        assert ("Trust", "ana", "😀 Later") in passages, "offsets are code points, emoji included"
        assert [c.path for c in p.codes()] == ["Trust", "Trust/Distrust", "Fear", "Fear/Hope"]
        trust = p.find_code("Trust")
        assert (trust.definition, trust.inclusion, trust.exclusion, trust.example, trust.memo) == (
            "Confidence in an institution",
            "explicit statements",
            "sarcasm",
            "I trust them",
            "core code",
        )
        case_values = p.attribute_values("case")
        assert case_values[p.find_case("Ana").id] == {
            "age": "34",
            "region": "North",
            "joined": "2024-03-01",
        }
        assert p.attribute_values("document")[ana.id] == {"consent": "true"}
        assert [m.title for m in p.memos()] == ["Method"]
        assert [h.document for h in p.search("council")] == ["Interview Ana"]
        assert len(p.case_selections()) == 1


def test_old_project_can_be_edited_and_undone(old_project: tuple[Path, dict]) -> None:
    path, expected = old_project
    with Project.open(path) as p:
        doc = p.find_document("Interview Ben").id
        changes = p.apply_code(doc, p.find_code("Fear").id, 0, 3, coder="ana")
        assert len(p.codings(document_id=doc)) == 2
        p.undo(changes)
    assert len(_fixture_module().dump(path)["codings"]) == len(expected["codings"])


def test_read_only_open_leaves_the_old_file_untouched(old_project: tuple[Path, dict]) -> None:
    path, _expected = old_project
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with Project.open(path, read_only=True) as p:
        assert len(p.documents()) == 2
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert sorted(f.name for f in path.parent.iterdir()) == [path.name]


def test_the_committed_fixture_matches_its_rows() -> None:
    """The .json beside each fixture describes exactly that file (no stale pair)."""
    module = _fixture_module()
    for version in VERSIONS:
        source = FIXTURES / f"schema-v{version}.coder"
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        expected = json.loads(source.with_suffix(".json").read_text(encoding="utf-8"))
        assert module.dump(source) == expected
        assert hashlib.sha256(source.read_bytes()).hexdigest() == digest


def test_read_only_open_of_an_older_project_reads_the_current_schema(
    old_project: tuple[Path, dict],
) -> None:
    """Read-only commands on a project of an older schema see it migrated (in memory), and
    its file keeps its bytes and its schema version."""
    path, expected = old_project
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with Project.open(path, read_only=True) as p:
        assert [c.path for c in p.codes()] == ["Trust", "Trust/Distrust", "Fear", "Fear/Hope"]
        assert all(c.codable for c in p.codes())
        assert p.annotations() == []
        assert len(p.codings()) == len(expected["codings"])
        worker = p.worker_connection()
        try:
            assert len(worker.codings()) == len(expected["codings"])
        finally:
            worker.close()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert sorted(f.name for f in path.parent.iterdir()) == [path.name]


def test_a_v1_text_is_split_into_blocks_of_whole_paragraphs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening a schema-v1 project stores each text as blocks (here a few words each): the
    blocks join to the old text, each ends a paragraph, every passage keeps its position, and
    search finds words in any block."""
    source = FIXTURES / "schema-v1.coder"
    path = tmp_path / source.name
    shutil.copyfile(source, path)
    expected = json.loads(source.with_suffix(".json").read_text(encoding="utf-8"))
    monkeypatch.setattr(blocks, "SIZE", 16)
    with Project.open(path) as p:
        for doc in expected["documents"]:
            rows = p.db.execute(
                "SELECT start, text FROM text_blocks WHERE document_id = ? ORDER BY start",
                [doc["id"]],
            ).fetchall()
            assert len(rows) >= 2
            assert "".join(t for _s, t in rows) == doc["text"] == p.document_text(doc["id"])
            assert all(t.endswith("\n") for _s, t in rows[:-1])
            assert [s for s, _t in rows] == [
                sum(len(t) for _s, t in rows[:i]) for i in range(len(rows))
            ]
            assert p.document(doc["id"]).characters == len(doc["text"])
        for table in ("codings", "turns"):
            got = {r[0]: r[1:] for r in p.db.execute(f'SELECT id, start, "end" FROM {table}_at')}
            assert got == {r["id"]: (r["start"], r["end"]) for r in expected[table]}
        ana = p.find_document("Interview Ana").id
        text = p.document_text(ana)
        hits = p.search("council listened")
        assert {(h.document_id, h.match) for h in hits} >= {(ana, "council"), (ana, "listened")}
        assert all(text[h.start : h.end] == h.match for h in hits if h.document_id == ana)
