"""Searching a written file for the originals of a pseudonym list: every member of a zip
(.docx, .xlsx, .qdpx), decompressed; XML both as written and as its text (tags removed,
entities read); anything else as text (UTF-8, UTF-16 when it says so, else Latin-1)."""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

from coder.core.pseudonymise.matching import Matcher

_TAG = re.compile(r"<[^>]*>")
# What a member may unpack to before it is searched in pieces (a hostile zip is not ours to
# unpack whole; our own exports are far below this).
_CHUNK = 1 << 24


def find_in_file(path: Path, matcher: Matcher) -> str | None:
    """Where an original occurs in the file (``"'Mara' in word/document.xml"``), or None."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                with archive.open(info) as member:
                    found = _find_in_bytes(member.read(), matcher)
                if found is not None:
                    return f"'{found}' in {info.filename} of {path.name}"
        return None
    found = _find_in_bytes(path.read_bytes(), matcher)
    return None if found is None else f"'{found}' in {path.name}"


def _find_in_bytes(data: bytes, matcher: Matcher) -> str | None:
    for text in _readings(data):
        match = matcher.contains(text)
        if match is not None:
            return text[match.start : match.end]
        if text.lstrip("\ufeff \r\n\t").startswith("<"):
            plain = html.unescape(_TAG.sub("", text))
            match = matcher.contains(plain)
            if match is not None:
                return plain[match.start : match.end]
    return None


def _readings(data: bytes) -> list[str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return [data.decode("utf-16", errors="replace")]
    readings = [data.decode("utf-8", errors="replace")]
    if not data.startswith(b"SQLite format 3\x00"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            readings.append(data.decode("latin-1"))
    return readings
