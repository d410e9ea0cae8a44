"""The codebook alone as a Word document: every code, nested as in the codebook, with its
definition, inclusion and exclusion criteria, example, memo, colour and number of codings."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import TYPE_CHECKING

from coder.core.export import atomic_path
from coder.core.export.report.document import Body, new_document, save, text_width_cm
from coder.core.export.report.sections import codebook_section
from coder.core.export.report.wordml import Para, text_paragraph
from coder.core.export.report.writer import Writer

if TYPE_CHECKING:
    from coder.core.project import Project


def write_codebook(
    project: Project, path: str | Path, title: str = "", author: str = "", page_size: str = "A4"
) -> int:
    """Write the codebook to ``path`` (atomically); returns the number of codes."""
    from coder import __version__

    title = title.strip() or f"{project.name}: codebook"
    doc = new_document(title, author, page_size)
    body = Body()
    w = Writer(body, doc.part, text_width_cm(page_size))
    body.add(text_paragraph(title, Para(style="Title")))
    codes = project.codes()
    w.field("Project", project.name)
    if author.strip():
        w.field("Author", author.strip())
    w.field("Date", _dt.date.today().strftime("%d %B %Y").lstrip("0"))
    w.field("Codes", str(len(codes)))
    if len(codes) > 15:
        body.add(text_paragraph("Contents", Para(style="TOCHeading")))
        body.contents()
    counts = dict(project.db.execute("SELECT code_id, count(*) FROM codings GROUP BY 1"))
    codebook_section(w, codes, counts, top=1, in_contents=True)
    with atomic_path(path) as tmp:
        save(doc, body, tmp, title, author.strip(), __version__)
    return len(codes)
