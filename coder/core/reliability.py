"""More agreement figures from unit tallies: the agreement table, positive (specific) agreement,
agreement among the units someone coded, Fleiss' kappa and Brennan & Prediger's free-marginal
kappa.

Every figure works on a tally of unit patterns (:class:`coder.core.agreement.UnitTally`): for each
unit, a tuple with one entry per coder, True (coded with the code), False (not coded) or None (that
coder did not work on the unit's document: missing data). Units with fewer than two coders present
never reach a tally. Figures are computed exactly (integers and fractions) and returned unrounded
as floats; an undefined figure is None. Percentages are 0-100, kappas are fractions.

Sources:

- positive (specific) agreement: Fleiss (1975), Cicchetti & Feinstein (1990); for more than two
  coders the pairwise generalisation sum_u n_u (n_u - 1) / sum_u n_u (m_u - 1), n_u coders who
  coded unit u of the m_u present (Uebersax 1982). Two coders: 2a / (2a + b + c).
- Fleiss' kappa: Fleiss (1971); with missing data Gwet's generalisation (Gwet 2014, ch. 2):
  observed agreement over units with two or more coders, chance agreement from the mean of each
  unit's shares. With complete data it is Fleiss' statistic exactly.
- Brennan & Prediger (1981): the same observed agreement, chance agreement 1/q with q = 2
  categories (coded, not coded): kappa = 2 Po - 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from itertools import combinations
from statistics import fmean

Pattern = tuple[bool | None, ...]
Patterns = Mapping[Pattern, int]

CATEGORIES = 2  # a unit is coded with the code or not


def _counts(pattern: Pattern) -> tuple[int, int]:
    """(coders present, coders who coded the unit)."""
    present = [v for v in pattern if v is not None]
    return len(present), sum(1 for v in present if v)


def agreement_table(patterns: Patterns, coders: int) -> dict[str, int]:
    """The agreement table.

    Two coders: ``{"both", "first_only", "second_only", "neither"}`` over the units both coders
    worked on. More coders: ``{"all", "some", "none"}``: units coded by every coder present, by
    some but not all, by none.
    """
    if coders == 2:
        table = {"both": 0, "first_only": 0, "second_only": 0, "neither": 0}
        keys = {
            (True, True): "both",
            (True, False): "first_only",
            (False, True): "second_only",
            (False, False): "neither",
        }
        for pattern, count in patterns.items():
            key = keys.get((pattern[0], pattern[1]))  # type: ignore[arg-type]
            if key is not None:
                table[key] += count
        return table
    table = {"all": 0, "some": 0, "none": 0}
    for pattern, count in patterns.items():
        present, coded = _counts(pattern)
        if present < 2:
            continue
        key = "none" if coded == 0 else "all" if coded == present else "some"
        table[key] += count
    return table


def positive_agreement(patterns: Patterns) -> float | None:
    """Specific positive agreement in percent: 2a / (2a + b + c) for two coders; in general
    sum n_u (n_u - 1) / sum n_u (m_u - 1). None when nobody coded any unit."""
    agreeing = possible = 0
    for pattern, count in patterns.items():
        present, coded = _counts(pattern)
        if present < 2:
            continue
        agreeing += count * coded * (coded - 1)
        possible += count * coded * (present - 1)
    return float(Fraction(100 * agreeing, possible)) if possible else None


def _pairs(pattern: Pattern) -> tuple[int, int]:
    """(agreeing pairs, pairs) of the coders present."""
    present = [v for v in pattern if v is not None]
    pairs = agreeing = 0
    for a, b in combinations(present, 2):
        pairs += 1
        agreeing += a == b
    return agreeing, pairs


def percent_agreement_coded(patterns: Patterns) -> float | None:
    """Percent agreement among the units at least one coder coded (a / (a + b + c) for two
    coders; for more, the share of agreeing coder pairs over those units). None if there are
    none."""
    agreeing = pairs = 0
    for pattern, count in patterns.items():
        if not any(pattern):
            continue
        a, p = _pairs(pattern)
        agreeing += count * a
        pairs += count * p
    return float(Fraction(100 * agreeing, pairs)) if pairs else None


def _observed(patterns: Patterns) -> Fraction | None:
    """Mean over units (two or more coders present) of the share of agreeing coder pairs."""
    total = Fraction(0)
    units = 0
    for pattern, count in patterns.items():
        present, coded = _counts(pattern)
        if present < 2 or count <= 0:
            continue
        same = coded * (coded - 1) + (present - coded) * (present - coded - 1)
        total += count * Fraction(same, present * (present - 1))
        units += count
    return total / units if units else None


def fleiss_kappa(patterns: Patterns) -> float | None:
    """Fleiss' kappa (two categories: coded or not), any number of coders, missing data allowed
    (Gwet's generalisation). None without units or when chance agreement is 1 (no variation)."""
    observed = _observed(patterns)
    if observed is None:
        return None
    units = 0
    share_coded = Fraction(0)
    for pattern, count in patterns.items():
        present, coded = _counts(pattern)
        if present == 0 or count <= 0:
            continue
        units += count
        share_coded += count * Fraction(coded, present)
    p = share_coded / units
    chance = p * p + (1 - p) * (1 - p)
    if chance == 1:
        return None
    return float((observed - chance) / (1 - chance))


def brennan_prediger(patterns: Patterns) -> float | None:
    """Brennan & Prediger's free-marginal kappa: (Po - 1/q) / (1 - 1/q), q = 2. None without
    units."""
    observed = _observed(patterns)
    if observed is None:
        return None
    chance = Fraction(1, CATEGORIES)
    return float((observed - chance) / (1 - chance))


def mean_of(values: list[float | None]) -> float | None:
    """The mean of the defined values (None when none is defined): the "mean" pooling."""
    defined = [v for v in values if v is not None]
    return fmean(defined) if defined else None


# --------------------------------------------------------------------------- coded segments


def overlap_share(a: tuple[int, int], b: tuple[int, int]) -> Fraction:
    """The intersection of two passages as a share of their union (0 when they do not meet)."""
    inter = min(a[1], b[1]) - max(a[0], b[0])
    if inter <= 0:
        return Fraction(0)
    return Fraction(inter, max(a[1], b[1]) - min(a[0], b[0]))


def match_segments(
    first: list[tuple[int, int]], second: list[tuple[int, int]], min_overlap: Fraction
) -> tuple[
    list[tuple[tuple[int, int], tuple[int, int]]], list[tuple[int, int]], list[tuple[int, int]]
]:
    """Pair each coded segment of one coder with at most one of the other's (same code, same
    document) that overlaps it by at least ``min_overlap`` of their union; the pairs with the
    largest overlap are made first (then the earliest). Returns (pairs, first's unmatched,
    second's unmatched)."""
    candidates = sorted(
        (
            (-share, a, b, i, j)
            for i, a in enumerate(first)
            for j, b in enumerate(second)
            if (share := overlap_share(a, b)) >= min_overlap and share > 0
        ),
    )
    used_first: set[int] = set()
    used_second: set[int] = set()
    pairs = []
    for _share, a, b, i, j in candidates:
        if i in used_first or j in used_second:
            continue
        used_first.add(i)
        used_second.add(j)
        pairs.append((a, b))
    pairs.sort()
    return (
        pairs,
        [a for i, a in enumerate(first) if i not in used_first],
        [b for j, b in enumerate(second) if j not in used_second],
    )


__all__ = [
    "agreement_table",
    "brennan_prediger",
    "fleiss_kappa",
    "match_segments",
    "mean_of",
    "overlap_share",
    "percent_agreement_coded",
    "positive_agreement",
]
