"""The workbench window driven like a researcher: select, press keys, drag, undo, import."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QTextCursor
from PySide6.QtWidgets import QApplication, QMenu

from coder.core.project import Project
from coder.core.text import detect_turns
from coder.ui.main_window import MainWindow
from coder.ui.views.codebook_dock import CodebookDock
from tests.ui.recording_window import RecordingWindow, project_of, shown, stack, written

TEXT = (
    "Interviewer: Why did you leave?\n"
    "Amira: Family 👩‍👩‍👧 and 🇫🇷 came first. The leaders lied about the money.\n"
    "Interviewer: And then?\n"
    "Amira: Then I packed my bag at night.\n"
)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def u16(text: str, cp: int) -> int:
    return len(text[:cp].encode("utf-16-le")) // 2


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "study.coder"
    with Project.create(path) as p:
        p.add_document("Amira", TEXT, turns=detect_turns(TEXT))
        p.add_code("Corruption", color="#E15759", definition="Leaders taking money")
        p.add_code("Leaving", color="#4E79A7")
    return path


@pytest.fixture
def window(qtbot, project_path: Path) -> Iterator[RecordingWindow]:
    from coder.core import settings

    settings.set_value("coder_name", "Maria")
    win = RecordingWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    assert win.open_project(project_path)
    yield win
    win.close_project()


def codings(path: Path) -> list[tuple[str, int, int, str]]:
    """What the project file holds: (code, start, end, memo), read through a second connection."""
    with Project.open(path, read_only=True) as p:
        return sorted((c.code_path, c.start, c.end, c.memo) for c in p.codings())


def select(window: RecordingWindow, start: int, end: int) -> None:
    view = window.view
    c = view.textCursor()
    c.setPosition(u16(view.text, start))
    c.setPosition(u16(view.text, end), QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(c)
    view.setFocus()


def code_id(window: RecordingWindow, name: str) -> int:
    assert window.project is not None
    return project_of(window).find_code(name).id


def codebook_dock(window: RecordingWindow) -> CodebookDock:
    codebook = window.dock_widgets["codebook"]
    assert isinstance(codebook, CodebookDock)
    return codebook


def set_quick_key(window: RecordingWindow, digit: int, name: str) -> None:
    codebook_dock(window).set_quick_key(digit, code_id(window, name))


def test_the_window_has_exactly_its_docks(window: RecordingWindow) -> None:
    """Every dock is built with the window; none is quietly left out."""
    from coder.ui.views.cases_dock import CasesDock
    from coder.ui.views.documents_dock import DocumentsDock
    from coder.ui.views.explore_dock import ExploreDock
    from coder.ui.views.memos_dock import MemosDock
    from coder.ui.views.retrieval_dock import RetrievalDock
    from coder.ui.views.search_dock import SearchDock

    assert {key: type(w) for key, w in window.dock_widgets.items()} == {
        "documents": DocumentsDock,
        "cases": CasesDock,
        "codebook": CodebookDock,
        "retrieval": RetrievalDock,
        "search": SearchDock,
        "explore": ExploreDock,
        "memos": MemosDock,
    }
    assert set(window.docks) == {*window.dock_widgets, "undo_history"}
    for key, widget in window.dock_widgets.items():
        assert window.docks[key].widget() is widget


def test_a_dock_that_fails_to_build_fails_the_window(qtbot, monkeypatch) -> None:
    """An error in a dock's constructor reaches the caller; no half-built window."""

    def broken(self: CodebookDock, window: RecordingWindow) -> None:
        raise RuntimeError("the codebook dock is broken")

    monkeypatch.setattr(CodebookDock, "__init__", broken)
    with pytest.raises(RuntimeError, match="the codebook dock is broken"):
        MainWindow()


def test_opens_project_with_title_and_document(window: RecordingWindow, project_path: Path) -> None:
    assert window.windowTitle() == "study — Coder"
    assert window.view.doc_id is not None
    assert window.view.text == TEXT
    assert window.undo_stack is not None and stack(window).count() == 0


def test_quick_key_codes_the_selection_after_emoji(
    qtbot, window: RecordingWindow, project_path: Path
) -> None:
    """Select after 👩‍👩‍👧 and 🇫🇷, press 1: the file holds the right code point offsets."""
    set_quick_key(window, 1, "Corruption")
    start = TEXT.index("The leaders")
    end = TEXT.index(" about the money")
    select(window, start, end)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    assert codings(project_path) == [("Corruption", start, end, "")]
    assert TEXT[start:end] == "The leaders lied"
    assert stack(window).undoText() == "Apply code 'Corruption'"
    assert "Corruption" in window.codes_label.text()
    stack(window).undo()
    assert codings(project_path) == []
    stack(window).redo()
    assert codings(project_path) == [("Corruption", start, end, "")]


