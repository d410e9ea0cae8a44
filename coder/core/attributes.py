"""Typed attribute values, and reading the CSV/XLSX tables they are imported from."""

from __future__ import annotations

import csv
import datetime as _dt
import io
import re
from pathlib import Path
from typing import Any

from coder.core.errors import ImportFailed, InvalidValue

MAX_TABLE_BYTES = 20 * 1024 * 1024
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


def read_table(path: Path) -> list[list[Any]]:
    """Rows of a CSV (any common encoding and delimiter) or XLSX file."""
    if not path.is_file():
        raise ImportFailed(f"{path}: no such file")
    if path.stat().st_size > MAX_TABLE_BYTES:
        raise ImportFailed(f"{path.name} is larger than {MAX_TABLE_BYTES // (1024 * 1024)} MB")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    raise ImportFailed(f"{path.name}: attributes are imported from .csv or .xlsx files")


def _read_csv(path: Path) -> list[list[Any]]:
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
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return [
            row for row in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in row)
        ]
    except csv.Error as e:
        raise ImportFailed(f"{path.name} is not a valid CSV file: {e}") from None


def _read_xlsx(path: Path) -> list[list[Any]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise ImportFailed(f"{path.name} is not a readable .xlsx file ({e})") from None
    except Exception as e:  # openpyxl raises assorted errors on damaged workbooks
        raise ImportFailed(
            f"{path.name} is not a readable .xlsx file ({type(e).__name__})"
        ) from None
    try:
        sheet = wb.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            cells = ["" if c is None else c for c in row]
            if any(str(c).strip() for c in cells):
                rows.append(cells)
        return rows
    except Exception as e:  # read-only workbooks parse lazily: damage shows up while reading
        raise ImportFailed(
            f"{path.name} is not a readable .xlsx file ({type(e).__name__})"
        ) from None
    finally:
        wb.close()
