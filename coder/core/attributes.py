"""Typed attribute values, and reading the CSV/XLSX tables they are imported from."""

from __future__ import annotations

import csv
import datetime as _dt
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from coder.core.errors import ImportFailed, InvalidValue
from coder.core.limits import (
    LIMITS,
    LimitExceeded,
    Limits,
    count_text,
    file_too_big,
    open_zip,
    over_limit,
)

# The most rows a worksheet has (Excel, LibreOffice): counting stops a sheet that claims more.
_SHEET_ROWS = 1_048_576
_TRUE = {"yes", "true", "y", "1", "ja", "oui", "sí", "si"}
_FALSE = {"no", "false", "n", "0", "nein", "non"}
_NUMBER_RE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def _as_number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    text = str(value).strip()
    if not _NUMBER_RE.match(text):
        return None
    number = float(text.replace(",", "."))
    return int(number) if number.is_integer() and "." not in text and "," not in text else number


def _as_date(value: Any) -> str | None:
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d"):
        try:
            return _dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def canonical_value(value: Any, type_: str, name: str = "") -> str:
    """The stored text of a value: numbers plain, dates ISO 8601, yes/no as true/false."""
    label = f" for '{name}'" if name else ""
    if type_ == "number":
        number = _as_number(value)
        if number is None:
            raise InvalidValue(f"'{value}' is not a number{label}")
        return repr(number) if isinstance(number, float) else str(number)
    if type_ == "date":
        date = _as_date(value)
        if date is None:
            raise InvalidValue(f"'{value}' is not a date (use YYYY-MM-DD){label}")
        return date
    if type_ == "boolean":
        flag = _as_bool(value)
        if flag is None:
            raise InvalidValue(f"'{value}' is not yes or no{label}")
        return "true" if flag else "false"
    return str(value).strip()


def infer_type(values: list[Any]) -> str:
    """The narrowest type every non-empty value of a column fits: number, date, yes/no, text."""
    present = [v for v in values if v is not None and str(v).strip() != ""]
    if not present:
        return "text"
    if all(_as_number(v) is not None for v in present):
        # 0/1 columns read better as numbers than as yes/no
        return "number"
    if all(_as_date(v) is not None for v in present):
        return "date"
    if all(_as_bool(v) is not None for v in present):
        return "boolean"
    return "text"


def read_table(path: Path, limits: Limits = LIMITS) -> list[list[Any]]:
    """Rows of a CSV (any common encoding and delimiter) or XLSX file, empty rows left out.

    Stops at the first of `limits` the table exceeds (file size, what an .xlsx unpacks to,
    columns, cells) with a one-line ImportFailed.
    """
    if not path.is_file():
        raise ImportFailed(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        raise ImportFailed(f"{path.name}: attributes are imported from .csv or .xlsx files")
    try:
        size = path.stat().st_size
        if size > limits.file_bytes:
            raise file_too_big(size, limits)
        rows = _read_csv(path) if suffix == ".csv" else _read_xlsx(path, limits)
        return _within_limits(rows, limits)
    except LimitExceeded as e:
        raise ImportFailed(f"Cannot import attributes from '{path.name}': {e}") from None


def _within_limits(rows: Iterator[list[Any]], limits: Limits) -> list[list[Any]]:
    """The non-empty rows, refusing a table wider than `limits.columns` or over
    `limits.cells` cells as soon as it shows."""
    out: list[list[Any]] = []
    cells = 0
    for row in rows:
        width = len(row)
        while width and str(row[width - 1]).strip() == "":
            width -= 1  # trailing empty cells are padding (formatting), not columns
        if not width:
            continue
        if width > limits.columns:
            raise LimitExceeded(
                f"it has {count_text(width)} columns, over the limit of "
                f"{count_text(limits.columns)}"
            )
        if out:  # the header keeps its empty names (import_table says what is wrong)
            del row[width:]
        cells += width
        if cells > limits.cells:
            raise LimitExceeded(
                f"it has more than {count_text(limits.cells)} cells, the limit for one table"
            )
        out.append(row)
    return out


def _read_csv(path: Path) -> Iterator[list[Any]]:
    from charset_normalizer import from_bytes

    raw = path.read_bytes()
    if b"\x00" in raw and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFailed(f"{path.name} is not a text (CSV) file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(raw).best()
        if best is None:
            raise ImportFailed(f"{path.name}: cannot tell the text encoding") from None
        text = str(best).lstrip("\ufeff")
    del raw
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            yield list(row)
    except csv.Error as e:
        raise ImportFailed(f"{path.name} is not a valid CSV file: {e}") from None


def _read_xlsx(path: Path, limits: Limits) -> Iterator[list[Any]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        with open_zip(path, limits) as archive:
            for info in archive.infolist():  # openpyxl reads members whole: check them first
                if info.file_size > limits.unpacked_bytes:
                    raise LimitExceeded(
                        f"its part {info.filename} unpacks to "
                        + over_limit(info.file_size, limits.unpacked_bytes)
                    )
        wb = load_workbook(path, read_only=True, data_only=True)
    except LimitExceeded:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise ImportFailed(f"{path.name} is not a readable .xlsx file ({e})") from None
    except Exception as e:  # openpyxl raises assorted errors on damaged workbooks
        raise ImportFailed(
            f"{path.name} is not a readable .xlsx file ({type(e).__name__})"
        ) from None
    try:
        sheet = wb.worksheets[0]
        # The declared dimension may claim every cell of the sheet: read the cells present.
        sheet.reset_dimensions()
        for n, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if n > _SHEET_ROWS:  # a row numbered far out: openpyxl yields every row before it
                raise LimitExceeded(
                    f"it has rows past row {count_text(_SHEET_ROWS)}, more than a spreadsheet holds"
                )
            yield ["" if c is None else c for c in row]
    except (LimitExceeded, GeneratorExit):
        raise
    except Exception as e:  # read-only workbooks parse lazily: damage shows up while reading
        raise ImportFailed(
            f"{path.name} is not a readable .xlsx file ({type(e).__name__})"
        ) from None
    finally:
        wb.close()
