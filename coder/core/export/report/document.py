"""The Word package around the report's body: page set-up, styles, footer, contents,
properties, and the streaming save.

python-docx provides the package (its template's styles, theme, settings) and the parts;
the body is a list of XML strings and generators (:class:`Body`) written straight into
``word/document.xml`` when the package is saved, so tens of thousands of quotes never exist
as objects, nor all at once as text.

The contents list is written out in full when the report is written: one paragraph per
heading, linked to it, without page numbers. Coder cannot know where Word will break the
pages (fonts, printer and page size decide), so it does not guess them, and it does not ask
Word to "update fields" on opening either. The list is a real TOC field: Word's Update Table
adds page numbers whenever the user wants them.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from coder.core.export.report.wordml import (
    EMOJI_FONT,
    EMOJI_FONT_ALTERNATIVES,
    W_NS,
    Fmt,
    Para,
    bookmark,
    clean,
    field_code,
    hyperlink,
    paragraph,
    runs,
    xml_text,
)

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

QUOTE_STYLE = "Coder Quote"
SOURCE_STYLE = "Coder Source"
FIELD_STYLE = "Coder Field"
NOTE_STYLE = "Coder Note"
TABLE_NOTE_STYLE = "CoderTableNote"  # the id: notes under tables and figures
TOC_INSTR = 'TOC \\o "1-9" \\h \\z'
Chunk = str | Callable[[], Iterable[str]]


def text_width_cm(page_size: str) -> float:
    return 21.59 - 5.08 if page_size == "Letter" else 16.0


# ============================================================================ styles


def _style_xml(
    style_id: str, name: str, based_on: str, ppr: str = "", rpr: str = "", extra: str = ""
) -> str:
    return (
        f'<w:style xmlns:w="{W_NS}" w:type="paragraph" w:customStyle="1" w:styleId="{style_id}">'
        f'<w:name w:val="{name}"/><w:basedOn w:val="{based_on}"/><w:next w:val="Normal"/>'
        f"{extra}<w:qFormat/>{f'<w:pPr>{ppr}</w:pPr>' if ppr else ''}"
        f"{f'<w:rPr>{rpr}</w:rPr>' if rpr else ''}</w:style>"
    )


def _add_styles(doc: DocxDocument) -> None:
    from docx.oxml import parse_xml
    from docx.shared import Pt

    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    root = doc.styles.element
    have = {s.style_id for s in doc.styles}
    styles = [
        _style_xml(
            "CoderQuote",
            QUOTE_STYLE,
            "Normal",
            '<w:spacing w:before="160" w:after="20"/><w:ind w:left="340"/>',
            '<w:sz w:val="21"/><w:szCs w:val="21"/>',
        ),
        _style_xml(
            "CoderSource",
            SOURCE_STYLE,
            "Normal",
            '<w:spacing w:after="120"/><w:ind w:left="340"/>',
            '<w:i/><w:iCs/><w:color w:val="595959"/><w:sz w:val="17"/><w:szCs w:val="17"/>',
        ),
        _style_xml(
            "CoderNote",
            NOTE_STYLE,
            "Normal",
            '<w:spacing w:before="0" w:after="60"/><w:ind w:left="680"/>',
            '<w:color w:val="404040"/><w:sz w:val="18"/><w:szCs w:val="18"/>',
        ),
        _style_xml("CoderField", FIELD_STYLE, "Normal", '<w:spacing w:after="60"/>'),
        _style_xml(
            "CoderTableNote",
            "Coder Table Note",
            "Normal",
            '<w:spacing w:before="60" w:after="240"/>',
            '<w:i/><w:iCs/><w:color w:val="404040"/><w:sz w:val="17"/><w:szCs w:val="17"/>',
        ),
    ]
    # Sub-headings that are not in the contents (quote groups, the codebook appendix): like
    # Heading N, with its outline level (so navigation and PDF bookmarks nest them and no
    # level is skipped), but not a built-in heading style, which TOC \o lists.
    for level in range(2, 10):
        styles.append(
            _style_xml(
                f"CoderHeading{level}",
                f"Coder Heading {level}",
                f"Heading{level}",
                f'<w:keepNext/><w:keepLines/><w:outlineLvl w:val="{level - 1}"/>',
            )
        )
    # Word's contents styles ("toc 1".. is the name Word and LibreOffice recognise).
    for level in range(1, 10):
        indent = f'<w:ind w:left="{220 * (level - 1)}"/>' if level > 1 else ""
        styles.append(
            f'<w:style xmlns:w="{W_NS}" w:type="paragraph" w:styleId="TOC{level}">'
            f'<w:name w:val="toc {level}"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/>'
            '<w:autoRedefine/><w:uiPriority w:val="39"/><w:unhideWhenUsed/>'
            f'<w:pPr><w:spacing w:before="0" w:after="40"/>{indent}</w:pPr></w:style>'
        )
    for xml in styles:
        style_id = re.search(r'w:styleId="([^"]+)"', xml).group(1)  # type: ignore[union-attr]
        if style_id not in have:
            root.append(parse_xml(xml))


# ============================================================================ the body


@dataclass
class TocEntry:
    level: int
    text: str
    anchor: str


@dataclass
class Body:
    """The report's body as XML chunks, in order: strings, or callables that yield strings
    when the package is written (quotes, the contents list)."""

    chunks: list[Chunk] = field(default_factory=list)
    toc: list[TocEntry] = field(default_factory=list)
    _bookmarks: int = 0

    def add(self, chunk: Chunk) -> None:
        self.chunks.append(chunk)

    def heading(self, text: str, level: int, in_contents: bool = True) -> None:
        """A heading (Heading 1-9), kept with what follows. Listed in the contents unless
        ``in_contents`` is False (then a "Coder Heading N" of the same outline level)."""
        level = min(max(level, 1), 9)
        text = clean(text).strip() or "—"
        if not in_contents and level > 1:
            style = f"CoderHeading{level}"
        else:
            style = f"Heading{level}"
        content = runs(text)
        if in_contents or level == 1:
            self._bookmarks += 1
            anchor = f"_Toc{self._bookmarks:09d}"
            content = bookmark(content, anchor, self._bookmarks)
            self.toc.append(TocEntry(level, text, anchor))
        props = Para(style=style, keep_next=True, keep_lines=True)
        self.add(paragraph(content, props, direction_of=text))

    def contents(self) -> None:
        """The contents list, filled in with every heading when the body is written."""
        self.add(lambda: [contents_xml(self.toc)])


def contents_xml(entries: list[TocEntry]) -> str:
    """The TOC field's result: one linked paragraph per heading, in "toc N" styles; the field
    begins in the first paragraph and ends in the last."""
    if not entries:
        return paragraph(field_code(TOC_INSTR, "No headings."))
    out = []
    last = len(entries) - 1
    for i, e in enumerate(entries):
        begin = (
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {escape(TOC_INSTR)} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            if i == 0
            else ""
        )
        end = '<w:r><w:fldChar w:fldCharType="end"/></w:r>' if i == last else ""
        link = hyperlink(e.anchor, runs(e.text, Fmt(no_proof=True)))
        out.append(paragraph(begin + link + end, Para(style=f"TOC{e.level}"), direction_of=e.text))
    return "".join(out)


# ============================================================================ the package


def new_document(title: str, author: str, page_size: str = "A4") -> DocxDocument:
    """A python-docx Document: page size and margins, styles, "Page X of Y" footer."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.shared import Cm, Inches, Length

    doc = Document()
    section = doc.sections[0]
    margin: Length
    if page_size == "Letter":
        section.page_width, section.page_height = Inches(8.5), Inches(11)
        margin = Inches(1)
    else:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        margin = Cm(2.5)
    section.left_margin = section.right_margin = margin
    section.top_margin = section.bottom_margin = margin
    section.different_first_page_header_footer = True
    _add_styles(doc)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    xml = runs("Page ") + field_code("PAGE", "1") + runs(" of ") + field_code("NUMPAGES", "1")
    for el in parse_xml(f'<w:p xmlns:w="{W_NS}">{xml}</w:p>'):
        footer._p.append(el)
    doc.core_properties.title = clean(title)
    doc.core_properties.author = clean(author)
    return doc


