"""A tree (or flat table) of nodes named by integer ids, refreshed by precise row signals.

Subclasses describe the wanted structure (``{parent id: [child ids]}``, root 0) and the
value shown for each node; :meth:`IdTreeModel.sync` turns the difference between the shown
tree and the wanted one into ``beginInsertRows``/``beginMoveRows``/``beginRemoveRows`` and
``dataChanged`` — so views keep their selection, expansion and scroll position after an edit.
A model reset is used only when asked for (a different project).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coder.core.project import Changes

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt

ROOT = 0

Index = QModelIndex | QPersistentModelIndex


class IdTreeModel(QAbstractItemModel):
    """Base class: nodes are positive integer ids (the root is 0); values are any objects."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._children: dict[int, list[int]] = {ROOT: []}
        self._parent: dict[int, int] = {}
        self._values: dict[int, Any] = {}

    # ----------------------------------------------------------------- for subclasses

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        raise NotImplementedError

    def node_id(self, index: Index) -> int:
        """The id of the node at ``index`` (0 for an invalid index: the root)."""
        return int(index.internalId()) if index.isValid() else ROOT

    def value(self, node: int) -> Any:
        return self._values.get(node)

    def index_of(self, node: int, column: int = 0) -> QModelIndex:
        """The index of ``node`` (invalid if it is not shown)."""
        parent = self._parent.get(node)
        if parent is None:
            return QModelIndex()
        try:
            row = self._children[parent].index(node)
        except (KeyError, ValueError):
            return QModelIndex()
        return self.createIndex(row, column, node)

    def child_ids(self, node: int = ROOT) -> list[int]:
        return list(self._children.get(node, ()))

    def parent_id(self, node: int) -> int | None:
        return self._parent.get(node)

    def all_ids(self) -> list[int]:
        return list(self._values)

    # ----------------------------------------------------------------- Qt's interface

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column < 0 or column >= self.columnCount(parent) or row < 0:
            return QModelIndex()
        if parent.isValid() and parent.column() != 0:
            return QModelIndex()
        children = self._children.get(self.node_id(parent))
        if children is None or row >= len(children):
            return QModelIndex()
        return self.createIndex(row, column, children[row])

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        parent = self._parent.get(self.node_id(index), ROOT)
        if parent == ROOT:
            return QModelIndex()
        return self.index_of(parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._children.get(self.node_id(parent), ()))

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802
        return self.rowCount(parent) > 0

    def sibling(self, row: int, column: int, index: Index) -> QModelIndex:
        return self.index(row, column, self.parent(index)) if index.isValid() else QModelIndex()

    # ----------------------------------------------------------------- refreshing

    def replace_all(self, children: dict[int, list[int]], values: dict[int, Any]) -> None:
        """Show a new tree from scratch (a model reset: for a new project)."""
        self.beginResetModel()
        self._set(children, values)
        self.endResetModel()

    def _set(self, children: dict[int, list[int]], values: dict[int, Any]) -> None:
        self._children = {k: list(v) for k, v in children.items()}
        self._children.setdefault(ROOT, [])
        self._parent = {c: p for p, kids in self._children.items() for c in kids}
        self._values = dict(values)

    def sync(
        self,
        children: dict[int, list[int]],
        values: dict[int, Any],
        changed: Iterable[int] = (),
    ) -> None:
        """Make the shown tree equal to ``children``/``values`` with precise row signals.

        Rows whose value differs (or whose id is in ``changed``) get ``dataChanged``.
        """
        wanted_parent = {c: p for p, kids in children.items() for c in kids}
        try:
            self._place(children, values, wanted_parent)
        except _Inconsistent:
            self.replace_all(children, values)
            return
        # Nodes no longer wanted now sit after the wanted ones: remove them, top-most first.
        gone = [n for n in self._values if n not in wanted_parent]
        gone_set = set(gone)
        for node in gone:
            if self._parent.get(node) in gone_set or node not in self._parent:
                continue
            parent = self._parent[node]
            row = self._children[parent].index(node)
            self.beginRemoveRows(self._parent_index(parent), row, row)
            self._forget(node)
            self.endRemoveRows()
        # Values: compare and announce changed rows (all columns), coalesced per parent run.
        old_values = self._values
        self._values = dict(values)
        changed = set(changed)
        columns = self.columnCount()
        for node, value in values.items():
            if node in changed or old_values.get(node, _MISSING) != value:
                index = self.index_of(node)
                if index.isValid():
                    last = index.siblingAtColumn(max(columns - 1, 0))
                    self.dataChanged.emit(index, last)

    def update_values(self, values: dict[int, Any]) -> None:
        """Replace the values of shown nodes (same structure) and announce their rows."""
        columns = self.columnCount()
        for node, value in values.items():
            if node not in self._values or self._values[node] == value:
                continue
            self._values[node] = value
            index = self.index_of(node)
            if index.isValid():
                self.dataChanged.emit(index, index.siblingAtColumn(max(columns - 1, 0)))

    def _parent_index(self, parent: int) -> QModelIndex:
        return QModelIndex() if parent == ROOT else self.index_of(parent)

    def _forget(self, node: int) -> None:
        """Drop ``node`` and its subtree from the shown tree (inside begin/endRemoveRows)."""
        parent = self._parent.pop(node)
        self._children[parent].remove(node)
        stack = [node]
        while stack:
            n = stack.pop()
            kids = self._children.pop(n, [])
            for k in kids:
                self._parent.pop(k, None)
            stack.extend(kids)
            self._values.pop(n, None)

    def _place(
        self,
        children: dict[int, list[int]],
        values: dict[int, Any],
        wanted_parent: dict[int, int],
    ) -> None:
        """Insert new nodes and move existing ones so each parent's first children are the
        wanted ones, in order (depth first so a parent is placed before its children)."""
        stack = [ROOT]
        while stack:
            parent = stack.pop()
            wanted = children.get(parent, [])
            for i, node in enumerate(wanted):
                current = self._children.setdefault(parent, [])
                if node not in self._parent:
                    # New node: insert it at its place (its own children come later).
                    if i > len(current):
                        raise _Inconsistent
                    self.beginInsertRows(self._parent_index(parent), i, i)
                    current.insert(i, node)
                    self._parent[node] = parent
                    self._children.setdefault(node, [])
                    self._values[node] = values.get(node)
                    self.endInsertRows()
                    continue
                old_parent = self._parent[node]
                old_row = self._children[old_parent].index(node)
                if old_parent == parent and old_row == i:
                    continue
                if self._is_ancestor(node, parent):
                    raise _Inconsistent
                ok = self.beginMoveRows(
                    self._parent_index(old_parent), old_row, old_row, self._parent_index(parent), i
                )
                if not ok:
                    raise _Inconsistent
                self._children[old_parent].pop(old_row)
                current = self._children.setdefault(parent, [])
                current.insert(i, node)
                self._parent[node] = parent
                self.endMoveRows()
            stack.extend(reversed(wanted))

    def _is_ancestor(self, node: int, other: int) -> bool:
        """True when ``node`` is ``other`` or one of its ancestors in the shown tree."""
        while other != ROOT:
            if other == node:
                return True
            other = self._parent.get(other, ROOT)
        return False


def touched(changes: Changes, table: str, column: str) -> set[Any]:
    """Values of ``column`` in the rows of ``table`` that ``changes`` touched, before or after."""
    out: set[Any] = set()
    for rows in (changes.before, changes.after):
        for (t, _key), row in rows.items():
            if t == table and row is not None:
                out.add(row[column])
    return out


class _Inconsistent(Exception):
    """The wanted tree cannot be reached by moves (fall back to a reset)."""


_MISSING = object()
