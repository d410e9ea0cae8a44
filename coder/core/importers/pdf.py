"""PDF (.pdf): the text layer, via pypdf. Scanned PDFs need OCR first."""

from __future__ import annotations

import logging
from pathlib import Path

from coder.core.importers import ImportedText
from coder.core.importers._common import fail


def read_pdf(path: Path) -> ImportedText:
    """Read the text layer of a PDF, page by page."""
    from pypdf import PdfReader

    # pypdf logs its repairs of damaged files; a person gets our one-line message instead.
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    locked = False
    pages: list[str] = []
    try:
        reader = PdfReader(path)
        # Many PDFs are "encrypted" with an empty user password only to set permissions.
        locked = reader.is_encrypted and not reader.decrypt("")
        if not locked:
            pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # pypdf raises many kinds of errors on damaged files
        if "crypt" in str(exc).lower():
            raise fail(path, "the PDF is encrypted and cannot be read") from None
        raise fail(path, f"the PDF is damaged or not a PDF ({type(exc).__name__})") from None
    if locked:
        raise fail(path, "the PDF is password-protected; remove the password first")
    text = "\n".join(pages)
    if not text.strip():
        raise fail(path, "the PDF has no text layer (scanned?); run OCR first")
    return ImportedText(text=text, format="pdf", turns=[])
