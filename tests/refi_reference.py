"""An independent reading of REFI-QDA files, to check Coder's importer against.

Nothing here uses Coder's code: the standard library's zipfile and ElementTree read the file,
and each passage is cut out of the source text with a convention stated by the caller (how the
exporting tool counts), never guessed. A test then compares what Coder imported with this.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path

NS = "{urn:QDA-XML:project:1.0}"


@dataclass(frozen=True)
class Passage:
    document: str  # the source's name
    code: str  # the code's name
    text: str  # the passage with LF line ends
    written: str  # the passage text the tool wrote as the selection's name ("" if none)


def source_text(archive: zipfile.ZipFile, path: str) -> str:
    """A source's text as its tool shows it: the BOM is not part of it."""
    name = path.split("://", 1)[-1].lstrip("/")
    members = {m.lower(): m for m in archive.namelist()}
    for candidate in (f"sources/{name}", name):
        if candidate.lower() in members:
            return archive.read(members[candidate.lower()]).decode("utf-8-sig")
    raise KeyError(path)


def cut(text: str, start: int, end: int, *, utf16: bool, crlf_two: bool) -> str:
    """The passage between two positions counted the stated way, with LF line ends."""
    if not crlf_two:
        text = text.replace("\r\n", "\n")
    if utf16:
        units = text.encode("utf-16-le")
        passage = units[2 * start : 2 * end].decode("utf-16-le", errors="strict")
    else:
        passage = text[start:end]
    return passage.replace("\r\n", "\n")


def passage_at(
    path: str | Path, member: str, start: int, end: int, *, utf16: bool, crlf_two: bool
) -> str:
    """One passage of one archive member, read with the stated convention."""
    with zipfile.ZipFile(path) as archive:
        text = archive.read(member).decode("utf-8-sig")
    return cut(text, start, end, utf16=utf16, crlf_two=crlf_two)


def passages(
    path: str | Path, *, utf16: bool, crlf_two: bool, qde: str = "project.qde"
) -> list[Passage]:
    """Every coded passage of a .qdpx, in file order, read with the stated convention."""
    with zipfile.ZipFile(path) as archive:
        root = ET.fromstring(archive.read(qde))
        codes = {c.get("guid", "").lower(): c.get("name", "") for c in root.iter(NS + "Code")}
        out = []
        for src in root.iter(NS + "TextSource"):
            text = source_text(archive, src.get("plainTextPath", ""))
            for sel in src.findall(NS + "PlainTextSelection"):
                start = int(sel.get("startPosition", ""))
                end = int(sel.get("endPosition", ""))
                passage = cut(text, start, end, utf16=utf16, crlf_two=crlf_two)
                for coding in sel.findall(NS + "Coding"):
                    ref_el = coding.find(NS + "CodeRef")
                    ref = "" if ref_el is None else ref_el.get("targetGUID", "").lower()
                    out.append(
                        Passage(
                            src.get("name", ""), codes.get(ref, ""), passage, sel.get("name", "")
                        )
                    )
        return out
