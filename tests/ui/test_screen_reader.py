"""What a screen reader gets from the window, read through Qt's accessibility interfaces
(``QAccessible.queryAccessibleInterface``), the same objects the AT-SPI, UI Automation and
NSAccessibility bridges read. The AT-SPI side itself is tested in test_screen_reader_atspi."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QStatusTipEvent, QTextCursor
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QMenu, QToolBar, QWidget

from coder.core.project import Project
from coder.ui.accessible_names import name_for
from coder.ui.views import announce as speech
from coder.ui.views.codebook_dock import CodebookDock
from tests.ui.accessible_tree import unnamed, walk
from tests.ui.recording_window import RecordingWindow

LINES = [
    "Interviewer: Why did you leave?",
    "Amira: We left at night because the leaders lied.",
    "Interviewer: And then? Amira: 👩‍👩‍👧 came first, then the money.",
]
TEXT = "\n".join(LINES) + "\n"
SECOND = len(LINES[0]) + 1
THIRD = SECOND + len(LINES[1]) + 1
R = QAccessible.Role


def u16(cp: int) -> int:
    return len(TEXT[:cp].encode("utf-16-le")) // 2


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "reading.coder"
    with Project.create(path) as p:
        p.add_document("Amira", TEXT)
        p.add_code("Leaving")
        p.add_code("Corruption")
        doc = p.documents()[0].id
        leaving, corruption = p.find_code("Leaving").id, p.find_code("Corruption").id
        p.apply_code(doc, leaving, SECOND, THIRD - 1, coder="Sam")
        p.apply_code(doc, corruption, SECOND + 32, THIRD - 2, coder="Alex")
        p.apply_code(doc, leaving, THIRD + 30, len(TEXT) - 1, coder="Alex")
    return path


@pytest.fixture
def said(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the window announced to screen readers, in order."""
    messages: list[str] = []
    real = speech.announce

    def record(widget: QWidget, message: str, assertive: bool = False) -> None:
        messages.append(message)
        real(widget, message, assertive)

    monkeypatch.setattr(speech, "announce", record)
    return messages


@pytest.fixture
def window(qtbot, project_path: Path, said: list[str]) -> Iterator[RecordingWindow]:
    from coder.core import settings

    settings.set_value("coder_name", "Maria")
    win = RecordingWindow()
    qtbot.addWidget(win)
    win.resize(1366, 728)
    win.show()
    qtbot.waitExposed(win)
    assert win.open_project(project_path)
    yield win
    win.close_project()


