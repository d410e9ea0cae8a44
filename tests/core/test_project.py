"""The project file: schema, services, exact undo/redo, and refusing what is not a project."""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from pathlib import Path

import pytest

from coder.core.errors import Ambiguous, CoderError, InvalidValue, NotFound, ProjectFileError
from coder.core.migrations import APPLICATION_ID, SCHEMA_VERSION
from coder.core.project import Project

TEXT = "I: Hi 👩‍👩‍👧 there\nR: مرحبا e\u0301 漢字 🇫🇷 ok\n"


def dump(project: Project) -> dict[str, list[tuple]]:
    tables = [
        r[0]
        for r in project.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'documents_fts%' AND name NOT LIKE 'text_blocks_fts%' "
            "AND name NOT LIKE '\\_%' ESCAPE '\\'"
        )
    ]
    return {t: sorted(map(tuple, project.db.execute(f"SELECT * FROM {t}"))) for t in tables}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_blank_project_has_exact_schema(fresh_project: Project) -> None:
    """Migrating an empty file gives exactly these tables, columns and foreign keys."""
    db = fresh_project.db
    tables = {
        t: db[t].columns_dict
        for t in db.table_names()
        if not t.startswith(("documents_fts", "text_blocks_fts", "_"))
    }
    assert {k: list(v) for k, v in tables.items()} == {
        "meta": ["key", "value"],
        "coders": ["id", "guid", "name"],
        "cases": ["id", "guid", "name", "memo"],
        "documents": [
            "id",
            "guid",
            "name",
            "source_name",
            "source_format",
            "imported_at",
            "memo",
            "group_name",
            "case_id",
            "revision",
            "length",
        ],
        "turns": [
            "id",
            "document_id",
            "speaker",
            "start_offset",
            "end_offset",
            "time_start",
            "time_end",
            "block_id",
        ],
        "codes": [
            "id",
            "guid",
            "name",
            "parent_id",
            "position",
            "color",
            "definition",
            "inclusion",
            "exclusion",
            "example",
            "memo",
            "created_at",
            "codable",
        ],
        "codings": [
            "id",
            "guid",
            "document_id",
            "code_id",
            "coder_id",
            "start_offset",
            "end_offset",
            "created_at",
            "memo",
            "block_id",
        ],
        "case_selections": [
            "id",
            "case_id",
            "document_id",
            "start_offset",
            "end_offset",
            "block_id",
        ],
        "attributes": ["id", "guid", "name", "scope", "type", "position"],
        "attribute_values": ["id", "attribute_id", "case_id", "document_id", "value"],
        "memos": ["id", "guid", "title", "text", "created_at", "modified_at", "coder_id"],
        "annotations": [
            "id",
            "guid",
            "document_id",
            "coder_id",
            "start_offset",
            "end_offset",
            "text",
            "created_at",
            "modified_at",
            "block_id",
        ],
        "memo_links": ["id", "memo_id", "document_id", "code_id", "coding_id", "case_id"],
        "pseudonyms": [
            "id",
            "guid",
            "original",
            "replacement",
            "category",
            "forms",
            "case_sensitive",
            "whole_word",
            "note",
            "created_at",
        ],
        "pseudonym_dismissals": ["id", "text", "kind"],
        "text_blocks": ["id", "document_id", "start", "text"],
    }
    fks = {(t, fk.column, fk.other_table) for t in tables for fk in db.table(t).foreign_keys}
    assert fks == {
        ("documents", "case_id", "cases"),
        ("turns", "document_id", "documents"),
        ("codes", "parent_id", "codes"),
        ("codings", "document_id", "documents"),
        ("codings", "code_id", "codes"),
        ("codings", "coder_id", "coders"),
        ("case_selections", "case_id", "cases"),
        ("case_selections", "document_id", "documents"),
        ("attribute_values", "attribute_id", "attributes"),
        ("attribute_values", "case_id", "cases"),
        ("attribute_values", "document_id", "documents"),
        ("memos", "coder_id", "coders"),
        ("annotations", "document_id", "documents"),
        ("annotations", "coder_id", "coders"),
        ("memo_links", "memo_id", "memos"),
        ("memo_links", "document_id", "documents"),
        ("memo_links", "code_id", "codes"),
        ("memo_links", "coding_id", "codings"),
        ("memo_links", "case_id", "cases"),
        ("text_blocks", "document_id", "documents"),
    }
    virtual = {
        r[0]: r[1]
        for r in db.execute("SELECT name, sql FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL%'")
    }
    assert set(virtual) == {"documents_fts", "text_blocks_fts"}
    assert "content='documents'" in virtual["documents_fts"]
    assert "content='text_blocks'" in virtual["text_blocks_fts"]
    triggers = {t.name for t in db.triggers}
    assert triggers == {
        "documents_ai",
        "documents_ad",
        "documents_au",
        "text_blocks_ai",
        "text_blocks_ad",
        "text_blocks_au",
    }
    assert sorted(db.view_names()) == [
        "annotations_at",
        "case_selections_at",
        "codings_at",
        "document_texts",
        "turns_at",
    ]
    for table in ("codings", "annotations", "case_selections", "turns"):  # old columns, absolute
        old = [c for c in tables[table] if c != "block_id"]
        old = [{"start_offset": "start", "end_offset": "end"}.get(c, c) for c in old]
        assert list(db[f"{table}_at"].columns_dict) == old
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_close_leaves_one_self_contained_file(tmp_path: Path) -> None:
    path = tmp_path / "p.coder"
    with Project.create(path) as p:
        p.add_document("a", "text")
    assert not Path(str(path) + "-wal").exists()
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 1


