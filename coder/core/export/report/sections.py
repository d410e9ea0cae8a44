"""The report's other sections: inter-coder agreement, co-occurrence, memos, and the codebook
appendix (whose codes are sub-headings outside the contents list: the codes already appear
there once, with their quotes)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from coder.core.export.report.quote_section import code_fields, levels
from coder.core.export.report.wording import count
from coder.core.export.report.wordml import (
    Fmt,
    Para,
    Table,
    clean,
    paragraph,
    runs,
    text_paragraph,
)
from coder.core.query import Filters, Sources, cooccurrence

if TYPE_CHECKING:
    from coder.core.export.report.options import ReportOptions
    from coder.core.export.report.writer import Writer
    from coder.core.model import Code
    from coder.core.project import Project


def agreement_section(
    w: Writer, project: Project, options: ReportOptions, codes: Sequence[Code]
) -> None:
    """Inter-coder agreement of the chosen coders (:mod:`coder.core.export.agreement_section`)."""
    from coder.core.export.agreement_section import write_section

    write_section(w, project, options, list(codes))


def cooccurrence_section(
    w: Writer, project: Project, codes: Sequence[Code], filters: Filters, sources: Sources
) -> None:
    w.heading("Co-occurrence", 1)
    if len(codes) < 2:
        w.text("Co-occurrence needs at least two codes.")
        return
    m = cooccurrence(project, [c.id for c in codes], "passage", filters, sources=sources)
    pairs = m.pairs()
    w.text(
        "How often two codes are applied to overlapping passages (each stretch of text coded "
        "with both counts once).",
        keep_next=bool(pairs),
    )
    if not pairs:
        w.text("No two codes overlap anywhere in this selection.")
        return
    if len(codes) <= 6:  # a code × code table while its columns hold a code name
        first = 4.0
        rest = (w.width - first) / len(codes)
        table = Table(["Code"] + [c.name for c in codes], [first] + [rest] * len(codes))
        for i, c in enumerate(codes):
            table.add(
                [c.name] + [("—" if i == j else str(m.counts[i][j])) for j in range(len(codes))]
            )
        w.table("Passages coded with both codes (overlapping codings)", table)
        w.spacer()
        return
    shown = pairs[:60]
    half = (w.width - 2.6) / 2
    table = Table(["Code", "With code", "Passages"], [half, half, 2.6], numeric={2})
    for a, b, n in shown:
        table.add([a.path, b.path, str(n)])
    more = f" (the {len(shown)} most frequent of {len(pairs)})" if len(pairs) > len(shown) else ""
    w.table(f"Pairs of codes applied to overlapping passages{more}", table)
    w.spacer()


def _paragraphs(w: Writer, text: str) -> None:
    for block in re.split(r"\n\s*\n", clean(text).strip()):
        if block.strip():
            w.text(block.strip())


def memos_section(
    w: Writer, project: Project, codes: Sequence[Code], filters: Filters, sources: Sources
) -> None:
    w.heading("Memos", 1)
    wrote = False
    if project.memo.strip():
        w.heading("Project memo", 2)
        _paragraphs(w, project.memo)
        wrote = True
    memos = project.memos()
    if memos:
        w.heading("Memos", 2)
        for memo in memos:
            w.heading(clean(memo.title) or "Untitled memo", 3)
            _paragraphs(w, memo.text)
            by = f" by {memo.author}" if getattr(memo, "author", "") else ""
            stamp = memo.modified_at[:16].replace("T", " ")
            w.body.add(text_paragraph(f"Last changed {stamp}{by}", Para(style="CoderSource")))
        wrote = True
    wrote |= _owner_memos(w, project, codes, filters)
    wrote |= _coding_memos(w, project, codes, filters, sources)
    if not wrote:
        w.text("No memos have been written in this project.")


def _owner_memos(w: Writer, project: Project, codes: Sequence[Code], filters: Filters) -> bool:
    wrote = False
    scope_docs = set(filters.documents) if filters.documents is not None else None
    docs = [
        d
        for d in project.documents()
        if d.memo.strip() and (scope_docs is None or d.id in scope_docs)
    ]
    scope_cases = set(filters.cases) if filters.cases is not None else None
    cases = [
        c
        for c in project.cases()
        if c.memo.strip() and (scope_cases is None or c.id in scope_cases)
    ]
    code_memos = [c for c in codes if c.memo.strip()]
    for title, items in (
        ("Document memos", [(d.name, d.memo) for d in docs]),
        ("Case memos", [(c.name, c.memo) for c in cases]),
        ("Code memos", [(c.path, c.memo) for c in code_memos]),
    ):
        if items:
            w.heading(title, 2)
            for name, memo in items:
                w.field(name, memo.strip())
            wrote = True
    return wrote


def _coding_memos(
    w: Writer, project: Project, codes: Sequence[Code], filters: Filters, sources: Sources
) -> bool:
    scope_docs = set(filters.documents) if filters.documents is not None else None
    memos = [g for g in project.codings(code_ids=[c.id for c in codes]) if g.memo.strip()]
    if filters.coders is not None:
        memos = [g for g in memos if g.coder_id in filters.coders]
    if scope_docs is not None:
        memos = [g for g in memos if g.document_id in scope_docs]
    if not memos:
        return False
    w.heading("Coding memos", 2)
    for g in memos:
        passage = sources.text(g.document_id)[g.start : g.end]
        if len(passage) > 160:
            passage = passage[:157].rstrip() + "…"
        w.body.add(
            text_paragraph(
                f"{g.code_path}, {g.document} ({g.coder}): “{clean(passage)}”",
                Para(style="CoderField", keep_next=True),
                Fmt(italic=True),
            )
        )
        w.body.add(text_paragraph(g.memo.strip(), Para(style="CoderQuote")))
    return True


def annotations_section(
    w: Writer, annotations: Sequence[Any], sources: Sources, quoted: set[int]
) -> None:
    """Annotations no quote touched, so that none is lost from the report."""
    rest = [a for a in annotations if a.id not in quoted]
    if not rest:
        return
    w.heading("Other annotations", 2)
    w.text(f"{count(len(rest), 'annotation')} on passages not quoted above.")
    for a in rest:
        passage = sources.text(a.document_id)[a.start : a.end]
        if len(passage) > 160:
            passage = passage[:157].rstrip() + "…"
        where = sources.document_names.get(a.document_id, "")
        who = f" ({a.coder})" if a.coder else ""
        w.body.add(
            text_paragraph(
                f"{where}{who}: “{clean(passage)}”",
                Para(style="CoderField", keep_next=True),
                Fmt(italic=True),
            )
        )
        w.body.add(text_paragraph(a.text.strip() or "(no text)", Para(style="CoderNote")))


def codebook_section(
    w: Writer,
    codes: Sequence[Code],
    counts: dict[int, int],
    top: int = 2,
    in_contents: bool = False,
) -> None:
    """Every code with its fields, headings nested from level ``top`` by depth. In the
    report's appendix the codes are sub-headings outside the contents (they are listed there
    once, with their quotes); in the codebook document they are in it."""
    if not codes:
        w.text("The codebook is empty.")
        return
    level = levels(codes, top)
    for code in codes:
        w.heading(code.name, level[code.id], in_contents=in_contents)
        code_fields(w, code, empty_note=True)
        if code.memo.strip():
            w.field("Memo", code.memo.strip())
        n = counts.get(code.id, 0)
        color = (code.color or "").lstrip("#").upper()
        swatch = ""
        if re.fullmatch(r"[0-9A-F]{6}", color):
            swatch = f'<w:r>{Fmt(shade=color).rpr()}<w:t xml:space="preserve">    </w:t></w:r>'
        line = f" {code.path} · colour #{color} · {count(n, 'coding')}"
        w.body.add(paragraph(swatch + runs(line), Para(style="CoderSource"), direction_of=line))
