"""The report's quotes: written as escaped XML templates and streamed into
``word/document.xml`` when the package is saved (see :mod:`coder.core.export.docx_report`)."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from coder.core.export.docx_options import ReportOptions
from coder.core.export.docx_style import clean, format_time
from coder.core.query import Sources

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

    from coder.core.project import Project


def placeholder_re(token: str) -> re.Pattern[str]:
    """The whole paragraph holding ``@@token-CODE_ID@@`` (the token is random per report, so
    no text in the project can imitate it)."""
    return re.compile(rf"<w:p>(?:(?!</w:p>).)*?@@{token}-(\d+)@@(?:(?!</w:p>).)*?</w:p>", re.S)


@dataclass
class Quote:
    document_id: int
    start: int
    end: int
    coder_ids: list[int]


class QuoteWriter:
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


def save_streaming(
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
