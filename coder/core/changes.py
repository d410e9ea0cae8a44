"""What one edit changed: the rows it touched, before and after.

Every service returns a :class:`Changes`; ``project.undo(changes)`` and ``project.redo(changes)``
put the rows back either way, and views read which ids to refresh from it.

An edit of a document's text moves every text block after it by the same amount: that is one
:class:`Shift` (one entry, however many rows it moves), not a row each (the passages anchored
in those blocks move with them, unwritten). The blocks it rewrites, and the passages anchored
in them, are rows like any other; a :class:`Retext` step says what it replaced (the replaced
and new pieces), so that views move their own spans by it, and carries the text's revisions,
so that undo and redo refuse a text edited since. Rows inserted in bulk (the turns of an
imported transcript) are one :class:`Bulk`: a range of keys, not a row each. A
:class:`Changes` with such steps keeps them in order (rows, shift, rows...), so undo and redo
replay them exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeAlias

RowKey = tuple[str, Any]  # (table, primary key)
_POSITIONS = frozenset({"block_id", "start_offset", "end_offset"})  # where a passage lies
_TEXT_STATE = frozenset({"revision", "length"})  # what an edit of its text writes to a document


@dataclass(frozen=True)
class Shift:
    """Every row of ``table`` (the text blocks) in document ``document_id`` starting after
    position ``after`` moved by ``delta``: one step for any number of rows.

    Whoever shifts guarantees that no other row of the document then starts after
    ``after + delta``, so the rows it moved are exactly those starting after that position:
    that is how :meth:`inverse` finds them again.
    """

    table: str
    document_id: int
    after: int
    delta: int

    def inverse(self) -> Shift:
        return Shift(self.table, self.document_id, self.after + self.delta, -self.delta)

    def moves(self, table: str, document_id: int, start: int) -> bool:
        return table == self.table and document_id == self.document_id and start > self.after


@dataclass(frozen=True)
class Retext:
    """A document's text edited: each ``(start, old, new)`` replaces ``old`` at ``start`` with
    ``new`` (positions of the text before any of them, in order), and the text's revision goes
    from ``revision[0]`` to ``revision[1]``. Replaying it writes nothing (the rows of the text's
    blocks around it do); it tells views what moved."""

    document_id: int
    edits: tuple[tuple[int, str, str], ...]
    revision: tuple[str, str]

    def inverse(self) -> Retext:
        out, moved = [], 0
        for start, old, new in self.edits:
            out.append((start + moved, new, old))
            moved += len(new) - len(old)
        return Retext(self.document_id, tuple(out), (self.revision[1], self.revision[0]))

    def apply(self, text: str) -> str:
        """The text after this step; raises ValueError unless ``text`` is the one before it."""
        parts, pos = [], 0
        for start, old, new in self.edits:
            if start < pos or text[start : start + len(old)] != old:
                raise ValueError("the text is not the one this step was made on")
            parts += [text[pos:start], new]
            pos = start + len(old)
        parts.append(text[pos:])
        return "".join(parts)


@dataclass(frozen=True)
class Bulk:
    """The rows of ``table`` with the integer keys ``first`` to ``last`` inserted by one
    statement (``inserted``) or, as its inverse, deleted: one step for any number of rows.

    The rows are not copied when they are inserted: the store reads them when it first deletes
    them (an undo) into ``rows``, which a step and its inverse share, and a redo writes them
    back from there, keys included.
    """

    table: str
    first: int
    last: int
    inserted: bool = True
    rows: list[tuple] = field(default_factory=list, compare=False, hash=False, repr=False)

    def inverse(self) -> Bulk:
        return Bulk(self.table, self.first, self.last, not self.inserted, self.rows)

    def keys(self) -> range:
        return range(self.first, self.last + 1)

    def __len__(self) -> int:
        return self.last - self.first + 1


Step: TypeAlias = "Changes | Shift | Retext | Bulk"


@dataclass(frozen=True)
class Changes:
    """What one service call changed: the touched rows before and after it.

    ``before[key]`` is None for a row the call created; ``after[key]`` is None for a row it
    deleted. The sets of ids (``documents``, ``codes``...) tell views what to refresh. Rows
    inserted in :class:`Bulk` are not in ``before`` and ``after``: their keys are in
    :meth:`ids`, :meth:`created` and :meth:`deleted`, and :attr:`row_count` counts them.
    """

    before: dict[RowKey, dict | None] = field(default_factory=dict)
    after: dict[RowKey, dict | None] = field(default_factory=dict)
    # The shifts among the steps, in order (views move their own spans by them).
    shifts: tuple[Shift, ...] = ()
    # With shifts, texts edited or rows in bulk: every step in order, rows (a Changes without
    # steps), a Shift, a Retext or a Bulk.
    steps: tuple[Step, ...] = ()

    def sequence(self) -> tuple[Step, ...]:
        """The steps to replay, in order (the rows alone when nothing was shifted)."""
        return self.steps if self.steps else (Changes(self.before, self.after),)

    def ids(self, table: str) -> frozenset[Any]:
        return self._keys.get(table, frozenset())

    @cached_property
    def _keys(self) -> dict[str, frozenset[Any]]:
        """The touched keys of each table, sorted out once: every view asks for several tables,
        and a merge touches tens of thousands of rows."""
        by_table: dict[str, list[Any]] = {}
        for table, key in self.after:
            by_table.setdefault(table, []).append(key)
        for bulk in self.bulks:
            by_table.setdefault(bulk.table, []).extend(bulk.keys())
        return {table: frozenset(keys) for table, keys in by_table.items()}

    @property
    def bulks(self) -> tuple[Bulk, ...]:
        """The rows inserted or deleted in bulk among the steps, in order."""
        return tuple(s for s in self.steps if isinstance(s, Bulk))

    @property
    def row_count(self) -> int:
        """How many rows these changes touched, those in bulk included."""
        return len(self.after) + sum(len(b) for b in self.bulks)

    @cached_property
    def _made_and_removed(self) -> dict[str, tuple[list[Any], list[Any]]]:
        """Each table's keys of rows created and of rows deleted, in order, those in bulk
        after the others (one pass over a change that may hold tens of thousands of rows,
        however many views ask)."""
        out: dict[str, tuple[list[Any], list[Any]]] = {}
        for side, rows in ((0, self.before), (1, self.after)):
            for (table, key), row in rows.items():
                if row is None:
                    out.setdefault(table, ([], []))[side].append(key)
        for bulk in self.bulks:
            out.setdefault(bulk.table, ([], []))[0 if bulk.inserted else 1].extend(bulk.keys())
        return out

    def moved(self, table: str) -> frozenset[Any]:
        """Passages of ``table`` that an edit of their text only moved (their block and
        offsets changed, nothing else): a view that follows the edit by its :class:`Retext`
        has moved them already."""
        out = []
        for (t, key), after in self.after.items():
            before = self.before.get((t, key))
            if t != table or before is None or after is None:
                continue
            if all(before[c] == after[c] for c in after if c not in _POSITIONS):
                out.append(key)
        return frozenset(out)

    def retexted_only(self) -> frozenset[int]:
        """Documents whose row an edit of their text changed and nothing else (its revision
        and length): no name, memo, group or case changed, so lists of names need not change."""
        out = []
        for key in self.ids("documents"):
            before, after = self.before.get(("documents", key)), self.after.get(("documents", key))
            if before is None or after is None:
                continue
            if all(before[c] == after[c] for c in after if c not in _TEXT_STATE):
                out.append(key)
        return frozenset(out)

    def recounted(self, table: str, column: str, *others: str) -> set[Any]:
        """Values of ``column`` in the rows of ``table`` created, deleted, or changed in it or
        in ``others`` (the counts by ``column`` that may have changed: a passage that an edit
        of its text only moved counts for nothing)."""
        out: set[Any] = set()
        for (t, key), after in self.after.items():
            if t != table:
                continue
            before = self.before.get((t, key))
            if before is not None and after is not None:
                if all(before[c] == after[c] for c in (column, *others)):
                    continue
            out.update(row[column] for row in (before, after) if row is not None)
        return out

    def created(self, table: str) -> list[Any]:
        return list(self._made_and_removed.get(table, ((), ()))[0])

    def deleted(self, table: str) -> list[Any]:
        return list(self._made_and_removed.get(table, ((), ()))[1])

    @property
    def retexts(self) -> tuple[Retext, ...]:
        """The edits of documents' texts among the steps, in order."""
        return tuple(s for s in self.steps if isinstance(s, Retext))

    @property
    def documents(self) -> frozenset[int]:
        return self.ids("documents") | {r.document_id for r in self.retexts}

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

    @cached_property
    def memos(self) -> frozenset[int]:
        linked = {
            row["memo_id"]
            for rows in (self.before, self.after)
            for (t, _k), row in rows.items()
            if t == "memo_links" and row is not None
        }
        return self.ids("memos") | linked

    @property
    def annotations(self) -> frozenset[int]:
        return self.ids("annotations")

    @cached_property
    def coding_documents(self) -> frozenset[int]:
        """Documents whose codings changed (for repainting highlights)."""
        docs = {
            row["document_id"]
            for rows in (self.before, self.after)
            for (t, _k), row in rows.items()
            if t == "codings" and row is not None
        }
        return frozenset(docs)

    def prepare(self) -> Changes:
        """Work out now what the views will ask of this change (the ids touched in each table,
        the rows created and deleted, the documents whose codings changed, the memos): a
        worker calls this on a big change (a merge, an import) so that the window's thread
        only reads the answers. Returns the change itself."""
        for answer in ("_keys", "_made_and_removed", "coding_documents", "memos"):
            getattr(self, answer)
        return self

    def inverse(self) -> Changes:
        """What undoing these changes does (rows created become rows deleted, and so on)."""
        steps = tuple(s.inverse() for s in reversed(self.steps))
        shifts = tuple(s.inverse() for s in reversed(self.shifts))
        return Changes(self.after, self.before, shifts, steps)

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
        return (
            bool(self.after)
            or bool(self.shifts)
            or any(isinstance(s, (Retext, Bulk)) for s in self.steps)
        )

    def __or__(self, other: Changes) -> Changes:
        before = dict(other.before)
        before.update(self.before)  # the earliest state wins
        after = dict(self.after)
        after.update(other.after)  # the latest state wins
        if not self.steps and not other.steps:
            return Changes(before, after)
        steps = (*self.sequence(), *other.sequence())
        return Changes(before, after, (*self.shifts, *other.shifts), steps)
