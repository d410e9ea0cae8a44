"""The window's actions, declared once in a table (id, menu, title, shortcut, handler, when).

Feature modules in ``coder.ui.features`` add rows with the :func:`action` decorator; the main
window imports them all (:func:`load_features`) and builds its menus from :data:`ACTIONS`,
sorted by ``menu`` then ``order``. A handler receives the main window.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtGui import QKeySequence

# When an action is enabled: always, with a project open, with a document shown, or with
# a text selection in the document view.
ENABLED_WHEN = ("always", "project", "document", "selection")
MENUS = ("File", "Edit", "View", "Code", "Analysis", "Team", "Help")
# Where a submenu sits among its parent's actions (by the same ``order`` numbers).
SUBMENU_ORDER = {
    "File/Import": 115,
    "File/Export": 120,
    "View/Coders": 60,
    "Code/Quick codes": 130,
    "Code/Resize coding": 220,
}


@dataclass(frozen=True)
class ActionSpec:
    id: str
    menu: str  # a path: "File", "File/Export", "Analysis"
    title: str
    handler: Callable[[Any], object]
    shortcut: str | None = None
    enabled_when: str = "project"
    order: int = 100
    status_tip: str = ""


ACTIONS: dict[str, ActionSpec] = {}
Handler = TypeVar("Handler", bound=Callable[[Any], object])


def plain_title(title: str) -> str:
    """A menu title as shown, without its mnemonic ("Find && &Replace…" -> "Find & Replace…")."""
    return re.sub("&(.)", r"\1", title)


def key_bindings(standard: QKeySequence.StandardKey) -> list[QKeySequence]:
    """The running platform's keys for a ``QKeySequence.StandardKey``."""
    return list(QKeySequence.keyBindings(standard))


def platform_keys(standard: QKeySequence.StandardKey, *extra: str) -> list[QKeySequence]:
    """The platform's keys for a standard action, then ``extra`` keys, each key once.

    A key bound twice to one action is ambiguous to Qt, which then triggers neither binding
    (X11 lists Ctrl+Shift+Z for Redo itself; Windows lists Ctrl+Y).
    """
    keys: list[QKeySequence] = []
    for key in [*key_bindings(standard), *(QKeySequence(k) for k in extra)]:
        if not key.isEmpty() and key not in keys:
            keys.append(key)
    return keys


def undo_keys() -> list[QKeySequence]:
    return platform_keys(QKeySequence.StandardKey.Undo, "Ctrl+Z")


def redo_keys() -> list[QKeySequence]:
    return platform_keys(QKeySequence.StandardKey.Redo, "Ctrl+Shift+Z", "Ctrl+Y")


def action(
    id: str,
    menu: str,
    title: str,
    shortcut: str | None = None,
    enabled_when: str = "project",
    order: int = 100,
    status_tip: str = "",
) -> Callable[[Handler], Handler]:
    """Register the decorated ``handler(window)`` as an action (the handler is unchanged)."""
    if enabled_when not in ENABLED_WHEN:
        raise ValueError(f"enabled_when must be one of {ENABLED_WHEN}")

    def register(handler: Handler) -> Handler:
        ACTIONS[id] = ActionSpec(
            id, menu, title, handler, shortcut, enabled_when, order, status_tip
        )
        return handler

    return register


def load_features() -> None:
    """Import every module of ``coder.ui.features`` so that its actions are registered."""
    import coder.ui.features as package

    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"coder.ui.features.{info.name}")
