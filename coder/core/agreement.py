"""Inter-coder agreement: percent agreement, Cohen's kappa, Krippendorff's alpha.

Pure maths, no database: the caller supplies the units (segment spans per
document, or ``None`` for the character unit) and each coder's codings of one
code.  Every unit is binary per coder: "coded with this code" or not.

Offsets are code points, spans are ``(start, end)`` with ``end`` exclusive.
Percent agreement is in percent (0-100); kappa and alpha are fractions.
Nothing is rounded: callers round for display.  A statistic that is undefined
for the data (no units, no variation, ...) is ``None``, never NaN.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations, pairwise
from typing import TypeVar

from coder.core.errors import InvalidValue
from coder.core.text import union_spans

V = TypeVar("V", bound=Hashable)  # a unit's value as one coder coded it
Span = tuple[int, int]
Pattern = tuple[bool | None, ...]  # None: that coder did not code the unit's document
# codings[coder][doc_id] -> that coder's spans of one code in that document
Codings = Mapping[str, Mapping[int, Sequence[Span]]]

OVERALL = "(all codes)"


# --------------------------------------------------------------------------
# 2x2 tables, percent agreement, Cohen's kappa
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts2x2:
    """Units coded by both coders, only A, only B, or neither."""

    both: int = 0
    only_a: int = 0
    only_b: int = 0
    neither: int = 0

    @property
    def n(self) -> int:
        return self.both + self.only_a + self.only_b + self.neither

    def __add__(self, other: Counts2x2) -> Counts2x2:
        return Counts2x2(
            self.both + other.both,
            self.only_a + other.only_a,
            self.only_b + other.only_b,
            self.neither + other.neither,
        )

    def as_patterns(self) -> dict[Pattern, int]:
        """The table as unit patterns ``(coded_by_a, coded_by_b) -> count``."""
        return {
            (True, True): self.both,
            (True, False): self.only_a,
            (False, True): self.only_b,
            (False, False): self.neither,
        }

    @classmethod
    def from_patterns(cls, patterns: Mapping[Pattern, int]) -> Counts2x2:
        """Build the table from two-coder boolean patterns."""
        counts = {(True, True): 0, (True, False): 0, (False, True): 0, (False, False): 0}
        for pattern, count in patterns.items():
            if len(pattern) != 2:
                raise ValueError("a 2x2 table needs patterns of exactly two coders")
            counts[(bool(pattern[0]), bool(pattern[1]))] += count
        return cls(
            counts[(True, True)],
            counts[(True, False)],
            counts[(False, True)],
            counts[(False, False)],
        )


def percent_agreement(table: Counts2x2) -> float | None:
    """Share of units on which both coders agree, in percent; None if n == 0."""
    n = table.n
    if n == 0:
        return None
    return 100.0 * (table.both + table.neither) / n


def cohen_kappa(table: Counts2x2) -> float | None:
    """Cohen's kappa: (Po - Pe) / (1 - Pe).

    Po = (a + d) / n and Pe = p_yes_A * p_yes_B + p_no_A * p_no_B (the two
    chance products are added).  Computed in exact integers, so "Pe == 1"
    is tested exactly.  None when n == 0 or Pe == 1 (both coders constant
    and identical).
    """
    a, b, c, d = table.both, table.only_a, table.only_b, table.neither
    n = a + b + c + d
    if n == 0:
        return None
    # Scale everything by n^2: Po*n^2 = n(a+d), Pe*n^2 = expected.
    expected = (a + b) * (a + c) + (c + d) * (b + d)
    denominator = n * n - expected
    if denominator == 0:
        return None
    return (n * (a + d) - expected) / denominator


# --------------------------------------------------------------------------
# Krippendorff's alpha (nominal)
# --------------------------------------------------------------------------


def alpha_from_value_patterns(
    patterns: Mapping[tuple[V | None, ...], int],
) -> float | None:
    """Nominal Krippendorff's alpha from counts of identical units.

    ``patterns`` maps a tuple of values (one per coder, None = missing) to the
    number of units with exactly that tuple.  Units with fewer than two
    values are not pairable and are dropped.  alpha = 1 - (n - 1) *
    sum_{c!=k} o_ck / sum_{c!=k} n_c n_k, computed exactly.  None when there
    are no pairable values or only one value category occurs (D_e == 0).
    """
    marginals: Counter[Hashable] = Counter()
    # sum_{c != k} o_ck, grouped by m_u (values in the unit): the integer
    # numerators sum count * (m_u^2 - sum_c n_uc^2), divided by m_u - 1 later.
    disagreement_by_m: dict[int, int] = defaultdict(int)
    for pattern, count in patterns.items():
        if count <= 0:
            if count < 0:
                raise ValueError("pattern counts cannot be negative")
            continue
        values = Counter(v for v in pattern if v is not None)
        m = sum(values.values())
        if m < 2:
            continue
        same = 0
        for value, n_uc in values.items():
            marginals[value] += count * n_uc
            same += n_uc * n_uc
        disagreement_by_m[m] += count * (m * m - same)
    n = sum(marginals.values())
    expected = n * n - sum(n_c * n_c for n_c in marginals.values())
    if expected == 0:
        return None
    observed = sum(
        (Fraction(numerator, m - 1) for m, numerator in disagreement_by_m.items()),
        Fraction(0),
    )
    return float(1 - (n - 1) * observed / expected)


def krippendorff_alpha_nominal(units: Iterable[Sequence[Hashable | None]]) -> float | None:
    """Nominal alpha of units given as lists of values per coder (None = missing)."""
    return alpha_from_value_patterns(Counter(tuple(unit) for unit in units))


def alpha_from_counts2x2(table: Counts2x2) -> float | None:
    """Nominal alpha of two coders' binary decisions summarised in a 2x2 table."""
    return alpha_from_value_patterns(table.as_patterns())


