from __future__ import annotations

import math
from collections import Counter
from itertools import pairwise

import krippendorff
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from coder.core.agreement import (
    AgreementResult,
    Counts2x2,
    DocumentUnits,
    UnitTally,
    alpha_from_counts2x2,
    alpha_from_value_patterns,
    character_agreement_counts,
    character_pattern_counts,
    cohen_kappa,
    disagreements,
    krippendorff_alpha_nominal,
    mean_pairwise_percent_agreement,
    percent_agreement,
    pool,
    result_from_tally,
    tally_code,
    units_from_spans,
)
from coder.core.errors import InvalidValue

# ---------------------------------------------------------------- helpers


def agreement_for_code(code, documents, codings, coders):
    """One code's agreement, as the project computes it (tally, then figures)."""
    return result_from_tally(code, tally_code(documents, codings, coders))


def brute_units(unit_spans, codings):
    return [any(cs < ue and us < ce for cs, ce in codings) for us, ue in unit_spans]


def brute_chars(length, spans_a, spans_b):
    def covered(spans):
        return {i for s, e in spans for i in range(max(s, 0), min(e, length))}

    a, b = covered(spans_a), covered(spans_b)
    both = len(a & b)
    return (both, len(a) - both, len(b) - both, length - len(a | b))


def library_alpha(units):
    """krippendorff package on units (rows = units), None = missing."""
    coders = max(len(u) for u in units)
    data = np.full((coders, len(units)), np.nan)
    for j, unit in enumerate(units):
        for i, value in enumerate(unit):
            if value is not None:
                data[i, j] = value
    return krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")


spans = st.lists(
    st.tuples(st.integers(0, 60), st.integers(0, 60)).map(lambda t: (min(t), max(t))),
    max_size=12,
)


@st.composite
def unit_spans_strategy(draw):
    cuts = sorted(set(draw(st.lists(st.integers(0, 60), max_size=15))))
    # consecutive cuts as units, some dropped to leave gaps
    units = [(a, b) for a, b in pairwise(cuts)]
    keep = draw(st.lists(st.booleans(), min_size=len(units), max_size=len(units)))
    return [u for u, k in zip(units, keep, strict=True) if k]


# ---------------------------------------------------------------- kappa


def test_kappa_wikipedia_first_example():
    table = Counts2x2(both=20, only_a=5, only_b=10, neither=15)
    assert table.n == 50
    assert percent_agreement(table) == pytest.approx(70.0)
    assert cohen_kappa(table) == pytest.approx(0.4)


def test_kappa_wikipedia_second_example():
    table = Counts2x2(both=45, only_a=15, only_b=25, neither=15)
    assert percent_agreement(table) == pytest.approx(60.0)
    assert cohen_kappa(table) == pytest.approx(0.1304, abs=1e-4)


def test_kappa_adds_chance_products():
    # Pe = 0.6*0.7 + 0.4*0.3 = 0.54 (multiplying would give 0.0504)
    table = Counts2x2(both=45, only_a=15, only_b=25, neither=15)
    po, pe = 0.6, 0.6 * 0.7 + 0.4 * 0.3
    assert cohen_kappa(table) == pytest.approx((po - pe) / (1 - pe))


def test_kappa_undefined_cases():
    assert cohen_kappa(Counts2x2()) is None
    assert percent_agreement(Counts2x2()) is None
    assert cohen_kappa(Counts2x2(both=7)) is None
    assert cohen_kappa(Counts2x2(neither=7)) is None
    # Pe < 1 but Po == Pe: kappa 0, not undefined
    assert cohen_kappa(Counts2x2(only_a=3, neither=3)) == 0.0


def test_kappa_perfect_and_opposite():
    assert cohen_kappa(Counts2x2(both=3, neither=4)) == pytest.approx(1.0)
    assert cohen_kappa(Counts2x2(only_a=5, only_b=5)) == pytest.approx(-1.0)


