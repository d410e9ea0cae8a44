"""Item models: Qt's model contract, precise refreshes, and edits that reach the project file."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, Qt

from coder.core.project import Changes, Project
from coder.ui.models.cases import CasesModel, DocumentChecklistModel
from coder.ui.models.codebook import CODES_MIME, PASSAGE_MIME, CodebookModel, CodeIdRole
from coder.ui.models.codings import Query, RetrievedPassagesModel
from coder.ui.models.documents import DOCUMENTS_MIME, DocumentIdRole, DocumentsModel, IsGroupRole
from coder.ui.models.search import SearchResultsModel
from coder.ui.models.tree import ROOT, IdTreeModel
from tests.ui.fake_window import FakeWindow


def reopen(project: Project) -> Project:
    """A second connection to the project file: what is really stored."""
    return Project.open(project.path, read_only=True)


# ------------------------------------------------------------------ the tree base


class _Tree(IdTreeModel):
    def columnCount(self, parent=QModelIndex()) -> int:
        return 2

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        return f"{self.value(self.node_id(index))}:{index.column()}"


def _random_tree(rng: random.Random, ids: list[int]) -> dict[int, list[int]]:
    children: dict[int, list[int]] = {ROOT: []}
    placed: list[int] = [ROOT]
    for node in rng.sample(ids, len(ids)):
        parent = rng.choice(placed)
        kids = children.setdefault(parent, [])
        kids.insert(rng.randint(0, len(kids)), node)
        placed.append(node)
    return children


def _shape(model: IdTreeModel, parent: QModelIndex = QModelIndex()) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {model.node_id(parent): []}
    for row in range(model.rowCount(parent)):
        child = model.index(row, 0, parent)
        out[model.node_id(parent)].append(model.node_id(child))
        out.update(_shape(model, child))
    return out


def test_tree_sync_reaches_any_tree_with_row_signals_only(qtmodeltester) -> None:
    """Random inserts, moves and removals: the shown tree equals the wanted one, persistent
    indexes follow their nodes, and the model is never reset."""
    rng = random.Random(7)
    model = _Tree()
    qtmodeltester.check(model)
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    for _round in range(80):
        ids = rng.sample(range(1, 40), rng.randint(0, 20))
        wanted = _random_tree(rng, ids)
        values = {i: f"v{i}.{rng.randint(0, 2)}" for i in ids}
        persistent = {
            model.node_id(idx): QPersistentModelIndex(idx)
            for idx in (model.index_of(n) for n in model.all_ids())
        }
        model.sync(wanted, values)
        got = {k: v for k, v in _shape(model).items() if v or k == ROOT}
        assert got == {k: v for k, v in wanted.items() if v or k == ROOT}
        for node, pidx in persistent.items():
            if node in values:
                assert pidx.isValid() and model.node_id(pidx) == node
            else:
                assert not pidx.isValid()
        for node, value in values.items():
            assert model.index_of(node).data() == f"{value}:0"
    assert resets == []


def test_tree_sync_moves_and_removes_only_what_changed() -> None:
    """A long flat list: one row removed, one moved, one inserted: one signal each."""
    model = _Tree()
    ids = list(range(1, 5001))
    model.sync({ROOT: ids}, {i: i for i in ids})
    signals: list[str] = []
    model.rowsRemoved.connect(lambda *a: signals.append("removed"))
    model.rowsMoved.connect(lambda *a: signals.append("moved"))
    model.rowsInserted.connect(lambda *a: signals.append("inserted"))
    model.modelReset.connect(lambda: signals.append("reset"))
    wanted = [i for i in ids if i != 2500]
    wanted.remove(10)
    wanted.insert(4000, 10)
    wanted.insert(100, 9999)
    model.sync({ROOT: wanted}, {i: i for i in wanted})
    assert sorted(signals) == ["inserted", "moved", "removed"]
    assert model.child_ids(ROOT) == wanted


# ------------------------------------------------------------------ codebook


def _code_mime(ids: list[int]) -> QMimeData:
    mime = QMimeData()
    mime.setData(CODES_MIME, json.dumps(ids).encode())
    return mime


def test_codebook_model_contract_and_tree(qtmodeltester, project: Project) -> None:
    model = CodebookModel(push=None)
    model.set_project(project)
    qtmodeltester.check(model)
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [
        "Reasons",
        "Family",
        "Time",
    ]
    reasons = model.index(0, 0)
    assert [model.index(r, 0, reasons).data() for r in range(model.rowCount(reasons))] == [
        "Disillusion",
        "Money",
    ]
    assert model.index(0, 1, reasons).data() == "1"  # Disillusion: one coding
    assert model.index(0, 2).data() == "1"  # Reasons: in one document
    assert "About reasons" in model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(0, 0).data(Qt.ItemDataRole.DecorationRole).isValid()


def test_codebook_rename_inline_is_one_command_in_the_file(qtmodeltester, project, window) -> None:
    model = CodebookModel(push=window.push)
    window.add(model)
    model.set_project(project)
    qtmodeltester.check(model)
    index = model.index_of(4)
    assert model.setData(index, "Kin  and family")
    assert window.undo_texts() == ["Rename code 'Family' to 'Kin and family'"]
    with reopen(project) as stored:
        assert stored.code(4).name == "Kin and family"
    assert model.index_of(4).data() == "Kin and family"
    window.undo_stack.undo()
    with reopen(project) as stored:
        assert stored.code(4).name == "Family"
    assert model.index_of(4).data() == "Family"


def test_codebook_rename_clash_shows_error_and_keeps_name(project, window) -> None:
    model = CodebookModel(push=window.push)
    window.add(model)
    model.set_project(project)
    assert not model.setData(model.index_of(3), "Disillusion")
    assert window.errors and "already exists" in window.errors[0]
    assert project.code(3).name == "Money"


def test_codebook_drop_reorders_and_nests(qtmodeltester, project, window) -> None:
    model = CodebookModel(push=window.push)
    window.add(model)
    model.set_project(project)
    qtmodeltester.check(model)
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    follow = QPersistentModelIndex(model.index_of(6))  # "Time"

    # Reorder: drop "Time" before "Reasons" at the top level.
    assert model.dropMimeData(_code_mime([6]), Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert [c.name for c in project.codes() if c.parent_id is None] == ["Time", "Reasons", "Family"]
    assert project.code(6).position == 0
    assert follow.isValid() and follow.row() == 0

    # Nest: drop "Time" onto "Family" (row -1: onto the item).
    family = model.index_of(4)
    assert model.dropMimeData(_code_mime([6]), Qt.DropAction.MoveAction, -1, 0, family)
    with reopen(project) as stored:
        time = stored.code(6)
        assert time.parent_id == 4 and time.path == "Family/Time"
        assert [c.name for c in stored.codes() if c.parent_id == 4] == ["Brother", "Time"]
    assert model.parent_id(6) == 4 and follow.parent() == model.index_of(4)

    # Between children: "Money" to position 0 under "Family".
    assert model.dropMimeData(_code_mime([3]), Qt.DropAction.MoveAction, 0, 0, model.index_of(4))
    assert [c.name for c in project.codes() if c.parent_id == 4] == ["Money", "Brother", "Time"]
    assert window.undo_texts() == [
        "Move code 'Time'",
        "Move code 'Time' into 'Family'",
        "Move code 'Money' into 'Family'",
    ]
    assert resets == []
    window.undo_stack.undo()
    window.undo_stack.undo()
    window.undo_stack.undo()
    assert [c.path for c in project.codes()] == [
        "Reasons",
        "Reasons/Disillusion",
        "Reasons/Money",
        "Family",
        "Family/Brother",
        "Time",
    ]
    assert _shape(model)[ROOT] == [1, 4, 6]


def test_codebook_refuses_a_drop_into_its_own_subtree(project, window) -> None:
    model = CodebookModel(push=window.push)
    model.set_project(project)
    child = model.index_of(2)
    assert not model.canDropMimeData(_code_mime([1]), Qt.DropAction.MoveAction, -1, 0, child)
    assert not model.dropMimeData(_code_mime([1]), Qt.DropAction.MoveAction, -1, 0, child)
    assert not model.dropMimeData(
        _code_mime([1]), Qt.DropAction.MoveAction, -1, 0, model.index_of(1)
    )
    assert window.undo_texts() == []


def test_codebook_passage_drop_names_code_and_passage(qtbot, project) -> None:
    model = CodebookModel(push=lambda *_: True)
    model.set_project(project)
    mime = QMimeData()
    mime.setData(PASSAGE_MIME, json.dumps({"document_id": 1, "start": 3, "end": 9}).encode())
    assert not model.canDropMimeData(mime, Qt.DropAction.CopyAction, 0, 0, QModelIndex())
    with qtbot.waitSignal(model.passageDropped) as signal:
        assert model.dropMimeData(mime, Qt.DropAction.CopyAction, -1, 0, model.index_of(5))
    assert signal.args == [5, 1, 3, 9]


def test_codebook_counts_stay_right_through_merge_delete_and_undo(project, window) -> None:
    model = CodebookModel(push=window.push)
    window.add(model)
    model.set_project(project)

    def shown() -> dict[int, tuple[str, str]]:
        return {
            c: (model.index_of(c, 1).data(), model.index_of(c, 2).data()) for c in model.all_ids()
        }

    def fresh() -> dict[int, tuple[str, str]]:
        other = CodebookModel()
        other.set_project(project)
        return {
            c: (other.index_of(c, 1).data(), other.index_of(c, 2).data()) for c in other.all_ids()
        }

    window.push("Merge", lambda: project.merge_codes(2, 3))
    assert shown() == fresh() and shown()[3] == ("2", "2")
    window.push("Delete", lambda: project.delete_code(4, children="move_up"))
    assert shown() == fresh()
    window.push("In vivo", lambda: project.add_code("Winter"))
    assert shown() == fresh()
    for _ in range(3):
        window.undo_stack.undo()
        assert shown() == fresh()


def test_codebook_counts_follow_codings(project, window) -> None:
    model = CodebookModel(push=window.push)
    window.add(model)
    model.set_project(project)
    changed: list[int] = []
    model.dataChanged.connect(lambda a, b, roles=(): changed.append(model.node_id(a)))
    window.push("Apply code 'Time'", lambda: project.apply_code(2, 6, 0, 3, coder="kim"))
    assert model.index_of(6, 1).data() == "2" and model.index_of(6, 2).data() == "2"
    assert changed == [6]


def test_applying_a_coding_reads_only_what_it_changed(project, window, monkeypatch) -> None:
    """One coding in a big project: no model re-reads every document or code."""
    codebook, documents, passages = CodebookModel(), DocumentsModel(), RetrievedPassagesModel()
    for model in (codebook, documents, passages):
        window.add(model)
        model.set_project(project)
    passages.set_query(Query(code_ids=(1,)))

    def forbidden(*_a, **_k):
        raise AssertionError("re-read everything for one coding")

    monkeypatch.setattr(project, "documents", forbidden)
    monkeypatch.setattr(project, "codes", forbidden)
    window.push("Apply code 'Time'", lambda: project.apply_code(2, 6, 0, 3, coder="kim"))
    assert codebook.index_of(6, 1).data() == "2"
    assert documents.index_of(2, 2).data() == "3"
    group = documents.index(0, 0)
    assert group.siblingAtColumn(2).data() == "6"
    window.push("Apply code 'Reasons'", lambda: project.apply_code(3, 1, 0, 5, coder="kim"))
    assert passages.rowCount() == 2


def test_one_coding_runs_one_count_query_per_model_and_announces_only_its_cells(
    qtmodeltester, project, window
) -> None:
    """One coding: the documents and codebook models each run one indexed count query and
    announce only the cells whose values changed; a model showing other codes does nothing;
    the docks' proxies neither re-sort (a layout change repaints every row) nor re-check
    the coded row's ancestors."""
    from coder.ui.models.codebook import FilterRole as CodeFilterRole
    from coder.ui.models.documents import CODINGS, NAME, FilterRole
    from coder.ui.views.common import TreeFilterProxy
    from coder.ui.views.documents_dock import DocumentsProxy

    codebook, documents, passages = CodebookModel(), DocumentsModel(), RetrievedPassagesModel()
    for model in (codebook, documents, passages):
        window.add(model)
        model.set_project(project)
        qtmodeltester.check(model)
    passages.set_query(Query(code_ids=(6,)))
    documents_proxy = DocumentsProxy()
    documents_proxy.setSourceModel(documents)
    documents_proxy.sort(NAME)
    codebook_proxy = TreeFilterProxy(column=0)
    codebook_proxy.setFilterRole(CodeFilterRole)
    codebook_proxy.setSourceModel(codebook)

    signals: list[tuple] = []

    def listen(name: str, model, source) -> None:
        def node(index) -> int:
            return source.node_id(model.mapToSource(index) if model is not source else index)

        model.dataChanged.connect(
            lambda a, b, roles=(): signals.append(
                (name, node(a), a.column(), b.column(), list(roles))
            )
        )
        for signal in ("layoutChanged", "modelReset", "rowsInserted", "rowsRemoved", "rowsMoved"):
            getattr(model, signal).connect(lambda *_a, s=signal: signals.append((name, s)))

    listen("documents", documents, documents)
    listen("documents proxy", documents_proxy, documents)
    listen("codebook", codebook, codebook)
    listen("codebook proxy", codebook_proxy, codebook)
    listen("passages", passages, passages)

    # 'Disillusion' (a sub-code of 'Reasons') on Ben's interview, in group 'Wave 1'.
    changes = project.apply_code(2, 2, 0, 3, coder="kim")
    statements: list[str] = []
    project.db.conn.set_trace_callback(statements.append)
    try:
        window.on_changes(changes)
    finally:
        project.db.conn.set_trace_callback(None)

    # The codebook counts the one code; documents add the change's delta; passages do nothing.
    assert len(statements) == 1, statements
    assert "WHERE code_id" in statements[0]
    group = documents.parent_id(2)
    assert group is not None
    counts = [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole]
    assert sorted(s[:4] for s in signals if s[0].startswith("documents")) == sorted(
        [
            ("documents", 2, CODINGS, CODINGS),
            ("documents proxy", 2, CODINGS, CODINGS),
            ("documents", group, CODINGS, CODINGS),
            ("documents proxy", group, CODINGS, CODINGS),
        ]
    )
    assert sorted(s[:4] for s in signals if s[0].startswith("codebook")) == [
        ("codebook", 2, 0, 2),
        ("codebook proxy", 2, 0, 2),  # not its parent 'Reasons'
    ]
    for s in signals:
        assert set(counts) <= set(s[4]) and FilterRole not in s[4] and CodeFilterRole not in s[4]
    assert documents.index_of(2, CODINGS).data() == "3"
    assert documents.index_of(group, CODINGS).data() == "6"
    assert codebook.index_of(2, 1).data() == "2" and codebook.index_of(2, 2).data() == "2"

    # A coding of the code the passages model shows: one row comes, nothing else moves.
    signals.clear()
    window.push("Apply code 'Time'", lambda: project.apply_code(3, 6, 0, 5, coder="kim"))
    assert [s for s in signals if s[0] == "passages"] == [("passages", "rowsInserted")]
    assert not [s for s in signals if s[0] != "passages" and len(s) == 2]  # no layout or rows
    assert passages.rowCount() == 2
    # Undo: the counts go back, again cell by cell.
    signals.clear()
    window.undo_stack.undo()
    assert [s for s in signals if s[0] == "passages"] == [("passages", "rowsRemoved")]
    assert documents.index_of(3, CODINGS).data() == "0"
    assert codebook.index_of(6, 1).data() == "1"
    assert not [s for s in signals if s[0] != "passages" and len(s) == 2]


