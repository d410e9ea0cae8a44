"""Import documents: one reader module per format, chosen by file extension.

`read_document` is the one entry point. Readers are registered by extension and loaded lazily,
so opening a project does not import pypdf, python-docx and friends.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, cast

from coder.core.errors import ImportFailed, InvalidValue
from coder.core.importers._common import fail
from coder.core.limits import LIMITS, LimitExceeded, Limits, file_too_big, too_many_characters
from coder.core.text import TooManyTurns, Turn, detect_turns, normalise

__all__ = [
    "DEFAULT_MAX_BYTES",
    "ImportedText",
    "Reader",
    "read_document",
    "register",
    "supported_extensions",
]

DEFAULT_MAX_BYTES = LIMITS.file_bytes


@dataclass(frozen=True)
class ImportedText:
    """A document's text (normalised) and its speaker turns (code point offsets into it).

    ``warnings`` are one-line notes for the person importing (the file was read, but not
    perfectly: bytes replaced, cue times unreadable...).
    """

    text: str
    format: str
    turns: list[Turn] = field(default_factory=list)
    warnings: tuple[str, ...] = ()


# A reader gets the path of an existing regular file and the limits to keep, and returns its
# text. Readers whose format carries its own turns (subtitles) return normalised text; others
# may return raw text. A reader stops with LimitExceeded at the first limit the file exceeds.
Reader = Callable[[Path, Limits], ImportedText]


@dataclass(frozen=True)
class _Entry:
    reader: Reader
    own_turns: bool


_REGISTRY: dict[str, _Entry] = {}


def _ext(ext: str) -> str:
    ext = ext.lower()
    return ext if ext.startswith(".") else "." + ext


def register(
    ext: str, reader: Reader | Callable[[Path], ImportedText], *, own_turns: bool = False
) -> None:
    """Use `reader` for files ending in `ext` (".txt" or "txt"); replaces an earlier one.

    `reader(path, limits)` or `reader(path)`: a reader that takes no limits is held to the
    file size and characters limits only (checked around it).
    `own_turns`: the reader's turns are final (subtitle cues), no speaker detection is run.
    """
    if _positional_parameters(reader) < 2:
        simple = cast(Callable[[Path], ImportedText], reader)

        def with_limits(path: Path, limits: Limits) -> ImportedText:
            return simple(path)

        reader = with_limits
    _REGISTRY[_ext(ext)] = _Entry(cast(Reader, reader), own_turns)


def _positional_parameters(function: Callable[..., object]) -> int:
    import inspect

    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return 2
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if any(p.kind == inspect.Parameter.VAR_POSITIONAL for p in parameters):
        return 2
    return sum(1 for p in parameters if p.kind in kinds)


def supported_extensions() -> list[str]:
    """The extensions that can be imported, sorted, with their dot (".docx")."""
    return sorted(_REGISTRY)


def read_document(
    path: str | os.PathLike[str],
    speakers: Literal["auto", "none"] | str = "auto",
    max_bytes: int | None = None,
    limits: Limits = LIMITS,
) -> ImportedText:
    """Read a document for import; raises ImportFailed with a one-line message on bad input.

    `speakers="auto"` finds speaker turns ("Name: ...") in the text; `"none"` leaves them out.
    Subtitles always give one turn per cue, with times (and the speaker of a WebVTT voice tag).
    Reading stops at the first of `limits` the file exceeds (`max_bytes` overrides its size).
    """
    if max_bytes is not None:
        limits = replace(limits, file_bytes=max_bytes)
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
    if size > limits.file_bytes:
        raise fail(path, str(file_too_big(size, limits)))
    if size == 0:
        raise fail(path, "the file is empty")
    try:
        result = entry.reader(path, limits)
    except LimitExceeded as exc:
        raise fail(path, str(exc)) from None
    except ImportFailed:
        raise
    except OSError as exc:
        raise fail(path, exc.strerror or str(exc)) from None
    except MemoryError:
        raise fail(path, "it needs more memory than this computer has") from None
    if len(result.text) > limits.characters:
        raise fail(path, str(too_many_characters(limits.characters)))
    warnings = result.warnings
    if entry.own_turns:
        text, turns = result.text, list(result.turns)
        if _SURROGATE.search(text):  # cannot be stored; joining them would move the turns
            raise fail(path, "the file contains broken characters (UTF-16 surrogates)")
    else:
        text = normalise(_join_surrogates(result.text))
        turns = []
        if speakers == "auto":
            try:
                turns = detect_turns(text, limits.turns)
            except TooManyTurns as exc:
                warnings = (*warnings, f"speaker turns were not detected: {exc}")
    if not text or text.isspace():  # (strip() would copy the whole text)
        raise fail(path, "the file has no text (it is empty or only whitespace)")
    return ImportedText(text=text, format=result.format, turns=turns, warnings=warnings)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _join_surrogates(text: str) -> str:
    """Join the UTF-16 surrogate pairs some readers return (RTF's \\uN escapes of an emoji)
    into one character each; a lone surrogate cannot be stored and becomes U+FFFD."""
    try:
        text.encode("utf-8")  # fails on a surrogate only: twice as fast as searching for one
        return text
    except UnicodeEncodeError:
        pass
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _lazy(module: str, function: str) -> Reader:
    """A reader that imports `module` (in this package) on first use."""

    def reader(path: Path, limits: Limits) -> ImportedText:
        mod = importlib.import_module(f"{__name__}.{module}")
        result: ImportedText = getattr(mod, function)(path, limits)
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
