"""The codebook alone as a Word document: every code, nested as in the codebook, with its
definition, inclusion and exclusion criteria, example, memo, colour and number of codings."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import TYPE_CHECKING

from coder.core.export import atomic_path
from coder.core.export.docx_sections import codebook_section
from coder.core.export.docx_style import add_field, add_toc, finish_toc, new_document, para

if TYPE_CHECKING:
    from coder.core.project import Project


def write_codebook(
    project: Project, path: str | Path, title: str = "", author: str = "", page_size: str = "A4"
) -> int:
    """Write the codebook to ``path`` (atomically); returns the number of codes."""
    title = title.strip() or f"{project.name}: codebook"
    doc = new_document(title, author, page_size)
    para(doc, title, "Title")
    codes = project.codes()
    add_field(doc, "Project", project.name)
    if author.strip():
        add_field(doc, "Author", author.strip())
    add_field(doc, "Date", _dt.date.today().strftime("%d %B %Y").lstrip("0"))
    add_field(doc, "Codes", str(len(codes)))
    if len(codes) > 15:
        add_toc(doc)
    codebook_section(doc, project, codes, heading_level=1)
    finish_toc(doc)
    with atomic_path(path) as tmp:
        doc.save(str(tmp))
    return len(codes)