# ------------------------------------------------------------------ documents


def test_documents_model_groups_and_contract(qtmodeltester, project) -> None:
    model = DocumentsModel()
    model.set_project(project)
    qtmodeltester.check(model)
    top = [model.index(r, 0) for r in range(model.rowCount())]
    assert [i.data() for i in top] == ["Wave 1 (2)", "Field notes"]
    assert top[0].data(IsGroupRole) is True
    group = top[0]
    assert [model.index(r, 0, group).data() for r in range(model.rowCount(group))] == [
        "Interview Ana",
        "Interview Ben",
    ]
    ana = model.index(0, 0, group)
    assert model.index(0, 3, group).data() == "Ana"
    assert model.index(0, 2, group).data() == "3"
    assert model.index(0, 1, group).data(Qt.ItemDataRole.EditRole) == len(project.document_text(1))
    assert ana.data(DocumentIdRole) == 1


def test_documents_model_precise_refresh(qtmodeltester, project, window) -> None:
    model = DocumentsModel(push=window.push)
    window.add(model)
    model.set_project(project)
    qtmodeltester.check(model)
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    ben = QPersistentModelIndex(model.index_of(2))
    window.push("Add document", lambda: project.add_document("Another", "text", group="Wave 2"))
    window.push("Apply code", lambda: project.apply_code(2, 6, 0, 3, coder="kim"))
    assert model.index_of(2, 2).data() == "3"
    assert model.setData(model.index_of(2), "Ben (2024)")
    assert window.undo_texts()[-1] == "Rename document 'Interview Ben' to 'Ben (2024)'"
    with reopen(project) as stored:
        assert stored.document(2).name == "Ben (2024)"
    assert ben.isValid() and ben.data() == "Ben (2024)"
    window.push("Delete", lambda: project.delete_document(3))
    assert model.index_of(3).isValid() is False
    assert resets == []
    window.undo_stack.undo()
    assert model.index_of(3).data() == "Field notes"


