"""A document's text as a run of blocks: whole paragraphs, about :data:`SIZE` characters each.

A document's text is stored as rows of ``text_blocks`` (``document_id``, ``start``, ``text``),
contiguous from 0, every block but the last ending with a newline: a block is split only after
a ``"\\n"``, so a paragraph (a single long one included) lies in one block and a phrase never
crosses two. ``documents.length`` holds the characters of the whole text. The full-text index
is over the blocks, so an edit rewrites and re-indexes one block (or the few it touches) and
moves the ``start`` of the blocks after it, instead of rewriting and re-indexing a 3 MB text.

An edit keeps the blocks about their size: a block that grows past twice :data:`SIZE` is split
again, and one that shrinks below a quarter of it is merged with a neighbour, by the edit
itself (:func:`edit_blocks`).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlite_utils import Database

from coder.core.changes import Changes, Retext
from coder.core.errors import InvalidValue

if TYPE_CHECKING:
    from coder.core.store import Store
    from coder.core.textedit import Edits

# Characters a block aims at (tests use a small size to cross blocks with a few words).
SIZE = 8192


def split(text: str, size: int | None = None) -> list[str]:
    """``text`` cut after newlines into blocks of at least ``size`` characters (the last may be
    shorter; a tail under a quarter of ``size`` stays with the block before it). Always at
    least one block, empty for an empty text."""
    size = size or SIZE
    out: list[str] = []
    pos, n = 0, len(text)
    while pos < n:
        cut = text.find("\n", pos + size - 1) + 1 if pos + size < n else 0
        if cut <= 0 or n - cut < size // 4:
            cut = n
        out.append(text[pos:cut])
        pos = cut
    return out or [""]


def write_text(db: Database, doc_id: int, text: str) -> None:
    """Store the whole text of a document (a new one, or replacing its blocks) and its length.
    The blocks are logged for undo row by row (a few per document, one per 8,000 characters)."""
    rows, at = [], 0
    for block in split(text):
        rows.append((doc_id, at, block))
        at += len(block)
    db.execute("DELETE FROM text_blocks WHERE document_id = ?", [doc_id])
    db.conn.executemany("INSERT INTO text_blocks (document_id, start, text) VALUES (?, ?, ?)", rows)
    db.execute("UPDATE documents SET length = ? WHERE id = ?", [len(text), doc_id])


def check_revisions(db: Database, changes: Changes) -> None:
    """Refuse to replay edits of a text that is no longer the one they were made on (it was
    edited since): its revision tells."""
    seen: set[int] = set()
    for step in changes.sequence():
        if not isinstance(step, Retext) or step.document_id in seen:
            continue
        seen.add(step.document_id)
        row = db.execute("SELECT revision FROM documents WHERE id = ?", [step.document_id])
        found = row.fetchone()
        if found is None or found[0] != step.revision[0]:
            raise InvalidValue("the text is not the one this step was made on")


def read_text(db: Database, doc_id: int) -> str | None:
    """The whole text of a document (None when it has no blocks: no such document)."""
    parts = [
        r[0]
        for r in db.execute(
            "SELECT text FROM text_blocks WHERE document_id = ? ORDER BY start", [doc_id]
        )
    ]
    return "".join(parts) if parts else None


def read_range(db: Database, doc_id: int, start: int, end: int) -> str:
    """``text[start:end]`` of a document, reading only the blocks it overlaps."""
    rows = db.execute(
        "SELECT start, text FROM text_blocks WHERE document_id = ? AND start < ? "
        "AND start >= ifnull((SELECT max(start) FROM text_blocks WHERE document_id = ? "
        "AND start <= ?), 0) ORDER BY start",
        [doc_id, max(end, start + 1), doc_id, start],
    ).fetchall()
    if not rows:
        return ""
    first = rows[0][0]
    joined = "".join(r[1] for r in rows)
    return joined[start - first : end - first]


@dataclass
class Run:
    """The blocks an edit rewrites: their ids and starts before it (``lo`` the first start,
    ``hi`` where the blocks after them start, None at the text's end), the texts that replace
    them, and, once written, the ids and starts of those."""

    ids: list[int]
    starts: list[int]
    lo: int
    hi: int | None
    pieces: list[str]
    new_ids: list[int] = field(default_factory=list)
    new_starts: list[int] = field(default_factory=list)

    def at(self, position: int) -> tuple[int, int]:
        """``(id, start)`` of the new block that holds ``position`` (inside the run)."""
        k = block_at(self.new_starts, position)
        return self.new_ids[k], self.new_starts[k]


def edit_blocks(store: Store, doc_id: int, plan: Edits) -> Run:
    """Apply ``plan`` (edits in positions of the current text) to a document's blocks: the
    blocks it touches are rewritten (split or merged to keep their size), the blocks after them
    move by the edits' delta in one logged shift, and the document's length follows.

    Only the touched run of blocks is read and written: one block for a keystroke.
    """
    run = plan_run(store.db, doc_id, plan)
    write_run(store, doc_id, plan, run)
    return run


def plan_run(db: Database, doc_id: int, plan: Edits) -> Run:
    """The run of blocks ``plan`` rewrites, and what replaces it (nothing written)."""
    index = db.execute(
        "SELECT id, start FROM text_blocks WHERE document_id = ? ORDER BY start", [doc_id]
    ).fetchall()
    starts = [r[1] for r in index]
    i = block_at(starts, plan.edits[0].start)
    j = max(block_at(starts, plan.edits[-1].end), i)
    new = _edited("".join(_texts(db, [r[0] for r in index[i : j + 1]])), starts[i], plan)
    # the run ends a paragraph (or the text); one that shrank much takes in a neighbour
    while j + 1 < len(index) and (not new.endswith("\n") or len(new) < SIZE // 4):
        j += 1
        new += _texts(db, [index[j][0]])[0]
    if len(new) < SIZE // 4 and i > 0 and j + 1 == len(index):
        i -= 1
        new = _texts(db, [index[i][0]])[0] + new
    run = index[i : j + 1]
    pieces = split(new) if len(new) > 2 * SIZE or len(run) > 1 else [new]
    hi = starts[j + 1] if j + 1 < len(index) else None
    return Run([r[0] for r in run], [r[1] for r in run], starts[i], hi, pieces)


def write_run(store: Store, doc_id: int, plan: Edits, run: Run) -> None:
    """Write the run's new blocks (ids kept while there are pieces) and shift those after."""
    db = store.db
    delta = plan.delta
    if delta > 0 and run.hi is not None:
        store.shift("text_blocks", doc_id, run.hi - 1, delta)
    at = run.lo
    for k, piece in enumerate(run.pieces):
        if k < len(run.ids):
            block_id = run.ids[k]
            db.execute(
                "UPDATE text_blocks SET start = ?, text = ? WHERE id = ?", [at, piece, block_id]
            )
        else:
            block_id = store.insert(
                "text_blocks", {"document_id": doc_id, "start": at, "text": piece}
            )
        run.new_ids.append(block_id)
        run.new_starts.append(at)
        at += len(piece)
    for block_id in run.ids[len(run.pieces) :]:
        db.execute("DELETE FROM text_blocks WHERE id = ?", [block_id])
    if delta < 0 and run.hi is not None:
        store.shift("text_blocks", doc_id, run.hi - 1, delta)
    db.execute("UPDATE documents SET length = length + ? WHERE id = ?", [delta, doc_id])


def _texts(db: Database, ids: list[int]) -> list[str]:
    """The texts of these blocks, in the order given."""
    marks = ",".join("?" for _ in ids)
    found = dict(db.execute(f"SELECT id, text FROM text_blocks WHERE id IN ({marks})", ids))
    return [found[i] for i in ids]


def _edited(old: str, lo: int, plan: Edits) -> str:
    """The text of a run of blocks starting at ``lo`` after the edits (all inside it)."""
    parts, pos = [], 0
    for edit in plan.edits:
        parts += [old[pos : edit.start - lo], edit.new]
        pos = edit.end - lo
    parts.append(old[pos:])
    return "".join(parts)


def block_at(starts: list[int], position: int) -> int:
    """The index of the block holding ``position`` among blocks starting at ``starts``."""
    return max(bisect_right(starts, position) - 1, 0)


class BlockText:
    """A document's text read block by block as it is needed: the few operations an edit
    makes on it (length, slices, characters, finding a newline) without joining the whole
    text. Take it before an edit writes the blocks (or after, for the new text), not across."""

    def __init__(self, db: Database, doc_id: int) -> None:
        self.db = db
        self.doc_id = doc_id
        rows = db.execute(
            "SELECT id, start FROM text_blocks WHERE document_id = ? ORDER BY start", [doc_id]
        ).fetchall()
        self.ids = [r[0] for r in rows]
        self.starts = [r[1] for r in rows]
        row = db.execute("SELECT length FROM documents WHERE id = ?", [doc_id]).fetchone()
        self.length = row[0] if row else 0
        self._texts: dict[int, str] = {}

    def __len__(self) -> int:
        return self.length

    def _block(self, k: int) -> str:
        text = self._texts.get(k)
        if text is None:
            row = self.db.execute("SELECT text FROM text_blocks WHERE id = ?", [self.ids[k]])
            text = self._texts[k] = row.fetchone()[0]
        return text

    def __getitem__(self, key: int | slice) -> str:
        if isinstance(key, int):
            if key < 0:
                key += self.length
            if not 0 <= key < self.length:
                raise IndexError("text index out of range")
            k = block_at(self.starts, key)
            return self._block(k)[key - self.starts[k]]
        start, stop, _step = key.indices(self.length)
        if stop <= start:
            return ""
        parts = []
        k = block_at(self.starts, start)
        while k < len(self.ids) and self.starts[k] < stop:
            base = self.starts[k]
            parts.append(self._block(k)[max(start - base, 0) : stop - base])
            k += 1
        return "".join(parts)

    def find(self, sub: str, start: int = 0, end: int | None = None) -> int:
        """The first ``sub`` (a single character) in ``[start, end)``, or -1."""
        end = self.length if end is None else min(end, self.length)
        k = block_at(self.starts, start) if self.ids else 0
        while k < len(self.ids) and self.starts[k] < end:
            base = self.starts[k]
            at = self._block(k).find(sub, max(start - base, 0), end - base)
            if at != -1:
                return base + at
            k += 1
        return -1

    def rfind(self, sub: str, start: int = 0, end: int | None = None) -> int:
        """The last ``sub`` (a single character) in ``[start, end)``, or -1."""
        end = self.length if end is None else min(end, self.length)
        if end <= 0 or not self.ids:
            return -1
        k = block_at(self.starts, end - 1)
        while k >= 0 and self.starts[k] + len(self._block(k)) > start:
            base = self.starts[k]
            at = self._block(k).rfind(sub, max(start - base, 0), end - base)
            if at != -1:
                return base + at
            k -= 1
        return -1