# --------------------------------------------------------------------------
# From spans to units
# --------------------------------------------------------------------------


def units_from_spans(unit_spans: Sequence[Span], codings: Iterable[Span]) -> list[bool]:
    """For each unit, whether any coding overlaps it.

    Overlap: coding.start < unit.end and unit.start < coding.end.
    O((U + C) log C): codings sorted by start with a running maximum of ends,
    one bisection per unit.
    """
    ordered = sorted(codings)
    starts = [start for start, _ in ordered]
    max_end: list[int] = []
    running: int | None = None
    for _, end in ordered:
        running = end if running is None or end > running else running
        max_end.append(running)
    result: list[bool] = []
    append = result.append
    for unit_start, unit_end in unit_spans:
        k = bisect_left(starts, unit_end)  # codings[:k] start before the unit ends
        append(k > 0 and max_end[k - 1] > unit_start)
    return result


def character_segments(
    doc_length: int, spans_per_coder: Sequence[Iterable[Span]]
) -> list[tuple[int, int, Pattern]]:
    """Split ``[0, doc_length)`` into runs of characters with the same pattern.

    Returns ``(start, end, pattern)`` where ``pattern[i]`` tells whether coder
    ``i`` coded those characters.  Spans are clipped to the document; empty
    spans are ignored.  Sweep line, O(C log C + C * coders).
    """
    coders = len(spans_per_coder)
    events: list[tuple[int, int, int]] = []
    for i, spans in enumerate(spans_per_coder):
        for start, end in spans:
            start, end = max(start, 0), min(end, doc_length)
            if start < end:
                events.append((start, i, 1))
                events.append((end, i, -1))
    events.sort()
    cover = [0] * coders
    segments: list[tuple[int, int, Pattern]] = []
    previous = 0
    for position, coder, delta in events:
        if position > previous:
            segments.append((previous, position, tuple(c > 0 for c in cover)))
            previous = position
        cover[coder] += delta
    if doc_length > previous:
        segments.append((previous, doc_length, (False,) * coders))
    return segments


def character_pattern_counts(
    doc_length: int, spans_per_coder: Sequence[Iterable[Span]]
) -> Counter[Pattern]:
    """Number of characters per coder pattern (no list per character)."""
    counts: Counter[Pattern] = Counter()
    for start, end, pattern in character_segments(doc_length, spans_per_coder):
        counts[pattern] += end - start
    return counts


def character_agreement_counts(
    doc_length: int, spans_a: Iterable[Span], spans_b: Iterable[Span]
) -> Counts2x2:
    """Characters coded by both / only A / only B / neither, by sweep line."""
    return Counts2x2.from_patterns(character_pattern_counts(doc_length, [spans_a, spans_b]))


