"""Annotations, categories and memo links: the services, their checks and exact undo."""

from __future__ import annotations

import pytest

from coder.core.errors import InvalidValue, NotFound
from coder.core.project import Project

TEXT = "Interviewer: Why did you leave?\nMara: My sister called. Then I went to Zürich.\n"


def _dump(p: Project) -> dict[str, list[tuple]]:
    tables = ["codes", "codings", "memos", "memo_links", "annotations", "documents", "coders"]
    return {t: sorted(tuple(r) for r in p.db.execute(f"SELECT * FROM {t}")) for t in tables}


def test_annotation_is_anchored_to_a_passage_and_undoes_exactly(fresh_project: Project) -> None:
    p = fresh_project
    doc = p.add_document("Mara", TEXT).created("documents")[0]
    before = _dump(p)
    start = TEXT.index("sister")
    changes = p.add_annotation(doc, start, start + 6, "check the date", coder="Alex")
    (note,) = p.annotations(doc)
    assert (TEXT[note.start : note.end], note.text, note.coder) == (
        "sister",
        "check the date",
        "Alex",
    )
    assert changes.annotations == {note.id}
    edited = p.update_annotation(note.id, text="asked in March")
    assert p.annotations()[0].text == "asked in March"
    p.undo(edited)
    assert p.annotations()[0].text == "check the date"
    p.undo(changes)
    assert _dump(p)["annotations"] == before["annotations"] == []


def test_annotation_outside_the_text_is_refused(fresh_project: Project) -> None:
    p = fresh_project
    doc = p.add_document("Mara", TEXT).created("documents")[0]
    with pytest.raises(InvalidValue, match="not inside the document"):
        p.add_annotation(doc, 5, len(TEXT) + 1, "too far")
    with pytest.raises(NotFound):
        p.update_annotation(999, text="x")


def test_deleting_a_document_takes_its_annotations_and_undo_brings_them_back(
    fresh_project: Project,
) -> None:
    p = fresh_project
    doc = p.add_document("Mara", TEXT).created("documents")[0]
    code = p.add_code("Family").created("codes")[0]
    coding = p.apply_code(doc, code, 0, 5, coder="Alex").created("codings")[0]
    memo = p.add_memo("Family ties", "why the sister matters", coder="Alex").created("memos")[0]
    p.link_memo(memo, document_id=doc)
    p.link_memo(memo, coding_id=coding)
    p.add_annotation(doc, 3, 9, "note", coder="Sam")
    before = _dump(p)
    changes = p.delete_document(doc)
    assert p.annotations() == [] and p.memo_links() == []
    p.undo(changes)
    assert _dump(p) == before


def test_category_holds_codes_but_is_never_applied(fresh_project: Project) -> None:
    p = fresh_project
    doc = p.add_document("Mara", TEXT).created("documents")[0]
    group = p.add_code("Reasons", codable=False).created("codes")[0]
    child = p.add_code("Family", parent_id=group).created("codes")[0]
    assert [(c.path, c.codable) for c in p.codes()] == [
        ("Reasons", False),
        ("Reasons/Family", True),
    ]
    with pytest.raises(InvalidValue, match="'Reasons' is a category"):
        p.apply_code(doc, group, 0, 5)
    coding = p.apply_code(doc, child, 0, 5).created("codings")[0]
    with pytest.raises(InvalidValue, match="is a category"):
        p.recode(coding, group)
    with pytest.raises(InvalidValue, match="has codings"):
        p.update_code(child, codable=False)
    p.update_code(group, codable=True)
    assert p.code(group).codable


def test_memo_links_and_authors(fresh_project: Project) -> None:
    p = fresh_project
    doc = p.add_document("Mara", TEXT).created("documents")[0]
    code = p.add_code("Family").created("codes")[0]
    memo = p.add_memo("Family ties", "text", coder="Alex").created("memos")[0]
    assert p.memos()[0].author == "Alex"
    first = p.link_memo(memo, code_id=code)
    assert first.memos == {memo}
    assert not p.link_memo(memo, code_id=code)  # linking twice changes nothing
    p.link_memo(memo, document_id=doc)
    assert {(link.code_id, link.document_id) for link in p.memo_links(memo)} == {
        (code, None),
        (None, doc),
    }
    with pytest.raises(InvalidValue, match="exactly one"):
        p.link_memo(memo, code_id=code, document_id=doc)
    with pytest.raises(NotFound):
        p.link_memo(memo, code_id=999)
    before = _dump(p)
    changes = p.delete_code(code)
    assert [link.document_id for link in p.memo_links(memo)] == [doc]
    p.undo(changes)
    assert _dump(p) == before


def test_merging_codes_moves_memo_links_to_the_target(fresh_project: Project) -> None:
    p = fresh_project
    a = p.add_code("Family").created("codes")[0]
    b = p.add_code("Kin").created("codes")[0]
    memo = p.add_memo("Ties", "").created("memos")[0]
    p.link_memo(memo, code_id=a)
    p.link_memo(memo, code_id=b)
    before = _dump(p)
    changes = p.merge_codes(a, b)
    assert [link.code_id for link in p.memo_links(memo)] == [b]
    p.undo(changes)
    assert _dump(p) == before
