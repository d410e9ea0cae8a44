"""Native Word charts: a DrawingML chart part with its data in an embedded workbook.

A chart written this way is a real chart in Word and LibreOffice: vector, its labels set in
the document's fonts, restyled with the application's chart tools, and "Edit Data" opens the
numbers in a spreadsheet. The part is ``word/charts/chartN.xml`` (a ``c:chartSpace`` holding
the data as cached values, which is what Word and LibreOffice draw), related to the workbook
``word/embeddings/chartN.xlsx`` and placed in the text by an inline ``c:chart`` graphic with
alt text.

The workbook is a one-sheet SpreadsheetML package written here (a few hundred bytes of XML):
importing a spreadsheet library for it would cost more time than the whole report takes.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from coder.core.export.report.wordml import clean, xml_text

C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CT_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RT_CHART = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
RT_PACKAGE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package"
EMU_PER_CM = 360_000
SHEET = "Sheet1"
DEFAULT_COLOR = "4F81BD"
FONT = "Calibri"  # the report's body font
_FONTS = f'<a:latin typeface="{FONT}"/><a:cs typeface="{FONT}"/>'


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart: one bar per category, first category on top.

    ``values`` are drawn with ``number_format`` (an Excel format code) on the bars' labels
    and the value axis; ``colors`` (``#RRGGBB`` or ``RRGGBB``) colour each bar.
    """

    categories: Sequence[str]
    values: Sequence[float]
    series_name: str
    axis_title: str
    colors: Sequence[str] = ()
    number_format: str = '0.0"%"'
    axis_max: float | None = None
    font_size: float = 9.0  # points

    def __post_init__(self) -> None:
        if len(self.categories) != len(self.values):
            raise ValueError("a bar chart needs one value per category")


def _color(value: str) -> str:
    c = (value or "").strip().lstrip("#").upper()
    if len(c) == 6 and all(ch in "0123456789ABCDEF" for ch in c):
        return c
    return DEFAULT_COLOR


def _num(value: float) -> str:
    return repr(float(value)) if math.isfinite(value) else "0"


def _text_props(size: float, bold: bool = False) -> str:
    b = ' b="1"' if bold else ' b="0"'
    return (
        "<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr>"
        f'<a:defRPr sz="{round(size * 100)}"{b}><a:solidFill><a:srgbClr val="333333"/>'
        f'</a:solidFill>{_FONTS}</a:defRPr></a:pPr><a:endParaRPr lang="en-US"/></a:p></c:txPr>'
    )


def _shape(fill: str, line: str = "595959") -> str:
    return (
        f'<c:spPr><a:solidFill><a:srgbClr val="{fill}"/></a:solidFill>'
        f'<a:ln w="6350"><a:solidFill><a:srgbClr val="{line}"/></a:solidFill></a:ln></c:spPr>'
    )


def _str_cache(values: Sequence[str]) -> str:
    points = "".join(
        f'<c:pt idx="{i}"><c:v>{escape(clean(v))}</c:v></c:pt>' for i, v in enumerate(values)
    )
    return f'<c:strCache><c:ptCount val="{len(values)}"/>{points}</c:strCache>'


def _num_cache(values: Sequence[float], fmt: str) -> str:
    points = "".join(f'<c:pt idx="{i}"><c:v>{_num(v)}</c:v></c:pt>' for i, v in enumerate(values))
    return (
        f"<c:numCache><c:formatCode>{escape(fmt)}</c:formatCode>"
        f'<c:ptCount val="{len(values)}"/>{points}</c:numCache>'
    )


