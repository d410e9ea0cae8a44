"""Krippendorff's alpha for unitizing (Krippendorff, Mathet, Bouvry & Widlöcher 2016).

Coders mark stretches of a continuum (here: the characters of a document) with values (codes);
what a coder left unmarked is a gap. The coefficient compares, for every ordered pair of coders,
the lengths of the intersections of their stretches (the observed coincidences ``l_ck``, divided
by m - 1), with what chance would give if the marked stretches, kept whole, were placed at random:

    e_ck = (l_c. * l_.k - [c == k] * S_c) / (l.. - S / l..)

where ``S_c`` adds the squared length of every stretch of value c (gaps add their plain length:
a gap is not a unit, any part of it can meet any part of another) and ``S`` is the sum of the
``S_c``. Then alpha = 1 - D_o / D_e with D_o = l.. - sum_c l_cc and D_e = l.. - sum_c e_cc.

Several documents are one continuum laid end to end (stretches never cross a document's end, so
coincidences and the ``S`` terms simply add up); each document counts the coders who worked on
it (a coder missing there adds nothing, m is the coders present).

Overlapping stretches of the same value by one coder are merged into one; stretches of different
values may overlap (a passage coded with two codes pairs each of its values with what the other
coders put there). Computed exactly; None when undefined (no coincidences, or D_e == 0).
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from fractions import Fraction

Span = tuple[int, int]
GAP = object()  # the value of unmarked text

# One document: its length, and for each coder who worked on it their spans per value.
Document = tuple[int, Sequence[Mapping[Hashable, Iterable[Span]]]]


def _merge(spans: Iterable[Span], length: int) -> list[Span]:
    out: list[list[int]] = []
    for start, end in sorted((max(s, 0), min(e, length)) for s, e in spans):
        if start >= end:
            continue
        if out and start < out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


def _gaps(spans: Iterable[Span], length: int) -> list[Span]:
    gaps, reach = [], 0
    for start, end in sorted(spans):
        if start > reach:
            gaps.append((reach, start))
        reach = max(reach, end)
    if reach < length:
        gaps.append((reach, length))
    return gaps


def _overlap(a: list[Span], b: list[Span]) -> int:
    """Characters two sorted lists of disjoint spans share."""
    total = i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            total += hi - lo
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


class _Totals:
    """Coincidence sums over documents: l_c. per value, the diagonal l_cc, and the S_c terms."""

    def __init__(self) -> None:
        self.row: dict[Hashable, Fraction] = defaultdict(Fraction)
        self.diagonal: dict[Hashable, Fraction] = defaultdict(Fraction)
        self.square: dict[Hashable, int] = defaultdict(int)

    def add(self, length: int, coders: Sequence[Mapping[Hashable, Iterable[Span]]]) -> None:
        m = len(coders)
        if m < 2 or length <= 0:
            return
        values = {v for c in coders for v in c}
        if len(values) <= 1:
            self._add_one_value(length, coders, next(iter(values), None))
            return
        events: dict[int, list[tuple[int, Hashable, int]]] = defaultdict(list)
        for i, by_value in enumerate(coders):
            marked: list[Span] = []
            for value, spans in by_value.items():
                merged = _merge(spans, length)
                marked += merged
                for start, end in merged:
                    self.square[value] += (end - start) ** 2
                    events[start].append((i, value, 1))
                    events[end].append((i, value, -1))
            for start, end in _gaps(_merge(marked, length), length):
                self.square[GAP] += end - start
                events[start].append((i, GAP, 1))
                events[end].append((i, GAP, -1))
        active: list[Counter[Hashable]] = [Counter() for _ in range(m)]
        row: Counter[Hashable] = Counter()
        diagonal: Counter[Hashable] = Counter()
        positions = sorted(events)
        for here, following in itertools.pairwise(positions):
            for i, value, delta in events[here]:
                active[i][value] += delta
                if not active[i][value]:
                    del active[i][value]
            run = following - here
            sizes = [len(a) for a in active]
            total = sum(sizes)
            having: Counter[Hashable] = Counter()
            with_size: Counter[Hashable] = Counter()
            for a, size in zip(active, sizes, strict=True):
                for value in a:
                    having[value] += 1
                    with_size[value] += size
            for value, n in having.items():
                row[value] += run * (n * total - with_size[value])
                diagonal[value] += run * (n * n - n)
        for value, amount in row.items():
            self.row[value] += Fraction(amount, m - 1)
        for value, amount in diagonal.items():
            self.diagonal[value] += Fraction(amount, m - 1)

    def _add_one_value(
        self, length: int, coders: Sequence[Mapping[Hashable, Iterable[Span]]], value: Hashable
    ) -> None:
        """The same sums for one value against the gaps, from pairwise overlaps only:
        l_v. = sum |S_i|, l_vv = sum_{i != j} |S_i & S_j| / (m - 1), and the gap terms follow."""
        m = len(coders)
        marked = [_merge(c.get(value, ()), length) if value is not None else [] for c in coders]
        sizes = [sum(e - s for s, e in spans) for spans in marked]
        shared = 0  # sum over ordered pairs i != j of |S_i & S_j|
        for i in range(m):
            for j in range(i + 1, m):
                shared += 2 * _overlap(marked[i], marked[j])
        total = sum(sizes)
        # gaps: |G_i & G_j| = L - |S_i| - |S_j| + |S_i & S_j|
        gap_shared = m * (m - 1) * length - 2 * (m - 1) * total + shared
        if value is not None:
            self.row[value] += total
            self.diagonal[value] += Fraction(shared, m - 1)
            self.square[value] += sum((e - s) ** 2 for spans in marked for s, e in spans)
        self.row[GAP] += m * length - total
        self.diagonal[GAP] += Fraction(gap_shared, m - 1)
        self.square[GAP] += m * length - total

    def alpha(self) -> float | None:
        total = sum(self.row.values(), Fraction(0))
        if total == 0:
            return None
        squares = sum(self.square.values())
        denominator = total - Fraction(squares) / total
        if denominator == 0:
            return None
        expected = sum(
            ((self.row[v] * self.row[v] - self.square[v]) / denominator for v in self.row),
            Fraction(0),
        )
        observed_disagreement = total - sum(self.diagonal.values(), Fraction(0))
        expected_disagreement = total - expected
        if expected_disagreement == 0:
            return None
        return float(1 - observed_disagreement / expected_disagreement)


def unitized_alpha(documents: Iterable[Document]) -> float | None:
    """Krippendorff's unitizing alpha over documents laid end to end.

    Each document is ``(length, coders)`` with, per coder present, ``{value: [(start, end)]}``
    (offsets into the document, end exclusive). With one value it is the agreement on where that
    value applies (a code against the uncoded text); with several, on where and which.
    """
    totals = _Totals()
    for length, coders in documents:
        totals.add(length, coders)
    return totals.alpha()


__all__ = ["GAP", "unitized_alpha"]
