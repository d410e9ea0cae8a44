"""Subtitles: WebVTT (.vtt) and SubRip (.srt).

Each cue becomes one line of text and one Turn carrying the cue's times. A WebVTT voice tag
(``<v Name>``) gives the turn's speaker; a cue with several voices gives one line per voice.

Every cue's text is kept. A cue whose times cannot be read keeps its text without times, a
cue that ends before it starts keeps its start time only, and text outside any cue (after a
blank line inside a cue, say) is kept as a line of its own; each kind gives one warning naming
how many and the first line. Both formats are read here, with one reader of cue blocks, because
the libraries drop what they cannot parse: webvtt-py silently skips a cue whose timestamp it
does not accept, and srt refuses the whole file for one bad timing line.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from coder.core.importers import ImportedText
from coder.core.importers._common import decode_text, fail
from coder.core.limits import LIMITS, LimitExceeded, Limits, count_text
from coder.core.text import Turn, normalise

_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]*)>")
_TAG = re.compile(r"<[^>\n]*>")
# SubRip files often carry ASS positioning codes such as {\an8}.
_ASS_CODE = re.compile(r"\{\\[^}\n]*\}")
# A WebVTT header: "WEBVTT" alone or followed by a space or tab and any text.
_HEADER = re.compile(r"^WEBVTT(?:[ \t].*)?$")
_NOT_A_CUE = re.compile(r"^(?:NOTE|STYLE|REGION)(?:\s|$)")
# The arrow of a timing line, as people type it ("-->", also "->" or "--->").
_ARROW = re.compile(r"-{1,3}>")
# A timestamp as people write them: [hours:]minutes:seconds.fraction ("," as in SubRip).
_TIME = r"(?:(\d{1,6}):)?(\d{1,2}):(\d{1,2})[.,](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-{{1,3}}>\s*{_TIME}(?:\s.*)?$")


def _clean(line: str) -> str:
    """Cue text without markup: tags dropped, entities (&amp;) resolved, outer spaces trimmed."""
    if "<" in line:
        line = _TAG.sub("", line)
    if "&" in line:
        line = html.unescape(line)
    return line.strip()


class _Builder:
    """Collects cue lines and their turns, keeping offsets exact as the text grows."""

    def __init__(self, limits: Limits) -> None:
        self.parts: list[str] = []
        self.turns: list[Turn] = []
        self.length = 0
        self.most = limits.turns

    def add(self, line: str, speaker: str | None, start: float | None, end: float | None) -> None:
        self.add_text(line)
        self.turns.append(Turn(speaker, self.length - len(line), self.length, start, end))
        if len(self.turns) > self.most:
            raise LimitExceeded(
                f"it has more than {count_text(self.most)} cues, the limit for one document"
            )

    def add_text(self, line: str) -> None:
        if self.parts:
            self.parts.append("\n")
            self.length += 1
        self.parts.append(line)
        self.length += len(line)

    def result(self, fmt: str, warnings: list[str]) -> ImportedText:
        return ImportedText(
            text="".join(self.parts), format=fmt, turns=self.turns, warnings=tuple(warnings)
        )


@dataclass
class _Problems:
    """Cues read imperfectly, by kind: how many and the line of the first."""

    counts: dict[str, int] = field(default_factory=dict)
    first: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, line: int) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        self.first.setdefault(kind, line)

    def warnings(self) -> list[str]:
        texts = {
            "times": "{n} cue{s} with times that cannot be read (first at line {line}) "
            "kept without times",
            "reversed": "{n} cue{s} ending before {it} start{s2} (first at line {line}) "
            "kept with the start time only",
            "loose": "{n} block{s} of text outside any cue (first at line {line}) "
            "kept as text without times",
        }
        out = []
        for kind, template in texts.items():
            n = self.counts.get(kind, 0)
            if n:
                one = n == 1
                words = {
                    "s": "" if one else "s",
                    "s2": "s" if one else "",
                    "it": "it" if one else "they",
                }
                out.append(template.format(n=n, line=self.first[kind], **words))
        return out


def _seconds(hours: str | None, minutes: str, seconds: str, fraction: str) -> float | None:
    """Seconds of a timestamp, or None when a field is out of range (seconds over 59, or
    minutes over 59 after an hour field)."""
    m, s = int(minutes), int(seconds)
    if s > 59 or (hours is not None and m > 59):
        return None
    return int(hours or 0) * 3600 + m * 60 + s + int(fraction) / 10 ** len(fraction)


def _timing(line: str) -> tuple[float, float] | None:
    m = _TIMING.match(line)
    if not m:
        return None
    start = _seconds(*m.group(1, 2, 3, 4))
    end = _seconds(*m.group(5, 6, 7, 8))
    if start is None or end is None:
        return None
    return start, end


# A block: lines with something on them, up to a blank line (or one of spaces only).
_BLOCK = re.compile(r"[^\S\n]*\S[^\n]*(?:\n[^\S\n]*\S[^\n]*)*")


def _blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """Runs of non-blank lines, each with the (1-based) number of its first line, found one
    at a time (a file of a million cues is never split into lines at once)."""
    line, position = 1, 0
    for m in _BLOCK.finditer(text):
        line += text.count("\n", position, m.start())
        position = m.start()
        yield line, m.group().split("\n")


def _voices(cue_lines: list[str]) -> list[tuple[str | None, list[str]]]:
    """A WebVTT cue's text lines grouped by voice; a voice carries on until another voice tag."""
    groups: list[tuple[str | None, list[str]]] = []
    voice: str | None = None
    for raw in cue_lines:
        m = _VOICE.search(raw)
        if m:
            voice = html.unescape(m.group(1)).strip() or None
        text = _clean(raw)
        if not text:
            continue
        if groups and groups[-1][0] == voice:
            groups[-1][1].append(text)
        else:
            groups.append((voice, [text]))
    return groups