def test_document_names_are_unique(fresh_project: Project) -> None:
    for _ in range(3):
        fresh_project.add_document("Interview", "same text")
    assert [d.name for d in fresh_project.documents()] == [
        "Interview",
        "Interview (2)",
        "Interview (3)",
    ]


def test_document_groups_are_the_groups_in_use_sorted(fresh_project: Project) -> None:
    p = fresh_project
    assert p.document_groups() == []
    p.add_document("A", "one", group="Wave 2")
    p.add_document("B", "two", group="Ébène")
    p.add_document("C", "three")
    p.add_document("D", "four", group="Wave 2")
    p.add_document("E", "five", group="Wave 1")
    assert p.document_groups() == sorted({d.group for d in p.documents() if d.group})
    assert p.document_groups() == ["Wave 1", "Wave 2", "Ébène"]


def test_documents_by_id_reads_those_that_exist_as_one_by_one(fresh_project: Project) -> None:
    p = fresh_project
    for i in range(3):
        p.add_document(f"Doc {i}", "text 🙂 " * (i + 1), group="G" if i else "")
    ids = [d.id for d in p.documents()]
    found = p.documents_by_id([*ids, 999, ids[0]])
    assert set(found) == set(ids)
    assert all(found[i] == p.document(i) for i in ids)
    assert p.documents_by_id([]) == {}


def test_undo_log_and_savepoints_stay_in_memory(fresh_project: Project) -> None:
    """Nested edits (savepoints) and the undo log use no temporary files (2 = MEMORY)."""
    assert fresh_project.db.execute("PRAGMA temp_store").fetchone()[0] == 2
    worker = fresh_project.worker_connection()
    try:
        assert worker.db.execute("PRAGMA temp_store").fetchone()[0] == 2
    finally:
        worker.close()


def test_text_is_normalised_once_and_offsets_are_code_points(fresh_project: Project) -> None:
    doc_id = fresh_project.add_document(
        "u", "\ufeff" + TEXT.replace("\n", "\r\n") + "\x00"
    ).created("documents")[0]
    text = fresh_project.document_text(doc_id)
    assert text == TEXT  # BOM, CRLF and NUL gone; combining mark kept (no NFC)
    code_id = fresh_project.add_code("Flag").created("codes")[0]
    start = text.index("🇫🇷")
    fresh_project.apply_code(doc_id, code_id, start, start + 2)
    (coding,) = fresh_project.codings()
    assert text[coding.start : coding.end] == "🇫🇷"


def test_code_paths_and_lookup(fresh_project: Project) -> None:
    p = fresh_project
    a = p.add_code("A").created("codes")[0]
    b = p.add_code("B").created("codes")[0]
    p.add_code("Child", parent_id=a)
    p.add_code("Child", parent_id=b)
    assert [c.path for c in p.codes()] == ["A", "A/Child", "B", "B/Child"]
    assert p.find_code("A/Child").parent_id == a
    with pytest.raises(Ambiguous, match="A/Child, B/Child"):
        p.find_code("Child")
    with pytest.raises(NotFound):
        p.find_code("Nope")
    with pytest.raises(InvalidValue, match="already exists"):
        p.add_code("Child", parent_id=a)
    with pytest.raises(InvalidValue, match="#RRGGBB"):
        p.add_code("C", color="red")


def test_delete_code_with_children_needs_a_choice(fresh_project: Project) -> None:
    p = fresh_project
    doc = p.add_document("d", "abcdefghij").created("documents")[0]
    parent = p.add_code("P").created("codes")[0]
    child = p.add_code("C", parent_id=parent).created("codes")[0]
    p.apply_code(doc, parent, 0, 2)
    p.apply_code(doc, child, 2, 4)
    with pytest.raises(InvalidValue, match="sub-codes"):
        p.delete_code(parent)
    changes = p.delete_code(parent, children="move_up")
    assert [c.path for c in p.codes()] == ["C"]
    assert len(p.codings()) == 1
    p.undo(changes)
    assert [c.path for c in p.codes()] == ["P", "P/C"]
    assert len(p.codings()) == 2
    p.delete_code(parent, children="delete")
    assert p.codes() == [] and p.codings() == []


