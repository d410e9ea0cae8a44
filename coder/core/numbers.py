"""Rounding and formatting of the figures researchers publish.

One rule everywhere (command line, window, report): halves round up, away from zero, as APA
style asks: 6.25 -> 6.3, 0.3125 -> 0.313, -0.125 -> -0.13. Python's ``round`` and ``format``
round halves to even and work on the binary value (``f"{6.25:.1f}"`` is ``"6.2"``), so every
figure shown to a person goes through :func:`round_half_up` or :func:`fixed`.

A float is taken at its shortest decimal form (``repr``), the number a person would type:
``0.3125`` is exactly 0.3125 and ``2.675`` is 2.675, not the binary value just below it.
Exact ratios can be given as :class:`fractions.Fraction` (``percent`` does).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

Number = int | float | Fraction | Decimal

UNDEFINED = "undefined"


def _decimal(value: Number) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(repr(float(value)))


def _rounded(value: Number, digits: int) -> Decimal:
    if isinstance(value, Fraction):
        scaled = value * 10**digits
        whole, rest = divmod(abs(scaled), 1)
        units = int(whole) + (1 if rest >= Fraction(1, 2) else 0)
        return Decimal(units if scaled >= 0 else -units).scaleb(-digits)
    return _decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def round_half_up(value: Number, digits: int = 1) -> float:
    """``value`` rounded to ``digits`` decimals, halves away from zero (6.25 -> 6.3)."""
    return float(_rounded(value, digits))


def fixed(value: Number | None, digits: int = 1, undefined: str = UNDEFINED) -> str:
    """``value`` with exactly ``digits`` decimals, halves up; ``undefined`` for None.

    ``fixed(6.25)`` is ``"6.3"``, ``fixed(0.3125, 3)`` is ``"0.313"``, ``fixed(5, 1)`` ``"5.0"``.
    Minus zero is written as zero.
    """
    if value is None:
        return undefined
    result = _rounded(value, digits)
    if result == 0:
        result = abs(result)
    return f"{result:.{digits}f}"


def percent(part: int, whole: int, digits: int = 1) -> float:
    """``part`` of ``whole`` in percent, rounded half up (0.0 when ``whole`` is 0)."""
    if not whole:
        return 0.0
    return round_half_up(Fraction(100 * part, whole), digits)


def n_percent(part: int, whole: int, digits: int = 1) -> str:
    """The "n (p%)" cell of a published table: ``n_percent(21, 60)`` is ``"21 (35.0%)"``;
    with no ``whole`` the percentage is a dash."""
    if not whole:
        return f"{part} (–)"
    return f"{part} ({fixed(Fraction(100 * part, whole), digits)}%)"


__all__ = ["UNDEFINED", "fixed", "n_percent", "percent", "round_half_up"]
