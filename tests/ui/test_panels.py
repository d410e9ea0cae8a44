"""Panels on a small screen: F9 hides them all and brings back those it hid; F8 puts the
retrieved passages, search and memos in tabs beside the text (the text comes back when a
passage is opened) and back into their panels."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from coder.core import settings
from coder.core.project import Project
from coder.ui.main_window import MainWindow

TEXT = "Amira: We left at night because the leaders lied.\n"


@pytest.fixture
def window(qtbot, tmp_path: Path) -> Iterator[MainWindow]:
    path = tmp_path / "panels.coder"
    with Project.create(path) as p:
        doc = p.add_document("Amira", TEXT).created("documents")[0]
        code = p.add_code("Corruption").created("codes")[0]
        p.apply_code(doc, code, TEXT.index("leaders"), TEXT.index("leaders") + 7)
    win = MainWindow()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    assert win.open_project(path)
    yield win
    win.close_project()


def visible_docks(window: MainWindow) -> set[str]:
    return {key for key, dock in window.docks.items() if dock.isVisible()}


def test_f9_hides_the_panels_and_brings_back_those_it_hid(qtbot, window: MainWindow) -> None:
    window.docks["cases"].hide()  # hidden by the user: stays hidden
    before = visible_docks(window)
    assert {"documents", "codebook", "retrieval"} <= before
    qtbot.keyClick(window.view, Qt.Key.Key_F9)
    assert visible_docks(window) == set()
    qtbot.waitUntil(lambda: window.work_tabs.width() > 0.9 * window.width())
    assert "F9" in window.statusBar().currentMessage()
    qtbot.keyClick(window.view, Qt.Key.Key_F9)
    assert visible_docks(window) == before


def test_f8_puts_passages_search_and_memos_in_place_of_the_text(qtbot, window: MainWindow) -> None:
    qtbot.keyClick(window.view, Qt.Key.Key_F8)
    tabs = window.work_tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == [
        "Text", "Retrieved passages", "Search project", "Memos",
    ]  # fmt: skip
    assert tabs.currentWidget() is window.retrieval_dock
    assert not window.docks["retrieval"].isVisible()
    assert settings.get("passages_in_place") is True
    assert window.project is not None
    window.retrieval_dock.show_codes([window.project.find_code("Corruption").id])
    window.retrieval_dock.passageActivated.emit(1, 36, 43)  # double-click on the passage
    assert tabs.currentIndex() == 0 and window.view.selection_cp() == (36, 43)
    window.trigger("view.passages_in_place")
    assert tabs.count() == 1 and window.docks["retrieval"].isVisible()
    assert window.docks["retrieval"].widget() is window.retrieval_dock
    assert settings.get("passages_in_place") is False


def test_the_choice_is_kept_for_the_next_start(qtbot, window: MainWindow) -> None:
    window.trigger("view.passages_in_place")
    again = MainWindow()
    qtbot.addWidget(again)
    assert again.work_tabs.count() == 4