@given(st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, 10**6))
def test_kappa_bounded_or_none(a, b, c, d):
    table = Counts2x2(a, b, c, d)
    kappa = cohen_kappa(table)
    if kappa is not None:
        assert not math.isnan(kappa)
        assert -1.0 - 1e-12 <= kappa <= 1.0 + 1e-12
    percent = percent_agreement(table)
    if table.n:
        assert percent is not None and 0.0 <= percent <= 100.0
    else:
        assert percent is None and kappa is None


# ---------------------------------------------------------------- alpha

NA = None
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NA, NA, NA],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NA, 3],
    [NA, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NA],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NA],
]


def test_krippendorff_2011_nominal_example():
    units = [list(unit) for unit in zip(*KRIPPENDORFF_2011, strict=True)]
    alpha = krippendorff_alpha_nominal(units)
    assert alpha == pytest.approx(0.743, abs=5e-4)
    assert alpha == pytest.approx(library_alpha(units), abs=1e-12)


def test_krippendorff_example_as_patterns_and_strings():
    units = [tuple(unit) for unit in zip(*KRIPPENDORFF_2011, strict=True)]
    as_text = [tuple(None if v is None else f"v{v}" for v in unit) for unit in units]
    assert alpha_from_value_patterns(Counter(as_text)) == krippendorff_alpha_nominal(units)


def test_alpha_undefined_cases():
    assert krippendorff_alpha_nominal([]) is None
    assert krippendorff_alpha_nominal([[1, None], [None, 2]]) is None  # nothing pairable
    assert krippendorff_alpha_nominal([[1, 1], [1, 1, None]]) is None  # one category
    assert alpha_from_value_patterns({(1, 2): 0}) is None


def test_alpha_perfect_agreement():
    assert krippendorff_alpha_nominal([[1, 1], [2, 2], ["x", "x", None]]) == pytest.approx(1.0)


def test_alpha_from_counts_matches_unit_lists():
    table = Counts2x2(both=20, only_a=5, only_b=10, neither=15)
    units = [[1, 1]] * 20 + [[1, 0]] * 5 + [[0, 1]] * 10 + [[0, 0]] * 15
    assert alpha_from_counts2x2(table) == pytest.approx(krippendorff_alpha_nominal(units))
    assert alpha_from_counts2x2(table) == pytest.approx(library_alpha(units))


unit_lists = st.integers(2, 5).flatmap(
    lambda coders: st.lists(
        st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=coders, max_size=coders),
        min_size=1,
        max_size=25,
    )
)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@settings(max_examples=300, deadline=None)
@given(unit_lists)
def test_alpha_matches_krippendorff_package(units):
    ours = krippendorff_alpha_nominal(units)
    assert ours is None or not math.isnan(ours)
    try:
        theirs = library_alpha(units)
    except Exception:  # the package refuses degenerate data
        theirs = math.nan
    if ours is None:
        # undefined for us: the package has no meaningful value either
        assert math.isnan(theirs) or math.isinf(theirs)
        return
    assume(not math.isnan(theirs))
    assert ours == pytest.approx(theirs, abs=1e-9)


@given(unit_lists)
def test_alpha_never_raises_or_nan(units):
    alpha = krippendorff_alpha_nominal(units)
    assert alpha is None or (not math.isnan(alpha) and alpha <= 1.0 + 1e-12)


# ---------------------------------------------------------------- spans -> units


def test_units_from_spans_basic():
    units = [(0, 10), (10, 20), (20, 30), (40, 50)]
    assert units_from_spans(units, [(5, 12)]) == [True, True, False, False]
    assert units_from_spans(units, [(10, 20)]) == [False, True, False, False]
    assert units_from_spans(units, [(30, 40)]) == [False, False, False, False]
    assert units_from_spans(units, []) == [False] * 4
    assert units_from_spans([], [(0, 5)]) == []


@given(unit_spans_strategy(), spans)
def test_units_from_spans_matches_brute_force(units, codings):
    assert units_from_spans(units, codings) == brute_units(units, codings)


@given(unit_spans_strategy(), spans)
def test_covered_units_by_bisection_match_brute_force(units, codings):
    document = DocumentUnits(1, 60, units)
    flags = brute_units(units, codings)
    assert document.covered(codings) == {i for i, flag in enumerate(flags) if flag}


