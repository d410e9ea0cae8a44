"""Every menu entry reachable from the keyboard: each gets a mnemonic (Alt+letter in the menu
bar, the letter in an open menu), unique within its menu.

Titles written with a mnemonic keep it unless an earlier entry of the same menu has the same
letter (Qt then only cycles between the two, and Enter is needed); entries without one (dock
toggles, recent projects, submenus named from their path) get the first free initial of a word,
else the first free letter; entries without a shortcut choose before those with one. Menus
filled when they open get theirs as they open.

While a menu is open, a plain letter or digit is the menu's: the text's one-key commands (W, Q,
1–9…) are shortcuts of the text, which keeps the focus under a menu, and Qt would otherwise run
them instead of choosing the entry ("w" in File → Export chooses Word report).
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QApplication, QMenu, QMenuBar

_MARK = re.compile(r"(?<!&)&(?!&)(\w)")


def mnemonic(text: str) -> str | None:
    """The lower-case mnemonic letter of a menu title ("Save a &copy as…" → "c")."""
    found = _MARK.search(text)
    return found.group(1).lower() if found else None


def plain(text: str) -> str:
    """The title without its mnemonic mark (a literal "&&" stays)."""
    return _MARK.sub(r"\1", text)


def with_mnemonic(text: str, used: set[str]) -> str:
    """``text`` with a mnemonic not in ``used`` (unchanged when every letter is taken)."""
    bare = plain(text)
    words = [m.start() for m in re.finditer(r"\b\w", bare)]
    letters = [i for i, ch in enumerate(bare) if ch.isalnum()]
    for i in [*words, *letters]:
        if bare[i].lower() not in used and bare[i] != "&":
            if i > 0 and bare[i - 1] == "&":
                continue  # the second half of a literal "&&"
            return bare[:i] + "&" + bare[i:]
    return text


def give(actions: list[QAction]) -> None:
    """Make the mnemonics of one menu's entries present and unique. Entries without a
    shortcut choose first: an entry with one is reachable by it even when no letter is
    left for it."""
    entries = [a for a in actions if not a.isSeparator() and a.text()]
    keyless = [a for a in entries if a.shortcut().isEmpty()]
    keyed = [a for a in entries if not a.shortcut().isEmpty()]
    used: set[str] = set()
    for group in (keyless, keyed):
        pending: list[QAction] = []
        for act in group:
            letter = mnemonic(act.text())
            if letter is None or letter in used:
                pending.append(act)
            else:
                used.add(letter)
        for act in pending:
            text = with_mnemonic(act.text(), used)
            letter = mnemonic(text)
            if letter is not None and letter not in used:
                used.add(letter)
            else:
                text = plain(act.text())  # no letter left: its shortcut reaches it
            if text != act.text():
                act.setText(text)


class MenuKeys(QObject):
    """Gives an open menu its plain letters and digits before any shortcut sees them."""

    def watch(self, menu: QObject | None) -> None:
        """Filter ``menu``'s events (the focus object when a menu opens; anything else is let
        be). Installing twice keeps one filter."""
        if isinstance(menu, QMenu):
            menu.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(watched, QMenu)
            and isinstance(event, QKeyEvent)
        ):
            mods = event.modifiers() & ~(
                Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
            )
            text = event.text()
            if mods == Qt.KeyboardModifier.NoModifier and len(text) == 1 and text.isalnum():
                event.accept()  # a key press for the menu, not a shortcut
                return True
        return False


def _menu_keys() -> MenuKeys | None:
    """The application's one MenuKeys, watching every menu that takes the keyboard (a context
    menu, a menu of Qt's own) from then on. A filter on each menu, not on the application: one
    there would run Python for every event of every widget."""
    app = QApplication.instance()
    if app is None:
        return None
    keys = app.findChild(MenuKeys, "coderMenuKeys")
    if keys is None:
        keys = MenuKeys(app)
        keys.setObjectName("coderMenuKeys")
        if isinstance(app, QGuiApplication):
            app.focusObjectChanged.connect(keys.watch)
    return keys


def install(bar: QMenuBar) -> None:
    """Give mnemonics to the menu bar and every menu under it, now and each time a menu
    opens (after the menu's own filling, which was connected first)."""
    keys = _menu_keys()
    give(bar.actions())
    todo = [a.menu() for a in bar.actions() if a.menu() is not None]
    while todo:
        menu = todo.pop()
        if not isinstance(menu, QMenu):
            continue
        give(menu.actions())
        if keys is not None:
            keys.watch(menu)
        menu.aboutToShow.connect(lambda m=menu: give(m.actions()))
        todo += [a.menu() for a in menu.actions() if a.menu() is not None]
