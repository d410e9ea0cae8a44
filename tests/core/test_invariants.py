"""A project whose meaning is damaged (a cycle in its codebook, a coding of a code that does
not exist, a passage past the end of its text) is refused when opened, with one line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from coder.core import blocks, invariants
from coder.core.backup import list_backups
from coder.core.errors import ProjectFileError
from coder.core.project import Project
from coder.core.services.lengths import TextLengths
from tests.cli.helpers import ok, user_error


def build(path: Path) -> Path:
    """A small healthy project: a document (in blocks of a line or two) with turns, two nested
    codes, codings, a case."""
    blocks.SIZE, size = 20, blocks.SIZE
    try:
        return _build(path)
    finally:
        blocks.SIZE = size


def _build(path: Path) -> Path:
    with Project.create(path) as p:
        p.add_document(
            "Interview", "Anna: we left in May.\nBen: and we came back.\nAnna: yes.\nBen: no."
        )
        alpha = p.add_code("Alpha").created("codes")[0]
        beta = p.add_code("Beta", parent_id=alpha).created("codes")[0]
        doc = p.documents()[0].id
        p.apply_code(doc, alpha, 0, 10, coder="ann")
        p.apply_code(doc, beta, 22, 30, coder="ann")
        p.add_annotation(doc, 6, 13, "a note", coder="ann")
    return path


def damage(path: Path, *statements: str) -> None:
    """Edit the file as another program could: foreign keys and CHECKs not enforced."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("PRAGMA ignore_check_constraints = ON")
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


def refused(path: Path, read_only: bool) -> str:
    with pytest.raises(ProjectFileError) as info:
        Project.open(path, read_only=read_only)
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"{path} is damaged (")
    return message


DAMAGE = {
    "cycle": (
        ["UPDATE codes SET parent_id = (SELECT id FROM codes WHERE name = 'Beta') "
         "WHERE name = 'Alpha'"],
        "its code hierarchy has a cycle (the code 'Alpha' is its own ancestor)",
    ),
    "self parent": (
        ["UPDATE codes SET parent_id = id WHERE name = 'Beta'"],
        "its code hierarchy has a cycle (the code 'Beta' is its own ancestor)",
    ),
    "missing parent": (
        ["UPDATE codes SET parent_id = 999 WHERE name = 'Beta'"],
        "the code 'Beta' is under a code that does not exist",
    ),
    "coding of a missing code": (
        ["DELETE FROM codes WHERE name = 'Beta'"],
        "a coding refers to a code that does not exist",
    ),
    "coding of a missing document": (
        ["UPDATE codings SET document_id = 42 WHERE end_offset = 10"],
        "a coding refers to a document that does not exist",
    ),
    "coding past the end": (
        ["UPDATE codings SET end_offset = 9977 WHERE end_offset = 8"],  # its block starts at 22
        "a coding in the document 'Interview' ends at 9,999, past the end of its text of 64 "
        "characters",
    ),
    "turn past the end": (
        ["INSERT INTO turns (document_id, speaker, block_id, start_offset, end_offset) "
         "VALUES (1, 'Anna', (SELECT id FROM text_blocks WHERE start = 0), 0, 65)"],
        "a speaker turn in the document 'Interview' ends at 65, past the end of its text",
    ),
    "coding anchored in no block of its document": (
        ["UPDATE codings SET block_id = 999 WHERE end_offset = 10"],
        "a coding is anchored outside its document's text",
    ),
    "annotation past the end": (
        ["UPDATE annotations SET end_offset = 100"],
        "an annotation in the document 'Interview' ends at 100",
    ),
    "a gap between blocks": (
        ["UPDATE text_blocks SET start = start + 1 WHERE start > 0"],
        "the text of the document 'Interview' is damaged (a part starts at 23 instead of 22)",
    ),
    "a block that does not start at 0": (
        ["UPDATE text_blocks SET start = start + 2"],
        "the text of the document 'Interview' is damaged (a part starts at 2 instead of 0)",
    ),
    "a wrong length": (
        ["UPDATE documents SET length = 70"],
        "the text of the document 'Interview' is damaged (it has 64 characters, not the 70 ",
    ),
    "a text without blocks": (
        ["DELETE FROM text_blocks"],
        "the text of the document 'Interview' is damaged (it has 0 characters, not the 64 ",
    ),
    "backwards coding": (
        ["UPDATE codings SET start_offset = 20, end_offset = 5 WHERE end_offset = 10"],
        "a coding runs backwards or starts before its text (20-5)",
    ),
}  # fmt: skip


