"""Word documents (.docx): body paragraphs and table rows in document order.

The main document part is read as a stream of XML events (lxml's parser target interface):
nothing is kept but the text, so memory stays flat and a file stops at the first limit it
exceeds (:mod:`coder.core.limits`), however far its XML unpacks. The text is python-docx's
reading of the document (``Paragraph.text`` of each body paragraph, each table row's cells
joined by tabs, a merged cell once), which a test checks on generated documents.
"""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path
from typing import Any

from lxml import etree

from coder.core.importers import ImportedText
from coder.core.importers._common import fail
from coder.core.limits import (
    LIMITS,
    LimitExceeded,
    Limits,
    TextBudget,
    open_member,
    open_zip,
    xml_problem,
)

# Old .doc files and password-protected .docx files are OLE compound files, not zip packages.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOCUMENT = "/officeDocument"
_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",  # Strict Open XML
)
_CHUNK = 1 << 20


class _NotWord(Exception):
    """The main part is not a WordprocessingML document."""


def read_docx(path: Path, limits: Limits = LIMITS) -> ImportedText:
    """Read a .docx: one line per paragraph, one line per table row (cells joined by tabs)."""
    with path.open("rb") as f:
        if f.read(8) == _OLE_MAGIC:
            raise fail(path, "the file is password-protected or an old .doc file; save it as .docx")
    try:
        with open_zip(path, limits) as archive:
            lines = _read_main_part(archive, limits)
    except LimitExceeded:
        raise
    except _NotWord as exc:
        raise fail(path, f"it is not a Word document ({exc})") from None
    except etree.XMLSyntaxError as exc:
        raise fail(path, f"the Word file is damaged ({xml_problem(str(exc))})") from None
    except Exception as exc:  # zipfile and lxml errors on damaged files
        reason = f"the Word file is damaged or not a .docx ({type(exc).__name__})"
        raise fail(path, reason) from None
    return ImportedText(text="\n".join(lines), format="docx", turns=[])


def _main_part(archive: zipfile.ZipFile, limits: Limits) -> str:
    """The member holding the document (named in the package relationships)."""
    names = set(archive.namelist())
    if "_rels/.rels" in names:
        with open_member(archive, "_rels/.rels", limits) as f:
            root = etree.fromstring(f.read(), _safe_parser())
        for rel in root.iter(f"{{{_RELS_NS}}}Relationship"):
            if (rel.get("Type") or "").endswith(_OFFICE_DOCUMENT) and not rel.get("TargetMode"):
                target = posixpath.normpath((rel.get("Target") or "").lstrip("/"))
                if target in names:
                    return target
    if "word/document.xml" in names:
        return "word/document.xml"
    raise _NotWord("it has no word/document.xml")


def _safe_parser(target: Any = None) -> etree.XMLParser:
    return etree.XMLParser(
        target=target, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )


def _read_main_part(archive: zipfile.ZipFile, limits: Limits) -> list[str]:
    reader = _BodyReader(TextBudget(limits))
    parser = _safe_parser(reader)
    with open_member(archive, _main_part(archive, limits), limits) as f:
        while chunk := f.read(_CHUNK):
            parser.feed(chunk)
    parser.close()
    if not reader.seen_document:
        raise _NotWord("its main part is not WordprocessingML")
    return reader.lines


class _Cell:
    __slots__ = ("paragraphs", "span", "vmerge")

    def __init__(self) -> None:
        self.span = 1
        self.vmerge: str | None = None
        self.paragraphs: list[str] = []