def test_documents_rows_after_edits_equal_a_fresh_read(project, window) -> None:
    model = DocumentsModel(push=window.push)
    window.add(model)
    model.set_project(project)

    def rows(m: DocumentsModel) -> list[tuple]:
        out = []
        for r in range(m.rowCount()):
            top = m.index(r, 0)
            out.append(tuple(top.siblingAtColumn(c).data() for c in range(4)))
            out += [
                tuple(m.index(i, c, top).data() for c in range(4)) for i in range(m.rowCount(top))
            ]
        return out

    def fresh() -> list[tuple]:
        other = DocumentsModel()
        other.set_project(project)
        return rows(other)

    edits = [
        lambda: project.update_case(project.find_case("Ana").id, name="Anna"),
        lambda: project.set_document_fields(3, group="Wave 1"),
        lambda: project.add_document("Zed", "z" * 10, group="Wave 2", case="New"),
        lambda: project.delete_case(project.find_case("Ben").id),
        lambda: project.delete_document(1),
    ]
    for edit in edits:
        window.push("edit", edit)
        assert rows(model) == fresh()
    for _ in edits:
        window.undo_stack.undo()
        assert rows(model) == fresh()


def test_documents_mime_carries_document_ids(project) -> None:
    model = DocumentsModel()
    model.set_project(project)
    mime = model.mimeData([model.index(0, 0)])  # the group stands for its documents
    assert json.loads(bytes(mime.data(DOCUMENTS_MIME).data())) == [1, 2]


