"""The agreement figures against published implementations and textbook examples.

Fleiss' kappa is checked against statsmodels, Brennan & Prediger's kappa and Fleiss' kappa with
missing data against irrCAC (Gwet's package), the unitizing alpha against the
``krippendorff-unitized-alpha`` package; the rest against direct counts.
"""

from __future__ import annotations

import math
import random
import warnings
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from fractions import Fraction
from itertools import combinations

import pytest

from coder.core import reliability
from coder.core.reliability import Pattern, Patterns
from coder.core.unitizing import Document, Span, unitized_alpha

Marks = Mapping[Hashable, Iterable[Span]]  # one coder's stretches, by value


def _units(rng: random.Random, coders: int, n: int, missing: bool = False) -> list[Pattern]:
    p = rng.random()
    units = []
    for _ in range(n):
        unit: list[bool | None] = [rng.random() < p for _ in range(coders)]
        if missing:
            gone = rng.sample(range(coders), rng.randint(0, coders - 2))
            unit = [None if i in gone else v for i, v in enumerate(unit)]
        units.append(tuple(unit))
    return units


def _patterns(units):
    return Counter(units)


# --------------------------------------------------------------------------- textbook


def test_two_coder_table_and_figures_by_hand():
    # a = 20 both, b = 5 first only, c = 10 second only, d = 65 neither
    patterns: Patterns = {(True, True): 20, (True, False): 5, (False, True): 10, (False, False): 65}
    assert reliability.agreement_table(patterns, 2) == {
        "both": 20,
        "first_only": 5,
        "second_only": 10,
        "neither": 65,
    }
    assert reliability.positive_agreement(patterns) == pytest.approx(100 * 40 / 55)
    assert reliability.percent_agreement_coded(patterns) == pytest.approx(100 * 20 / 35)
    # Po = 0.85, Brennan & Prediger: 2 Po - 1
    assert reliability.brennan_prediger(patterns) == pytest.approx(0.7)
    # Fleiss (Scott's pi for two coders): p = (25 + 30) / 200 = 0.275
    p = 0.275
    pe = p * p + (1 - p) ** 2
    assert reliability.fleiss_kappa(patterns) == pytest.approx((0.85 - pe) / (1 - pe))


def test_prevalence_paradox_shows_in_positive_agreement():
    """96% of units coded by nobody: percent agreement looks fine, positive agreement does not."""
    patterns: Patterns = {(True, True): 1, (True, False): 2, (False, True): 1, (False, False): 96}
    assert reliability.positive_agreement(patterns) == pytest.approx(40.0)
    assert reliability.percent_agreement_coded(patterns) == pytest.approx(25.0)


def test_undefined_figures_are_none():
    assert reliability.positive_agreement({(False, False): 10}) is None
    assert reliability.percent_agreement_coded({(False, False): 10}) is None
    assert reliability.fleiss_kappa({(False, False): 10}) is None  # no variation
    assert reliability.fleiss_kappa({}) is None
    assert reliability.brennan_prediger({}) is None
    assert reliability.brennan_prediger({(False, False): 10}) == 1.0


def test_three_coder_table():
    patterns: Patterns = {
        (True, True, True): 3,
        (True, None, True): 1,
        (True, False, False): 2,
        (False, False, False): 4,
        (None, None, True): 9,
    }
    assert reliability.agreement_table(patterns, 3) == {"all": 4, "some": 2, "none": 4}


# --------------------------------------------------------------------------- packages


@pytest.mark.parametrize("coders", [2, 3, 4])
def test_fleiss_kappa_matches_statsmodels(coders):
    from statsmodels.stats.inter_rater import fleiss_kappa

    rng = random.Random(coders)
    for _ in range(40):
        units = _units(rng, coders, rng.randint(2, 60))
        table = [[sum(1 for v in u if v), sum(1 for v in u if not v)] for u in units]
        ours = reliability.fleiss_kappa(_patterns(units))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = float(fleiss_kappa(table, method="fleiss"))
        if ours is None:
            assert (
                math.isnan(theirs)
                or all(sum(1 for v in u if v) == 0 for u in units)
                or all(sum(1 for v in u if not v) == 0 for u in units)
            )
        else:
            assert ours == pytest.approx(theirs, abs=1e-12)


