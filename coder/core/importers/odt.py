"""OpenDocument text (.odt): headings, paragraphs, lists and table rows in document order.

``content.xml`` is read as a stream of XML events (lxml's parser target interface), keeping
nothing but the text, so memory stays flat and a file stops at the first limit it exceeds
(:mod:`coder.core.limits`): characters, what the part unpacks to, and repeat counts
(``text:s text:c`` spaces, ``table:number-columns-repeated`` cells).
"""

from __future__ import annotations

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
    repeat_count,
)

_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_CHUNK = 1 << 20


def _t(name: str) -> str:
    return f"{{{_TEXT_NS}}}{name}"


_OFFICE_TEXT = f"{{{_OFFICE_NS}}}text"
_P, _H = _t("p"), _t("h")
_S, _TAB, _LINE_BREAK = _t("s"), _t("tab"), _t("line-break")
_C = _t("c")
_ROW = f"{{{_TABLE_NS}}}table-row"
_CELL = f"{{{_TABLE_NS}}}table-cell"
_COLUMNS_REPEATED = f"{{{_TABLE_NS}}}number-columns-repeated"
# Content that is not part of the running text: footnote bodies, change-tracking records, etc.
_SKIP = frozenset(
    _t(name)
    for name in (
        "note", "tracked-changes", "sequence-decls", "variable-decls", "user-field-decls",
        "soft-page-break",
    )
)  # fmt: skip


class _NotText(Exception):
    """The file is an OpenDocument file, but not a text document."""


def read_odt(path: Path, limits: Limits = LIMITS) -> ImportedText:
    """Read an .odt: one line per text:p / text:h, one line per table row (cells by tabs)."""
    reader = _ContentReader(TextBudget(limits), limits)
    parser = etree.XMLParser(
        target=reader, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        with open_zip(path, limits) as archive, open_member(archive, "content.xml", limits) as f:
            while chunk := f.read(_CHUNK):
                parser.feed(chunk)
            parser.close()
    except LimitExceeded:
        raise
    except _NotText as exc:
        raise fail(path, str(exc)) from None
    except Exception as exc:  # zipfile and XML errors on damaged or encrypted files
        raise fail(
            path, f"the OpenDocument file is damaged or encrypted ({type(exc).__name__})"
        ) from None
    if not reader.seen_text:
        raise fail(path, "it is not an OpenDocument text (it has no office:text)")
    return ImportedText(text="\n".join(reader.lines), format="odt", turns=[])


class _Row:
    __slots__ = ("cell", "cells", "in_cell", "repeat", "skip")

    def __init__(self) -> None:
        self.cells: list[str] = []
        self.cell: list[str] | None = None  # lines of the cell being read
        self.repeat: str | None = None
        self.in_cell = 0  # depth of the open table:table-cell (0: none)
        self.skip = 0  # depth of a child of the row that is not a cell (its content is not read)


class _ContentReader:
    """An lxml parser target collecting the lines of office:text.

    Block level (outside paragraphs), text:p and text:h give a line each, table rows a line
    of their cells; inside a paragraph every text counts (spans, links, frames), with
    text:s, text:tab and text:line-break expanded. Elements in _SKIP are left out everywhere.
    """

    def __init__(self, budget: TextBudget, limits: Limits) -> None:
        self.budget = budget
        self.limits = limits
        self.lines: list[str] = []
        self.depth = 0
        self.text_depth = 0  # depth of office:text (0: not inside it)
        self.seen_text = False
        self.skip_depth = 0  # depth of the skipped element being passed over (0: none)
        self.paragraph: list[str] | None = None
        self.paragraph_depth = 0
        self.rows: list[tuple[_Row, int]] = []  # open table rows (outside paragraphs), depths

    def doctype(self, *args: object) -> None:
        raise _NotText("the file declares a document type, which OpenDocument files never do")

    def start(self, tag: str, attrib: Any) -> None:
        self.depth += 1
        depth = self.depth
        if self.skip_depth:
            return
        if not self.text_depth:
            if tag == _OFFICE_TEXT:
                self.text_depth = depth
                self.seen_text = True
            return
        if tag in _SKIP:
            self.skip_depth = depth
            return
        if self.paragraph is not None:
            self._inline(tag, attrib)
            return
        row = self.rows[-1][0] if self.rows else None
        if row is not None and depth == self.rows[-1][1] + 1:
            # A child of a row: a cell is read, anything else (covered cells) is not.
            if tag == _CELL:
                row.cell = []
                row.in_cell = depth
                row.repeat = attrib.get(_COLUMNS_REPEATED)
            else:
                self.skip_depth = depth
            return
        if tag in (_P, _H):
            self.paragraph = []
            self.paragraph_depth = depth
        elif tag == _ROW:
            self.rows.append((_Row(), depth))

    def _inline(self, tag: str, attrib: Any) -> None:
        assert self.paragraph is not None
        if tag == _S:
            n = repeat_count(attrib.get(_C), self.limits)
            if n > 0:
                self.budget.charge(n)
                self.paragraph.append(" " * n)
        elif tag == _TAB:
            self.budget.charge(1)
            self.paragraph.append("\t")
        elif tag == _LINE_BREAK:
            self.budget.charge(1)
            self.paragraph.append("\n")

    def data(self, text: str) -> None:
        if self.paragraph is not None and not self.skip_depth:
            self.budget.charge(len(text))
            self.paragraph.append(text)

    def end(self, tag: str) -> None:
        depth = self.depth
        self.depth -= 1
        if self.skip_depth:
            if depth == self.skip_depth:
                self.skip_depth = 0
            return
        if depth == self.text_depth:
            self.text_depth = 0
            return
        if self.paragraph is not None:
            if depth == self.paragraph_depth:
                line = "".join(self.paragraph)
                self.paragraph = None
                self._emit(line)
            return
        if not self.rows:
            return
        row, row_depth = self.rows[-1]
        if depth == row.in_cell:
            self._end_cell(row)
        elif depth == row_depth:
            self.rows.pop()
            cells = row.cells
            while cells and not cells[-1]:
                cells.pop()
            line = "\t".join(cells)
            self.budget.charge(len(cells))
            self._emit(line)

    def _emit(self, line: str) -> None:
        """A finished line goes to the cell being read, else to the document."""
        if self.rows and self.rows[-1][0].cell is not None:
            cell = self.rows[-1][0].cell
            assert cell is not None
            cell.append(line)
        else:
            self.budget.charge(1)
            self.lines.append(line)

    def _end_cell(self, row: _Row) -> None:
        assert row.cell is not None
        # A row must stay one line, so a cell's own paragraphs are joined by spaces.
        text = " ".join(p.replace("\n", " ") for p in row.cell)
        row.cell = None
        row.in_cell = 0
        if not text:
            # Repeated empty cells pad rows to the sheet width; only repeated content counts.
            row.cells.append(text)
            return
        repeat = repeat_count(row.repeat, self.limits)
        if repeat > 1:
            self.budget.charge(len(text) * (repeat - 1))
        row.cells.extend([text] * repeat)

    def close(self) -> None:
        return None
