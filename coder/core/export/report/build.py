"""Writing the Word report: title page, contents, summary (table, chart, the tables reviewers
ask for), agreement, one section per code with its quotes, co-occurrence, memos, codebook."""

from __future__ import annotations

import datetime as _dt
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coder.core.errors import InvalidValue
from coder.core.export import Progress, atomic_path, check_progress
from coder.core.export.report import sections, tables
from coder.core.export.report.chart import BarChart
from coder.core.export.report.document import Body, new_document, save, text_width_cm
from coder.core.export.report.options import ReportOptions, ReportResult
from coder.core.export.report.quote_section import (
    CodeFigures,
    Groups,
    QuoteWriter,
    code_sections,
)
from coder.core.export.report.quotes import Annotations, Citation, Passage, passages
from coder.core.export.report.wording import count, join_and, n_of
from coder.core.export.report.wordml import Fmt, Para, text_paragraph
from coder.core.export.report.writer import Writer
from coder.core.numbers import percent
from coder.core.query import (
    Sources,
    cases_not_analysed,
    code_matrix,
    codings_in_scope,
    crosstab,
    find_attribute,
    frequencies,
)

if TYPE_CHECKING:
    from coder.core.model import Code
    from coder.core.project import Project


@dataclass
class Scope:
    """What the report covers, counted once."""

    codes: list[Code]
    per_code: dict[int, list[Passage]]
    codings: int
    coder_ids: list[int]
    coder_names: dict[int, str]
    doc_rows: dict[int, Any]
    case_rows: dict[int, Any]
    doc_total: int
    case_total: int
    summary: list[tables.SummaryRow]
    rows: list[Any]


def _check_attributes(project: Project, options: ReportOptions) -> list[Any]:
    """The attributes the options name (crosstab, case table, order), found before any work;
    an unknown name is an error listing the attributes there are."""
    from coder.core.errors import NotFound

    names = list(options.case_table or ())
    if options.crosstab:
        names.append(options.crosstab)
    if options.order.startswith("attribute="):
        names.append(options.order.split("=", 1)[1])
    found = []
    for name in names:
        try:
            found.append(find_attribute(project, name))
        except NotFound:
            known = join_and(sorted({a.name for a in project.attributes()}), "or") or "none yet"
            raise InvalidValue(f"no attribute named '{name}' (attributes: {known})") from None
    return found


def check_options(project: Project, options: ReportOptions) -> None:
    """Raise :class:`InvalidValue` (one line, listing what exists) for an attribute or
    attribution field the options name but the project does not have."""
    _check_attributes(project, options)
    Citation(project, Sources(project), options.cite)


def _scope(project: Project, options: ReportOptions, sources: Sources) -> Scope:
    filters = options.filters()
    wanted = set(options.codes) if options.codes is not None else None
    codes = [c for c in sources.codes() if wanted is None or c.id in wanted]
    rows = codings_in_scope(project, filters, [c.id for c in codes], sources)
    by_code: dict[int, list[Any]] = {}
    for r in rows:
        by_code.setdefault(r.code_id, []).append(r)
    per_code = {cid: passages(items) for cid, items in by_code.items()}
    kids = options.include_children
    by_doc = frequencies(
        project, "document", filters=filters, coverage=False, include_children=kids
    )
    by_case = frequencies(project, "case", filters=filters, coverage=False, include_children=kids)
    doc_rows = {r.code_id: r for r in by_doc.rows}
    case_rows = {r.code_id: r for r in by_case.rows}
    counts = {cid: len(items) for cid, items in per_code.items()}
    summary = tables.summary_rows(codes, doc_rows, case_rows, counts, kids)
    names = {c.id: c.name for c in project.coders()}
    coder_ids = sorted({r.coder_id for r in rows}, key=lambda c: names.get(c, "").casefold())
    return Scope(
        codes,
        per_code,
        len(rows),
        coder_ids,
        names,
        doc_rows,
        case_rows,
        by_doc.total,
        by_case.total,
        summary,
        rows,
    )


def _title_page(w: Writer, project: Project, options: ReportOptions, s: Scope, title: str) -> None:
    w.body.add(text_paragraph(title, Para(style="Title")))
    w.body.add(text_paragraph(f"Project {project.name}", Para(style="Subtitle")))
    quotes = sum(len(v) for v in s.per_code.values())
    shown = [s.coder_names[c] for c in s.coder_ids]
    if options.coders is not None:
        shown = [s.coder_names.get(c, "?") for c in options.coders]
    facts = [
        ("Author", options.author.strip() or "—"),
        ("Date", _dt.date.today().strftime("%d %B %Y").lstrip("0")),
        ("Coders", join_and(shown) or "—"),
        ("Documents", f"{s.doc_total:,}"),
        ("Cases", f"{s.case_total:,}"),
        ("Codes", f"{len(s.codes):,}"),
        (
            "Quotes",
            f"{quotes:,}" + (f" (of {count(s.codings, 'coding')})" if s.codings != quotes else ""),
        ),
    ]
    for label, value in facts:
        w.field(label, value)
    note = _scope_note(project, options)
    if note:
        w.text(note, fmt=Fmt(italic=True))


