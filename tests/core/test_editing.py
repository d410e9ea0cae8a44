"""Editing a coded transcript: every passage follows the one rule, and undo is exact.

The property test applies random edit sequences (single edits and replace-all) to random
documents with overlapping codings, annotations, case passages and speaker turns, and checks
each against a model written here from the rule's statement, one edit at a time.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coder.core import blocks, editing
from coder.core.changes import Changes
from coder.core.errors import CoderError
from coder.core.project import Project
from coder.core.text import detect_turns
from coder.core.textedit import whole_word_spans

# ----------------------------------------------------------------------------- the model


def rule(a: int, b: int, s: int, e: int, t: int) -> tuple[int, int]:
    """The rule as the issue states it, for one passage [a, b) and one edit."""
    d = t - (e - s)
    if a < s:
        na = a
    elif a < e:
        na = s
    else:
        na = a + d
    if b <= s:
        nb = b
    elif b < e:
        nb = s + t
    else:
        nb = b + d
    return na, nb


def model_turns(
    turns: list[tuple[str | None, int, int]], old: str, new: str, s: int, e: int, t: int
) -> list[tuple[str | None, int, int]]:
    """Turns after one edit: moved by the rule, an emptied one dropped, and each turn that ran
    to the next (trailing newlines left out) running to it again."""

    def runs_to(text: str, start: int, limit: int) -> int:
        while limit > start and text[limit - 1] == "\n":
            limit -= 1
        return limit

    out: list[tuple[str | None, int, int, bool]] = []
    for i, (speaker, a, b) in enumerate(turns):
        limit = turns[i + 1][1] if i + 1 < len(turns) else len(old)
        tiled = b == runs_to(old, a, limit)
        na, nb = rule(a, b, s, e, t)
        if nb <= na and b > a:
            continue
        out.append((speaker, na, max(na, nb), tiled))
    moved = []
    for i, (speaker, a, b, tiled) in enumerate(out):
        limit = out[i + 1][1] if i + 1 < len(out) else len(new)
        moved.append((speaker, a, runs_to(new, a, limit) if tiled else b))
    return moved


# ----------------------------------------------------------------------------- the project


def state(project: Project, doc_id: int) -> dict:
    db = project.db
    parts = db.execute(
        "SELECT id, start, text FROM text_blocks WHERE document_id = ? ORDER BY start", [doc_id]
    ).fetchall()
    # the blocks run from 0 without a gap, each but the last ends a paragraph
    assert [s for _i, s, _t in parts] == [
        sum(len(t) for *_, t in parts[:i]) for i in range(len(parts))
    ]
    assert all(t.endswith("\n") for *_, t in parts[:-1])
    return {
        "text": project.document_text(doc_id),
        "blocks": parts,
        "codings": sorted(
            db.execute('SELECT guid, code_id, coder_id, start, "end", memo FROM codings_at')
        ),
        "annotations": sorted(db.execute('SELECT guid, start, "end", text FROM annotations_at')),
        "cases": sorted(db.execute('SELECT case_id, start, "end" FROM case_selections_at')),
        "turns": [(t.speaker, t.start, t.end) for t in project.turns(doc_id)],
        "search": {w: len(project.search(w)) for w in ("hello", "world")},
        "characters": project.document(doc_id).characters,
    }


ALPHABET = st.sampled_from(["a", "b", " ", "\n", "é", "😀", "I: ", "R: ", "hello ", "world"])
TEXT = st.lists(ALPHABET, min_size=1, max_size=40).map("".join)
NEW = st.lists(ALPHABET, max_size=6).map("".join)


@st.composite
def scenario(draw: st.DrawFn) -> tuple[str, list, list]:
    text = draw(TEXT)
    n = len(text)
    span = st.tuples(st.integers(0, n), st.integers(0, n)).map(sorted).filter(lambda p: p[0] < p[1])
    passages = draw(st.lists(span, max_size=8)) if n > 0 else []
    ops: list[tuple] = []
    for _ in range(draw(st.integers(1, 6))):
        if draw(st.booleans()):
            ops.append(("replace", draw(ALPHABET), draw(NEW), draw(st.booleans())))
        else:
            ops.append(("edit", draw(st.floats(0, 1)), draw(st.floats(0, 1)), draw(NEW)))
    return text, passages, ops


@pytest.fixture(scope="module")
def folder() -> Path:
    return Path(tempfile.mkdtemp())


@pytest.fixture
def block_size():
    """Set the text blocks' size for one example (a few characters: edits cross blocks and
    split and merge them)."""
    size = blocks.SIZE

    def use(n: int) -> None:
        blocks.SIZE = n

    yield use
    blocks.SIZE = size


SIZES = st.sampled_from([4, 8, 8192])


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(scenario(), SIZES)
def test_random_edits_follow_the_rule_and_undo_exactly(
    folder: Path, block_size, case: tuple, size: int
) -> None:
    block_size(size)
    text, passages, ops = case
    path = folder / "edit.coder"
    if path.exists():
        path.unlink()
    with Project.create(path) as project:
        project.add_document("Interview", text, turns=detect_turns(text))
        doc_id = project.documents()[0].id
        project.add_code("Theme")
        code_id = project.codes()[0].id
        project.add_case("Case")
        case_id = project.cases()[0].id
        for i, (a, b) in enumerate(passages):
            project.apply_code(doc_id, code_id, a, b, coder=f"coder{i % 2}")
            if i % 3 == 0:
                project.add_annotation(doc_id, a, b, f"note {i}")
            if i % 4 == 1:
                project.add_case_selection(case_id, doc_id, a, b)
        start = state(project, doc_id)
        model_codings = {g: (a, b) for g, _c, _k, a, b, _m in start["codings"]}
        model_notes = {g: (a, b) for g, a, b, _t in start["annotations"]}
        model_turns_ = start["turns"]
        done = []
        for op in ops:
            old = project.document_text(doc_id)
            if op[0] == "edit":
                s, e = sorted((round(op[1] * len(old)), round(op[2] * len(old))))
                edits = [(s, e, op[3])]
            else:
                edits = [(s, e, op[2]) for s, e in whole_word_spans(old, op[1], op[3])]
            try:
                if op[0] == "edit":
                    changes = editing.edit_text(project, doc_id, *edits[0])
                else:
                    changes = editing.replace_all(project, doc_id, op[1], op[2], op[3])
            except CoderError:
                assert state(project, doc_id)["text"] == old
                continue
            done.append(changes)
            had_turns = bool(model_turns_)
            new = old
            for s, e, t in reversed(edits):  # right to left: positions stay those of `old`
                if old[s:e] == t:
                    continue
                before = new
                new = new[:s] + t + new[e:]
                for model in (model_codings, model_notes):
                    for g, (a, b) in list(model.items()):
                        na, nb = rule(a, b, s, e, len(t))
                        if nb <= na:
                            del model[g]
                        else:
                            model[g] = (na, nb)
                model_turns_ = model_turns(model_turns_, before, new, s, e, len(t))
            now = state(project, doc_id)
            assert now["text"] == new
            assert now["characters"] == len(new)
            assert {g: (a, b) for g, _c, _k, a, b, _m in now["codings"]} == model_codings
            assert {g: (a, b) for g, a, b, _t in now["annotations"]} == model_notes
            detected = [(t.speaker, t.start, t.end) for t in detect_turns(new)]
            if not had_turns:  # a document without speaker turns is left without
                assert now["turns"] == []
            elif [(sp, a) for sp, a, _ in detected] == [(sp, a) for sp, a, _ in model_turns_]:
                assert now["turns"] == model_turns_
            else:  # a speaker line changed: turns found again, as import finds them
                assert now["turns"] == detected
                model_turns_ = detected
            for word, hits in now["search"].items():  # the index is current
                assert hits == len(re.findall(rf"(?<!\w){word}(?!\w)", new, re.IGNORECASE))
        for changes in reversed(done):
            project.undo(changes)
        assert state(project, doc_id) == start


def _coded(path: Path, text: str, passages: list) -> tuple[Project, int]:
    if path.exists():
        path.unlink()
    project = Project.create(path)
    project.add_document("Interview", text, turns=detect_turns(text))
    doc_id = project.documents()[0].id
    code_id = project.add_code("Theme").created("codes")[0]
    case_id = project.add_case("Case").created("cases")[0]
    for i, (a, b) in enumerate(passages):
        project.apply_code(doc_id, code_id, a, b, coder=f"coder{i % 2}")
        if i % 3 == 0:
            project.add_annotation(doc_id, a, b, f"note {i}")
        if i % 4 == 1:
            project.add_case_selection(case_id, doc_id, a, b)
    return project, doc_id


def _run(project: Project, doc_id: int, op: tuple) -> None:
    old = project.document_text(doc_id)
    try:
        if op[0] == "edit":
            s, e = sorted((round(op[1] * len(old)), round(op[2] * len(old))))
            editing.edit_text(project, doc_id, s, e, op[3])
        else:
            editing.replace_all(project, doc_id, op[1], op[2], op[3])
    except CoderError:
        pass


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(scenario(), st.booleans(), SIZES)
def test_edits_as_one_step_undo_and_redo_exactly(
    folder: Path, block_size, case: tuple, nested: bool, size: int
) -> None:
    """Several edits of one document as one undo step, as a typed word or a Find & Replace
    makes them: in one unit of work (shifts and rows interleaved in one log) or joined one by
    one; undo returns the start exactly, redo the end, again and again."""
    block_size(size)
    text, passages, ops = case
    project, doc_id = _coded(folder / "steps.coder", text, passages)
    with project:
        start = state(project, doc_id)
        if nested:
            with project.edit() as edit:
                for op in ops:
                    _run(project, doc_id, op)
            changes = edit.changes()
        else:
            changes = Changes()
            for op in ops:
                with project.edit() as edit:
                    _run(project, doc_id, op)
                changes = changes | edit.changes()
        end = state(project, doc_id)
        for _ in range(2):
            project.undo(changes)
            assert state(project, doc_id) == start
            project.redo(changes)
            assert state(project, doc_id) == end


def test_typing_after_coded_text_writes_its_block_not_a_row_per_coding(
    fresh_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A keystroke rewrites its block and the passages anchored in it; the blocks after it
    move by one shift of their starts, and the passages in them with them, unwritten."""
    monkeypatch.setattr(blocks, "SIZE", 200)
    p = fresh_project
    text = "".join(f"Line {i} of the talk.\n" for i in range(2000))
    p.add_document("D", text, turns=detect_turns(text))
    doc = p.documents()[0].id
    code = p.add_code("C").created("codes")[0]
    for i in range(0, len(text) - 10, 20):
        p.apply_code(doc, code, i, i + 8)
    before = [(c.guid, c.start, c.end) for c in p.codings(doc)]
    blocks_ = p.db.execute("SELECT count(*) FROM text_blocks").fetchone()[0]
    changes = p.edit_text(doc, 30, 30, "x")
    assert [s.table for s in changes.shifts] == ["text_blocks"]
    assert len(changes.codings) <= 12  # those anchored in the edited block, after the edit
    assert {t for t, _k in changes.after} <= {"codings", "turns", "text_blocks", "documents"}
    assert len(changes.ids("text_blocks")) == 1 < blocks_
    assert doc in changes.coding_documents
    moved = {c.guid: (c.start, c.end) for c in p.codings(doc)}
    for guid, a, b in before:
        assert moved[guid] == ((a, b) if b <= 30 else (a + 1, b + 1))
    p.undo(changes)
    assert [(c.guid, c.start, c.end) for c in p.codings(doc)] == before


