"""The docks driven like a researcher would, asserting what ends up in the project file."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QDialog, QLineEdit

from coder.core import settings
from coder.core.project import Project
from coder.ui.dialogs.code_editor import CodeEditorDialog
from coder.ui.models.codebook import QuickKeyRole
from coder.ui.views import common
from coder.ui.views.cases_dock import CasesDock
from coder.ui.views.codebook_dock import CodebookDock, quick_codes_key
from coder.ui.views.documents_dock import DocumentsDock
from coder.ui.views.retrieval_dock import RetrievalDock, context_html
from coder.ui.views.search_dock import SearchDock
from tests.ui.fake_window import FakeWindow


def make(qtbot, window: FakeWindow, cls):
    dock = cls(window)
    window.add(dock)
    qtbot.addWidget(dock)
    dock.resize(700, 500)
    dock.show()
    return dock


def open_editor(view, index) -> QLineEdit:
    """Start editing ``index`` in place; the line edit the delegate opened."""
    view.setCurrentIndex(index)
    view.edit(index)
    editors = [e for e in view.findChildren(QLineEdit) if e.isVisible()]
    assert len(editors) == 1
    return editors[0]


def reopen(project: Project) -> Project:
    return Project.open(project.path, read_only=True)


def answer(monkeypatch: pytest.MonkeyPatch, name: str, value: object) -> list:
    """Answer the next questions of kind ``name`` (confirm, ask_text...) with ``value``."""
    asked: list = []

    def fake(*args: object, **kwargs: object) -> object:
        asked.append(args)
        return value

    monkeypatch.setattr(common, name, fake)
    return asked


# ------------------------------------------------------------------ codebook


def test_delete_code_with_children_asks_and_moves_them_up(
    qtbot, monkeypatch, project, window
) -> None:
    dock = make(qtbot, window, CodebookDock)
    asked = answer(monkeypatch, "ask_buttons", "Move sub-codes up")
    assert dock.delete_code(1)
    assert asked and "sub-codes" in asked[0][2]
    assert window.undo_texts() == ["Delete code 'Reasons'"]
    with reopen(project) as stored:
        assert [c.path for c in stored.codes()] == [
            "Family",
            "Family/Brother",
            "Time",
            "Disillusion",
            "Money",
        ]
        assert len(stored.codings(code_ids=[1])) == 0
        assert len(stored.codings(code_ids=[2])) == 1
    assert dock.model.parent_id(2) == 0
    window.undo_stack.undo()
    assert [c.path for c in project.codes()][:3] == [
        "Reasons",
        "Reasons/Disillusion",
        "Reasons/Money",
    ]
    assert dock.model.parent_id(2) == 1


def test_delete_code_with_children_can_delete_them(qtbot, monkeypatch, project, window) -> None:
    dock = make(qtbot, window, CodebookDock)
    answer(monkeypatch, "ask_buttons", "Delete sub-codes")
    assert dock.delete_code(1)
    with reopen(project) as stored:
        assert [c.path for c in stored.codes()] == ["Family", "Family/Brother", "Time"]
        assert {c.code_id for c in stored.codings()} == {5, 6}
    window.undo_stack.undo()
    assert len(project.codings()) == 5


def test_delete_code_cancelled_changes_nothing(qtbot, monkeypatch, project, window) -> None:
    dock = make(qtbot, window, CodebookDock)
    answer(monkeypatch, "ask_buttons", None)
    assert not dock.delete_code(1)
    answer(monkeypatch, "confirm", False)
    assert not dock.delete_code(6)  # has a coding: confirm first
    assert window.undo_texts() == [] and len(project.codes()) == 6


def test_a_click_on_a_code_only_selects_it_enter_and_double_click_activate(
    qtbot, project, window
) -> None:
    dock = make(qtbot, window, CodebookDock)
    view = dock.view
    family = dock.proxy.mapFromSource(dock.model.index_of(4))
    time = dock.proxy.mapFromSource(dock.model.index_of(6))
    activated: list[int] = []
    selected: list[list] = []
    dock.codeActivated.connect(activated.append)
    dock.selectedCodesChanged.connect(selected.append)
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(family).center()
    )
    assert activated == [] and selected[-1] == [4]  # browsing: its passages, nothing else
    qtbot.mouseClick(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ControlModifier,
        view.visualRect(time).center(),
    )
    assert activated == []
    assert selected[-1] == [4, 6] and dock.selected_code_ids() == [4, 6]
    view.setCurrentIndex(time)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert activated == [6]
    where = view.visualRect(family).center()
    # A double-click: a press and release, then the double-click event on the same code.
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert activated == [6]
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert activated == [6, 4]
    assert window.undo_texts() == []  # activating never edits by itself


def test_a_category_is_shown_as_one_and_refuses_a_dropped_passage(qtbot, project, window) -> None:
    import json

    from PySide6.QtCore import QMimeData
    from PySide6.QtGui import QIcon

    from coder.ui.models.codebook import PASSAGE_MIME

    themes = project.add_code("Themes", codable=False).created("codes")[0]
    dock = make(qtbot, window, CodebookDock)
    index = dock.model.index_of(themes)
    assert index.data(Qt.ItemDataRole.FontRole).italic()
    assert isinstance(index.data(Qt.ItemDataRole.DecorationRole), QIcon)
    assert "cannot be applied" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert "Category Themes" in index.data(Qt.ItemDataRole.AccessibleTextRole)
    mime = QMimeData()
    mime.setData(PASSAGE_MIME, json.dumps({"document_id": 3, "start": 0, "end": 5}).encode())
    copy = Qt.DropAction.CopyAction
    assert not dock.model.canDropMimeData(mime, copy, -1, -1, index)
    assert dock.model.canDropMimeData(mime, copy, -1, -1, dock.model.index_of(6))
    menu = dock.build_context_menu(dock.proxy.mapFromSource(index))
    texts = {a.text(): a for a in menu.actions()}
    assert not texts["A category cannot be applied"].isEnabled()


def test_dropping_a_passage_anywhere_on_a_code_row_codes_it(qtbot, project, window) -> None:
    import json

    from PySide6.QtCore import QMimeData, QPointF
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    from coder.ui.models.codebook import PASSAGE_MIME

    dock = make(qtbot, window, CodebookDock)
    view = dock.view
    mime = QMimeData()
    mime.setData(PASSAGE_MIME, json.dumps({"document_id": 3, "start": 0, "end": 5}).encode())
    rect = view.visualRect(dock.proxy.mapFromSource(dock.model.index_of(6)))
    edge = QPointF(rect.center().x(), rect.top() + 1)  # where a code drop would mean "above"
    copy, left = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton
    enter = QDragEnterEvent(edge.toPoint(), copy, mime, left, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), enter)
    assert enter.isAccepted()
    move = QDragMoveEvent(edge.toPoint(), copy, mime, left, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), move)
    assert move.isAccepted()
    dropped: list = []
    dock.passageDropped.connect(lambda *args: dropped.append(args))
    drop = QDropEvent(edge, copy, mime, left, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.viewport(), drop)
    assert dropped == [(6, 3, 0, 5)]
    empty = QDropEvent(
        QPointF(5, view.viewport().height() - 2), copy, mime, left, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(view.viewport(), empty)
    assert len(dropped) == 1  # not on a code: nothing


def test_dragging_a_code_above_another_reorders_through_the_view(qtbot, project, window) -> None:
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    dock = make(qtbot, window, CodebookDock)
    view = dock.view
    mime = dock.proxy.mimeData([dock.proxy.mapFromSource(dock.model.index_of(6))])
    rect = view.visualRect(dock.proxy.mapFromSource(dock.model.index_of(1)))
    top = QPointF(rect.center().x(), rect.top() + 1)
    move, left, none = (
        Qt.DropAction.MoveAction,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(view.viewport(), QDragEnterEvent(top.toPoint(), move, mime, left, none))
    QApplication.sendEvent(view.viewport(), QDragMoveEvent(top.toPoint(), move, mime, left, none))
    QApplication.sendEvent(view.viewport(), QDropEvent(top, move, mime, left, none))
    assert [c.name for c in project.codes() if c.parent_id is None] == ["Time", "Reasons", "Family"]
    assert window.undo_texts() == ["Move code 'Time'"]
    rect = view.visualRect(dock.proxy.mapFromSource(dock.model.index_of(5)))  # onto "Brother"
    middle = QPointF(rect.center())
    mime = dock.proxy.mimeData([dock.proxy.mapFromSource(dock.model.index_of(6))])
    QApplication.sendEvent(
        view.viewport(), QDragEnterEvent(middle.toPoint(), move, mime, left, none)
    )
    QApplication.sendEvent(
        view.viewport(), QDragMoveEvent(middle.toPoint(), move, mime, left, none)
    )
    QApplication.sendEvent(view.viewport(), QDropEvent(middle, move, mime, left, none))
    assert project.code(6).path == "Family/Brother/Time"


def test_codebook_keyboard_rename_and_delete(qtbot, monkeypatch, project, window) -> None:
    dock = make(qtbot, window, CodebookDock)
    dock.activateWindow()
    dock.select_code(6)
    dock.view.setFocus()
    qtbot.keyClick(dock.view, Qt.Key.Key_F2)
    [editor] = [e for e in dock.view.findChildren(QLineEdit) if e.isVisible()]
    editor.selectAll()
    qtbot.keyClicks(editor, "Timing")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: project.code(6).name == "Timing")
    answer(monkeypatch, "confirm", True)
    delete = next(a for a in dock.view.actions() if a.text() == "Delete code")
    assert delete.shortcut().toString() == "Del"
    delete.trigger()
    assert [c.name for c in project.codes() if c.parent_id is None] == ["Reasons", "Family"]
    assert window.undo_texts() == ["Rename code 'Time' to 'Timing'", "Delete code 'Timing'"]


def test_quick_keys_work_out_of_the_box_in_codebook_order(qtbot, project, window) -> None:
    """No key assigned yet: the first nine codes in codebook order get 1–9, with badges, and
    follow new and deleted codes until the user assigns one."""
    dock = make(qtbot, window, CodebookDock)
    order = [c.id for c in project.codes()]  # Reasons, Disillusion, Money, Family, ...
    assert [dock.quick_code(d) for d in range(1, len(order) + 1)] == order
    assert dock.model.index_of(order[1]).data(QuickKeyRole) == "2"
    assert settings.get(quick_codes_key(project)) is None  # nothing stored until assigned
    window.push("Delete code 'Time'", lambda: project.delete_code(6))
    assert 6 not in [dock.quick_code(d) for d in range(1, 10)]


def test_a_category_gets_no_quick_key_out_of_the_box(qtbot, project, window) -> None:
    themes = project.add_code("Themes", codable=False, position=0).created("codes")[0]
    dock = make(qtbot, window, CodebookDock)
    assert project.codes()[0].id == themes  # first in the codebook, a category
    assert dock.quick_code(1) == project.codes()[1].id
    assert themes not in [dock.quick_code(d) for d in range(1, 10)]


def test_quick_keys_are_stored_per_project_and_shown(qtbot, project, window) -> None:
    dock = make(qtbot, window, CodebookDock)
    settings.set_value(quick_codes_key(project), {})  # this user cleared every key
    dock.set_project(project)
    assert dock.quick_code(1) is None
    dock.set_quick_key(3, 5)
    dock.set_quick_key(1, 6)
    assert dock.quick_code(3) == 5 and dock.quick_code("1") == 6 and dock.quick_code(2) is None
    assert settings.get(quick_codes_key(project)) == {
        "1": project.code(6).guid,
        "3": project.code(5).guid,
    }
    assert dock.model.index_of(5).data(QuickKeyRole) == "3"
    dock.set_quick_key(3, 6)  # the key moves to another code; the code's old key goes
    assert dock.quick_code(3) == 6 and dock.quick_code(1) is None
    assert dock.model.index_of(5).data(QuickKeyRole) == ""
    window.push("Delete code 'Time'", lambda: project.delete_code(6))
    assert dock.quick_code(3) is None
    window.undo_stack.undo()
    assert dock.quick_code(3) == 6  # the same code (same guid) is back
    fresh = CodebookDock(FakeWindow(project))
    qtbot.addWidget(fresh)
    assert fresh.quick_code(3) == 6


def test_code_editor_is_one_edit_command(qtbot, project, window) -> None:
    dock = make(qtbot, window, CodebookDock)
    dialog = CodeEditorDialog(project.code(3), dock)
    qtbot.addWidget(dialog)
    dialog.name.setText("Money  matters")
    dialog.color.set_color("#112233")
    dialog.texts["definition"].setPlainText("Talk about pay, debts and promises of money.")
    dialog.texts["inclusion"].setPlainText("Any mention of pay")
    dialog.texts["exclusion"].setPlainText("Prices in general")
    dialog.texts["example"].setPlainText("They never paid us.")
    dialog.texts["memo"].setPlainText("Check with coder B")
    changed = dialog.changed_fields()
    assert set(changed) == {
        "name",
        "color",
        "definition",
        "inclusion",
        "exclusion",
        "example",
        "memo",
    }
    assert dock.update_code(3, **changed)
    assert window.undo_texts() == ["Edit code 'Money'"]
    with reopen(project) as stored:
        code = stored.code(3)
    assert (code.name, code.color, code.example, code.memo) == (
        "Money matters",
        "#112233",
        "They never paid us.",
        "Check with coder B",
    )
    window.undo_stack.undo()
    assert project.code(3).name == "Money" and project.code(3).definition == "About money"


def test_edit_code_from_the_menu_is_named_edit(qtbot, monkeypatch, project, window) -> None:
    def fill_and_accept(dialog) -> int:
        dialog.name.setText("Cash")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(CodeEditorDialog, "exec", fill_and_accept)
    dock = make(qtbot, window, CodebookDock)
    dock.edit_code(3)
    assert window.undo_texts() == ["Edit code 'Money'"] and project.code(3).name == "Cash"


def test_code_editor_refuses_an_empty_name(qtbot, project) -> None:
    dialog = CodeEditorDialog(project.code(3))
    qtbot.addWidget(dialog)
    dialog.name.setText("  ")
    dialog._accept()
    assert dialog.result() != QDialog.DialogCode.Accepted


def test_new_code_merge_and_colour(qtbot, monkeypatch, project, window) -> None:
    dock = make(qtbot, window, CodebookDock)
    answer(monkeypatch, "ask_text", "Regret")
    dock.ask_new_code(4)
    new = project.find_code("Family/Regret")
    assert dock.current_code_id() == new.id
    assert dock.update_code(new.id, color="#00AA00")
    assert dock.merge_code(2, 3)
    assert window.undo_texts() == [
        "Add code 'Regret' under 'Family'",
        "Change colour of code 'Regret'",
        "Merge code 'Disillusion' into 'Money'",
    ]
    assert {c.code_path for c in project.codings()} >= {"Reasons/Money"}
    assert dock.model.index_of(3, 1).data() == "2"


def test_merge_offers_only_codes_outside_the_subtree(qtbot, monkeypatch, project, window) -> None:
    dock = make(qtbot, window, CodebookDock)
    asked = answer(monkeypatch, "ask_choice", "Time")
    dock.ask_merge(1)
    assert asked[0][3] == ["Family", "Family/Brother", "Time"]
    assert project.code(6).name == "Time" and [c.path for c in project.codes()][-2:] == [
        "Time/Disillusion",
        "Time/Money",
    ]
    assert window.undo_texts() == ["Merge code 'Reasons' into 'Time'"]


def test_filter_keeps_ancestors_of_matches(qtbot, project, window) -> None:
    dock = make(qtbot, window, CodebookDock)
    dock.filter.setText("broth")
    proxy = dock.proxy
    assert proxy.rowCount() == 1 and proxy.index(0, 0).data() == "Family"
    assert proxy.index(0, 0, proxy.index(0, 0)).data() == "Brother"
    assert not dock.view.dragEnabled()
    dock.filter.clear()
    assert proxy.rowCount() == 3 and dock.view.dragEnabled()


def test_codebook_context_menu_offers_the_commands(qtbot, project, window) -> None:
    dock = make(qtbot, window, CodebookDock)
    menu = dock.build_context_menu(dock.proxy.mapFromSource(dock.model.index_of(1)))
    titles = [a.text() for a in menu.actions() if a.text()]
    for expected in (
        "New code…",
        "New sub-code…",
        "Edit…",
        "Rename",
        "Change colour…",
        "Quick key",
        "Merge into…",
        "Delete…",
    ):
        assert expected in titles
    assert dock.view.accessibleName() and dock.filter.accessibleName()


# ------------------------------------------------------------------ documents


def test_documents_delete_confirms_and_undoes(qtbot, monkeypatch, project, window) -> None:
    dock = make(qtbot, window, DocumentsDock)
    asked = answer(monkeypatch, "confirm", True)
    assert dock.delete_documents([1, 3])
    assert "Delete 2 documents and their 3 codings?" in asked[0][2]
    assert window.undo_texts() == ["Delete 2 documents"]
    with reopen(project) as stored:
        assert [d.name for d in stored.documents()] == ["Interview Ben"]
    window.undo_stack.undo()
    assert len(project.documents()) == 3 and len(project.codings(document_id=1)) == 3
    answer(monkeypatch, "confirm", False)
    assert not dock.delete_documents([1])


def test_documents_set_new_case_group_and_memo(qtbot, project, window) -> None:
    dock = make(qtbot, window, DocumentsDock)
    assert dock.set_case([3], "Observer")
    assert dock.set_group([3], "Wave 2")
    assert dock.set_memo(3, "Written after the meeting")
    assert dock.rename_document(3, "Meeting notes")
    assert window.undo_texts() == [
        "Set case of document 'Field notes' to 'Observer'",
        "Move document 'Field notes' to group 'Wave 2'",
        "Edit memo of document 'Field notes'",
        "Rename document 'Field notes' to 'Meeting notes'",
    ]
    with reopen(project) as stored:
        doc = stored.document(3)
        assert (doc.name, doc.case, doc.group, doc.memo) == (
            "Meeting notes",
            "Observer",
            "Wave 2",
            "Written after the meeting",
        )
    top = [dock.model.index(r, 0).data() for r in range(dock.model.rowCount())]
    assert top == ["Wave 1 (2)", "Wave 2 (1)"]
    for _ in range(4):
        window.undo_stack.undo()
    assert [c.name for c in project.cases()] == ["Ana", "Ben"]  # the new case went too
    assert project.document(3).group == ""


def test_documents_activation_import_and_menu(qtbot, project, window) -> None:
    dock = make(qtbot, window, DocumentsDock)
    dock.import_button.click()
    assert window.triggered == ["file.import"]
    dock.select_document(2)
    with qtbot.waitSignal(dock.documentActivated) as signal:
        qtbot.keyClick(dock.view, Qt.Key.Key_Return)
    assert signal.args == [2]
    menu = dock.build_context_menu(dock.view.currentIndex())
    titles = [a.text() for a in menu.actions() if a.text()]
    for expected in ("Open", "Rename", "Memo…", "Set case…", "Group…", "Delete…"):
        assert expected in titles
    dock.filter.setText("ben")
    names = []
    for r in range(dock.proxy.rowCount()):
        group = dock.proxy.index(r, 0)
        names += [dock.proxy.index(i, 0, group).data() for i in range(dock.proxy.rowCount(group))]
    assert names == ["Interview Ben"]
    dock.filter.setText("wave")
    group = dock.proxy.index(0, 0)
    assert dock.proxy.rowCount() == 1 and dock.proxy.rowCount(group) == 2


def test_documents_rename_a_group_in_place(qtbot, project, window) -> None:
    dock = make(qtbot, window, DocumentsDock)
    group = dock.proxy.index(0, 0)
    assert group.data() == "Wave 1 (2)"
    editor = open_editor(dock.view, group)
    assert editor.text() == "Wave 1"
    editor.selectAll()
    qtbot.keyClicks(editor, "First wave")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: project.document(1).group == "First wave")
    assert project.document(2).group == "First wave"
    assert window.undo_texts() == ["Rename group 'Wave 1' to 'First wave'"]
    assert dock.proxy.index(0, 0).data() == "First wave (2)"
    menu = dock.build_context_menu(dock.proxy.index(0, 0))
    assert {"Rename group", "Ungroup", "Set case…"} <= {a.text() for a in menu.actions()}
    window.undo_stack.undo()
    assert dock.proxy.index(0, 0).data() == "Wave 1 (2)"


def test_documents_inline_rename_through_the_view(qtbot, project, window) -> None:
    dock = make(qtbot, window, DocumentsDock)
    dock.select_document(3)
    editor = open_editor(dock.view, dock.view.currentIndex())
    editor.selectAll()
    qtbot.keyClicks(editor, "Notes 1")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits from the event loop
    qtbot.waitUntil(lambda: project.document(3).name == "Notes 1")
    assert window.undo_texts() == ["Rename document 'Field notes' to 'Notes 1'"]


# ------------------------------------------------------------------ retrieved passages


def test_retrieval_dock_modes_filters_and_jump(qtbot, project, window) -> None:
    dock = make(qtbot, window, RetrievalDock)
    dock.show_codes([1, 2])
    assert len(dock.passages()) == 2
    dock.set_mode("and")
    [overlap] = dock.passages()
    assert (overlap.start, overlap.end) == (5, 44)
    dock.set_mode("or")
    dock.set_filters(coder_id=project.find_coder("kim").id)
    assert [p.code_ids for p in dock.passages()] == [(2,)]
    dock.set_filters()
    dock.children_box.setChecked(True)
    dock.show_codes([4])
    assert [(p.document, p.code_ids) for p in dock.passages()] == [("Interview Ben", (5,))]
    assert dock.count.text() == "1 passage"
    with qtbot.waitSignal(dock.passageActivated) as signal:
        dock.view.activated.emit(dock.proxy.index(0, 0))
    assert signal.args == [2, 52, 76]
    dock.grab()  # paints the rich-text context column


def test_retrieval_mode_is_remembered(qtbot, project, window) -> None:
    dock = make(qtbot, window, RetrievalDock)
    dock.set_mode("and", "turn")
    dock.children_box.setChecked(True)
    again = make(qtbot, FakeWindow(project), RetrievalDock)
    assert again.mode.currentData() == "and" and again.children_box.isChecked()
    assert again.within.currentData() == "turn" and again.within.isVisible()


def test_retrieval_dock_within_turn_and_not(qtbot, project, window) -> None:
    """AND can ask for codes in the same speaker turn; NOT lists the first code's codings
    that meet none of the others and says which code it kept."""
    ana = project.find_document("Interview Ana").id
    project.apply_code(ana, 4, 99, 122, coder="kim")  # Family, in the turn coded Time
    dock = make(qtbot, window, RetrievalDock)
    assert not dock.within.isVisible()  # OR lists every coding
    dock.show_codes([6, 4])
    assert len(dock.passages()) == 2
    dock.set_mode("and")
    assert dock.within.isVisible() and dock.passages() == []
    dock.set_mode("and", "turn")
    [turn] = dock.passages()
    assert (turn.start, turn.end, turn.speaker) == (64, 123, "Ana")
    assert dock.quote(turn) == (
        "“Ana: After the second winter, when friends stopped writing.” (Interview Ana, Ana, ¶ 3)"
    )
    dock.set_mode("not", "passage")
    assert dock.within.isVisible()
    assert [(p.start, p.end, p.code_ids) for p in dock.passages()] == [(69, 92, (6,))]
    assert dock.count.text() == "1 passage of Time, without Family"
    dock.set_mode("not", "paragraph")
    assert dock.passages() == [] and dock.count.text() == "0 passages of Time, without Family"
    dock.show_codes([4, 6])
    assert dock.passages() == [] and dock.count.text().endswith("of Family, without Time")
    dock.set_mode("not", "passage")
    assert [(p.start, p.end, p.code_ids) for p in dock.passages()] == [(99, 122, (4,))]


def test_retrieval_copy_memo_and_remove(qtbot, project, window) -> None:
    from PySide6.QtWidgets import QApplication

    dock = make(qtbot, window, RetrievalDock)
    dock.show_codes([2, 3])
    dock.view.selectAll()
    dock.copy_selected()
    assert QApplication.clipboard().text() == (
        "“I left because the promises were empty.” (Interview Ana, Ana, ¶ 1)\n\n"
        "“Nobody told us the truth about the money.” (Interview Ben, Ben, ¶ 1)"
    )
    first = dock.passages()[0]
    assert dock.set_memo(first, "strong statement")
    assert project.coding(first.coding_ids[0]).memo == "strong statement"
    assert dock.passages()[0].memo == "strong statement"
    assert "Memo: strong statement" in dock.proxy.index(0, 5).data(Qt.ItemDataRole.ToolTipRole)
    assert not dock.set_memo(dock.passages()[0], "strong statement")  # unchanged: no undo step
    menu = dock.build_context_menu(dock.proxy.index(0, 0))
    assert "Remove 2 codings" in [a.text() for a in menu.actions()]
    assert dock.remove_codings(dock.selected_passages())
    assert dock.passages() == [] and len(project.codings()) == 3
    assert window.undo_texts()[-1] == "Remove 2 codings"
    window.undo_stack.undo()
    assert len(dock.passages()) == 2


def test_retrieval_dock_follows_edits(qtbot, project, window) -> None:
    dock = make(qtbot, window, RetrievalDock)
    dock.show_codes([6])
    window.push("Apply", lambda: project.apply_code(2, 6, 0, 3, coder="ann"))
    assert len(dock.passages()) == 2
    assert dock.coder_box.findText("ann") > 0  # the new coder can be filtered on
    window.undo_stack.undo()
    assert len(dock.passages()) == 1


def test_context_html_bolds_the_passage_and_escapes() -> None:
    html = context_html("a <b>\n", "x & y", " end")
    assert html == "…a &lt;b&gt; <b>x &amp; y</b> end…"
    assert context_html("carry ", "him", ". Every") == "…carry <b>him</b>. Every…"


# ------------------------------------------------------------------ cases


def test_cases_dock_add_link_attribute_and_import(qtbot, tmp_path, project, window) -> None:
    dock = make(qtbot, window, CasesDock)
    assert dock.add_case("Cleo")
    cleo = project.find_case("Cleo").id
    assert dock.link_documents(cleo, [3])
    assert dock.add_attribute("role", "text")
    table = tmp_path / "people.csv"
    table.write_text("case,age,role\nAna,35,teacher\nCleo,29,nurse\n", encoding="utf-8")
    assert dock.import_attributes(str(table))
    assert window.undo_texts() == [
        "Add case 'Cleo'",
        "Link 'Field notes' to case 'Cleo'",
        "Add case attribute 'role'",
        "Import attributes",
    ]
    with reopen(project) as stored:
        values = stored.attribute_values("case")
        assert values[stored.find_case("Cleo").id] == {"age": "29", "role": "nurse"}
        assert stored.document(3).case == "Cleo"
    model = dock.model
    assert model.index_of(cleo, model.column_of("role")).data() == "nurse"
    window.undo_stack.undo()
    assert project.attribute_values("case")[project.find_case("Ana").id] == {"age": "34"}
    assert model.index_of(cleo, model.column_of("role")).data() == ""


def test_cases_dock_typed_edit_through_the_view(qtbot, project, window) -> None:
    dock = make(qtbot, window, CasesDock)
    ben = project.find_case("Ben").id
    cell = dock.cell(ben, dock.model.column_of("age"))
    editor = open_editor(dock.view, cell)
    qtbot.keyClicks(editor, "forty")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(window.errors))
    assert window.errors == ["'forty' is not a number for 'age'"]
    assert project.attribute_values("case").get(ben) is None
    editor = open_editor(dock.view, cell)
    editor.selectAll()
    qtbot.keyClicks(editor, "40")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: project.attribute_values("case").get(ben) == {"age": "40"})
    assert window.undo_texts() == ["Set 'age' of case 'Ben' to '40'"]


def test_cases_yes_no_cell_edits_with_a_choice(qtbot, project, window) -> None:
    from PySide6.QtWidgets import QComboBox

    dock = make(qtbot, window, CasesDock)
    ana = project.find_case("Ana").id
    cell = dock.cell(ana, dock.model.column_of("returned"))
    dock.view.setCurrentIndex(cell)
    dock.view.edit(cell)
    [combo] = [c for c in dock.view.findChildren(QComboBox) if c.isVisible()]
    combo.setCurrentText("no")
    dock.view.commitData(combo)
    assert project.attribute_values("case")[ana] == {"age": "34", "returned": "false"}
    assert cell.data() == "no"


def test_link_documents_dialog_adds_and_removes(qtbot, project, window) -> None:
    from coder.ui.views.cases_dock import LinkDocumentsDialog

    dock = make(qtbot, window, CasesDock)
    ana = project.find_case("Ana")
    dialog = LinkDocumentsDialog(project, ana.id, ana.name, dock)
    qtbot.addWidget(dialog)
    model = dialog.model
    rows = {model.index(r, 0).data(Qt.ItemDataRole.UserRole): r for r in range(model.rowCount())}
    assert model.index(rows[2], 0).data() == "Interview Ben  (now: Ben)"
    for doc_id, state in ((1, Qt.CheckState.Unchecked), (3, Qt.CheckState.Checked)):
        model.setData(model.index(rows[doc_id], 0), state.value, Qt.ItemDataRole.CheckStateRole)
    assert (dialog.added(), dialog.removed()) == ([3], [1])
    assert dock.link_documents(ana.id, dialog.added(), dialog.removed())
    assert window.undo_texts() == ["Change documents of case 'Ana'"]
    assert project.document(3).case == "Ana" and project.document(1).case is None


def test_cases_dock_delete_case_keeps_documents(qtbot, monkeypatch, project, window) -> None:
    dock = make(qtbot, window, CasesDock)
    answer(monkeypatch, "confirm", True)
    ana = project.find_case("Ana").id
    assert dock.delete_cases([ana])
    assert [c.name for c in project.cases()] == ["Ben"]
    assert project.document(1).case is None
    window.undo_stack.undo()
    assert project.document(1).case == "Ana"
    assert project.attribute_values("case")[ana] == {"age": "34"}


# ------------------------------------------------------------------ search


def test_search_code_all_results_is_one_undoable_command(qtbot, project, window) -> None:
    dock = make(qtbot, window, SearchDock)
    dock.focus_search()
    qtbot.keyClicks(dock.box, "promises")
    qtbot.keyClick(dock.box, Qt.Key.Key_Return)
    hits = dock.hits()
    assert len(hits) == 2 and dock.code_button.isEnabled()
    before = len(project.codings())
    assert dock.code_all(6)
    assert window.undo_texts() == ["Code 2 search results for 'promises' with 'Time'"]
    with reopen(project) as stored:
        coded = {(c.document_id, c.start, c.end) for c in stored.codings(code_ids=[6])}
        assert {(h.document_id, h.start, h.end) for h in hits} <= coded
        for h in hits:
            assert stored.document_text(h.document_id)[h.start : h.end] == "promises"
    assert len(project.codings()) == before + 2
    window.undo_stack.undo()
    assert len(project.codings()) == before
    window.undo_stack.redo()
    assert len(project.codings()) == before + 2
    assert dock.code_all(6)  # again: nothing new (already coded)
    assert len(project.codings()) == before + 2


def test_search_code_selected_results_only(qtbot, monkeypatch, project, window) -> None:
    dock = make(qtbot, window, SearchDock)
    assert dock.run_search("the")
    assert len(dock.hits()) >= 3
    dock.view.selectRow(1)
    answer(monkeypatch, "ask_choice", "Family/Brother")
    dock.ask_code_all(dock.selected_hits())
    hit = dock.hits()[1]
    coded = {(c.document_id, c.start, c.end) for c in project.codings(code_ids=[5])}
    assert coded == {(2, 52, 76), (hit.document_id, hit.start, hit.end)}
    assert window.undo_texts() == ["Code 1 search result for 'the' with 'Brother'"]


def test_search_jump_and_bad_query(qtbot, project, window) -> None:
    dock = make(qtbot, window, SearchDock)
    assert not dock.run_search("***")
    assert dock.status.text() and not dock.code_button.isEnabled()
    assert dock.run_search("brother")
    with qtbot.waitSignal(dock.passageActivated) as signal:
        dock.view.activated.emit(dock.model.index(0, 0))
    hit = dock.hits()[0]
    assert signal.args == [hit.document_id, hit.start, hit.end]
    window.push("Rename", lambda: project.rename_document(hit.document_id, "Ben again"))
    assert [h.document for h in dock.hits()] == ["Ben again"]
    window.push("Delete", lambda: project.delete_document(hit.document_id))
    assert dock.hits() == []


def test_column_widths_are_remembered(qtbot, project, window) -> None:
    dock = make(qtbot, window, RetrievalDock)
    header = dock.view.horizontalHeader()
    header.resizeSection(0, 333)
    qtbot.waitUntil(lambda: settings.get("header:retrieval") is not None)
    again = make(qtbot, FakeWindow(project), RetrievalDock)
    assert again.view.horizontalHeader().sectionSize(0) == 333


def test_empty_views_say_what_to_do(qtbot, fresh_project) -> None:
    window = FakeWindow(fresh_project)
    codebook = make(qtbot, window, CodebookDock)
    assert codebook.empty_hint.isVisible() and "No codes yet" in codebook.empty_hint.text()
    codebook.new_code("First")
    assert not codebook.empty_hint.isVisible()
    codebook.filter.setText("zzz")
    assert codebook.empty_hint.isVisible() and "match the filter" in codebook.empty_hint.text()
    retrieval = make(qtbot, window, RetrievalDock)
    assert "Select codes" in retrieval.empty_hint.text()
    retrieval.show_codes([1])
    assert retrieval.empty_hint.isVisible() and "No passages" in retrieval.empty_hint.text()
    search = make(qtbot, window, SearchDock)
    search.run_search("nothing")
    assert search.empty_hint.text() == "No matches for 'nothing'."


def test_docks_without_a_project(qtbot) -> None:
    window = FakeWindow(None)
    for cls in (DocumentsDock, CodebookDock, RetrievalDock, CasesDock, SearchDock):
        dock = make(qtbot, window, cls)
        assert not dock.isEnabled()
        assert dock.view.model().rowCount(QModelIndex()) == 0
