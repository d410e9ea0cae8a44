"""Word documents (.docx), via python-docx: body paragraphs and table rows in document order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coder.core.importers import ImportedText
from coder.core.importers._common import fail

# Old .doc files and password-protected .docx files are OLE compound files, not zip packages.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_docx(path: Path) -> ImportedText:
    """Read a .docx: one line per paragraph, one line per table row (cells joined by tabs)."""
    import docx
    from docx.table import Table

    with path.open("rb") as f:
        if f.read(8) == _OLE_MAGIC:
            raise fail(path, "the file is password-protected or an old .doc file; save it as .docx")
    try:
        document = docx.Document(str(path))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.extend(_table_rows(block))
            else:
                lines.append(block.text)
    except Exception as exc:  # zipfile, lxml and python-docx errors on damaged files
        reason = f"the Word file is damaged or not a .docx ({type(exc).__name__})"
        raise fail(path, reason) from None
    return ImportedText(text="\n".join(lines), format="docx", turns=[])


def _table_rows(table: Any) -> list[str]:
    """Each row as one line; a merged cell (repeated by python-docx) appears once."""
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is previous:
                continue
            previous = cell._tc
            # A row must stay one line, so a cell's own paragraphs are joined by spaces.
            cells.append(" ".join(p.text.replace("\n", " ") for p in cell.paragraphs))
        rows.append("\t".join(cells))
    return rows
