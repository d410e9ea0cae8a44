"""The document view follows an edit of the shown text (typed, replaced, undone or redone).

The core moved every coding, turn and annotation by the rule of :mod:`coder.core.textedit`;
the view moves its own copies of the codings by the same rule (a coding left empty goes), so a
keystroke costs no reading of every coding. The text control gets the replaced pieces, unless
it already shows them (the user typed them). Turns and annotations are few: they are read again.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from operator import itemgetter
from typing import TYPE_CHECKING

from PySide6.QtGui import QTextCursor

from coder.core.text import PARAGRAPH, PositionMap
from coder.core.textedit import Edits, TextEdit
from coder.ui.views import document_load as load

if TYPE_CHECKING:
    from coder.core.changes import Changes, Retext
    from coder.ui.views.document_view import DocumentView
    from coder.ui.views.span_index import Span


@dataclass
class Followed:
    """What an edit did to the shown codings."""

    moved: int = 0  # same length, new place
    resized: int = 0  # grew or shrank
    removed: int = 0  # their whole text was deleted

    def describe(self) -> str:
        """ "1 coding grew or shrank, 40 moved with the text" (or "no coding changed")."""
        parts = []
        if self.resized:
            parts.append(f"{self.resized} coding{'s' * (self.resized != 1)} grew or shrank")
        if self.removed:
            parts.append(
                f"{self.removed} coding{'s' * (self.removed != 1)} removed (all its text deleted)"
            )
        if self.moved:
            parts.append(f"{self.moved:,} coding{'s' * (self.moved != 1)} moved with the text")
        return ", ".join(parts) if parts else "no coding changed"


def follow(view: DocumentView, changes: Changes) -> Followed:
    """Apply the edits of the shown document's text in ``changes`` to the view (text,
    codings, turns, annotations, margins) and say what they did to the codings."""
    done = Followed()
    project, doc_id = view.project, view.doc_id
    assert project is not None and doc_id is not None
    reread = False
    touched: list[tuple[int, int]] = []  # UTF-16 ranges of the new text the edits wrote
    for retext in changes.retexts:
        if retext.document_id == doc_id:
            wrote = _follow_one(view, retext, done)
            reread |= wrote is None
            touched += [wrote] if wrote is not None else []
    turn_rows = [
        (was, now)
        for (table, _key), was in changes.before.items()
        if table == "turns"
        for now in [changes.after.get((table, _key))]
        if (was or now or {}).get("document_id") == doc_id
    ]
    speakers = view.speakers
    everywhere = reread or bool(view.find_matches) or len(touched) > 8
    if reread or any(was is None or now is None for was, now in turn_rows):
        # A turn found again or gone (a speaker label edited): read them again (few).
        view._set_turns(load.turns_of(project.turn_spans(doc_id), view.pm))
        everywhere = True
    else:
        moved = project.turns_by_id(now["id"] for _was, now in turn_rows if now is not None)
        _settle_turns(view, [{"start": t.start, "end": t.end, "speaker": t.speaker} for t in moved])
    view._edits += 1  # a reading of every coding under way is stale
    view.find_matches, view.find_current = [], -1
    view.notes.load(project, doc_id)
    view._update_margins()
    view.stripes.invalidate()
    if everywhere or view.speakers != speakers:
        view.viewport().update()
        view.stripes.update()
        view.gutter.update()
    else:
        # Only the blocks the edits wrote: the codings after them moved with their text, on
        # the same lines of the screen. Should the lines below move (a line more or less),
        # the text control repaints them itself, the margins with it.
        for a16, b16 in touched:
            view.update_range(a16, max(b16, a16 + 1))
        if done.resized or done.removed:
            view.stripes.update()  # a stripe's label may reach past the lines repainted
    view.positionChanged.emit()
    view.last_followed = done
    return done


def _follow_one(view: DocumentView, retext: Retext, done: Followed) -> tuple[int, int] | None:
    """One edit of the text: the UTF-16 range of the new text it wrote, or None when the view
    had to show the document afresh."""
    old_text, old_pm = view.text, view.pm
    try:
        new_text = retext.apply(old_text)
    except ValueError:
        # The view does not show the text this edit was made on (it should): show it afresh.
        assert view.project is not None and view.doc_id is not None
        view.set_document(view.project, view.doc_id)
        return None
    cp = Edits([TextEdit(s, s + len(old), new) for s, old, new in retext.edits], len(old_text))
    u16 = Edits(
        [
            TextEdit(old_pm.to_utf16(s), old_pm.to_utf16(s + len(old)), _utf16(new))
            for s, old, new in retext.edits
        ],
        old_pm.utf16_length,
    )
    if not view.text_typed:
        _edit_control(view, old_pm, retext)
    if view._paragraphs is not None:
        view._paragraphs = _paragraphs_after(view._paragraphs, old_text, new_text, cp)
    view.text, view.pm = new_text, _map_after(old_pm, retext, new_text)
    _move_spans(view, cp, u16, done)
    _move_turns(view, u16)
    return u16.first, u16.edits[-1].end + u16.delta


def _map_after(pm: PositionMap, retext: Retext, new_text: str) -> PositionMap:
    """The position map of the new text: the old one moved by a few edits (a keystroke reads
    no more than its own text), or built afresh for many."""
    if len(retext.edits) > 16:
        return PositionMap(new_text)
    for start, old, new in reversed(retext.edits):  # from the last: earlier positions hold
        pm = pm.replaced(start, start + len(old), new)
    return pm


def _move_turns(view: DocumentView, u16: Edits) -> None:
    """Move the speaker turns by the rule (they do not overlap: those before the edits stay,
    those after shift, those around them are mapped)."""
    turns, starts = view.turns, view.turn_starts
    i = max(bisect_left(starts, u16.first) - 1, 0)
    j = max(bisect_left(starts, u16.edits[-1].end), i)
    d = u16.delta
    if not d:
        turns[i:j] = [(*u16.span(a, b), who, t) for a, b, who, t in turns[i:j]]
        starts[i:j] = [turn[0] for turn in turns[i:j]]
        return
    # The same speakers: only the turns and their starts are new.
    view.turns = (
        turns[:i]
        + [(*u16.span(a, b), who, t) for a, b, who, t in turns[i:j]]
        + [(a + d, b + d, who, t) for a, b, who, t in turns[j:]]
    )
    view.turn_starts = list(map(itemgetter(0), view.turns))


def _paragraphs_after(
    old: list[tuple[int, int]], old_text: str, new_text: str, cp: Edits
) -> list[tuple[int, int]]:
    """The paragraphs of the new text: found again only on the lines the edits touched."""
    lo = old_text.rfind("\n", 0, cp.first) + 1
    hi = old_text.find("\n", cp.edits[-1].end)
    hi = len(old_text) if hi == -1 else hi
    d = cp.delta
    i = bisect_left(old, (lo, -1))
    j = bisect_left(old, (hi + 1, -1))
    found = [m.span() for m in PARAGRAPH.finditer(new_text, lo, hi + d)]
    return old[:i] + found + [(a + d, b + d) for a, b in old[j:]]


def _utf16(text: str) -> str:
    """A stand-in with the UTF-16 length of ``text`` (only lengths matter to the rule)."""
    return "x" * (len(text.encode("utf-16-le")) // 2)


def _settle_turns(view: DocumentView, rows: list[dict]) -> None:
    """Turns whose end the core set after the rule (a turn runs to the next speaker line)."""
    if not rows:
        return
    to16 = load.converter(view.pm)
    turns = view.turns
    for row in rows:
        s16 = to16(row["start"])
        i = bisect_left(view.turn_starts, s16)
        while i < len(turns) and turns[i][0] == s16:
            if turns[i][2] == row["speaker"]:
                turns[i] = (s16, to16(row["end"]), turns[i][2], turns[i][3])
                break
            i += 1


def _edit_control(view: DocumentView, pm: PositionMap, retext: Retext) -> None:
    """Put the new pieces into the text control (from the last, so positions hold)."""
    view.finish_text()
    cursor = QTextCursor(view.document())
    view.text_following = True
    try:
        cursor.beginEditBlock()
        for start, old, new in reversed(retext.edits):
            cursor.setPosition(pm.to_utf16(start))
            cursor.setPosition(pm.to_utf16(start + len(old)), QTextCursor.MoveMode.KeepAnchor)
            cursor.insertText(new)
        cursor.endEditBlock()
    finally:
        view.text_following = False


def _move_spans(view: DocumentView, cp: Edits, u16: Edits, done: Followed) -> None:
    """Move the view's codings by the rule; those left empty go. The codings before every
    edit are left alone, those starting after the last one shift (one tight pass), only those
    between are mapped one by one."""
    order, spans = view._order, view.spans
    first16, last16 = u16.first, u16.edits[-1].end
    d, d16 = cp.delta, u16.delta
    i0 = bisect_left(view._maxends, first16)  # before: none of them reaches the first edit
    j = max(bisect_left(view._starts, last16), i0)  # after: they start past the last edit
    new_order = order[:i0]
    gone: list[int] = []
    for _s16, _e16, cid in order[i0:j]:
        span = spans[cid]
        if _map(span, cp, u16, done):
            new_order.append(span.key)
        else:
            gone.append(cid)
    tail = order[j:]
    if d or d16:
        for cid in map(itemgetter(2), tail):
            span = spans[cid]
            span.start += d
            span.end += d
            span.s16 += d16
            span.e16 += d16
        new_order += [(s16 + d16, e16 + d16, cid) for s16, e16, cid in tail]
    else:
        new_order += tail
    if d:
        done.moved += len(tail)
    if view.coder_filter is not None or view.compare is not None:
        for span in view._all.values():  # codings the coder filter hides
            if span.id not in spans and not _map(span, cp, u16, done):
                gone.append(span.id)
    for cid in gone:
        view._all.pop(cid, None)
        spans.pop(cid, None)
    done.removed += len(gone)
    new_order.sort()  # the rule keeps the order but for ties it makes: nearly sorted
    view._rebuild_index(order=new_order)
    if view.active_coding_id is not None and view.active_coding_id not in spans:
        view.active_coding_id = None


def _map(span: Span, cp: Edits, u16: Edits, done: Followed) -> bool:
    """Move one coding by the rule; False when it is left empty."""
    a, b = cp.span(span.start, span.end)
    if b <= a:
        return False
    if (a, b) != (span.start, span.end):
        if b - a == span.end - span.start:
            done.moved += 1
        else:
            done.resized += 1
        span.start, span.end = a, b
        span.s16, span.e16 = u16.span(span.s16, span.e16)
    return True


def to_read(view: DocumentView, changes: Changes) -> frozenset[int]:
    """The codings of ``changes`` the view must read again (after following its edits: not
    those it moved where the file has them (a keystroke moves every coding of its block), but
    those changed otherwise and those the file has elsewhere (undo puts a passage back where
    the rule would not))."""
    project, doc_id = view.project, view.doc_id
    if not any(r.document_id == doc_id for r in changes.retexts):
        return changes.codings  # no edit of the shown text followed
    moved = changes.moved("codings")
    if not moved or project is None or doc_id is None:
        return changes.codings
    now = {s.id: (s.start, s.end) for s in project.coding_spans(doc_id, moved)}
    shown = view._all
    misplaced = {
        cid
        for cid in moved
        if cid not in shown or (shown[cid].start, shown[cid].end) != now.get(cid)
    }
    return (changes.codings - moved) | misplaced