@given(unit_spans_strategy(), st.lists(spans, min_size=2, max_size=4))
def test_segment_tally_matches_per_unit_flags(units, per_coder):
    document = DocumentUnits(1, 60, units)
    names = [f"c{i}" for i in range(len(per_coder))]
    codings = {name: {1: coder} for name, coder in zip(names, per_coder, strict=True)}
    expected = Counter(zip(*(brute_units(units, coder) for coder in per_coder), strict=True))
    assert +Counter(tally_code([document], codings, names).patterns) == +expected


def test_units_out_of_order_fall_back_to_a_full_pass():
    units = [(0, 10), (2, 5), (20, 30)]  # overlapping: ends do not ascend
    document = DocumentUnits(1, 30, units)
    assert document.covered([(3, 4)]) is None
    tally = tally_code([document], {"a": {1: [(3, 4)]}, "b": {1: [(25, 26)]}}, ["a", "b"])
    assert tally.patterns == {(True, False): 2, (False, True): 1}


@given(st.integers(0, 60), spans, spans)
def test_character_counts_match_brute_force(length, spans_a, spans_b):
    counts = character_agreement_counts(length, spans_a, spans_b)
    assert (counts.both, counts.only_a, counts.only_b, counts.neither) == brute_chars(
        length, spans_a, spans_b
    )
    assert counts.n == length


@given(st.integers(0, 40), st.lists(spans, min_size=2, max_size=4))
def test_character_patterns_match_per_character(length, per_coder):
    expected = Counter(
        tuple(any(s <= i < e for s, e in coder) for coder in per_coder) for i in range(length)
    )
    got = character_pattern_counts(length, per_coder)
    assert +got == +expected


def test_large_inputs_give_exact_counts():
    """A million units and many codings: the counts are exact (speed is the benchmarks' job)."""
    n = 1_000_000
    units = [(i * 10, i * 10 + 10) for i in range(n)]
    codings = [(i * 10 + 3, i * 10 + 25) for i in range(0, n - 7, 7)]  # all inside the text
    flags = units_from_spans(units, codings)
    # each coding (3..25 within its block of 7 units) overlaps units 0, 1 and 2 of the block
    assert sum(flags) == 3 * len(codings)
    chars = character_agreement_counts(n * 10, codings, codings[::2])
    assert chars.n == n * 10
    assert chars.both == 22 * len(codings[::2])
    assert chars.only_a == 22 * (len(codings) - len(codings[::2]))
    assert chars.only_b == 0


# ---------------------------------------------------------------- per code


def test_agreement_for_code_segments_two_coders():
    docs = [DocumentUnits(1, 40, [(0, 10), (10, 20), (20, 30), (30, 40)])]
    codings = {"ann": {1: [(0, 5), (12, 14)]}, "bob": {1: [(2, 8), (35, 38)]}}
    result = agreement_for_code("Theme", docs, codings, ["ann", "bob"])
    # units: both, only ann, neither, only bob
    assert isinstance(result, AgreementResult)
    assert result.code == "Theme" and result.units == 4
    assert result.percent_agreement == pytest.approx(50.0)
    assert result.kappa == pytest.approx(cohen_kappa(Counts2x2(1, 1, 1, 1)))
    assert result.alpha == pytest.approx(library_alpha([[1, 1], [1, 0], [0, 0], [0, 1]]))


def test_agreement_for_code_character_unit():
    docs = [DocumentUnits(7, 100, None)]
    codings = {"a": {7: [(0, 50)]}, "b": {7: [(25, 75)]}}
    result = agreement_for_code("X", docs, codings, ["a", "b"])
    table = Counts2x2(both=25, only_a=25, only_b=25, neither=25)
    assert result.units == 100
    assert result.percent_agreement == pytest.approx(50.0)
    assert result.kappa == pytest.approx(cohen_kappa(table))
    assert result.alpha == pytest.approx(alpha_from_counts2x2(table))


