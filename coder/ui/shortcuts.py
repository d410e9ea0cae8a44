"""Every key bound in a window, and the keys Qt would find ambiguous.

Qt triggers neither of two shortcuts that match the same key in contexts active at the same
time ("Ambiguous shortcut overload"): the key silently does nothing. :func:`clashes` finds
such pairs among the actions and shortcuts of a window, so a test can walk them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QMenu, QMenuBar, QWidget

_WIDGET_SCOPES = (
    Qt.ShortcutContext.WidgetShortcut,
    Qt.ShortcutContext.WidgetWithChildrenShortcut,
)


@dataclass(frozen=True)
class Binding:
    """One key of one action or shortcut, with where it is active."""

    key: str  # portable text: "Ctrl+Shift+Z"
    name: str  # the action's object name or text
    context: Qt.ShortcutContext
    widgets: tuple[QWidget, ...]  # where a widget-scoped key works; () for window keys
    owner: QObject

    @property
    def window_wide(self) -> bool:
        return self.context not in _WIDGET_SCOPES


def _name(obj: QAction | QShortcut) -> str:
    text = obj.text().replace("&", "") if isinstance(obj, QAction) else ""
    return obj.objectName() or text or type(obj).__name__


def _keys(
    obj: QAction | QShortcut,
    keys: list[QKeySequence],
    context: Qt.ShortcutContext,
    widgets: tuple[QWidget, ...],
) -> list[Binding]:
    if context not in _WIDGET_SCOPES:
        widgets = ()
    return [
        Binding(key.toString(QKeySequence.SequenceFormat.PortableText), _name(obj), context,
                widgets, obj)
        for key in keys
        if not key.isEmpty()
    ]  # fmt: skip


def bindings(window: QWidget) -> list[Binding]:
    """Every key of every action and shortcut that lives in ``window``."""
    out: list[Binding] = []
    for action in window.findChildren(QAction):
        widgets = tuple(
            w
            for w in action.associatedObjects()
            if isinstance(w, QWidget) and not isinstance(w, (QMenu, QMenuBar))
        )
        out += _keys(action, action.shortcuts(), action.shortcutContext(), widgets)
    for shortcut in window.findChildren(QShortcut):
        parent = shortcut.parent()
        owner = (parent,) if isinstance(parent, QWidget) else ()
        out += _keys(shortcut, shortcut.keys(), shortcut.context(), owner)
    return out


def _overlap(a: Binding, b: Binding) -> bool:
    """Whether both keys can be active at once (then Qt finds them ambiguous)."""
    if a.window_wide or b.window_wide:
        return True
    for wa in a.widgets:
        for wb in b.widgets:
            if wa is wb:
                return True
            if a.context == Qt.ShortcutContext.WidgetWithChildrenShortcut and wa.isAncestorOf(wb):
                return True
            if b.context == Qt.ShortcutContext.WidgetWithChildrenShortcut and wb.isAncestorOf(wa):
                return True
    return False


def clashes(window: QWidget) -> list[str]:
    """Keys bound twice where both are active at the same time: "Ctrl+Shift+Z: redo, redo"."""
    by_key: dict[str, list[Binding]] = {}
    for binding in bindings(window):
        by_key.setdefault(binding.key, []).append(binding)
    found = []
    for key, group in sorted(by_key.items()):
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if _overlap(a, b):
                    found.append(f"{key}: {a.name}, {b.name}")
    return found
