"""Merging annotations, memo authors and memo links from a team member's copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from coder.core.merge import merge_projects
from coder.core.project import Project

TEXT = "Resident: It cost far more than we planned for.\nResident: Friendly enough."


@pytest.fixture
def base(tmp_path: Path) -> Path:
    path = tmp_path / "base.coder"
    with Project.create(path) as p:
        doc = p.add_document("Interview", TEXT).created("documents")[0]
        p.add_annotation(doc, 10, 17, "Cost first", coder="ann")
        p.add_code("Cost")
        p.add_memo("Plan", "Code the interview first.")
    return path


def copy_for(base: Path, name: str) -> Path:
    target = base.with_name(f"{name}.coder")
    shutil.copy(base, target)
    return target


def notes_of(p: Project) -> list[tuple]:
    names = {d.id: d.name for d in p.documents()}
    return sorted(
        (a.guid, names[a.document_id], a.start, a.end, a.text, a.coder) for a in p.annotations()
    )


def test_annotations_merge_by_guid_and_content(base):
    ann, bob = copy_for(base, "ann"), copy_for(base, "bob")
    with Project.open(bob) as p:
        doc = p.find_document("Interview").id
        p.add_annotation(doc, 50, 58, "Neighbours", coder="bob")
        memo = p.add_memo("Bob's idea", "Rent matters.", coder="bob").created("memos")[0]
        p.link_memo(memo, document_id=doc)
        p.link_memo(memo, code_id=p.find_code("Cost").id)
    with Project.open(ann) as p:
        p.add_annotation(p.find_document("Interview").id, 0, 8, "Speaker", coder="ann")
    with Project.open(ann) as p:
        report = merge_projects(p, [bob])
        assert report.added["annotations"] == 1 and report.added["memo_links"] == 2
        assert report.conflicts == []
        assert sorted((a[2], a[3], a[4], a[5]) for a in notes_of(p)) == sorted(
            [(10, 17, "Cost first", "ann"), (0, 8, "Speaker", "ann"), (50, 58, "Neighbours", "bob")]
        )
        memo = next(m for m in p.memos() if m.title == "Bob's idea")
        assert memo.author == "bob"
        links = p.memo_links(memo.id)
        assert {(link.document_id, link.code_id) for link in links} == {
            (p.find_document("Interview").id, None),
            (None, p.find_code("Cost").id),
        }
        assert "1 annotation" in report.summary() and "2 memo links" in report.summary()
        before = notes_of(p)
        again = merge_projects(p, [bob])
        assert not again.changes and notes_of(p) == before


def test_an_annotation_edited_on_both_sides_is_a_conflict(base):
    ann, bob = copy_for(base, "ann"), copy_for(base, "bob")
    for path, text, span in ((ann, "Cost first!", (10, 17)), (bob, "Money", (10, 30))):
        with Project.open(path) as p:
            (a,) = p.annotations()
            p.update_annotation(a.id, text=text, start=span[0], end=span[1])
    with Project.open(ann) as p:
        report = merge_projects(p, [bob])
        fields = sorted((c.kind, c.field, c.mine, c.theirs) for c in report.conflicts)
        assert fields == [
            ("annotation", "passage", "10-17", "10-30"),
            ("annotation", "text", "Cost first!", "Money"),
        ]
        (a,) = p.annotations()
        assert (a.start, a.end, a.text) == (10, 17, "Cost first!")
        report = merge_projects(p, [bob], prefer="theirs")
        (a,) = p.annotations()
        assert (a.start, a.end, a.text) == (10, 30, "Money")


def test_an_annotation_only_there_with_an_identical_one_here_is_not_duplicated(base, tmp_path):
    ann, bob = copy_for(base, "ann"), copy_for(base, "bob")
    for path in (ann, bob):  # the same note made twice, each with its own GUID
        with Project.open(path) as p:
            p.add_annotation(p.find_document("Interview").id, 0, 8, "Speaker", coder="ann")
    with Project.open(ann) as p:
        report = merge_projects(p, [bob])
        assert report.matched["annotations by content"] == 1 and not report.added["annotations"]
        assert len(p.annotations()) == 2
