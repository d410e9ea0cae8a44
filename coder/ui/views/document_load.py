"""Reading a document for the view: its codings as spans, its turns, its paragraphs.

A small document is read in one go. A big one (a long transcript, tens of thousands of codings)
never freezes the window: the view shows the start of its text and the codings there at once,
appends the rest of the text a slice per turn of the event loop, and :func:`read_all` reads
and indexes every coding, the speaker turns and the paragraphs off the GUI thread, on a
connection of its own. Nothing here touches a widget: the results are plain data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coder.core.text import PositionMap, paragraphs
from coder.ui.views.span_index import Span, SpanIndex, is_shown

if TYPE_CHECKING:
    from coder.core.model import CodingSpan, TurnSpan
    from coder.core.project import Project

# A document with at most this many characters and codings is read in one go (a few ms).
SYNC_CHARS = 100_000
SYNC_CODINGS = 2_000
# A big document: the text set at once (then a slice per turn of the event loop), and the
# stretch at its start whose codings and turns are read at once (several screens).
FIRST_CHARS = 150_000
SLICE_CHARS = 200_000
FIRST_CODINGS_CHARS = 30_000
# Around a passage jumped to, or the stretch on screen, while the codings are still read.
COVER_CHARS = 10_000

Turns = list[tuple[int, int, str, float | None]]  # UTF-16 start, end, speaker, start time


def converter(pm: PositionMap) -> Callable[[int], int]:
    """Code point -> UTF-16 position, for offsets checked to be in the text."""
    return pm.utf16_converter()


def spans_of(
    rows: Iterable[CodingSpan], pm: PositionMap, coders: dict[int, str]
) -> dict[int, Span]:
    """The view's spans of these codings; a damaged row (outside the text) is left out."""
    to16, length = converter(pm), pm.length
    return {
        cid: Span(
            cid,
            code_id,
            start,
            end,
            to16(start),
            to16(end),
            coders.get(coder_id, ""),
            memo,
            coder_id,
        )
        for cid, code_id, coder_id, start, end, memo in rows
        if 0 <= start < end <= length
    }


def turns_of(rows: Iterable[TurnSpan], pm: PositionMap) -> Turns:
    to16, length = converter(pm), pm.length
    return [
        (to16(t.start), to16(t.end), t.speaker, t.time_start)
        for t in rows
        if t.speaker and 0 <= t.start <= t.end <= length
    ]


def cut(text: str, at: int) -> int:
    """Where to cut ``text`` near ``at``: just after a line end (or at ``at`` in a text that
    has none nearby)."""
    if at >= len(text):
        return len(text)
    newline = text.rfind("\n", max(0, at - 20_000), at)
    return newline + 1 if newline >= 0 else at


@dataclass
class Loaded:
    """Everything the view shows of one document, read off the GUI thread."""

    doc_id: int
    edits: int  # the view's count of coding edits when the reading started
    shown_with: tuple  # the coder filter and comparison the index was built for
    coders: dict[int, str]
    all: dict[int, Span]
    spans: dict[int, Span]  # those the coder filter shows
    index: SpanIndex
    turns: Turns
    paragraphs: list[tuple[int, int]]


def read_all(
    project: Project,
    doc_id: int,
    text: str,
    pm: PositionMap,
    edits: int,
    coder_filter: AbstractSet[int] | None,
    compare: tuple[int, int] | None,
) -> Loaded:
    """Every coding of the document as spans, indexed with their stripe columns for the coder
    filter; the speaker turns; the paragraphs. Runs in a worker."""
    coders = project.coder_names()
    everything = spans_of(project.coding_spans(doc_id), pm, coders)
    shown = {k: s for k, s in everything.items() if is_shown(s, coder_filter, compare)}
    index = SpanIndex(shown, compare)
    turns = turns_of(project.turn_spans(doc_id), pm)
    return Loaded(
        doc_id,
        edits,
        (coder_filter, compare),
        coders,
        everything,
        shown,
        index,
        turns,
        paragraphs(text),
    )
