"""Merging team members' copies of a project: matching, no duplicates, conflicts, undo, backup."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from coder.core import intercoder
from coder.core.errors import CoderError, InvalidValue, ProjectFileError
from coder.core.merge import merge_projects
from coder.core.project import Project
from coder.core.text import paragraphs

TABLES = (
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
    "meta",
)

INTERVIEW = "\n".join(
    [
        "Interviewer: How did the move go?",
        "Resident: It cost far more than we planned for.",
        "Interviewer: And the neighbours?",
        "Resident: Friendly enough, though we barely know them.",
        "Interviewer: Would you move again?",
        "Resident: Only if the rent rises again.",
    ]
)
NOTES = "Field notes.\nThe street was quiet.\nTwo shops had closed."


def counts(project: Project) -> dict[str, int]:
    return {t: project.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def base(tmp_path: Path) -> Path:
    """The shared starting project: two documents, a small codebook, a case with attributes."""
    path = tmp_path / "base.coder"
    with Project.create(path) as p:
        p.add_document("Interview", INTERVIEW, case="Resident 1")
        p.add_document("Notes", NOTES)
        p.add_code("Barriers")
        barriers = p.find_code("Barriers").id
        p.add_code("Cost", parent_id=barriers, definition="Money as a reason")
        p.add_code("Neighbours")
        p.add_attribute("age", scope="case", type="number")
        p.set_attribute_value(p.find_attribute("age").id, p.find_case("Resident 1").id, 41)
        p.add_memo("Plan", "Code the interview first.")
    return path


def copy_for(base: Path, name: str) -> Path:
    target = base.with_name(f"{name}.coder")
    shutil.copy(base, target)
    return target


def code_paragraphs(p: Project, doc: str, code: str, coder: str, indexes: list[int]) -> None:
    doc_id, code_id = p.find_document(doc).id, p.find_code(code).id
    spans = paragraphs(p.document_text(doc_id))
    for i in indexes:
        p.apply_code(doc_id, code_id, spans[i][0], spans[i][1], coder=coder)


@pytest.fixture
def team(base: Path) -> tuple[Path, Path]:
    """ann and bob each code their own copy differently."""
    ann, bob = copy_for(base, "ann"), copy_for(base, "bob")
    with Project.open(ann) as p:
        code_paragraphs(p, "Interview", "Barriers/Cost", "ann", [1, 5])
        code_paragraphs(p, "Interview", "Neighbours", "ann", [3])
    with Project.open(bob) as p:
        code_paragraphs(p, "Interview", "Barriers/Cost", "bob", [1, 3])
        code_paragraphs(p, "Interview", "Neighbours", "bob", [3])
        code_paragraphs(p, "Notes", "Neighbours", "bob", [1])
    return ann, bob


def test_merge_brings_in_the_other_coders_codings(team):
    ann, bob = team
    with Project.open(ann) as p:
        before = counts(p)
        report = merge_projects(p, [bob])
        after = counts(p)
        assert after["codings"] == before["codings"] + 4
        assert after["documents"] == before["documents"]  # same GUIDs: matched
        assert after["codes"] == before["codes"]
        assert after["coders"] == before["coders"] + 1
        assert report.added["codings"] == 4 and report.added["coders"] == 1
        assert report.conflicts == []
        assert {c.name for c in p.coders()} == {"ann", "bob"}
        # the merged project measures agreement of both coders
        result = intercoder.compute_agreement(p, ["ann", "bob"], unit="paragraph")
        assert result.documents == ("Interview",)
        cost = next(r for r in result.codes if r.code == "Barriers/Cost")
        # 6 paragraphs: both {1}, ann only {5}, bob only {3}, neither 3 -> Po 4/6
        assert cost.percent_agreement == pytest.approx(100 * 4 / 6)
        po, pe = 4 / 6, (2 / 6) * (2 / 6) + (4 / 6) * (4 / 6)
        assert cost.kappa == pytest.approx((po - pe) / (1 - pe))
        found = intercoder.find_disagreements(p, ["ann", "bob"], "Barriers/Cost", unit="paragraph")
        assert [(d.coded_by, d.start) for d in found] == [
            (("bob",), paragraphs(INTERVIEW)[3][0]),
            (("ann",), paragraphs(INTERVIEW)[5][0]),
        ]


def test_merging_twice_changes_nothing(team):
    ann, bob = team
    with Project.open(ann) as p:
        merge_projects(p, [bob])
        once = counts(p)
        report = merge_projects(p, [bob])
        assert counts(p) == once
        assert not report.changes
        assert sum(report.added.values()) == 0


def test_merging_both_ways_gives_the_same_codings(team):
    ann, bob = team
    with Project.open(ann) as p:
        merge_projects(p, [bob])
        a = {(c.document, c.code_path, c.coder, c.start, c.end) for c in p.codings()}
    with Project.open(bob) as p:
        merge_projects(p, [ann])
        b = {(c.document, c.code_path, c.coder, c.start, c.end) for c in p.codings()}
    assert a == b and len(a) == 7


def test_other_file_is_not_modified(team):
    ann, bob = team
    digest = _digest(bob)
    with Project.open(ann) as p:
        merge_projects(p, [bob])
    assert _digest(bob) == digest


def test_documents_imported_separately_are_matched_by_text(tmp_path):
    with Project.create(tmp_path / "a.coder") as a, Project.create(tmp_path / "b.coder") as b:
        a.add_document("Interview", INTERVIEW)
        b.add_document("interview-final", INTERVIEW)  # another GUID and name, same text
        for p in (a, b):
            p.add_code("Barriers")
            p.add_code("Cost", parent_id=p.find_code("Barriers").id)
        code_paragraphs(a, "Interview", "Barriers/Cost", "ann", [1])
        code_paragraphs(b, "interview-final", "Barriers/Cost", "bob", [1])
        b_path = b.path
    with Project.open(tmp_path / "a.coder") as p:
        report = merge_projects(p, [b_path])
        assert [d.name for d in p.documents()] == ["Interview"]
        assert len(p.codes()) == 2  # matched by path
        assert report.matched["documents by text"] == 1
        assert report.matched["codes by path"] == 2
        assert {c.coder for c in p.codings()} == {"ann", "bob"}
        # the name differs: listed as a conflict, mine kept
        [conflict] = report.conflicts
        assert (conflict.kind, conflict.field, conflict.kept) == ("document", "name", "mine")
        assert "interview-final" in conflict.describe()
        again = merge_projects(p, [b_path])
        assert not again.changes


def test_identical_codings_with_other_guids_are_not_duplicated(tmp_path, base):
    ann, bob = copy_for(base, "ann"), copy_for(base, "bob")
    for path in (ann, bob):
        with Project.open(path) as p:
            code_paragraphs(p, "Interview", "Neighbours", "carol", [3])  # same person, two copies
    with Project.open(ann) as p:
        before = counts(p)
        report = merge_projects(p, [bob])
        assert counts(p) == before
        assert report.matched["codings by position"] == 1
        assert report.matched["coders by name"] == 1


def test_conflicts_are_listed_and_mine_kept_by_default(base):
    ann, bob = copy_for(base, "ann"), copy_for(base, "bob")
    with Project.open(ann) as p:
        p.update_code(p.find_code("Neighbours").id, name="Neighbourhood")
        p.update_memo(p.memos()[0].id, text="Code the notes first.")
        p.set_attribute_value(p.find_attribute("age").id, p.find_case("Resident 1").id, 42)
    with Project.open(bob) as p:
        p.update_code(p.find_code("Neighbours").id, name="Community")
        p.update_memo(p.memos()[0].id, text="Code everything twice.")
        p.set_attribute_value(p.find_attribute("age").id, p.find_case("Resident 1").id, 44)
    with Project.open(ann) as p:
        report = merge_projects(p, [bob])
        kinds = sorted((c.kind, c.field) for c in report.conflicts)
        assert kinds == [("attribute value", "value"), ("code", "name"), ("memo", "text")]
        assert all(c.kept == "mine" for c in report.conflicts)
        assert {c.code.name for c in p.code_tree()} >= {"Neighbourhood"}
        assert p.memos()[0].text == "Code the notes first."
        assert p.attribute_values("case")[p.find_case("Resident 1").id]["age"] == "42"
        lines = [c.describe() for c in report.conflicts]
        assert any("'Neighbourhood'" in line and "'Community'" in line for line in lines)
        assert all("\n" not in line for line in lines)


def test_prefer_theirs_takes_their_values_and_then_settles(base):
    ann, bob = copy_for(base, "ann"), copy_for(base, "bob")
    with Project.open(ann) as p:
        p.update_code(p.find_code("Neighbours").id, name="Neighbourhood")
        p.update_memo(p.memos()[0].id, text="Code the notes first.")
    with Project.open(bob) as p:
        p.update_code(p.find_code("Neighbours").id, name="Community")
        p.update_memo(p.memos()[0].id, text="Code everything twice.")
    with Project.open(ann) as p:
        report = merge_projects(p, [bob], prefer="theirs")
        assert len(report.conflicts) == 2 and all(c.kept == "theirs" for c in report.conflicts)
        assert p.find_code("Community")
        assert p.memos()[0].text == "Code everything twice."
        again = merge_projects(p, [bob], prefer="theirs")
        assert again.conflicts == [] and not again.changes


def test_empty_field_takes_the_other_sides_text_without_conflict(base):
    ann, bob = copy_for(base, "ann"), copy_for(base, "bob")
    with Project.open(bob) as p:
        p.update_code(p.find_code("Neighbours").id, definition="People living nearby")
    with Project.open(ann) as p:
        report = merge_projects(p, [bob])
        assert report.conflicts == [] and report.filled == 1
        assert p.find_code("Neighbours").definition == "People living nearby"


def test_new_items_of_every_kind_come_in(base):
    ann, bob = copy_for(base, "ann"), copy_for(base, "bob")
    with Project.open(bob) as p:
        p.add_document("Second interview", "Resident: new text here.", case="Resident 2")
        p.add_code("Housing")
        p.add_code("Rent", parent_id=p.find_code("Housing").id, definition="Paying rent")
        p.add_attribute("region", scope="document", type="text")
        p.set_attribute_value(p.find_attribute("region").id, p.find_document("Notes").id, "North")
        p.set_attribute_value(p.find_attribute("age").id, p.find_case("Resident 2").id, 30)
        p.add_memo("Bob's thoughts", "Rent matters.")
        p.set_project_memo("A study of moving house.")
        p.add_case_selection(p.find_case("Resident 2").id, p.find_document("Notes").id, 0, 5)
        code_paragraphs(p, "Second interview", "Housing/Rent", "bob", [0])
    with Project.open(ann) as p:
        merge_projects(p, [bob])
        assert p.find_document("Second interview").case == "Resident 2"
        assert p.find_code("Housing/Rent").definition == "Paying rent"
        assert p.attribute_values("document")[p.find_document("Notes").id] == {"region": "North"}
        assert p.attribute_values("case")[p.find_case("Resident 2").id] == {"age": "30"}
        assert {m.title for m in p.memos()} == {"Plan", "Bob's thoughts"}
        assert p.memo == "A study of moving house."
        assert len(p.case_selections()) == 1
        [rent] = p.codings(code_ids=[p.find_code("Housing/Rent").id])
        assert rent.coder == "bob" and rent.document == "Second interview"
        once = counts(p)
        merge_projects(p, [bob])
        assert counts(p) == once


def test_merge_is_one_undoable_step(team):
    ann, bob = team
    with Project.open(ann) as p:
        before = counts(p)
        report = merge_projects(p, [bob])
        merged = counts(p)
        p.undo(report.changes)
        assert counts(p) == before
        p.redo(report.changes)
        assert counts(p) == merged


def test_a_backup_is_made_first(team):
    ann, bob = team
    with Project.open(ann) as p:
        before = counts(p)
        report = merge_projects(p, [bob])
        assert report.backup is not None and report.backup.exists()
    with Project.open(report.backup, read_only=True) as copy:
        assert counts(copy) == before


def test_dry_run_changes_nothing_and_lists_conflicts(base):
    ann, bob = copy_for(base, "ann"), copy_for(base, "bob")
    with Project.open(bob) as p:
        p.update_code(p.find_code("Neighbours").id, name="Community")
        code_paragraphs(p, "Notes", "Community", "bob", [0])
    with Project.open(ann) as p:
        before = counts(p)
        report = merge_projects(p, [bob], dry_run=True)
        assert counts(p) == before
        assert report.backup is None and not report.changes
        assert report.added["codings"] == 1 and len(report.conflicts) == 1
        assert report.summary().startswith("merge of bob.coder: would add")


def test_bad_other_files_change_nothing(team, tmp_path):
    ann, bob = team
    junk = tmp_path / "junk.coder"
    junk.write_text("not a project at all " * 20)
    with Project.open(ann) as p:
        before = counts(p)
        backups = set(tmp_path.glob("**/ann-*.coder"))  # opening may have made one
        for bad in (junk, tmp_path / "missing.coder"):
            with pytest.raises(ProjectFileError) as info:
                merge_projects(p, [bob, bad])
            assert "\n" not in str(info.value)
            assert counts(p) == before
        with pytest.raises(InvalidValue):
            merge_projects(p, [ann])
        with pytest.raises(InvalidValue):
            merge_projects(p, [bob], prefer="newest")
        assert set(tmp_path.glob("**/ann-*.coder")) == backups  # no backup for a refused merge


def test_cancelling_changes_nothing(team):
    ann, bob = team
    with Project.open(ann) as p:
        before = counts(p)
        with pytest.raises(CoderError, match="cancelled"):
            merge_projects(p, [bob], progress=lambda done, total, label: False)
        assert counts(p) == before


def test_same_guid_different_text_keeps_this_text(tmp_path):
    """One document edited in one copy: a conflict giving both lengths, this text kept, never
    a second document and never positions from the other text."""
    with Project.create(tmp_path / "a.coder") as a, Project.create(tmp_path / "b.coder") as b:
        a.add_document("D", "first text", guid="11111111-1111-1111-1111-111111111111")
        b.add_document("D", "other text", guid="11111111-1111-1111-1111-111111111111")
        b_path = b.path
    with Project.open(tmp_path / "a.coder") as p:
        report = merge_projects(p, [b_path])
        assert [d.name for d in p.documents()] == ["D"]
        assert [(c.kind, c.field, c.mine, c.theirs) for c in report.conflicts] == [
            ("document", "text", "10 characters", "10 characters")
        ]
        assert p.document_text(p.documents()[0].id) == "first text"
        again = merge_projects(p, [b_path])
        assert len(p.documents()) == 1 and again.added["documents"] == 0


def test_several_files_in_one_merge(base):
    ann, bob, cat = (copy_for(base, n) for n in ("ann", "bob", "cat"))
    for path, coder in ((bob, "bob"), (cat, "cat")):
        with Project.open(path) as p:
            code_paragraphs(p, "Interview", "Neighbours", coder, [3])
    with Project.open(ann) as p:
        report = merge_projects(p, [bob, cat, bob])
        assert report.sources == [bob, cat]
        assert {c.coder for c in p.codings()} == {"bob", "cat"}


def test_demo_copies_coded_by_two_people_merge_and_agree(tmp_path):
    """The whole team workflow on the demo project, with hand-computed agreement."""
    from coder.core.demo import create_demo_project

    demo = tmp_path / "demo.coder"
    create_demo_project(demo)
    ann, bob = copy_for(demo, "ann"), copy_for(demo, "bob")
    with Project.open(demo, read_only=True) as p:
        doc = p.documents()[0]
        code = p.codes()[0].path
        n = len(paragraphs(p.document_text(doc.id)))
        demo_counts = counts(p)
    assert n >= 8
    with Project.open(ann) as p:
        code_paragraphs(p, doc.name, code, "ann", [0, 1, 2, 3])
    with Project.open(bob) as p:
        code_paragraphs(p, doc.name, code, "bob", [2, 3, 4, 5, 6])
    with Project.open(ann) as p:
        report = merge_projects(p, [bob])
        assert report.conflicts == []
        merged = counts(p)
        assert merged["codings"] == demo_counts["codings"] + 4 + 5
        assert merged["documents"] == demo_counts["documents"]
        assert merged["codes"] == demo_counts["codes"]
        assert {"ann", "bob"} <= {c.name for c in p.coders()}
        assert not merge_projects(p, [bob]).changes
        assert counts(p) == merged

        result = intercoder.compute_agreement(p, ["ann", "bob"], unit="paragraph")
        assert result.documents == (doc.name,)
        [row] = result.codes
        # both {2,3}; ann only {0,1}; bob only {4,5,6}; neither: the other n-7 paragraphs
        both, only_a, only_b, neither = 2, 2, 3, n - 7
        assert both + only_a + only_b + neither == n
        po = (both + neither) / n
        pe = (4 / n) * (5 / n) + ((n - 4) / n) * ((n - 5) / n)
        assert row.units == n
        assert row.percent_agreement == pytest.approx(100 * po)
        assert row.kappa == pytest.approx((po - pe) / (1 - pe))
        passages = intercoder.find_disagreements(p, ["ann", "bob"], code, unit="paragraph")
        spans = paragraphs(p.document_text(doc.id))
        assert [(d.start, d.end) for d in passages] == [
            (spans[0][0], spans[1][1]),
            (spans[4][0], spans[6][1]),
        ]
        assert [d.coded_by for d in passages] == [("ann",), ("bob",)]


def test_attribute_type_conflicts(tmp_path):
    with Project.create(tmp_path / "a.coder") as a, Project.create(tmp_path / "b.coder") as b:
        for p, kind, value in ((a, "text", "41"), (b, "number", 41)):
            p.add_case("R1")
            p.add_attribute("age", scope="case", type=kind)
            p.set_attribute_value(p.find_attribute("age").id, p.find_case("R1").id, value)
        a.add_attribute("role", scope="case", type="text")
        a.set_attribute_value(a.find_attribute("role").id, a.find_case("R1").id, "teacher")
        b.add_attribute("role", scope="case", type="number")
        b.add_case("R2")
        b.set_attribute_value(b.find_attribute("role").id, b.find_case("R2").id, 3)
        b_path = b.path
    with Project.open(tmp_path / "a.coder") as p:
        report = merge_projects(p, [b_path], prefer="theirs")
        by_item = {(c.item, c.field): c for c in report.conflicts}
        # every value here reads as a number: the type follows theirs
        assert by_item[("'age' (case)", "type")].kept == "theirs"
        assert p.find_attribute("age").type == "number"
        # "teacher" is no number: the type stays, and it is said so
        role = by_item[("'role' (case)", "type")]
        assert role.kept == "mine" and "not all of type number" in role.note
        assert p.find_attribute("role").type == "text"
        assert p.attribute_values("case")[p.find_case("R2").id]["role"] == "3"


def test_a_value_that_does_not_fit_the_type_here_is_listed_not_merged(tmp_path):
    with Project.create(tmp_path / "a.coder") as a, Project.create(tmp_path / "b.coder") as b:
        a.add_case("R1")
        a.add_attribute("age", scope="case", type="number")
        b.add_case("R1")
        b.add_attribute("age", scope="case", type="text")
        b.set_attribute_value(b.find_attribute("age").id, b.find_case("R1").id, "about forty")
        b_path = b.path
    with Project.open(tmp_path / "a.coder") as p:
        report = merge_projects(p, [b_path])
        notes = {(c.field, c.note) for c in report.conflicts}
        assert ("value", "not a valid number here; not merged") in notes
        assert p.attribute_values("case") == {}


def test_summary_counts_read_naturally(team):
    ann, bob = team
    with Project.open(ann) as p:
        report = merge_projects(p, [bob])
    assert report.summary() == "merge of bob.coder: added 1 coder, 4 codings"


def _dump(project: Project) -> dict[str, list[tuple]]:
    return {t: sorted(tuple(r) for r in project.db.execute(f"SELECT * FROM {t}")) for t in TABLES}


_edits = st.lists(
    st.tuples(
        st.sampled_from(["code", "new code", "rename", "memo", "attribute", "document"]),
        st.integers(0, 5),
        st.integers(0, 5),
    ),
    max_size=8,
)


def _apply_edits(p: Project, coder: str, edits: list[tuple[str, int, int]]) -> None:
    doc = p.find_document("Interview").id
    spans = paragraphs(INTERVIEW)
    for kind, a, b in edits:
        codes = p.codes()
        if kind == "code":
            start, end = spans[a][0], spans[max(a, b)][1]
            p.apply_code(doc, codes[b % len(codes)].id, start, end, coder=coder)
        elif kind == "new code":
            name = f"Theme {a}"
            if not any(c.name == name and c.parent_id is None for c in codes):
                p.add_code(name)
        elif kind == "rename":
            code = codes[a % len(codes)]
            new = f"{code.name} ({coder} {b})"
            if not any(c.name == new and c.parent_id == code.parent_id for c in codes):
                p.update_code(code.id, name=new)
        elif kind == "memo":
            p.update_memo(p.memos()[0].id, text=f"{coder} says {a}{b}")
        elif kind == "attribute":
            age, case = p.find_attribute("age").id, p.find_case("Resident 1").id
            p.set_attribute_value(age, case, a * 10 + b)
        else:
            p.add_document(f"Extra {a}", f"Extra text {b}\nsecond line")


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ann_edits=_edits, bob_edits=_edits, prefer=st.sampled_from(["mine", "theirs"]))
# A rename that frees a name the same merge gives to a new document ("Extra 1" -> "Extra 0",
# then bob's own "Extra 1" arrives): merging again must not rename it from "Extra 1 (2)".
@example(
    ann_edits=[("document", 1, 1)],
    bob_edits=[("document", 1, 0), ("document", 0, 1)],
    prefer="theirs",
)
# Theirs names two of mine each after the other ("Extra 0" <-> "Extra 0 (2)", matched by text):
# undo writes the names back in turn, and the first must not meet the other's old name.
@example(
    ann_edits=[("document", 0, 0), ("document", 0, 0)],
    bob_edits=[("document", 1, 0), ("document", 0, 0)],
    prefer="theirs",
)
# Theirs renames one of mine onto the name of another it renames too ("Extra 0" -> "Extra 1",
# "Extra 1" -> "Extra 1 (2)"): the first waits for the second, or merging again renames it.
@example(
    ann_edits=[("document", 0, 0), ("document", 1, 1)],
    bob_edits=[("document", 1, 0), ("document", 1, 1)],
    prefer="theirs",
)
def test_merge_properties(tmp_path_factory, ann_edits, bob_edits, prefer):
    """Any edits on both sides: all codings arrive, merging again changes nothing, undo is exact."""
    folder = tmp_path_factory.mktemp("merge")
    base = folder / "base.coder"
    with Project.create(base) as p:
        p.add_document("Interview", INTERVIEW, case="Resident 1")
        p.add_code("Barriers")
        p.add_code("Cost", parent_id=p.find_code("Barriers").id)
        p.add_attribute("age", scope="case", type="number")
        p.add_memo("Plan", "start")
    ann, bob = copy_for(base, "ann"), copy_for(base, "bob")
    with Project.open(ann) as p:
        _apply_edits(p, "ann", ann_edits)
    with Project.open(bob) as p:
        _apply_edits(p, "bob", bob_edits)
        theirs = {(c.coder, c.document, c.start, c.end) for c in p.codings()}
    with Project.open(ann) as p:
        before = _dump(p)
        mine = [(c.coder, c.document, c.start, c.end) for c in p.codings()]
        report = merge_projects(p, [bob], prefer=prefer, backup=False)
        merged = _dump(p)
        now = [(c.coder, c.document, c.start, c.end) for c in p.codings()]
        # every passage of theirs arrives (codes may be matched by path), none of mine is lost
        assert set(now) == set(mine) | theirs
        assert len(now) >= len(mine)
        again = merge_projects(p, [bob], prefer=prefer, backup=False)
        assert not again.changes and _dump(p) == merged
        p.undo(report.changes)
        assert _dump(p) == before
        p.redo(report.changes)
        assert _dump(p) == merged