def test_missing_coder_or_document_means_nothing_coded():
    docs = [DocumentUnits(1, 10, None), DocumentUnits(2, 10, None)]
    codings = {"a": {1: [(0, 10)]}}
    result = agreement_for_code("X", docs, codings, ["a", "b"])
    assert result.units == 20
    assert result.percent_agreement == pytest.approx(50.0)


def test_three_coders_mean_pairwise_and_no_kappa():
    docs = [DocumentUnits(1, 30, [(0, 10), (10, 20), (20, 30)])]
    codings = {
        "a": {1: [(0, 10), (10, 20)]},
        "b": {1: [(0, 10)]},
        "c": {1: [(0, 10), (20, 30)]},
    }
    result = agreement_for_code("X", docs, codings, ["a", "b", "c"])
    # unit patterns (a, b, c): TTT, TFF, FFT
    pairs = [(0, 1), (0, 2), (1, 2)]
    patterns = [(1, 1, 1), (1, 0, 0), (0, 0, 1)]
    expected = sum(p[i] == p[j] for p in patterns for i, j in pairs) / 9 * 100
    assert result.kappa is None
    assert result.percent_agreement == pytest.approx(expected)
    assert result.alpha == pytest.approx(library_alpha([list(p) for p in patterns]))


def test_mean_pairwise_equals_percent_for_two_coders():
    table = Counts2x2(both=20, only_a=5, only_b=10, neither=15)
    tally = UnitTally(2, table.as_patterns())
    assert mean_pairwise_percent_agreement(tally) == pytest.approx(percent_agreement(table))


def test_needs_two_distinct_coders():
    docs = [DocumentUnits(1, 10, None)]
    with pytest.raises(InvalidValue):
        agreement_for_code("X", docs, {}, ["a"])
    with pytest.raises(InvalidValue):
        agreement_for_code("X", docs, {}, ["a", "a"])


def test_no_units_gives_none_everywhere():
    result = agreement_for_code("X", [], {}, ["a", "b"])
    assert result == AgreementResult("X", 0, None, None, None)
    result = agreement_for_code("X", [DocumentUnits(1, 5, [])], {}, ["a", "b", "c"])
    assert result == AgreementResult("X", 0, None, None, None)


def test_nobody_coded_anything_is_full_agreement_but_undefined_chance_statistics():
    result = agreement_for_code("X", [DocumentUnits(1, 5, None)], {}, ["a", "b"])
    assert result.units == 5
    assert result.percent_agreement == 100.0
    assert result.kappa is None and result.alpha is None


def test_pooled_codes_give_the_overall_figures():
    docs = [
        DocumentUnits(1, 40, [(0, 10), (10, 20), (20, 30), (30, 40)]),
        DocumentUnits(2, 50, None),
    ]
    by_code = {
        "A": {"x": {1: [(0, 10)], 2: [(0, 20)]}, "y": {1: [(0, 20)], 2: [(10, 30)]}},
        "B": {"x": {1: [(30, 40)]}, "y": {2: [(40, 50)]}},
    }
    pooled = pool(tally_code(docs, c, ["x", "y"]) for c in by_code.values())
    overall = result_from_tally("(all codes)", pooled)
    assert overall.units == 2 * 54 == pooled.units
    table = Counts2x2.from_patterns(pooled.patterns)
    assert overall.kappa == pytest.approx(cohen_kappa(table))
    assert overall.percent_agreement == pytest.approx(percent_agreement(table))
    assert overall.alpha == pytest.approx(alpha_from_counts2x2(table))


def test_pool_refuses_mixed_coder_counts():
    with pytest.raises(ValueError):
        pool([UnitTally(2, {}), UnitTally(3, {})])


# ---------------------------------------------------------------- disagreements


def test_disagreements_segments_merge_consecutive_units():
    units = [(0, 10), (11, 20), (21, 30), (31, 40), (41, 50)]
    docs = [DocumentUnits(1, 50, units), DocumentUnits(2, 50, units)]
    codings = {"a": {1: [(0, 25)], 2: [(0, 50)]}, "b": {1: [(45, 50)], 2: [(0, 50)]}}
    assert disagreements(docs, codings, ["a", "b"]) == {1: [(0, 30), (41, 50)]}