def chart_xml(chart: BarChart) -> str:
    """The ``c:chartSpace`` of ``chart`` (the chart part's XML, UTF-8 declaration included)."""
    n = len(chart.values)
    last = n + 1
    fmt = xml_text(chart.number_format)
    colors = [_color(chart.colors[i] if i < len(chart.colors) else "") for i in range(n)]
    points = "".join(
        f'<c:dPt><c:idx val="{i}"/><c:invertIfNegative val="0"/><c:bubble3D val="0"/>'
        f"{_shape(c)}</c:dPt>"
        for i, c in enumerate(colors)
    )
    labels = (
        f'<c:dLbls><c:numFmt formatCode="{fmt}" sourceLinked="0"/>'
        "<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>"
        f'{_text_props(chart.font_size - 0.5)}<c:dLblPos val="outEnd"/>'
        '<c:showLegendKey val="0"/><c:showVal val="1"/><c:showCatName val="0"/>'
        '<c:showSerName val="0"/><c:showPercent val="0"/><c:showBubbleSize val="0"/></c:dLbls>'
    )
    series = (
        '<c:ser><c:idx val="0"/><c:order val="0"/>'
        f"<c:tx><c:strRef><c:f>{SHEET}!$B$1</c:f>{_str_cache([chart.series_name])}</c:strRef></c:tx>"
        f'{_shape(DEFAULT_COLOR)}<c:invertIfNegative val="0"/>{points}{labels}'
        f"<c:cat><c:strRef><c:f>{SHEET}!$A$2:$A${last}</c:f>"
        f"{_str_cache(chart.categories)}</c:strRef></c:cat>"
        f"<c:val><c:numRef><c:f>{SHEET}!$B$2:$B${last}</c:f>"
        f"{_num_cache(chart.values, chart.number_format)}</c:numRef></c:val></c:ser>"
    )
    scale_max = f'<c:max val="{_num(chart.axis_max)}"/>' if chart.axis_max is not None else ""
    grid = '<c:majorGridlines><c:spPr><a:ln w="3175"><a:solidFill><a:srgbClr val="D9D9D9"/>'
    grid += "</a:solidFill></a:ln></c:spPr></c:majorGridlines>"
    axis_line = '<c:spPr><a:ln w="6350"><a:solidFill><a:srgbClr val="808080"/></a:solidFill>'
    axis_line += "</a:ln></c:spPr>"
    title = (
        "<c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr>"
        f'<a:defRPr sz="{round(chart.font_size * 100)}" b="0"/></a:pPr><a:r><a:rPr lang="en-US" '
        f'sz="{round(chart.font_size * 100)}" b="0">{_FONTS}</a:rPr>'
        f"<a:t>{xml_text(chart.axis_title)}</a:t></a:r>"
        '</a:p></c:rich></c:tx><c:overlay val="0"/></c:title>'
    )
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        f'<c:chartSpace xmlns:c="{C_NS}" xmlns:a="{A_NS}" xmlns:r="{R_NS}">'
        '<c:date1904 val="0"/><c:lang val="en-US"/><c:roundedCorners val="0"/>'
        '<c:chart><c:autoTitleDeleted val="1"/><c:plotArea><c:layout/>'
        '<c:barChart><c:barDir val="bar"/><c:grouping val="clustered"/><c:varyColors val="0"/>'
        f'{series}<c:gapWidth val="50"/><c:axId val="50010001"/><c:axId val="50010002"/>'
        "</c:barChart>"
        '<c:catAx><c:axId val="50010001"/><c:scaling><c:orientation val="maxMin"/></c:scaling>'
        '<c:delete val="0"/><c:axPos val="l"/><c:numFmt formatCode="General" sourceLinked="0"/>'
        '<c:majorTickMark val="none"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        f"{axis_line}{_text_props(chart.font_size)}"
        '<c:crossAx val="50010002"/><c:crosses val="autoZero"/><c:auto val="1"/>'
        '<c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:tickLblSkip val="1"/>'
        '<c:noMultiLvlLbl val="0"/></c:catAx>'
        '<c:valAx><c:axId val="50010002"/><c:scaling><c:orientation val="minMax"/>'
        f'{scale_max}<c:min val="0"/></c:scaling><c:delete val="0"/><c:axPos val="b"/>{grid}'
        f'{title}<c:numFmt formatCode="{fmt.replace("0.0", "0")}" sourceLinked="0"/>'
        '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        f"{axis_line}{_text_props(chart.font_size - 0.5)}"
        '<c:crossAx val="50010001"/><c:crosses val="max"/><c:crossBetween val="between"/>'
        "</c:valAx>"
        "<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr></c:plotArea>"
        '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>'
        '<c:spPr><a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill><a:ln><a:noFill/></a:ln>'
        "</c:spPr>"
        f"{_text_props(chart.font_size)}"
        '<c:externalData r:id="rId1"><c:autoUpdate val="0"/></c:externalData>'
        "</c:chartSpace>"
    )


# ============================================================================ the workbook

_FIXED_DATE = (2000, 1, 1, 0, 0, 0)  # the same bytes for the same data


