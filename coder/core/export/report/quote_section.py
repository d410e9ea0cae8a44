"""One section per code: its heading (at the code's depth), definition and criteria, how many
quotes from how many documents and cases, then the quotes, streamed when the file is written.

A quote is one paragraph ready to paste: context (if asked for), the coded words in the
document language's quotation marks and shaded in a tint of the code's colour, then the
attribution, e.g. "(P01, female, 31)". When the report covers several coders a small line
names who coded it; annotations that touch the passage follow as notes, marked a, b, ...
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from coder.core.export import Progress, check_progress
from coder.core.export.report.grouping import grouping, natural_key
from coder.core.export.report.quotes import (
    Annotations,
    Citation,
    Passage,
    document_language,
    quote_marks,
)
from coder.core.export.report.wording import count, join_and, n_of
from coder.core.export.report.wordml import Fmt, Para, paragraph, runs, span_runs
from coder.core.numbers import n_percent
from coder.core.text import union_spans

if TYPE_CHECKING:
    from coder.core.export.report.options import ReportOptions
    from coder.core.export.report.writer import Writer
    from coder.core.model import Code
    from coder.core.query import Sources

QUOTE_ID = "CoderQuote"
SOURCE_ID = "CoderSource"
NOTE_ID = "CoderNote"
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def tint(color: str, keep: float = 0.4) -> str:
    """A light tint of ``#RRGGBB`` (``keep`` of the colour, the rest white) as ``RRGGBB``."""
    c = (color or "").lstrip("#")
    if not re.fullmatch(r"[0-9A-Fa-f]{6}", c):
        c = "FFD54F"
    rgb = [int(c[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(v * keep + 255 * (1 - keep)):02X}" for v in rgb)


def levels(codes: Sequence[Code], top: int) -> dict[int, int]:
    """Heading level of each code: ``top`` for codes whose parent is not listed, one more per
    listed ancestor (so a selection that leaves out a parent never skips a level), at most 9."""
    listed = {c.id: c for c in codes}
    out: dict[int, int] = {}
    for c in codes:  # codebook order: parents come first
        parent = listed.get(c.parent_id) if c.parent_id is not None else None
        out[c.id] = min(out[parent.id] + 1, 9) if parent is not None else top
    return out


@dataclass
class QuoteWriter:
    """Quote paragraphs as WordprocessingML strings."""

    options: ReportOptions
    sources: Sources
    citation: Citation
    annotations: Annotations | None
    coder_names: dict[int, str]
    name_coders: bool  # more than one coder in the report: say who coded each quote

    def __post_init__(self) -> None:
        self._marks: dict[int, tuple[str, str]] = {}
        self.annotated = 0

    def marks(self, doc_id: int) -> tuple[str, str]:
        if doc_id not in self._marks:
            if self.options.quote_marks == "none":
                self._marks[doc_id] = ("", "")
            else:
                lang = document_language(self.sources, doc_id)
                self._marks[doc_id] = quote_marks(lang, self.options.quote_marks)
        return self._marks[doc_id]

    def context(self, doc_id: int, start: int, end: int) -> tuple[str, str]:
        context = self.options.context
        if not context:
            return "", ""
        before, after = self.sources.context(doc_id, start, end, context)
        if isinstance(context, int):
            text = self.sources.text(doc_id)
            b0, a1 = start - len(before), end + len(after)
            if before and b0 > 0 and text[b0 - 1] != "\n":
                before = "…" + before
            if after and a1 < len(text) and text[a1] != "\n":
                after += "…"
        return before.lstrip("\n"), after.rstrip("\n")

    def xml(self, p: Passage, fill: str) -> str:
        doc_id, start, end = p.document_id, p.start, p.end
        coded = self.sources.text(doc_id)[start:end]
        passage = coded.strip()  # the marks go around the words, not the spaces around them
        lead = len(coded) - len(coded.lstrip())
        before, after = self.context(doc_id, start, end)
        opening, closing = self.marks(doc_id)
        notes = self.annotations.touching(doc_id, start, end) if self.annotations else []
        shade = Fmt(shade=fill)
        spans = []
        for a in notes:
            s, e = max(a.start, start) - start - lead, min(a.end, end) - start - lead
            s, e = max(s, 0), min(e, len(passage))
            if e > s:
                spans.append((s, e))
        body = span_runs(passage, _merged(spans, Fmt(shade=fill, underline="dotted")), shade)
        markers = "".join(
            runs(_LETTERS[i % 26], Fmt(superscript=True, bold=True)) for i in range(len(notes))
        )
        cite = self.citation.text(doc_id, start, end)
        content = (
            runs(before)
            + runs(opening)
            + body
            + runs(closing)
            + markers
            + runs(after)
            + (runs(" " + cite) if cite else "")
        )
        follow = self.name_coders or bool(notes)
        out = [paragraph(content, Para(style=QUOTE_ID, keep_next=follow), direction_of=passage)]
        if self.name_coders:
            names = [self.coder_names.get(c, "?") for c in p.coder_ids]
            out.append(
                paragraph(
                    runs(f"Coded by {join_and(names)}"),
                    Para(style=SOURCE_ID, keep_next=bool(notes)),
                )
            )
        for i, a in enumerate(notes):
            self.annotated += 1
            who = f" ({a.coder})" if a.coder else ""
            text = runs(_LETTERS[i % 26] + " ", Fmt(bold=True)) + runs(f"Annotation{who}: ")
            text += runs(a.text.strip() or "(no text)")
            keep = i < len(notes) - 1
            out.append(paragraph(text, Para(style=NOTE_ID, keep_next=keep), direction_of=a.text))
        return "".join(out)


def _merged(spans: list[tuple[int, int]], fmt: Fmt) -> list[tuple[int, int, Fmt]]:
    return [(s, e, fmt) for s, e in union_spans(spans)]


# ============================================================================ order and groups


class Groups:
    """The sub-heading of each passage for ``--order case|speaker|attribute=NAME``."""

    def __init__(self, project: Any, sources: Sources, order: str) -> None:
        self.sources = sources
        self.kind = order.split("=")[0]
        self.attribute: Any = None
        if self.kind == "attribute":
            from coder.core.query import find_attribute

            self.attribute = find_attribute(project, order.split("=", 1)[1])
            values = project.attribute_values(self.attribute.scope)
            self.grouping = grouping(
                [v.get(self.attribute.name, "") for v in values.values()] + [""],
                self.attribute.type,
            )

    def label(self, p: Passage) -> str:
        src = self.sources
        if self.kind == "speaker":
            return src.speaker(p.document_id, p.start, p.end)
        cases = src.case_ids(p.document_id, p.start, p.end)
        if self.kind == "case":
            return src.case_names.get(cases[0], "") if cases else ""
        attr = self.attribute
        if attr.scope == "document":
            value = src.document_attributes(p.document_id).get(attr.name, "")
        else:
            value = src.case_attributes(cases[0]).get(attr.name, "") if cases else ""
        return self.grouping.label(value)

    def order(self, labels: set[str]) -> list[str]:
        if self.kind == "attribute":
            return [lab for lab in self.grouping.labels if lab in labels]
        named = sorted((lab for lab in labels if lab), key=natural_key)
        return named + ([""] if "" in labels else [])

    def heading(self, label: str) -> str:
        if self.kind == "attribute":
            return f"{self.attribute.name}: {label}"
        if self.kind == "case":
            return f"Case: {label}" if label else "No case"
        return f"Speaker: {label}" if label else "No speaker"


def sort_passages(items: list[Passage], options: ReportOptions, sources: Sources) -> None:
    names = sources.document_names
    if options.order == "position":
        lengths = sources.document_length
        items.sort(
            key=lambda r: (
                r.start / max(lengths[r.document_id], 1),
                names[r.document_id].casefold(),
                r.start,
            )
        )
    else:
        items.sort(key=lambda r: (names[r.document_id].casefold(), r.document_id, r.start, r.end))


# ============================================================================ the section


@dataclass
class CodeFigures:
    """What the "n quotes from..." line of a code says."""

    quotes: int
    documents: int
    cases: int
    document_total: int
    case_total: int


def quotes_line(f: CodeFigures) -> str:
    line = f"{count(f.quotes, 'quote')} from {n_of(f.documents, f.document_total, 'document')}"
    line += f" ({n_percent(f.documents, f.document_total).split(' ', 1)[-1].strip('()')})"
    if f.case_total:
        pct = n_percent(f.cases, f.case_total).split(" ", 1)[-1].strip("()")
        line += f" and {n_of(f.cases, f.case_total, 'case')} ({pct})"
    return line + "."


def code_fields(w: Writer, code: Code, empty_note: bool = False) -> None:
    shown = False
    for label, value in (
        ("Definition", code.definition),
        ("Include when", code.inclusion),
        ("Exclude when", code.exclusion),
        ("Example", code.example),
    ):
        if value.strip():
            w.field(label, value.strip(), keep_next=True)
            shown = True
    if empty_note and not shown:
        w.text("No definition written yet.", keep_next=True, fmt=Fmt(italic=True))


def code_sections(
    w: Writer,
    codes: Sequence[Code],
    per_code: dict[int, list[Passage]],
    figures: Callable[[Code], CodeFigures],
    writer: QuoteWriter,
    groups: Groups | None,
    progress: Progress | None,
    total: int,
    filtered: bool,
) -> None:
    level = levels(codes, 2)
    done = 0
    for code in codes:
        w.heading(code.name, level[code.id])
        code_fields(w, code)
        children = [c.name for c in codes if c.parent_id == code.id]
        if children:
            w.field(
                "Sub-codes",
                join_and(children) + " (their quotes follow under their own headings)",
                keep_next=True,
            )
        items = per_code.get(code.id, [])
        if not items:
            where = " in this selection" if filtered else ""
            w.text(f"No passages are coded with this code{where}.", fmt=Fmt(italic=True))
            continue
        w.text(quotes_line(figures(code)), keep_next=True, fmt=Fmt(italic=True))
        fill = tint(code.color)
        sub = min(level[code.id] + 1, 9)

        def stream(code: Code = code, fill: str = fill, sub: int = sub) -> Iterator[str]:
            nonlocal done
            items = per_code.pop(code.id, [])
            sort_passages(items, writer.options, writer.sources)
            batches: list[tuple[str, list[Passage]]] = [("", items)]
            if groups is not None:
                labelled: dict[str, list[Passage]] = {}
                for p in items:
                    labelled.setdefault(groups.label(p), []).append(p)
                batches = [(lab, labelled[lab]) for lab in groups.order(set(labelled))]
            for label, batch in batches:
                out = []
                if groups is not None:
                    text = groups.heading(label)
                    out.append(
                        paragraph(
                            runs(text),
                            Para(style=f"CoderHeading{sub}", keep_next=True, keep_lines=True),
                            direction_of=text,
                        )
                    )
                for p in batch:
                    out.append(writer.xml(p, fill))
                    done += 1
                    if len(out) >= 200:
                        yield "".join(out)
                        out = []
                        check_progress(progress, done, total, f"Quotes for {code.name}")
                yield "".join(out)

        w.body.add(stream)