def test_a_text_edit_is_logged_as_its_pieces_not_the_whole_text(fresh_project: Project) -> None:
    p = fresh_project
    text = ("abc " * 20 + "\n") * 1000  # paragraphs: blocks of about 8,000 characters
    p.add_document("D", text)
    doc = p.documents()[0].id
    changes = p.edit_text(doc, 4, 7, "xyz!")
    (step,) = changes.retexts
    assert step.edits == ((4, "abc", "xyz!"),)
    assert doc in changes.documents
    logged = [row for step in changes.before.values() if step for row in step.values()]
    assert not any(isinstance(v, str) and len(v) >= len(text) for v in logged)
    p.undo(changes)
    assert p.document_text(doc) == text and p.search("xyz") == []
    p.edit_text(doc, 4, 5, "Q")  # another text than the one the step was made on
    with pytest.raises(CoderError):
        p.redo(changes)
    assert p.document_text(doc) == "abc Qbc " + text[8:]


def test_codings_follow_a_typo_fix_and_a_deletion(fresh_project: Project) -> None:
    p = fresh_project
    text = "I: what happened?\nR: teh flood came at night. We lost everything.\n"
    p.add_document("Flood", text, turns=detect_turns(text))
    doc = p.documents()[0].id
    p.add_code("Loss")
    code = p.codes()[0].id
    s = text.index("We lost")
    p.apply_code(doc, code, s, s + len("We lost everything."))
    t = text.index("teh flood")
    p.apply_code(doc, code, t, t + len("teh flood"))
    p.apply_code(doc, code, t + 4, t + 9)  # "flood"
    guids = {c.guid for c in p.codings(doc)}
    p.edit_text(doc, t, t + 3, "the")
    new = p.document_text(doc)
    assert [new[c.start : c.end] for c in p.codings(doc)] == [
        "the flood",
        "flood",
        "We lost everything.",
    ]
    # deleting "flood" entirely removes the coding of just that word; undo brings it back
    f = new.index("flood")
    changes = p.edit_text(doc, f, f + 5, "")
    assert len(p.codings(doc)) == 2
    p.undo(changes)
    assert {c.guid for c in p.codings(doc)} == guids
    assert p.search("flood") and not p.search("teh")