def _column(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def workbook_xlsx(headers: Sequence[str], rows: Sequence[Sequence[str | float]]) -> bytes:
    """A one-sheet .xlsx (sheet ``Sheet1``): ``headers`` in row 1, then ``rows``; strings as
    inline strings, numbers as numbers."""

    def cell(ref: str, value: str | float) -> str:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return f'<c r="{ref}"><v>{_num(value)}</v></c>'
        text = escape(clean(str(value)))
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'

    lines = []
    table: list[list[str | float]] = [list(headers), *[list(row) for row in rows]]
    for r, values in enumerate(table, start=1):
        cells = "".join(cell(f"{_column(c)}{r}", v) for c, v in enumerate(values))
        lines.append(f'<row r="{r}">{cells}</row>')
    sml = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    head = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    sheet = (
        f'{head}<worksheet xmlns="{sml}"><cols><col min="1" max="1" width="40" customWidth="1"/>'
        f'<col min="2" max="{max(len(headers), 2)}" width="14" customWidth="1"/></cols>'
        f"<sheetData>{''.join(lines)}</sheetData></worksheet>"
    )
    workbook = (
        f'{head}<workbook xmlns="{sml}" xmlns:r="{R_NS}"><sheets>'
        f'<sheet name="{SHEET}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    pkg = "http://schemas.openxmlformats.org/package/2006"
    ooxml = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    types = (
        f'{head}<Types xmlns="{pkg}/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{ooxml}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ooxml}.worksheet+xml"/>'
        "</Types>"
    )
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    root_rels = (
        f'{head}<Relationships xmlns="{pkg}/relationships">'
        f'<Relationship Id="rId1" Type="{office}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    book_rels = (
        f'{head}<Relationships xmlns="{pkg}/relationships">'
        f'<Relationship Id="rId1" Type="{office}/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        members: list[tuple[str, str]] = [
            ("[Content_Types].xml", types),
            ("_rels/.rels", root_rels),
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", book_rels),
            ("xl/worksheets/sheet1.xml", sheet),
        ]
        for name, data in members:
            z.writestr(zipfile.ZipInfo(name, _FIXED_DATE), data.encode("utf-8"))
    return buf.getvalue()


def chart_workbook(chart: BarChart) -> bytes:
    return workbook_xlsx(
        ["Code", chart.series_name],
        [[c, v] for c, v in zip(chart.categories, chart.values, strict=True)],
    )


# ============================================================================ in the document


def add_chart(document_part: object, chart: BarChart) -> str:
    """Add ``chart`` (part and workbook) to a python-docx document part; returns the
    relationship id the inline graphic refers to."""
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    package = document_part.package  # type: ignore[attr-defined]
    taken = {p.partname for p in package.iter_parts()}
    n = 1
    while PackURI(f"/word/charts/chart{n}.xml") in taken:
        n += 1
    chart_part = Part(
        PackURI(f"/word/charts/chart{n}.xml"), CT_CHART, chart_xml(chart).encode("utf-8"), package
    )
    book = Part(PackURI(f"/word/embeddings/chart{n}.xlsx"), CT_XLSX, chart_workbook(chart), package)
    rid = chart_part.relate_to(book, RT_PACKAGE)
    assert rid == "rId1", rid  # the chartSpace's externalData names it
    return document_part.relate_to(chart_part, RT_CHART)  # type: ignore[attr-defined]


def inline_chart(
    rid: str, shape_id: int, width_cm: float, height_cm: float, title: str, description: str
) -> str:
    """A run holding the chart as an inline graphic, with alt text (``title`` and
    ``description`` on ``wp:docPr``, which Word shows as the chart's alternative text)."""
    cx, cy = round(width_cm * EMU_PER_CM), round(height_cm * EMU_PER_CM)
    return (
        f'<w:r><w:drawing><wp:inline xmlns:wp="{WP_NS}" distT="0" distB="0" distL="0" distR="0">'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{shape_id}" name="Chart {shape_id}" title="{xml_text(title)}" '
        f'descr="{xml_text(description)}"/><wp:cNvGraphicFramePr/>'
        f'<a:graphic xmlns:a="{A_NS}"><a:graphicData uri="{C_NS}">'
        f'<c:chart xmlns:c="{C_NS}" xmlns:r="{R_NS}" r:id="{rid}"/>'
        "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
    )
