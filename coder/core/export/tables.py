"""The quote table: one row per coding, as CSV (UTF-8 with a BOM, for Excel) or XLSX.

Columns: index, document, code (path), coder, speaker, start, end, case, one column per case
attribute and per document attribute, text, memo. Offsets are code points, end exclusive.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coder.core.errors import InvalidValue
from coder.core.export import Progress, atomic_path, check_progress
from coder.core.export.report.wordml import clean
from coder.core.query import Filters, Sources, codings_in_scope

if TYPE_CHECKING:
    from coder.core.project import Project

FIXED = ["index", "document", "code", "coder", "speaker", "start", "end", "case"]
EXCEL_CELL_LIMIT = 32767
# Spreadsheet programs run a cell starting with these as a formula ("CSV injection"; OWASP's
# list: =, +, -, @, tab and carriage return).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def quote_table(
    project: Project,
    filters: Filters | None = None,
    code_ids: Iterable[int] | None = None,
) -> tuple[list[str], int, Iterator[list[Any]]]:
    """``(headers, row count, rows)``; rows are generated lazily, in codebook order of codes
    and then document and position order."""
    sources = Sources(project)
    codes = project.codes()
    wanted = set(code_ids) if code_ids is not None else None
    order = {c.id: n for n, c in enumerate(codes)}
    paths = {c.id: c.path for c in codes}
    coders = dict(project.db.execute("SELECT id, name FROM coders"))
    rows = codings_in_scope(project, filters, wanted, sources)
    names = sources.document_names
    rows.sort(
        key=lambda r: (
            order.get(r.code_id, 0),
            names[r.document_id].casefold(),
            r.document_id,
            r.start,
        )
    )
    memos = dict(project.db.execute("SELECT id, memo FROM codings WHERE memo != ''"))
    case_attrs = [a.name for a in project.attributes("case")]
    doc_attrs = [a.name for a in project.attributes("document")]
    doc_headers = [f"{n} (document)" if n in case_attrs else n for n in doc_attrs]
    headers = FIXED + case_attrs + doc_headers + ["text", "memo"]

    def generate() -> Iterator[list[Any]]:
        for n, r in enumerate(rows, 1):
            case_ids = sources.case_ids(r.document_id, r.start, r.end)
            case = "; ".join(sources.case_names[c] for c in case_ids)
            values = []
            for a in case_attrs:
                vals = [sources.case_attributes(c).get(a, "") for c in case_ids]
                values.append("; ".join(v for v in vals if v != ""))
            dattrs = sources.document_attributes(r.document_id)
            values += [dattrs.get(a, "") for a in doc_attrs]
            text = sources.text(r.document_id)[r.start : r.end]
            yield [
                n, names[r.document_id], paths.get(r.code_id, ""), coders.get(r.coder_id, ""),
                sources.speaker(r.document_id, r.start, r.end), r.start, r.end, case,
                *values, text, memos.get(r.id, ""),
            ]  # fmt: skip

    return headers, len(rows), generate()


def _safe(value: Any) -> Any:
    """A CSV cell no spreadsheet runs: text that would start a formula gets a leading "'"."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_quote_table(
    project: Project,
    path: str | Path,
    filters: Filters | None = None,
    code_ids: Iterable[int] | None = None,
    progress: Progress | None = None,
) -> int:
    """Write the quote table as .csv or .xlsx (by the extension); returns the number of rows."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in (".csv", ".xlsx"):
        raise InvalidValue(f"{path.name}: a quote table is written as .csv or .xlsx")
    headers, total, rows = quote_table(project, filters, code_ids)
    with atomic_path(path) as tmp:
        if ext == ".csv":
            _write_csv(tmp, headers, total, rows, progress)
        else:
            _write_xlsx(tmp, headers, total, rows, progress)
    return total


def _write_csv(
    path: Path, headers: list[str], total: int, rows: Iterator[list[Any]], progress: Progress | None
) -> None:
    # utf-8-sig: the BOM makes Excel read UTF-8 instead of the local code page.
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow([_safe(h) for h in headers])
        for n, row in enumerate(rows, 1):
            w.writerow([_safe(v) for v in row])
            if n % 1000 == 0:
                check_progress(progress, n, total, "Writing rows")


def _write_xlsx(
    path: Path,
    headers: list[str],
    total: int,
    rows: Iterator[list[Any]],
    progress: Progress | None,
    sheet: str = "Quotes",
    text_column: str | None = "text",
) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.freeze_panes = "A2"
    text_col = headers.index(text_column) if text_column in headers else -1
    widths = {
        "index": 7,
        "document": 24,
        "code": 28,
        "coder": 12,
        "speaker": 14,
        "start": 9,
        "end": 9,
        "case": 16,
        "text": 80,
        "memo": 40,
    }
    for i, h in enumerate(headers, 1):
        ws.column_dimensions[get_column_letter(i)].width = (
            widths.get(h, 16) if text_col >= 0 else (36 if i == 1 else 14)
        )
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    head = []
    for h in headers:
        cell = _text_cell(WriteOnlyCell, ws, clean(h))
        cell.font = bold
        head.append(cell)
    ws.append(head)
    for n, row in enumerate(rows, 1):
        out = []
        for i, v in enumerate(row):
            if isinstance(v, str):
                v = clean(v)  # openpyxl refuses control characters
                if len(v) > EXCEL_CELL_LIMIT:
                    v = v[: EXCEL_CELL_LIMIT - 1] + "…"
            cell = _text_cell(WriteOnlyCell, ws, v)
            cell.alignment = wrap if i == text_col else top
            out.append(cell)
        ws.append(out)
        if n % 1000 == 0:
            check_progress(progress, n, total, "Writing rows")
    wb.save(path)


def _text_cell(make: Any, ws: Any, value: Any) -> Any:
    """An XLSX cell; text that would start a formula is stored as text with Excel's quote
    prefix, so it shows exactly as written and is never run, even after editing."""
    cell = make(ws, value=value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def write_table(path: str | Path, headers: list[str], rows: Iterable[list[Any]]) -> None:
    """Any table (an analysis result as shown) as .csv (UTF-8 with BOM) or .xlsx."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in (".csv", ".xlsx"):
        raise InvalidValue(f"{path.name}: tables are written as .csv or .xlsx")
    rows = list(rows)
    with atomic_path(path) as tmp:
        if ext == ".csv":
            _write_csv(tmp, headers, len(rows), iter(rows), None)
        else:
            _write_xlsx(tmp, headers, len(rows), iter(rows), None, sheet="Table", text_column=None)