def _core_xml(title: str, author: str, version: str) -> str:
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        "<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{xml_text(title)}</dc:title><dc:creator>{xml_text(author)}</dc:creator>"
        f"<cp:lastModifiedBy>{xml_text(author)}</cp:lastModifiedBy>"
        f"<dc:description>Written by Coder {xml_text(version)}</dc:description>"
        "<cp:revision>1</cp:revision>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def _app_xml(version: str) -> str:
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        "<Properties "
        'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"<Application>Coder {xml_text(version)}</Application><DocSecurity>0</DocSecurity>"
        f"<AppVersion>{xml_text(_app_version(version))}</AppVersion></Properties>"
    )


def _app_version(version: str) -> str:
    """``AppVersion`` must look like "XX.YYYY" (Word checks the form)."""
    parts = [int(p) for p in re.findall(r"\d+", version)[:2]] + [0, 0]
    return f"{parts[0]:02d}.{parts[1]:04d}"


def _font_table(xml: str) -> str:
    """The font table with the emoji font and the names to try in its place."""
    alternatives = "".join(f'<w:altName w:val="{n}"/>' for n in EMOJI_FONT_ALTERNATIVES[:1])
    entry = (
        f'<w:font w:name="{EMOJI_FONT}">{alternatives}<w:charset w:val="00"/>'
        '<w:family w:val="swiss"/><w:pitch w:val="variable"/></w:font>'
    )
    return xml.replace("</w:fonts>", entry + "</w:fonts>", 1)


