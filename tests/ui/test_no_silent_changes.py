"""Nothing changes a researcher's data without a deliberate act and visible feedback.

Each test drives the real widgets as the usability study did: browsing the codebook with text
selected, U on a passage two coders coded, a quoted phrase search, undo and redo, and reads
the project file afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from coder.core import settings
from coder.core.project import Project
from coder.core.text import detect_turns
from coder.ui.main_window import MainWindow
from tests.ui.recording_window import stack

TEXT = (
    "Interviewer: Why did you go back?\n"
    "Amira: My sister and my mother needed me. My sister mother-in-law was ill.\n"
    "Interviewer: And the money?\n"
    "Amira: The family pull was stronger than any salary.\n"
)
PULL = (TEXT.index("The family pull"), TEXT.index("stronger"))


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "team.coder"
    with Project.create(path) as p:
        doc = p.add_document("Amira", TEXT, turns=detect_turns(TEXT)).created("documents")[0]
        family = p.add_code("Family pull", color="#4E79A7").created("codes")[0]
        p.add_code("Turning point", color="#E15759")
        p.add_code("Money", color="#59A14F")
        # Sam and Maria both coded the same passage with the same code.
        p.apply_code(doc, family, *PULL, coder="Sam")
        p.apply_code(doc, family, *PULL, coder="Maria")
    return path


@pytest.fixture
def window(qtbot, project_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    settings.set_value("coder_name", "Maria")
    win = MainWindow()
    qtbot.addWidget(win)
    win.questions = []  # type: ignore[attr-defined]
    win.answer = False  # type: ignore[attr-defined]

    def confirm(question: str, yes: str = "OK") -> bool:
        win.questions.append((question, yes))  # type: ignore[attr-defined]
        return win.answer  # type: ignore[attr-defined]

    monkeypatch.setattr(win, "confirm", confirm)
    monkeypatch.setattr(win, "show_error", lambda m: pytest.fail(f"error shown: {m}"))
    win.show()
    qtbot.waitExposed(win)
    assert win.open_project(project_path)
    yield win
    win.close_project()


def codings(path: Path) -> list[tuple[str, int, int, str]]:
    with Project.open(path, read_only=True) as p:
        return sorted((c.code_path, c.start, c.end, c.coder) for c in p.codings())


def click_code(qtbot, window: MainWindow, name: str, double: bool = False) -> None:
    dock = window.codebook_dock
    assert window.project is not None
    index = dock.proxy.mapFromSource(dock.model.index_of(window.project.find_code(name).id))
    where = dock.view.visualRect(index).center()
    qtbot.mouseClick(dock.view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    if double:
        qtbot.mouseDClick(dock.view.viewport(), Qt.MouseButton.LeftButton, pos=where)


def status(window: MainWindow) -> str:
    return window.statusBar().currentMessage()


# ---------------------------------------------------------------- 1. a click never codes


def test_clicking_codes_while_text_is_selected_never_codes(
    qtbot, window: MainWindow, project_path: Path
) -> None:
    """The study's path: open a retrieved passage (which selects it), then browse codes."""
    before = codings(project_path)
    click_code(qtbot, window, "Family pull")
    retrieval = window.retrieval_dock
    assert len(retrieval.passages()) == 2  # the click showed the code's passages
    table = retrieval.view
    row = table.visualRect(retrieval.proxy.index(0, 0)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=row)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=row)
    assert window.view.selection_cp() == PULL  # the passage is selected in the text
    for name in ("Turning point", "Money", "Family pull", "Turning point"):
        click_code(qtbot, window, name)
    assert codings(project_path) == before
    assert stack(window).count() == 0
    assert window.view.selection_cp() == PULL  # browsing kept the selection


def test_coding_from_the_codebook_is_deliberate(
    qtbot, window: MainWindow, project_path: Path
) -> None:
    """Double-click, Enter and the Code button code the selection; each says so."""
    start = TEXT.index("My sister and")
    window.view.select_cp(start, start + 8)
    click_code(qtbot, window, "Turning point", double=True)
    assert ("Turning point", start, start + 8, "Maria") in codings(project_path)
    assert status(window) == "Coded 8 characters with 'Turning point'"
    window.view.select_cp(start, start + 2)
    dock = window.codebook_dock
    click_code(qtbot, window, "Money")
    qtbot.keyClick(dock.view, Qt.Key.Key_Return)
    assert ("Money", start, start + 2, "Maria") in codings(project_path)
    window.view.select_cp(start + 3, start + 8)
    click_code(qtbot, window, "Family pull")
    assert dock.code_button.isEnabled()
    qtbot.mouseClick(dock.code_button, Qt.MouseButton.LeftButton)
    assert ("Family pull", start + 3, start + 8, "Maria") in codings(project_path)