# --------------------------------------------------------------------------
# Per code, pooled, disagreements
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentUnits:
    """A document's units: segment spans, or None for the character unit."""

    doc_id: int
    length: int
    spans: Sequence[Span] | None = None
    # The coders who worked on this document; the others are missing data here (None: all).
    present: frozenset[str] | None = None
    # Starts and ends, when both ascend (paragraphs, turns): codings then find their units by
    # bisection instead of a pass over every unit.
    _starts: list[int] | None = field(default=None, init=False, repr=False, compare=False)
    _ends: list[int] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.spans is None:
            return
        starts = [s for s, _ in self.spans]
        ends = [e for _, e in self.spans]
        ascending = all(a <= b for a, b in pairwise(starts)) and all(
            a <= b for a, b in pairwise(ends)
        )
        if ascending:
            object.__setattr__(self, "_starts", starts)
            object.__setattr__(self, "_ends", ends)

    def covered(self, codings: Iterable[Span]) -> set[int] | None:
        """Indexes of the units that some coding overlaps (None: units not in ascending order)."""
        starts, ends = self._starts, self._ends
        if starts is None or ends is None:
            return None
        result: set[int] = set()
        for start, end in codings:
            first = bisect_right(ends, start)  # units ending after the coding starts
            last = bisect_left(starts, end)  # units starting before the coding ends
            if first < last:
                result.update(range(first, last))
        return result


@dataclass(frozen=True)
class UnitTally:
    """How many units show each coder pattern (``pattern[i]``: coder i coded it).

    Tallies of several codes add up (``pool``) to the overall figures: each
    (code, unit) pair is then one unit.
    """

    coders: int
    patterns: Mapping[Pattern, int] = field(default_factory=dict, hash=False)

    @property
    def units(self) -> int:
        return sum(self.patterns.values())

    def __add__(self, other: UnitTally) -> UnitTally:
        if self.coders != other.coders:
            raise ValueError("cannot pool tallies of different numbers of coders")
        total: Counter[Pattern] = Counter(self.patterns)
        total.update(other.patterns)
        return UnitTally(self.coders, dict(total))


@dataclass(frozen=True)
class AgreementResult:
    """Agreement figures for one code (or all codes pooled)."""

    code: str
    units: int
    percent_agreement: float | None
    kappa: float | None
    alpha: float | None


def _check_coders(coders: Sequence[str]) -> None:
    if len(coders) < 2:
        raise InvalidValue("Agreement needs at least two coders.")
    if len(set(coders)) != len(coders):
        raise InvalidValue("Each coder can be compared only once.")


def _document_patterns(
    document: DocumentUnits, codings: Codings, coders: Sequence[str]
) -> Counter[Pattern]:
    counts = _complete_patterns(document, codings, coders)
    present = document.present
    if present is None or all(coder in present for coder in coders):
        return counts
    missing = [coder not in present for coder in coders]
    if sum(not m for m in missing) < 2:
        return Counter()  # fewer than two coders here: nothing is pairable
    result: Counter[Pattern] = Counter()
    for pattern, count in counts.items():
        result[tuple(None if m else v for m, v in zip(missing, pattern, strict=True))] += count
    return result


def _complete_patterns(
    document: DocumentUnits, codings: Codings, coders: Sequence[str]
) -> Counter[Pattern]:
    spans = [codings.get(coder, {}).get(document.doc_id, ()) for coder in coders]
    if not any(spans):
        # nobody coded this code here: every unit is "not coded" by everyone
        units = document.length if document.spans is None else len(document.spans)
        return Counter({(False,) * len(coders): units} if units else {})
    if document.spans is None:
        return character_pattern_counts(document.length, spans)
    covered = [document.covered(coder_spans) for coder_spans in spans]
    if all(c is not None for c in covered):
        sets = [c for c in covered if c is not None]
        union: set[int] = set().union(*sets)
        counts: Counter[Pattern] = Counter(tuple(i in c for c in sets) for i in union)
        rest = len(document.spans) - len(union)
        if rest:
            counts[(False,) * len(coders)] += rest
        return counts
    columns = [units_from_spans(document.spans, coder_spans) for coder_spans in spans]
    return Counter(zip(*columns, strict=True))