class _BodyReader:
    """An lxml parser target collecting the text of body paragraphs and table rows.

    Only what python-docx reads counts: runs that are children of a body paragraph (or of a
    hyperlink in it), the paragraphs directly in the cells of body-level tables. A vertically
    merged cell repeats the text of the cell it continues, as python-docx does.
    """

    def __init__(self, budget: TextBudget) -> None:
        self.budget = budget
        self.lines: list[str] = []
        self.stack: list[str] = []
        self.seen_document = False
        self.tags: dict[str, str] = {}
        self.paragraph: list[str] | None = None  # pieces of the paragraph being read
        self.paragraph_depth = 0
        self.paragraph_in_cell = False
        self.run_depth = 0  # depth of the run being read (0: none)
        self.in_text = False
        self.table_depth = 0  # depth of the body-level table being read (0: none)
        self.row: list[_Cell] | None = None
        self.grid_before = 0
        self.cell: _Cell | None = None
        self.above: dict[int, tuple[int, str]] = {}  # grid column -> (cell id, text), last row
        self.cell_ids = 0

    # -- events ------------------------------------------------------------------------------

    def doctype(self, *args: object) -> None:
        raise _NotWord("it declares a document type, which Word files never do")

    def start(self, tag: str, attrib: Any) -> None:
        stack = self.stack
        parent = stack[-1] if stack else ""
        stack.append(tag)
        depth = len(stack)
        if depth == 1:
            self._root(tag)
            return
        t = self.tags
        if tag == t["p"]:
            self._start_paragraph(parent, depth)
        elif tag == t["r"]:
            if self.paragraph is not None and (
                depth == self.paragraph_depth + 1
                or (depth == self.paragraph_depth + 2 and parent == t["hyperlink"])
            ):
                self.run_depth = depth
        elif self.run_depth and depth == self.run_depth + 1:
            self._run_content(tag, attrib)
        elif tag == t["tbl"]:
            if parent == t["body"] and not self.table_depth:
                self.table_depth = depth
                self.above = {}
        elif tag == t["tr"]:
            if self.table_depth and depth == self.table_depth + 1:
                self.row = []
                self.grid_before = 0
        elif tag == t["tc"]:
            if self.row is not None and depth == self.table_depth + 2:
                self.cell = _Cell()
        elif self.table_depth:
            self._table_properties(tag, attrib, depth)

    def data(self, text: str) -> None:
        if self.in_text and self.paragraph is not None:
            self.budget.charge(len(text))
            self.paragraph.append(text)

    def end(self, tag: str) -> None:
        depth = len(self.stack)
        self.stack.pop()
        t = self.tags
        if self.in_text and tag == t["t"]:
            self.in_text = False
        elif depth == self.run_depth:
            self.run_depth = 0
        elif depth == self.paragraph_depth and self.paragraph is not None:
            self._end_paragraph()
        elif self.cell is not None and depth == self.table_depth + 2 and tag == t["tc"]:
            assert self.row is not None
            self.row.append(self.cell)
            self.cell = None
        elif self.row is not None and depth == self.table_depth + 1 and tag == t["tr"]:
            self._end_row(self.row)
            self.row = None
        elif depth == self.table_depth and tag == t["tbl"]:
            self.table_depth = 0
            self.above = {}

    def close(self) -> None:
        return None

    # -- parts ---------------------------------------------------------------------------------

    def _root(self, tag: str) -> None:
        namespace, _, local = tag[1:].partition("}")
        if namespace not in _NAMESPACES or local != "document":
            raise _NotWord(f"its main part is <{local}>, not a Word document")
        self.seen_document = True
        names = "body p r hyperlink t tab ptab br cr noBreakHyphen tbl tr tc trPr tcPr"
        for name in names.split() + ["gridBefore", "gridSpan", "vMerge", "val", "type"]:
            self.tags[name] = f"{{{namespace}}}{name}"

    def _start_paragraph(self, parent: str, depth: int) -> None:
        t = self.tags
        if self.paragraph is not None:  # a paragraph inside a paragraph's drawing: not read
            return
        if parent == t["body"]:
            in_cell = False
        elif parent == t["tc"] and self.cell is not None and depth == self.table_depth + 3:
            in_cell = True
        else:
            return
        self.paragraph = []
        self.paragraph_depth = depth
        self.paragraph_in_cell = in_cell

    def _run_content(self, tag: str, attrib: Any) -> None:
        t = self.tags
        piece = ""
        if tag == t["t"]:
            self.in_text = True
            return
        if tag in (t["tab"], t["ptab"]):
            piece = "\t"
        elif tag == t["br"]:
            if attrib.get(t["type"], "textWrapping") == "textWrapping":
                piece = "\n"
        elif tag == t["cr"]:
            piece = "\n"
        elif tag == t["noBreakHyphen"]:
            piece = "-"
        if piece and self.paragraph is not None:
            self.budget.charge(1)
            self.paragraph.append(piece)

    def _end_paragraph(self) -> None:
        assert self.paragraph is not None
        text = "".join(self.paragraph)
        self.paragraph = None
        self.paragraph_depth = 0
        self.run_depth = 0
        self.in_text = False
        if self.paragraph_in_cell:
            if self.cell is not None:
                self.cell.paragraphs.append(text)
        else:
            self.budget.charge(1)  # the line break after it
            self.lines.append(text)

    def _table_properties(self, tag: str, attrib: Any, depth: int) -> None:
        """w:trPr/w:gridBefore of the row, w:tcPr/w:gridSpan and w:vMerge of the cell."""
        t = self.tags
        parent = self.stack[-2]
        if self.cell is not None and depth == self.table_depth + 4 and parent == t["tcPr"]:
            if tag == t["gridSpan"]:
                self.cell.span = _small_int(attrib.get(t["val"]), 1)
            elif tag == t["vMerge"]:
                self.cell.vmerge = attrib.get(t["val"], "continue")
        elif self.row is not None and depth == self.table_depth + 3 and parent == t["trPr"]:
            if tag == t["gridBefore"]:
                self.grid_before = _small_int(attrib.get(t["val"]), 0)

    def _end_row(self, row: list[_Cell]) -> None:
        offset = self.grid_before
        above: dict[int, tuple[int, str]] = {}
        texts: list[str] = []
        previous = -1
        repeated = 0  # characters not counted while reading (a merged cell's text again)
        for cell in row:
            if cell.vmerge == "continue":
                root = self.above.get(offset, (-1, ""))
                repeated += len(root[1])
            else:
                self.cell_ids += 1
                text = " ".join(p.replace("\n", " ") for p in cell.paragraphs)
                root = (self.cell_ids, text)
            for k in range(cell.span):
                above[offset + k] = root
            offset += cell.span
            if root[0] != previous or root[0] == -1:
                texts.append(root[1])
            previous = root[0]
        self.above = above
        self.budget.charge(repeated + len(texts))
        self.lines.append("\t".join(texts))


def _small_int(value: str | None, default: int) -> int:
    """A grid span or offset: a small positive number, else ``default``."""
    if value is None or not value.strip().isdigit() or len(value.strip()) > 4:
        return default
    return max(int(value), default)
