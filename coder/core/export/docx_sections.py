"""Sections of the Word report after the quotes: agreement, co-occurrence, memos, codebook."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from coder.core.export.docx_options import ReportOptions
from coder.core.export.docx_style import (
    QUOTE_STYLE,
    SOURCE_STYLE,
    TableBuilder,
    add_field,
    caption,
    clean,
    code_fields,
    heading,
    heading_for_code,
    para,
    swatch_run,
)
from coder.core.query import Filters, Sources, cooccurrence

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

    from coder.core.model import Code
    from coder.core.project import Project


def agreement_section(
    doc: DocxDocument,
    project: Project,
    options: ReportOptions,
    codes: list[Code],
    width: float,
    number: int,
) -> int:
    """Inter-coder agreement per code, when two or more coders are in scope; returns the
    number of tables added (0 or 1)."""
    from coder.core import intercoder
    from coder.core.errors import CoderError

    coder_ids = (
        list(options.coders) if options.coders is not None else [c.id for c in project.coders()]
    )
    if len(coder_ids) < 2:
        return 0
    heading(doc, "Inter-coder agreement", 1)
    try:
        table = intercoder.report_table(
            project, coder_ids, unit=options.agreement_unit,
            codes=[c.id for c in codes] if options.codes is not None else None,
            documents=options.documents, cases=options.cases,
        )  # fmt: skip
    except CoderError as e:
        doc.add_paragraph(f"Agreement could not be computed: {e}.")
        return 0
    if not table.rows or all(r[1] == "0" for r in table.rows):
        doc.add_paragraph("No document in this selection was coded by all of these coders, so agreement "
                          "cannot be measured yet.")  # fmt: skip
        return 0
    doc.add_paragraph(clean(table.note)).paragraph_format.keep_with_next = True
    widths = [width - 9.9, 1.6, 2.5, 2.4, 3.4]
    builder = TableBuilder(list(table.headers), widths)
    for row in table.rows:
        builder.add(list(row))
    builder.insert(doc)
    caption(doc, f"Table {number}. {table.title} per code.")
    return 1


def cooccurrence_section(
    doc: DocxDocument,
    project: Project,
    codes: list[Code],
    filters: Filters,
    sources: Sources,
    width: float,
    number: int = 2,
) -> None:
    if len(codes) < 2:
        doc.add_paragraph("Co-occurrence needs at least two codes.")
        return
    m = cooccurrence(project, [c.id for c in codes], "passage", filters, sources=sources)
    pairs = m.pairs()
    doc.add_paragraph(
        "How often two codes are applied to overlapping passages (each stretch of text coded "
        "with both counts once)."
    ).paragraph_format.keep_with_next = bool(pairs)
    if not pairs:
        doc.add_paragraph("No two codes overlap anywhere in this selection.")
        return
    if len(codes) <= 8:
        first = 4.0
        rest = (width - first) / len(codes)
        widths = [first] + [rest] * len(codes)
        table = TableBuilder(["Code"] + [c.name for c in codes], widths)
        for i, c in enumerate(codes):
            table.add(
                [c.name] + [("—" if i == j else str(m.counts[i][j])) for j in range(len(codes))]
            )
        table.insert(doc)
        caption(doc, f"Table {number}. Passages coded with both codes (overlapping codings).")
        return
    shown = pairs[:60]
    widths = [(width - 2.6) / 2, (width - 2.6) / 2, 2.6]
    table = TableBuilder(["Code", "With code", "Passages"], widths, numeric={2})
    for a, b, n in shown:
        table.add([a.path, b.path, str(n)])
    table.insert(doc)
    more = f" (the {len(shown)} most frequent of {len(pairs)})" if len(pairs) > len(shown) else ""
    caption(doc, f"Table {number}. Pairs of codes applied to overlapping passages{more}.")


def memos_section(
    doc: DocxDocument, project: Project, codes: list[Code], filters: Filters, sources: Sources
) -> None:
    wrote = False
    if project.memo.strip():
        heading(doc, "Project memo", 2)
        _paragraphs(doc, project.memo)
        wrote = True
    memos = project.memos()
    if memos:
        heading(doc, "Memos", 2)
        for memo in memos:
            heading(doc, clean(memo.title) or "Untitled memo", 3)
            _paragraphs(doc, memo.text)
            p = para(doc, "", SOURCE_STYLE)
            p.add_run(f"Last changed {memo.modified_at[:16].replace('T', ' ')}")
        wrote = True
    scope_docs = set(filters.documents) if filters.documents is not None else None
    docs = [
        d
        for d in project.documents()
        if d.memo.strip() and (scope_docs is None or d.id in scope_docs)
    ]
    if docs:
        heading(doc, "Document memos", 2)
        for d in docs:
            add_field(doc, d.name, d.memo.strip())
        wrote = True
    scope_cases = set(filters.cases) if filters.cases is not None else None
    cases = [
        c
        for c in project.cases()
        if c.memo.strip() and (scope_cases is None or c.id in scope_cases)
    ]
    if cases:
        heading(doc, "Case memos", 2)
        for c in cases:
            add_field(doc, c.name, c.memo.strip())
        wrote = True
    code_memos = [c for c in codes if c.memo.strip()]
    if code_memos:
        heading(doc, "Code memos", 2)
        for c in code_memos:
            add_field(doc, c.path, c.memo.strip())
        wrote = True
    ids = [c.id for c in codes]
    coding_memos = [g for g in project.codings(code_ids=ids) if g.memo.strip()]
    if filters.coders is not None:
        coding_memos = [g for g in coding_memos if g.coder_id in filters.coders]
    if scope_docs is not None:
        coding_memos = [g for g in coding_memos if g.document_id in scope_docs]
    if coding_memos:
        heading(doc, "Coding memos", 2)
        for g in coding_memos:
            passage = sources.text(g.document_id)[g.start : g.end]
            if len(passage) > 160:
                passage = passage[:157].rstrip() + "…"
            p = para(doc, "", "Coder Field")
            p.add_run(f"{g.code_path}, {g.document} ({g.coder}): ").bold = True
            p.add_run(f"“{clean(passage)}”").italic = True
            para(doc, g.memo.strip(), QUOTE_STYLE).paragraph_format.keep_with_next = False
        wrote = True
    if not wrote:
        doc.add_paragraph("No memos have been written in this project.")


def _paragraphs(doc: DocxDocument, text: str) -> None:
    for block in re.split(r"\n\s*\n", clean(text).strip()):
        if block.strip():
            doc.add_paragraph(block.strip())


def codebook_section(
    doc: DocxDocument, project: Project, codes: list[Code], heading_level: int | None = 1
) -> None:
    """Every code with its fields. ``heading_level`` nests headings by depth from that level;
    ``None`` keeps codes out of the contents (bold paths, for an appendix)."""
    counts = dict(project.db.execute("SELECT code_id, count(*) FROM codings GROUP BY 1"))
    if not codes:
        doc.add_paragraph("The codebook is empty.")
        return
    for code in codes:
        if heading_level is not None:
            heading_for_code(doc, code, heading_level + min(code.depth, 3))
        else:
            para(doc, code.path, "Heading 4")
        code_fields(doc, code, empty_note=True)
        if code.memo.strip():
            add_field(doc, "Memo", code.memo.strip())
        p = para(doc, "", SOURCE_STYLE)
        p.paragraph_format.left_indent = 0
        swatch_run(p, code.color)
        n = counts.get(code.id, 0)
        p.add_run(f"Colour {code.color.upper()} · {n} coding{'s' if n != 1 else ''}")