def _irr(units, coders):
    import pandas as pd
    from irrCAC.raw import CAC

    frame = pd.DataFrame(
        [[None if v is None else int(v) for v in u] for u in units],
        columns=[f"c{i}" for i in range(coders)],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CAC(frame, categories=[0, 1], digits=15)


@pytest.mark.parametrize("coders", [2, 3, 4])
@pytest.mark.parametrize("missing", [False, True])
def test_brennan_prediger_and_fleiss_match_irrcac(coders, missing):
    rng = random.Random(10 * coders + missing)
    for _ in range(15):
        units = _units(rng, coders, rng.randint(3, 40), missing=missing)
        cac = _irr(units, coders)
        bp = cac.bp()["est"]["coefficient_value"]
        assert reliability.brennan_prediger(_patterns(units)) == pytest.approx(bp, abs=1e-12)
        ours = reliability.fleiss_kappa(_patterns(units))
        if ours is not None:
            fleiss = cac.fleiss()["est"]["coefficient_value"]
            assert ours == pytest.approx(fleiss, abs=1e-12)


# --------------------------------------------------------------------------- brute force


def _brute_positive(units):
    agree = possible = 0
    for u in units:
        present = [v for v in u if v is not None]
        if len(present) < 2:
            continue
        for i, a in enumerate(present):
            for j, b in enumerate(present):
                if i != j and a:
                    possible += 1
                    agree += bool(b)
    return None if not possible else 100 * agree / possible


def _brute_coded(units):
    agree = pairs = 0
    for u in units:
        present = [v for v in u if v is not None]
        if not any(present):
            continue
        for a, b in combinations(present, 2):
            pairs += 1
            agree += a == b
    return None if not pairs else 100 * agree / pairs


@pytest.mark.parametrize("coders", [2, 3, 4])
def test_positive_and_coded_agreement_against_pair_counts(coders):
    rng = random.Random(100 + coders)
    for _ in range(50):
        units = _units(rng, coders, rng.randint(0, 30), missing=rng.random() < 0.5)
        for ours, theirs in (
            (reliability.positive_agreement(_patterns(units)), _brute_positive(units)),
            (reliability.percent_agreement_coded(_patterns(units)), _brute_coded(units)),
        ):
            assert (ours is None) == (theirs is None)
            if ours is not None:
                assert ours == pytest.approx(theirs, abs=1e-9)


def test_segment_matching_pairs_each_segment_once():
    first = [(0, 10), (20, 30), (40, 50)]
    second = [(1, 10), (20, 31), (60, 70), (0, 8)]
    pairs, only_first, only_second = reliability.match_segments(first, second, Fraction(9, 10))
    assert pairs == [((0, 10), (1, 10)), ((20, 30), (20, 31))]
    assert only_first == [(40, 50)]
    assert only_second == [(60, 70), (0, 8)]
    assert reliability.overlap_share((0, 10), (5, 15)) == Fraction(5, 15)
    pairs, _, _ = reliability.match_segments([(0, 10)], [(5, 15)], Fraction(1, 3))
    assert pairs == [((0, 10), (5, 15))]


# --------------------------------------------------------------------------- unitizing


def test_unitized_alpha_by_hand():
    # identical marking: perfect agreement
    same: Marks = {"x": [(2, 5)]}
    assert unitized_alpha([(10, [same, same])]) == 1.0
    # nobody marked anything: no variation, undefined
    assert unitized_alpha([(10, [{}, {}])]) is None
    # L = 10; A marks [0, 5), B marks [0, 4). Coincidences (m - 1 = 1, both orders):
    # x-x 4+4, x-gap 1 (A's x on B's gap), gap-x 1, gap-gap 5+5.
    # Rows: l_x. = 9, l_gap. = 11, l.. = 20.
    # S_x = 25 + 16 = 41, S_gap = 5 + 6 = 11, S = 52; denominator 20 - 52/20 = 17.4.
    # e_xx = (81 - 41) / 17.4, e_gg = (121 - 11) / 17.4; D_o = 20 - 18 = 2.
    d_e = 20 - (40 + 110) / 17.4
    expected = 1 - 2 / d_e  # 0.8242...
    marked: list[Document] = [(10, [{"x": [(0, 5)]}, {"x": [(0, 4)]}])]
    ours = unitized_alpha(marked)
    assert ours == pytest.approx(expected, abs=1e-12)


def test_unitized_alpha_adds_documents_as_one_continuum():
    a: list[Document] = [
        (10, [{"x": [(0, 5)]}, {"x": [(0, 4)]}]),
        (8, [{"x": [(3, 8)]}, {"x": [(2, 8)]}]),
    ]
    joined: list[Document] = [(18, [{"x": [(0, 5), (13, 18)]}, {"x": [(0, 4), (12, 18)]}])]
    assert unitized_alpha(a) == pytest.approx(unitized_alpha(joined), abs=1e-15)


def test_unitized_alpha_matches_the_krippendorff_unitized_alpha_package():
    from krippendorff_unitized_alpha.krippendorffs_unitized_alpha import (
        EMPTY_TAG,
        KrippendorffUnitizedAlpha,
        Segment,
    )

    rng = random.Random(7)
    checked = 0
    for _ in range(150):
        length = rng.randint(5, 80)
        values = ["a", "b", "c"][: rng.randint(1, 3)]
        coders: list[Marks] = []
        for _ in range(rng.randint(2, 4)):
            marks: dict[Hashable, list[tuple[int, int]]] = {}
            for value in values:
                spans, reach = [], 0
                # the package expects one coder's stretches of one value not to overlap
                while reach < length - 1 and rng.random() < 0.7:
                    start = rng.randint(reach, length - 1)
                    end = rng.randint(start + 1, min(length, start + 20))
                    spans.append((start, end))
                    reach = end + 1
                marks[value] = spans
            coders.append(marks)
        data = {}
        for i, coder_marks in enumerate(coders):
            covered = sorted(s for spans in coder_marks.values() for s in spans)
            segments = [Segment(v, s, e) for v, spans in coder_marks.items() for s, e in spans]
            reach = 0
            for s, e in covered:
                if s > reach:
                    segments.append(Segment(EMPTY_TAG, reach, s))
                reach = max(reach, e)
            if reach < length:
                segments.append(Segment(EMPTY_TAG, reach, length))
            data[f"c{i}"] = segments
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = float(KrippendorffUnitizedAlpha(data).result)
        ours = unitized_alpha([(length, coders)])
        if ours is None:
            assert math.isnan(theirs) or math.isinf(theirs) or theirs == 1.0
            continue
        assert ours == pytest.approx(theirs, abs=1e-12)
        checked += 1
    assert checked > 100
