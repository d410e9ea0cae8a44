"""Plain text (.txt, .text, .md) in UTF-8, UTF-16/32 with a BOM, or a legacy code page."""

from __future__ import annotations

from pathlib import Path

from coder.core.importers import ImportedText
from coder.core.importers._common import decode_text


def read_txt(path: Path) -> ImportedText:
    """Read a plain text file, detecting its encoding."""
    return ImportedText(text=decode_text(path, path.read_bytes()), format="txt", turns=[])
