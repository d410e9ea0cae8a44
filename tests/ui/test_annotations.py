"""Annotations in the window: created on a selection (A, Edit → Annotate), shown as margin
markers with their text on hover, edited and deleted, all undoable; coding memos marked too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMenu

from coder.core import settings
from coder.core.project import Project
from coder.ui.features import annotate
from coder.ui.main_window import MainWindow
from tests.ui.recording_window import shown, stack

TEXT = "Amira: We left at night.\nInterviewer: Why?\nAmira: Because the leaders lied to us.\n"
LIED = (TEXT.index("leaders lied"), TEXT.index("leaders lied") + len("leaders lied"))


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "notes.coder"
    with Project.create(path) as p:
        doc = p.add_document("Amira", TEXT).created("documents")[0]
        p.add_code("Corruption")
        p.add_annotation(doc, 0, 5, "Pseudonym chosen by her", coder="Sam")
    return path


@pytest.fixture
def window(qtbot, project_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    settings.set_value("coder_name", "Maria")
    win = MainWindow()
    qtbot.addWidget(win)
    win.answers = []  # type: ignore[attr-defined]
    win.questions = []  # type: ignore[attr-defined]
    monkeypatch.setattr(
        win,
        "ask_text",
        lambda *a, **k: win.answers.pop(0),  # type: ignore[attr-defined]
    )
    monkeypatch.setattr(
        win,
        "confirm",
        lambda q, yes="OK": win.questions.append(q) or True,  # type: ignore
    )
    monkeypatch.setattr(win, "show_error", lambda m: pytest.fail(m))
    win.show()
    qtbot.waitExposed(win)
    assert win.open_project(project_path)
    yield win
    win.close_project()


def notes_in(path: Path) -> list[tuple[int, int, str, str]]:
    with Project.open(path, read_only=True) as p:
        return [(a.start, a.end, a.text, a.coder) for a in p.annotations()]


def test_a_annotates_the_selection_with_a_margin_marker(
    qtbot, window: MainWindow, project_path: Path
) -> None:
    window.view.select_cp(*LIED)
    window.view.setFocus()
    window.answers.append("Her own words; check the second interview")  # type: ignore[attr-defined]
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    assert (*LIED, "Her own words; check the second interview", "Maria") in notes_in(project_path)
    assert window.statusBar().currentMessage().startswith("Annotated “leaders lied”")
    markers = window.view.notes.markers()
    assert [len(m.notes) for m in markers] == [1, 1]
    tip = window.view.notes.tooltip(markers[1].notes)
    assert "Annotation</b> — Maria" in tip and "second interview" in tip
    assert stack(window).undoText() == "Annotate “leaders lied”"
    window.trigger("edit.undo")
    assert len(notes_in(project_path)) == 1 and len(window.view.notes.markers()) == 1
    assert window.statusBar().currentMessage() == "Undone: Annotate “leaders lied”"
    window.trigger("edit.redo")
    assert len(notes_in(project_path)) == 2 and len(window.view.notes.markers()) == 2


def test_annotate_needs_a_selection(window: MainWindow) -> None:
    window.view.select_cp(3, 3)
    window.update_actions()
    assert not window.actions_by_id["edit.annotate"].isEnabled()


def test_editing_and_deleting_another_coders_annotation_asks(
    window: MainWindow, project_path: Path
) -> None:
    [sams] = window.view.notes.annotations
    window.answers.append("Pseudonym she chose herself")  # type: ignore[attr-defined]
    annotate.edit_note(window, sams)
    assert notes_in(project_path) == [(0, 5, "Pseudonym she chose herself", "Sam")]
    assert "Sam's annotation" in window.questions[-1]  # type: ignore[attr-defined]
    [edited] = window.view.notes.annotations
    annotate.delete_note(window, edited)
    assert notes_in(project_path) == []
    assert window.view.notes.markers() == []
    window.trigger("edit.undo")
    assert notes_in(project_path) == [(0, 5, "Pseudonym she chose herself", "Sam")]


def test_menus_name_the_author(window: MainWindow) -> None:
    menu = QMenu()
    annotate.fill_note_menu(window, menu, window.view.notes.annotations)
    texts = [a.text() for a in menu.actions() if a.text()]
    assert texts == [
        "Select passage of annotation — Sam",
        "&Edit annotation — Sam…",
        "&Delete annotation — Sam",
    ]


def test_a_coding_memo_gets_a_marker_too(window: MainWindow) -> None:
    from coder.ui.features import coding

    assert window.project is not None
    code = window.project.find_code("Corruption").id
    coding.apply_code(window, code, passage=(shown(window), *LIED))
    [cid] = window.view.spans
    window.push("memo", lambda p: p.set_coding_memo(cid, "Said twice"))
    kinds = [[n.kind for n in m.notes] for m in window.view.notes.markers()]
    assert kinds == [["annotation"], ["coding"]]
    assert "Memo on 'Corruption'</b> — Maria" in window.view.notes.tooltip(
        window.view.notes.markers()[1].notes
    )


def test_clicking_a_marker_selects_its_passage(qtbot, window: MainWindow) -> None:
    [marker] = window.view.notes.markers()
    y = int(marker.top + marker.height / 2)
    qtbot.mouseClick(window.view.notes, Qt.MouseButton.LeftButton, pos=QPoint(5, y))
    assert window.view.selection_cp() == (0, 5)