def test_every_service_undoes_and_redoes_exactly(fresh_project: Project) -> None:
    p = fresh_project
    doc = p.add_document("d", TEXT, case="Mara").created("documents")[0]
    a = p.add_code("A").created("codes")[0]
    b = p.add_code("B", parent_id=a).created("codes")[0]
    c = p.add_code("C").created("codes")[0]
    g = p.apply_code(doc, b, 0, 5).created("codings")[0]
    attr = p.add_attribute("age", "case", "number").created("attributes")[0]
    case = p.cases()[0].id
    edits = [
        lambda: p.apply_code(doc, a, 3, 9, coder="Sam"),
        lambda: p.resize_coding(g, 1, 6),
        lambda: p.set_coding_memo(g, "why"),
        lambda: p.recode(g, c),
        lambda: p.update_code(a, name="Alpha", color="#112233", definition="def"),
        lambda: p.move_code(c, a, 0),
        lambda: p.merge_codes(c, b),
        lambda: p.delete_code(a, children="delete"),
        lambda: p.set_attribute_value(attr, case, "42"),
        lambda: p.rename_document(doc, "renamed"),
        lambda: p.set_document_fields(doc, memo="m", group="G"),
        lambda: p.set_project_memo("project memo"),
        lambda: p.add_memo("t", "x"),
        lambda: p.delete_case(case),
        lambda: p.delete_document(doc),
    ]
    states, changes = [dump(p)], []
    for edit in edits:
        changes.append(edit())
        states.append(dump(p))
    for i in reversed(range(len(edits))):
        p.undo(changes[i])
        assert dump(p) == states[i], f"undo of edit {i}"
    for i, ch in enumerate(changes):
        p.redo(ch)
        assert dump(p) == states[i + 1], f"redo of edit {i}"
    assert p.search("Hi") == []  # the full-text index follows deleted and restored rows
    p.undo(changes[-1])
    assert p.search("Hi")[0].match == "Hi"


def test_coding_ranges_are_checked(fresh_project: Project) -> None:
    p = fresh_project
    doc = p.add_document("d", "short").created("documents")[0]
    code = p.add_code("X").created("codes")[0]
    for start, end in [(-1, 2), (3, 3), (4, 2), (0, 6)]:
        with pytest.raises(InvalidValue):
            p.apply_code(doc, code, start, end)
    assert p.codings() == []


def test_attribute_import_infers_types(fresh_project: Project, tmp_path: Path) -> None:
    csv = tmp_path / "cases.csv"
    csv.write_text(
        "case;age;joined;returned;country\nMara;34;2019-03-01;yes;Norway\nJun;28;12/05/2020;no;Japan\n",
        encoding="utf-8",
    )
    fresh_project.import_attributes(csv)
    types = {a.name: a.type for a in fresh_project.attributes("case")}
    assert types == {"age": "number", "joined": "date", "returned": "boolean", "country": "text"}
    values = fresh_project.attribute_values("case")
    mara = fresh_project.find_case("Mara").id
    assert values[mara] == {
        "age": "34",
        "joined": "2019-03-01",
        "returned": "true",
        "country": "Norway",
    }
    jun = fresh_project.find_case("Jun").id
    assert values[jun]["joined"] == "2020-05-12"


def test_bad_attribute_value_changes_nothing(fresh_project: Project, tmp_path: Path) -> None:
    p = fresh_project
    p.add_case("Mara")
    attr = p.add_attribute("age", "case", "number").created("attributes")[0]
    before = dump(p)
    with pytest.raises(InvalidValue, match="not a number"):
        p.set_attribute_value(attr, p.find_case("Mara").id, "old")
    assert dump(p) == before


def test_search_returns_keyword_in_context(fresh_project: Project) -> None:
    p = fresh_project
    p.add_document("d", "They left because of the leaders. Leaders lied.")
    hits = p.search("leaders")
    assert [(h.match, h.start) for h in hits] == [("leaders", 25), ("Leaders", 34)]
    assert hits[0].before.endswith("of the ")
    assert p.search('weird " syntax OR (') == []


# ---------------------------------------------------------------- refusing bad files


def _other_app_db(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE notes (x)")
        conn.commit()


def _newer_project(path: Path) -> None:
    Project.create(path).close()
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")


def _corrupt_project(path: Path) -> None:
    Project.create(path).close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("hello, not a database"), "not an SQLite database"),
        (lambda p: p.write_bytes(b""), "not an SQLite database"),
        (_other_app_db, "another application"),
        (_newer_project, "newer version of Coder"),
        (_corrupt_project, "damaged"),
    ],
)
def test_opening_what_is_not_a_project_is_refused_unchanged(
    tmp_path: Path, make, message: str
) -> None:
    path = tmp_path / "thing.coder"
    make(path)
    before = digest(path)
    with pytest.raises(ProjectFileError, match=message) as err:
        Project.open(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)
    assert digest(path) == before
    assert not Path(str(path) + "-wal").exists()


def test_create_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "p.coder"
    path.write_text("keep me")
    with pytest.raises(CoderError, match="already exists"):
        Project.create(path)
    assert path.read_text() == "keep me"


def test_read_only_project_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "p.coder"
    Project.create(path).close()
    with Project.open(path, read_only=True) as p:
        with pytest.raises(CoderError, match="read-only"):
            p.add_code("X")
