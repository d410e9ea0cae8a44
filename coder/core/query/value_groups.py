"""Number and date attributes grouped into ranges for a crosstab: equal-sized groups
(quantiles) or limits the user gives.

A unit (case or document) has one value, so the units of a range are the units of its values:
a grouped crosstab adds its value columns up (:func:`group_crosstab`). Values that are not
numbers (or dates) and units without a value keep columns of their own.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import replace
from itertools import accumulate

from coder.core.errors import InvalidValue
from coder.core.numbers import percent
from coder.core.query.frequencies import Crosstab, CrosstabRow

GROUPINGS = ("values", "quantiles", "ranges")


def _key(value: str, type_: str) -> float | None:
    """A value's position on the attribute's scale (None for one that is not on it)."""
    try:
        if type_ == "number":
            return float(value)
        if type_ == "date":
            return float(_dt.date.fromisoformat(value[:10]).toordinal())
    except ValueError:
        return None
    return None


def _fmt(value: str, type_: str) -> str:
    if type_ == "number":
        x = float(value)
        return str(int(x)) if x == int(x) else f"{x:g}"
    return value


def _span(values: list[str], type_: str) -> str:
    lo, hi = _fmt(values[0], type_), _fmt(values[-1], type_)
    return lo if lo == hi else f"{lo}–{hi}"


def quantile_groups(counts: dict[str, int], type_: str, n: int) -> dict[str, str]:
    """Split the values into ``n`` groups of about equal numbers of units (``counts``: units
    per value), in order; equal values always share a group. Labels give each group's
    smallest and largest value ("24–31")."""
    if n < 2:
        raise InvalidValue("quantile groups: ask for at least 2 groups")
    keyed = ((key, v) for v in counts if (key := _key(v, type_)) is not None)
    ordered = [v for _key_, v in sorted(keyed, key=lambda kv: kv[0])]
    total = sum(counts[v] for v in ordered)
    groups: list[list[str]] = [[] for _ in range(n)]
    for value, upto in zip(ordered, accumulate(counts[v] for v in ordered), strict=True):
        before = upto - counts[value]
        # The group holding the value's middle unit: ties never straddle a boundary.
        k = min(int((before + upto) / 2 * n / total), n - 1) if total else 0
        groups[k].append(value)
    return {v: _span(group, type_) for group in groups if group for v in group}


def range_groups(values: list[str], type_: str, limits: list[str]) -> dict[str, str]:
    """Group values by ``limits`` (ascending): below the first, from each limit up to the
    next, and from the last one on ("< 30", "30–39", "≥ 50" for whole numbers)."""
    keys = [_key(x, type_) for x in limits]
    if not limits or any(k is None for k in keys):
        what = "numbers" if type_ == "number" else "dates (YYYY-MM-DD)"
        raise InvalidValue(f"range limits must be {what}: {', '.join(limits) or 'none given'}")
    bounds = [float(k) for k in keys if k is not None]
    if bounds != sorted(set(bounds)):
        raise InvalidValue("range limits must go up: " + ", ".join(limits))
    whole = type_ == "number" and all(
        float(v) == int(float(v)) for v in [*values, *limits] if _key(v, type_) is not None
    )
    labels = [f"< {_fmt(limits[0], type_)}"]
    for a, b in zip(limits, limits[1:], strict=False):
        if whole:
            upper = _fmt(str(float(b) - 1), type_)
            labels.append(
                _fmt(a, type_) if upper == _fmt(a, type_) else f"{_fmt(a, type_)}–{upper}"
            )
        else:
            labels.append(f"{_fmt(a, type_)} to < {_fmt(b, type_)}")
    labels.append(f"≥ {_fmt(limits[-1], type_)}")
    out = {}
    for v in values:
        k = _key(v, type_)
        if k is not None:
            out[v] = labels[sum(1 for b in bounds if k >= b)]
    return out


def group_crosstab(tab: Crosstab, type_: str, of_value: dict[str, str]) -> Crosstab:
    """The crosstab with the values mapped by ``of_value`` added up into one column per group
    (in the order of the values); other values keep their own columns."""
    if type_ not in ("number", "date"):
        raise InvalidValue(
            f"'{tab.attribute}' holds {type_} values: only number and date attributes have ranges"
        )
    columns: dict[str, list[int]] = {}
    for i, v in enumerate(tab.values):
        columns.setdefault(of_value.get(v, v), []).append(i)

    def order(label: str) -> tuple[int, float, str]:
        keys = [k for i in columns[label] if (k := _key(tab.values[i], type_)) is not None]
        if keys:
            return (0, min(keys), "")
        return (2 if label == "" else 1, 0.0, label.casefold())

    labels = sorted(columns, key=order)
    totals = [sum(tab.column_totals[i] for i in columns[c]) for c in labels]
    rows = []
    for r in tab.rows:
        counts = tuple(sum(r.counts[i] for i in columns[c]) for c in labels)
        rows.append(
            CrosstabRow(
                r.code_id, r.code, counts, r.total,
                tuple(percent(n, r.total) for n in counts),
                tuple(percent(n, t) for n, t in zip(counts, totals, strict=True)),
                r.included,
            )
        )  # fmt: skip

    def scale(value: str) -> tuple[int, float, str]:
        key = _key(value, type_)
        return (0, key, "") if key is not None else (1, 0.0, value)

    members = tuple(tuple(sorted((tab.values[i] for i in columns[c]), key=scale)) for c in labels)
    return replace(tab, values=labels, column_totals=totals, rows=rows, members=members)


def grouped(
    tab: Crosstab, type_: str, grouping: str = "values", n: int = 4, limits: Sequence[str] = ()
) -> Crosstab:
    """``tab`` with its values as they are (``"values"``: numbers and dates in their order on
    the scale), in ``n`` quantile groups, or in the ranges between ``limits``."""
    if grouping == "values":
        if type_ not in ("number", "date"):
            return tab
        return group_crosstab(tab, type_, {})
    if grouping == "quantiles":
        counts = dict(zip(tab.values, tab.column_totals, strict=True))
        return group_crosstab(tab, type_, quantile_groups(counts, type_, n))
    if grouping == "ranges":
        return group_crosstab(tab, type_, range_groups(tab.values, type_, list(limits)))
    raise InvalidValue(f"grouping is one of {', '.join(GROUPINGS)}, not '{grouping}'")
