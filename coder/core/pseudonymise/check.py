"""Searching a written file for the originals of a pseudonym list: every member of a zip
(.docx, .xlsx, .qdpx), decompressed, except images; XML both as written and as its text (tags
removed, entities read); a project file value by value (every text of every table, the terms
of its search index) and for free pages; anything else as text (UTF-8, UTF-16 when it says
so, else Latin-1).

Images and a project's binary pages are not searched byte by byte: three random bytes spell
"P17" somewhere in a few megabytes of compressed pixels or index pages, and that is no name.
"""

from __future__ import annotations

import html
import re
import sqlite3
import unicodedata
import zipfile
from pathlib import Path

from coder.core.pseudonymise.matching import Matcher

_TAG = re.compile(r"<[^>]*>")
_IMAGES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf")
_SQLITE = b"SQLite format 3\x00"


def find_in_file(path: Path, matcher: Matcher) -> str | None:
    """Where an original occurs in the file (``"'Mara' in word/document.xml"``), or None."""
    with path.open("rb") as f:
        if f.read(len(_SQLITE)) == _SQLITE:
            return _find_in_database(path, matcher)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.is_dir() or info.filename.lower().endswith(_IMAGES):
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


def _find_in_database(path: Path, matcher: Matcher) -> str | None:
    conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True)
    try:
        if conn.execute("PRAGMA freelist_count").fetchone()[0]:
            return f"free pages of {path.name} (not vacuumed)"
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            for column in columns:
                rows = conn.execute(
                    f'SELECT "{column}" FROM "{table}" WHERE typeof("{column}") = \'text\''
                )
                for (value,) in rows:
                    match = matcher.contains(value)
                    if match is not None:
                        found = value[match.start : match.end]
                        return f"'{found}' in {table}.{column} of {path.name}"
        return _find_in_index(conn, path, matcher)
    finally:
        conn.close()


def _find_in_index(conn: sqlite3.Connection, path: Path, matcher: Matcher) -> str | None:
    """An original of one word (any case) among the terms of the full-text index, which keeps
    words in lower case without their accents."""
    fts = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE sql LIKE '%fts5%'")]
    words = {
        _plain(r.original): r.original
        for r in matcher.rules
        if not r.case_sensitive and re.fullmatch(r"\w+", r.original)
    }
    for table in fts:
        if table.endswith(("_data", "_idx", "_content", "_docsize", "_config")):
            continue
        conn.execute(
            f'CREATE VIRTUAL TABLE temp."vocab_{table}" USING fts5vocab(main, "{table}", row)'
        )
        for (term,) in conn.execute(f'SELECT term FROM temp."vocab_{table}"'):
            if term in words:
                return f"'{words[term]}' in the search index of {path.name}"
    return None


def _plain(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
