"""Undo is exact: random edit sequences, undone in reverse, give back the initial project.

A hypothesis state machine applies random edits through every service (codings, codes with both
ways of deleting children, merges, moves, categories, memos with links and authors, annotations,
cases, attributes, documents, bulk coding, attribute tables, merging another project, REFI-QDA
codebook and project import), keeping each returned ``Changes``. After every step, undoing that
step restores the previous state and redoing it restores the next; at the end, undoing
everything in reverse gives the initial state (every table dumped, the full-text index
included) and redoing everything gives the final state. A service that refuses an edit
(CoderError) must leave the project unchanged.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from coder.core import bulk, refi
from coder.core.errors import CoderError
from coder.core.merge import merge_projects
from coder.core.project import Changes, Project
from coder.core.text import Turn

NAMES = st.sampled_from(["Trust", "Fear", "Hope", "Power", "Care", "Risk", "Trust (2)", " Fear "])
TEXTS = st.sampled_from(["", "a memo", "another memo", "ünïcödé 😀 memo"])
COLORS = st.sampled_from(["#E15759", "#4e79a7", "#59A14F", "not a colour"])


def dump(project: Project) -> dict[str, list[tuple]]:
    """Every row of every table (and the full-text index), in id order."""
    db = project.db
    tables = [
        r[0]
        for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'documents_fts%' AND name NOT LIKE 'text_blocks_fts%' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    out = {t: db.execute(f"SELECT * FROM [{t}] ORDER BY 1").fetchall() for t in tables}
    out["documents_fts"] = db.execute(
        "SELECT rowid, name FROM documents_fts ORDER BY rowid"
    ).fetchall()
    out["text_blocks_fts"] = db.execute(
        "SELECT rowid, text FROM text_blocks_fts ORDER BY rowid"
    ).fetchall()
    out["fts_match"] = db.execute(
        "SELECT rowid FROM text_blocks_fts WHERE text_blocks_fts MATCH 'trust' ORDER BY rowid"
    ).fetchall()
    return out


_OTHER: dict[str, Path] = {}


def other_files() -> dict[str, Path]:
    """Another project (a teammate's copy) and its .qdpx/.qdc exports, built once."""
    if _OTHER:
        return _OTHER
    folder = Path(tempfile.mkdtemp(prefix="coder-undo-"))
    with Project.create(folder / "other.coder") as o:
        o.add_document("Doc 0", "Ana: I trust them.\nBen: Fear is real.\n", case="Ana")
        o.add_document("Elsewhere", "Dee: trust is earned, slowly.\n", case="Dee")
        o.add_code("Trust", color="#E15759", definition="theirs")
        parent = o.find_code("Trust").id
        o.add_code("Fear", parent_id=parent, memo="their memo")
        o.add_code("Theme", codable=False)
        for doc in o.documents():
            o.apply_code(doc.id, parent, 0, 5, coder="dee", memo="coded by dee")
        o.add_attribute("age", "case", "number")
        o.set_attribute_value(o.find_attribute("age").id, o.find_case("Dee").id, 41)
        o.add_memo("Their memo", "text", coder="dee")
        o.set_project_memo("their project memo")
        refi.export_qdpx(o, folder / "other.qdpx")
        refi.export_qdc(o, folder / "other.qdc")
    csv = folder / "attributes.csv"
    csv.write_text("case,age,region\nAna,34,north\nNew case,not a number,south\n", "utf-8")
    good = folder / "good.csv"
    good.write_text("case,age,consent\nAna,34,yes\nBen,29,no\n", "utf-8")
    _OTHER.update(
        project=folder / "other.coder",
        qdpx=folder / "other.qdpx",
        qdc=folder / "other.qdc",
        bad_csv=csv,
        csv=good,
    )
    return _OTHER


class UndoMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._dir = tempfile.TemporaryDirectory()
        self.project = Project.create(Path(self._dir.name) / "undo.coder")
        p = self.project
        for i, text in enumerate(
            ["Ana: I trust them.\nBen: Fear is real.\n", "Cy: hope and care " * 5]
        ):
            p.add_document(f"Doc {i}", text, turns=[Turn("Ana", 0, 5)] if i == 0 else [])
        self.initial = dump(p)
        self.history: list[tuple[Changes, dict, dict]] = []  # (changes, before, after)

    # ------------------------------------------------------------------ helpers

    def ids(self, table: str) -> list[int]:
        return [r[0] for r in self.project.db.execute(f"SELECT id FROM {table} ORDER BY id")]

    def pick(self, data: st.DataObject, table: str, allow_missing: bool = False) -> Any:
        ids: list[int | None] = [*self.ids(table)]
        if allow_missing:
            ids += [None, 9999]
        return data.draw(st.sampled_from(ids)) if ids else None

    def run(self, fn, *args: Any, **kwargs: Any) -> None:
        before = dump(self.project)
        try:
            changes = fn(*args, **kwargs)
        except CoderError:
            assert dump(self.project) == before, f"{fn.__name__} failed but wrote"
            return
        after = dump(self.project)
        if not isinstance(changes, Changes):
            changes = changes.changes  # ImportReport, MergeReport, ImportResult
        self.history.append((changes, before, after))

    def span(self, data: st.DataObject, doc_id: int) -> tuple[int, int]:
        n = len(self.project.document_text(doc_id))
        start = data.draw(st.integers(0, max(n - 1, 0)))
        end = data.draw(st.integers(start + 1, max(n, start + 1)))
        return start, end

    # ------------------------------------------------------------------ codes

    @rule(data=st.data(), name=NAMES, color=st.none() | COLORS, pos=st.none() | st.integers(0, 4))
    def add_code(self, data: st.DataObject, name: str, color: str | None, pos: int | None) -> None:
        parent = self.pick(data, "codes", allow_missing=True) if data.draw(st.booleans()) else None
        self.run(self.project.add_code, name, parent_id=parent, color=color, position=pos)

    @precondition(lambda self: self.ids("codes"))
    @rule(data=st.data(), name=NAMES, color=COLORS, text=TEXTS)
    def update_code(self, data: st.DataObject, name: str, color: str, text: str) -> None:
        code = self.pick(data, "codes")
        field = data.draw(st.sampled_from(["name", "color", "definition", "memo", "example"]))
        value = {"name": name, "color": color}.get(field, text)
        self.run(self.project.update_code, code, **{field: value})

    @precondition(lambda self: self.ids("codes"))
    @rule(data=st.data(), pos=st.none() | st.integers(0, 5))
    def move_code(self, data: st.DataObject, pos: int | None) -> None:
        code = self.pick(data, "codes")
        parent = self.pick(data, "codes") if data.draw(st.booleans()) else None
        self.run(self.project.move_code, code, parent, pos)

    @precondition(lambda self: len(self.ids("codes")) >= 2)
    @rule(data=st.data())
    def merge_codes(self, data: st.DataObject) -> None:
        self.run(self.project.merge_codes, self.pick(data, "codes"), self.pick(data, "codes"))

    @precondition(lambda self: self.ids("codes"))
    @rule(data=st.data(), children=st.sampled_from([None, "delete", "move_up"]))
    def delete_code(self, data: st.DataObject, children: str | None) -> None:
        self.run(self.project.delete_code, self.pick(data, "codes"), children=children)

    # ------------------------------------------------------------------ codings

    @precondition(lambda self: self.ids("codes"))
    @rule(data=st.data(), coder=st.sampled_from([None, "ana", "ben"]), memo=TEXTS)
    def apply_code(self, data: st.DataObject, coder: str | None, memo: str) -> None:
        doc = self.pick(data, "documents")
        start, end = self.span(data, doc)
        self.run(
            self.project.apply_code,
            doc,
            self.pick(data, "codes"),
            start,
            end,
            coder=coder,
            memo=memo,
        )

    @precondition(lambda self: self.ids("codings"))
    @rule(data=st.data())
    def remove_coding(self, data: st.DataObject) -> None:
        self.run(self.project.remove_coding, self.pick(data, "codings"))

    @precondition(lambda self: self.ids("codings"))
    @rule(data=st.data())
    def resize_coding(self, data: st.DataObject) -> None:
        coding = self.pick(data, "codings")
        doc = self.project.db.execute(
            "SELECT document_id FROM codings WHERE id = ?", [coding]
        ).fetchone()[0]
        start, end = self.span(data, doc)
        if data.draw(st.booleans()):
            end = start  # an empty range is refused
        self.run(self.project.resize_coding, coding, start, end)

    @precondition(lambda self: self.ids("codings") and self.ids("codes"))
    @rule(data=st.data(), memo=TEXTS)
    def recode_or_memo(self, data: st.DataObject, memo: str) -> None:
        coding = self.pick(data, "codings")
        if data.draw(st.booleans()):
            self.run(self.project.recode, coding, self.pick(data, "codes", allow_missing=True))
        else:
            self.run(self.project.set_coding_memo, coding, memo)

    # ------------------------------------------------------------------ memos

    @rule(data=st.data(), text=TEXTS)
    def memos(self, data: st.DataObject, text: str) -> None:
        action = data.draw(st.sampled_from(["project", "add", "update", "delete"]))
        memo = self.pick(data, "memos")
        if action == "project":
            self.run(self.project.set_project_memo, text)
        elif action == "add" or memo is None:
            self.run(self.project.add_memo, "Title " + text, text)
        elif action == "update":
            self.run(self.project.update_memo, memo, title=text or None, text=text)
        else:
            self.run(self.project.delete_memo, memo)

    # ------------------------------------------------------------------ cases and attributes

    @rule(data=st.data(), name=NAMES, memo=TEXTS)
    def cases(self, data: st.DataObject, name: str, memo: str) -> None:
        action = data.draw(st.sampled_from(["add", "update", "delete", "link", "select"]))
        case = self.pick(data, "cases")
        if action == "add" or case is None:
            self.run(self.project.add_case, name, memo=memo)
        elif action == "update":
            self.run(
                self.project.update_case,
                case,
                name=name if data.draw(st.booleans()) else None,
                memo=memo,
            )
        elif action == "delete":
            self.run(self.project.delete_case, case)
        elif action == "link":
            doc = self.pick(data, "documents")
            self.run(
                self.project.set_document_case, doc, case if data.draw(st.booleans()) else None
            )
        else:
            doc = self.pick(data, "documents")
            start, end = self.span(data, doc)
            self.run(self.project.add_case_selection, case, doc, start, end)

    @rule(
        data=st.data(),
        name=st.sampled_from(["age", "region", "joined", "consent"]),
        scope=st.sampled_from(["case", "document"]),
        type_=st.sampled_from(["text", "number", "date", "boolean"]),
        value=st.sampled_from(["", "42", "north", "2024-01-31", "yes", "3.5", "not a date"]),
    )
    def attributes(
        self, data: st.DataObject, name: str, scope: str, type_: str, value: str
    ) -> None:
        action = data.draw(st.sampled_from(["add", "set", "set", "delete"]))
        attr = self.pick(data, "attributes")
        if action == "add" or attr is None:
            self.run(self.project.add_attribute, name, scope, type_)
        elif action == "delete":
            self.run(self.project.delete_attribute, attr)
        else:
            scope = self.project.db.execute(
                "SELECT scope FROM attributes WHERE id = ?", [attr]
            ).fetchone()[0]
            owner = self.pick(data, "cases" if scope == "case" else "documents")
            if owner is not None:
                self.run(self.project.set_attribute_value, attr, owner, value)

    # ------------------------------------------------------------------ documents

    @rule(data=st.data(), name=NAMES, text=st.text(min_size=0, max_size=40))
    def documents(self, data: st.DataObject, name: str, text: str) -> None:
        action = data.draw(st.sampled_from(["add", "rename", "fields", "delete"]))
        doc = self.pick(data, "documents")
        if action == "add" or doc is None:
            case = data.draw(st.none() | NAMES)
            self.run(
                self.project.add_document,
                name,
                "Trust: " + text,
                case=case,
                turns=[Turn("Trust", 0, 6)],
            )
        elif action == "rename":
            self.run(self.project.rename_document, doc, name)
        elif action == "fields":
            self.run(self.project.set_document_fields, doc, memo=text, group=name)
        elif len(self.ids("documents")) > 1:
            self.run(self.project.delete_document, doc)

    @precondition(lambda self: self.ids("codes"))
    @rule(data=st.data(), codable=st.booleans())
    def category(self, data: st.DataObject, codable: bool) -> None:
        self.run(self.project.update_code, self.pick(data, "codes"), codable=codable)

    # ------------------------------------------------------------------ annotations, links

    @rule(data=st.data(), text=TEXTS, coder=st.sampled_from([None, "ana", "ben"]))
    def annotations(self, data: st.DataObject, text: str, coder: str | None) -> None:
        action = data.draw(st.sampled_from(["add", "update", "delete"]))
        note = self.pick(data, "annotations")
        if action == "add" or note is None:
            doc = self.pick(data, "documents")
            start, end = self.span(data, doc)
            self.run(self.project.add_annotation, doc, start, end, text, coder=coder)
        elif action == "update":
            doc = self.project.db.execute(
                "SELECT document_id FROM annotations WHERE id = ?", [note]
            ).fetchone()[0]
            start, end = self.span(data, doc)
            self.run(self.project.update_annotation, note, text=text, start=start, end=end)
        else:
            self.run(self.project.delete_annotation, note)

    @rule(data=st.data(), coder=st.sampled_from([None, "ana", "cy"]))
    def memo_links(self, data: st.DataObject, coder: str | None) -> None:
        memo = self.pick(data, "memos")
        if memo is None:
            self.run(self.project.add_memo, "Linked", "a memo", coder=coder)
            return
        link = self.pick(data, "memo_links")
        if link is not None and data.draw(st.booleans()):
            self.run(self.project.unlink_memo, link)
            return
        column, table = data.draw(
            st.sampled_from(
                [
                    ("document_id", "documents"),
                    ("code_id", "codes"),
                    ("coding_id", "codings"),
                    ("case_id", "cases"),
                ]
            )
        )
        target = self.pick(data, table, allow_missing=True)
        if target is not None:
            self.run(self.project.link_memo, memo, **{column: target})

    # ------------------------------------------------------------------ many rows at once

    @precondition(lambda self: self.ids("codes"))
    @rule(data=st.data(), coder=st.sampled_from([None, "ana", "dee"]))
    def bulk_coding(self, data: st.DataObject, coder: str | None) -> None:
        spans = []
        for _ in range(data.draw(st.integers(1, 4))):
            doc = self.pick(data, "documents")
            spans.append((doc, *self.span(data, doc)))
        code = self.pick(data, "codes", allow_missing=True)
        self.run(bulk.apply_code_to_spans, self.project, code, spans, coder=coder)

    @rule(which=st.sampled_from(["csv", "bad_csv"]))
    def attribute_table(self, which: str) -> None:
        self.run(self.project.import_attributes, other_files()[which])

    @rule(prefer=st.sampled_from(["mine", "theirs"]))
    def merge_project(self, prefer: str) -> None:
        other = other_files()["project"]
        self.run(merge_projects, self.project, [other], prefer=prefer, backup=False)

    @rule(kind=st.sampled_from(["qdpx", "qdc"]), dotted=st.booleans())
    def refi_import(self, kind: str, dotted: bool) -> None:
        importer = refi.import_qdpx if kind == "qdpx" else refi.import_qdc
        self.run(importer, self.project, other_files()[kind], dotted_hierarchy=dotted)

    # ------------------------------------------------------------------ checks

    @invariant()
    def last_step_undoes_and_redoes_exactly(self) -> None:
        if not self.history:
            return
        changes, before, after = self.history[-1]
        self.project.undo(changes)
        assert dump(self.project) == before, "undo of the last step"
        self.project.redo(changes)
        assert dump(self.project) == after, "redo of the last step"

    def teardown(self) -> None:
        try:
            p = self.project
            final = dump(p)
            for changes, before, _after in reversed(self.history):
                p.undo(changes)
                assert dump(p) == before
            assert dump(p) == self.initial, "undoing everything gives the initial project"
            for changes, _before, after in self.history:
                p.redo(changes)
                assert dump(p) == after
            assert dump(p) == final, "redoing everything gives the final project"
            if self.history:
                combined = self.history[0][0]
                for changes, _b, _a in self.history[1:]:
                    combined = combined | changes
                p.undo(combined)
                assert dump(p) == self.initial, "merged steps (|) undo as one"
                p.redo(combined)
                assert dump(p) == final, "merged steps (|) redo as one"
            assert p.db.execute("PRAGMA foreign_key_check").fetchall() == []
        finally:
            self.project.close()
            self._dir.cleanup()


# CODER_FUZZ_EXAMPLES=500 explores new random sequences; CI replays the same 40 every time.
_EXPLORE = int(os.environ.get("CODER_FUZZ_EXAMPLES", "0"))
UndoMachine.TestCase.settings = settings(
    max_examples=_EXPLORE or 40,
    stateful_step_count=30,
    deadline=None,
    derandomize=not _EXPLORE,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestUndoStateMachine = UndoMachine.TestCase
