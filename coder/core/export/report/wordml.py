"""WordprocessingML as strings: runs, paragraphs, fields, captions and tables.

The report's body is written as XML text rather than through python-docx objects: tens of
thousands of quotes would cost tens of microseconds per run there. Everything here returns
well-formed fragments in the ``w:`` namespace, with child elements in the order the schema
requires (Word refuses a file whose ``w:rPr`` or ``w:pPr`` children are out of order).

Text is made safe once, in :func:`runs`: characters XML 1.0 cannot carry are dropped, line
breaks become ``w:br``, tabs ``w:tab``. Right-to-left stretches (Arabic, Hebrew, Persian,
Urdu...) become runs marked ``w:rtl``, and a paragraph whose first letter is right-to-left is
marked ``w:bidi``. Emoji become runs in an emoji font (:data:`EMOJI_FONT`), so that Word does
not draw them as empty boxes in a text font without them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
EMOJI_FONT = "Segoe UI Emoji"  # Windows; the font table names Apple's and Noto's as alternatives
EMOJI_FONT_ALTERNATIVES = ("Apple Color Emoji", "Noto Color Emoji")

# Characters XML 1.0 forbids (Word reports a file holding them as corrupt).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_RTL_CHARS = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff"
_RTL = re.compile(f"[{_RTL_CHARS}]")
# A right-to-left stretch: from one right-to-left letter to the last one before a
# left-to-right letter, with the spaces, digits and punctuation between them.
_RTL_STRETCH = re.compile(f"[{_RTL_CHARS}](?:(?:[{_RTL_CHARS}]|[^\\w]|\\d)*[{_RTL_CHARS}])?")
_EMOJI_BASE = "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\u3030\u303d"
_EMOJI_JOIN = "\u200d\ufe0f\u20e3\U000e0020-\U000e007f"
_EMOJI = re.compile(f"[{_EMOJI_BASE}](?:[{_EMOJI_JOIN}]+[{_EMOJI_BASE}]?)*")
_LETTER = re.compile(r"[^\W\d_]")


def clean(text: str | None) -> str:
    """Text safe for XML 1.0 (drops the control characters it cannot carry)."""
    return _INVALID_XML.sub("", text or "")


def xml_text(text: str | None) -> str:
    """Escaped text for an attribute value or ``w:t`` content."""
    return escape(clean(text), {'"': "&quot;"})


def is_rtl_paragraph(text: str) -> bool:
    """Whether a paragraph of ``text`` reads right to left: its first letter is right-to-left
    (the Unicode bidirectional algorithm's rule P2, letters only)."""
    m = _LETTER.search(text)
    return bool(m and _RTL.match(m.group()))


def has_rtl(text: str) -> bool:
    return _RTL.search(text) is not None


# ============================================================================ runs


@dataclass(frozen=True)
class Fmt:
    """Character formatting of a run. ``size`` in points; colours as ``RRGGBB``."""

    bold: bool = False
    italic: bool = False
    size: float | None = None
    color: str | None = None
    shade: str | None = None  # background fill
    underline: str | None = None  # "single", "dotted", ...
    superscript: bool = False
    font: str | None = None
    style: str | None = None  # a character style id
    no_proof: bool = False

    def rpr(self, rtl: bool = False, font: str | None = None) -> str:
        """``w:rPr`` with its children in schema order ('' when there is nothing to say)."""
        out = []
        if self.style:
            out.append(f'<w:rStyle w:val="{self.style}"/>')
        font = font or self.font
        if font:
            f = xml_text(font)
            out.append(f'<w:rFonts w:ascii="{f}" w:hAnsi="{f}" w:eastAsia="{f}" w:cs="{f}"/>')
        if self.bold:
            out.append("<w:b/><w:bCs/>")
        if self.italic:
            out.append("<w:i/><w:iCs/>")
        if self.no_proof:
            out.append("<w:noProof/>")
        if self.color:
            out.append(f'<w:color w:val="{self.color}"/>')
        if self.size:
            half = round(self.size * 2)
            out.append(f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/>')
        if self.underline:
            out.append(f'<w:u w:val="{self.underline}"/>')
        if self.shade:
            out.append(f'<w:shd w:val="clear" w:color="auto" w:fill="{self.shade}"/>')
        if self.superscript:
            out.append('<w:vertAlign w:val="superscript"/>')
        if rtl:
            out.append("<w:rtl/>")
        return f"<w:rPr>{''.join(out)}</w:rPr>" if out else ""


PLAIN = Fmt()


def _text_xml(text: str) -> str:
    """``w:t`` elements for ``text`` (already clean), with ``w:br`` and ``w:tab`` between."""
    if "\n" not in text and "\t" not in text:
        return f'<w:t xml:space="preserve">{escape(text)}</w:t>' if text else ""
    out = []
    for i, line in enumerate(text.split("\n")):
        if i:
            out.append("<w:br/>")
        for j, piece in enumerate(line.split("\t")):
            if j:
                out.append("<w:tab/>")
            if piece:
                out.append(f'<w:t xml:space="preserve">{escape(piece)}</w:t>')
    return "".join(out)


def _segments(text: str) -> list[tuple[str, str]]:
    """``text`` cut into (kind, piece): kind "" for plain, "rtl" or "emoji"."""
    marks: list[tuple[int, int, str]] = []
    if _RTL.search(text):
        marks += [(m.start(), m.end(), "rtl") for m in _RTL_STRETCH.finditer(text)]
    if _EMOJI.search(text):
        emoji = [(m.start(), m.end(), "emoji") for m in _EMOJI.finditer(text)]
        if marks:  # an emoji inside a right-to-left stretch splits it
            cut: list[tuple[int, int, str]] = []
            for s, e, kind in marks:
                pos = s
                for es, ee, _ in emoji:
                    if es >= e or ee <= s:
                        continue
                    if es > pos:
                        cut.append((pos, es, kind))
                    pos = max(pos, ee)
                if pos < e:
                    cut.append((pos, e, kind))
            marks = cut
        marks += emoji
    if not marks:
        return [("", text)]
    marks.sort()
    out, pos = [], 0
    for s, e, kind in marks:
        if s > pos:
            out.append(("", text[pos:s]))
        out.append((kind, text[s:e]))
        pos = e
    if pos < len(text):
        out.append(("", text[pos:]))
    return out


def runs(text: str | None, fmt: Fmt = PLAIN) -> str:
    """Runs holding ``text`` in ``fmt``: right-to-left stretches marked ``w:rtl``, emoji in
    the emoji font, line breaks as ``w:br``."""
    text = clean(text)
    if not text:
        return ""
    out = []
    for kind, piece in _segments(text):
        rpr = fmt.rpr(rtl=kind == "rtl", font=EMOJI_FONT if kind == "emoji" else None)
        out.append(f"<w:r>{rpr}{_text_xml(piece)}</w:r>")
    return "".join(out)


def span_runs(text: str, spans: Sequence[tuple[int, int, Fmt]], base: Fmt = PLAIN) -> str:
    """Runs for ``text`` where each ``(start, end, fmt)`` of ``spans`` (sorted, not
    overlapping, offsets into ``text``) has its own formatting and the rest ``base``."""
    out, pos = [], 0
    for s, e, fmt in spans:
        if s > pos:
            out.append(runs(text[pos:s], base))
        out.append(runs(text[s:e], fmt))
        pos = max(pos, e)
    out.append(runs(text[pos:], base))
    return "".join(out)


# ============================================================================ paragraphs


@dataclass(frozen=True)
class Para:
    """Paragraph properties; only what is set is written."""

    style: str | None = None
    keep_next: bool = False
    keep_lines: bool = False
    page_break_before: bool = False
    bidi: bool = False
    space_before: int | None = None  # twentieths of a point
    space_after: int | None = None
    indent_left: int | None = None  # twips
    align: str | None = None  # "left" | "center" | "right" | "both"
    outline_level: int | None = None  # 0-8 (Heading 1-9)
    tabs: tuple[str, ...] = field(default_factory=tuple)  # ready-made w:tab elements

    def ppr(self) -> str:
        out = []
        if self.style:
            out.append(f'<w:pStyle w:val="{self.style}"/>')
        if self.keep_next:
            out.append("<w:keepNext/>")
        if self.keep_lines:
            out.append("<w:keepLines/>")
        if self.page_break_before:
            out.append("<w:pageBreakBefore/>")
        if self.tabs:
            out.append(f"<w:tabs>{''.join(self.tabs)}</w:tabs>")
        if self.bidi:
            out.append("<w:bidi/>")
        if self.space_before is not None or self.space_after is not None:
            attrs = ""
            if self.space_before is not None:
                attrs += f' w:before="{self.space_before}"'
            if self.space_after is not None:
                attrs += f' w:after="{self.space_after}"'
            out.append(f"<w:spacing{attrs}/>")
        if self.indent_left is not None:
            out.append(f'<w:ind w:left="{self.indent_left}"/>')
        if self.align:
            out.append(f'<w:jc w:val="{self.align}"/>')
        if self.outline_level is not None:
            out.append(f'<w:outlineLvl w:val="{self.outline_level}"/>')
        return f"<w:pPr>{''.join(out)}</w:pPr>" if out else ""


def paragraph(content: str, props: Para = Para(), direction_of: str | None = None) -> str:
    """A paragraph of ready-made runs. ``direction_of`` is its plain text: when that reads
    right to left, the paragraph is marked ``w:bidi``."""
    if direction_of and not props.bidi and is_rtl_paragraph(direction_of):
        props = Para(**{**props.__dict__, "bidi": True})
    return f"<w:p>{props.ppr()}{content}</w:p>"


def text_paragraph(text: str, props: Para = Para(), fmt: Fmt = PLAIN) -> str:
    return paragraph(runs(text, fmt), props, direction_of=text)


# ============================================================================ fields


def field_code(instr: str, result: str, fmt: Fmt = PLAIN) -> str:
    """A complex field (begin, instruction, separate, result, end) whose shown result is
    ``result`` (already computed: nothing asks Word to update it on opening)."""
    rpr = fmt.rpr()
    return (
        f'<w:r>{rpr}<w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r>{rpr}<w:instrText xml:space="preserve"> {escape(instr)} </w:instrText></w:r>'
        f'<w:r>{rpr}<w:fldChar w:fldCharType="separate"/></w:r>'
        f"{runs(result, fmt)}"
        f'<w:r>{rpr}<w:fldChar w:fldCharType="end"/></w:r>'
    )


def caption(kind: str, number: int, text: str, style: str, keep_next: bool) -> str:
    """ "Table 3. Title" with the number as a ``SEQ kind`` field, as Word's Insert Caption
    writes it (so Word's lists of tables and figures and cross-references find it)."""
    content = (
        runs(f"{kind} ") + field_code(f"SEQ {kind} \\* ARABIC", str(number)) + runs(f". {text}")
    )
    return paragraph(content, Para(style=style, keep_next=keep_next), direction_of=text)


def bookmark(content: str, name: str, number: int) -> str:
    return (
        f'<w:bookmarkStart w:id="{number}" w:name="{name}"/>{content}'
        f'<w:bookmarkEnd w:id="{number}"/>'
    )


def hyperlink(anchor: str, content: str) -> str:
    return f'<w:hyperlink w:anchor="{anchor}" w:history="1">{content}</w:hyperlink>'


PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


# ============================================================================ tables


def twips(cm: float) -> int:
    return round(cm * 566.93)


@dataclass
class Cell:
    text: str
    bold: bool = False
    italic: bool = False
    indent: int = 0  # twips
    align: str | None = None  # None: numbers right, text left


class Table:
    """A table with fixed column widths (``w:tblGrid`` and ``w:tcW``, which Word and
    LibreOffice both honour), a bold header row repeated on every page, rows that do not
    break across pages, and right-aligned number columns."""

    FONT_SIZE = 9.5  # points: tables hold more than body text

    def __init__(
        self,
        headers: Sequence[str],
        widths_cm: Sequence[float],
        numeric: Iterable[int] | None = None,
        style: str = "LightList-Accent1",
    ) -> None:
        self.widths = [twips(w) for w in widths_cm]
        self.numeric = set(numeric) if numeric is not None else set(range(1, len(headers)))
        self.style = style
        self.rows: list[str] = [self._row([Cell(h, bold=True) for h in headers], header=True)]

    def _cell(self, cell: Cell, width: int, column: int) -> str:
        align = cell.align or ("right" if column in self.numeric else None)
        props = Para(space_before=20, space_after=20, indent_left=cell.indent or None, align=align)
        fmt = Fmt(bold=cell.bold, italic=cell.italic, size=self.FONT_SIZE)
        return (
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
            f"{text_paragraph(cell.text, props, fmt)}</w:tc>"
        )

    def _row(self, cells: Sequence[Cell], header: bool = False) -> str:
        body = "".join(
            self._cell(c, w, i) for i, (c, w) in enumerate(zip(cells, self.widths, strict=False))
        )
        tr_pr = "<w:cantSplit/><w:tblHeader/>" if header else "<w:cantSplit/>"
        return f"<w:tr><w:trPr>{tr_pr}</w:trPr>{body}</w:tr>"

    def add(self, values: Sequence[str | Cell]) -> None:
        self.rows.append(self._row([v if isinstance(v, Cell) else Cell(v) for v in values]))

    def xml(self) -> str:
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in self.widths)
        return (
            f'<w:tbl><w:tblPr><w:tblStyle w:val="{self.style}"/>'
            f'<w:tblW w:w="{sum(self.widths)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
            '<w:tblLook w:val="0420" w:firstRow="1" w:lastRow="0" w:firstColumn="0"'
            ' w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>{''.join(self.rows)}</w:tbl>"
        )
