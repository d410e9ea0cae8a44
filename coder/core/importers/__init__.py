"""Import documents: one reader module per format, chosen by file extension.

`read_document` is the one entry point. Readers are registered by extension and loaded lazily,
so opening a project does not import pypdf, python-docx and friends.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from coder.core.errors import ImportFailed, InvalidValue
from coder.core.importers._common import fail
from coder.core.text import Turn, detect_turns, normalise

__all__ = [
    "DEFAULT_MAX_BYTES",
    "ImportedText",
    "Reader",
    "read_document",
    "register",
    "supported_extensions",
]

DEFAULT_MAX_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class ImportedText:
    """A document's text (normalised) and its speaker turns (code point offsets into it)."""

    text: str
    format: str
    turns: list[Turn] = field(default_factory=list)


# A reader gets the path of an existing regular file and returns its text. Readers whose
# format carries its own turns (subtitles) return normalised text; others may return raw text.
Reader = Callable[[Path], ImportedText]


@dataclass(frozen=True)
class _Entry:
    reader: Reader
    own_turns: bool


_REGISTRY: dict[str, _Entry] = {}


def _ext(ext: str) -> str:
    ext = ext.lower()
    return ext if ext.startswith(".") else "." + ext


def register(ext: str, reader: Reader, *, own_turns: bool = False) -> None:
    """Use `reader` for files ending in `ext` (".txt" or "txt"); replaces an earlier one.

    `own_turns`: the reader's turns are final (subtitle cues), no speaker detection is run.
    """
    _REGISTRY[_ext(ext)] = _Entry(reader, own_turns)


def supported_extensions() -> list[str]:
    """The extensions that can be imported, sorted, with their dot (".docx")."""
    return sorted(_REGISTRY)


def read_document(
    path: str | os.PathLike[str],
    speakers: Literal["auto", "none"] | str = "auto",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ImportedText:
    """Read a document for import; raises ImportFailed with a one-line message on bad input.

    `speakers="auto"` finds speaker turns ("Name: ...") in the text; `"none"` leaves them out.
    Subtitles always give one turn per cue, with times (and the speaker of a WebVTT voice tag).
    """
    if speakers not in ("auto", "none"):
        raise InvalidValue(f"speakers must be 'auto' or 'none', not {speakers!r}")
    path = Path(path)
    entry = _REGISTRY.get(path.suffix.lower())
    if entry is None:
        kind = f"'{path.suffix}'" if path.suffix else "without an extension"
        raise fail(
            path,
            f"unsupported file type {kind} (supported: {', '.join(supported_extensions())})",
        )
    try:
        if not path.exists():
            raise fail(path, f"no such file ({path})")
        if path.is_dir():
            raise fail(path, "it is a folder, not a file")
        size = path.stat().st_size
    except OSError as exc:
        raise fail(path, exc.strerror or str(exc)) from None
    if size > max_bytes:
        raise fail(path, f"the file is {_mb(size)}, more than the limit of {_mb(max_bytes)}")
    if size == 0:
        raise fail(path, "the file is empty")
    try:
        result = entry.reader(path)
    except ImportFailed:
        raise
    except OSError as exc:
        raise fail(path, exc.strerror or str(exc)) from None
    if entry.own_turns:
        text, turns = result.text, list(result.turns)
        if _SURROGATE.search(text):  # cannot be stored; joining them would move the turns
            raise fail(path, "the file contains broken characters (UTF-16 surrogates)")
    else:
        text = normalise(_join_surrogates(result.text))
        turns = detect_turns(text) if speakers == "auto" else []
    if not text or text.isspace():  # (strip() would copy the whole text)
        raise fail(path, "the file has no text (it is empty or only whitespace)")
    return ImportedText(text=text, format=result.format, turns=turns)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _join_surrogates(text: str) -> str:
    """Join the UTF-16 surrogate pairs some readers return (RTF's \\uN escapes of an emoji)
    into one character each; a lone surrogate cannot be stored and becomes U+FFFD."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _lazy(module: str, function: str) -> Reader:
    """A reader that imports `module` (in this package) on first use."""

    def reader(path: Path) -> ImportedText:
        mod = importlib.import_module(f"{__name__}.{module}")
        result: ImportedText = getattr(mod, function)(path)
        return result

    reader.__name__ = f"{module}.{function}"
    return reader


for _e in (".txt", ".text", ".md"):
    register(_e, _lazy("txt", "read_txt"))
register(".docx", _lazy("docx", "read_docx"))
register(".odt", _lazy("odt", "read_odt"))
register(".rtf", _lazy("rtf", "read_rtf"))
register(".pdf", _lazy("pdf", "read_pdf"))
register(".vtt", _lazy("subtitles", "read_vtt"), own_turns=True)
register(".srt", _lazy("subtitles", "read_srt"), own_turns=True)