# ------------------------------------------------------------------ retrieved passages


def _and_project(path: Path) -> Project:
    """One document where A and B overlap twice and C never meets B."""
    p = Project.create(path)
    p.add_document("D", "x" * 200)
    p.add_document("E", "y" * 200)
    for name in ("A", "B", "C"):
        p.add_code(name)
    p.add_code("A1", parent_id=1)  # id 4
    p.apply_code(1, 1, 10, 50, coder="kim")  # A
    p.apply_code(1, 1, 40, 70, coder="lee")  # A again (overlapping, other coder)
    p.apply_code(1, 2, 60, 80, coder="kim")  # B overlaps A in 60-70
    p.apply_code(1, 2, 0, 15, coder="kim")  # B overlaps A in 10-15
    p.apply_code(1, 3, 100, 120, coder="kim")  # C alone
    p.apply_code(2, 4, 0, 30, coder="kim")  # A1 (sub-code of A) in E
    p.apply_code(2, 2, 20, 40, coder="lee")  # B in E overlaps A1 in 20-30
    return p


def test_retrieval_model_and_within_paragraph_and_not(qtmodeltester, project, window) -> None:
    """AND in the same paragraph lists the paragraph; NOT keeps the first code's codings
    that meet none of the others, and follows an edit to the excluded code in place."""
    ana = project.find_document("Interview Ana").id
    project.apply_code(
        ana, 4, 99, 122, coder="kim"
    )  # Family: "friends stopped writing" (Time's paragraph)
    model = RetrievedPassagesModel()
    window.add(model)
    model.set_project(project)
    model.set_query(Query(code_ids=(6, 4), mode="and"))
    assert model.rowCount() == 0  # the two codings never overlap
    model.set_query(Query(code_ids=(6, 4), mode="and", within="paragraph"))
    qtmodeltester.check(model)
    assert [model.index(0, c).data() for c in range(5)] == [
        "Interview Ana",
        "Time + Family",
        "Ana",
        "¶ 3, 64–123",
        "kim",
    ]
    assert model.index(0, 5).data(Qt.ItemDataRole.UserRole + 4)[1] == (
        "Ana: After the second winter, when friends stopped writing."
    )
    assert len(model.passages()[0].coding_ids) == 2
    model.set_query(Query(code_ids=(6, 4), mode="or", within="paragraph"))
    assert [(p.start, p.end) for p in model.passages()] == [(69, 92), (99, 122)]  # OR: codings
    model.set_query(Query(code_ids=(6, 4), mode="not"))
    assert [(p.start, p.end, p.code_ids) for p in model.passages()] == [(69, 92, (6,))]
    model.set_query(Query(code_ids=(6, 4), mode="not", within="paragraph"))
    assert model.rowCount() == 0
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    family = next(c for c in project.codings() if c.code_id == 4)
    window.push("Remove", lambda: project.remove_coding(family.id))
    assert [(p.start, p.end) for p in model.passages()] == [(69, 92)] and resets == []


