"""One test's key clicks never hold a modifier down for the next test."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QTableWidget

from tests.ui.held_keys import release_held_modifiers


def test_a_modifier_clicked_with_a_key_is_released_for_the_next_test(qtbot) -> None:
    table = QTableWidget(3, 1)
    qtbot.addWidget(table)
    qtbot.keyClick(table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    release_held_modifiers()  # what every test of the window ends with
    assert QGuiApplication.keyboardModifiers() == Qt.KeyboardModifier.NoModifier
    table.selectRow(0)
    table.selectRow(2)
    assert sorted({i.row() for i in table.selectedIndexes()}) == [2]
