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
from typing import TYPE_CHECKING

from coder.core.changes import Changes, Retext
from coder.core.errors import InvalidValue, NotFound
from coder.core.limits import LIMITS
from coder.core.store import new_guid
from coder.core.text import is_speaker_role, speaker_lines
from coder.core.textedit import Edits, clean, edits_of, paragraph_bounds, trim_end, whole_word_spans

if TYPE_CHECKING:
    from coder.core.project import Project

# Tables of passages anchored in a document's text: (table, may a passage be empty?)
# Characters of context shown on either side of an occurrence in a preview
CONTEXT = 40

PASSAGE_TABLES = (("codings", False), ("annotations", False), ("case_selections", False))


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


def plan_edits(text: str, edits: Sequence[tuple[int, int, str]]) -> Edits:
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
    its text before any of them (sorted or not, never overlapping), in one transaction."""
    with project.edit() as edit:
        row = project.db.execute(
            "SELECT text, revision FROM documents WHERE id = ?", [doc_id]
        ).fetchone()
        if row is None:
            raise NotFound(f"no document with id {doc_id}")
        old, revision = row
        plan = plan_edits(old, edits)
        if not len(plan):
            return edit.changes()
        new = plan.apply(old)
        turns = _TurnEdit(project, doc_id, old, plan)
        for table, _empty in PASSAGE_TABLES:
            _move_passages(project, table, doc_id, plan, turns.hi)
        _move_passages(project, "turns", doc_id, plan, turns.hi, may_be_empty=True)
        turns.settle(new)
        pieces = tuple((x.start, old[x.start : x.end], x.new) for x in plan.edits)
        project.retext(Retext(doc_id, pieces, (revision, new_guid())), new)
    return edit.changes()


def _move_passages(
    project: Project, table: str, doc_id: int, plan: Edits, after: int, may_be_empty: bool = False
) -> None:
    """Move one table's passages of a document by the rule; remove those left empty.

    Passages starting after ``after`` (past the last edit and its line) all move by the sum of
    the deltas: one shift, one undo step, however many they are. The others near the edits
    move one by one; they are written before the shift when the text shrinks, after it when it
    grows, so no passage moved one by one ever starts where the shifted ones do.
    """
    db = project.db
    near = list(
        db.execute(
            f'SELECT id, start, "end" FROM "{table}" WHERE document_id = ? '
            f'AND "end" >= ? AND start <= ?',
            [doc_id, plan.first, after],
        )
    )
    gone, moved = [], []
    for row_id, a, b in near:
        na, nb = plan.span(a, b)
        if nb < na:
            nb = na
        if nb == na and (b > a or not may_be_empty):
            gone.append((row_id,))
        elif (na, nb) != (a, b):
            moved.append((na, nb, row_id))
    if plan.delta > 0:
        project.shift(table, doc_id, after, plan.delta)
    if gone:
        db.conn.executemany(f'DELETE FROM "{table}" WHERE id = ?', gone)
    if moved:
        db.conn.executemany(f'UPDATE "{table}" SET start = ?, "end" = ? WHERE id = ?', moved)
    if plan.delta < 0:
        project.shift(table, doc_id, after, plan.delta)


class _TurnEdit:
    """Speaker turns around an edit: read before it, settled after the rule moved them."""

    def __init__(self, project: Project, doc_id: int, old: str, plan: Edits) -> None:
        self.project = project
        self.doc_id = doc_id
        self.plan = plan
        db = project.db
        self.lo, self.hi = paragraph_bounds(old, plan.first, plan.edits[-1].end)
        cols = 'id, speaker, start, "end", time_start'
        where = "document_id = ?"
        rows = list(
            db.execute(
                f"SELECT {cols} FROM turns WHERE {where} AND start < ? ORDER BY start DESC, id "
                "LIMIT 1",
                [doc_id, self.lo],
            )
        )
        rows += list(
            db.execute(
                f"SELECT {cols} FROM turns WHERE {where} AND start >= ? AND start <= ? "
                "ORDER BY start, id",
                [doc_id, self.lo, self.hi],
            )
        )
        following = db.execute(
            f"SELECT {cols} FROM turns WHERE {where} AND start > ? ORDER BY start, id LIMIT 1",
            [doc_id, self.hi],
        ).fetchone()
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

    def settle(self, new: str) -> None:
        """After the rule moved the turns: find the touched paragraphs' speaker lines again
        (when they changed), and run each turn that ran to the next one up to it again."""
        if not self.any:
            return
        db = self.project.db
        ids = [t.id for t in self.turns]
        now = {
            r[0]: r
            for r in db.execute(
                f'SELECT id, speaker, start, "end" FROM turns WHERE id IN '
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
            r = db.execute("SELECT start FROM turns WHERE id = ?", [self.next_id]).fetchone()
            following = r[0] if r else None
        limit = len(new) if following is None else following
        for i, turn in enumerate(turns):
            if not turn.tiled:
                continue
            nxt = turns[i + 1].start if i + 1 < len(turns) else limit
            end = trim_end(new, turn.start, max(nxt, turn.start))
            if turn.id is None:
                db.execute(
                    'INSERT INTO turns (document_id, speaker, start, "end") VALUES (?, ?, ?, ?)',
                    [self.doc_id, turn.speaker, turn.start, end],
                )
            elif end != turn.end:
                db.execute('UPDATE turns SET "end" = ? WHERE id = ?', [end, turn.id])

    def _redetect(self, new: str, turns: list[_Turn], lo: int, hi: int) -> list[_Turn]:
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