def test_retrieval_model_contract_and_context(qtmodeltester, project: Project) -> None:
    model = RetrievedPassagesModel()
    model.set_project(project)
    model.set_query(Query(code_ids=(1, 2), mode="or"))
    qtmodeltester.check(model)
    rows = [[model.index(r, c).data() for c in range(6)] for r in range(model.rowCount())]
    assert [r[1] for r in rows] == ["Reasons", "Reasons/Disillusion"]
    assert rows[0][2] == "Ana" and rows[0][3] == "¶ 1, 0–44" and rows[0][4] == "lee"
    before, passage, after = model.index(1, 5).data(Qt.ItemDataRole.UserRole + 4)
    assert passage == "I left because the promises were empty." and before == "Ana: "
    model.set_query(Query(code_ids=(1, 2), mode="and"))
    assert model.rowCount() == 1
    assert model.index(0, 1).data() == "Reasons + Reasons/Disillusion"
    assert model.index(0, 4).data() == "kim, lee"
    model.set_query(
        Query(code_ids=(1,), include_children=True, case_id=project.find_case("Ben").id)
    )
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["Interview Ben"]


def test_retrieval_model_follows_new_codings_without_reset(project, window) -> None:
    model = RetrievedPassagesModel()
    window.add(model)
    model.set_project(project)
    model.set_query(Query(code_ids=(6,)))
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    window.push("Apply", lambda: project.apply_code(3, 6, 0, 5, coder="kim"))
    assert model.rowCount() == 2 and resets == []
    window.push("Delete code", lambda: project.delete_code(6))
    assert model.rowCount() == 0 and model.query.code_ids == ()


