"""Building blocks of Coder's Word documents: styles, fields, the table of contents,
headings and fast tables (python-docx, real Word styles)."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

    from coder.core.model import Code


QUOTE_STYLE = "Coder Quote"
SOURCE_STYLE = "Coder Source"
TOC_PLACEHOLDER = "Right-click to update the table of contents"

# Characters XML 1.0 forbids (python-docx refuses them; Word reports the file as corrupt).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


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
