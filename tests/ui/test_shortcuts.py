"""Every key does one thing: no two shortcuts of the window are active for the same key,
on any platform's standard key bindings."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QKeySequence

from coder.core.project import Project
from coder.ui import actions, shortcuts
from coder.ui.main_window import MainWindow

K = QKeySequence.StandardKey
# Qt's standard bindings for the keys the window takes from the platform (qplatformtheme.cpp).
PLATFORMS = {
    "windows": {K.Undo: ["Ctrl+Z", "Alt+Backspace"],
                K.Redo: ["Ctrl+Y", "Ctrl+Shift+Z", "Alt+Shift+Backspace"]},
    "macos": {K.Undo: ["Ctrl+Z"], K.Redo: ["Ctrl+Shift+Z"]},
    "x11": {K.Undo: ["Ctrl+Z", "F14"], K.Redo: ["Ctrl+Shift+Z"]},
}  # fmt: skip


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "keys.coder"
    with Project.create(path) as p:
        p.add_document("Interview", "Amira: We left at night.\n")
        p.add_code("Leaving")
    return path


def open_window(qtbot, path: Path) -> MainWindow:
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.open_project(path)
    return win


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_no_key_is_bound_twice(
    qtbot, project_path: Path, platform: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = PLATFORMS[platform]
    real = actions.key_bindings
    monkeypatch.setattr(
        actions,
        "key_bindings",
        lambda std: [QKeySequence(k) for k in table[std]] if std in table else real(std),
    )
    win = open_window(qtbot, project_path)
    try:
        assert shortcuts.clashes(win) == []
        keys = {b.key for b in shortcuts.bindings(win)}
        assert {"Ctrl+Z", "Ctrl+Shift+Z"} <= keys
    finally:
        win.close_project()


def test_the_running_platform_binds_no_key_twice(qtbot, project_path: Path) -> None:
    win = open_window(qtbot, project_path)
    try:
        assert shortcuts.clashes(win) == []
    finally:
        win.close_project()


def test_redo_keys_are_each_bound_once_even_when_the_platform_lists_ours() -> None:
    """X11 lists Ctrl+Shift+Z for Redo itself: binding it again made redo do nothing."""
    keys = [k.toString() for k in actions.redo_keys()]
    assert len(keys) == len(set(keys)) and "Ctrl+Shift+Z" in keys and "Ctrl+Y" in keys


def test_the_walk_finds_a_clash(qtbot, project_path: Path) -> None:
    """The checker itself: a second window-wide Ctrl+F is reported."""
    from PySide6.QtGui import QAction

    win = open_window(qtbot, project_path)
    try:
        extra = QAction("Another find", win)
        extra.setShortcut(QKeySequence("Ctrl+F"))
        win.addAction(extra)
        assert any(c.startswith("Ctrl+F:") for c in shortcuts.clashes(win))
    finally:
        win.close_project()
