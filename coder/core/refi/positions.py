"""How other tools count REFI-QDA positions, and which reading a source document's passages need.

The standard says positions count Unicode code points of the source text. Real exports differ
(measured on NVivo for Windows 12.6, NVivo for Mac 12.7 and 15, QualCoder 3.x and 4.0, MAXQDA 24,
ATLAS.ti 23, qc 1.3.2):

- no tool counts the UTF-8 byte-order mark, though NVivo and QualCoder write one: a BOM is
  never counted here either;
- NVivo counts UTF-16 code units (a character outside the Basic Multilingual Plane, such as
  most emoji, counts two) and a CRLF line end as two characters;
- QualCoder counts code points and CRLF as one character (its text is stored with LF; CRLF
  appears only when it writes line ends for MAXQDA), except codings made in its coding window
  on text with characters outside the BMP, which are in UTF-16 units. It writes each coded
  passage's own text as the selection's ``name``, which tells the two apart;
- ATLAS.ti and MAXQDA count CRLF as one character;
- Coder counts code points of its stored text (LF line ends, no BOM).

A *reading* is one way of counting: UTF-16 units or code points, CRLF as one or two characters.
:func:`choose_reading` picks, for one source document, the reading of the tool named by the
project's ``origin`` attribute, unless the passages themselves show clearly that another reading
is meant: the passage texts a tool wrote beside the positions (decisive when they match), or
else how many passage edges fall on word boundaries (coders select whole words). Only two cases
deserve a warning, one line naming the reading chosen: the file contradicts its tool's known
convention, or the tool's convention is unknown and the readings give different passages that
the evidence cannot tell apart.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field

from coder.core.text import PositionMap

__all__ = [
    "Choice",
    "Convention",
    "PositionReader",
    "Reading",
    "choose_reading",
    "tool_convention",
]

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Reading:
    """One way of counting positions in a source text (a BOM is never counted)."""

    utf16: bool = False  # UTF-16 code units instead of code points
    crlf_two: bool = True  # a CRLF line end counts as two characters

    def describe(self) -> str:
        unit = "UTF-16 units" if self.utf16 else "code points"
        return f"{unit}, CRLF as {'two characters' if self.crlf_two else 'one'}"


# What the REFI-QDA standard says: code points of the file's text, where CRLF is two.
STANDARD = Reading(utf16=False, crlf_two=True)


@dataclass(frozen=True)
class Convention:
    """What a tool is known to do; ``None`` where it is not known (the evidence decides)."""

    tool: str
    utf16: bool | None = None
    crlf_two: bool | None = None
    trusted: bool = False  # Coder's own files: read as written, no guessing
    utf16_too: bool = False  # the tool is known to write UTF-16 units for some passages

    def unsure(self, reading: Reading) -> bool:
        """Whether ``reading`` differs from the default only where the tool's way is unknown."""
        d = self.default()
        return (reading.utf16 != d.utf16 and self.utf16 is None) or (
            reading.crlf_two != d.crlf_two and self.crlf_two is None
        )

    def default(self) -> Reading:
        return Reading(
            STANDARD.utf16 if self.utf16 is None else self.utf16,
            STANDARD.crlf_two if self.crlf_two is None else self.crlf_two,
        )

    def knows(self, reading: Reading) -> bool:
        """Whether ``reading`` differs from this tool's convention in something known."""
        utf16_known = self.utf16 is not None and not self.utf16_too
        return (utf16_known and reading.utf16 != self.utf16) or (
            self.crlf_two is not None and reading.crlf_two != self.crlf_two
        )


# (pattern on the lower-cased origin, convention); the first match wins.
_TOOLS: tuple[tuple[str, Convention], ...] = (
    (r"qualcoder", Convention("QualCoder", utf16=False, crlf_two=False, utf16_too=True)),
    (r"^coder\b", Convention("Coder", utf16=False, crlf_two=True, trusted=True)),
    (r"nvivo", Convention("NVivo", utf16=True, crlf_two=True)),
    (r"atlas\.?ti", Convention("ATLAS.ti", crlf_two=False)),
    (r"maxqda", Convention("MAXQDA", crlf_two=False)),
    (r"^qc\b", Convention("qc", utf16=False)),
)


def tool_convention(origin: str | None) -> Convention:
    """The convention of the tool named by a project's ``origin`` attribute."""
    low = (origin or "").strip().lower()
    for pattern, conv in _TOOLS:
        if re.search(pattern, low):
            return conv
    return Convention((origin or "").strip() or "an unknown tool")


