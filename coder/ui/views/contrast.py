"""Highlights that never make text hard to read: WCAG contrast, and a wash bounded by it.

A coding's wash is painted translucently under the text, and overlapping codings stack. Each
wash is mixed towards the base's side (white on a light base, black on a dark one) until no
channel crosses the level at which a grey would give the text a contrast of 4.5:1. Every
stack of such washes over a base on the same side has all its channels on that side of the
level, and luminance grows with each channel, so any number of overlapping codings keeps the
text at 4.5:1 or more, in a light, dark or high-contrast palette.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtGui import QColor

MIN_CONTRAST = 4.5  # WCAG 2 level AA for body text


def _linear(channel: float) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(color: QColor) -> float:
    """WCAG relative luminance."""
    return (
        0.2126 * _linear(color.red())
        + 0.7152 * _linear(color.green())
        + 0.0722 * _linear(color.blue())
    )


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two opaque colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def over(top: QColor, bottom: QColor) -> QColor:
    """``top`` (with its alpha) painted over opaque ``bottom``."""
    a = top.alphaF()
    return QColor(
        round(top.red() * a + bottom.red() * (1 - a)),
        round(top.green() * a + bottom.green() * (1 - a)),
        round(top.blue() * a + bottom.blue() * (1 - a)),
    )


def grey_level(text: QColor, light_base: bool, ratio: float = MIN_CONTRAST) -> int:
    """On a light base, the darkest grey level that keeps ``text`` at ``ratio``; on a dark
    base, the lightest (0–255)."""
    return _grey_level(text.rgb(), light_base, ratio)


@lru_cache(maxsize=64)
def _grey_level(text_rgb: int, light_base: bool, ratio: float) -> int:
    # Every code's wash asks for the same text colour's level: searched once, not per code.
    text = QColor.fromRgb(text_rgb)
    levels = range(256) if light_base else range(255, -1, -1)
    for v in levels:
        if contrast(QColor(v, v, v), text) >= ratio:
            return v
    return 255 if light_base else 0


def safe_wash(color: QColor, text: QColor, light_base: bool, alpha: int) -> QColor:
    """``color`` mixed towards white (light base) or black (dark base) just enough that no
    channel crosses the text's 4.5:1 grey level; with ``alpha``."""
    level = grey_level(text, light_base)
    channels = (color.red(), color.green(), color.blue())
    if light_base:
        need = max(((level - c) / (255 - c) for c in channels if c < level), default=0.0)
        mixed = [c + (255 - c) * need for c in channels]
        mixed = [max(m, level) if c < level else m for c, m in zip(channels, mixed, strict=True)]
    else:
        need = max((1 - level / c for c in channels if c > level), default=0.0)
        mixed = [c * (1 - need) for c in channels]
        mixed = [min(m, level) if c > level else m for c, m in zip(channels, mixed, strict=True)]
    out = QColor(*(min(max(round(m), 0), 255) for m in mixed))
    out.setAlpha(alpha)
    return out
