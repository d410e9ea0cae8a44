"""Editing a document's text after coding: every passage anchored in it follows the edit.

``edit_text(project, doc_id, start, end, new_text)`` replaces ``text[start:end]``;
``replace_all(project, doc_id, old, new)`` replaces every occurrence; ``apply_edits`` makes
several edits of one document; each is one transaction and one undo step. Codings,
annotations, case passages and speaker turns move by the rule of :mod:`coder.core.textedit`;
a passage whose whole text is deleted is removed (undo brings it back, GUID, memo and coder
included). New text is normalised as at import (no CR, no NUL). Speaker turns run to the next
speaker line, so a turn's end follows the text typed at it; when an edit changes which lines
of the touched paragraphs are speaker lines (a label fixed, added or removed), their turns are
found again, as import finds them. Subtitle turns keep their times. The full-text index is
updated with the text, in the same transaction.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from coder.core import blocks
from coder.core.changes import Changes, Retext
from coder.core.errors import InvalidValue, NotFound
from coder.core.limits import LIMITS
from coder.core.store import new_guid
from coder.core.text import is_speaker_role, speaker_lines
from coder.core.textedit import (
    Edits,
    Text,
    clean,
    edits_of,
    paragraph_bounds,
    trim_end,
    whole_word_spans,
)

if TYPE_CHECKING:
    from coder.core.project import Project

# Characters of context shown on either side of an occurrence in a preview
CONTEXT = 40

# Tables of passages anchored in a document's text (a turn may be empty)

PASSAGE_TABLES = ("codings", "annotations", "case_selections", "turns")


@dataclass(frozen=True)
class _Turn:
    id: int | None
    speaker: str | None
    start: int
    end: int
    tiled: bool  # did it run up to the next turn (or the text's end)?


def edit_text(project: Project, doc_id: int, start: int, end: int, new_text: str) -> Changes:
    """Replace ``text[start:end]`` of a document with ``new_text`` (one undo step)."""
    return apply_edits(project, doc_id, [(start, end, new_text)])


def replace_all(
    project: Project, doc_id: int, old: str, new: str, whole_word: bool = True
) -> Changes:
    """Replace every occurrence of ``old`` in a document with ``new`` (one undo step).

    With ``whole_word``, an occurrence inside a longer word is left alone.
    """
    text = project.document_text(doc_id)
    spans = whole_word_spans(text, old, whole_word)
    return apply_edits(project, doc_id, [(s, e, new) for s, e in spans])


def occurrences(text: str, old: str, whole_word: bool = True) -> list[tuple[int, int]]:
    """Where :func:`replace_all` would replace ``old`` in ``text``."""
    return whole_word_spans(text, old, whole_word)


@dataclass(frozen=True)
class Move:
    """What edits do to one coding: from ``[start, end)`` to ``[new_start, new_end)``, or
    removed (``new_start`` None) when its whole text is deleted."""

    guid: str
    start: int
    end: int
    new_start: int | None
    new_end: int | None

    @property
    def kind(self) -> str:
        """moved, grown, shrunk or removed."""
        if self.new_start is None or self.new_end is None:
            return "removed"
        old, new = self.end - self.start, self.new_end - self.new_start
        return "grown" if new > old else "shrunk" if new < old else "moved"


def plan_edits(text: Text, edits: Sequence[tuple[int, int, str]]) -> Edits:
    """The edits of ``text`` to make, new text normalised; an edit that puts back the text it
    replaces is left out (it changes and moves nothing). Refuses a text over the limit."""
    edits_ = edits_of(edits, len(text))
    edits_ = Edits([x for x in edits_.edits if text[x.start : x.end] != x.new], len(text))
    new_length = len(text) + edits_.delta
    if new_length > LIMITS.characters:
        raise InvalidValue(
            f"the text would have {new_length:,} characters, more than the "
            f"{LIMITS.characters:,} a document may have"
        )
    return edits_


def coding_moves(
    project: Project, doc_id: int, edits: Sequence[tuple[int, int, str]]
) -> tuple[int, list[Move]]:
    """What ``edits`` would do to a document, by the rule, writing nothing: the length of the
    new text and each coding they would move, grow, shrink or remove (in the order of the
    codings' new positions, removed ones by their old)."""
    text = project.document_text(doc_id)
    edits_ = plan_edits(text, edits)
    moves = []
    if len(edits_):
        for c in project.codings(doc_id):
            na, nb = edits_.span(c.start, c.end)
            if nb <= na:
                moves.append(Move(c.guid, c.start, c.end, None, None))
            elif (na, nb) != (c.start, c.end):
                moves.append(Move(c.guid, c.start, c.end, na, nb))
    moves.sort(key=lambda m: (m.new_start or m.start, m.new_end or m.end, m.guid))
    return len(text) + edits_.delta, moves


@dataclass(frozen=True)
class Occurrence:
    """One place a replacement would change: ``[start, end)`` of the text, a little of the
    text on either side, and the codings it grows, shrinks or removes (their whole change, on
    the first occurrence they touch)."""

    start: int
    end: int
    before: str
    after: str
    codings: tuple[tuple[Move, str], ...]  # (move, code path)


@dataclass(frozen=True)
class ReplacePreview:
    """What replacing a text does to one document, computed by the rule, written nowhere."""

    doc_id: int
    name: str
    characters: int  # the length of the new text
    occurrences: tuple[Occurrence, ...]
    moved: int  # codings that only move with their text


def preview_replace(
    project: Project, doc_ids: Sequence[int], old: str, new: str, whole_word: bool = True
) -> list[ReplacePreview]:
    """Every occurrence :func:`replace_all` would replace in these documents, with what it
    does to the codings: the preview a user checks before replacing."""
    old = clean(old)
    out = []
    for doc_id in doc_ids:
        text = project.document_text(doc_id)
        spans = whole_word_spans(text, old, whole_word)
        if not spans:
            continue
        characters, moves = coding_moves(project, doc_id, [(s, e, new) for s, e in spans])
        paths = {c.guid: c.code_path for c in project.codings(doc_id)} if moves else {}
        starts = [s for s, _e in spans]
        touched: list[list[tuple[Move, str]]] = [[] for _ in spans]
        moved = 0
        for m in moves:
            if m.kind == "moved":
                moved += 1
                continue
            i = max(bisect_right(starts, m.end) - 1, 0)  # the last occurrence starting by its end
            while i > 0 and spans[i - 1][1] >= m.start:
                i -= 1  # the first occurrence it touches
            touched[i].append((m, paths.get(m.guid, "")))
        occurrences = tuple(
            Occurrence(s, e, text[max(0, s - CONTEXT) : s], text[e : e + CONTEXT], tuple(t))
            for (s, e), t in zip(spans, touched, strict=True)
        )
        name = project.document_name(doc_id)
        out.append(ReplacePreview(doc_id, name, characters, occurrences, moved))
    return out


def replace_spans(
    project: Project, plan: Mapping[int, Sequence[tuple[int, int]]], old: str, new: str
) -> Changes:
    """Replace ``old`` with ``new`` at the chosen places of several documents (as a preview
    listed them), in one transaction and one undo step. Refuses, changing nothing, when a
    document's text no longer holds ``old`` there (it was edited since the preview)."""
    old = clean(old)
    with project.edit() as edit:
        for doc_id, spans in plan.items():
            text = project.document_text(doc_id)
            if any(text[s:e] != old for s, e in spans):
                raise InvalidValue(
                    f"the text of {project.document_name(doc_id)} changed since the preview; "
                    "preview again"
                )
            apply_edits(project, doc_id, [(s, e, new) for s, e in spans])
    return edit.changes()


def apply_edits(project: Project, doc_id: int, edits: Sequence[tuple[int, int, str]]) -> Changes:
    """Make several edits of one document, given as ``(start, end, new_text)`` in positions of
    its text before any of them (sorted or not, never overlapping), in one transaction.

    The text's blocks the edits touch are rewritten and those after them move (one shift of a
    few hundred block starts at most); the passages anchored in the rewritten blocks, and those
    of earlier blocks that reach into them, are moved by the rule and anchored again. Passages
    after the edits are anchored in blocks that moved: they move at no cost.
    """
    with project.edit() as edit:
        row = project.db.execute("SELECT revision FROM documents WHERE id = ?", [doc_id]).fetchone()
        if row is None:
            raise NotFound(f"no document with id {doc_id}")
        (revision,) = row
        old = blocks.BlockText(project.db, doc_id)  # the blocks near the edits, not all
        plan = plan_edits(old, edits)
        if not len(plan):
            return edit.changes()
        pieces = tuple((x.start, old[x.start : x.end], x.new) for x in plan.edits)
        turns = _TurnEdit(project, doc_id, old, plan)
        run = blocks.plan_run(project.db, doc_id, plan)
        near = {table: _near(project, table, doc_id, plan, run) for table in PASSAGE_TABLES}
        blocks.write_run(project, doc_id, plan, run)
        for table, rows in near.items():
            _move_passages(project, table, plan, run, rows, may_be_empty=table == "turns")
        turns.settle(blocks.BlockText(project.db, doc_id))
        step = Retext(doc_id, pieces, (revision, new_guid()))
        project.db.execute(
            "UPDATE documents SET revision = ? WHERE id = ?", [step.revision[1], doc_id]
        )
        project.retext(step)
    return edit.changes()


def _near(
    project: Project, table: str, doc_id: int, plan: Edits, run: blocks.Run
) -> list[tuple[int, int, int, int]]:
    """``(id, block start, start, end)`` (absolute positions) of the passages anchored in the
    run's blocks and of those anchored before it that end after the first edit's start: the
    only ones an edit can move (read before the blocks are rewritten)."""
    db = project.db
    marks = ",".join("?" for _ in run.ids)
    starts = dict(zip(run.ids, run.starts, strict=True))
    rows = [
        (row_id, starts[block], starts[block] + a, starts[block] + b)
        for row_id, block, a, b in db.execute(
            f'SELECT id, block_id, start_offset, end_offset FROM "{table}" '
            f"WHERE block_id IN ({marks})",
            run.ids,
        )
    ]
    rows += db.execute(
        "SELECT t.id, b.start, b.start + t.start_offset, b.start + t.end_offset "
        f'FROM text_blocks b JOIN "{table}" t ON t.block_id = b.id '
        "WHERE b.document_id = ? AND b.start < ? AND t.end_offset > ? - b.start",
        [doc_id, run.lo, plan.first],
    ).fetchall()
    return rows


def _move_passages(
    project: Project,
    table: str,
    plan: Edits,
    run: blocks.Run,
    rows: list[tuple[int, int, int, int]],
    may_be_empty: bool = False,
) -> None:
    """Move one table's passages near the edits by the rule (anchored again in the run's new
    blocks when they start in it); remove those left empty."""
    gone: list[tuple[int]] = []
    moved: list[tuple[int | None, int, int, int]] = []
    for row_id, base, a, b in rows:
        na, nb = plan.span(a, b)
        if nb < na:
            nb = na
        if nb == na and (b > a or not may_be_empty):
            gone.append((row_id,))
            continue
        if base >= run.lo:  # anchored in the run: in its new blocks now
            block, base = run.at(na)
            moved.append((block, na - base, nb - base, row_id))
        elif nb != b:  # anchored before the run, reaching into it: its end moves
            moved.append((None, na - base, nb - base, row_id))
    db = project.db
    if gone:
        db.conn.executemany(f'DELETE FROM "{table}" WHERE id = ?', gone)
    if moved:
        db.conn.executemany(
            f'UPDATE "{table}" SET block_id = ifnull(?, block_id), start_offset = ?, '
            "end_offset = ? WHERE id = ?",
            moved,
        )


class _TurnEdit:
    """Speaker turns around an edit: read before it, settled after the rule moved them."""

    def __init__(self, project: Project, doc_id: int, old: Text, plan: Edits) -> None:
        self.project = project
        self.doc_id = doc_id
        self.plan = plan
        db = project.db
        self.lo, self.hi = paragraph_bounds(old, plan.first, plan.edits[-1].end)
        rows = _turns(db, doc_id, "b.start < ? AND {at} < ?", [self.lo, self.lo], "DESC", "LIMIT 1")
        rows += _turns(
            db,
            doc_id,
            "b.start >= ? AND b.start <= ? AND {at} >= ? AND {at} <= ?",
            [_block_start(db, doc_id, self.lo), self.hi, self.lo, self.hi],
        )
        after = _turns(
            db, doc_id, "b.start >= ? AND {at} > ?", [_block_start(db, doc_id, self.hi), self.hi],
            limit="LIMIT 1",
        )  # fmt: skip
        following = after[0] if after else None
        self.any = bool(rows) or following is not None
        self.timed = any(r[4] is not None for r in rows) or (
            following is not None and following[4] is not None
        )
        limit = following[2] if following is not None else len(old)
        self.turns: list[_Turn] = []
        for i, (turn_id, speaker, start, end, _time) in enumerate(rows):
            nxt = rows[i + 1][2] if i + 1 < len(rows) else limit
            tiled = end == trim_end(old, start, nxt) and end >= start
            self.turns.append(_Turn(turn_id, speaker, start, end, tiled))
        self.next_id = following[0] if following is not None else None

    def settle(self, new: Text) -> None:
        """After the rule moved the turns: find the touched paragraphs' speaker lines again
        (when they changed), and run each turn that ran to the next one up to it again."""
        if not self.any:
            return
        db = self.project.db
        ids = [t.id for t in self.turns]
        now = {
            r[0]: r
            for r in db.execute(
                f'SELECT id, speaker, start, "end" FROM turns_at WHERE id IN '
                f"({','.join('?' for _ in ids) or 'NULL'})",
                ids,
            )
        }
        turns = [
            _Turn(t.id, t.speaker, now[t.id][2], now[t.id][3], t.tiled)
            for t in self.turns
            if t.id in now
        ]
        lo = self.lo
        hi = self.hi + self.plan.delta
        lo, hi = paragraph_bounds(new, lo, max(lo, hi))
        if not self.timed:
            turns = self._redetect(new, turns, lo, hi)
        following = None
        if self.next_id is not None:
            r = db.execute("SELECT start FROM turns_at WHERE id = ?", [self.next_id]).fetchone()
            following = r[0] if r else None
        limit = len(new) if following is None else following
        for i, turn in enumerate(turns):
            if not turn.tiled:
                continue
            nxt = turns[i + 1].start if i + 1 < len(turns) else limit
            end = trim_end(new, turn.start, max(nxt, turn.start))
            if turn.id is None:
                self.project.insert(
                    "turns",
                    {"document_id": self.doc_id, "speaker": turn.speaker, "start": turn.start,
                     "end": end},
                )  # fmt: skip
            elif end != turn.end:
                db.execute(
                    "UPDATE turns SET end_offset = ? - (SELECT start FROM text_blocks "
                    "WHERE id = turns.block_id) WHERE id = ?",
                    [end, turn.id],
                )

    def _redetect(self, new: Text, turns: list[_Turn], lo: int, hi: int) -> list[_Turn]:
        """The turns with the speaker lines of ``new[lo:hi]`` found again, when they changed."""
        inside = [t for t in turns if lo <= t.start <= hi]
        found = [(lo + at, label) for at, label in speaker_lines(new[lo:hi])]
        if [(t.start, t.speaker) for t in inside] == found:
            return turns
        if found:
            speakers = {
                (r[0] or "").casefold()
                for r in self.project.db.execute(
                    "SELECT DISTINCT speaker FROM turns WHERE document_id = ?", [self.doc_id]
                )
            }
            found = [
                (at, label)
                for at, label in found
                if label.casefold() in speakers or is_speaker_role(label)
            ]
        if [(t.start, t.speaker) for t in inside] == found:
            return turns
        wanted = set(found)
        kept: list[_Turn] = []
        for t in inside:  # a turn whose speaker line is still there stays (once)
            if (t.start, t.speaker) in wanted:
                wanted.discard((t.start, t.speaker))
                kept.append(t)
            else:
                self.project.db.execute("DELETE FROM turns WHERE id = ?", [t.id])
        before = [t for t in turns if t.start < lo]
        made = kept + [
            _Turn(None, label, at, at, True) for at, label in found if (at, label) in wanted
        ]
        made.sort(key=lambda t: t.start)
        return before + made


def _turns(
    db: Database, doc_id: int, where: str, params: list[Any], order: str = "", limit: str = ""
) -> list[tuple]:
    """``(id, speaker, start, end, time_start)`` of a document's turns matching ``where``
    (``{at}``: a turn's start), in text order (``order``: DESC for the reverse), from the blocks'
    and the turns' indexes."""
    where = where.format(at="b.start + t.start_offset")
    return db.execute(
        "SELECT t.id, t.speaker, b.start + t.start_offset, b.start + t.end_offset, t.time_start "
        "FROM text_blocks b JOIN turns t ON t.block_id = b.id "
        f"WHERE b.document_id = ? AND {where} "
        f"ORDER BY b.start {order}, t.start_offset {order}, t.id {limit}",
        [doc_id, *params],
    ).fetchall()


def _block_start(db: Database, doc_id: int, position: int) -> int:
    """The start of the block holding ``position``."""
    row = db.execute(
        "SELECT max(start) FROM text_blocks WHERE document_id = ? AND start <= ?",
        [doc_id, position],
    ).fetchone()
    return row[0] or 0