def test_q_codes_with_last_code_and_u_removes(
    qtbot, window: RecordingWindow, project_path: Path
) -> None:
    from coder.ui.features import coding

    first = TEXT.index("Family")
    coding.apply_code(window, code_id(window, "Leaving"), passage=(shown(window), first, first + 6))
    start = TEXT.index("packed")
    select(window, start, start + 6)
    qtbot.keyClick(window.view, Qt.Key.Key_Q)
    assert ("Leaving", start, start + 6, "") in codings(project_path)
    qtbot.keyClick(window.view, Qt.Key.Key_U)
    assert codings(project_path) == [("Leaving", first, first + 6, "")]
    assert stack(window).undoText() == "Remove coding 'Leaving' — Maria"
    stack(window).undo()
    assert len(codings(project_path)) == 2


def test_drag_selection_onto_a_code(qtbot, window: RecordingWindow, project_path: Path) -> None:
    """The view's drag data, dropped on a code in the codebook's model, codes the passage."""
    codebook = codebook_dock(window)
    start = TEXT.index("money")
    select(window, start, start + 5)
    mime = window.view.passage_mime()
    model = codebook.model
    target = model.index_of(code_id(window, "Corruption"))
    assert model.canDropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, target)
    assert model.dropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, target)
    assert codings(project_path) == [("Corruption", start, start + 5, "")]
    assert stack(window).undoText() == "Apply code 'Corruption'"


def test_drop_events_on_the_codebook_tree_code_the_passage(
    qtbot, window: RecordingWindow, project_path: Path
) -> None:
    """Drag enter, move and drop on a code's row, as a mouse drag from the text sends them."""
    from PySide6.QtGui import QDragMoveEvent

    codebook = codebook_dock(window)
    start = TEXT.index("lied")
    select(window, start, start + 4)
    mime = window.view.passage_mime()
    tree = codebook.view
    source = codebook.model.index_of(code_id(window, "Leaving"))
    index = codebook.proxy.mapFromSource(source)
    pos = QPointF(tree.visualRect(index).center())
    copy = Qt.DropAction.CopyAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    for cls in (QDragEnterEvent, QDragMoveEvent):
        QApplication.sendEvent(tree.viewport(), cls(pos.toPoint(), copy, mime, buttons, mods))
    QApplication.sendEvent(tree.viewport(), QDropEvent(pos, copy, mime, buttons, mods))
    assert codings(project_path) == [("Leaving", start, start + 4, "")]


def test_in_vivo_creates_code_from_selection(
    qtbot, window: RecordingWindow, project_path: Path
) -> None:
    start = TEXT.index("packed my bag")
    select(window, start, start + len("packed my bag"))
    qtbot.keyClick(window.view, Qt.Key.Key_V)
    assert codings(project_path) == [("packed my bag", start, start + 13, "")]
    assert stack(window).undoText() == "Code in vivo 'packed my bag'"
    stack(window).undo()  # one step removes both the coding and the new code
    with Project.open(project_path, read_only=True) as p:
        assert [c.name for c in p.codes()] == ["Corruption", "Leaving"]
        assert p.codings() == []
    stack(window).redo()
    assert codings(project_path) == [("packed my bag", start, start + 13, "")]


def test_in_vivo_name_is_trimmed_and_short() -> None:
    from coder.ui.features.coding import in_vivo_name

    assert in_vivo_name('  "we were\n  told nothing"  ') == "we were told nothing"
    long = in_vivo_name("word " * 40)
    assert len(long) <= 60 and long.endswith("…")


def test_new_code_from_context_menu_path(
    window: RecordingWindow, project_path: Path, monkeypatch
) -> None:
    from coder.ui.features import coding

    start = TEXT.index("leave")
    select(window, start, start + 5)
    monkeypatch.setattr(window, "ask_text", lambda *a, **k: "Departure")
    coding.new_code(window)
    assert codings(project_path) == [("Departure", start, start + 5, "")]
    assert stack(window).undoText() == "Apply new code 'Departure'"


