"""The report's tables: the summary in the form papers use ("21 (35.0%)" with N in the column
header), codings per coder, code × case, code × attribute value, and the analysed cases.

Each function adds a captioned table (title above, numbered with a SEQ field) to a
:class:`~coder.core.export.report.build.Writer`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from coder.core.export.report.grouping import grouping, merge_columns, natural_key
from coder.core.export.report.wording import count, join_and, n_of
from coder.core.export.report.wordml import Cell, Table, twips
from coder.core.numbers import n_percent

if TYPE_CHECKING:
    from coder.core.export.report.writer import Writer
    from coder.core.model import Code

MATRIX_COLUMNS = 8  # case columns per table of the code × case matrix


@dataclass
class SummaryRow:
    """A code's figures in the summary table; ``blank`` for a parent without codings of its
    own whose sub-codes have some (its cells are left empty, never "0 (0.0%)")."""

    code: Code
    codings: int
    passages: int
    documents: int
    cases: int
    blank: bool = False


def descendants(codes: Sequence[Code]) -> dict[int, list[int]]:
    """Each code's sub-codes at any depth (among ``codes``)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for c in codes:
        children[c.parent_id].append(c.id)
    out: dict[int, list[int]] = {}

    def walk(cid: int) -> list[int]:
        if cid not in out:
            found: list[int] = []
            for k in children.get(cid, []):
                found += [k, *walk(k)]
            out[cid] = found
        return out[cid]

    for c in codes:
        walk(c.id)
    return out


def summary_rows(
    codes: Sequence[Code],
    doc_rows: dict[int, Any],
    case_rows: dict[int, Any],
    passages: dict[int, int],
    include_children: bool,
) -> list[SummaryRow]:
    below = descendants(codes)
    rows = []
    for code in codes:
        d, c = doc_rows.get(code.id), case_rows.get(code.id)
        codings = d.codings if d else 0
        kids_have_data = any(
            (doc_rows[k].codings if k in doc_rows else 0) for k in below.get(code.id, [])
        )
        n_passages = passages.get(code.id, 0)
        if include_children:
            n_passages += sum(passages.get(k, 0) for k in below.get(code.id, []))
        blank = not include_children and codings == 0 and kids_have_data
        rows.append(
            SummaryRow(code, codings, n_passages, d.units if d else 0, c.units if c else 0, blank)
        )
    return rows


def summary_table(
    w: Writer, rows: list[SummaryRow], doc_total: int, case_total: int, include_children: bool
) -> None:
    show_passages = any(r.passages != r.codings for r in rows)
    headers = ["Code", "Codings"]
    if show_passages:
        headers.append("Quotes")
    headers.append(f"Documents, N = {doc_total:,}")
    if case_total:
        headers.append(f"Cases, N = {case_total:,}")
    numbers = len(headers) - 1
    wide = 3.0 if case_total else 3.4
    widths = [w.width - 1.9 * (1 + show_passages) - wide * (numbers - 1 - show_passages)]
    widths += [1.9] * (1 + show_passages) + [wide] * (numbers - 1 - show_passages)
    table = Table(headers, widths)
    for r in rows:
        cells = [Cell(r.code.name, indent=twips(0.4 * r.code.depth))]
        if r.blank:
            cells += [Cell("")] * numbers
        else:
            cells.append(Cell(f"{r.codings:,}"))
            if show_passages:
                cells.append(Cell(f"{r.passages:,}"))
            cells.append(Cell(n_percent(r.documents, doc_total)))
            if case_total:
                cells.append(Cell(n_percent(r.cases, case_total)))
        table.add(cells)
    what = "cases and documents" if case_total else "documents"
    w.table(f"Codings per code, and the {what} in which each code occurs: n (%)", table)
    notes = []
    if show_passages:
        notes.append(
            "Quotes counts passages: codings of one code that overlap by at least 80% of the "
            "longer one (two coders marking the same passage) are one quote."
        )
    if include_children:
        notes.append("A parent code's figures include its sub-codes' codings.")
    elif any(r.blank for r in rows):
        notes.append(
            "Parent codes count their own codings only; a blank row is a parent whose codings "
            "are all in its sub-codes."
        )
    if notes:
        w.note(" ".join(notes))


def coder_table(
    w: Writer,
    codes: Sequence[Code],
    rows: Sequence[Any],
    coder_names: dict[int, str],
    include_children: bool,
) -> None:
    """Codings per code and coder (only when more than one coder coded in scope)."""
    per = Counter((r.code_id, r.coder_id) for r in rows)
    coders = sorted({r.coder_id for r in rows}, key=lambda c: coder_names.get(c, "").casefold())
    if len(coders) < 2:
        return
    below = descendants(codes)
    own = Counter(r.code_id for r in rows)
    totals = Counter(r.coder_id for r in rows)
    w.heading("Codings per coder", 2)
    w.text(
        f"How many codings each of the {len(coders)} coders made with each code "
        f"({join_and([coder_names.get(c, '?') for c in coders])}).",
        keep_next=True,
    )
    shown = coders[:8]
    col = min(2.6, (w.width - 4.5) / len(shown))
    headers = ["Code"] + [f"{coder_names.get(c, '?')}, N = {totals[c]:,}" for c in shown]
    table = Table(headers, [w.width - col * len(shown)] + [col] * len(shown))
    for code in codes:
        kids = below.get(code.id, [])
        ids = [code.id, *kids] if include_children else [code.id]
        name = Cell(code.name, indent=twips(0.4 * code.depth))
        if not include_children and not own[code.id] and any(own[k] for k in kids):
            table.add([name] + [""] * len(shown))  # as in the summary: blank, never 0
            continue
        table.add([name] + [f"{sum(per[(i, c)] for i in ids):,}" for c in shown])
    more = f" (the first {len(shown)} of {len(coders)} coders)" if len(coders) > len(shown) else ""
    w.table(f"Codings per code and coder{more}", table)
    w.spacer()