def test_retrieval_model_follows_a_renamed_parent_code(project, window) -> None:
    model = RetrievedPassagesModel()
    window.add(model)
    model.set_project(project)
    model.set_query(Query(code_ids=(2,)))
    window.push("Rename", lambda: project.update_code(1, name="Motives"))
    assert model.index(0, 1).data() == "Motives/Disillusion"
    assert [p.codes for p in model.passages()] == [("Motives/Disillusion",)]


def test_retrieval_rows_after_many_edits_equal_a_fresh_query(qtmodeltester, tmp_path) -> None:
    """Codings added, resized and removed in several documents, in every mode: the rows
    spliced in place always equal what a fresh query returns, in order."""
    rng = random.Random(3)
    with _and_project(tmp_path / "r.coder") as p:
        window = FakeWindow(p)
        for mode, within in (
            ("or", "passage"),
            ("and", "passage"),
            ("and", "paragraph"),
            ("not", "passage"),
        ):
            model = RetrievedPassagesModel()
            window.docks = [model]
            model.set_project(p)
            model.set_query(Query(code_ids=(1, 2), mode=mode, within=within))
            qtmodeltester.check(model)
            resets: list[bool] = []
            model.modelReset.connect(partial(resets.append, True))
            for _ in range(40):
                codings = p.codings()
                action = rng.random()
                fn: Callable[[], Changes]
                if action < 0.5 or not codings:
                    s = rng.randint(0, 190)
                    doc, code, n = rng.randint(1, 2), rng.randint(1, 3), rng.randint(1, 9)
                    fn = partial(p.apply_code, doc, code, s, s + n, coder="kim")
                elif action < 0.75:
                    c = rng.choice(codings)
                    fn = partial(p.resize_coding, c.id, max(0, c.start - 3), c.end)
                else:
                    c = rng.choice(codings)
                    fn = partial(p.remove_coding, c.id)
                window.push("edit", fn)
                fresh = RetrievedPassagesModel()
                fresh.set_project(p)
                fresh.set_query(model.query)
                assert model.passages() == fresh.passages()
            assert resets == []