def _scope_note(project: Project, options: ReportOptions) -> str:
    parts = []
    if options.codes is not None:
        parts.append(count(len(options.codes), "selected code"))
    for ids, kind, items in (
        (options.documents, "documents", project.documents),
        (options.cases, "cases", project.cases),
        (options.coders, "codings by", project.coders),
    ):
        if ids is not None:
            names = {x.id: x.name for x in items()}
            parts.append(f"{kind} {join_and([names.get(i, '?') for i in ids])}")
    if options.consensus != "any":
        rule = "all" if options.consensus == "all" else "more than half"
        parts.append(f"what {rule} of the coders coded")
    return ("This report covers " + "; ".join(parts) + ".") if parts else ""


def _chart(w: Writer, s: Scope) -> None:
    use_cases = s.case_total > 0
    total = s.case_total if use_cases else s.doc_total
    unit = "cases" if use_cases else "documents"
    shown = [r for r in s.summary if not r.blank]
    if not shown or not total:
        return
    values = [percent(r.cases if use_cases else r.documents, total) for r in shown]
    chart = BarChart(
        [r.code.name for r in shown],
        values,
        f"% of {unit}",
        f"% of {unit} (N = {total:,})",
        [r.code.color for r in shown],
        font_size=9.0 if len(shown) <= 25 else 7.5,
        axis_max=100.0 if max(values) > 80 else None,
    )
    per_bar = 0.62 if len(shown) <= 25 else 0.45
    height = min(max(4.0, per_bar * len(shown) + 2.2), 21.0)
    listed = "; ".join(f"{r.code.name} {v:.1f}%" for r, v in zip(shown, values, strict=True))
    description = f"Bar chart of the share of the {total:,} {unit} coded with each code: {listed}."
    w.figure(
        chart, f"Share of {unit} coded with each code (N = {total:,} {unit})", description, height
    )


def _summary(
    w: Writer,
    project: Project,
    options: ReportOptions,
    s: Scope,
    sources: Sources,
    attributes: list[Any],
) -> None:
    w.heading("Summary", 1)
    unit_text = f"the {count(s.doc_total, 'document')}"
    if s.case_total:
        unit_text += f" and {count(s.case_total, 'case')}"
    w.text(
        f"Each code's codings, and in how many of {unit_text} analysed it occurs at least once "
        "(n and per cent; percentages are rounded to one decimal, halves up).",
        keep_next=True,
    )
    idle = cases_not_analysed(project, options.filters())
    if idle and options.case_table is None:  # the case table lists them itself
        of = n_of(len(idle), len(idle) + s.case_total, "case")
        w.text(
            f"Not analysed ({of}, no document in this selection, so not in N): {join_and(idle)}.",
            keep_next=True,
        )
    tables.summary_table(w, s.summary, s.doc_total, s.case_total, options.include_children)
    if options.include_chart:
        _chart(w, s)
    tables.coder_table(w, s.codes, s.rows, s.coder_names, options.include_children)
    filters = options.filters()
    if options.matrix:
        matrix = code_matrix(project, "case", filters, options.include_children)
        wanted = {c.id for c in s.codes}
        keep = [i for i, r in enumerate(matrix.codes) if r.code_id in wanted]
        matrix = type(matrix)(
            matrix.by,
            [matrix.codes[i] for i in keep],
            matrix.units,
            [matrix.counts[i] for i in keep],
        )
        tables.matrix_tables(w, matrix)
    if options.crosstab:
        attr = attributes[len(options.case_table or ())]
        tab = crosstab(
            project, options.crosstab, [c.id for c in s.codes], filters, options.include_children
        )
        tables.crosstab_table(w, tab, attr, s.codes)
    if options.case_table is not None:
        _case_table(w, project, options, sources, attributes[: len(options.case_table)])