class PositionReader:
    """Positions in one reading of a raw source text -> offsets into its normalised text.

    ``raw`` is the file's decoded text (a leading BOM kept as U+FEFF); the normalised text
    drops the BOM, the CR of each CRLF (lone CRs become LF) and NULs, as
    :func:`coder.core.text.normalise` does. A position past the end stays past the end (by the
    same amount) so that it can be reported.
    """

    __slots__ = ("_removed", "_units", "reading")

    def __init__(self, raw: str, reading: Reading) -> None:
        self.reading = reading
        text = raw.removeprefix("\ufeff")
        if not reading.crlf_two:
            text = text.replace("\r\n", "\n")
        # Characters of ``text`` that normalisation drops.
        self._removed = [m.start() for m in re.finditer("\r(?=\n)|\x00", text)]
        self._units = PositionMap(text) if reading.utf16 and _ASTRAL.search(text) else None

    def __call__(self, pos: int, end: bool = False) -> int:
        units = self._units
        if units is not None and pos >= 0:  # a negative position is reported as it is
            over = max(0, pos - units.utf16_length)
            pos = units.to_codepoint(min(pos, units.utf16_length), "up" if end else "down") + over
        return pos - bisect_left(self._removed, pos)


@dataclass
class Choice:
    """The reading chosen for one source document."""

    reading: Reading
    read: PositionReader
    warning: str | None = None
    # Selections (by index) whose own passage text shows another reading (QualCoder's mixed
    # files): their positions are read with that reading instead.
    exceptions: dict[int, PositionReader] = field(default_factory=dict)

    def span(self, index: int, start: int, end: int) -> tuple[int, int]:
        read = self.exceptions.get(index, self.read)
        return read(start), read(end, end=True)


def _candidates(raw: str, default: Reading) -> list[Reading]:
    """The readings that can differ on ``raw``, the default first."""
    astral = bool(_ASTRAL.search(raw))
    crlf = "\r\n" in raw
    out = [default]
    for utf16 in (default.utf16, not default.utf16) if astral else (default.utf16,):
        for two in (default.crlf_two, not default.crlf_two) if crlf else (default.crlf_two,):
            r = Reading(utf16, two)
            if r not in out:
                out.append(r)
    return out


def _on_boundary(text: str, pos: int) -> bool:
    n = len(text)
    if not 0 <= pos <= n:
        return False
    return pos == 0 or pos == n or not (text[pos - 1].isalnum() and text[pos].isalnum())


def _same_text(found: str, written: str) -> bool:
    # Qt's selectedText() writes paragraph separators for line ends.
    return found == written or found == written.replace("\u2029", "\n").replace("\r\n", "\n")


_SAMPLE = 5000  # selections scored per document: plenty of evidence, bounded work


def choose_reading(
    raw: str,
    text: str,
    spans: Sequence[tuple[int, int]],
    convention: Convention,
    passages: Sequence[str | None] | None = None,
) -> Choice:
    """The reading of one source document's positions (see the module docstring).

    ``raw`` is the decoded file text, ``text`` its normalised form, ``spans`` the selections'
    (start, end) as written, ``passages`` the passage text the tool wrote beside each one (or
    None). The result maps positions and may carry one warning line (without the document's
    name, which the caller adds).
    """
    default = convention.default()
    candidates = [default] if convention.trusted else _candidates(raw, default)
    readers = {r: PositionReader(raw, r) for r in candidates}
    choice = Choice(default, readers[default])
    if len(candidates) == 1 or not spans:
        return choice
    sample = list(spans[:_SAMPLE])
    mapped = {r: [(rd(s), rd(e, end=True)) for s, e in sample] for r, rd in readers.items()}
    if all(m == mapped[default] for m in mapped.values()):
        return choice  # the readings agree on every passage: nothing to decide
    written = list(passages[:_SAMPLE]) if passages else []
    matches = {r: 0 for r in candidates}
    per_selection: dict[int, list[Reading]] = {}
    for i, want in enumerate(written):
        if not want:
            continue
        for r in candidates:
            s, e = mapped[r][i]
            if 0 <= s < e <= len(text) and _same_text(text[s:e], want):
                matches[r] += 1
                per_selection.setdefault(i, []).append(r)
    if max(matches.values()) > 0:
        best = max(candidates, key=lambda r: (matches[r], r == default))
        choice = Choice(best, readers[best])
        for i, fits in per_selection.items():
            if best not in fits:
                choice.exceptions[i] = PositionReader(raw, fits[0])
        if best != default and convention.knows(best):
            choice.warning = _contradiction(convention, best)
        return choice
    score = {r: sum(_on_boundary(text, s) + _on_boundary(text, e) for s, e in mapped[r])
             for r in candidates}  # fmt: skip
    margin = max(2, len(sample) // 10)
    rival = max(candidates[1:], key=lambda r: score[r])
    if score[rival] >= score[default] + margin:
        choice = Choice(rival, readers[rival])
        if convention.knows(rival):
            choice.warning = _contradiction(convention, rival)
        return choice
    if convention.unsure(rival) and score[rival] + margin > score[default]:
        # The tool's way is not known and the passages cannot tell: say which reading was used.
        choice.warning = (
            f"positions could be {rival.describe()} or {default.describe()}; "
            f"read as {default.describe()} (the REFI-QDA standard)"
        )
    return choice


def _contradiction(convention: Convention, reading: Reading) -> str:
    return (
        f"positions are counted in {reading.describe()}, not as {convention.tool} usually "
        f"counts them ({convention.default().describe()}); passages read that way"
    )
