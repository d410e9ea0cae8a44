"""Whole words: a dragged selection snaps to words (Alt keeps exact characters), in vivo
codes and names whole words, Ctrl+Shift/Ctrl+Alt+arrows move a coding's edges by a word."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QTextCursor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from coder.core import settings
from coder.core.project import Project
from coder.ui.main_window import MainWindow
from tests.ui.recording_window import stack

TEXT = "Amira: Because the leaders lied to us, we left our village.\n"


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "words.coder"
    with Project.create(path) as p:
        p.add_document("Amira", TEXT)
        p.add_code("Corruption")
    return path


@pytest.fixture
def window(qtbot, project_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    settings.set_value("coder_name", "Maria")
    win = MainWindow()
    qtbot.addWidget(win)
    monkeypatch.setattr(win, "show_error", lambda m: pytest.fail(m))
    win.show()
    qtbot.waitExposed(win)
    assert win.open_project(project_path)
    yield win
    win.close_project()


def codings(path: Path) -> list[tuple[str, int, int]]:
    with Project.open(path, read_only=True) as p:
        return sorted((c.code_path, c.start, c.end) for c in p.codings())


def point(window: MainWindow, cp: int) -> QPoint:
    """The viewport point of the caret before character ``cp``."""
    c = QTextCursor(window.view.document())
    c.setPosition(cp)
    rect = window.view.cursorRect(c)
    return QPoint(rect.left(), rect.center().y())


def drag(window: MainWindow, a: int, b: int, alt: bool = False) -> None:
    """Press at ``a``, move through the middle to ``b`` with the button held, release."""
    viewport = window.view.viewport()
    mods = Qt.KeyboardModifier.AltModifier if alt else Qt.KeyboardModifier.NoModifier
    left = Qt.MouseButton.LeftButton
    QTest.mousePress(viewport, left, mods, point(window, a))
    for cp in ((a + b) // 2, b):
        where = QPointF(point(window, cp))
        move = QMouseEvent(
            QEvent.Type.MouseMove, where, viewport.mapToGlobal(where), Qt.MouseButton.NoButton,
            left, mods,
        )  # fmt: skip
        QApplication.sendEvent(viewport, move)
    QTest.mouseRelease(viewport, left, mods, point(window, b))


def words(window: MainWindow) -> str:
    a, b = window.view.selection_cp()
    return TEXT[a:b]


def test_a_dragged_selection_takes_whole_words(window: MainWindow) -> None:
    drag(window, TEXT.index("aders"), TEXT.index("ied"))  # "aders l"
    assert words(window) == "leaders lied"


def test_dragging_backwards_snaps_too(window: MainWindow) -> None:
    drag(window, TEXT.index("ied"), TEXT.index("aders"))
    assert words(window) == "leaders lied"
    c = window.view.textCursor()
    assert c.position() < c.anchor()  # the drag's direction is kept


def test_alt_keeps_the_exact_characters(window: MainWindow) -> None:
    drag(window, TEXT.index("aders"), TEXT.index("ied"), alt=True)
    assert words(window) == "aders l"


def test_spaces_at_the_ends_are_left_out(window: MainWindow) -> None:
    drag(window, TEXT.index(" the ") + 1, TEXT.index(" leaders") + 1)
    assert words(window) == "the"


def test_in_vivo_codes_and_names_whole_words(window: MainWindow, project_path: Path) -> None:
    start = TEXT.index("aders")
    window.view.select_cp(start, start + 8)  # "aders li", selected with the keyboard
    window.trigger("coding.in_vivo")
    lied = TEXT.index("leaders lied")
    assert codings(project_path) == [("leaders lied", lied, lied + len("leaders lied"))]


def test_in_vivo_name_drops_punctuation_at_the_ends() -> None:
    from coder.ui.features.coding import in_vivo_name

    assert in_vivo_name("“lied to us,”") == "lied to us"
    assert in_vivo_name("(we left our village.)") == "we left our village"


def test_ctrl_shift_and_ctrl_alt_arrows_move_a_coding_by_a_word(
    qtbot, window: MainWindow, project_path: Path
) -> None:
    from coder.ui.features import coding

    start = TEXT.index("leaders")
    end = start + len("leaders")
    window.view.select_cp(start, end)
    coding.apply_code(window, window.project.find_code("Corruption").id)  # type: ignore[union-attr]
    view = window.view
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    ctrl_alt = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    qtbot.keyClick(view, Qt.Key.Key_Right, ctrl_shift)  # the end takes "lied"
    qtbot.keyClick(view, Qt.Key.Key_Right, ctrl_shift)  # and "to"
    assert codings(project_path) == [("Corruption", start, TEXT.index(" us"))]
    qtbot.keyClick(view, Qt.Key.Key_Left, ctrl_shift)  # the start takes "the"
    assert codings(project_path)[0][1] == TEXT.index("the leaders")
    qtbot.keyClick(view, Qt.Key.Key_Right, ctrl_alt)  # the start gives up "the"
    qtbot.keyClick(view, Qt.Key.Key_Left, ctrl_alt)  # the end gives up "to"
    end = TEXT.index(" to")
    assert codings(project_path) == [("Corruption", start, end)]
    assert TEXT[start:end] == "leaders lied"
    assert stack(window).count() == 2  # apply + one merged resize


def test_without_a_selected_coding_ctrl_shift_arrows_select_words(
    qtbot, window: MainWindow
) -> None:
    window.view.select_cp(TEXT.index("leaders"), TEXT.index("leaders"))
    qtbot.keyClick(
        window.view,
        Qt.Key.Key_Right,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert words(window).strip() == "leaders"
    assert stack(window).count() == 0
