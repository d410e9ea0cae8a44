"""The Word report: summary, chart, quotes per code, co-occurrence, memos, codebook.

Everything but the quotes is built with python-docx and real Word styles (Title, Heading 1-4,
Caption, table styles, two custom paragraph styles for quotes and their sources), so the result
is natively editable. Quotes can number in the tens of thousands and python-docx spends
tens of microseconds per run, so each code's section holds a placeholder paragraph and, when
the package is written, ``word/document.xml`` is streamed into the zip with the quote
paragraphs generated from escaped string templates, one code at a time. Memory stays flat
and 20,000 quotes take a few seconds.
"""

from __future__ import annotations

import datetime as _dt
import io
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from coder.core.export import Progress, atomic_path, check_progress
from coder.core.export.docx_options import ReportOptions, ReportResult
from coder.core.export.docx_quotes import Quote, QuoteWriter, placeholder_re, save_streaming
from coder.core.export.docx_sections import (
    agreement_section,
    codebook_section,
    cooccurrence_section,
    memos_section,
)
from coder.core.export.docx_style import (
    QUOTE_STYLE,
    SOURCE_STYLE,
    TOC_PLACEHOLDER,
    TableBuilder,
    add_field,
    add_toc,
    caption,
    code_fields,
    finish_toc,
    format_time,
    heading,
    heading_for_code,
    new_document,
    page_break,
    para,
    swatch_run,
    text_width_cm,
    tint,
)
from coder.core.query import Sources, codings_in_scope, frequencies

if TYPE_CHECKING:
    from coder.core.project import Project


def write_report(
    project: Project,
    path: str | Path,
    options: ReportOptions | None = None,
    progress: Progress | None = None,
) -> ReportResult:
    """Write the Word report to ``path`` (atomically). ``progress(done, total, label)``
    returning False cancels (raises :class:`coder.core.export.Cancelled`, no file)."""
    t0 = time.perf_counter()
    report = _Report(project, options or ReportOptions(), progress)
    report.title_page()
    report.summary()
    if report.options.include_chart and report.codes:
        report.chart()
    tables = 1  # Table 1 is the summary
    if report.options.include_agreement:
        tables += agreement_section(
            report.doc, project, report.options, report.codes, report.width, tables + 1
        )
    report.code_sections()
    report.closing_sections(tables)
    path = Path(path)
    finish_toc(report.doc)
    with atomic_path(path) as tmp:
        save_streaming(report.doc, tmp, report.quotes, placeholder_re(report.token))
    total = report.total_quotes
    check_progress(progress, total, max(total, 1), "Done")
    return ReportResult(
        path, len(report.codes), report.codings_quoted, time.perf_counter() - t0, total
    )


