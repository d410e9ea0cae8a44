"""What goes into the Word report (:class:`ReportOptions`) and what was written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coder.core.errors import InvalidValue
from coder.core.query import Filters

ORDERS = ("document", "position")
CONTEXTS = ("paragraph", "turn")


@dataclass(frozen=True)
class ReportOptions:
    """What goes into the report. ``None`` selections mean everything.

    ``context`` is characters of text shown around each quote (0 for none), or
    ``"paragraph"`` / ``"turn"``. ``order`` puts quotes by document (then position), or by
    ``"position"``: where they fall in their document, beginning first, across documents.
    ``include_children`` makes a parent's counts (summary table, chart) include its sub-codes'
    codings; quotes stay under the code they were coded with. ``include_agreement`` adds
    inter-coder agreement per code (per ``agreement_unit``) when two or more coders are in scope.
    """

    codes: tuple[int, ...] | None = None
    documents: tuple[int, ...] | None = None
    cases: tuple[int, ...] | None = None
    coders: tuple[int, ...] | None = None
    context: int | str = 120
    include_memos: bool = True
    order: str = "document"
    title: str = ""
    author: str = ""
    page_size: str = "A4"  # or "Letter"
    include_chart: bool = True
    include_children: bool = False  # parent codes' counts include their sub-codes' codings
    include_agreement: bool = True  # with two or more coders: agreement per code
    agreement_unit: str = "paragraph"  # "character" | "paragraph" | "turn"

    def __post_init__(self) -> None:
        for name in ("codes", "documents", "cases", "coders"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, tuple(value))
        if self.order not in ORDERS:
            raise InvalidValue(f"quotes are ordered by {' or '.join(ORDERS)}, not '{self.order}'")
        if isinstance(self.context, str) and self.context not in CONTEXTS:
            if not self.context.isdigit():
                raise InvalidValue(
                    f"context is a number of characters, 'paragraph' or 'turn', not '{self.context}'"
                )
            object.__setattr__(self, "context", int(self.context))
        if isinstance(self.context, int) and self.context < 0:
            raise InvalidValue("context cannot be negative")
        if self.agreement_unit not in ("character", "paragraph", "turn"):
            raise InvalidValue(
                f"agreement is measured per character, paragraph or turn, not '{self.agreement_unit}'"
            )
        if self.page_size not in ("A4", "Letter"):
            raise InvalidValue(f"page size is A4 or Letter, not '{self.page_size}'")

    def filters(self) -> Filters:
        return Filters(documents=self.documents, cases=self.cases, coders=self.coders)


@dataclass
class ReportResult:
    """What was written. ``quotes`` counts the codings quoted; ``passages`` the quote
    paragraphs (codings of one code on the very same passage by several coders share one)."""

    path: Path
    codes: int = 0
    quotes: int = 0
    seconds: float = 0.0
    passages: int = 0
