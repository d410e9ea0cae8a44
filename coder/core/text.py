"""Text at import: normalisation, code point <-> UTF-16 positions, paragraphs, speaker turns.

Offsets everywhere in the core are Unicode code points (``text[start:end]`` is the passage).
Qt counts UTF-16 units; `PositionMap` is the only place where the two meet.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from operator import add
from typing import Literal, NamedTuple

from coder.core.errors import Ambiguous, CoderError, InvalidValue, NotFound

__all__ = [
    "PositionMap",
    "Turn",
    "detect_turns",
    "normalise",
    "paragraph_index",
    "paragraphs",
    "sentences",
]

# ---------------------------------------------------------------------------------------------
# Normalisation

_BOM = "\ufeff"


def normalise(text: str) -> str:
    """Strip a leading BOM, turn CRLF and lone CR into LF, drop NUL characters.

    Nothing else changes (no NFC, no whitespace clean-up): the stored text must be the text the
    user saw in the source file, or codings exchanged with other tools would drift.
    """
    if text.startswith(_BOM):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        text = text.replace("\x00", "")
    return text


# ---------------------------------------------------------------------------------------------
# Code points <-> UTF-16

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class PositionMap:
    """Convert between code point offsets and UTF-16 positions (Qt's unit) in one text.

    Each astral character (above U+FFFF) is one code point but two UTF-16 units, so a position
    shifts by the number of astral characters before it. Their indexes are kept sorted, which
    makes every conversion one bisect.
    """

    __slots__ = ("_astral_cp", "_astral_u16", "length", "utf16_length")

    def __init__(self, text: str) -> None:
        self.length = len(text)
        if text.isascii():
            astral: list[int] = []
        else:
            astral = [m.start() for m in _ASTRAL.finditer(text)]
        # Code point index of each astral char, and the UTF-16 position where it starts.
        self._astral_cp = astral
        self._astral_u16 = [cp + k for k, cp in enumerate(astral)] if astral else astral
        self.utf16_length = self.length + len(astral)

    def to_utf16(self, cp: int) -> int:
        """UTF-16 position of code point offset `cp` (0 <= cp <= len(text))."""
        if not 0 <= cp <= self.length:
            raise ValueError(f"code point offset {cp} outside 0..{self.length}")
        if not self._astral_cp:
            return cp
        return cp + bisect_left(self._astral_cp, cp)

    def utf16_converter(self) -> Callable[[int], int]:
        """``to_utf16`` for offsets known to be in the text, without the range check: a view
        converting tens of thousands of codings calls it twice per coding."""
        astral = self._astral_cp
        if not astral:
            return int
        return lambda cp: cp + bisect_left(astral, cp)

    def utf16_all(self, cps: Sequence[int]) -> Sequence[int]:
        """``to_utf16`` of many offsets known to be in the text, in one pass in C (tens of
        thousands of codings' starts and ends); the offsets themselves in a text without
        astral characters."""
        astral = self._astral_cp
        if not astral:
            return cps
        return list(map(add, cps, map(partial(bisect_left, astral), cps)))

    def replaced(self, start: int, end: int, new: str) -> PositionMap:
        """The map of this text with code points [start, end) replaced by ``new``, without
        reading the whole text again: the astral characters before the edit stay, those after
        it move with it, and only ``new`` is searched (one keystroke in a long transcript)."""
        if not 0 <= start <= end <= self.length:
            raise ValueError(f"edit {start}..{end} outside 0..{self.length}")
        astral = self._astral_cp
        i, j = bisect_left(astral, start), bisect_left(astral, end)
        delta = len(new) - (end - start)
        found = [] if new.isascii() else [start + m.start() for m in _ASTRAL.finditer(new)]
        out = PositionMap("")
        out.length = self.length + delta
        if found or astral:
            moved = astral[j:] if not delta else [cp + delta for cp in astral[j:]]
            out._astral_cp = astral[:i] + found + moved
            out._astral_u16 = [cp + k for k, cp in enumerate(out._astral_cp)]
        out.utf16_length = out.length + len(out._astral_cp)
        return out

    def to_codepoint(self, u16: int, snap: Literal["down", "up"] = "down") -> int:
        """Code point offset of UTF-16 position `u16`.

        A position between the two halves of a surrogate pair snaps to the start of that
        character (``snap="down"``) or just after it (``snap="up"``).
        """
        if not 0 <= u16 <= self.utf16_length:
            raise ValueError(f"UTF-16 position {u16} outside 0..{self.utf16_length}")
        if snap not in ("down", "up"):
            raise ValueError(f"snap must be 'down' or 'up', not {snap!r}")
        if not self._astral_u16:
            return u16
        # Astral characters starting before u16; each one counted one unit too many.
        n = bisect_left(self._astral_u16, u16)
        cp = u16 - n
        if n and self._astral_u16[n - 1] == u16 - 1 and snap == "up":
            # u16 is inside the pair of astral char n-1; cp is already its start.
            cp += 1
        return cp

    def __repr__(self) -> str:
        return f"PositionMap(length={self.length}, utf16_length={self.utf16_length})"


# ---------------------------------------------------------------------------------------------
# Paragraphs

# A line with at least one non-space character; the leading run excludes "\n" so it stays linear.
PARAGRAPH = re.compile(r"^[^\S\n]*\S[^\n]*", re.MULTILINE)


def union_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The union of [start, end) spans, sorted; spans that overlap or touch join."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans (start, end) of the non-blank lines of `text`, end exclusive, without the "\\n"."""
    return [m.span() for m in PARAGRAPH.finditer(text)]


def paragraph_index(spans: list[tuple[int, int]], offset: int) -> int | None:
    """0-based index of the paragraph in `spans` containing `offset`, or None if between them.

    An offset equal to a paragraph's end counts as inside it (a caret at the end of a line).
    """
    i = bisect_right(spans, (offset, float("inf"))) - 1
    if i >= 0 and spans[i][0] <= offset <= spans[i][1]:
        return i
    return None


# ---------------------------------------------------------------------------------------------
# Sentences

# A sentence ends after . ! ? … (or ‼ ⁇ ؟ । ።), with any closing quotes or brackets, where
# white space or the paragraph's end follows; after 。！？ (Chinese, Japanese) it ends at once.
_SENTENCE_END = re.compile(
    r"[.!?…‼⁇؟।॥።]+[\"'”’»›)\]」』]*(?=\s|$)|[。！？]+[\"'”’»)\]」』]*", re.MULTILINE
)
# A full stop after one of these (or after a single letter, as in "J. Smith", "e.g.") does not
# end a sentence, nor does one followed by a lower-case letter.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st sr jr vs etc eg ie cf no nr ca approx dept fig vol pp ch "
    "z.b bzw usw vgl ggf evtl dh d.h u.a s.o mme mlle cie sra sr dña art".split()
)
_WORD_BEFORE = re.compile(r"[\w.]+$")


def sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of the sentences of ``text[start:end]`` (a paragraph), white space left out.

    The rule: a sentence ends at a run of terminal punctuation (``. ! ? …``, CJK ``。！？``,
    Arabic ``؟``, Devanagari ``।``) with its closing quotes and brackets, when white space
    or the end follows, except a full stop after a single letter or a common abbreviation
    (Mr, Dr, e.g., etc., z.B., ...) or before a lower-case letter. A line break always ends
    a sentence (sentences never cross paragraphs).
    """
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    for ps, pe in (m.span() for m in PARAGRAPH.finditer(text, start, end)):
        s = ps
        for m in _SENTENCE_END.finditer(text, ps, pe):
            if m.group().startswith(".") and m.group().rstrip("\"'”’»›)]」』") == ".":
                word = _WORD_BEFORE.search(text, s, m.start())
                w = word.group().lower().strip(".") if word else ""
                if len(w) == 1 or w in _ABBREVIATIONS:
                    continue
                nxt = m.end()
                while nxt < pe and text[nxt].isspace():
                    nxt += 1
                if nxt < pe and text[nxt].islower():
                    continue
            out.append((s, m.end()))
            s = m.end()
            while s < pe and text[s].isspace():
                s += 1
        if s < pe:
            out.append((s, pe))
    return out


# ---------------------------------------------------------------------------------------------
# Speaker turns


class Turn(NamedTuple):
    """One speaker's turn: code point offsets into the text; times in seconds for subtitles.
    (A named tuple: a transcript has thousands, made in a fraction of a dataclass's time.)"""

    speaker: str | None
    start: int
    end: int
    time_start: float | None = None
    time_end: float | None = None


# Speaker lines: "Name: text", "Name:text", "NAME:" alone, "[Name] text", with optional
# indentation (spaces and tabs). The label runs to the line's first colon, so "10:30" style
# times never make it longer than the first field; it is 1 to 40 characters long.
_LABEL_MAX = 40

_QUOTES = "\"'“”‘’„‚«»‹›「『"
# Interview roles that count as speakers even when they occur only once.
_KNOWN_LABEL = re.compile(
    r"(?:interviewer|interviewee|respondent|participant|moderator|speaker|facilitator)"
    r"(?:\s*\d+)?|[irqa]|int|p\s*\d+|[ir]\d+",
    re.IGNORECASE,
)
# Name particles that may be lower case inside a name ("Ludwig van Beethoven").
_PARTICLES = frozenset(
    "de del della der di da dos du la le van von den ten ter bin al el ibn y".split()
)

# Transcript annotations that look like bracketed labels ("[Laughter] ...") but are not speakers.
_NOT_SPEAKERS = frozenset(
    "music laughter laughs laughing applause inaudible unintelligible crosstalk pause silence"
    " noise sic overlapping background cut break end".split()
)


def _label_ok(label: str) -> bool:
    """Is `label` shaped like a speaker name: short, each word Capitalised/CAPS/a number?"""
    if not label or len(label) > 40 or label[0] in _QUOTES:
        return False
    if label.casefold() in _NOT_SPEAKERS:
        return False
    if _KNOWN_LABEL.fullmatch(label):
        return True
    words = label.split()
    if not 1 <= len(words) <= 4:
        return False
    if not words[0][0].isupper():
        return False
    for word in words[1:]:
        if not (word[0].isupper() or word.isdigit() or word in _PARTICLES):
            return False
    # Letters only (plus the usual name punctuation): rules out "Q3 2024 results" style headings
    # less than it rules out "(see above)" and URLs; digits are allowed for "Speaker 2".
    return all(ch.isalnum() or ch in " .'’-_" for ch in label)


def _speaker_label(head: str) -> str | None:
    """The speaker label of a line that starts with ``head`` and then a colon, or None."""
    core = head.strip(" \t")
    if not 1 <= len(core) <= _LABEL_MAX:
        return None
    label = core.strip()
    return label if _label_ok(label) else None


def _candidates(text: str, most: int | None = None) -> tuple[list[int], list[str]]:
    """The line starts and labels of every line that looks like a speaker line, in text order.

    One pass over the lines; a transcript repeats a handful of labels thousands of times, so
    each distinct line head is judged once. Two flat lists rather than a pair per line: the
    garbage collector has nothing to follow in them. Raises TooManyTurns past ``most`` lines.
    """
    if most is None:
        most = len(text)
    found: list[int] = []
    labels: list[str] = []
    judged: dict[str, str | None] = {}
    pos = 0
    for line in text.split("\n"):
        start = pos
        pos += len(line) + 1
        colon = line.find(":")
        if colon > 0:
            head = line[:colon]
            if head in judged:
                label = judged[head]
            else:
                label = judged[head] = _speaker_label(head)
            if label is not None:
                rest = line[colon + 1 : colon + 3]
                # "http://..." and clock times ("At 10:30") are not labels.
                if not (rest.startswith("//") or (rest[:1].isdigit() and label[-1].isdigit())):
                    found.append(start)
                    labels.append(label)
                    if len(found) > most:
                        raise TooManyTurns(most)
                    continue
        if "[" in line:
            inner = line.lstrip(" \t")
            close = inner.find("]")
            if inner[:1] == "[" and 2 <= close <= _LABEL_MAX + 1:
                label = inner[1:close].strip()
                if _label_ok(label):
                    found.append(start)
                    labels.append(label)
                    if len(found) > most:
                        raise TooManyTurns(most)
    return found, labels


def speaker_lines(text: str) -> list[tuple[int, str]]:
    """(line start, label) of every line of ``text`` shaped like a speaker line, in order
    (whether its label counts as a speaker is for :func:`detect_turns` to judge)."""
    return list(zip(*_candidates(text), strict=True))


def is_speaker_role(label: str) -> bool:
    """Is ``label`` a usual interview role ("Interviewer", "I", "P2"), a speaker even once?"""
    return _KNOWN_LABEL.fullmatch(label) is not None


class TooManyTurns(CoderError):
    """A text has more speaker lines than one document may have turns."""

    def __init__(self, most: int) -> None:
        super().__init__(f"it has more than {most:,} speaker lines, the limit for one document")
        self.most = most


def detect_turns(text: str, most: int | None = None) -> list[Turn]:
    """Speaker turns found from lines like "Name: ...", "NAME:" alone, "[Name] ..." or "I: ...".

    A turn runs from the start of its speaker line to the start of the next one (trailing
    newlines excluded); text before the first speaker line belongs to no turn. A label counts
    when it occurs at least twice or is a usual interview role, so one-off headings such as
    "Note: ..." are not taken for speakers. Raises TooManyTurns past ``most`` speaker lines.
    """
    starts, labels = _candidates(text, most)
    if not starts:
        return []
    counts: Counter[str] = Counter()
    for label, n in Counter(labels).items():
        counts[label.casefold()] += n
    speaker = {
        label: counts[label.casefold()] >= 2 or _KNOWN_LABEL.fullmatch(label) is not None
        for label in set(labels)
    }
    if not all(speaker.values()):
        kept = [i for i, label in enumerate(labels) if speaker[label]]
        starts, labels = [starts[i] for i in kept], [labels[i] for i in kept]
        if not starts:
            return []
    ends = starts[1:]
    ends.append(len(text))
    turns: list[Turn] = []
    new = tuple.__new__  # Turn(...) without its Python-level __new__
    for start, label, end in zip(starts, labels, ends, strict=True):
        if text[end - 1 : end] == "\n":
            while end > start and text[end - 1] == "\n":
                end -= 1
        turns.append(new(Turn, (label, start, end, None, None)))
    return turns


def find_passage(
    text: str, passage: str, occurrence: int | None = None, where: str = ""
) -> tuple[int, int]:
    """``(start, end)`` code points of ``passage`` in ``text``.

    Without ``occurrence`` the passage must occur exactly once; with it, the n-th occurrence
    (counting from 1) is taken. Raises NotFound or Ambiguous naming ``where``.
    """
    label = f" in '{where}'" if where else ""
    if not passage:
        raise InvalidValue(f"an empty passage cannot be coded{label}")
    starts: list[int] = []
    i = text.find(passage)
    while i != -1:
        starts.append(i)
        i = text.find(passage, i + 1)
    short = passage if len(passage) <= 60 else passage[:57] + "..."
    if not starts:
        raise NotFound(f"the passage '{short}' does not occur{label}")
    if occurrence is None:
        if len(starts) > 1:
            raise Ambiguous(
                f"the passage '{short}' occurs {len(starts)} times{label}; "
                "choose one with --occurrence N"
            )
        occurrence = 1
    if not isinstance(occurrence, int) or not 1 <= occurrence <= len(starts):
        times = f"{len(starts)} time{'s' if len(starts) != 1 else ''}"
        raise NotFound(f"--occurrence {occurrence}: the passage '{short}' occurs {times}{label}")
    start = starts[occurrence - 1]
    return start, start + len(passage)