@pytest.mark.parametrize("kind", list(DAMAGE))
@pytest.mark.parametrize("read_only", [False, True])
def test_damaged_meaning_is_refused_on_open(tmp_path: Path, kind: str, read_only: bool) -> None:
    path = build(tmp_path / "p.coder")
    statements, expected = DAMAGE[kind]
    damage(path, *statements)
    before = path.read_bytes()
    assert expected in refused(path, read_only)
    assert path.read_bytes() == before
    assert not Path(f"{path}.lock").exists() and not Path(f"{path}-wal").exists()


def test_a_damaged_file_is_not_backed_up(tmp_path: Path) -> None:
    """Its backups are the way back: a damaged copy must not push a good one out."""
    path = build(tmp_path / "p.coder")
    damage(path, "UPDATE codes SET parent_id = id")
    refused(path, read_only=False)
    assert list_backups(path) == []


def test_the_message_points_to_the_backups(tmp_path: Path) -> None:
    path = build(tmp_path / "p.coder")
    Project.open(path).close()  # makes the first backup
    damage(path, "UPDATE codes SET parent_id = id")
    message = refused(path, read_only=True)
    assert "1 backup in" in message and "coder restore" in message


def test_healthy_projects_open(tmp_path: Path) -> None:
    path = build(tmp_path / "p.coder")
    for read_only in (False, True):
        with Project.open(path, read_only=read_only) as p:
            assert len(p.codings()) == 2


def test_the_older_schema_is_checked_too(tmp_path: Path) -> None:
    """A version 1 project (no annotations table, no end indexes) is checked before its
    migration, without changing the file."""
    fixture = Path(__file__).parents[1] / "fixtures" / "schema-v1.coder"
    path = tmp_path / "v1.coder"
    path.write_bytes(fixture.read_bytes())
    with Project.open(path, read_only=True):
        pass
    damage(path, 'UPDATE codings SET "end" = 10000000')
    assert "past the end of its text" in refused(path, read_only=True)


def test_the_check_seeks_the_indexes_instead_of_reading_every_row(tmp_path: Path) -> None:
    """Cheap on every open: foreign keys from distinct values, ends from an index seek."""
    path = build(tmp_path / "p.coder")
    conn = sqlite3.connect(path)
    plans: list[str] = []
    for table in ("codings", "turns"):
        plan = conn.execute(
            f"EXPLAIN QUERY PLAN SELECT max(end_offset) FROM {table} WHERE block_id = 1"
        ).fetchall()
        plans.append(" ".join(str(row[-1]) for row in plan))
    conn.close()
    assert all("USING COVERING INDEX" in p and "_block_end" in p for p in plans), plans


def test_statements_grow_with_documents_not_with_codings(tmp_path: Path) -> None:
    from sqlite_utils import Database

    path = build(tmp_path / "p.coder")
    with Project.open(path) as p:
        doc = p.documents()[0].id
        code = p.codes()[0].id
        for i in range(300):
            p.apply_code(doc, code, i % 40, i % 40 + 3, coder=f"c{i % 3}")
    conn = sqlite3.connect(path)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    db = Database(conn)
    assert invariants.problem(db, TextLengths(db).lengths) is None
    conn.close()
    assert len(statements) < 90, len(statements)


def test_command_line_merge_and_export_refuse_a_damaged_project(tmp_path: Path) -> None:
    good = build(tmp_path / "good.coder")
    bad = build(tmp_path / "bad.coder")
    damage(bad, "UPDATE codes SET parent_id = id WHERE name = 'Alpha'")
    before = good.read_bytes()
    line = user_error("merge", str(good), str(bad))
    assert "bad.coder is damaged" in line and "cycle" in line
    assert ok("codings", str(good), "--json").stdout.count('"guid"') == 2
    assert good.read_bytes() == before or len(list_backups(good)) >= 0
    assert "is damaged" in user_error("export", str(bad), str(tmp_path / "out.qdpx"))
    assert not (tmp_path / "out.qdpx").exists()
    assert "is damaged" in user_error("codings", str(bad))
