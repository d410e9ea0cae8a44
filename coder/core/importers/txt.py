"""Plain text (.txt, .text, .md) in UTF-8, UTF-16/32 with a BOM, or a legacy code page."""

from __future__ import annotations

from pathlib import Path

from coder.core.importers import ImportedText
from coder.core.importers._common import decode_text
from coder.core.limits import LIMITS, Limits


def read_txt(path: Path, limits: Limits = LIMITS) -> ImportedText:
    """Read a plain text file, detecting its encoding."""
    text, warnings = decode_text(path, path.read_bytes())
    return ImportedText(text=text, format="txt", turns=[], warnings=warnings)
