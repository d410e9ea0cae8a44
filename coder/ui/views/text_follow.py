"""The document view follows an edit of the shown text (typed, replaced, undone or redone).

The core moved every coding, turn and annotation by the rule of :mod:`coder.core.textedit`;
the view moves its own copies of the codings by the same rule (a coding left empty goes), so a
keystroke costs no reading of every coding. The text control gets the replaced pieces, unless
it already shows them (the user typed them). Turns and annotations are few: they are read again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QTextCursor

from coder.core.text import PositionMap
from coder.core.textedit import Edits, TextEdit
from coder.ui.views import document_load as load

if TYPE_CHECKING:
    from coder.core.changes import Retext
    from coder.ui.views.document_view import DocumentView


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


def follow(view: DocumentView, retexts: Sequence[Retext]) -> Followed:
    """Apply these edits of the shown document's text to the view (text, codings, turns,
    annotations, margins) and say what they did to the codings."""
    done = Followed()
    for retext in retexts:
        _follow_one(view, retext, done)
    project, doc_id = view.project, view.doc_id
    assert project is not None and doc_id is not None
    view._edits += 1  # a reading of every coding under way is stale
    view._set_turns(load.turns_of(project.turn_spans(doc_id), view.pm))
    view._paragraphs = None
    view.find_matches, view.find_current = [], -1
    view.notes.load(project, doc_id)
    view._update_margins()
    view.stripes.invalidate()
    view.viewport().update()
    view.stripes.update()
    view.gutter.update()
    view.positionChanged.emit()
    view.last_followed = done
    return done


def _follow_one(view: DocumentView, retext: Retext, done: Followed) -> None:
    old_text, old_pm = view.text, view.pm
    try:
        new_text = retext.apply(old_text)
    except ValueError:
        # The view does not show the text this edit was made on (it should): show it afresh.
        assert view.project is not None and view.doc_id is not None
        view.set_document(view.project, view.doc_id)
        return
    edits = Edits([TextEdit(s, s + len(old), new) for s, old, new in retext.edits], len(old_text))
    if not view.text_typed:
        _edit_control(view, old_pm, retext)
    view.text, view.pm = new_text, PositionMap(new_text)
    _move_spans(view, edits, done)


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


def _move_spans(view: DocumentView, edits: Edits, done: Followed) -> None:
    """Move the view's codings by the rule; those left empty go."""
    first, to16 = edits.first, load.converter(view.pm)
    gone = []
    for span in view._all.values():
        if span.end < first:
            continue  # wholly before every edit: unchanged
        a, b = edits.span(span.start, span.end)
        if b <= a:
            gone.append(span.id)
            continue
        if (a, b) == (span.start, span.end):
            continue
        if b - a == span.end - span.start:
            done.moved += 1
        else:
            done.resized += 1
        span.start, span.end, span.s16, span.e16 = a, b, to16(a), to16(b)
    for cid in gone:
        view._all.pop(cid, None)
        view.spans.pop(cid, None)
    done.removed += len(gone)
    # The rule keeps the codings' order (but for ties it makes): nearly sorted, sorted fast.
    order = [s.key for s in (view.spans.get(k[2]) for k in view._order) if s is not None]
    order.sort()
    view._rebuild_index(order=order)
    if view.active_coding_id is not None and view.active_coding_id not in view.spans:
        view.active_coding_id = None