def test_insertion_at_a_coding_boundary_is_not_taken_in(fresh_project: Project) -> None:
    p = fresh_project
    p.add_document("D", "abc def ghi")
    doc = p.documents()[0].id
    p.add_code("C")
    p.apply_code(doc, p.codes()[0].id, 4, 7)
    p.edit_text(doc, 4, 4, "X")
    p.edit_text(doc, 8, 8, "Y")
    c = p.codings(doc)[0]
    assert p.document_text(doc)[c.start : c.end] == "def"


def test_bad_edits_change_nothing(fresh_project: Project) -> None:
    p = fresh_project
    p.add_document("D", "abc")
    doc = p.documents()[0].id
    with pytest.raises(CoderError):
        p.edit_text(doc, 2, 9, "x")
    with pytest.raises(CoderError):
        p.edit_text(99, 0, 1, "x")
    with pytest.raises(CoderError):
        p.replace_all(doc, "", "x")
    p.edit_text(doc, 1, 2, "\r\nx\x00")
    assert p.document_text(doc) == "a\nxc"


def test_editing_a_label_finds_the_turns_again(fresh_project: Project) -> None:
    p = fresh_project
    text = "Anna: hello\nBen: hi\nAnna: how are you\nBen: fine\n"
    p.add_document("D", text, turns=detect_turns(text))
    doc = p.documents()[0].id
    # "Ben: hi" loses its label: its text joins Anna's turn
    p.edit_text(doc, text.index("Ben: hi"), text.index("Ben: hi") + 5, "")
    new = p.document_text(doc)
    assert [(t.speaker, new[t.start : t.end]) for t in p.turns(doc)] == [
        ("Anna", "Anna: hello\nhi"),
        ("Anna", "Anna: how are you"),
        ("Ben", "Ben: fine"),
    ]
    # typing at the end of a turn's line extends the turn
    end = new.index("fine") + 4
    p.edit_text(doc, end, end, ", thanks")
    assert p.document_text(doc)[p.turns(doc)[-1].start : p.turns(doc)[-1].end] == (
        "Ben: fine, thanks"
    )


