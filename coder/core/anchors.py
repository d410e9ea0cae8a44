"""Passages anchored in a text's blocks: positions stored relative to a block.

Every passage (a coding, an annotation, a case's passage, a speaker turn) stores the block its
start lies in (``block_id``) and its start and end as offsets from that block's start
(``start_offset``, ``end_offset``). The end is relative to the same block as the start, even
when it lies in a later block: one block per passage keeps every read a single join (the views
``codings_at``, ``turns_at``, ``annotations_at``, ``case_selections_at`` give the absolute
``start`` and ``"end"`` under their old names), and an edit of one block touches only the
passages that start in it and the few that span into it from earlier blocks (their end), while
the passages after it move with their block's ``start`` at no cost at all.

:class:`Anchors` turns absolute positions into anchors for writers; :func:`absolute` gives a
stored row's positions back.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import Any

from sqlite_utils import Database

PASSAGE_TABLES = ("codings", "annotations", "case_selections", "turns")


class Anchors:
    """The blocks of documents, read once, to anchor passages given by absolute positions."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._blocks: dict[int, tuple[list[int], list[int]]] = {}  # doc -> (ids, starts)

    def blocks(self, doc_id: int) -> tuple[list[int], list[int]]:
        found = self._blocks.get(doc_id)
        if found is None:
            rows = self.db.execute(
                "SELECT id, start FROM text_blocks WHERE document_id = ? ORDER BY start", [doc_id]
            ).fetchall()
            found = self._blocks[doc_id] = ([r[0] for r in rows], [r[1] for r in rows])
        return found

    def forget(self, doc_id: int) -> None:
        """The document's blocks changed: read them again when next asked."""
        self._blocks.pop(doc_id, None)

    def place(self, doc_id: int, start: int, end: int) -> tuple[int, int, int]:
        """``(block_id, start_offset, end_offset)`` of the passage ``[start, end)``."""
        ids, starts = self.blocks(doc_id)
        if not ids:
            return 0, start, end  # no such document: the insert fails on its foreign key
        i = max(bisect_right(starts, start) - 1, 0)
        return ids[i], start - starts[i], end - starts[i]


def anchored(db: Database, row: dict[str, Any], doc_id: int | None) -> dict[str, Any]:
    """``row`` with its ``start`` and ``end`` as a block and offsets in it."""
    row = dict(row)
    start, end = row.pop("start"), row.pop("end")
    block, a, b = Anchors(db).place(doc_id or 0, start, end)
    row.update(block_id=block, start_offset=a, end_offset=b)
    return row


def absolute(db: Database, row: dict[str, Any]) -> dict[str, Any]:
    """A stored passage row with its absolute ``start`` and ``end`` (offsets dropped)."""
    found = db.execute("SELECT start FROM text_blocks WHERE id = ?", [row["block_id"]]).fetchone()
    base = found[0] if found else 0
    out = {k: v for k, v in row.items() if k not in ("block_id", "start_offset", "end_offset")}
    out["start"], out["end"] = base + row["start_offset"], base + row["end_offset"]
    return out


def insert(db: Database, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert passages given by their absolute ``start`` and ``end`` (two of ``columns``, with
    ``document_id``), anchored in their blocks."""
    anchors = Anchors(db)
    cols = list(columns)
    doc, s, e = cols.index("document_id"), cols.index("start"), cols.index("end")
    kept = [k for k, c in enumerate(cols) if c not in ("start", "end")]
    names = [cols[k] for k in kept] + ["block_id", "start_offset", "end_offset"]
    out = [[r[k] for k in kept] + list(anchors.place(r[doc], r[s], r[e])) for r in rows]
    quoted = ", ".join(f'"{c}"' for c in names)
    marks = ", ".join("?" for _ in names)
    db.conn.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', out)