def tally_code(
    documents: Iterable[DocumentUnits], codings: Codings, coders: Sequence[str]
) -> UnitTally:
    """Count unit patterns of one code over the documents.

    ``codings[coder][doc_id]`` holds that coder's spans of the code; a coder or
    document missing from the mapping means "coded nothing there".  Only the
    documents listed are counted, so the caller chooses which documents every
    coder has worked on.
    """
    _check_coders(coders)
    total: Counter[Pattern] = Counter()
    for document in documents:
        total.update(_document_patterns(document, codings, coders))
    return UnitTally(len(coders), dict(total))


def pool(tallies: Iterable[UnitTally]) -> UnitTally:
    """Sum tallies (of several codes) into one."""
    result: UnitTally | None = None
    for tally in tallies:
        result = tally if result is None else result + tally
    if result is None:
        raise ValueError("nothing to pool")
    return result


def mean_pairwise_percent_agreement(tally: UnitTally) -> float | None:
    """Mean over coder pairs of their percent agreement; None without units.

    With missing data (None in a pattern) it is the share of agreeing pairs among the pairs
    of coders who both coded a unit; with complete data the two are the same.
    """
    if tally.units == 0 or tally.coders < 2:
        return None
    pairs = list(combinations(range(tally.coders), 2))
    agreeing = compared = 0
    for pattern, count in tally.patterns.items():
        present = [(i, j) for i, j in pairs if pattern[i] is not None and pattern[j] is not None]
        compared += count * len(present)
        agreeing += count * sum(1 for i, j in present if pattern[i] == pattern[j])
    return 100.0 * agreeing / compared if compared else None


def result_from_tally(code: str, tally: UnitTally) -> AgreementResult:
    """Percent agreement, kappa and alpha of a tally.

    Two coders: percent agreement and Cohen's kappa of the 2x2 table.
    Three or more: percent agreement is the mean pairwise percent agreement
    and kappa is None.  Alpha (nominal) for any number of coders.
    """
    if tally.coders == 2:
        complete = {p: n for p, n in tally.patterns.items() if None not in p}
        table = Counts2x2.from_patterns(complete)
        percent, kappa = percent_agreement(table), cohen_kappa(table)
    else:
        percent, kappa = mean_pairwise_percent_agreement(tally), None
    return AgreementResult(
        code=code,
        units=tally.units,
        percent_agreement=percent,
        kappa=kappa,
        alpha=alpha_from_value_patterns(tally.patterns),
    )


def document_disagreements(
    document: DocumentUnits, codings: Codings, coders: Sequence[str]
) -> list[Span]:
    """Spans of one document where the coders differ, merged into maximal runs.

    Segment unit: consecutive disagreeing units form one run from the first
    unit's start to the last unit's end.  Character unit: touching runs of
    disagreeing characters are joined.  Coders missing from the document (see
    ``DocumentUnits.present``) are left out of the comparison.
    """
    _check_coders(coders)
    if document.present is not None:
        coders = [coder for coder in coders if coder in document.present]
        if len(coders) < 2:
            return []
    spans = [codings.get(coder, {}).get(document.doc_id, ()) for coder in coders]
    if document.spans is None:
        return union_spans(
            (start, end)
            for start, end, pattern in character_segments(document.length, spans)
            if any(pattern) and not all(pattern)
        )
    columns = [units_from_spans(document.spans, coder_spans) for coder_spans in spans]
    runs: list[Span] = []
    in_run = False
    for unit, pattern in zip(document.spans, zip(*columns, strict=True), strict=False):
        if any(pattern) and not all(pattern):
            if in_run:
                runs[-1] = (runs[-1][0], max(runs[-1][1], unit[1]))
            else:
                runs.append(unit)
                in_run = True
        else:
            in_run = False
    return runs


def disagreements(
    documents: Iterable[DocumentUnits], codings: Codings, coders: Sequence[str]
) -> dict[int, list[Span]]:
    """Per document id, the disagreeing passages of one code (documents without any left out)."""
    result: dict[int, list[Span]] = {}
    for document in documents:
        runs = document_disagreements(document, codings, coders)
        if runs:
            result[document.doc_id] = runs
    return result
