"""Reading files from strangers: zip archives and XML, with every limit checked up front.

Nothing is ever extracted to disk: archive members are read into memory after their names,
types and sizes have been checked. XML is parsed with entities, DTD loading and network access
off, and a document type declaration that declares entities (XXE, "billion laughs") is refused.
Every refusal is an :class:`ExchangeError` with a one-line message.
"""

from __future__ import annotations

import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from lxml import etree

from coder.core.errors import ExchangeError
from coder.core.limits import LIMITS, LimitExceeded, count_text, open_zip, xml_problem

__all__ = ["Limits", "SafeArchive", "parse_xml"]


@dataclass(frozen=True)
class Limits:
    """Caps for one exchange file (defaults suit a year of fieldwork; tests use smaller ones).

    The shared limits of every reader (coder.core.limits) give the defaults: the project or
    codebook XML is held whole in memory, so it is held to what one part may unpack to and to
    a number of elements.
    """

    max_total_bytes: int = LIMITS.archive_bytes  # all members, uncompressed
    max_member_bytes: int = 1024**3
    max_members: int = LIMITS.members
    max_ratio: float = 200.0  # uncompressed / compressed, for members above ratio_floor
    ratio_floor: int = 1024 * 1024
    max_xml_bytes: int = LIMITS.unpacked_bytes
    max_xml_elements: int = LIMITS.elements


DEFAULT_LIMITS = Limits()
_DRIVE = re.compile(r"^[A-Za-z]:")