def test_the_code_button_waits_for_a_selection_and_a_code(qtbot, window: MainWindow) -> None:
    dock = window.codebook_dock
    window.view.select_cp(3, 3)
    click_code(qtbot, window, "Money")
    assert not dock.code_button.isEnabled()
    window.view.select_cp(3, 9)
    assert dock.code_button.isEnabled()


def test_a_category_is_never_applied(qtbot, window: MainWindow, project_path: Path) -> None:
    assert window.project is not None
    window.push("Add category", lambda p: p.add_code("Themes", codable=False))
    before = codings(project_path)
    window.view.select_cp(3, 9)
    click_code(qtbot, window, "Themes", double=True)
    assert codings(project_path) == before
    assert "category" in status(window)


# ---------------------------------------------------------------- 2. U and other coders


def test_u_removes_your_own_coding_and_asks_before_someone_elses(
    qtbot, window: MainWindow, project_path: Path
) -> None:
    window.view.select_cp(PULL[0] + 4, PULL[0] + 4)  # the caret inside both codings
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_U)
    assert codings(project_path) == [("Family pull", *PULL, "Sam")]  # Maria's own went
    assert window.questions == []  # type: ignore[attr-defined]
    assert status(window) == "Removed coding 'Family pull' — Maria (Ctrl+Z undoes it)"
    qtbot.keyClick(window.view, Qt.Key.Key_U)  # only Sam's is left: ask, naming Sam
    [(question, yes)] = window.questions  # type: ignore[attr-defined]
    assert "Remove Sam's coding of 'Family pull'?" in question
    assert "not by you (Maria)" in question
    assert yes == "Remove Sam's coding"
    assert codings(project_path) == [("Family pull", *PULL, "Sam")]  # cancelled: kept
    window.answer = True  # type: ignore[attr-defined]
    qtbot.keyClick(window.view, Qt.Key.Key_U)
    assert codings(project_path) == []
    assert status(window) == "Removed coding 'Family pull' — Sam (Ctrl+Z undoes it)"


def test_menus_name_each_codings_coder(window: MainWindow) -> None:
    from coder.ui.features import coding

    window.view.select_cp(PULL[0] + 4, PULL[0] + 4)
    menu = QMenu()
    coding.fill_text_menu(window, menu, [s.id for s in window.view.codings_at(PULL[0] + 4)])
    titles = [a.text() for a in menu.actions()]
    assert "Coding 'Family pull' — Sam" in titles and "Coding 'Family pull' — Maria" in titles
    sam = next(s.id for s in window.view.spans.values() if s.coder == "Sam")
    stripe = QMenu()
    coding.fill_coding_menu(window, stripe, sam)
    assert all("— Sam" in a.text() for a in stripe.actions())


def test_undo_redo_remove_and_recode_say_what_they_did(
    window: MainWindow, project_path: Path
) -> None:
    from coder.ui.features import coding

    window.answer = True  # type: ignore[attr-defined]
    assert window.project is not None
    sam = next(s.id for s in window.view.spans.values() if s.coder == "Sam")
    coding.recode(window, sam, window.project.find_code("Money").id)
    assert status(window) == "Recoded 'Family pull' — Sam as 'Money'"
    assert window.questions[-1][1] == "Recode Sam's coding"  # type: ignore[attr-defined]
    window.trigger("edit.undo")
    assert status(window) == "Undone: Recode 'Family pull' — Sam as 'Money'"
    assert ("Family pull", *PULL, "Sam") in codings(project_path)
    window.trigger("edit.redo")
    assert status(window) == "Redone: Recode 'Family pull' — Sam as 'Money'"
    assert ("Money", *PULL, "Sam") in codings(project_path)


# ---------------------------------------------------------------- 3. phrase search


def test_a_quoted_phrase_finds_and_codes_the_phrase_only(
    window: MainWindow, project_path: Path
) -> None:
    search = window.search_dock
    assert search.run_search('"sister mother"')
    hits = search.hits()
    assert [TEXT[h.start : h.end] for h in hits] == ["sister mother"]
    assert search.status.text() == "1 match in 1 document"
    assert window.project is not None
    assert search.code_all(window.project.find_code("Money").id)
    start = TEXT.index("sister mother")
    assert ("Money", start, start + len("sister mother"), "Maria") in codings(project_path)
    assert search.run_search("sister mother")  # without quotes: every word
    assert len(search.hits()) == 4


def test_the_note_of_what_was_done_survives_the_pointer_passing_over_widgets(
    qtbot, window: MainWindow
) -> None:
    """Hovering a list sends an empty status tip; it wiped "Coded …" at once."""
    from PySide6.QtGui import QStatusTipEvent
    from PySide6.QtWidgets import QApplication

    start = TEXT.index("My sister and")
    window.view.select_cp(start, start + 8)
    click_code(qtbot, window, "Money", double=True)
    QApplication.sendEvent(window, QStatusTipEvent(""))
    assert status(window) == "Coded 8 characters with 'Money'"
