"""The document view as a screen reader meets it: the codings at the caret in words.

Qt exposes the view's text, caret and selection to assistive technology itself (AT-SPI on
Linux, UI Automation on Windows, NSAccessibility on macOS: the view is a QPlainTextEdit). The
codings are painted, not formatted, so nothing in the text says where they are. This module
puts them into the view's accessible description as the caret moves ("Coded: Family pull
(Sam), Turning point (Alex)"), which screen readers read with the text field and report when it
changes, and words them for announcements ("Family pull, coded by Sam, 42 characters").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from coder.ui.views.document_view import DocumentView
    from coder.ui.views.span_index import Span

NOT_CODED = "Not coded"
EXCERPT_CHARS = 80


def codings_here(view: DocumentView) -> list[Span]:
    """The codings at the caret, or around the whole selection, innermost first (as the
    status bar lists them)."""
    if view.doc_id is None:
        return []
    a, b = view.selection_cp()
    inside = view.codings_at(a)
    if b > a:
        inside = [s for s in inside if s.end >= b]
    return inside


def code_name(view: DocumentView, span: Span) -> str:
    style = view.styles.get(span.code_id)
    return style.path if style is not None else "a code"


def codings_phrase(view: DocumentView, spans: list[Span]) -> str:
    """ "Coded: Family pull (Sam), Turning point (Alex)", or "Not coded"."""
    parts: list[str] = []
    for span in spans:
        part = f"{code_name(view, span)} ({span.coder})" if span.coder else code_name(view, span)
        if part not in parts:
            parts.append(part)
    return "Coded: " + ", ".join(parts) if parts else NOT_CODED


def coding_words(view: DocumentView, span: Span) -> str:
    """One coding in full words: "Family pull, coded by Sam, 42 characters"."""
    coder = f", coded by {span.coder}" if span.coder else ""
    size = span.end - span.start
    memo = ", with a memo" if span.memo else ""
    return f"{code_name(view, span)}{coder}, {size} character{'s' * (size != 1)}{memo}"


def excerpt(view: DocumentView, span: Span, chars: int = EXCERPT_CHARS) -> str:
    """The start of a coding's passage on one line."""
    text = " ".join(view.text[span.start : span.end].split())
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


def paragraph_codings(view: DocumentView) -> list[Span]:
    """The codings that touch the caret's paragraph (its line of text), in reading order:
    the list a screen reader gets instead of the stripes beside it."""
    if view.doc_id is None:
        return []
    block = view.textCursor().block()
    a16, b16 = block.position(), block.position() + max(block.length() - 1, 1)
    spans = view.spans_between(a16, b16)
    return sorted(spans, key=lambda s: (s.s16, s.e16, s.id))


class DocumentAccess(QObject):
    """Keeps the view's accessible description naming the codings at the caret."""

    def __init__(self, view: DocumentView) -> None:
        super().__init__(view)
        self.view = view
        view.positionChanged.connect(self.refresh)
        view.documentLoaded.connect(self.refresh)

    def description(self) -> str:
        view = self.view
        if view.doc_id is None:
            return "No document is shown"
        here = codings_phrase(view, codings_here(view))
        return f"{here}. Document {view.doc_name}"

    def refresh(self) -> None:
        text = self.description()
        if text != self.view.accessibleDescription():
            self.view.setAccessibleDescription(text)  # screen readers hear the change