# ------------------------------------------------------------------ cases


def test_cases_model_contract_and_columns(qtmodeltester, project) -> None:
    model = CasesModel()
    model.set_project(project)
    qtmodeltester.check(model)
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["Case", "Documents", "age", "joined", "returned", "Memo"]
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["Ana", "Ben"]
    assert model.index(0, 2).data() == "34" and model.index(0, 1).data() == "1"


def test_cases_typed_attribute_edit(qtmodeltester, project, window) -> None:
    model = CasesModel(push=window.push, show_error=window.show_error)
    window.add(model)
    model.set_project(project)
    qtmodeltester.check(model)
    ben = model.index_of(project.find_case("Ben").id)
    age, joined, returned = (
        ben.siblingAtColumn(model.column_of(n)) for n in ("age", "joined", "returned")
    )
    assert not model.setData(age, "thirty")
    assert window.errors == ["'thirty' is not a number for 'age'"]
    assert not model.setData(joined, "someday")
    assert "not a date" in window.errors[-1]
    assert window.undo_texts() == []
    assert model.setData(age, "41")
    assert model.setData(joined, "2019-03-02")
    assert model.setData(returned, "yes")
    assert window.undo_texts() == [
        "Set 'age' of case 'Ben' to '41'",
        "Set 'joined' of case 'Ben' to '2019-03-02'",
        "Set 'returned' of case 'Ben' to 'yes'",
    ]
    with reopen(project) as stored:
        values = stored.attribute_values("case")[stored.find_case("Ben").id]
    assert values == {"age": "41", "joined": "2019-03-02", "returned": "true"}
    assert returned.data() == "yes"
    window.undo_stack.undo()
    window.undo_stack.undo()
    assert project.attribute_values("case").get(project.find_case("Ben").id) == {"age": "41"}
    assert model.setData(age, "")
    assert project.attribute_values("case").get(project.find_case("Ben").id) is None
    assert model.setData(ben.siblingAtColumn(model.memo_column), "Met twice")
    assert window.undo_texts()[-1] == "Edit memo of case 'Ben'"
    assert project.find_case("Ben").memo == "Met twice"


