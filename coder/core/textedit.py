"""The one rule that moves positions when a document's text is edited.

An edit replaces the text in ``[s, e)`` with a string ``t``; ``delta = len(t) - (e - s)``.
Each passage ``[a, b)`` anchored in the text (a coding, a speaker turn, an annotation, a case
passage) maps as::

    a:  a < s -> a;   s <= a < e -> s;          a >= e -> a + delta
    b:  b <= s -> b;  s < b < e -> s + len(t);  b >= e -> b + delta

A passage before the edit is unchanged, one after it moves with its text, one containing it
grows or shrinks by ``delta``, one partly overlapping it keeps its untouched part and takes in
the new text on its side, one inside a replaced range covers the replacement, and an insertion
exactly at a passage's start or end is not taken in. A passage left empty is removed.

Several edits of one text (:class:`Edits`) are given in the positions of the text before any of
them, sorted and not overlapping (two may touch, but two insertions may not share a point). They
act as if applied one by one from the last to the first, so each is the rule above; a position
is moved by the edit that governs it and by the ``delta`` of every edit before it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Protocol

from coder.core.errors import InvalidValue
from coder.core.text import normalise


class Text(Protocol):
    """What reading a text around an edit needs: a ``str``, or a text read block by block
    (:class:`coder.core.blocks.BlockText`)."""

    def __len__(self) -> int: ...

    def __getitem__(self, key: int | slice, /) -> str: ...

    def find(self, sub: str, start: int = 0, end: int | None = None, /) -> int: ...

    def rfind(self, sub: str, start: int = 0, end: int | None = None, /) -> int: ...


@dataclass(frozen=True)
class TextEdit:
    """Replace ``text[start:end]`` with ``new``."""

    start: int
    end: int
    new: str

    @property
    def delta(self) -> int:
        return len(self.new) - (self.end - self.start)


def map_start(a: int, s: int, e: int, n: int) -> int:
    """Where a passage's start ``a`` goes when ``[s, e)`` is replaced by ``n`` characters."""
    if a < s:
        return a
    if a < e:
        return s
    return a + n - (e - s)


def map_end(b: int, s: int, e: int, n: int) -> int:
    """Where a passage's end ``b`` goes when ``[s, e)`` is replaced by ``n`` characters."""
    if b <= s:
        return b
    if b < e:
        return s + n
    return b + n - (e - s)


class Edits:
    """Several edits of one text, in its positions before them; see the module's rule."""

    def __init__(self, edits: Iterable[TextEdit], length: int) -> None:
        self.edits = sorted(edits, key=lambda x: (x.start, x.end))
        previous: TextEdit | None = None
        for edit in self.edits:
            if not 0 <= edit.start <= edit.end <= length:
                raise InvalidValue(
                    f"range {edit.start}-{edit.end} is not inside the text (0-{length})"
                )
            if previous is not None and (
                previous.end > edit.start
                or previous.start == previous.end == edit.start == edit.end
            ):
                raise InvalidValue(
                    f"edits {previous.start}-{previous.end} and {edit.start}-{edit.end} overlap"
                )
            previous = edit
        self.length = length
        self._starts = [x.start for x in self.edits]
        self._ends = [x.end for x in self.edits]
        # _before[i]: the sum of the deltas of edits[:i]
        self._before = [0, *accumulate(x.delta for x in self.edits)]

    def __len__(self) -> int:
        return len(self.edits)

    @property
    def delta(self) -> int:
        return self._before[-1]

    @property
    def first(self) -> int:
        """The position of the first edit (nothing before it moves)."""
        return self._starts[0] if self.edits else self.length

    def start(self, a: int) -> int:
        """Where a passage's start ``a`` goes."""
        i = bisect_right(self._starts, a) - 1  # the last edit starting at or before a
        if i >= 0 and a < self._ends[i]:
            return self.edits[i].start + self._before[i]
        # every edit ending at or before a moves it: those starting at or before it
        return a + self._before[i + 1]

    def end(self, b: int) -> int:
        """Where a passage's end ``b`` goes."""
        i = bisect_left(self._starts, b) - 1  # the last edit starting before b
        if i >= 0 and b < self._ends[i]:
            edit = self.edits[i]
            return edit.start + len(edit.new) + self._before[i]
        return b + self._before[i + 1]

    def span(self, a: int, b: int) -> tuple[int, int]:
        return self.start(a), self.end(b)

    def touches(self, a: int, b: int) -> bool:
        """Does some edit touch ``[a, b]`` (so the passage does not simply move)?"""
        i = bisect_right(self._starts, b) - 1  # edits starting at or before b
        return i >= 0 and self._ends[i] >= a

    def apply(self, text: str) -> str:
        """The text after the edits."""
        parts: list[str] = []
        pos = 0
        for edit in self.edits:
            parts.append(text[pos : edit.start])
            parts.append(edit.new)
            pos = edit.end
        parts.append(text[pos:])
        return "".join(parts)


def clean(new: str) -> str:
    """New text as import would store it: no BOM at its start, no CR, no NUL."""
    return normalise(new)


def whole_word_spans(text: str, old: str, whole_word: bool) -> list[tuple[int, int]]:
    """Non-overlapping occurrences of ``old`` in ``text``, left to right; with ``whole_word``,
    only those with no letter, digit or underscore on either side (when ``old`` itself starts
    or ends with one)."""
    if not old:
        raise InvalidValue("the text to replace is empty")
    found: list[tuple[int, int]] = []
    n = len(old)
    word_start = _wordy(old[0])
    word_end = _wordy(old[-1])
    i = text.find(old)
    while i != -1:
        j = i + n
        if whole_word and (
            (word_start and i > 0 and _wordy(text[i - 1]))
            or (word_end and j < len(text) and _wordy(text[j]))
        ):
            i = text.find(old, i + 1)
            continue
        found.append((i, j))
        i = text.find(old, j)
    return found


def _wordy(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def paragraph_bounds(text: Text, lo: int, hi: int) -> tuple[int, int]:
    """The lines of ``text`` that ``[lo, hi]`` touches: from the start of the line holding
    ``lo`` to the end (before its newline) of the line holding ``hi``."""
    start = text.rfind("\n", 0, lo) + 1
    end = text.find("\n", hi)
    return start, len(text) if end == -1 else end


def trim_end(text: Text, start: int, limit: int) -> int:
    """A turn's end when it runs up to ``limit``: trailing newlines left out, not below start."""
    end = limit
    while end > start and text[end - 1] == "\n":
        end -= 1
    return end


def edits_of(
    pairs: Sequence[tuple[int, int, str]], length: int, normalise_new: bool = True
) -> Edits:
    """:class:`Edits` from ``(start, end, new)`` triples, new text normalised as at import."""
    return Edits((TextEdit(s, e, clean(t) if normalise_new else t) for s, e, t in pairs), length)
