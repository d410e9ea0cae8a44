"""OpenDocument text (.odt), via odfpy: headings, paragraphs, lists and table rows in order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coder.core.importers import ImportedText
from coder.core.importers._common import fail

_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_TEXT_NODE = 3

# Content that is not part of the running text: footnote bodies, change-tracking records, etc.
_SKIP = {
    (_TEXT_NS, "note"),
    (_TEXT_NS, "tracked-changes"),
    (_TEXT_NS, "sequence-decls"),
    (_TEXT_NS, "variable-decls"),
    (_TEXT_NS, "user-field-decls"),
    (_TEXT_NS, "soft-page-break"),
}


def read_odt(path: Path) -> ImportedText:
    """Read an .odt: one line per text:p / text:h, one line per table row (cells by tabs)."""
    from odf.opendocument import load

    try:
        document = load(str(path))
        lines: list[str] = []
        _blocks(document.text, lines)
    except Exception as exc:  # zipfile, XML and odfpy errors on damaged or encrypted files
        raise fail(
            path, f"the OpenDocument file is damaged or encrypted ({type(exc).__name__})"
        ) from None
    return ImportedText(text="\n".join(lines), format="odt", turns=[])


def _blocks(element: Any, lines: list[str]) -> None:
    """Append the lines of the block-level content under `element`, in document order."""
    for node in element.childNodes:
        if node.nodeType != _TEXT_NODE:
            qname = node.qname
            if qname in _SKIP:
                continue
            if qname in ((_TEXT_NS, "p"), (_TEXT_NS, "h")):
                lines.append(_inline(node))
            elif qname == (_TABLE_NS, "table-row"):
                lines.append(_row(node))
            else:
                _blocks(node, lines)


def _row(row: Any) -> str:
    cells: list[str] = []
    for cell in row.childNodes:
        if cell.nodeType == _TEXT_NODE or cell.qname != (_TABLE_NS, "table-cell"):
            continue
        parts: list[str] = []
        _blocks(cell, parts)
        # A row must stay one line, so a cell's own paragraphs are joined by spaces.
        text = " ".join(p.replace("\n", " ") for p in parts)
        repeat = int(cell.getAttrNS(_TABLE_NS, "number-columns-repeated") or 1)
        # Repeated empty cells pad rows to the sheet width; only repeated content matters.
        cells.extend([text] * (repeat if text else 1))
    while cells and not cells[-1]:
        cells.pop()
    return "\t".join(cells)


def _inline(element: Any) -> str:
    """The text of a paragraph, with text:s, text:tab and text:line-break expanded."""
    out: list[str] = []
    for node in element.childNodes:
        if node.nodeType == _TEXT_NODE:
            out.append(node.data)
            continue
        qname = node.qname
        if qname in _SKIP:
            continue
        if qname == (_TEXT_NS, "s"):
            out.append(" " * int(node.getAttrNS(_TEXT_NS, "c") or 1))
        elif qname == (_TEXT_NS, "tab"):
            out.append("\t")
        elif qname == (_TEXT_NS, "line-break"):
            out.append("\n")
        else:
            out.append(_inline(node))
    return "".join(out)
