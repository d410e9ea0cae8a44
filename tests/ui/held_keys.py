"""Qt's record of the modifier keys held, reset between tests.

QTest's key click with a modifier ends with a release of that modifier which still reports it
held, and QApplication takes the modifiers of each spontaneous key event as the keyboard's state:
after ``qtbot.keyClick(w, Key_Left, ShiftModifier)`` Shift stays down for the rest of the
process. Item views read that state, so a later test's ``selectRow`` extends or toggles a
selection instead of making one.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget


def release_held_modifiers() -> None:
    """Let go of every modifier key Qt believes held (a key release that reports none)."""
    if QApplication.instance() is None:
        return
    if QGuiApplication.keyboardModifiers() != Qt.KeyboardModifier.NoModifier:
        QTest.keyRelease(QWidget(), Qt.Key.Key_Shift, Qt.KeyboardModifier.NoModifier)
