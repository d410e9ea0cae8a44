"""What goes into the Word report (:class:`ReportOptions`) and what was written
(:class:`ReportResult`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coder.core.errors import InvalidValue
from coder.core.export.report.quotes import QUOTE_MARKS, parse_cite
from coder.core.query import Filters

ORDERS = ("document", "position", "case", "speaker")  # and "attribute=NAME"
CONTEXTS = ("paragraph", "turn")
UNITS = ("character", "paragraph", "turn", "segment")


def check_order(order: str) -> str:
    if order in ORDERS:
        return order
    kind, sep, name = order.partition("=")
    if kind == "attribute" and sep and name.strip():
        return f"attribute={name.strip()}"
    raise InvalidValue(
        f"quotes are ordered by document, position, case, speaker or attribute=NAME, not '{order}'"
    )


@dataclass(frozen=True)
class ReportOptions:
    """What goes into the report. ``None`` selections mean everything.

    - ``context``: characters of text shown around each quote (0, the default, for none), or
      ``"paragraph"`` / ``"turn"``.
    - ``order``: quotes by ``"document"`` (then position), by ``"position"`` (where they fall
      in their document, across documents), or grouped under sub-headings per ``"case"``,
      ``"speaker"`` or ``"attribute=NAME"`` value, in text order within each group.
    - ``quote_marks``: ``"double"`` or ``"single"`` typographic marks of each document's
      language, or ``"none"``. ``cite``: the fields of each quote's attribution (document,
      speaker, case, paragraph, attribute names); None for document, paragraph, speaker, case.
    - ``include_children``: parent codes' counts (summary table, chart, tables) include their
      sub-codes' codings; without it a parent shows its own codings, or blank cells.
    - ``matrix``: a code × case table of codings. ``crosstab``: a code × attribute value table
      of cases (or documents). ``case_table``: the analysed cases and documents with these
      attributes (an empty tuple: without attributes; None: no such table).
    - ``include_agreement``: inter-coder agreement when two or more coders are in scope, per
      ``agreement_unit``, the overall row formed by ``agreement_pooling`` ("units" or "mean");
      segments match when they overlap by ``min_overlap`` percent of their union.
    """

    codes: tuple[int, ...] | None = None
    documents: tuple[int, ...] | None = None
    cases: tuple[int, ...] | None = None
    coders: tuple[int, ...] | None = None
    context: int | str = 0
    include_memos: bool = True
    order: str = "document"
    title: str = ""
    author: str = ""
    page_size: str = "A4"  # or "Letter"
    include_chart: bool = True
    include_children: bool = False
    include_agreement: bool = True
    agreement_unit: str = "paragraph"
    agreement_pooling: str = "units"  # the overall row: every code's units pooled, or the mean
    min_overlap: float = 90  # segment unit: percent of the union of two matching codings
    consensus: str = "any"  # counts and quotes: what any / all / most of the coders coded
    quote_marks: str = "double"
    cite: tuple[str, ...] | None = None
    matrix: bool = False
    crosstab: str | None = None
    case_table: tuple[str, ...] | None = None
    include_annotations: bool = True

    def __post_init__(self) -> None:
        for name in ("codes", "documents", "cases", "coders", "case_table"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, tuple(value))
        object.__setattr__(self, "order", check_order(self.order))
        object.__setattr__(self, "cite", parse_cite(self.cite))
        if self.crosstab is not None and not self.crosstab.strip():
            object.__setattr__(self, "crosstab", None)
        if isinstance(self.context, str) and self.context not in CONTEXTS:
            if not self.context.isdigit():
                raise InvalidValue(
                    "context is a number of characters, 'paragraph' or 'turn', "
                    f"not '{self.context}'"
                )
            object.__setattr__(self, "context", int(self.context))
        if isinstance(self.context, int) and self.context < 0:
            raise InvalidValue("context cannot be negative")
        if self.agreement_unit not in UNITS:
            raise InvalidValue(
                "agreement is measured per character, paragraph, turn or segment, "
                f"not '{self.agreement_unit}'"
            )
        segments = self.include_agreement and self.agreement_unit == "segment"
        if segments and self.coders is not None and len(self.coders) > 2:
            raise InvalidValue(
                "agreement per coded segment compares two coders: choose two coders or another "
                "agreement unit"
            )
        if self.agreement_pooling not in ("units", "mean"):
            raise InvalidValue(
                "the overall agreement pools units or takes the mean, "
                f"not '{self.agreement_pooling}'"
            )
        if not 0 < self.min_overlap <= 100:
            raise InvalidValue(
                f"the minimum overlap is a percentage above 0 up to 100, not {self.min_overlap:g}"
            )
        if self.page_size not in ("A4", "Letter"):
            raise InvalidValue(f"page size is A4 or Letter, not '{self.page_size}'")
        if self.quote_marks not in QUOTE_MARKS:
            raise InvalidValue(f"quote marks are double, single or none, not '{self.quote_marks}'")

    def filters(self) -> Filters:
        def ids(value: tuple[int, ...] | None) -> frozenset[int] | None:
            return frozenset(value) if value is not None else None

        return Filters(
            documents=ids(self.documents),
            cases=ids(self.cases),
            coders=ids(self.coders),
            consensus=self.consensus,
        )


@dataclass
class ReportResult:
    """What was written. ``quotes`` counts the codings quoted, ``passages`` the quotes
    (codings of one code that mark the same passage share one)."""

    path: Path
    codes: int = 0
    quotes: int = 0
    seconds: float = 0.0
    passages: int = 0
    annotations: int = 0
