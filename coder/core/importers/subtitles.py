"""Subtitles: WebVTT (.vtt, via webvtt-py) and SubRip (.srt, via srt).

Each cue becomes one line of text and one Turn carrying the cue's times. A WebVTT voice tag
(``<v Name>``) gives the turn's speaker; a cue with several voices gives one line per voice.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from coder.core.importers import ImportedText
from coder.core.importers._common import decode_text, fail
from coder.core.text import Turn, normalise

_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]*)>")
_TAG = re.compile(r"<[^>\n]*>")
# SubRip files often carry ASS positioning codes such as {\an8}.
_ASS_CODE = re.compile(r"\{\\[^}\n]*\}")


def _clean(line: str) -> str:
    """Cue text without markup: tags dropped, entities (&amp;) resolved, outer spaces trimmed."""
    return html.unescape(_TAG.sub("", line)).strip()


class _Builder:
    """Collects cue lines and their turns, keeping offsets exact as the text grows."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.turns: list[Turn] = []
        self.length = 0

    def add(self, line: str, speaker: str | None, start: float, end: float) -> None:
        if self.parts:
            self.parts.append("\n")
            self.length += 1
        self.parts.append(line)
        self.turns.append(Turn(speaker, self.length, self.length + len(line), start, end))
        self.length += len(line)

    def result(self, fmt: str) -> ImportedText:
        return ImportedText(text="".join(self.parts), format=fmt, turns=self.turns)


def read_vtt(path: Path) -> ImportedText:
    """Read a WebVTT file: one line per cue (per voice within a cue), one turn each."""
    import webvtt

    source = normalise(decode_text(path, path.read_bytes()))
    try:
        captions = webvtt.from_string(source).captions
    except Exception as exc:  # webvtt-py raises MalformedFileError/MalformedCaptionError
        raise fail(path, f"not a valid WebVTT file ({_first_line(exc)})") from None
    out = _Builder()
    for caption in captions:
        start = caption.start_time.in_milliseconds() / 1000
        end = caption.end_time.in_milliseconds() / 1000
        # Group the cue's lines by voice; a voice carries on until another voice tag.
        groups: list[tuple[str | None, list[str]]] = []
        voice: str | None = None
        for raw in caption.lines:
            m = _VOICE.search(raw)
            if m:
                voice = html.unescape(m.group(1)).strip() or None
            text = _clean(normalise(raw))
            if not text:
                continue
            if groups and groups[-1][0] == voice:
                groups[-1][1].append(text)
            else:
                groups.append((voice, [text]))
        for speaker, texts in groups:
            out.add(" ".join(texts), speaker, start, end)
    return out.result("vtt")


def read_srt(path: Path) -> ImportedText:
    """Read a SubRip file: one line per cue, one turn each (SubRip has no speakers)."""
    import srt

    source = normalise(decode_text(path, path.read_bytes()))
    try:
        subtitles = list(srt.parse(source))
    except Exception as exc:  # srt.SRTParseError and timestamp errors
        raise fail(path, f"not a valid SubRip file ({_first_line(exc)})") from None
    out = _Builder()
    for sub in subtitles:
        lines = (_clean(_ASS_CODE.sub("", raw)) for raw in sub.content.split("\n"))
        text = " ".join(line for line in lines if line)
        if text:
            out.add(text, None, sub.start.total_seconds(), sub.end.total_seconds())
    return out.result("srt")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:120] if text else type(exc).__name__
