"""The window's accessibility tree as Qt gives it to screen readers (QAccessibleInterface),
walked on any platform, offscreen included."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAccessible, QAccessibleInterface
from PySide6.QtWidgets import QWidget

R = QAccessible.Role
# What a user operates: each needs a name a screen reader can say.
INTERACTIVE = {
    R.PushButton, R.CheckBox, R.RadioButton, R.ComboBox, R.EditableText, R.SpinBox,
    R.Slider, R.ButtonMenu, R.ButtonDropDown, R.PageTab, R.List, R.Tree, R.Table, R.Link,
    R.MenuItem, R.Dial, R.ToolBar,
}  # fmt: skip


@dataclass(frozen=True)
class Node:
    path: str  # "Coder/Codebook/…": the names (or roles) from the window down
    role: QAccessible.Role
    name: str
    description: str
    widget: object
    invisible: bool


def walk(widget: QWidget, limit: int = 20_000) -> list[Node]:
    """Every accessible object under ``widget`` (rows and cells of big tables included, up to
    ``limit`` objects)."""
    root = QAccessible.queryAccessibleInterface(widget)
    out: list[Node] = []
    todo: list[tuple[QAccessibleInterface, str]] = [(root, "")]
    while todo and len(out) < limit:
        iface, parent = todo.pop()
        if iface is None or not iface.isValid():
            continue
        name = iface.text(QAccessible.Text.Name)
        role = iface.role()
        path = f"{parent}/{name or role.name}"
        state = iface.state()
        out.append(Node(path, role, name, iface.text(QAccessible.Text.Description),
                        iface.object(), bool(state.invisible)))  # fmt: skip
        for i in range(iface.childCount() - 1, -1, -1):
            todo.append((iface.child(i), path))
    return out


def unnamed(widget: QWidget) -> list[str]:
    """The visible interactive objects that a screen reader could not name."""
    return [
        f"{n.path} ({type(n.widget).__name__})"
        for n in walk(widget)
        if n.role in INTERACTIVE and not n.name.strip() and not n.invisible
    ]
