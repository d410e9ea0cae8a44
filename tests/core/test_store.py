"""The unit of work: every write inside ``project.edit()`` is recorded, whoever makes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.core.changes import Changes
from coder.core.errors import CoderError, InvalidValue
from coder.core.model import CodeCount, CodingSpan, DocumentRef
from coder.core.project import Project
from coder.core.store import project_tables
from coder.core.text import Turn, detect_turns


def dump(project: Project) -> dict[str, list[tuple]]:
    return {
        t: project.db.execute(f"SELECT * FROM [{t}] ORDER BY 1").fetchall()
        for t in project_tables(project.db)
    }


@pytest.fixture
def coded(fresh_project: Project) -> Project:
    p = fresh_project
    p.add_document("Ana", "Ana: I trust them.\nBen: no.\n", turns=[Turn("Ana", 0, 18)], case="A")
    p.add_document("Ben", "Ben: fear, mostly.\n")
    p.add_code("Trust")
    p.add_code("Fear", parent_id=p.find_code("Trust").id)
    doc, trust, fear = p.find_document("Ana").id, p.find_code("Trust").id, p.find_code("Fear").id
    p.apply_code(doc, trust, 5, 18, coder="ana")
    p.apply_code(doc, fear, 0, 3, coder="ben", memo="short")
    p.apply_code(p.find_document("Ben").id, fear, 5, 9, coder="ana")
    p.add_memo("On trust", "text", coder="ana")
    memo = p.memos()[0].id
    p.link_memo(memo, coding_id=p.codings(document_id=doc)[0].id)
    p.add_annotation(doc, 0, 3, "who?", coder="ben")
    p.add_attribute("age", "document", "number")
    p.set_attribute_value(p.find_attribute("age").id, doc, 40)
    p.add_case_selection(p.find_case("A").id, doc, 0, 5)
    return p


def test_project_tables_are_every_data_table_parents_first(fresh_project: Project) -> None:
    tables = project_tables(fresh_project.db)
    assert sorted(tables) == sorted(
        [
            "meta",
            "coders",
            "cases",
            "documents",
            "turns",
            "codes",
            "codings",
            "case_selections",
            "attributes",
            "attribute_values",
            "memos",
            "memo_links",
            "annotations",
            "pseudonyms",
            "pseudonym_dismissals",
            "text_blocks",
        ]
    )
    for i, table in enumerate(tables):
        for fk in fresh_project.db.table(table).foreign_keys:
            assert fk.other_table == table or tables.index(fk.other_table) < i


def test_a_raw_write_inside_an_edit_is_recorded_with_its_cascades(coded: Project) -> None:
    """Deleting a document by hand records its turns, codings, links, values, passages."""
    before = dump(coded)
    doc = coded.find_document("Ana").id
    with coded.edit() as edit:
        coded.db.execute("DELETE FROM documents WHERE id = ?", [doc])
    changes = edit.changes()
    tables = {table for table, _key in changes.before}
    assert tables == {
        "documents",
        "turns",
        "codings",
        "memo_links",
        "annotations",
        "attribute_values",
        "case_selections",
        "text_blocks",
    }
    assert all(row is None for row in changes.after.values())
    after = dump(coded)
    coded.undo(changes)
    assert dump(coded) == before
    coded.redo(changes)
    assert dump(coded) == after


def test_set_null_and_updates_keep_the_old_row(coded: Project) -> None:
    changes = coded.delete_case(coded.find_case("A").id)
    doc = coded.find_document("Ana").id
    before, after = changes.before[("documents", doc)], changes.after[("documents", doc)]
    assert before is not None and before["case_id"] is not None
    assert after is not None and after["case_id"] is None
    assert ("case_selections", 1) in changes.before


def test_nested_edits_give_exact_changes(coded: Project) -> None:
    before = dump(coded)
    with coded.edit() as outer:
        first = coded.add_code("Hope")
        with pytest.raises(InvalidValue):
            coded.add_code("Hope")  # refused: its savepoint is rolled back
        second = coded.add_case("B")
    assert set(first.before) == {("codes", coded.find_code("Hope").id)}
    assert set(second.before) == {("cases", coded.find_case("B").id)}
    assert outer.changes().before == {**first.before, **second.before}
    coded.undo(outer.changes())
    assert dump(coded) == before


def test_changes_of_an_edit_cannot_be_read_after_the_next_begins(coded: Project) -> None:
    with coded.edit() as edit:
        coded.add_code("Hope")
    coded.add_code("Care")
    with pytest.raises(RuntimeError):
        edit.changes()


def test_a_failed_edit_changes_nothing_and_the_next_one_is_recorded(coded: Project) -> None:
    before = dump(coded)
    with pytest.raises(CoderError):
        with coded.edit():
            coded.db.execute("DELETE FROM codings")
            raise InvalidValue("no")
    assert dump(coded) == before
    changes = coded.add_code("Hope")
    assert changes.created("codes") == [coded.find_code("Hope").id]


def test_undo_of_an_inconsistent_change_is_refused_whole(coded: Project) -> None:
    """Rows written back must not point to rows that are gone (foreign keys are off then)."""
    before = dump(coded)
    changes = coded.add_code("Hope")
    code = coded.find_code("Hope").id
    coded.apply_code(coded.find_document("Ben").id, code, 0, 3)
    with pytest.raises(InvalidValue):
        coded.undo(changes)  # the code still has a coding that the change does not know
    assert coded.find_code("Hope")
    assert len(dump(coded)["codings"]) == len(before["codings"]) + 1


def _interview(turns: int) -> str:
    return "".join(
        f"{'Interviewer' if i % 2 else 'P01'}: answer number {i}.\n" for i in range(turns)
    )


def test_an_import_logs_its_turns_as_one_step_and_undo_redo_are_exact(
    coded: Project, tmp_path: Path
) -> None:
    """Thousands of turns: a handful of log entries, no row read; undo and redo exact, ids too."""
    source = tmp_path / "interview.txt"
    source.write_text(_interview(3000), encoding="utf-8")
    coded.db.execute("DELETE FROM turns WHERE id = (SELECT max(id) FROM turns)")  # a key freed
    before = dump(coded)
    changes = coded.import_file(source, case_per_document=True)
    logged = coded.db.execute("SELECT count(*) FROM temp.coder_undo_log").fetchone()[0]
    blocks = len(changes.created("text_blocks"))  # its text: a few rows, logged each
    assert 0 < blocks < 20 and logged < 10 + blocks
    after = dump(coded)
    doc = coded.find_document("interview").id
    [bulk] = changes.bulks
    assert (bulk.table, len(bulk)) == ("turns", 3000) and not bulk.rows
    assert changes.created("documents") == [doc] and len(changes.created("turns")) == 3000
    assert changes.ids("turns") == {r[0] for r in after["turns"] if r[1] == doc}
    assert changes.row_count == 3000 + len(changes.after)
    for _ in range(2):
        coded.undo(changes)
        assert dump(coded) == before
        coded.redo(changes)
        assert dump(coded) == after


def _block(project: Project, doc: int) -> int:
    """The first block of a document's text."""
    row = project.db.execute("SELECT min(id) FROM text_blocks WHERE document_id = ?", [doc])
    return row.fetchone()[0]


