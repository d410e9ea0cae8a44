"""How much Coder reads from one file: one set of limits for every importer.

A file from a stranger can be small on disk and enormous once read: a 358 KB .docx whose XML
unpacks to 150 million characters, an .odt whose ``<text:s text:c="2000000000"/>`` asks for two
billion spaces, a spreadsheet padded with millions of cells. Every reader (documents, attribute
tables, REFI-QDA projects and codebooks) checks the same limits *while* it reads and stops at
the first one a file exceeds, with a one-line message, within seconds and a few hundred MB.

The numbers are documented in the README ("Your data: what Coder guarantees"); tests pass
smaller :class:`Limits` to the readers to exercise every limit cheaply.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from typing import IO, BinaryIO

from coder.core.errors import CoderError

__all__ = [
    "LIMITS",
    "LimitExceeded",
    "Limits",
    "TextBudget",
    "count_text",
    "open_member",
    "open_zip",
    "over_limit",
    "repeat_count",
    "size_text",
    "xml_problem",
]

KB = 1024
MB = 1024 * KB
GB = 1024 * MB


@dataclass(frozen=True)
class Limits:
    """The most Coder reads from one file (every field is a hard limit, checked while reading)."""

    file_bytes: int = 50 * MB  # a document or attribute table on disk
    characters: int = 20_000_000  # one document's text (about 10,000 pages)
    unpacked_bytes: int = 64 * MB  # what one part of a .docx/.odt/.xlsx/.qdpx unpacks to
    turns: int = 200_000  # speaker turns or subtitle cues of one document
    repeats: int = 10_000  # one repeat count (ODF repeated spaces or cells with content)
    columns: int = 1_000  # columns of an attribute table
    cells: int = 200_000  # cells of an attribute table (rows x columns)
    elements: int = 2_000_000  # XML elements of a part read whole (REFI-QDA project, codebook)
    archive_bytes: int = 2 * GB  # all members of a .qdpx together, unpacked
    members: int = 20_000  # members of a zip archive


LIMITS = Limits()


class LimitExceeded(CoderError):
    """A file goes over one of the :class:`Limits`; the message says which, without the file
    name (the reader adds it)."""


def size_text(n: int) -> str:
    """A byte count for people: "358 KB", "64 MB", "1.5 GB"."""
    for unit, size in (("GB", GB), ("MB", MB), ("KB", KB)):
        if n >= size:
            return f"{n / size:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


def over_limit(n: int, limit: int) -> str:
    """ "70 MB, over the limit of 64 MB"; in bytes where rounding would hide the difference
    (never "50 MB, over the limit of 50 MB")."""
    size, most = size_text(n), size_text(limit)
    if size == most:
        size, most = f"{count_text(n)} bytes", f"{most} ({count_text(limit)} bytes)"
    return f"{size}, over the limit of {most}"


def count_text(n: int) -> str:
    """A count for people, with thousands separators: "20,000,000"."""
    return f"{n:,}"


def file_too_big(size: int, limits: Limits = LIMITS) -> LimitExceeded:
    return LimitExceeded(f"the file is {over_limit(size, limits.file_bytes)}")


def repeat_count(value: str | None, limits: Limits = LIMITS) -> int:
    """A repeat count read from a file ("1" when absent); raises LimitExceeded over the limit
    and ValueError when it is not a number."""
    if value is None or not value.strip():
        return 1
    text = value.strip()
    if not text.lstrip("+-").isdigit():
        raise ValueError(f"repeat count {text[:20]!r} is not a number")
    if len(text) > 12 or int(text) > limits.repeats:
        shown = count_text(int(text)) if len(text) <= 30 else "more than 10^30"
        raise LimitExceeded(
            f"it repeats content {shown} times in one place, over the limit of "
            f"{count_text(limits.repeats)}"
        )
    return int(text)


class TextBudget:
    """Counts the characters a reader produces and stops it at the limit for one document."""

    __slots__ = ("limit", "used")

    def __init__(self, limits: Limits = LIMITS) -> None:
        self.limit = limits.characters
        self.used = 0

    def charge(self, n: int) -> None:
        """Count ``n`` more characters; raises LimitExceeded past the limit."""
        self.used += n
        if self.used > self.limit:
            raise too_many_characters(self.limit)


def too_many_characters(limit: int = LIMITS.characters) -> LimitExceeded:
    return LimitExceeded(
        f"its text is longer than {count_text(limit)} characters, the limit for one document"
    )


def open_member(archive: zipfile.ZipFile, name: str, limits: Limits = LIMITS) -> IO[bytes]:
    """Open a zip member for streaming after checking what it unpacks to.

    Python's zipfile never returns more bytes than a member declares (a member that inflates
    further fails its CRC check), so checking the declared size bounds what is read.
    """
    info = archive.getinfo(name)
    if info.file_size > limits.unpacked_bytes:
        raise LimitExceeded(
            f"its part {name} unpacks to {over_limit(info.file_size, limits.unpacked_bytes)}"
        )
    return archive.open(info)


def xml_problem(message: str) -> str:
    """An XML parser's complaint in words for people (libxml2's own ask for XML_PARSE_HUGE)."""
    first = message.splitlines()[0] if message else "XML syntax error"
    if "Excessive depth" in first:
        return "its elements are nested more than 256 levels deep"
    if "XML_PARSE_HUGE" in first or "Resource limit exceeded" in first:
        return "one text or value in it is longer than 10,000,000 characters"
    return first.split(", line ")[0][:120]


_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"


def zip_member_count(f: BinaryIO) -> int | None:
    """How many members a zip archive's directory declares, from its end record alone (before
    Python's zipfile reads the whole directory into memory); None when there is no end record."""
    f.seek(0, os.SEEK_END)
    size = f.tell()
    tail_size = min(size, 65536 + 22)
    f.seek(size - tail_size)
    tail = f.read(tail_size)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        return None
    count = int.from_bytes(tail[at + 10 : at + 12], "little")
    if count != 0xFFFF or at < 20 or tail[at - 20 : at - 16] != _ZIP64_LOCATOR:
        return count
    offset = int.from_bytes(tail[at - 12 : at - 4], "little")
    if offset + 56 > size:
        return None
    f.seek(offset)
    record = f.read(56)
    if record[:4] != _ZIP64_EOCD:
        return None
    return int.from_bytes(record[32:40], "little")


def open_zip(path: str | os.PathLike[str], limits: Limits = LIMITS) -> zipfile.ZipFile:
    """Open a zip archive whose directory declares at most ``limits.members`` members.

    Raises LimitExceeded, or zipfile.BadZipFile / OSError for what is not a readable zip.
    """
    with open(path, "rb") as f:
        count = zip_member_count(f)
    if count is not None and count > limits.members:
        raise LimitExceeded(
            f"it has {count_text(count)} members, over the limit of {count_text(limits.members)}"
        )
    archive = zipfile.ZipFile(path)
    if len(archive.infolist()) > limits.members:  # a directory that lied in its end record
        archive.close()
        raise LimitExceeded(f"it has more than {count_text(limits.members)} members")
    return archive