def test_subtitle_turns_keep_their_times(fresh_project: Project) -> None:
    from coder.core.text import Turn

    p = fresh_project
    text = "first line\nsecond line"
    p.add_document("S", text, turns=[Turn(None, 0, 10, 1.0, 2.0), Turn(None, 11, 22, 2.5, 4.0)])
    doc = p.documents()[0].id
    p.edit_text(doc, 0, 5, "1st")
    assert [(t.start, t.end, t.time_start, t.time_end) for t in p.turns(doc)] == [
        (0, 8, 1.0, 2.0),
        (9, 20, 2.5, 4.0),
    ]


def test_merging_a_copy_of_an_edited_document_keeps_this_text(tmp_path: Path) -> None:
    import shutil

    from coder.core.merge import merge_projects

    mine = tmp_path / "mine.coder"
    text = "I: what happened?\nR: teh flood came at night.\n"
    with Project.create(mine) as p:
        p.add_document("Flood", text, turns=detect_turns(text))
        p.add_code("Loss")
    theirs = tmp_path / "theirs.coder"
    shutil.copy(mine, theirs)
    with Project.open(theirs) as p:
        doc = p.documents()[0].id
        s = text.index("flood")
        p.apply_code(doc, p.codes()[0].id, s, s + 10, coder="Sam")
        p.set_document_fields(doc, memo="Recorded at the farm", group="Farmers")
        site = p.add_attribute("Site", scope="document").created("attributes")[0]
        p.set_attribute_value(site, doc, "Leeds")
    with Project.open(mine) as p:
        doc = p.documents()[0].id
        p.edit_text(doc, text.index("teh"), text.index("teh") + 3, "the big")
        edited = p.document_text(doc)
        report = merge_projects(p, [theirs], backup=False)
        (conflict,) = [c for c in report.conflicts if c.kind == "document"]
        assert (conflict.mine, conflict.theirs) == (
            f"{len(edited)} characters",
            f"{len(text)} characters",
        )
        assert "1 codings" in conflict.note
        assert [d.guid for d in p.documents()] == [p.documents()[0].guid]
        assert p.document_text(doc) == edited and p.codings() == []
        # the document is still the same one: its memo, group and attribute values are merged
        merged = p.document(doc)
        assert (merged.memo, merged.group) == ("Recorded at the farm", "Farmers")
        assert p.attribute_values("document")[doc] == {"Site": "Leeds"}


def test_what_a_keystroke_tells_the_lists(tmp_path: Path) -> None:
    """A keystroke re-anchors the codings of its block and writes its document's revision and
    length: lists of names and counts of codings learn that nothing of theirs changed."""
    with Project.create(tmp_path / "lists.coder") as p:
        doc = p.add_document("Interview", "One two three.\n\nFour five.\n").created("documents")[0]
        code = p.add_code("Theme").created("codes")[0]
        p.apply_code(doc, code, 4, 7)
        typed = editing.edit_text(p, doc, 0, 0, "x")
        assert typed.codings and typed.retexted_only() == {doc}
        assert typed.recounted("codings", "code_id", "document_id") == set()
        renamed = p.rename_document(doc, "Interview 1")
        assert renamed.ids("documents") == {doc} and renamed.retexted_only() == set()
        coded = p.apply_code(doc, code, 0, 3)
        assert coded.recounted("codings", "code_id", "document_id") == {code}
        assert p.undo(typed).recounted("codings", "code_id") == set()
