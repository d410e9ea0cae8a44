"""Attribute values as the report's columns and sub-headings: text values as they are, numbers
and dates grouped into ranges when there are more than eight of them.

Ranges have round bounds ("30–39", "2015–2019", "2021 Q2") so that a reader can check which
cases fall where. Each unit (case or document) has one value, so the counts of the values in
a range add up to the range's count.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MAX_VALUES = 8  # more distinct number or date values than this are grouped into ranges
NO_VALUE = ""


@dataclass(frozen=True)
class Grouping:
    """Maps stored values to labels, in display order (``NO_VALUE`` last)."""

    labels: tuple[str, ...]
    of_value: dict[str, str]

    def label(self, value: str) -> str:
        return self.of_value.get(value, value)


def _nice_step(span: float, bins: int, integer: bool) -> float:
    raw = span / bins if span > 0 else 1.0
    exp = math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        step = m * 10**exp
        if step >= raw and (not integer or step == int(step)):
            return step
    return 10 ** (exp + 1)


def _fmt(x: float) -> str:
    return str(int(x)) if x == int(x) else f"{x:g}"


def _number_ranges(values: list[str]) -> dict[str, str]:
    nums = {v: float(v) for v in values}
    lo, hi = min(nums.values()), max(nums.values())
    integer = all(x == int(x) for x in nums.values())
    bins = MAX_VALUES
    while True:
        step = _nice_step(hi - lo, bins, integer)
        start = math.floor(lo / step) * step
        count = int((hi - start) // step) + 1
        if count <= MAX_VALUES:
            break
        bins -= 1
    out = {}
    for v, x in nums.items():
        k = min(int((x - start) // step), count - 1)
        a = start + k * step
        if integer:
            out[v] = f"{_fmt(a)}–{_fmt(a + step - 1)}" if step > 1 else _fmt(a)
        else:
            out[v] = f"{_fmt(a)} to < {_fmt(a + step)}"
    return out


def _date_ranges(values: list[str]) -> dict[str, str]:
    years = {v: int(v[:4]) for v in values}
    lo, hi = min(years.values()), max(years.values())
    if hi - lo + 1 <= MAX_VALUES and hi > lo:
        return {v: str(y) for v, y in years.items()}
    if hi == lo:
        months = {v: int(v[5:7]) for v in values}
        if len(set(months.values())) <= MAX_VALUES:
            names = [
                "Jan",
                "Feb",
                "Mar",
                "Apr",
                "May",
                "Jun",
                "Jul",
                "Aug",
                "Sep",
                "Oct",
                "Nov",
                "Dec",
            ]
            return {v: f"{names[m - 1]} {lo}" for v, m in months.items()}
        return {v: f"{lo} Q{(m - 1) // 3 + 1}" for v, m in months.items()}
    step = int(_nice_step(hi - lo + 1, 5, True))
    while (hi - (lo // step) * step) // step + 1 > MAX_VALUES:
        step *= 2
    out = {}
    for v, y in years.items():
        a = (y // step) * step
        out[v] = f"{a}–{a + step - 1}"
    return out


def _sort_key(value: str, type_: str) -> tuple:
    if value == NO_VALUE:
        return (2, 0, "")
    if type_ == "number":
        try:
            return (0, float(value), "")
        except ValueError:
            return (1, 0, value.casefold())
    return (0, 0, natural_key(value))


def natural_key(text: str) -> tuple:
    """Sorts "P2" before "P10"."""
    import re

    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in re.split(r"(\d+)", text)
        if part
    )


def grouping(values: Iterable[str], type_: str, no_value: str = "no value") -> Grouping:
    """How the stored ``values`` of an attribute of ``type_`` are shown: as they are, or as
    ranges when a number or date attribute has more than :data:`MAX_VALUES` values."""
    distinct = sorted(set(values), key=lambda v: _sort_key(v, type_))
    present = [v for v in distinct if v != NO_VALUE]
    of_value: dict[str, str] = {v: v for v in present}
    if len(present) > MAX_VALUES and type_ in ("number", "date"):
        try:
            of_value = _number_ranges(present) if type_ == "number" else _date_ranges(present)
        except (ValueError, IndexError):
            of_value = {v: v for v in present}
    if type_ == "boolean":
        of_value = {v: {"true": "yes", "false": "no"}.get(v, v) for v in present}
    labels = list(dict.fromkeys(of_value[v] for v in present))
    if NO_VALUE in distinct:
        of_value[NO_VALUE] = no_value
        labels.append(no_value)
    return Grouping(tuple(labels), of_value)


def merge_columns(values: Sequence[str], counts: Sequence[int], group: Grouping) -> dict[str, int]:
    """Counts per value added up per label (each unit has one value, so sums are exact)."""
    out = dict.fromkeys(group.labels, 0)
    for v, n in zip(values, counts, strict=False):
        out[group.label(v)] = out.get(group.label(v), 0) + n
    return out
