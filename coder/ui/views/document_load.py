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
from itertools import repeat
from operator import le, lt
from typing import TYPE_CHECKING, Any

from coder.core.model import CodingColumns, CodingSpan, TurnColumns, TurnSpan
from coder.core.text import PositionMap, paragraphs
from coder.ui.views.span_index import Span, SpanIndex, is_shown

if TYPE_CHECKING:
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
    rows = list(rows)
    columns = CodingColumns(*map(list, zip(*rows, strict=True))) if rows else None
    return spans_and_order(columns, pm, coders)[0]


def spans_and_order(
    columns: CodingColumns | None, pm: PositionMap, coders: dict[int, str]
) -> tuple[dict[int, Span], list[tuple[int, int, int]]]:
    """The view's spans of these codings, and their index order (UTF-16 start, end, id); a
    damaged row (outside the text) is left out.

    Tens of thousands of codings: each column is converted in one pass in C and the spans
    are built by one ``map``; only the check of the positions runs in Python.
    """
    if columns is None or not columns.ids:
        return {}, []
    length = pm.length
    ids, code_ids, coder_ids, starts, ends, memos = columns
    if not (min(starts) >= 0 and max(ends) <= length and all(map(lt, starts, ends))):
        pairs = enumerate(zip(starts, ends, strict=True))
        keep = [i for i, (a, b) in pairs if 0 <= a < b <= length]
        kept: Any = ([column[i] for i in keep] for column in columns)
        return spans_and_order(CodingColumns(*kept), pm, coders)
    s16, e16 = pm.utf16_all(starts), pm.utf16_all(ends)
    names = map(coders.get, coder_ids, repeat(""))
    spans = map(Span, ids, code_ids, starts, ends, s16, e16, names, memos, coder_ids)
    return dict(zip(ids, spans, strict=True)), sorted(zip(s16, e16, ids, strict=True))


def turns_of(rows: Iterable[TurnSpan], pm: PositionMap) -> Turns:
    length = pm.length
    rows = [t for t in rows if t.speaker and 0 <= t.start <= t.end <= length]
    if not rows:
        return []
    speakers, starts, ends, times, _ends = zip(*rows, strict=True)
    return list(zip(pm.utf16_all(starts), pm.utf16_all(ends), speakers, times, strict=True))


def turns_of_columns(columns: TurnColumns, pm: PositionMap) -> Turns:
    """``turns_of`` for turns read as columns (those with a speaker)."""
    speakers, starts, ends, times = columns
    length = pm.length
    if starts and not (min(starts) >= 0 and max(ends) <= length and all(map(le, starts, ends))):
        return turns_of(map(TurnSpan, speakers, starts, ends, times), pm)
    return list(zip(pm.utf16_all(starts), pm.utf16_all(ends), speakers, times, strict=True))


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
    everything, order = spans_and_order(project.coding_columns(doc_id), pm, coders)
    if coder_filter is None and compare is None:
        shown, index = dict(everything), SpanIndex(everything, order=order)
    else:
        shown = {k: s for k, s in everything.items() if is_shown(s, coder_filter, compare)}
        index = SpanIndex(shown, compare)
    turns = turns_of_columns(project.turn_columns(doc_id), pm)
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
