"""What one edit changed: the rows it touched, before and after.

Every service returns a :class:`Changes`; ``project.undo(changes)`` and ``project.redo(changes)``
put the rows back either way, and views read which ids to refresh from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

RowKey = tuple[str, Any]  # (table, primary key)


@dataclass(frozen=True)
class Changes:
    """What one service call changed: the touched rows before and after it.

    ``before[key]`` is None for a row the call created; ``after[key]`` is None for a row it
    deleted. The sets of ids (``documents``, ``codes``...) tell views what to refresh.
    """

    before: dict[RowKey, dict | None] = field(default_factory=dict)
    after: dict[RowKey, dict | None] = field(default_factory=dict)

    def ids(self, table: str) -> frozenset[Any]:
        return self._keys.get(table, frozenset())

    @cached_property
    def _keys(self) -> dict[str, frozenset[Any]]:
        """The touched keys of each table, sorted out once: every view asks for several tables,
        and a merge touches tens of thousands of rows."""
        by_table: dict[str, list[Any]] = {}
        for table, key in self.after:
            by_table.setdefault(table, []).append(key)
        return {table: frozenset(keys) for table, keys in by_table.items()}

    def created(self, table: str) -> list[Any]:
        return [k for (t, k), row in self.before.items() if t == table and row is None]

    def deleted(self, table: str) -> list[Any]:
        return [k for (t, k), row in self.after.items() if t == table and row is None]

    @property
    def documents(self) -> frozenset[int]:
        return self.ids("documents")

    @property
    def codes(self) -> frozenset[int]:
        return self.ids("codes")

    @property
    def codings(self) -> frozenset[int]:
        return self.ids("codings")

    @property
    def cases(self) -> frozenset[int]:
        return self.ids("cases")

    @property
    def attributes(self) -> frozenset[int]:
        return self.ids("attributes") | self.ids("attribute_values")

    @property
    def memos(self) -> frozenset[int]:
        return self.ids("memos") | {
            row["memo_id"]
            for (t, _k), row in (*self.before.items(), *self.after.items())
            if t == "memo_links" and row is not None
        }

    @property
    def annotations(self) -> frozenset[int]:
        return self.ids("annotations")

    @cached_property
    def coding_documents(self) -> frozenset[int]:
        """Documents whose codings changed (for repainting highlights)."""
        docs = set()
        for (t, _k), row in (*self.before.items(), *self.after.items()):
            if t == "codings" and row is not None:
                docs.add(row["document_id"])
        return frozenset(docs)

    def inverse(self) -> Changes:
        """What undoing these changes does (rows created become rows deleted, and so on)."""
        return Changes(self.after, self.before)

    def coding_counts(self) -> dict[int, int]:
        """How many codings each document gained (positive) or lost (negative)."""
        delta: dict[int, int] = {}
        for key, after in self.after.items():
            if key[0] != "codings":
                continue
            before = self.before.get(key)
            old = before["document_id"] if before else None
            new = after["document_id"] if after else None
            if old != new:
                if old is not None:
                    delta[old] = delta.get(old, 0) - 1
                if new is not None:
                    delta[new] = delta.get(new, 0) + 1
        return delta

    def __bool__(self) -> bool:
        return bool(self.after)

    def __or__(self, other: Changes) -> Changes:
        before = dict(other.before)
        before.update(self.before)  # the earliest state wins
        after = dict(self.after)
        after.update(other.after)  # the latest state wins
        return Changes(before, after)
