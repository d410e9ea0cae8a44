"""The report's writing surface: headings, paragraphs, labelled fields, captioned tables and
figures, on top of a :class:`~coder.core.export.report.document.Body`."""

from __future__ import annotations

from dataclasses import dataclass, field

from coder.core.export.report.chart import BarChart, add_chart, inline_chart
from coder.core.export.report.document import FIELD_STYLE, TABLE_NOTE_STYLE, Body
from coder.core.export.report.wordml import (
    PAGE_BREAK,
    PLAIN,
    Fmt,
    Para,
    Table,
    caption,
    paragraph,
    runs,
    text_paragraph,
)


@dataclass
class Writer:
    """Appends to ``body``; numbers tables and figures (SEQ caption fields) as they come."""

    body: Body
    document_part: object  # python-docx's document part, for chart parts
    width: float  # text width, cm
    tables: int = 0
    figures: int = 0
    shapes: int = 0
    _seen: set = field(default_factory=set)

    def heading(self, text: str, level: int, in_contents: bool = True) -> None:
        self.body.heading(text, level, in_contents)

    def text(self, text: str, keep_next: bool = False, fmt: Fmt = PLAIN) -> None:
        self.body.add(text_paragraph(text, Para(keep_next=keep_next), fmt))

    def note(self, text: str) -> None:
        """A small italic paragraph under a table or figure."""
        self.body.add(text_paragraph(text, Para(style=TABLE_NOTE_STYLE)))

    def field(self, label: str, value: str, keep_next: bool = False) -> None:
        """ "Label: value" with the label in bold."""
        content = runs(f"{label}: ", Fmt(bold=True)) + runs(value)
        props = Para(style=FIELD_STYLE, keep_next=keep_next)
        self.body.add(paragraph(content, props, direction_of=value))

    def spacer(self) -> None:
        """An empty paragraph: keeps two tables apart (Word joins adjacent tables)."""
        self.body.add(paragraph("", Para(space_after=0)))

    def page_break(self) -> None:
        self.body.add(PAGE_BREAK)

    def table(self, title: str, table: Table) -> int:
        """``table`` with its numbered title above it, kept with the table."""
        self.tables += 1
        self.body.add(caption("Table", self.tables, title, "Caption", keep_next=True))
        self.body.add(table.xml())
        return self.tables

    def figure(self, chart: BarChart, title: str, description: str, height_cm: float) -> int:
        """A native chart, its alt text, and its numbered caption below it."""
        self.figures += 1
        self.shapes += 1
        rid = add_chart(self.document_part, chart)
        graphic = inline_chart(
            rid, self.shapes, self.width, height_cm, f"Figure {self.figures}", description
        )
        self.body.add(paragraph(graphic, Para(keep_next=True, align="center", space_after=60)))
        self.body.add(caption("Figure", self.figures, title, "Caption", keep_next=False))
        return self.figures