def _clean_member_name(name: str, archive: str) -> str:
    """The member's path with "/" separators, or ExchangeError if it could escape a folder."""
    if "\x00" in name:
        raise ExchangeError(f"{archive}: refused, a member name contains a NUL character")
    # Windows tools sometimes write "sources\x.txt"; "..\..\x" is a trick either way.
    unified = name.replace("\\", "/")
    if unified.startswith("/") or _DRIVE.match(unified):
        raise ExchangeError(f"{archive}: refused, member '{name}' has an absolute path")
    parts = [p for p in unified.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise ExchangeError(f"{archive}: refused, member '{name}' points outside the archive (..)")
    return "/".join(parts)


class SafeArchive:
    """A checked zip archive: member names validated, sizes capped, members read in memory."""

    def __init__(self, path: str | Path, limits: Limits = DEFAULT_LIMITS) -> None:
        self.path = Path(path)
        self.limits = limits
        label = self.path.name
        self._label = label
        if not self.path.is_file():
            raise ExchangeError(f"{self.path}: no such file")
        try:
            self._zip = open_zip(self.path, _members_only(limits.max_members))
        except LimitExceeded as e:
            raise ExchangeError(f"{label}: refused, {e}") from None
        except (zipfile.BadZipFile, OSError, ValueError) as e:
            raise ExchangeError(
                f"{label} is not a .qdpx file (not a readable zip archive: {e})"
            ) from None
        try:
            self._members = self._check()
        except BaseException:
            self._zip.close()
            raise

    def _check(self) -> dict[str, zipfile.ZipInfo]:
        infos = self._zip.infolist()
        lim = self.limits
        if len(infos) > lim.max_members:
            raise ExchangeError(
                f"{self._label}: refused, it has {len(infos)} members (limit {lim.max_members})"
            )
        members: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            name = _clean_member_name(info.filename, self._label)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise ExchangeError(f"{self._label}: refused, member '{info.filename}' is a link")
            if info.is_dir() or not name:
                continue
            if info.flag_bits & 0x1:
                raise ExchangeError(f"{self._label}: member '{info.filename}' is encrypted")
            key = name.casefold()
            if key in members:
                raise ExchangeError(f"{self._label}: refused, member '{name}' appears twice")
            if info.file_size > lim.max_member_bytes:
                raise ExchangeError(
                    f"{self._label}: refused, member '{name}' is {_size(info.file_size)} "
                    f"uncompressed (limit {_size(lim.max_member_bytes)})"
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > lim.ratio_floor and ratio > lim.max_ratio:
                raise ExchangeError(
                    f"{self._label}: refused, member '{name}' expands {ratio:.0f} times "
                    "(a zip bomb?)"
                )
            total += info.file_size
            if total > lim.max_total_bytes:
                raise ExchangeError(
                    f"{self._label}: refused, its contents exceed {_size(lim.max_total_bytes)} "
                    "uncompressed"
                )
            members[key] = info
        self._names = {k: _clean_member_name(i.filename, self._label) for k, i in members.items()}
        return members

    def names(self) -> list[str]:
        """Member paths ("/" separated, as stored), without folders."""
        return list(self._names.values())

    def find(self, name: str) -> str | None:
        """The stored member path for ``name`` (case-insensitive), or None."""
        try:
            key = _clean_member_name(name, self._label).casefold()
        except ExchangeError:
            return None
        return self._names.get(key)

    def find_basename(self, basename: str) -> str | None:
        """The one member whose file name is ``basename`` (case-insensitive), or None."""
        want = basename.casefold()
        hits = [n for n in self._names.values() if PurePosixPath(n).name.casefold() == want]
        return hits[0] if len(hits) == 1 else None

    def read(self, name: str, max_bytes: int | None = None) -> bytes:
        """A member's bytes, read in memory with its size checked while reading."""
        info = self._members.get(name.casefold())
        if info is None:
            raise ExchangeError(f"{self._label}: no member '{name}'")
        cap = min(max_bytes or self.limits.max_member_bytes, self.limits.max_member_bytes)
        if info.file_size > cap:
            raise ExchangeError(
                f"{self._label}: refused, member '{name}' is {_size(info.file_size)} "
                f"(limit {_size(cap)})"
            )
        chunks: list[bytes] = []
        size = 0
        try:
            with self._zip.open(info) as f:
                while True:
                    chunk = f.read(1024 * 1024)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > cap or size > info.file_size:
                        raise ExchangeError(
                            f"{self._label}: refused, member '{name}' is larger than it declares"
                        )
                    chunks.append(chunk)
        except (
            zipfile.BadZipFile,
            zlib.error,
            OSError,
            EOFError,
            ValueError,
            NotImplementedError,
        ) as e:
            raise ExchangeError(f"{self._label}: member '{name}' is damaged ({e})") from None
        except RuntimeError as e:  # encrypted members and the like
            raise ExchangeError(f"{self._label}: member '{name}' cannot be read ({e})") from None
        return b"".join(chunks)

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> SafeArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _members_only(members: int) -> Any:
    """The shared limits with this archive's member count."""
    from dataclasses import replace

    return replace(LIMITS, members=members)


def _size(n: int) -> str:
    if n >= 1024**3:
        return f"{n / 1024**3:.1f} GB"
    if n >= 1024**2:
        return f"{n / 1024**2:.1f} MB"
    return f"{n / 1024:.0f} KB"


# --------------------------------------------------------------------------- XML

# Start of the root element: "<" then a name character (comments, PIs and the DTD start "<!"/"<?").
_ROOT_START = re.compile(rb"<[A-Za-z_:]")
_ENTITY_MARKS = (
    b"<!ENTITY",
    "<!ENTITY".encode("utf-16-le"),
    "<!ENTITY".encode("utf-16-be"),
)


def _make_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(
    data: bytes,
    what: str,
    max_bytes: int = DEFAULT_LIMITS.max_xml_bytes,
    max_elements: int = DEFAULT_LIMITS.max_xml_elements,
) -> etree._Element:
    """Parse untrusted XML safely and return its root element.

    Refuses files over ``max_bytes`` or with more than ``max_elements`` elements (the tree is
    held in memory, at about 130 bytes an element) and any document type declaration that
    declares entities or names an external DTD; entities are never expanded, nothing is fetched.
    """
    if len(data) > max_bytes:
        raise ExchangeError(f"{what} is larger than {_size(max_bytes)}; refused")
    # Every element needs a "<" (in UTF-8 and in UTF-16 alike): a bound counted at C speed.
    if data.count(b"<") > max_elements:
        raise ExchangeError(
            f"{what}: refused, it has more than {count_text(max_elements)} XML elements, "
            "the limit for one file"
        )
    if not data.strip():
        raise ExchangeError(f"{what} is empty")
    m = _ROOT_START.search(data)
    prolog = data[: m.start()] if m else data
    if any(mark in prolog for mark in _ENTITY_MARKS) or b"<\x00!\x00E\x00N\x00T" in prolog:
        raise ExchangeError(f"{what}: refused, it declares XML entities (not allowed in REFI-QDA)")
    try:
        root = etree.fromstring(data, _make_parser())
    except etree.XMLSyntaxError as e:
        raise ExchangeError(f"{what} is not valid XML ({xml_problem(str(e))})") from None
    except (ValueError, etree.LxmlError) as e:
        raise ExchangeError(f"{what} cannot be read as XML ({e})") from None
    if root is None:
        raise ExchangeError(f"{what} has no XML root element")
    docinfo = root.getroottree().docinfo
    dtd = docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise ExchangeError(f"{what}: refused, it declares XML entities (not allowed in REFI-QDA)")
    if docinfo.system_url or docinfo.public_id:
        raise ExchangeError(f"{what}: refused, it refers to an external DTD")
    for _ in root.iter(etree.Entity):
        raise ExchangeError(f"{what}: refused, it uses XML entities")
    return root