class _Report:
    """The report being built: its data, read once, and its sections in order."""

    def __init__(self, project: Project, options: ReportOptions, progress: Progress | None) -> None:
        self.project = project
        self.options = options
        self.progress = progress
        self.token = uuid.uuid4().hex
        self.filters = filters = options.filters()
        self.sources = sources = Sources(project)
        self.all_codes = project.codes()
        self.wanted = wanted = set(options.codes) if options.codes is not None else None
        self.codes = codes = [c for c in self.all_codes if wanted is None or c.id in wanted]
        check_progress(progress, 0, 1, "Counting codings")
        rows = codings_in_scope(project, filters, [c.id for c in codes], sources)
        # One quote per passage and code: codings of the same passage by several coders share it.
        self.per_code: dict[int, list[Quote]] = {}
        for r in rows:
            items = self.per_code.setdefault(r.code_id, [])
            last = items[-1] if items else None
            if last is not None and (last.document_id, last.start, last.end) == (
                r.document_id,
                r.start,
                r.end,
            ):
                if r.coder_id not in last.coder_ids:
                    last.coder_ids.append(r.coder_id)
            else:
                items.append(Quote(r.document_id, r.start, r.end, [r.coder_id]))
        self.codings_quoted = len(rows)
        del rows
        kids = options.include_children
        self.by_doc = frequencies(
            project, "document", filters=filters, coverage=False, include_children=kids
        )
        self.by_case = frequencies(
            project, "case", filters=filters, coverage=False, include_children=kids
        )
        self.doc_rows = {r.code_id: r for r in self.by_doc.rows}
        self.case_rows = {r.code_id: r for r in self.by_case.rows}
        self.total_quotes = sum(len(v) for v in self.per_code.values())  # quote paragraphs
        self.title = options.title.strip() or f"{project.name}: coding report"
        self.doc = new_document(self.title, options.author, options.page_size)
        self.width = text_width_cm(options.page_size)
        self.done = 0

    def title_page(self) -> None:
        doc, options, title = self.doc, self.options, self.title
        para(doc, title, "Title")
        para(doc, f"Project {self.project.name}", "Subtitle")
        coders_in_scope = [
            c.name
            for c in self.project.coders()
            if options.coders is None or c.id in options.coders
        ]
        quotes, codings = self.total_quotes, self.codings_quoted
        facts = [
            ("Author", options.author.strip() or "—"),
            ("Date", _dt.date.today().strftime("%d %B %Y").lstrip("0")),
            ("Coders", ", ".join(coders_in_scope) or "—"),
            ("Documents", str(self.by_doc.total)),
            ("Cases", str(self.by_case.total)),
            ("Codes", str(len(self.codes))),
            ("Quotes", str(quotes) + (f" (of {codings} codings)" if codings != quotes else "")),
        ]
        for label, value in facts:
            add_field(doc, label, value)
        scope_note = _scope_note(self.project, options)
        if scope_note:
            p = para(doc, "", "Coder Field")
            p.add_run(scope_note).italic = True
        page_break(doc)
        add_toc(doc)
        page_break(doc)

    def summary(self) -> None:
        doc, by_doc, by_case = self.doc, self.by_doc, self.by_case
        heading(doc, "Summary", 1)
        doc.add_paragraph(
            f"How many codings each code has, and in how many of the {by_doc.total} documents "
            f"and {by_case.total} cases it occurs at least once (n and per cent)."
        )
        widths = [self.width - 10.2, 2.2, 2.6, 1.7, 2.0, 1.7]
        table = TableBuilder(["Code", "Codings", "Documents", "%", "Cases", "%"], widths)
        for code in self.codes:
            d, c = self.doc_rows.get(code.id), self.case_rows.get(code.id)
            table.add(
                [
                    code.name,
                    str(d.codings if d else 0),
                    str(d.units if d else 0),
                    _pct(d.percent if d else 0.0, by_doc.total),
                    str(c.units if c else 0),
                    _pct(c.percent if c else 0.0, by_case.total),
                ],
                indent_cm=0.4 * code.depth,
            )
        table.insert(doc)
        caption(
            doc,
            f"Table 1. Codings, documents (N = {by_doc.total}) and cases (N = {by_case.total}) "
            "per code"
            + (
                "; a parent code's counts include its sub-codes' codings."
                if self.options.include_children
                else "."
            ),
        )

    def chart(self) -> None:
        check_progress(self.progress, 0, max(self.total_quotes, 1), "Drawing the chart")
        from docx.shared import Cm

        from coder.core.export import charts

        codes, width = self.codes, self.width
        use_cases = self.by_case.total > 0
        rows_for = self.case_rows if use_cases else self.doc_rows
        values = [rows_for[c.id].percent if c.id in rows_for else 0.0 for c in codes]
        fig = charts.frequency_figure(
            [c.path for c in codes], values, [c.color for c in codes],
            xlabel=f"% of {'cases' if use_cases else 'documents'}", width_in=width / 2.54,
        )  # fmt: skip
        self.doc.add_paragraph().add_run().add_picture(
            io.BytesIO(charts.png_bytes(fig)), width=Cm(width)
        )
        caption(
            self.doc,
            f"Figure 1. Share of {'cases' if use_cases else 'documents'} coded with each code.",
        )

    def code_sections(self) -> None:
        """One section per code; its quotes are a placeholder until the file is written."""
        doc, codes = self.doc, self.codes
        page_break(doc)
        heading(doc, "Codes and quotes", 1)
        if not codes:
            doc.add_paragraph("The codebook is empty: there is nothing to report yet.")
        for code in codes:
            heading_for_code(doc, code, 2 + min(code.depth, 2))
            code_fields(doc, code)
            children = [c.name for c in codes if c.parent_id == code.id]
            if children:
                add_field(
                    doc,
                    "Sub-codes",
                    ", ".join(children) + " (their quotes follow under their own headings)",
                )
            n = len(self.per_code.get(code.id, ()))
            d, c = self.doc_rows.get(code.id), self.case_rows.get(code.id)
            line = f"{n} quote{'s' if n != 1 else ''}"
            if d:
                line += f" from {d.units} of {d.total} documents ({_pct(d.percent, d.total)})"
            if c and c.total:
                line += f", {c.units} of {c.total} cases ({_pct(c.percent, c.total)})"
            p = para(doc, "", "Coder Field")
            swatch_run(p, code.color)
            if n:
                p.add_run(line + ".").italic = True
                doc.add_paragraph(f"@@{self.token}-{code.id}@@")
            else:
                p.add_run(
                    "No passages are coded with this code"
                    + (" in this selection." if self.filters else ".")
                ).italic = True

    def closing_sections(self, tables: int) -> None:
        doc, project, codes = self.doc, self.project, self.codes
        heading(doc, "Co-occurrence", 1)
        cooccurrence_section(
            doc, project, codes, self.filters, self.sources, self.width, tables + 1
        )
        if self.options.include_memos:
            heading(doc, "Memos", 1)
            memos_section(doc, project, codes, self.filters, self.sources)
        heading(doc, "Appendix: codebook", 1)
        book = self.all_codes if self.wanted is None else codes
        codebook_section(doc, project, book, heading_level=None)
        styles = (doc.styles[QUOTE_STYLE].style_id, doc.styles[SOURCE_STYLE].style_id)
        self.writer = QuoteWriter(project, self.options, self.sources, styles)

    def quotes(self, code_id: int) -> Iterator[str]:
        """The quote paragraphs of one code, streamed into document.xml in batches."""
        code = next(c for c in self.codes if c.id == code_id)
        fill = tint(code.color)
        items = self.per_code.get(code_id, [])
        names = self.sources.document_names
        if self.options.order == "document":
            items.sort(
                key=lambda r: (names[r.document_id].casefold(), r.document_id, r.start, r.end)
            )
        else:
            lengths = self.sources.document_length
            items.sort(
                key=lambda r: (
                    r.start / max(lengths[r.document_id], 1),
                    names[r.document_id].casefold(),
                    r.start,
                )
            )
        batch: list[str] = []
        for r in items:
            batch.append(
                self.writer.quote_xml(r.document_id, r.start, r.end, tuple(r.coder_ids), fill)
            )
            self.done += 1
            if len(batch) >= 250:
                yield "".join(batch)
                batch = []
                check_progress(
                    self.progress, self.done, self.total_quotes, f"Quotes for {code.name}"
                )
        if batch:
            yield "".join(batch)
        self.per_code.pop(code_id, None)  # free each code's rows once written


def _pct(value: float, total: int) -> str:
    return f"{value:.1f}%" if total else "–"


def _scope_note(project: Project, options: ReportOptions) -> str:
    parts = []
    if options.codes is not None:
        parts.append(f"{len(options.codes)} selected codes")
    if options.documents is not None:
        names = dict(project.db.execute("SELECT id, name FROM documents"))
        parts.append("documents " + ", ".join(names.get(i, "?") for i in options.documents))
    if options.cases is not None:
        names = dict(project.db.execute("SELECT id, name FROM cases"))
        parts.append("cases " + ", ".join(names.get(i, "?") for i in options.cases))
    if options.coders is not None:
        names = dict(project.db.execute("SELECT id, name FROM coders"))
        parts.append("codings by " + ", ".join(names.get(i, "?") for i in options.coders))
    return ("This report covers " + "; ".join(parts) + ".") if parts else ""


__all__ = [
    "TOC_PLACEHOLDER", "ReportOptions", "ReportResult", "format_time", "tint", "write_report",
]  # fmt: skip