def test_cases_rename_reorders_rows_and_new_attribute_adds_a_column(project, window) -> None:
    model = CasesModel(push=window.push, show_error=window.show_error)
    window.add(model)
    model.set_project(project)
    ana = QPersistentModelIndex(model.index(0, 0))
    assert model.setData(ana, "Zoe")
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["Ben", "Zoe"]
    assert ana.isValid() and ana.row() == 1
    window.push("Add attribute", lambda: project.add_attribute("role", "case", "text"))
    assert model.columnCount() == 7


def test_cases_drop_documents_links_them(project, window) -> None:
    model = CasesModel(push=window.push, show_error=window.show_error)
    window.add(model)
    model.set_project(project)
    mime = QMimeData()
    mime.setData(DOCUMENTS_MIME, json.dumps([3, 2]).encode())
    ana = model.index_of(project.find_case("Ana").id)
    assert model.dropMimeData(mime, Qt.DropAction.CopyAction, -1, 0, ana)
    assert window.undo_texts() == ["Link 2 documents to case 'Ana'"]
    assert {d.name: d.case for d in project.documents()} == {
        "Interview Ana": "Ana",
        "Interview Ben": "Ana",
        "Field notes": "Ana",
    }
    assert ana.siblingAtColumn(1).data() == "3"
    window.undo_stack.undo()
    assert project.document(2).case == "Ben" and project.document(3).case is None


def test_document_checklist_contract(qtmodeltester, project) -> None:
    model = DocumentChecklistModel(project.documents(), {1}, 1)
    qtmodeltester.check(model)
    assert model.setData(
        model.index(0, 0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole
    )
    assert len(model.checked()) == 2


def test_search_results_contract(qtmodeltester, project) -> None:
    model = SearchResultsModel()
    model.set_hits(project.search("promises"))
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    assert {model.index(r, 2).data() for r in range(2)} == {"promises"}
    model.remove_documents({3})
    assert model.rowCount() == 1


def test_code_ids_role(project) -> None:
    model = CodebookModel()
    model.set_project(project)
    assert model.index(0, 0).data(CodeIdRole) == 1


def test_document_counts_stay_right_through_codings_undo_and_redo(project, window) -> None:
    """Counts move by each change's delta; undo reverses it; they always equal a fresh read."""
    from coder.ui.models.documents import CODINGS

    model = DocumentsModel()
    window.add(model)
    model.set_project(project)

    def counts(m: DocumentsModel) -> dict[int, str]:
        return {d: m.index_of(d, CODINGS).data() for d in m.all_ids()}

    def fresh() -> dict[int, str]:
        other = DocumentsModel()
        other.set_project(project)
        return counts(other)

    doc = project.find_document("Interview Ana").id
    code, other_code = project.find_code("Reasons").id, project.find_code("Time").id
    coding = project.codings(document_id=doc)[0].id
    window.push("Apply", lambda: project.apply_code(doc, code, 0, 3))
    window.push("Apply again", lambda: project.apply_code(doc, other_code, 1, 4))
    window.push("Remove", lambda: project.remove_coding(coding))
    window.push("Merge", lambda: project.merge_codes(other_code, code))
    assert counts(model) == fresh()
    for _ in range(4):
        window.undo_stack.undo()
        assert counts(model) == fresh()
    for _ in range(4):
        window.undo_stack.redo()
        assert counts(model) == fresh()
