"""The Word report: summary, chart, quotes per code, co-occurrence, memos, codebook.

Everything but the quotes is built with python-docx and real Word styles (Title, Heading 1-4,
Caption, table styles, two custom paragraph styles for quotes and their sources), so the result
is natively editable. Quotes can number in the tens of thousands and python-docx spends
tens of microseconds per run, so each code's section holds a placeholder paragraph and, when
the package is written, ``word/document.xml`` is streamed into the zip with the quote
paragraphs generated from escaped string templates, one code at a time. Memory stays flat
and 20,000 quotes take a few seconds.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import time
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from coder.core.errors import InvalidValue
from coder.core.export import Progress, atomic_path, check_progress
from coder.core.query import Filters, Sources, codings_in_scope, cooccurrence, frequencies

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

    from coder.core.model import Code
    from coder.core.project import Project

ORDERS = ("document", "position")
CONTEXTS = ("paragraph", "turn")
QUOTE_STYLE = "Coder Quote"
SOURCE_STYLE = "Coder Source"
TOC_PLACEHOLDER = "Right-click to update the table of contents"


def _placeholder_re(token: str) -> re.Pattern[str]:
    """The whole paragraph holding ``@@token-CODE_ID@@`` (the token is random per report, so
    no text in the project can imitate it)."""
    return re.compile(rf"<w:p>(?:(?!</w:p>).)*?@@{token}-(\d+)@@(?:(?!</w:p>).)*?</w:p>", re.S)


# Characters XML 1.0 forbids (python-docx refuses them; Word reports the file as corrupt).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


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


def clean(text: str | None) -> str:
    """Text safe for XML (drops the control characters XML 1.0 cannot carry)."""
    return _INVALID_XML.sub("", text or "")


def tint(color: str, keep: float = 0.4) -> str:
    """A light tint of ``#RRGGBB`` (``keep`` of the colour, the rest white) as ``RRGGBB``."""
    c = (color or "").lstrip("#")
    if not re.fullmatch(r"[0-9A-Fa-f]{6}", c):
        c = "FFD54F"
    rgb = [int(c[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(v * keep + 255 * (1 - keep)):02X}" for v in rgb)


def format_time(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


# ============================================================================ document set-up


def new_document(title: str, author: str, page_size: str = "A4") -> DocxDocument:
    """A python-docx Document with page, styles, footer page numbers and core properties."""
    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Inches, Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    if page_size == "Letter":
        section.page_width, section.page_height = Inches(8.5), Inches(11)
        margin = Inches(1)
    else:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        margin = Cm(2.5)
    section.left_margin = section.right_margin = margin
    section.top_margin = section.bottom_margin = margin
    section.different_first_page_header_footer = True

    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    quote = styles.add_style(QUOTE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    quote.base_style = normal
    quote.quick_style = True
    quote.font.size = Pt(10.5)
    quote.paragraph_format.left_indent = Cm(0.6)
    quote.paragraph_format.space_before = Pt(8)
    quote.paragraph_format.space_after = Pt(1)
    quote.paragraph_format.keep_with_next = True
    source = styles.add_style(SOURCE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    source.base_style = normal
    source.quick_style = True
    source.font.size = Pt(8.5)
    source.font.italic = True
    source.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    source.paragraph_format.left_indent = Cm(0.6)
    source.paragraph_format.space_after = Pt(6)
    label = styles.add_style("Coder Field", WD_STYLE_TYPE.PARAGRAPH)
    label.base_style = normal
    label.paragraph_format.space_after = Pt(3)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Page ")
    _field(footer, "PAGE", "1")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES", "1")

    props = doc.core_properties
    props.title = clean(title)
    props.author = clean(author)
    props.created = _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)
    props.comments = "Written by Coder"
    _update_fields_on_open(doc)
    return doc


def _field(paragraph: Any, instr: str, shown: str) -> None:
    """A simple field (w:fldSimple) such as PAGE, with the text shown until it updates."""
    from docx.oxml import parse_xml

    el = parse_xml(
        f'<w:fldSimple xmlns:w="{_W}" w:instr=" {instr} "><w:r><w:t>{escape(shown)}</w:t></w:r></w:fldSimple>'
    )
    paragraph._p.append(el)


def _update_fields_on_open(doc: DocxDocument) -> None:
    """``w:updateFields`` in settings: Word offers to update the TOC and page fields on open."""
    from docx.oxml import parse_xml

    settings = doc.settings.element
    el = parse_xml(f'<w:updateFields xmlns:w="{_W}" w:val="true"/>')
    # Schema order: updateFields comes before hdrShapeDefaults, footnotePr, endnotePr, compat...
    followers = {"hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids",
                 "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping",
                 "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade",
                 "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary",
                 "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator"}  # fmt: skip
    for child in settings:
        local = child.tag.split("}")[-1]
        if local in followers:
            child.addprevious(el)
            return
    settings.append(el)


TOC_LEVELS = (1, 3)  # the heading levels the contents list (its \o switch)
_TOC_INSTR = f' TOC \\o "{TOC_LEVELS[0]}-{TOC_LEVELS[1]}" \\h \\z \\u '
# Word's built-in contents styles: "toc 1".. is the name Word (and LibreOffice, which maps it to
# "Contents 1"..) recognises; the ids are Word's own.
_TOC_STYLES = (("toc 1", "TOC1", 0), ("toc 2", "TOC2", 220), ("toc 3", "TOC3", 440))


@dataclass
class _Toc:
    """The contents field paragraph and the headings it lists: (level, text, bookmark)."""

    paragraph: Any
    entries: list[tuple[int, str, str]]


def _add_toc_styles(doc: DocxDocument) -> None:
    """The "toc 1"-"toc 3" paragraph styles, unless the template has them (indents as Word's)."""
    from docx.oxml import parse_xml

    have = {s.style_id for s in doc.styles}
    root = doc.styles.element
    for name, style_id, indent in _TOC_STYLES:
        if style_id in have:
            continue
        ind = f'<w:ind w:left="{indent}"/>' if indent else ""
        root.append(parse_xml(
            f'<w:style xmlns:w="{_W}" w:type="paragraph" w:styleId="{style_id}"><w:name w:val="{name}"/>'
            '<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:autoRedefine/><w:uiPriority w:val="39"/>'
            f'<w:unhideWhenUsed/><w:pPr><w:spacing w:before="0" w:after="60"/>{ind}</w:pPr></w:style>'
        ))  # fmt: skip
    doc.__dict__.pop("_coder_style_ids", None)  # the style cache predates these


def add_toc(doc: DocxDocument) -> None:
    """A real TOC field (levels 1-3, hyperlinked). Until :func:`finish_toc` fills it with the
    headings that follow, its result is a placeholder; Word recomputes it (and the page
    numbers) when it updates fields, LibreOffice shows the result as written."""
    from docx.oxml import parse_xml

    para(doc, "Contents", "TOC Heading")
    _add_toc_styles(doc)
    p = doc.add_paragraph()
    runs = (
        f'<w:r xmlns:w="{_W}"><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>',
        f'<w:r xmlns:w="{_W}"><w:instrText xml:space="preserve">{_TOC_INSTR}</w:instrText></w:r>',
        f'<w:r xmlns:w="{_W}"><w:fldChar w:fldCharType="separate"/></w:r>',
        f'<w:r xmlns:w="{_W}"><w:t>{TOC_PLACEHOLDER}</w:t></w:r>',
        f'<w:r xmlns:w="{_W}"><w:fldChar w:fldCharType="end"/></w:r>',
    )
    for xml in runs:
        p._p.append(parse_xml(xml))
    doc._coder_toc = _Toc(p, [])  # type: ignore[attr-defined]


def _toc_heading(doc: DocxDocument, p: Any, text: str, level: int) -> None:
    """Record a heading the contents list and wrap it in a ``_Toc`` bookmark for PAGEREF."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    toc: _Toc | None = getattr(doc, "_coder_toc", None)
    if toc is None or not (TOC_LEVELS[0] <= level <= TOC_LEVELS[1]) or not text.strip():
        return
    number = len(toc.entries) + 1
    name = f"_Toc{number:09d}"
    start = OxmlElement("w:bookmarkStart", attrs={qn("w:id"): str(number), qn("w:name"): name})
    ppr = p._p.pPr
    if ppr is not None:
        ppr.addnext(start)
    else:
        p._p.insert(0, start)
    p._p.append(OxmlElement("w:bookmarkEnd", attrs={qn("w:id"): str(number)}))
    toc.entries.append((level, text, name))


def finish_toc(doc: DocxDocument) -> None:
    """Write the contents field's result: one paragraph per heading recorded since
    :func:`add_toc`, in Word's "toc N" styles with a dot-leader tab to a PAGEREF field on the
    heading's bookmark. The field spans the paragraphs (begin in the first, end in the last)."""
    from docx.oxml import parse_xml

    toc: _Toc | None = getattr(doc, "_coder_toc", None)
    if toc is None or not toc.entries:
        return
    section = doc.sections[0]
    tab = round(
        (section.page_width - section.left_margin - section.right_margin) / 635
    )  # EMU -> twips
    style_ids = {
        level: _style_id(doc, name) for level, (name, _, _) in enumerate(_TOC_STYLES, start=1)
    }
    quiet = "<w:rPr><w:noProof/><w:webHidden/></w:rPr>"
    last = len(toc.entries) - 1
    paragraphs = []
    for i, (level, text, name) in enumerate(toc.entries):
        out = [
            f'<w:p xmlns:w="{_W}"><w:pPr><w:pStyle w:val="{style_ids[level]}"/>'
            f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{tab}"/></w:tabs>'
            "<w:rPr><w:noProof/></w:rPr></w:pPr>"
        ]
        if i == 0:
            out.append(
                '<w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
                f'<w:r><w:instrText xml:space="preserve">{_TOC_INSTR}</w:instrText></w:r>'
                '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            )
        out.append(
            f'<w:hyperlink w:anchor="{name}" w:history="1">'
            f'<w:r><w:rPr><w:noProof/></w:rPr><w:t xml:space="preserve">{escape(clean(text))}</w:t></w:r>'
            f"<w:r>{quiet}<w:tab/></w:r>"
            f'<w:r>{quiet}<w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r>{quiet}<w:instrText xml:space="preserve"> PAGEREF {name} \\h </w:instrText></w:r>'
            f'<w:r>{quiet}<w:fldChar w:fldCharType="separate"/></w:r>'
            f"<w:r>{quiet}<w:t>–</w:t></w:r>"
            f'<w:r>{quiet}<w:fldChar w:fldCharType="end"/></w:r>'
            "</w:hyperlink>"
        )
        if i == last:
            out.append('<w:r><w:fldChar w:fldCharType="end"/></w:r>')
        out.append("</w:p>")
        paragraphs.append(parse_xml("".join(out)))
    anchor = toc.paragraph._p
    for p in paragraphs:
        anchor.addnext(p)
        anchor = p
    toc.paragraph._p.getparent().remove(toc.paragraph._p)
    del doc._coder_toc  # type: ignore[attr-defined]


def heading_for_code(doc: DocxDocument, code: Code, level: int) -> Any:
    """A heading holding just the code's name (so that the contents list names only)."""
    return heading(doc, clean(code.name), min(max(level, 1), 9))


def swatch_run(paragraph: Any, color: str) -> None:
    """A small block shaded in ``color`` (a colour sample next to a code)."""
    from docx.oxml import parse_xml

    c = (color or "").lstrip("#").upper()
    if not re.fullmatch(r"[0-9A-F]{6}", c):
        return
    paragraph._p.append(
        parse_xml(
            f'<w:r xmlns:w="{_W}"><w:rPr><w:shd w:val="clear" w:color="auto" w:fill="{c}"/></w:rPr>'
            '<w:t xml:space="preserve">  </w:t></w:r>'
        )
    )
    paragraph.add_run(" ")


def add_field(doc: DocxDocument, label: str, text: str) -> None:
    p = para(doc, "", "Coder Field")
    p.add_run(f"{label}: ").bold = True
    p.add_run(clean(text))


def code_fields(doc: DocxDocument, code: Code, empty_note: bool = False) -> None:
    shown = False
    for label, value in (
        ("Definition", code.definition),
        ("Include when", code.inclusion),
        ("Exclude when", code.exclusion),
        ("Example", code.example),
    ):
        if value.strip():
            add_field(doc, label, value.strip())
            shown = True
    if empty_note and not shown:
        p = para(doc, "", "Coder Field")
        p.add_run("No definition written yet.").italic = True


def _style_id(doc: DocxDocument, name: str) -> str:
    """Style id by name, cached (python-docx scans every style on each lookup by name)."""
    ids = getattr(doc, "_coder_style_ids", None)
    if ids is None:
        ids = {s.name: s.style_id for s in doc.styles}
        doc._coder_style_ids = ids  # type: ignore[attr-defined]
    return ids[name]


def para(doc: DocxDocument, text: str = "", style: str | None = None) -> Any:
    """A paragraph with ``text`` in a named style, appended to the body."""
    p = doc.add_paragraph()
    if style and style != "Normal":
        p._p.get_or_add_pPr().style = _style_id(doc, style)
    if text:
        p.add_run(clean(text))
    return p


def heading(doc: DocxDocument, text: str, level: int) -> Any:
    level = 0 if level == 0 else min(max(level, 1), 9)
    p = para(doc, text, "Title" if level == 0 else f"Heading {level}")
    _toc_heading(doc, p, clean(text), level)
    return p


def _twips(cm: float) -> int:
    return round(cm * 566.93)


class TableBuilder:
    """A table as WordprocessingML: fixed column widths (w:tblGrid + w:tcW, which Word and
    LibreOffice both honour), a header row repeated on each page, numbers right-aligned."""

    def __init__(
        self,
        headers: list[str],
        widths_cm: list[float],
        style: str = "Light List Accent 1",
        numeric: set[int] | None = None,
    ):
        self.widths = [_twips(w) for w in widths_cm]
        self.style = style
        self.numeric = numeric if numeric is not None else set(range(1, len(headers)))
        self.rows = [self._row(headers, header=True)]

    def _cell(self, text: str, width: int, bold: bool, right: bool, indent: int) -> str:
        ppr = '<w:spacing w:before="20" w:after="20"/>'
        if indent:
            ppr += f'<w:ind w:left="{indent}"/>'
        if right:
            ppr += '<w:jc w:val="right"/>'
        size = '<w:sz w:val="19"/>'  # 9.5 pt: tables hold more than body text
        rpr = f"<w:rPr><w:b/>{size}</w:rPr>" if bold else f"<w:rPr>{size}</w:rPr>"
        return (
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr><w:p><w:pPr>{ppr}</w:pPr>'
            f'<w:r>{rpr}<w:t xml:space="preserve">{escape(clean(text))}</w:t></w:r></w:p></w:tc>'
        )

    def _row(self, values: list[str], header: bool = False, indent_cm: float = 0) -> str:
        cells = "".join(
            self._cell(v, w, header, i in self.numeric, _twips(indent_cm) if i == 0 else 0)
            for i, (v, w) in enumerate(zip(values, self.widths))
        )
        tr_pr = (
            "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"
            if header
            else "<w:trPr><w:cantSplit/></w:trPr>"
        )
        return f"<w:tr>{tr_pr}{cells}</w:tr>"

    def add(self, values: list[str], indent_cm: float = 0) -> None:
        self.rows.append(self._row(values, indent_cm=indent_cm))

    def insert(self, doc: DocxDocument) -> Any:
        from docx.oxml import parse_xml

        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in self.widths)
        xml = (
            f'<w:tbl xmlns:w="{_W}"><w:tblPr><w:tblStyle w:val="{_style_id(doc, self.style)}"/>'
            f'<w:tblW w:w="{sum(self.widths)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
            '<w:tblLook w:val="0420" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0"'
            ' w:noHBand="0" w:noVBand="1"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>{''.join(self.rows)}</w:tbl>"
        )
        tbl = parse_xml(xml)
        body = doc.element.body
        sect = body.find(f"{{{_W}}}sectPr")
        if sect is not None:
            sect.addprevious(tbl)
        else:
            body.append(tbl)
        return tbl


def caption(doc: DocxDocument, text: str) -> None:
    para(doc, text, "Caption")


def page_break(doc: DocxDocument) -> None:
    from docx.enum.text import WD_BREAK

    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def text_width_cm(page_size: str) -> float:
    return 21.59 - 5.08 if page_size == "Letter" else 16.0


# ============================================================================ quotes


@dataclass
class _Quote:
    document_id: int
    start: int
    end: int
    coder_ids: list[int]


class _QuoteWriter:
    """Quote paragraphs as WordprocessingML strings, from codings and cached sources."""

    def __init__(
        self, project: Project, options: ReportOptions, sources: Sources, style_ids: tuple[str, str]
    ):
        self.project = project
        self.options = options
        self.sources = sources
        self.quote_style, self.source_style = style_ids
        self.coders = dict(project.db.execute("SELECT id, name FROM coders"))
        self._case_text: dict[int, str] = {}

    def case_text(self, case_id: int) -> str:
        if case_id not in self._case_text:
            name = self.sources.case_names.get(case_id, "")
            attrs = self.sources.case_attributes(case_id)
            shown = "; ".join(f"{k}: {v}" for k, v in attrs.items() if v != "")
            self._case_text[case_id] = f"case {name}" + (f" ({shown})" if shown else "")
        return self._case_text[case_id]

    def source_line(self, doc_id: int, start: int, end: int, coder_ids: tuple[int, ...]) -> str:
        src = self.sources
        parts = [src.document_names.get(doc_id, "")]
        turn = src.turn(doc_id, start, end)
        if turn is not None and turn.time_start is not None:
            parts.append(format_time(turn.time_start))
        else:
            n = src.paragraph_number(doc_id, start)
            if n is not None:
                parts.append(f"paragraph {n}")
        if turn is not None and turn.speaker:
            parts.append(f"speaker {turn.speaker}")
        line = ", ".join(parts)
        cases = [self.case_text(c) for c in src.case_ids(doc_id, start, end)]
        if cases:
            line += "; " + "; ".join(cases)
        coders = [self.coders[c] for c in coder_ids if c in self.coders]
        if coders:
            who = coders[0] if len(coders) == 1 else ", ".join(coders[:-1]) + " and " + coders[-1]
            line += f"; coded by {who}"
        return line

    def quote_xml(
        self, doc_id: int, start: int, end: int, coder_ids: tuple[int, ...], fill: str
    ) -> str:
        src = self.sources
        text = src.text(doc_id)
        before, after = (
            src.context(doc_id, start, end, self.options.context)
            if self.options.context
            else ("", "")
        )
        if isinstance(self.options.context, int) and self.options.context:
            b0, a1 = start - len(before), end + len(after)
            if before and b0 > 0 and text[b0 - 1] != "\n":
                before = "…" + before
            if after and a1 < len(text) and text[a1] != "\n":
                after = after + "…"
        passage = text[start:end]
        out = [f'<w:p><w:pPr><w:pStyle w:val="{self.quote_style}"/></w:pPr>']
        if before:
            out.append(f'<w:r><w:t xml:space="preserve">{_runs_text(before)}</w:t></w:r>')
        out.append(
            f'<w:r><w:rPr><w:shd w:val="clear" w:color="auto" w:fill="{fill}"/></w:rPr>'
            f'<w:t xml:space="preserve">{_runs_text(passage)}</w:t></w:r>'
        )
        if after:
            out.append(f'<w:r><w:t xml:space="preserve">{_runs_text(after)}</w:t></w:r>')
        out.append("</w:p>")
        source = escape(clean(self.source_line(doc_id, start, end, coder_ids)))
        out.append(
            f'<w:p><w:pPr><w:pStyle w:val="{self.source_style}"/></w:pPr>'
            f'<w:r><w:t xml:space="preserve">— {source}</w:t></w:r></w:p>'
        )
        return "".join(out)


def _runs_text(text: str) -> str:
    """Escaped text for inside ``<w:t>``; line breaks become ``<w:br/>``, tabs ``<w:tab/>``."""
    t = escape(clean(text).strip("\n"))
    if "\n" in t:
        t = re.sub(r"\n+", '</w:t><w:br/><w:t xml:space="preserve">', t)
    if "\t" in t:
        t = t.replace("\t", '</w:t><w:tab/><w:t xml:space="preserve">')
    return t


# ============================================================================ the report


def write_report(
    project: Project,
    path: str | Path,
    options: ReportOptions | None = None,
    progress: Progress | None = None,
) -> ReportResult:
    """Write the Word report to ``path`` (atomically). ``progress(done, total, label)``
    returning False cancels (raises :class:`coder.core.export.Cancelled`, no file)."""
    t0 = time.perf_counter()
    token = uuid.uuid4().hex
    options = options or ReportOptions()
    path = Path(path)
    filters = options.filters()
    sources = Sources(project)
    all_codes = project.codes()
    wanted = set(options.codes) if options.codes is not None else None
    codes = [c for c in all_codes if wanted is None or c.id in wanted]
    check_progress(progress, 0, 1, "Counting codings")
    rows = codings_in_scope(project, filters, [c.id for c in codes], sources)
    # One quote per passage and code: codings of the same passage by several coders share it.
    per_code: dict[int, list[_Quote]] = {}
    for r in rows:
        items = per_code.setdefault(r.code_id, [])
        last = items[-1] if items else None
        if last is not None and (last.document_id, last.start, last.end) == (
            r.document_id,
            r.start,
            r.end,
        ):
            if r.coder_id not in last.coder_ids:
                last.coder_ids.append(r.coder_id)
        else:
            items.append(_Quote(r.document_id, r.start, r.end, [r.coder_id]))
    codings_quoted = len(rows)
    del rows
    kids = options.include_children
    by_doc = frequencies(
        project, "document", filters=filters, coverage=False, include_children=kids
    )
    by_case = frequencies(project, "case", filters=filters, coverage=False, include_children=kids)
    doc_rows = {r.code_id: r for r in by_doc.rows}
    case_rows = {r.code_id: r for r in by_case.rows}
    total_quotes = sum(len(v) for v in per_code.values())  # quote paragraphs

    title = options.title.strip() or f"{project.name}: coding report"
    doc = new_document(title, options.author, options.page_size)
    width = text_width_cm(options.page_size)

    # --- title page
    para(doc, title, "Title")
    para(doc, f"Project {project.name}", "Subtitle")
    coders_in_scope = [
        c.name for c in project.coders() if options.coders is None or c.id in options.coders
    ]
    facts = [
        ("Author", options.author.strip() or "—"),
        ("Date", _dt.date.today().strftime("%d %B %Y").lstrip("0")),
        ("Coders", ", ".join(coders_in_scope) or "—"),
        ("Documents", str(by_doc.total)),
        ("Cases", str(by_case.total)),
        ("Codes", str(len(codes))),
        (
            "Quotes",
            str(total_quotes)
            + (f" (of {codings_quoted} codings)" if codings_quoted != total_quotes else ""),
        ),
    ]
    for label, value in facts:
        add_field(doc, label, value)
    scope_note = _scope_note(project, options)
    if scope_note:
        p = para(doc, "", "Coder Field")
        p.add_run(scope_note).italic = True
    page_break(doc)
    add_toc(doc)
    page_break(doc)

    # --- summary
    heading(doc, "Summary", 1)
    doc.add_paragraph(
        f"How many codings each code has, and in how many of the {by_doc.total} documents and "
        f"{by_case.total} cases it occurs at least once (n and per cent)."
    )
    widths = [width - 10.2, 2.2, 2.6, 1.7, 2.0, 1.7]
    table = TableBuilder(["Code", "Codings", "Documents", "%", "Cases", "%"], widths)
    for code in codes:
        d, c = doc_rows.get(code.id), case_rows.get(code.id)
        table.add(
            [
                code.name,
                str(d.codings if d else 0),
                str(d.units if d else 0),
                _pct(d.percent if d else 0.0, by_doc.total),
                str(c.units if c else 0),
                _pct(c.percent if c else 0.0, by_case.total),
            ],
            indent_cm=0.4 * code.depth,
        )
    table.insert(doc)
    caption(
        doc,
        f"Table 1. Codings, documents (N = {by_doc.total}) and cases (N = {by_case.total}) per code"
        + ("; a parent code's counts include its sub-codes' codings." if kids else "."),
    )

    if options.include_chart and codes:
        check_progress(progress, 0, max(total_quotes, 1), "Drawing the chart")
        from docx.shared import Cm

        from coder.core.export import charts

        use_cases = by_case.total > 0
        rows_for = case_rows if use_cases else doc_rows
        values = [rows_for[c.id].percent if c.id in rows_for else 0.0 for c in codes]
        fig = charts.frequency_figure(
            [c.path for c in codes], values, [c.color for c in codes],
            xlabel=f"% of {'cases' if use_cases else 'documents'}", width_in=width / 2.54,
        )  # fmt: skip
        doc.add_paragraph().add_run().add_picture(
            io.BytesIO(charts.png_bytes(fig)), width=Cm(width)
        )
        caption(
            doc, f"Figure 1. Share of {'cases' if use_cases else 'documents'} coded with each code."
        )

    tables = 1  # Table 1 is the summary
    if options.include_agreement:
        tables += _agreement_section(doc, project, options, codes, width, tables + 1)

    # --- one section per code
    page_break(doc)
    heading(doc, "Codes and quotes", 1)
    if not codes:
        doc.add_paragraph("The codebook is empty: there is nothing to report yet.")
    for code in codes:
        heading_for_code(doc, code, 2 + min(code.depth, 2))
        code_fields(doc, code)
        children = [c.name for c in codes if c.parent_id == code.id]
        if children:
            add_field(
                doc,
                "Sub-codes",
                ", ".join(children) + " (their quotes follow under their own headings)",
            )
        n = len(per_code.get(code.id, ()))
        d, c = doc_rows.get(code.id), case_rows.get(code.id)
        line = f"{n} quote{'s' if n != 1 else ''}"
        if d:
            line += f" from {d.units} of {d.total} documents ({_pct(d.percent, d.total)})"
        if c and c.total:
            line += f", {c.units} of {c.total} cases ({_pct(c.percent, c.total)})"
        p = para(doc, "", "Coder Field")
        swatch_run(p, code.color)
        if n:
            p.add_run(line + ".").italic = True
            doc.add_paragraph(f"@@{token}-{code.id}@@")
        else:
            p.add_run(
                "No passages are coded with this code" + (" in this selection." if filters else ".")
            ).italic = True

    # --- co-occurrence
    heading(doc, "Co-occurrence", 1)
    _cooccurrence_section(doc, project, codes, filters, sources, width, tables + 1)

    if options.include_memos:
        heading(doc, "Memos", 1)
        _memos_section(doc, project, codes, filters, sources)

    heading(doc, "Appendix: codebook", 1)
    codebook_section(doc, project, all_codes if wanted is None else codes, heading_level=None)

    # --- quotes, streamed into document.xml
    styles = (doc.styles[QUOTE_STYLE].style_id, doc.styles[SOURCE_STYLE].style_id)
    writer = _QuoteWriter(project, options, sources, styles)
    code_by_id = {c.id: c for c in codes}
    done = 0

    def quotes(code_id: int) -> Iterator[str]:
        nonlocal done
        code = code_by_id[code_id]
        fill = tint(code.color)
        items = per_code.get(code_id, [])
        names = sources.document_names
        if options.order == "document":
            items.sort(
                key=lambda r: (names[r.document_id].casefold(), r.document_id, r.start, r.end)
            )
        else:
            lengths = sources.document_length
            items.sort(
                key=lambda r: (
                    r.start / max(lengths[r.document_id], 1),
                    names[r.document_id].casefold(),
                    r.start,
                )
            )
        batch: list[str] = []
        for r in items:
            batch.append(writer.quote_xml(r.document_id, r.start, r.end, tuple(r.coder_ids), fill))
            done += 1
            if len(batch) >= 250:
                yield "".join(batch)
                batch = []
                check_progress(progress, done, total_quotes, f"Quotes for {code.name}")
        if batch:
            yield "".join(batch)
        per_code.pop(code_id, None)  # free each code's rows once written

    finish_toc(doc)
    with atomic_path(path) as tmp:
        _save_streaming(doc, tmp, quotes, _placeholder_re(token))
    check_progress(progress, total_quotes, max(total_quotes, 1), "Done")
    return ReportResult(path, len(codes), codings_quoted, time.perf_counter() - t0, total_quotes)


def _pct(value: float, total: int) -> str:
    return f"{value:.1f}%" if total else "–"


def _scope_note(project: Project, options: ReportOptions) -> str:
    parts = []
    if options.codes is not None:
        parts.append(f"{len(options.codes)} selected codes")
    if options.documents is not None:
        names = dict(project.db.execute("SELECT id, name FROM documents"))
        parts.append("documents " + ", ".join(names.get(i, "?") for i in options.documents))
    if options.cases is not None:
        names = dict(project.db.execute("SELECT id, name FROM cases"))
        parts.append("cases " + ", ".join(names.get(i, "?") for i in options.cases))
    if options.coders is not None:
        names = dict(project.db.execute("SELECT id, name FROM coders"))
        parts.append("codings by " + ", ".join(names.get(i, "?") for i in options.coders))
    return ("This report covers " + "; ".join(parts) + ".") if parts else ""


def _save_streaming(
    doc: DocxDocument, path: Path, quotes: Any, placeholder: re.Pattern[str]
) -> None:
    """Save ``doc``, replacing each placeholder paragraph with its code's quote paragraphs."""
    buf = io.BytesIO()
    doc.save(buf)
    buf.seek(0)
    with (
        zipfile.ZipFile(buf) as zin,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=3) as zout,
    ):
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename != "word/document.xml":
                zout.writestr(item, data)
                continue
            xml = data.decode("utf-8")
            info = zipfile.ZipInfo(item.filename, date_time=item.date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            with zout.open(info, "w", force_zip64=True) as out:
                pos = 0
                for m in placeholder.finditer(xml):
                    out.write(xml[pos : m.start()].encode("utf-8"))
                    for chunk in quotes(int(m.group(1))):
                        out.write(chunk.encode("utf-8"))
                    pos = m.end()
                out.write(xml[pos:].encode("utf-8"))


# ============================================================================ sections


def _agreement_section(
    doc: DocxDocument,
    project: Project,
    options: ReportOptions,
    codes: list[Code],
    width: float,
    number: int,
) -> int:
    """Inter-coder agreement per code, when two or more coders are in scope; returns the
    number of tables added (0 or 1)."""
    from coder.core import intercoder
    from coder.core.errors import CoderError

    coder_ids = (
        list(options.coders) if options.coders is not None else [c.id for c in project.coders()]
    )
    if len(coder_ids) < 2:
        return 0
    heading(doc, "Inter-coder agreement", 1)
    try:
        table = intercoder.report_table(
            project, coder_ids, unit=options.agreement_unit,
            codes=[c.id for c in codes] if options.codes is not None else None,
            documents=options.documents, cases=options.cases,
        )  # fmt: skip
    except CoderError as e:
        doc.add_paragraph(f"Agreement could not be computed: {e}.")
        return 0
    if not table.rows or all(r[1] == "0" for r in table.rows):
        doc.add_paragraph("No document in this selection was coded by all of these coders, so agreement "
                          "cannot be measured yet.")  # fmt: skip
        return 0
    doc.add_paragraph(clean(table.note)).paragraph_format.keep_with_next = True
    widths = [width - 9.9, 1.6, 2.5, 2.4, 3.4]
    builder = TableBuilder(list(table.headers), widths)
    for row in table.rows:
        builder.add(list(row))
    builder.insert(doc)
    caption(doc, f"Table {number}. {table.title} per code.")
    return 1


def _cooccurrence_section(
    doc: DocxDocument,
    project: Project,
    codes: list[Code],
    filters: Filters,
    sources: Sources,
    width: float,
    number: int = 2,
) -> None:
    if len(codes) < 2:
        doc.add_paragraph("Co-occurrence needs at least two codes.")
        return
    m = cooccurrence(project, [c.id for c in codes], "passage", filters, sources=sources)
    pairs = m.pairs()
    doc.add_paragraph(
        "How often two codes are applied to overlapping passages (each stretch of text coded "
        "with both counts once)."
    ).paragraph_format.keep_with_next = bool(pairs)
    if not pairs:
        doc.add_paragraph("No two codes overlap anywhere in this selection.")
        return
    if len(codes) <= 8:
        first = 4.0
        rest = (width - first) / len(codes)
        widths = [first] + [rest] * len(codes)
        table = TableBuilder(["Code"] + [c.name for c in codes], widths)
        for i, c in enumerate(codes):
            table.add(
                [c.name] + [("—" if i == j else str(m.counts[i][j])) for j in range(len(codes))]
            )
        table.insert(doc)
        caption(doc, f"Table {number}. Passages coded with both codes (overlapping codings).")
        return
    shown = pairs[:60]
    widths = [(width - 2.6) / 2, (width - 2.6) / 2, 2.6]
    table = TableBuilder(["Code", "With code", "Passages"], widths, numeric={2})
    for a, b, n in shown:
        table.add([a.path, b.path, str(n)])
    table.insert(doc)
    more = f" (the {len(shown)} most frequent of {len(pairs)})" if len(pairs) > len(shown) else ""
    caption(doc, f"Table {number}. Pairs of codes applied to overlapping passages{more}.")


def _memos_section(
    doc: DocxDocument, project: Project, codes: list[Code], filters: Filters, sources: Sources
) -> None:
    wrote = False
    if project.memo.strip():
        heading(doc, "Project memo", 2)
        _paragraphs(doc, project.memo)
        wrote = True
    memos = project.memos()
    if memos:
        heading(doc, "Memos", 2)
        for memo in memos:
            heading(doc, clean(memo.title) or "Untitled memo", 3)
            _paragraphs(doc, memo.text)
            p = para(doc, "", SOURCE_STYLE)
            p.add_run(f"Last changed {memo.modified_at[:16].replace('T', ' ')}")
        wrote = True
    scope_docs = set(filters.documents) if filters.documents is not None else None
    docs = [
        d
        for d in project.documents()
        if d.memo.strip() and (scope_docs is None or d.id in scope_docs)
    ]
    if docs:
        heading(doc, "Document memos", 2)
        for d in docs:
            add_field(doc, d.name, d.memo.strip())
        wrote = True
    scope_cases = set(filters.cases) if filters.cases is not None else None
    cases = [
        c
        for c in project.cases()
        if c.memo.strip() and (scope_cases is None or c.id in scope_cases)
    ]
    if cases:
        heading(doc, "Case memos", 2)
        for c in cases:
            add_field(doc, c.name, c.memo.strip())
        wrote = True
    code_memos = [c for c in codes if c.memo.strip()]
    if code_memos:
        heading(doc, "Code memos", 2)
        for c in code_memos:
            add_field(doc, c.path, c.memo.strip())
        wrote = True
    ids = [c.id for c in codes]
    coding_memos = [g for g in project.codings(code_ids=ids) if g.memo.strip()]
    if filters.coders is not None:
        coding_memos = [g for g in coding_memos if g.coder_id in filters.coders]
    if scope_docs is not None:
        coding_memos = [g for g in coding_memos if g.document_id in scope_docs]
    if coding_memos:
        heading(doc, "Coding memos", 2)
        for g in coding_memos:
            passage = sources.text(g.document_id)[g.start : g.end]
            if len(passage) > 160:
                passage = passage[:157].rstrip() + "…"
            p = para(doc, "", "Coder Field")
            p.add_run(f"{g.code_path}, {g.document} ({g.coder}): ").bold = True
            p.add_run(f"“{clean(passage)}”").italic = True
            para(doc, g.memo.strip(), QUOTE_STYLE).paragraph_format.keep_with_next = False
        wrote = True
    if not wrote:
        doc.add_paragraph("No memos have been written in this project.")


def _paragraphs(doc: DocxDocument, text: str) -> None:
    for block in re.split(r"\n\s*\n", clean(text).strip()):
        if block.strip():
            doc.add_paragraph(block.strip())


def codebook_section(
    doc: DocxDocument, project: Project, codes: list[Code], heading_level: int | None = 1
) -> None:
    """Every code with its fields. ``heading_level`` nests headings by depth from that level;
    ``None`` keeps codes out of the contents (bold paths, for an appendix)."""
    counts = dict(project.db.execute("SELECT code_id, count(*) FROM codings GROUP BY 1"))
    if not codes:
        doc.add_paragraph("The codebook is empty.")
        return
    for code in codes:
        if heading_level is not None:
            heading_for_code(doc, code, heading_level + min(code.depth, 3))
        else:
            para(doc, code.path, "Heading 4")
        code_fields(doc, code, empty_note=True)
        if code.memo.strip():
            add_field(doc, "Memo", code.memo.strip())
        p = para(doc, "", SOURCE_STYLE)
        p.paragraph_format.left_indent = 0
        swatch_run(p, code.color)
        n = counts.get(code.id, 0)
        p.add_run(f"Colour {code.color.upper()} · {n} coding{'s' if n != 1 else ''}")


__all__ = ["ReportOptions", "ReportResult", "write_report", "tint", "format_time"]