def matrix_tables(w: Writer, matrix: Any) -> None:
    """Code × case: codings in each cell, N (the case's codings of all codes) per column;
    cases in tables of :data:`MATRIX_COLUMNS` columns."""
    w.heading("Codes by case", 2)
    units = matrix.units
    if not units or not matrix.codes:
        w.text("No case has a document in this selection.")
        return
    order = sorted(range(len(units)), key=lambda k: natural_key(units[k].name))
    totals = [sum(matrix.counts[r][k] for r in range(len(matrix.codes))) for k in range(len(units))]
    w.text(
        f"Codings of each code in each of the {count(len(units), 'case')}; N is the case's "
        "codings of all codes.",
        keep_next=True,
    )
    chunks = [order[i : i + MATRIX_COLUMNS] for i in range(0, len(order), MATRIX_COLUMNS)]
    col = min(2.6, (w.width - 4.0) / len(chunks[0]))
    for part, ks in enumerate(chunks, start=1):
        headers = ["Code"] + [f"{units[k].name}, N = {totals[k]:,}" for k in ks]
        table = Table(headers, [w.width - col * len(ks)] + [col] * len(ks))
        for r, row in enumerate(matrix.codes):
            depth = row.code.count("/")
            name = row.code.rsplit("/", 1)[-1]
            table.add(
                [Cell(name, indent=twips(0.4 * depth))] + [str(matrix.counts[r][k]) for k in ks]
            )
        title = "Codings per code and case"
        if len(chunks) > 1:
            title += f" (part {part} of {len(chunks)}: {units[ks[0]].name} to {units[ks[-1]].name})"
        w.table(title, table)
        w.spacer()


def crosstab_table(w: Writer, tab: Any, attribute: Any, codes: Sequence[Code]) -> None:
    """Code × attribute value: "n (p%)" of the cases (documents) with each value coded with the
    code; N per value in the column header; number and date values in ranges past eight."""
    unit = tab.unit
    w.heading(f"Codes by {attribute.name}", 2)
    group = grouping(tab.values, attribute.type)
    totals = merge_columns(tab.values, tab.column_totals, group)
    labels = [lab for lab in group.labels if totals.get(lab, 0)] or list(group.labels)
    ranges = any(group.label(v) != v for v in tab.values if v) and attribute.type in (
        "number",
        "date",
    )
    w.text(
        f"How many of the {unit}s with each {attribute.name} value were coded with each code: "
        f"n ({unit}s with that value and the code) and the per cent of the N {unit}s with that "
        "value" + (f"; the {attribute.name} values are grouped into ranges." if ranges else "."),
        keep_next=True,
    )
    if not tab.rows or not labels:
        w.text("There is nothing to cross-tabulate in this selection.")
        return
    shown = labels[:8]
    col = min(3.0, (w.width - 4.0) / len(shown))
    headers = ["Code"] + [f"{lab}, N = {totals[lab]:,}" for lab in shown]
    table = Table(headers, [w.width - col * len(shown)] + [col] * len(shown))
    depth = {c.id: c.depth for c in codes}
    for row in tab.rows:
        cells = merge_columns(tab.values, row.counts, group)
        name = row.code.rsplit("/", 1)[-1]
        table.add(
            [Cell(name, indent=twips(0.4 * depth.get(row.code_id, 0)))]
            + [n_percent(cells.get(lab, 0), totals[lab]) for lab in shown]
        )
    more = f" (the first {len(shown)} of {len(labels)} values)" if len(labels) > len(shown) else ""
    w.table(f"{unit.capitalize()}s coded with each code, by {attribute.name}{more}", table)
    w.spacer()


def case_table(
    w: Writer,
    cases: Sequence[tuple[str, list[str], dict[str, str]]],
    loose_documents: Sequence[str],
    attributes: Sequence[Any],
    not_analysed: Sequence[str],
) -> None:
    """The analysed cases with their documents and the chosen attributes; documents without a
    case; cases left out because none of their documents is in the selection."""
    from coder.core.export.report.quotes import display_value

    w.heading("Cases and documents analysed", 2)
    docs = sum(len(d) for _, d, _ in cases) + len(loose_documents)
    w.text(
        f"The {count(len(cases), 'case')} and {count(docs, 'document')} this report analyses.",
        keep_next=True,
    )
    n = len(attributes)
    col = min(2.8, (w.width - 6.5) / max(n, 1))
    headers = ["Case", "Documents"] + [a.name for a in attributes]
    widths = [3.0, w.width - 3.0 - col * n] + [col] * n
    table = Table(
        headers, widths, numeric=[2 + i for i, a in enumerate(attributes) if a.type == "number"]
    )
    for name, documents, values in cases:
        cells: list[str | Cell] = [name, join_and(documents)]
        table.add(cells + [display_value(values.get(a.name, ""), a.type) for a in attributes])
    if loose_documents:
        loose: list[str | Cell] = [Cell("(no case)", italic=True), join_and(list(loose_documents))]
        table.add(loose + [""] * n)
    w.table(
        "Cases and their documents"
        + (f", with {join_and([a.name for a in attributes])}" if attributes else ""),
        table,
    )
    if not_analysed:
        w.note(
            f"Not analysed ({n_of(len(not_analysed), len(not_analysed) + len(cases), 'case')}, "
            f"no document in this selection): {join_and(list(not_analysed))}."
        )
    else:
        w.spacer()