def _case_table(
    w: Writer, project: Project, options: ReportOptions, sources: Sources, attributes: Sequence[Any]
) -> None:
    from coder.core.export.report.grouping import natural_key
    from coder.core.query import documents_in_scope

    docs = documents_in_scope(project, options.filters())
    wanted = set(options.cases) if options.cases is not None else None
    by_case: dict[int, list[str]] = {}
    loose = []
    for d in sorted(docs, key=lambda d: natural_key(sources.document_names[d])):
        owners = sources.case_ids(d, 0, max(sources.document_length.get(d, 0), 1))
        owners = [c for c in owners if wanted is None or c in wanted]
        for c in owners:
            by_case.setdefault(c, []).append(sources.document_names[d])
        if not owners:
            loose.append(sources.document_names[d])
    doc_values = {a.name for a in attributes if a.scope == "document"}
    rows = []
    for cid in sorted(by_case, key=lambda c: natural_key(sources.case_names[c])):
        values = dict(sources.case_attributes(cid))
        for name in doc_values:
            found = {
                sources.document_attributes(d).get(name, "")
                for d in docs
                if cid in sources.case_ids(d, 0, max(sources.document_length.get(d, 0), 1))
            }
            values[name] = join_and(sorted(v for v in found if v))
        rows.append((sources.case_names[cid], by_case[cid], values))
    everyone = [c for c in sources.case_names if wanted is None or c in wanted]
    missing = sorted((sources.case_names[c] for c in everyone if c not in by_case), key=natural_key)
    tables.case_table(w, rows, loose, attributes, missing)


def _figures(s: Scope, sources: Sources):
    def figures(code: Code) -> CodeFigures:
        items = s.per_code.get(code.id, [])
        docs = {p.document_id for p in items}
        cases = {c for p in items for c in sources.case_ids(p.document_id, p.start, p.end)}
        return CodeFigures(len(items), len(docs), len(cases), s.doc_total, s.case_total)

    return figures


def _codes_and_quotes(
    w: Writer,
    project: Project,
    options: ReportOptions,
    s: Scope,
    sources: Sources,
    progress: Progress | None,
    total: int,
) -> tuple[QuoteWriter, Annotations | None]:
    """ "Codes and quotes": a section per code, its quotes streamed when the file is written."""
    w.heading("Codes and quotes", 1)
    if not s.codes:
        w.text("The codebook is empty: there is nothing to report yet.")
    notes = None
    if options.include_annotations:
        shown = sources.document_names
        notes = Annotations([a for a in project.annotations() if a.document_id in shown])
    citation = Citation(project, sources, options.cite)
    groups = None
    if options.order not in ("document", "position"):
        groups = Groups(project, sources, options.order)
    writer = QuoteWriter(options, sources, citation, notes, s.coder_names, len(s.coder_ids) > 1)
    figures = _figures(s, sources)
    filtered = bool(options.filters())
    code_sections(w, s.codes, s.per_code, figures, writer, groups, progress, total, filtered)
    return writer, notes


def write_report(
    project: Project,
    path: str | Path,
    options: ReportOptions | None = None,
    progress: Progress | None = None,
) -> ReportResult:
    """Write the Word report to ``path`` (atomically). ``progress(done, total, label)``
    returning False cancels (raises :class:`coder.core.export.Cancelled`, no file)."""
    from coder import __version__

    t0 = time.perf_counter()
    options = options or ReportOptions()
    path = Path(path)
    attributes = _check_attributes(project, options)
    sources = Sources(project)
    check_progress(progress, 0, 1, "Counting codings")
    s = _scope(project, options, sources)
    total = sum(len(v) for v in s.per_code.values())
    codings = s.codings
    title = options.title.strip() or f"{project.name}: coding report"
    doc = new_document(title, options.author, options.page_size)
    body = Body()
    w = Writer(body, doc.part, text_width_cm(options.page_size))
    _title_page(w, project, options, s, title)
    w.page_break()
    body.add(text_paragraph("Contents", Para(style="TOCHeading")))
    body.contents()
    w.page_break()
    _summary(w, project, options, s, sources, attributes)
    if options.include_agreement:
        sections.agreement_section(w, project, options, s.codes)
    w.page_break()
    writer, notes = _codes_and_quotes(w, project, options, s, sources, progress, total)
    sections.cooccurrence_section(w, project, s.codes, options.filters(), sources)
    if options.include_memos:
        sections.memos_section(w, project, s.codes, options.filters(), sources)
        if notes is not None:
            quoted = {
                a.id
                for items in s.per_code.values()
                for p in items
                for a in notes.touching(p.document_id, p.start, p.end)
            }
            sections.annotations_section(w, notes.all, sources, quoted)
    w.heading("Appendix: codebook", 1)
    counts: dict[int, int] = {}
    for r in s.rows:
        counts[r.code_id] = counts.get(r.code_id, 0) + 1
    sections.codebook_section(w, s.codes, counts)
    n_codes = len(s.codes)
    del s
    with atomic_path(path) as tmp:
        save(doc, body, tmp, title, options.author.strip(), __version__)
    check_progress(progress, total, max(total, 1), "Done")
    return ReportResult(path, n_codes, codings, time.perf_counter() - t0, total, writer.annotated)