def test_disagreements_characters():
    docs = [DocumentUnits(3, 100, None)]
    codings = {"a": {3: [(0, 50), (90, 95)]}, "b": {3: [(25, 75)]}, "c": {3: [(0, 60)]}}
    # differing: [0,25) a,c vs b; [25,50) all agree; [50,60) b,c; [60,75) b; [90,95) a
    assert disagreements(docs, codings, ["a", "b"]) == {3: [(0, 25), (50, 75), (90, 95)]}
    assert disagreements(docs, codings, ["a", "b", "c"]) == {3: [(0, 25), (50, 75), (90, 95)]}


@given(st.integers(0, 40), spans, spans)
def test_character_disagreements_cover_exactly_the_differing_characters(length, sa, sb):
    docs = [DocumentUnits(0, length, None)]
    runs = disagreements(docs, {"a": {0: sa}, "b": {0: sb}}, ["a", "b"]).get(0, [])
    covered = {i for s, e in runs for i in range(s, e)}

    def coded(spans, i):
        return any(s <= i < e for s, e in spans)

    expected = {i for i in range(length) if coded(sa, i) != coded(sb, i)}
    assert covered == expected
    assert all(runs[k][1] < runs[k + 1][0] for k in range(len(runs) - 1))  # maximal


# ---------------------------------------------------------------- missing coders


def test_coders_absent_from_a_document_are_missing_data():
    units = [(0, 10), (10, 20), (20, 30)]
    docs = [
        DocumentUnits(1, 30, units),  # everyone coded document 1
        DocumentUnits(2, 30, units, present=frozenset({"a", "b"})),  # c did not code document 2
    ]
    codings = {
        "a": {1: [(0, 10)], 2: [(0, 10), (20, 30)]},
        "b": {1: [(0, 10)], 2: [(0, 10)]},
        "c": {1: [(0, 20)]},
    }
    tally = tally_code(docs, codings, ["a", "b", "c"])
    assert tally.patterns == {
        (True, True, True): 1,
        (False, False, True): 1,
        (False, False, False): 1,
        (True, True, None): 1,
        (False, False, None): 1,
        (True, False, None): 1,
    }
    result = agreement_for_code("X", docs, codings, ["a", "b", "c"])
    rows = [[1, 1, 1], [0, 0, 1], [0, 0, 0], [1, 1, None], [0, 0, None], [1, 0, None]]
    assert result.alpha == pytest.approx(library_alpha(rows))
    # pairs compared: 3 per unit of document 1, 1 per unit of document 2 -> 12; agreeing:
    # 3 + 1 + 3 in document 1, 1 + 1 + 0 in document 2 -> 9
    assert result.percent_agreement == pytest.approx(100 * 9 / 12)
    assert result.units == 6 and result.kappa is None
    # the disagreement in document 2 is only between a and b
    assert disagreements(docs, codings, ["a", "b", "c"]) == {1: [(10, 20)], 2: [(20, 30)]}


def test_a_document_with_one_coder_present_gives_nothing_pairable():
    docs = [DocumentUnits(1, 10, None, present=frozenset({"a"}))]
    result = agreement_for_code("X", docs, {"a": {1: [(0, 5)]}}, ["a", "b"])
    assert result == AgreementResult("X", 0, None, None, None)
    assert disagreements(docs, {"a": {1: [(0, 5)]}}, ["a", "b"]) == {}


def test_two_coders_with_missing_units_use_the_complete_ones_for_kappa():
    tally = UnitTally(2, {(True, True): 3, (False, False): 3, (True, None): 4})
    result = result_from_tally("X", tally)
    assert result.percent_agreement == pytest.approx(100.0)
    assert result.kappa == pytest.approx(1.0)
    rows = [[1, 1]] * 3 + [[0, 0]] * 3 + [[1, None]] * 4
    assert result.alpha == pytest.approx(library_alpha(rows))
