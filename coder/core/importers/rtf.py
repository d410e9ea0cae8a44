"""Rich Text Format (.rtf), via striprtf."""

from __future__ import annotations

from pathlib import Path

from coder.core.importers import ImportedText
from coder.core.importers._common import fail
from coder.core.limits import LIMITS, Limits


def read_rtf(path: Path, limits: Limits = LIMITS) -> ImportedText:
    """Read the text of an RTF file (formatting, pictures and font tables dropped)."""
    from striprtf.striprtf import rtf_to_text

    data = path.read_bytes()
    if not data.lstrip().startswith(b"{\\rtf"):
        raise fail(path, "not an RTF file (it does not start with '{\\rtf')")
    # RTF is 7-bit; 8-bit bytes are rare stray code page text, and latin-1 maps each to one char.
    source = data.decode("latin-1")
    try:
        text = rtf_to_text(source, encoding="cp1252", errors="replace")
    except Exception as exc:  # striprtf raises assorted errors on damaged files
        raise fail(path, f"the RTF file is damaged ({type(exc).__name__})") from None
    return ImportedText(text=text, format="rtf", turns=[])