def _plain_lines(cue_lines: list[str], vtt: bool) -> list[tuple[str | None, list[str]]]:
    """A cue's text as one line without a speaker (SubRip: without ASS codes such as {\\an8})."""
    if not vtt:
        cue_lines = [_ASS_CODE.sub("", raw) if "{" in raw else raw for raw in cue_lines]
    texts = [t for t in map(_clean, cue_lines) if t]
    return [(None, texts)] if texts else []


def _read_cues(
    blocks: Iterator[tuple[int, list[str]]], vtt: bool, limits: Limits
) -> tuple[_Builder, _Problems]:
    out = _Builder(limits)
    problems = _Problems()
    for first, block in blocks:
        if vtt and _NOT_A_CUE.match(block[0]) and not _ARROW.search(block[0]):
            continue  # a comment, a style sheet or a region definition
        # The timing line comes first, or second after a cue identifier (SubRip: the number).
        arrow = next((i for i, line in enumerate(block[:2]) if _ARROW.search(line)), None)
        if arrow is None:
            text = " ".join(t for t in (_clean(line) for line in block) if t)
            if text:
                problems.add("loose", first)
                out.add_text(text)
            continue
        times = _timing(block[arrow])
        start: float | None = None
        end: float | None = None
        if times is None:
            problems.add("times", first + arrow)
        else:
            start, end = times
            if end < start:
                problems.add("reversed", first + arrow)
                end = None
        text_lines = block[arrow + 1 :]
        if vtt and any("<v" in line for line in text_lines):
            groups = _voices(text_lines)
        else:
            groups = _plain_lines(text_lines, vtt)
        for speaker, texts in groups:
            out.add(" ".join(texts), speaker, start, end)
    return out, problems


def read_vtt(path: Path, limits: Limits = LIMITS) -> ImportedText:
    """Read a WebVTT file: one line per cue (per voice within a cue), one turn each."""
    source, warnings = decode_text(path, path.read_bytes())
    source = normalise(source)
    if not _HEADER.match(source.partition("\n")[0].rstrip()):
        raise fail(path, "not a valid WebVTT file (its first line is not 'WEBVTT')")
    blocks = _blocks(source)
    first, header = next(blocks)

    def cues() -> Iterator[tuple[int, list[str]]]:
        # The header block ends at the first blank line; a cue right under it still counts.
        at = next((i for i, line in enumerate(header) if _ARROW.search(line)), 0)
        if at:
            begin = at - 1 if at > 1 else at  # with the cue's identifier line, if any
            yield first + begin, header[begin:]
        yield from blocks

    out, problems = _read_cues(cues(), vtt=True, limits=limits)
    return out.result("vtt", [*warnings, *problems.warnings()])


def read_srt(path: Path, limits: Limits = LIMITS) -> ImportedText:
    """Read a SubRip file: one line per cue, one turn each (SubRip has no speakers)."""
    source, warnings = decode_text(path, path.read_bytes())
    out, problems = _read_cues(_blocks(normalise(source)), vtt=False, limits=limits)
    if not out.turns:
        raise fail(path, "not a valid SubRip file (it has no cue with a timing line)")
    return out.result("srt", [*warnings, *problems.warnings()])