def caret(window: RecordingWindow, cp: int, end: int | None = None) -> None:
    view = window.view
    c = view.textCursor()
    c.setPosition(u16(cp))
    if end is not None:
        c.setPosition(u16(end), QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(c)
    view.setFocus()


def press(qtbot, window: RecordingWindow, key: Qt.Key, mods=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(window.view, key, mods)


def test_the_document_view_exposes_its_text_caret_and_selection(window: RecordingWindow) -> None:
    iface = QAccessible.queryAccessibleInterface(window.view)
    assert iface.role() == QAccessible.Role.EditableText
    assert iface.text(QAccessible.Text.Name) == "Document text"
    assert not iface.state().editable or iface.state().readOnly
    text = iface.textInterface()
    assert text.characterCount() == u16(len(TEXT))
    assert text.text(0, text.characterCount()) == TEXT
    caret(window, SECOND + 3)
    assert text.cursorPosition() == u16(SECOND + 3)
    assert text.selectionCount() == 0
    caret(window, THIRD, THIRD + 11)
    assert text.selectionCount() == 1
    assert text.cursorPosition() == u16(THIRD + 11)


def test_the_description_names_the_codings_at_the_caret(window: RecordingWindow) -> None:
    iface = QAccessible.queryAccessibleInterface(window.view)

    def description() -> str:
        return iface.text(QAccessible.Text.Description)

    caret(window, 3)
    assert description() == "Not coded. Document Amira"
    caret(window, SECOND + 3)
    assert description() == "Coded: Leaving (Sam). Document Amira"
    caret(window, SECOND + 40)  # inside both: the innermost first
    assert description() == "Coded: Corruption (Alex), Leaving (Sam). Document Amira"
    caret(window, SECOND + 36, SECOND + 40)  # a selection inside both
    assert description().startswith("Coded: Corruption (Alex), Leaving (Sam)")
    caret(window, SECOND, SECOND + 40)  # a selection wider than the inner coding
    assert description().startswith("Coded: Leaving (Sam).")
    caret(window, len(TEXT) - 2)  # after the emoji: positions are code points
    assert description().startswith("Coded: Leaving (Alex)")


def test_every_status_message_is_announced_but_not_status_tips(
    qtbot, window: RecordingWindow, said: list[str]
) -> None:
    caret(window, 0, len(LINES[0]))
    press(qtbot, window, Qt.Key.Key_1)
    assert said[-1] == f"Coded {len(LINES[0])} characters with 'Leaving'"
    bar = QAccessible.queryAccessibleInterface(window.statusBar())
    assert bar.text(QAccessible.Text.Name) == "Status"
    assert bar.text(QAccessible.Text.Description) == said[-1]
    count = len(said)
    QApplication.sendEvent(window, QStatusTipEvent("Open a project file"))
    assert window.statusBar().currentMessage() == "Open a project file"
    assert len(said) == count  # a hover tip is not news
    window.undo_group.undo()
    assert said[-1].startswith("Undone") and "Leaving" in said[-1]
    window.undo_group.redo()
    assert said[-1].startswith("Redone") and "Leaving" in said[-1]


def test_w_says_the_codings_at_the_cursor(qtbot, window: RecordingWindow, said: list[str]) -> None:
    caret(window, SECOND + 40)
    press(qtbot, window, Qt.Key.Key_W)
    assert said[-1] == (
        "Corruption, coded by Alex, 16 characters; Leaving, coded by Sam, 49 characters"
    )
    caret(window, 2)
    press(qtbot, window, Qt.Key.Key_W)
    assert said[-1] == "Not coded here"


def test_jumping_between_codings_says_code_coder_and_place(
    qtbot, window: RecordingWindow, said: list[str]
) -> None:
    caret(window, 0)
    press(qtbot, window, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert said[-1] == "Leaving, coded by Sam, 49 characters, coded passage 1 of 3"
    assert window.view.selection_cp() == (SECOND, THIRD - 1)
    press(qtbot, window, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert said[-1].startswith("Corruption, coded by Alex, 16 characters, coded passage 2 of 3")


def test_next_passage_of_the_selected_code(qtbot, window: RecordingWindow, said: list[str]) -> None:
    codebook = window.dock_widgets["codebook"]
    assert isinstance(codebook, CodebookDock)
    assert window.project is not None
    codebook.select_code(window.project.find_code("Leaving").id)
    caret(window, 0)
    window.trigger("coding.next_of_code")
    assert said[-1] == "Leaving, coded by Sam, 49 characters, passage 1 of 2"
    window.trigger("coding.next_of_code")
    assert said[-1].startswith("Leaving, coded by Alex")
    assert said[-1].endswith("passage 2 of 2")
    assert window.view.selection_cp() == (THIRD + 30, len(TEXT) - 1)
    window.trigger("coding.next_of_code")
    assert said[-1].endswith("passage 1 of 2, from the other end")
    window.trigger("coding.previous_of_code")
    assert said[-1].endswith("passage 2 of 2, from the other end")
    # The keys are Alt+PgDown and Alt+PgUp.
    keys = {
        window.actions_by_id[a].shortcut().toString()
        for a in ("coding.next_of_code", "coding.previous_of_code")
    }
    assert keys == {"Alt+PgDown", "Alt+PgUp"}


def test_the_codings_of_a_paragraph_as_a_list(
    qtbot, window: RecordingWindow, said: list[str]
) -> None:
    caret(window, SECOND + 2)
    window.trigger("coding.paragraph_codings")
    dialog = window.paragraph_dialog
    assert dialog is not None and dialog.isVisible()
    items = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert items == [
        "Leaving, coded by Sam, 49 characters: “Amira: We left at night because the leaders lied.”",
        "Corruption, coded by Alex, 16 characters: “the leaders lied”",
    ]
    assert dialog.list.accessibleName() == "Codings in this paragraph"
    assert unnamed(dialog) == []
    dialog.list.setCurrentRow(1)
    qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    assert window.view.selection_cp() == (SECOND + 32, THIRD - 2)
    assert said[-1] == "Corruption, coded by Alex, 16 characters"
    caret(window, 1)
    window.trigger("coding.paragraph_codings")
    assert said[-1] == "No coding in this paragraph"


def test_no_interactive_widget_is_unnamed(window: RecordingWindow) -> None:
    """Buttons, fields, lists, tables, tabs: all of them, shown or not (a clear button shows
    once its field has text)."""
    assert unnamed(window) == []
    for dock in window.docks.values():
        assert dock.widget().accessibleName(), dock.windowTitle()


def test_names_for_the_widgets_qt_builds_inside_others(qtbot) -> None:
    field = QLineEdit()
    field.setAccessibleName("Filter codes")
    field.setClearButtonEnabled(True)
    combo = QComboBox()
    combo.setAccessibleName("Coders")
    bar = QToolBar("Case actions")
    for w in (field, combo, bar):
        qtbot.addWidget(w)
    clear = next(b for b in field.findChildren(QWidget) if type(b).__name__ == "QToolButton")
    assert name_for(clear) == "Clear Filter codes"
    assert name_for(combo.view()) == "Coders choices"
    ext = bar.findChild(QWidget, "qt_toolbar_ext_button")
    assert ext is not None and name_for(ext) == "More Case actions"


def test_every_menu_entry_has_its_own_letter_or_a_key(window: RecordingWindow) -> None:
    from PySide6.QtWidgets import QMenu

    from coder.ui.mnemonics import mnemonic

    problems = []
    todo: list[tuple[str, list]] = [("menu bar", window.menuBar().actions())]
    while todo:
        where, acts = todo.pop()
        letters: dict[str, str] = {}
        for act in acts:
            if act.isSeparator() or not act.text():
                continue
            menu = act.menu()
            if isinstance(menu, QMenu):
                menu.aboutToShow.emit()  # menus filled as they open (recent projects, quick codes)
                todo.append((f"{where} → {act.text()}", menu.actions()))
            letter = mnemonic(act.text())
            if letter is None and act.shortcut().isEmpty():
                problems.append(f"{where} → {act.text()}: no letter, no key")
            elif letter is not None and letter in letters:
                problems.append(f"{where}: {act.text()} and {letters[letter]} share {letter}")
            elif letter is not None:
                letters[letter] = act.text()
    assert problems == []


def test_mnemonics_are_given_free_letters() -> None:
    from coder.ui.mnemonics import with_mnemonic

    assert with_mnemonic("Cases", set()) == "&Cases"
    assert with_mnemonic("Cases", {"c"}) == "C&ases"
    assert with_mnemonic("Search project", {"s"}) == "Search &project"
    assert with_mnemonic("R&&D notes", {"r"}) == "R&&D &notes"
    assert with_mnemonic("abc", {"a", "b", "c"}) == "abc"


def test_tables_name_their_rows_and_columns(qtbot, window: RecordingWindow) -> None:
    """A screen reader says a cell with its column's header and its row's (the first cell:
    the code, case or document), in the docks and in the analysis window."""
    from coder.ui.views.analysis_window import AnalysisWindow

    window.trigger("analysis.frequencies")
    analysis = getattr(window, "analysis_window", None)
    assert isinstance(analysis, AnalysisWindow)
    # Every table shown and laid out (a table not yet laid out offers only the rows it shows).
    qtbot.waitUntil(lambda: analysis.status.text() == "Up to date.", timeout=20000)
    qtbot.waitExposed(analysis)
    for top in (window, analysis):
        nodes = walk(top)
        headers = [n for n in nodes if n.role in (R.ColumnHeader, R.RowHeader)]
        assert [n.path for n in headers if not n.name.strip()] == []
    row_names = {n.name for n in walk(analysis) if n.role == R.RowHeader}
    assert {"Leaving", "Corruption"} <= row_names
    analysis.close()


def test_the_focus_keys_land_in_each_panel_s_list(qtbot, window: RecordingWindow) -> None:
    """Ctrl+3, Ctrl+4, Ctrl+5: the arrows then move in the documents, the codebook and the
    retrieved passages (not in a filter field or a combo box, where Down would change it)."""
    for action_id, view in (
        ("view.focus_documents", window.documents_dock.view),
        ("view.focus_codebook", window.codebook_dock.view),
        ("view.focus_retrieval", window.retrieval_dock.view),
    ):
        window.trigger(action_id)
        qtbot.waitUntil(view.hasFocus)
        if action_id != "view.focus_retrieval":  # nothing retrieved yet: the table is empty
            assert view.currentIndex().isValid()
            assert not view.selectionModel().hasSelection()


def test_find_and_search_say_how_many_they_found(
    qtbot, window: RecordingWindow, said: list[str]
) -> None:
    window.trigger("edit.find")
    bar = window.find_bar
    bar.edit.setText("leaders")
    qtbot.waitUntil(lambda: bool(said) and "leaders" in said[-1])
    assert said[-1] == "Match 1 of 1 for 'leaders'"
    search = window.search_dock
    assert search.run_search("Amira")
    assert said[-1] == "2 matches in 1 document"
    search.run_search("nowhere")
    assert said[-1] == "No matches for 'nowhere'"


def test_the_notification_is_spoken_as_a_notification(window: RecordingWindow) -> None:
    """On Linux, Orca speaks a notification as it is shown: its role and its name."""
    notice = window.findChild(speech.Notice)
    assert notice is not None
    notice.say("Coded 4 characters with 'Leaving'")
    iface = QAccessible.queryAccessibleInterface(notice)
    assert iface.role() == QAccessible.Role.Notification
    assert iface.text(QAccessible.Text.Name) == "Coded 4 characters with 'Leaving'"
    assert notice.isVisible() and notice.size().isEmpty()


def test_letters_in_an_open_menu_choose_its_entries_not_the_text_s_keys(
    qtbot, window: RecordingWindow, said: list[str]
) -> None:
    """The text keeps the focus under a menu; its one-key commands (W, Q, 1–9) must not run
    when the letter was meant for the menu."""
    from coder.ui.mnemonics import mnemonic

    caret(window, SECOND + 3)
    menu = next(a.menu() for a in window.menuBar().actions() if "Code" in a.text())
    assert isinstance(menu, QMenu)
    say = window.actions_by_id["coding.say_codes"]
    letter = mnemonic(say.text())
    assert letter is not None and letter != "w"
    menu.popup(window.mapToGlobal(window.rect().center()))
    qtbot.waitUntil(menu.isVisible)
    qtbot.keyClick(menu, Qt.Key.Key_W)  # the text's W: not this menu's
    qtbot.keyClick(menu, Qt.Key.Key_1)  # quick key 1: would code
    assert said == []
    assert menu.isVisible()
    qtbot.keyClick(menu, Qt.Key(ord(letter.upper())))  # the entry's own letter
    qtbot.waitUntil(lambda: bool(said))
    assert said == ["Leaving, coded by Sam, 49 characters"]
    assert not menu.isVisible()


def test_letters_in_a_context_menu_are_the_menu_s_too(
    qtbot, window: RecordingWindow, said: list[str]
) -> None:
    """A menu built on the spot (a context menu) gets the letters as soon as it takes the
    keyboard, like the menu bar's."""
    caret(window, SECOND + 3)
    chosen: list[str] = []
    menu = QMenu(window.view)
    menu.addAction("&Zoom", lambda: chosen.append("zoom"))
    menu.popup(window.view.mapToGlobal(window.view.rect().center()))
    qtbot.waitUntil(lambda: QApplication.focusObject() is menu)
    qtbot.keyClick(menu, Qt.Key.Key_W)  # the text's W
    qtbot.keyClick(menu, Qt.Key.Key_1)  # quick key 1
    assert said == [] and chosen == []
    assert menu.isVisible()
    qtbot.keyClick(menu, Qt.Key.Key_Z)
    qtbot.waitUntil(lambda: chosen == ["zoom"])


@pytest.mark.parametrize(
    "action_id",
    ["edit.preferences", "file.export_report", "file.merge", "team.agreement",
     "view.cases_sheet", "explore.autocode", "edit.annotate", "analysis.frequencies"],
)  # fmt: skip
def test_every_window_and_dialog_names_its_widgets(
    qtbot, window: RecordingWindow, monkeypatch: pytest.MonkeyPatch, action_id: str
) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QDialog, QFileDialog

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: ("", ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([], ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    caret(window, SECOND, THIRD - 1)
    found: dict[str, list[str]] = {}

    def inspect() -> None:
        for top in QApplication.topLevelWidgets():
            if top.isVisible() and top is not window and not isinstance(top, QMenu):
                found.setdefault(top.windowTitle(), unnamed(top))
        modal = QApplication.activeModalWidget()
        if isinstance(modal, QDialog):
            modal.reject()

    QTimer.singleShot(0, inspect)  # a modal dialog: looked at from inside its own loop
    window.trigger(action_id)
    inspect()
    assert found, f"{action_id} opened no window"
    assert {title: names for title, names in found.items() if names} == {}
    for top in QApplication.topLevelWidgets():
        if top.isVisible() and top is not window:
            top.close()
