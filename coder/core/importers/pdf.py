"""PDF (.pdf): the text layer, via pypdf. Scanned PDFs need OCR first.

A page's drawing instructions (its content streams) are unpacked before its text is read, and
they count against the document's unpacked-bytes limit, so a small file whose pages share one
huge stream stops before any of it is parsed; the text read counts against the characters
limit as it comes (:mod:`coder.core.limits`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from coder.core.importers import ImportedText
from coder.core.importers._common import fail
from coder.core.limits import LIMITS, LimitExceeded, Limits, TextBudget, size_text


def read_pdf(path: Path, limits: Limits = LIMITS) -> ImportedText:
    """Read the text layer of a PDF, page by page."""
    from pypdf import PdfReader

    # pypdf logs its repairs of damaged files; a person gets our one-line message instead.
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    locked = False
    pages: list[str] = []
    budget = TextBudget(limits)
    unpacked = 0

    def count(text: str, *args: Any) -> None:
        budget.charge(len(text))

    try:
        reader = PdfReader(path)
        # Many PDFs are "encrypted" with an empty user password only to set permissions.
        locked = reader.is_encrypted and not reader.decrypt("")
        if not locked:
            for page in reader.pages:
                unpacked += _content_size(page)
                if unpacked > limits.unpacked_bytes:
                    raise LimitExceeded(
                        f"its pages unpack to more than {size_text(limits.unpacked_bytes)} of "
                        "drawing instructions, the limit for one document"
                    )
                pages.append(page.extract_text(visitor_text=count) or "")
                budget.charge(1)
    except LimitExceeded:
        raise
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


def _content_size(page: Any) -> int:
    """How many bytes the page's content streams unpack to (pypdf keeps what it decodes, so
    the text extraction that follows does not decode them again)."""
    contents = page.get("/Contents")
    if contents is None:
        return 0
    contents = contents.get_object()
    streams = contents if isinstance(contents, list) else [contents]
    total = 0
    for stream in streams:
        stream = stream.get_object()
        get_data = getattr(stream, "get_data", None)
        if get_data is not None:
            total += len(get_data())
    return total
