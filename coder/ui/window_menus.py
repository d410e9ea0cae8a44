"""The window's menus, built from the actions table (:mod:`coder.ui.actions`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from coder.core import settings
from coder.core.errors import CoderError
from coder.ui import actions as actions_table
from coder.ui import mnemonics
from coder.ui.features import coding

if TYPE_CHECKING:
    from coder.ui.main_window import MainWindow

# A menu's entries: (order, title, action or submenu path).
_Entries = dict[str, list[tuple[int, str, "actions_table.ActionSpec | str"]]]


VIEW_KEYS = (
    "Shift+Left", "Shift+Right", "Alt+Left", "Alt+Right", "Alt+Up", "Alt+Down",
    "Ctrl+Shift+Left", "Ctrl+Shift+Right", "Ctrl+Alt+Left", "Ctrl+Alt+Right",
)  # fmt: skip


def is_view_key(shortcut: str | None) -> bool:
    """Single keys and modified arrows act on the document view only (not in text fields)."""
    if not shortcut:
        return False
    return len(shortcut) == 1 or shortcut in VIEW_KEYS


def build_menus(window: MainWindow) -> None:
    """The menu bar: every registered action in its menu, then the docks under View."""
    actions_table.load_features()
    menus: dict[str, QMenu] = {}
    bar = window.menuBar()
    for top in actions_table.MENUS:
        menus[top] = bar.addMenu("&" + top)
    undo = window.undo_group.createUndoAction(window, "&Undo")
    undo.setShortcuts(actions_table.undo_keys())
    redo = window.undo_group.createRedoAction(window, "&Redo")
    redo.setShortcuts(actions_table.redo_keys())
    menus["Edit"].addAction(undo)
    menus["Edit"].addAction(redo)
    menus["Edit"].addSeparator()
    window.actions_by_id["edit.undo"] = undo
    window.actions_by_id["edit.redo"] = redo

    entries = _menu_entries()

    def fill(menu: QMenu, path: str) -> None:
        prev = None
        for order, _title, item in sorted(entries.get(path, []), key=lambda e: (e[0], e[1])):
            if prev is not None and order // 100 != prev // 100:
                menu.addSeparator()
            prev = order
            if isinstance(item, str):
                sub = menu.addMenu(item.rpartition("/")[2])
                menus[item] = sub
                fill(sub, item)
            else:
                _add_action(window, menu, item)

    for top in actions_table.MENUS:
        fill(menus[top], top)
    for path in entries:  # a top-level menu that MENUS does not name goes last
        if "/" not in path and path not in menus:
            menus[path] = bar.addMenu("&" + path)
            fill(menus[path], path)
    quick = menus.get("Code/Quick codes")
    if quick is not None:
        quick.aboutToShow.connect(lambda: coding.refresh_quick_titles(window))
    view_menu = menus["View"]
    view_menu.addSeparator()
    for key, dock in window.docks.items():
        toggle = dock.toggleViewAction()
        if key == "undo_history":
            toggle.setText("Undo &History")
        view_menu.addAction(toggle)
    mnemonics.install(bar)  # every entry an Alt+letter, unique in its menu


def _menu_entries() -> _Entries:
    """Each menu's actions and submenus together, by order; a gap of 100 in the order starts
    a new group."""
    specs = sorted(actions_table.ACTIONS.values(), key=lambda s: (s.order, s.title))
    entries: _Entries = {}
    for spec in specs:
        entries.setdefault(spec.menu, []).append((spec.order, spec.title, spec))
        path = spec.menu
        while "/" in path:
            parent, _, _name = path.rpartition("/")
            children = entries.setdefault(parent, [])
            if not any(item == path for _o, _t, item in children):
                order = actions_table.SUBMENU_ORDER.get(path, 10_000)
                children.append((order, path, path))
            path = parent
    return entries


def _add_action(window: MainWindow, menu: QMenu, spec: actions_table.ActionSpec) -> None:
    act = QAction(spec.title, window)
    act.setObjectName(spec.id)
    if spec.status_tip:
        act.setStatusTip(spec.status_tip)
    if spec.shortcut:
        act.setShortcut(QKeySequence(spec.shortcut))
        if is_view_key(spec.shortcut):
            act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            window.view.addAction(act)
            window.view.key_actions[QKeySequence(spec.shortcut).toString()] = act
    act.triggered.connect(lambda _=False, s=spec: _run(window, s))
    act.setData(spec.enabled_when)
    menu.addAction(act)
    window.actions_by_id[spec.id] = act
    if spec.id == "file.open":
        recent = menu.addMenu("Open &Recent")
        recent.aboutToShow.connect(lambda: _fill_recent_menu(window, recent))
        window.recent_menu = recent


def _fill_recent_menu(window: MainWindow, menu: QMenu) -> None:
    menu.clear()
    recent = [p for p in settings.recent_projects() if Path(p).exists()]
    for path in recent:
        act = menu.addAction(Path(path).name)
        act.setToolTip(path)
        act.setStatusTip(path)
        act.triggered.connect(lambda _=False, p=path: window.open_project(p))
    if not recent:
        menu.addAction("No recent projects").setEnabled(False)


def _run(window: MainWindow, spec: actions_table.ActionSpec) -> None:
    try:
        spec.handler(window)
    except CoderError as e:
        window.show_error(str(e))