def test_resize_by_keys_merges_into_one_undo_step(
    qtbot, window: RecordingWindow, project_path: Path
) -> None:
    from coder.ui.features import coding

    start = TEXT.index("leaders")
    end = start + len("leaders")
    select(window, start, end)
    coding.apply_code(window, code_id(window, "Corruption"))
    view = window.view
    qtbot.keyClick(view, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(view, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert codings(project_path) == [("Corruption", start - 2, end + 1, "")]
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(view, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert codings(project_path) == [("Corruption", start - 1, end, "")]
    assert view.selection_cp() == (start - 1, end)
    assert stack(window).count() == 2  # apply + one merged resize
    assert stack(window).undoText() == "Resize coding 'Corruption' — Maria"
    stack(window).undo()
    assert codings(project_path) == [("Corruption", start, end, "")]
    stack(window).redo()
    assert codings(project_path) == [("Corruption", start - 1, end, "")]


def test_resize_keeps_emoji_whole(qtbot, window: RecordingWindow, project_path: Path) -> None:
    from coder.ui.features import coding

    flag = TEXT.index("🇫🇷")
    start = flag + 2  # just after the flag (two regional indicators)
    select(window, start, start + 5)
    coding.apply_code(window, code_id(window, "Leaving"))
    qtbot.keyClick(window.view, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)  # the space
    qtbot.keyClick(
        window.view, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier
    )  # the whole flag
    [(_code, s, e, _memo)] = codings(project_path)
    assert (s, e) == (flag - 1, start + 5) or (s, e) == (flag, start + 5)
    assert not ("\ud800" <= TEXT[s] <= "\udfff")


def test_memo_on_coding_under_cursor(
    qtbot, window: RecordingWindow, project_path: Path, monkeypatch
) -> None:
    from coder.ui.features import coding

    start = TEXT.index("night")
    select(window, start, start + 5)
    coding.apply_code(window, code_id(window, "Leaving"))
    monkeypatch.setattr(window, "ask_text", lambda *a, **k: "left in secret")
    qtbot.keyClick(window.view, Qt.Key.Key_M)
    assert codings(project_path) == [("Leaving", start, start + 5, "left in secret")]
    assert stack(window).undoText() == "Edit coding memo"
    stack(window).undo()
    assert codings(project_path) == [("Leaving", start, start + 5, "")]


def test_recode_from_stripe_menu_command(window: RecordingWindow, project_path: Path) -> None:
    from coder.ui.features import coding

    start = TEXT.index("bag")
    coding.apply_code(window, code_id(window, "Leaving"), passage=(shown(window), start, start + 3))
    [cid] = window.view.spans
    coding.recode(window, cid, code_id(window, "Corruption"))
    assert codings(project_path) == [("Corruption", start, start + 3, "")]
    assert stack(window).undoText() == "Recode 'Leaving' — Maria as 'Corruption'"
    stack(window).undo()
    assert codings(project_path) == [("Leaving", start, start + 3, "")]


def test_edit_menu_lists_undo_text(window: RecordingWindow) -> None:
    from coder.ui.features import coding

    coding.apply_code(window, code_id(window, "Leaving"), passage=(shown(window), 0, 5))
    undo = window.actions_by_id["edit.undo"]
    assert undo.isEnabled() and "Apply code 'Leaving'" in undo.text()


def test_error_goes_through_show_error(window: RecordingWindow) -> None:
    ok = window.push("Apply code 'X'", lambda p: p.apply_code(window.view.doc_id, 9999, 0, 3))
    assert not ok
    assert window.errors and "no code" in window.errors[0]
    assert stack(window).count() == 0


def test_import_with_a_bad_file_among_good_ones(
    qtbot, window: RecordingWindow, tmp_path: Path
) -> None:
    """Good files are imported (one undo step), the bad one is reported, nothing stops."""
    from coder.ui.features import file as file_feature

    good1 = tmp_path / "alpha.txt"
    good1.write_text("Interviewer: hello\nAli: hi there\n", encoding="utf-8")
    good2 = tmp_path / "beta.txt"
    good2.write_text("Some notes about the group.\n", encoding="utf-8")
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"this is not a zip file at all")
    task = file_feature.import_documents(window, [good1, bad, good2])
    assert task is not None
    qtbot.waitUntil(lambda: task.finished, timeout=20000)
    report = task.result
    assert sorted(p.name for p in report.imported) == ["alpha.txt", "beta.txt"]
    assert [p.name for p, _msg in report.failed] == ["broken.docx"]
    dialog = window.last_import_dialog
    assert dialog is not None and "broken.docx" in dialog.details.toPlainText()
    dialog.close()
    assert stack(window).undoText() == "Import 2 documents"
    names = {d.name for d in project_of(window).documents()}
    assert {"alpha", "beta"} <= names
    stack(window).undo()
    assert {d.name for d in project_of(window).documents()} == {"Amira"}
    stack(window).redo()
    assert {"alpha", "beta"} <= {d.name for d in project_of(window).documents()}


def test_undo_of_a_turn_dense_import_in_the_window_is_exact(
    qtbot, window: RecordingWindow, tmp_path: Path
) -> None:
    """Imported on a worker (turns logged as one bulk step), undone and redone in the window:
    every row back as it was, ids included."""
    from coder.ui.features import file as file_feature

    source = tmp_path / "dense.txt"
    source.write_text(
        "".join(f"{'Interviewer' if i % 2 else 'Ali'}: turn {i}.\n" for i in range(3000)),
        encoding="utf-8",
    )
    project = project_of(window)

    def rows() -> list[tuple]:
        return [
            *project.db.execute(
                "SELECT id, name, text FROM documents JOIN document_texts ON document_id = id "
                "ORDER BY id"
            ),
            *project.db.execute("SELECT * FROM turns ORDER BY id"),
        ]

    before = rows()
    task = file_feature.import_documents(window, [source])
    assert task is not None
    qtbot.waitUntil(lambda: task.finished, timeout=20000)
    if window.last_import_dialog is not None:
        window.last_import_dialog.close()
    assert stack(window).undoText() == "Import document 'dense'"
    after = rows()
    assert len(after) - len(before) == 3001
    stack(window).undo()
    written(qtbot, window)
    assert rows() == before and stack(window).redoText() == "Import document 'dense'"
    stack(window).redo()
    written(qtbot, window)
    assert rows() == after


def test_find_bar_counts_matches(qtbot, window: RecordingWindow) -> None:
    window.trigger("edit.find")
    qtbot.keyClicks(window.find_bar.edit, "amira")
    assert window.find_bar.count.text() == "1 of 2"
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Return)
    assert window.find_bar.count.text() == "2 of 2"
    qtbot.keyClick(window.find_bar.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert window.find_bar.count.text() == "1 of 2"


def test_dock_state_is_restored(qtbot, window: RecordingWindow) -> None:
    from coder.core import settings

    window.docks["undo_history"].show()
    window.save_state()
    assert settings.get("window_state")
    second = MainWindow()
    qtbot.addWidget(second)
    second.show()
    assert second.docks["undo_history"].isVisible()


def test_locked_project_opens_read_only_on_request(qtbot, project_path: Path, monkeypatch) -> None:
    """Another holder has the project: the window offers read-only, and edits are refused."""
    holder = Project.open(project_path)  # holds the project's lock, like another Coder would
    try:
        win = MainWindow()
        qtbot.addWidget(win)
        errors: list[str] = []
        monkeypatch.setattr(win, "show_error", errors.append)
        asked: list[str] = []

        def ask_read_only(message: str) -> bool:
            asked.append(message)
            return False

        monkeypatch.setattr(win, "ask_read_only", ask_read_only)
        assert not win.open_project(project_path)
        assert asked and win.project is None
        monkeypatch.setattr(win, "ask_read_only", lambda message: True)
        assert win.open_project(project_path)
        assert win.project is not None and win.project.read_only
        assert win.windowTitle() == "study [read-only] — Coder"
        assert not win.push("Apply code 'Leaving'", lambda p: p.apply_code(1, 1, 0, 3))
        assert errors and "read-only" in errors[-1]
        win.close_project()
    finally:
        holder.close()


def test_welcome_screen_without_project(qtbot) -> None:
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.central.currentWidget() is win.welcome
    assert not win.actions_by_id["file.import"].isEnabled()


def test_open_demo_project(qtbot, monkeypatch) -> None:
    from coder.ui.features import file as file_feature

    win = MainWindow()
    qtbot.addWidget(win)
    monkeypatch.setattr(win, "show_error", lambda m: pytest.fail(m))
    assert file_feature.open_demo(win)
    assert win.project is not None
    assert len(win.project.documents()) >= 3
    assert win.view.doc_id is not None and win.view.spans
    win.close_project()


def test_screenshot_of_main_window(qtbot, window: RecordingWindow) -> None:
    """Saves test-artifacts/main-window.png (look at it)."""
    from coder.ui.features import coding

    coding.apply_code(window, code_id(window, "Corruption"), passage=(shown(window), 60, 95))
    coding.apply_code(window, code_id(window, "Leaving"), passage=(shown(window), 80, 140))
    window.resize(1400, 900)
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "main-window.png"
    assert window.grab().save(str(path))
    assert path.stat().st_size > 10000


def test_dropping_files_on_the_window_imports_them(
    qtbot, window: RecordingWindow, tmp_path: Path
) -> None:
    from PySide6.QtCore import QMimeData, QUrl

    note = tmp_path / "dropped.txt"
    note.write_text("A dropped note.\n", encoding="utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(note))])
    pos = QPointF(window.rect().center())
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime, buttons, mods)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(window, QDropEvent(pos, Qt.DropAction.CopyAction, mime, buttons, mods))
    qtbot.waitUntil(
        lambda: "dropped" in {d.name for d in project_of(window).documents()}, timeout=20000
    )
    qtbot.waitUntil(lambda: stack(window).undoText() == "Import document 'dropped'", timeout=5000)


def test_stripe_menu_offers_remove_recode_memo(window: RecordingWindow) -> None:
    from coder.ui.features import coding

    coding.apply_code(window, code_id(window, "Leaving"), passage=(shown(window), 0, 11))
    [cid] = window.view.spans
    menu = QMenu()
    coding.fill_coding_menu(window, menu, cid)
    titles = [a.text() for a in menu.actions()]
    assert titles == [
        "&Select passage of 'Leaving' — Maria",
        "&Remove coding 'Leaving' — Maria",
        "Re&code 'Leaving' — Maria as",
        "&Memo on coding 'Leaving' — Maria…",
    ]
    recode_menu = menu.actions()[2].menu()
    assert isinstance(recode_menu, QMenu)
    assert [a.text().strip() for a in recode_menu.actions()] == ["Corruption", "Leaving"]
    recode_menu.actions()[0].trigger()
    assert stack(window).undoText() == "Recode 'Leaving' — Maria as 'Corruption'"


def test_import_cancel_keeps_what_was_imported(window: RecordingWindow, tmp_path: Path) -> None:
    """Cancelling after the first file: that file stays (one undo step), the rest is skipped."""
    from coder.ui.features import file as file_feature

    paths = []
    for name in ("one", "two", "three"):
        path = tmp_path / f"{name}.txt"
        path.write_text(f"Notes {name}.\n", encoding="utf-8")
        paths.append(path)
    report = file_feature.import_worker(project_of(window), paths, lambda done, total, label: False)
    assert report.cancelled and [p.name for p in report.imported] == ["one.txt"]
    file_feature.finish_import(window, report)
    dialog = window.last_import_dialog
    assert dialog is not None and "cancelled" in dialog.summary.text()
    dialog.close()
    assert stack(window).undoText() == "Import document 'one'"
    stack(window).undo()
    assert {d.name for d in project_of(window).documents()} == {"Amira"}


def test_import_options_case_per_document(qtbot, window: RecordingWindow, tmp_path: Path) -> None:
    from coder.ui.dialogs.import_dialog import ImportOptionsDialog
    from coder.ui.features import file as file_feature

    path = tmp_path / "Bilal.txt"
    text = "Interviewer: Hello?\nBilal: Hello.\nInterviewer: Why?\nBilal: Why not.\n"
    path.write_text(text, encoding="utf-8")
    dialog = ImportOptionsDialog([path], window)
    dialog.cases.setChecked(True)
    task = file_feature.import_documents(window, [path], **dialog.options())
    assert task is not None
    qtbot.waitUntil(lambda: task.finished, timeout=20000)
    doc = project_of(window).find_document("Bilal")
    assert doc.case == "Bilal"
    assert [t.speaker for t in project_of(window).turns(doc.id)] == ["Interviewer", "Bilal"] * 2


def test_reopening_the_open_project_keeps_it(window: RecordingWindow, project_path: Path) -> None:
    before = window.project
    assert window.open_project(project_path)
    assert window.project is before and window.errors == []


def test_welcome_lists_recent_projects_and_opens_one(qtbot, project_path: Path) -> None:
    from coder.core import settings

    settings.add_recent_project(project_path)
    win = MainWindow()
    qtbot.addWidget(win)
    win.welcome.refresh()
    model = win.welcome.recent_model
    assert model.stringList() == [str(project_path.resolve())]
    win.welcome.recent.activated.emit(model.index(0, 0))
    assert win.project is not None and win.project.path.resolve() == project_path.resolve()
    win.close_project()


def test_shift_arrow_selects_text_unless_a_coding_is_selected(
    qtbot, window: RecordingWindow, project_path: Path
) -> None:
    start = TEXT.index("packed")
    leaving, doc = code_id(window, "Leaving"), window.view.doc_id
    window.push("Apply code 'Leaving'", lambda p: p.apply_code(doc, leaving, start, start + 6))
    select(window, start, start + 6)  # same range, but the coding was not selected
    window.view.active_coding_id = None
    qtbot.keyClick(window.view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert window.view.selection_cp() == (start, start + 7)
    assert codings(project_path) == [("Leaving", start, start + 6, "")]
    [cid] = window.view.spans
    window.view.stripes.select_coding(cid)  # as a click on its stripe does
    qtbot.keyClick(window.view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert codings(project_path) == [("Leaving", start, start + 7, "")]


def test_widgets_have_accessible_names(window: RecordingWindow) -> None:
    for widget in (
        window.view,
        window.view.stripes,
        window.view.gutter,
        window.find_bar.edit,
        window.welcome.recent,
        window.undo_view,
        window.position_label,
        window.codes_label,
    ):
        assert widget.accessibleName(), widget
    for dock in window.docks.values():
        assert dock.widget().accessibleName(), dock.objectName()


def test_keyboard_shortcuts_help_lists_coding_keys() -> None:
    from coder.ui.actions import load_features
    from coder.ui.features.edit import shortcuts_html

    load_features()
    html = shortcuts_html()
    for text in ("Quick code 1", "Shift+Left", "Alt+Right", "Code in vivo", "Ctrl+Shift+Z"):
        assert text in html


def test_click_in_coded_passage_lists_its_codes(qtbot, window: RecordingWindow) -> None:
    from coder.ui.features import coding

    start = TEXT.index("leaders")
    doc = shown(window)
    coding.apply_code(window, code_id(window, "Corruption"), passage=(doc, start, start + 20))
    coding.apply_code(window, code_id(window, "Leaving"), passage=(doc, start + 5, start + 12))
    view = window.view
    c = view.textCursor()
    c.setPosition(u16(TEXT, start + 8))
    view.setTextCursor(c)
    rect = view.cursorRect()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.codes_label.text() == "Codes: Leaving, Corruption"
    assert view.active_coding_id == view.codings_at(start + 8)[0].id


def test_ctrl_return_codes_with_the_code_selected_in_the_codebook(
    qtbot, window: RecordingWindow, project_path: Path
) -> None:
    codebook = codebook_dock(window)
    codebook.select_code(code_id(window, "Leaving"))
    start = TEXT.index("night")
    select(window, start, start + 5)
    window.trigger("coding.apply_current")
    assert codings(project_path) == [("Leaving", start, start + 5, "")]


def test_deleting_the_shown_document_and_undoing_shows_it_again(window: RecordingWindow) -> None:
    doc = window.view.doc_id
    assert window.push("Delete document 'Amira'", lambda p: p.delete_document(doc))
    assert window.view.doc_id is None and window.central.currentWidget() is window.no_document
    stack(window).undo()
    assert window.view.doc_id == doc and window.view.text == TEXT


def test_quick_codes_menu_names_the_assigned_codes(window: RecordingWindow) -> None:
    from coder.ui.features import coding

    set_quick_key(window, 2, "Leaving")
    coding.refresh_quick_titles(window)
    assert window.actions_by_id["coding.quick2"].text() == "Quick code 2: Leaving"
    assert window.actions_by_id["coding.quick3"].text() == "Quick code 3 (not assigned)"


def test_failed_undo_is_shown_not_raised(window: RecordingWindow, monkeypatch) -> None:
    from coder.core.errors import CoderError
    from coder.ui.features import coding

    coding.apply_code(window, code_id(window, "Leaving"), passage=(shown(window), 0, 5))

    def broken(changes):
        raise CoderError("study.coder could not be written: disk I/O error")

    monkeypatch.setattr(window.project, "undo", broken)
    stack(window).undo()
    errors = window.errors
    assert errors[-1].startswith("could not undo “Apply code 'Leaving'”")
    assert len(window.view.spans) == 1  # the view shows what the file holds


def test_a_failed_undo_leaves_the_history_where_it_was(
    qtbot, window: RecordingWindow, monkeypatch
) -> None:
    """A full disk: the coding stays, the history still lists it as done, and the undo can be
    tried again once the disk has room."""
    from coder.core.errors import CoderError
    from coder.ui.features import coding

    leaving = code_id(window, "Leaving")
    for start in (0, 10, 20):
        coding.apply_code(window, leaving, passage=(shown(window), start, start + 5))
    undo_stack = stack(window)
    assert undo_stack.index() == 3
    assert window.project is not None
    real_undo = window.project.undo

    def full(changes):
        raise CoderError("study.coder could not be written: the disk is full")

    monkeypatch.setattr(window.project, "undo", full)
    undo_stack.undo()
    qtbot.waitUntil(lambda: undo_stack.index() == 3)
    assert undo_stack.canUndo() and len(window.view.spans) == 3
    # The Undo History jumps several steps at once: the first fails, none is applied.
    undo_stack.setIndex(0)
    qtbot.waitUntil(lambda: undo_stack.index() == 3)
    assert len(window.view.spans) == 3
    monkeypatch.setattr(window.project, "undo", real_undo)
    undo_stack.undo()
    assert undo_stack.index() == 2 and len(window.view.spans) == 2


def test_a_failed_redo_leaves_the_history_where_it_was(
    qtbot, window: RecordingWindow, monkeypatch
) -> None:
    from coder.core.errors import CoderError
    from coder.ui.features import coding

    leaving = code_id(window, "Leaving")
    for start in (0, 10):
        coding.apply_code(window, leaving, passage=(shown(window), start, start + 5))
    undo_stack = stack(window)
    undo_stack.setIndex(0)
    assert len(window.view.spans) == 0
    assert window.project is not None
    real_redo = window.project.redo
    calls = []

    def full(changes):
        calls.append(changes)
        if len(calls) == 2:  # the second step of the jump fails
            raise CoderError("study.coder could not be written: the disk is full")
        return real_redo(changes)

    monkeypatch.setattr(window.project, "redo", full)
    undo_stack.setIndex(2)
    qtbot.waitUntil(lambda: undo_stack.index() == 1)
    assert len(window.view.spans) == 1 and window.errors[-1].startswith("could not redo")
    monkeypatch.setattr(window.project, "redo", real_redo)
    undo_stack.redo()
    assert undo_stack.index() == 2 and len(window.view.spans) == 2


def test_text_size_changes_and_is_remembered(qtbot, window: RecordingWindow) -> None:
    from coder.core import settings

    before = window.view.text_size()
    window.trigger("view.text_larger")
    window.trigger("view.text_larger")
    assert window.view.text_size() == before + 2
    assert settings.get("text_size") == before + 2
    second = MainWindow()
    qtbot.addWidget(second)
    assert second.view.text_size() == before + 2
    window.trigger("view.text_reset")
    assert window.view.text_size() == window.view.default_text_size


def test_alt_down_and_up_walk_the_coded_passages(qtbot, window: RecordingWindow) -> None:
    from coder.ui.features import coding

    doc = shown(window)
    spots = [TEXT.index(w) for w in ("leave", "leaders", "packed")]
    for s in reversed(spots):
        coding.apply_code(window, code_id(window, "Leaving"), passage=(doc, s, s + 4))
    select(window, 0, 0)
    window.view.active_coding_id = None
    seen = []
    for _ in range(4):
        qtbot.keyClick(window.view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
        seen.append(window.view.selection_cp()[0])
    assert seen == [*spots, spots[0]]  # wraps around
    qtbot.keyClick(window.view, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert window.view.selection_cp()[0] == spots[-1]


def test_text_menu_offers_coding_and_the_codings_here(window: RecordingWindow) -> None:
    from coder.ui.features import coding

    start = TEXT.index("leaders")
    coding.apply_code(
        window, code_id(window, "Corruption"), passage=(shown(window), start, start + 7)
    )
    select(window, start + 1, start + 4)
    menu = QMenu()
    coding.fill_text_menu(window, menu, [s.id for s in window.view.codings_at(start + 1)])
    titles = [a.text() for a in menu.actions()]
    assert titles[0] == "Code with &recent code"
    assert "Code &in vivo" in titles and "Code with a &new code…" in titles
    assert "Coding 'Corruption' — Maria" in titles
    recent = menu.actions()[0].menu()
    assert isinstance(recent, QMenu)
    assert [a.text() for a in recent.actions()] == ["Corruption"]
    recent.actions()[0].trigger()
    assert stack(window).undoText() == "Apply code 'Corruption'"
    assert len(window.view.spans) == 2


def test_keyboard_only_coding(qtbot, window: RecordingWindow, project_path: Path) -> None:
    """Caret, Shift+Right to select, 1 to code; then Shift+Right grows that new coding."""
    set_quick_key(window, 1, "Leaving")
    view = window.view
    start = TEXT.index("packed")
    select(window, start, start)
    for _ in range(6):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert view.selection_cp() == (start, start + 6)
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert codings(project_path) == [("Leaving", start, start + 6, "")]
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert codings(project_path) == [("Leaving", start, start + 7, "")]
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # Edit → Undo
    assert codings(project_path) == [("Leaving", start, start + 6, "")]
    mods = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(view, Qt.Key.Key_Z, mods)  # Edit → Redo
    assert codings(project_path) == [("Leaving", start, start + 7, "")]


def test_activating_another_window_repaints_no_list_that_looks_the_same(
    qtbot, window: RecordingWindow
) -> None:
    """Qt repaints every item view when its window gains or loses the focus; where the
    palette is the same in both states nothing would change, so the docks are left alone."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    from benchmarks.gui import PaintWatch

    view = window.codebook_dock.view
    qtbot.waitUntil(lambda: view.model().rowCount() == 2)
    watch = PaintWatch(view.viewport())
    QApplication.processEvents()

    def paints_after(kind: QEvent.Type) -> int:
        before = watch.paints
        QApplication.sendEvent(view, QEvent(kind))
        for _ in range(5):
            QApplication.processEvents()
        return watch.paints - before

    palette = view.palette()
    for role in range(QPalette.ColorRole.NColorRoles.value):
        brush = palette.brush(QPalette.ColorGroup.Active, QPalette.ColorRole(role))
        palette.setBrush(QPalette.ColorGroup.Inactive, QPalette.ColorRole(role), brush)
    view.setPalette(palette)
    paints_after(QEvent.Type.None_)  # the repaint the new palette asks for
    assert palette.isEqual(QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive)
    assert paints_after(QEvent.Type.WindowDeactivate) == 0
    assert paints_after(QEvent.Type.WindowActivate) == 0
    # A palette that dims the selection of an inactive window is repainted as before.
    palette.setColor(
        QPalette.ColorGroup.Inactive, QPalette.ColorRole.Highlight, palette.text().color()
    )
    view.setPalette(palette)
    paints_after(QEvent.Type.None_)
    assert paints_after(QEvent.Type.WindowDeactivate) >= 1


def _import_many_turns(window: RecordingWindow, tmp_path: Path, turns: int = 2_500) -> None:
    from coder.ui.features import file as file_feature

    path = tmp_path / "Dense.txt"
    lines = [f"{'AB'[i % 2]}: turn {i}." for i in range(turns)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = file_feature.import_worker(project_of(window), [path], lambda d, t, label: True)
    assert len(report.changes.created("turns")) == turns
    file_feature.finish_import(window, report)


def _count_writes(monkeypatch) -> list[tuple[str, bool, bool]]:
    """Each undo or redo written: (verb, big, on the window's thread)."""
    import threading

    from coder.core.store import Store
    from coder.ui.views.common import BULK_ROWS

    writes: list[tuple[str, bool, bool]] = []
    for verb in ("undo", "redo"):
        real = getattr(Store, verb)

        def counted(self, changes, real=real, verb=verb):
            on_gui = threading.current_thread() is threading.main_thread()
            writes.append((verb, changes.row_count > BULK_ROWS, on_gui))
            return real(self, changes)

        monkeypatch.setattr(Store, verb, counted)
    return writes


def test_a_big_undo_and_redo_are_written_off_the_window_thread_in_order(
    qtbot, window: RecordingWindow, tmp_path: Path, monkeypatch
) -> None:
    from coder.ui.commands import replays
    from coder.ui.features import coding

    coding.apply_code(window, code_id(window, "Leaving"), passage=(shown(window), 0, 5))
    _import_many_turns(window, tmp_path)
    undo_stack = stack(window)
    assert undo_stack.index() == 2
    writes = _count_writes(monkeypatch)
    undo_stack.undo()  # the import: on a worker
    assert replays(window).busy and undo_stack.undoText() == "Apply code 'Leaving'"
    undo_stack.undo()  # a second Ctrl+Z meanwhile waits for it
    assert undo_stack.index() == 0 and len(writes) <= 1
    # another edit meanwhile is refused with a message, never interleaved
    coding.apply_code(window, code_id(window, "Leaving"), passage=(shown(window), 10, 15))
    assert window.errors == ["an undo or redo is still being written; try again when it is done"]
    window.errors.clear()
    qtbot.waitUntil(lambda: not replays(window).busy)
    assert writes == [("undo", True, False), ("undo", False, True)]
    assert {d.name for d in project_of(window).documents()} == {"Amira"}
    assert not codings(window.project.path)  # type: ignore[union-attr]
    undo_stack.setIndex(2)  # the Undo History: the coding at once, the import on a worker
    qtbot.waitUntil(lambda: not replays(window).busy)
    assert writes[2:] == [("redo", False, True), ("redo", True, False)]
    assert {d.name for d in project_of(window).documents()} == {"Amira", "Dense"}
    assert len(codings(window.project.path)) == 1  # type: ignore[union-attr]
    assert undo_stack.index() == 2 and undo_stack.undoText() == "Import document 'Dense'"
    assert window.errors == [] and replays(window).jobs == 2


def test_a_failed_big_redo_leaves_the_history_where_it_was(
    qtbot, window: RecordingWindow, tmp_path: Path, monkeypatch
) -> None:
    from coder.core.errors import CoderError
    from coder.core.store import Store
    from coder.ui.commands import replays

    _import_many_turns(window, tmp_path)
    undo_stack = stack(window)
    undo_stack.undo()
    qtbot.waitUntil(lambda: not replays(window).busy)
    assert undo_stack.index() == 0
    real_redo = Store.redo

    def full(self, changes):
        raise CoderError("study.coder could not be written: the disk is full")

    monkeypatch.setattr(Store, "redo", full)
    undo_stack.redo()
    qtbot.waitUntil(lambda: not replays(window).busy and undo_stack.index() == 0)
    assert window.errors[-1].startswith("could not redo “Import document 'Dense'”")
    assert {d.name for d in project_of(window).documents()} == {"Amira"}
    monkeypatch.setattr(Store, "redo", real_redo)
    undo_stack.redo()
    qtbot.waitUntil(lambda: not replays(window).busy and undo_stack.index() == 1)
    assert {d.name for d in project_of(window).documents()} == {"Amira", "Dense"}