def test_rows_inserted_in_bulk_then_changed_in_the_same_edit(coded: Project) -> None:
    """Later writes to the same rows are ordinary steps after the bulk one: replayed in order."""
    doc = coded.find_document("Ben").id
    before = dump(coded)
    with coded.edit() as edit:
        columns = ["document_id", "speaker", "block_id", "start_offset", "end_offset"]
        block = _block(coded, doc)
        coded.insert_rows("turns", columns, [(doc, f"S{i}", block, i, i + 1) for i in range(100)])
        first = coded.db.execute("SELECT min(id) FROM turns WHERE document_id = ?", [doc])
        first_id = first.fetchone()[0]
        coded.db.execute("UPDATE turns SET speaker = 'Ben' WHERE id = ?", [first_id])
        coded.db.execute("DELETE FROM turns WHERE id = ?", [first_id + 1])
        coded.add_code("Hope")
    changes = edit.changes()
    after = dump(coded)
    assert changes.before[("turns", first_id)] is None  # it did not exist before the edit
    changed = changes.after[("turns", first_id)]
    assert changed is not None and changed["speaker"] == "Ben"
    coded.undo(changes)
    assert dump(coded) == before
    coded.redo(changes)
    assert dump(coded) == after


@pytest.mark.parametrize("odd", [0.1 + 0.2, 1343.6424411240123, "a\x00b", 'é 👩‍👩‍👧 \\u0000 "q"'])
def test_rows_in_bulk_are_stored_exactly(coded: Project, odd: object) -> None:
    """Floats to the last bit, text with NUL, quotes and emoji: as a row-by-row insert."""
    doc = coded.find_document("Ben").id
    columns = ["document_id", "speaker", "block_id", "start_offset", "end_offset", "time_start"]
    time = odd if isinstance(odd, float) else None
    speaker = odd if isinstance(odd, str) else "S"
    block = _block(coded, doc)
    with coded.edit() as edit:
        rows = [(doc, speaker, block, i, i + 1, time) for i in range(60)]
        coded.insert_rows("turns", columns, rows)
    stored = coded.db.execute("SELECT speaker, time_start FROM turns WHERE document_id = ?", [doc])
    assert set(stored.fetchall()) == {(speaker, time)}
    after = dump(coded)
    coded.undo(edit.changes())
    coded.redo(edit.changes())
    assert dump(coded) == after


