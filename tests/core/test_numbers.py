"""Rounding of published figures: halves round up (APA), everywhere the same."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from coder.core.numbers import fixed, n_percent, percent, round_half_up


def test_halves_round_up():
    assert round_half_up(6.25) == 6.3
    assert fixed(6.25) == "6.3"
    assert fixed(0.3125, 3) == "0.313"
    assert fixed(0.0625, 3) == "0.063"
    assert fixed(2.675, 2) == "2.68"  # the decimal a person reads, not the binary value below it
    assert fixed(-0.125, 2) == "-0.13"  # away from zero
    assert fixed(12.35) == "12.4"
    assert fixed(5) == "5.0"


def test_undefined_and_minus_zero():
    assert fixed(None) == "undefined"
    assert fixed(None, 3, undefined="–") == "–"
    assert fixed(-0.0001, 2) == "0.00"


def test_percent_is_exact_before_rounding():
    assert percent(1, 16) == 6.3  # 6.25
    assert percent(7, 40) == 17.5
    assert percent(1, 3) == 33.3 and percent(2, 3) == 66.7
    assert percent(3, 0) == 0.0
    assert percent(1, 8, digits=0) == 13.0  # 12.5
    assert n_percent(21, 60) == "21 (35.0%)"
    assert n_percent(1, 16) == "1 (6.3%)"
    assert n_percent(0, 0) == "0 (–)"


@given(st.integers(0, 10_000), st.integers(1, 10_000), st.integers(0, 3))
def test_percent_matches_exact_decimal_arithmetic(part, whole, digits):
    exact = Decimal(100 * part) / Decimal(whole)
    expected = exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    # Decimal's default 28 digits decide every case except exact ties, which Fraction settles
    ratio = Fraction(100 * part, whole) * 10**digits
    if ratio.denominator == 2:
        expected = Decimal(int(ratio + Fraction(1, 2))).scaleb(-digits)
    assert percent(part, whole, digits) == float(expected)
    assert fixed(Fraction(100 * part, whole), digits) == f"{expected:.{digits}f}"


@given(st.decimals(-1000, 1000, places=4, allow_nan=False, allow_infinity=False), st.integers(0, 3))
def test_floats_round_as_their_decimal_form(value, digits):
    expected = value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    if expected == 0:
        expected = abs(expected)
    assert fixed(float(value), digits) == f"{expected:.{digits}f}"
