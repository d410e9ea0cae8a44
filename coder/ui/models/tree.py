"""A tree (or flat table) of nodes named by integer ids, refreshed by precise row signals.

Subclasses describe the wanted structure (``{parent id: [child ids]}``, root 0) and the
value shown for each node; :meth:`IdTreeModel.sync` turns the difference between the shown
tree and the wanted one into ``beginInsertRows``/``beginMoveRows``/``beginRemoveRows`` and
``dataChanged`` — so views keep their selection, expansion and scroll position after an edit.
A model reset is used only when asked for (a different project).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coder.core.project import Changes

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex

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

    def columnCount(self, parent: Index = QModelIndex()) -> int:
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

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        if column < 0 or column >= self.columnCount(parent) or row < 0:
            return QModelIndex()
        if parent.isValid() and parent.column() != 0:
            return QModelIndex()
        children = self._children.get(self.node_id(parent))
        if children is None or row >= len(children):
            return QModelIndex()
        return self.createIndex(row, column, children[row])

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        parent = self._parent.get(self.node_id(index), ROOT)
        if parent == ROOT:
            return QModelIndex()
        return self.index_of(parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._children.get(self.node_id(parent), ()))

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:
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
            # 1. Remove what is no longer wanted, unless it still holds wanted nodes.
            self._remove_gone(wanted_parent, keep_holders=True)
            # 2. Insert new nodes and move the others, as few as possible.
            self._place(children, values, wanted_parent)
            # 3. Remove the rest (emptied of the nodes that moved out).
            self._remove_gone(wanted_parent, keep_holders=False)
        except _Inconsistent:
            self.replace_all(children, values)
            return
        old_values = self._values
        self._values = dict(values)
        changed = set(changed)
        columns = self.columnCount()
        for node, value in values.items():
            if node in changed or old_values.get(node, _MISSING) != value:
                index = self.index_of(node)
                if index.isValid():
                    self.dataChanged.emit(index, index.siblingAtColumn(max(columns - 1, 0)))

    def update_values(
        self,
        values: dict[int, Any],
        cells: Iterable[tuple[int, int, Sequence[int]]] | None = None,
    ) -> None:
        """Replace the values of shown nodes (same structure) and announce their rows.

        ``cells`` narrows the announcement to what the new values change: ``(first column,
        last column, roles)`` spans, each one ``dataChanged``. Narrow signals matter to a
        sorting proxy, which re-sorts (calling ``lessThan`` on many rows) only when the
        sort column and the sort role are among the changed, and to the view, which then
        repaints only those cells. By default the whole row is announced, for every role.
        """
        spans = list(cells) if cells is not None else [(0, max(self.columnCount() - 1, 0), [])]
        for node, value in values.items():
            if node not in self._values or self._values[node] == value:
                continue
            self._values[node] = value
            index = self.index_of(node)
            if not index.isValid():
                continue
            for first, last, roles in spans:
                self.dataChanged.emit(
                    index.siblingAtColumn(first), index.siblingAtColumn(last), roles
                )

    def splice(
        self, parent: int, start: int, old: list[int], new: list[int], values: dict[int, Any]
    ) -> None:
        """Replace a run of rows under ``parent`` (``old``, beginning at row ``start``, or
        nothing: then ``new`` is inserted at ``start``) by ``new``, touching only that run.

        For a long flat list where one block changed (the passages of one document).
        """
        kids = self._children.setdefault(parent, [])
        keep = set(new)
        for node in old:
            if node not in keep and self._parent.get(node) == parent:
                row = kids.index(node, start)
                self.beginRemoveRows(self._parent_index(parent), row, row)
                self._forget(node)
                self.endRemoveRows()
        for i, node in enumerate(new):
            row = start + i
            if row < len(kids) and kids[row] == node:
                if self._values.get(node, _MISSING) != values[node]:
                    self._values[node] = values[node]
                    index = self.createIndex(row, 0, node)
                    self.dataChanged.emit(index, index.siblingAtColumn(self.columnCount() - 1))
                continue
            self._put(node, parent, row, values)
            self._values[node] = values[node]

    def announce_all(self) -> None:
        """Every row's data changed (names shown in all rows): one signal per parent."""
        columns = self.columnCount()
        if columns == 0:
            return
        for parent, kids in self._children.items():
            if kids and (parent == ROOT or parent in self._parent):
                top = self.index(0, 0, self._parent_index(parent))
                self.dataChanged.emit(top, top.sibling(len(kids) - 1, columns - 1))

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

    def _remove_gone(self, wanted_parent: dict[int, int], keep_holders: bool) -> None:
        gone = {n for n in self._parent if n not in wanted_parent}
        for node in list(gone):
            if self._parent.get(node) in gone or node not in self._parent:
                continue  # removed with its top-most gone ancestor
            if keep_holders and self._holds_wanted(node, wanted_parent):
                continue
            parent = self._parent[node]
            row = self._children[parent].index(node)
            self.beginRemoveRows(self._parent_index(parent), row, row)
            self._forget(node)
            self.endRemoveRows()

    def _holds_wanted(self, node: int, wanted_parent: dict[int, int]) -> bool:
        stack = list(self._children.get(node, ()))
        while stack:
            n = stack.pop()
            if n in wanted_parent:
                return True
            stack.extend(self._children.get(n, ()))
        return False

    def _place(
        self,
        children: dict[int, list[int]],
        values: dict[int, Any],
        wanted_parent: dict[int, int],
    ) -> None:
        """Insert and move nodes so each parent's children are in the wanted order.

        Per parent, the longest run of children already in the right relative order stays
        put; every other node is inserted or moved right after its wanted predecessor.
        Parents are handled depth first, so a node's new parent is already in place.
        """
        stack = [ROOT]
        while stack:
            parent = stack.pop()
            wanted = children.get(parent, [])
            current = self._children.setdefault(parent, [])
            if current == wanted:
                stack.extend(reversed(wanted))
                continue
            stable = _stable_nodes(current, wanted)
            i = 0
            while i < len(wanted):
                node = wanted[i]
                if node in stable:
                    i += 1
                    continue
                siblings = self._children[parent]
                target = 0 if i == 0 else siblings.index(wanted[i - 1]) + 1
                if node in self._parent:
                    self._put(node, parent, target, values)
                    i += 1
                    continue
                # A run of new nodes goes in with one signal (a first query of 5,000 rows).
                end = i
                while end < len(wanted) and wanted[end] not in self._parent:
                    end += 1
                run = wanted[i:end]
                self.beginInsertRows(self._parent_index(parent), target, target + len(run) - 1)
                siblings[target:target] = run
                for new in run:
                    self._parent[new] = parent
                    self._children.setdefault(new, [])
                    self._values[new] = values.get(new)
                self.endInsertRows()
                i = end
            stack.extend(reversed(wanted))

    def _put(self, node: int, parent: int, row: int, values: dict[int, Any]) -> None:
        """Insert ``node`` (new) or move it (shown) to ``row`` under ``parent``."""
        siblings = self._children.setdefault(parent, [])
        if node not in self._parent:
            self.beginInsertRows(self._parent_index(parent), row, row)
            siblings.insert(row, node)
            self._parent[node] = parent
            self._children.setdefault(node, [])
            self._values[node] = values.get(node)
            self.endInsertRows()
            return
        old_parent = self._parent[node]
        old_row = self._children[old_parent].index(node)
        if old_parent == parent and old_row in (row, row - 1):
            return  # already there
        if self._is_ancestor(node, parent):
            raise _Inconsistent
        ok = self.beginMoveRows(
            self._parent_index(old_parent), old_row, old_row, self._parent_index(parent), row
        )
        if not ok:
            raise _Inconsistent
        self._children[old_parent].pop(old_row)
        if old_parent == parent and old_row < row:
            row -= 1
        siblings.insert(row, node)
        self._parent[node] = parent
        self.endMoveRows()

    def _is_ancestor(self, node: int, other: int) -> bool:
        """True when ``node`` is ``other`` or one of its ancestors in the shown tree."""
        while other != ROOT:
            if other == node:
                return True
            other = self._parent.get(other, ROOT)
        return False


def _stable_nodes(current: list[int], wanted: list[int]) -> set[int]:
    """The wanted nodes already among ``current`` whose order can stay: a longest run of
    increasing current positions (patience sorting, O(n log n))."""
    position = {n: i for i, n in enumerate(current)}
    seq = [n for n in wanted if n in position]
    tails: list[int] = []  # tails[k]: index in seq of the smallest tail of a run of k+1
    back: list[int] = [-1] * len(seq)
    tail_positions: list[int] = []
    for i, node in enumerate(seq):
        pos = position[node]
        k = bisect_left(tail_positions, pos)
        if k > 0:
            back[i] = tails[k - 1]
        if k == len(tails):
            tails.append(i)
            tail_positions.append(pos)
        else:
            tails[k] = i
            tail_positions[k] = pos
    out: set[int] = set()
    i = tails[-1] if tails else -1
    while i >= 0:
        out.add(seq[i])
        i = back[i]
    return out


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