def test_rows_put_back_in_bulk_are_checked_like_others(coded: Project, tmp_path: Path) -> None:
    """Redoing the turns without their document is refused whole (foreign keys are off)."""
    source = tmp_path / "interview.txt"
    source.write_text(_interview(200), encoding="utf-8")
    changes = coded.import_file(source)
    coded.undo(changes)
    before = dump(coded)
    with pytest.raises(InvalidValue, match="turns without their documents"):
        coded.redo(Changes(steps=changes.bulks))
    assert dump(coded) == before
    with pytest.raises(RuntimeError):
        coded.insert_rows("turns", ["document_id"], [])  # outside an edit


# ------------------------------------------------------------------ typed reads for the window


def test_document_refs_and_names(coded: Project) -> None:
    ana, ben = coded.find_document("Ana").id, coded.find_document("Ben").id
    assert coded.document_refs() == [DocumentRef(ana, "Ana"), DocumentRef(ben, "Ben")]
    assert coded.document_refs([ben, 999]) == [DocumentRef(ben, "Ben")]
    assert coded.document_refs(case_id=coded.find_case("A").id) == [DocumentRef(ana, "Ana")]
    assert coded.document_name(ben) == "Ben"
    with pytest.raises(CoderError):
        coded.document_name(999)


def test_coding_spans_and_coder_names(coded: Project) -> None:
    doc = coded.find_document("Ana").id
    spans = coded.coding_spans(doc)
    full = coded.codings(document_id=doc)
    assert sorted(spans, key=lambda s: s.id) == [
        CodingSpan(c.id, c.code_id, c.coder_id, c.start, c.end, c.memo)
        for c in sorted(full, key=lambda c: c.id)
    ]
    other = coded.codings(document_id=coded.find_document("Ben").id)[0].id
    assert coded.coding_spans(doc, [spans[0].id, other]) == [spans[0]]
    assert coded.coder_names() == {c.id: c.name for c in coded.coders()}


def test_coding_and_turn_columns_are_the_rows_read_whole(fresh_project: Project) -> None:
    """The view reads a long transcript's codings and turns as columns, aggregated by SQLite:
    the same values as row by row, memos with quotes, escapes and emoji included."""
    text = 'Ana: hello 😀 there\nBen: "yes" \\ no\nAna: bye'
    project = fresh_project
    doc = project.add_document("D", text, turns=detect_turns(text)).created("documents")[0]
    code = project.add_code("C").created("codes")[0]
    memos = ["", 'say "hi"\n\\ 😀 \u0007', "Ünïcödé"]
    for i, memo in enumerate(memos):
        project.apply_code(doc, code, 10 - 3 * i, 20 + i, coder=f"c{i}", memo=memo)
    rows = project.coding_spans(doc)
    columns = project.coding_columns(doc)
    assert sorted(zip(*columns, strict=True)) == sorted(tuple(r) for r in rows)
    assert columns.starts == sorted(columns.starts)  # in text order
    turns = [t for t in project.turn_spans(doc) if t.speaker]
    assert list(zip(*project.turn_columns(doc), strict=True)) == [t[:4] for t in turns]
    empty = project.add_document("E", "no turns").created("documents")[0]
    assert project.coding_columns(empty) == ([], [], [], [], [], [])
    assert project.turn_columns(empty) == ([], [], [], [])


def test_code_counts(coded: Project) -> None:
    trust, fear = coded.find_code("Trust").id, coded.find_code("Fear").id
    expected = {trust: CodeCount(1, 1), fear: CodeCount(2, 2)}
    assert coded.code_counts() == expected
    assert coded.code_counts([fear]) == {fear: CodeCount(2, 2)}
    assert coded.code_counts([trust, fear, 999, 1000, 1001]) == expected


def test_find_top_level_code(coded: Project) -> None:
    assert coded.find_top_level_code("trust") == coded.find_code("Trust")
    assert coded.find_top_level_code("Fear") is None  # not at the top level


def test_facade_methods_are_the_services(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.coder") as p:
        assert p.apply_code == p.services.codings.apply_code
        assert Project.codes.__doc__ == type(p.services.codebook).codes.__doc__