def _drop_thumbnail(doc: DocxDocument) -> None:
    """python-docx's template carries a thumbnail of an empty page; a report has none."""
    package = doc.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            package.rels.pop(rel_id)


def save(doc: DocxDocument, body: Body, path: Path, title: str, author: str, version: str) -> None:
    """Write the package to ``path``: the body chunks streamed into ``word/document.xml``
    (before the section properties), the properties and the font table completed."""
    _drop_thumbnail(doc)
    buf = io.BytesIO()
    doc.save(buf)
    buf.seek(0)
    with (
        zipfile.ZipFile(buf) as zin,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=3) as zout,
    ):
        for item in zin.infolist():
            name = item.filename
            data = zin.read(name)
            if name == "docProps/core.xml":
                data = _core_xml(title, author, version).encode("utf-8")
            elif name == "docProps/app.xml":
                data = _app_xml(version).encode("utf-8")
            elif name == "word/fontTable.xml":
                data = _font_table(data.decode("utf-8")).encode("utf-8")
            if name != "word/document.xml":
                zout.writestr(item, data)
                continue
            xml = data.decode("utf-8")
            split = xml.index("<w:sectPr")
            info = zipfile.ZipInfo(name, date_time=item.date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            with zout.open(info, "w", force_zip64=True) as out:
                out.write(xml[:split].encode("utf-8"))
                for chunk in _chunks(body):
                    out.write(chunk.encode("utf-8"))
                out.write(xml[split:].encode("utf-8"))


def _chunks(body: Body) -> Iterator[str]:
    batch: list[str] = []
    size = 0
    for chunk in body.chunks:
        pieces = [chunk] if isinstance(chunk, str) else chunk()
        for piece in pieces:
            batch.append(piece)
            size += len(piece)
            if size > 1 << 16:
                yield "".join(batch)
                batch, size = [], 0
    if batch:
        yield "".join(batch)


def word_styles(doc: DocxDocument) -> dict[str, str]:
    """Style ids by name (python-docx scans every style on each lookup by name)."""
    return {s.name: s.style_id for s in doc.styles}


__all__ = ["Body", "new_document", "save", "text_width_cm"]
