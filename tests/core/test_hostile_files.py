"""Files from strangers: every reader stops at the documented limits with one line.

The hostile files are generated here (benchmarks/bombs.py), never committed. Each limit is
crossed once with the real limits (the bombs that once took minutes and gigabytes), and the
cheaper checks run with smaller :class:`Limits`. The last test runs every bomb at full size in
a fresh process and checks its peak memory.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from benchmarks import bombs
from coder.core.attributes import read_table
from coder.core.errors import ImportFailed
from coder.core.importers import read_document
from coder.core.limits import LIMITS, MB, Limits, over_limit, repeat_count, size_text
from tests.builders import pdf_bytes


def refused(path: Path, *, limits: Limits = LIMITS) -> str:
    """The one-line message of a document the importer refuses (naming the file)."""
    with pytest.raises(ImportFailed) as info:
        read_document(path, limits=limits)
    message = str(info.value)
    assert "\n" not in message and path.name in message, message
    for python_speak in ("Error", "int too large", "XML_PARSE_HUGE", "Traceback"):
        assert python_speak not in message, message
    return message


def table_refused(path: Path, *, limits: Limits = LIMITS) -> str:
    with pytest.raises(ImportFailed) as info:
        read_table(path, limits)
    message = str(info.value)
    assert "\n" not in message and path.name in message, message
    return message


# --------------------------------------------------------------------------- the numbers


def test_sizes_read_well_and_never_hide_a_difference() -> None:
    assert size_text(50 * MB) == "50 MB"
    assert size_text(int(1.5 * 1024 * MB)) == "1.5 GB"
    assert size_text(358 * 1024) == "358 KB"
    assert over_limit(70 * MB, 64 * MB) == "70 MB, over the limit of 64 MB"
    # not "50 MB, more than the limit of 50 MB"
    assert over_limit(50 * MB + 1, 50 * MB) == (
        "52,428,801 bytes, over the limit of 50 MB (52,428,800 bytes)"
    )


def test_a_file_one_byte_over_the_size_limit_says_so(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 1025)
    message = refused(path, limits=Limits(file_bytes=1024))
    assert "1,025 bytes, over the limit of 1 KB (1,024 bytes)" in message


@pytest.mark.parametrize(
    ("value", "expected"), [(None, 1), ("", 1), ("3", 3), (" 10000 ", 10_000), ("0", 0)]
)
def test_repeat_counts_within_the_limit(value: str | None, expected: int) -> None:
    assert repeat_count(value) == expected


@pytest.mark.parametrize("value", ["10001", "2000000000", "9" * 400])
def test_repeat_counts_over_the_limit(value: str) -> None:
    from coder.core.limits import LimitExceeded

    with pytest.raises(LimitExceeded, match="over the limit of 10,000"):
        repeat_count(value)


# --------------------------------------------------------------------------- Word


def test_docx_unpacking_past_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = bombs.docx_xml(tmp_path, xml_bytes=LIMITS.unpacked_bytes + MB)
    assert path.stat().st_size < LIMITS.unpacked_bytes // 100
    message = refused(path)
    assert "word/document.xml unpacks to 66 MB, over the limit of 64 MB" in message


def test_docx_text_past_the_character_limit_stops_while_reading(tmp_path: Path) -> None:
    # 21 million characters in 21 MB of XML: under the unpacked limit, over the characters one.
    path = bombs.docx_characters(tmp_path, characters=LIMITS.characters + MB)
    assert "longer than 20,000,000 characters" in refused(path)


def test_docx_with_too_many_parts_is_refused_from_its_directory(tmp_path: Path) -> None:
    path = tmp_path / "parts.docx"
    with zipfile.ZipFile(path, "w") as z:
        for i in range(12):
            z.writestr(f"word/media/{i}.bin", b"")
    assert "12 members, over the limit of 10" in refused(path, limits=Limits(members=10))


def test_a_word_file_that_declares_a_doctype_is_refused(tmp_path: Path) -> None:
    body = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><w:document xmlns:w="'
        + bombs.W_NS.encode()
        + b'"><w:body><w:p><w:r><w:t>&a;</w:t></w:r></w:p></w:body></w:document>'
    )
    path = tmp_path / "doctype.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", body)
    refused(path)


def test_another_office_file_named_docx_is_refused(tmp_path: Path) -> None:
    path = bombs.xlsx_dimension(tmp_path).rename(tmp_path / "sheet.docx")
    assert "not a Word document" in refused(path)


# --------------------------------------------------------------------------- OpenDocument


def test_odt_two_billion_spaces(tmp_path: Path) -> None:
    message = refused(bombs.odt_spaces(tmp_path))
    assert "repeats content 2,000,000,000 times in one place, over the limit of 10,000" in message


def test_odt_a_billion_repeated_cells(tmp_path: Path) -> None:
    assert "1,000,000,000 times" in refused(bombs.odt_columns(tmp_path))


def test_odt_a_repeat_count_too_long_for_any_integer(tmp_path: Path) -> None:
    path = tmp_path / "long.odt"
    path.write_bytes(bombs._odt_bytes(b'<text:p>a<text:s text:c="%s"/></text:p>' % (b"9" * 400)))
    assert "more than 10^30 times" in refused(path)


def test_odt_repeats_within_the_limit_still_count_their_characters(tmp_path: Path) -> None:
    path = bombs.odt_columns(tmp_path, count=5_000)  # "x" five thousand times
    assert read_document(path).text == "\t".join(["x"] * 5_000)
    assert "longer than 1,000 characters" in refused(path, limits=Limits(characters=1_000))


def test_odt_empty_cells_repeated_to_the_sheet_width_are_fine(tmp_path: Path) -> None:
    body = (
        b"<table:table><table:table-row><table:table-cell><text:p>a</text:p></table:table-cell>"
        b'<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
        b"</table:table><text:p>after</text:p>"
    )
    path = tmp_path / "padded.odt"
    path.write_bytes(bombs._odt_bytes(body))
    assert read_document(path).text == "a\nafter"


def test_odt_inside_a_qdpx_is_skipped_with_its_reason(tmp_path: Path, fresh_project) -> None:
    from coder.core.refi import import_qdpx

    result = import_qdpx(fresh_project, bombs.qdpx_with_odt(tmp_path))
    reasons = " ".join(why for _what, why in result.skipped)
    assert "1,000,000,000 times" in reasons
    assert fresh_project.documents() == []


# --------------------------------------------------------------------------- PDF, subtitles


def test_pdf_pages_sharing_one_huge_stream_stop_before_parsing(tmp_path: Path) -> None:
    path = bombs.pdf_pages(tmp_path, pages=50, stream_bytes=LIMITS.unpacked_bytes + MB)
    assert "more than 64 MB of drawing instructions" in refused(path)


def test_pdf_text_counts_against_the_character_limit(tmp_path: Path) -> None:
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf_bytes([f"Line {i} of the text layer." for i in range(40)]))
    assert "longer than 200 characters" in refused(path, limits=Limits(characters=200))


def cues(n: int, vtt: bool) -> str:
    sep = "." if vtt else ","
    blocks = [
        f"{i + 1}\n00:00:{i % 60:02d}{sep}000 --> 00:00:{i % 60:02d}{sep}500\ncue {i}"
        for i in range(n)
    ]
    return ("WEBVTT\n\n" if vtt else "") + "\n\n".join(blocks) + "\n"


@pytest.mark.parametrize("ext", [".vtt", ".srt"])
def test_subtitles_past_the_cue_limit(tmp_path: Path, ext: str) -> None:
    path = tmp_path / f"many{ext}"
    path.write_text(cues(150, ext == ".vtt"), encoding="utf-8")
    assert len(read_document(path).turns) == 150
    assert "more than 100 cues" in refused(path, limits=Limits(turns=100))


def test_speaker_lines_past_the_turn_limit_import_without_turns(tmp_path: Path) -> None:
    path = tmp_path / "turns.txt"
    path.write_text("Anna: hello\nBen: hi\n" * 30, encoding="utf-8")
    result = read_document(path, limits=Limits(turns=50))
    assert result.turns == [] and result.text.startswith("Anna: hello")
    assert result.warnings == (
        "speaker turns were not detected: it has more than 50 speaker lines, the limit for "
        "one document",
    )


# --------------------------------------------------------------------------- attribute tables


def test_csv_of_twenty_thousand_columns(tmp_path: Path) -> None:
    message = table_refused(bombs.csv_columns(tmp_path))
    assert "20,001 columns, over the limit of 1,000" in message


def test_xlsx_unpacking_past_the_limit(tmp_path: Path) -> None:
    path = bombs.xlsx_cells(tmp_path, xml_bytes=LIMITS.unpacked_bytes + MB)
    assert "xl/worksheets/sheet1.xml unpacks to" in table_refused(path)


def test_xlsx_whose_dimension_claims_the_whole_sheet(tmp_path: Path) -> None:
    assert "16,384 columns" in table_refused(bombs.xlsx_dimension(tmp_path))


def test_xlsx_with_a_row_numbered_far_out(tmp_path: Path) -> None:
    assert "rows past row 1,048,576" in table_refused(bombs.xlsx_rows(tmp_path))


def test_xlsx_cells_past_the_limit(tmp_path: Path) -> None:
    path = bombs.xlsx_cells(tmp_path, xml_bytes=200_000)  # about a thousand rows of ten
    assert "more than 1,000 cells" in table_refused(path, limits=Limits(cells=1_000))
    assert len(read_table(path)) > 1_000


def test_table_rows_padded_with_empty_cells_are_not_wide(tmp_path: Path) -> None:
    path = tmp_path / "padded.csv"
    path.write_text("case,age" + "," * 3000 + "\nAnna,40" + "," * 3000 + "\n", encoding="utf-8")
    rows = read_table(path)
    assert rows[1] == ["Anna", "40"]


# --------------------------------------------------------------------------- whole bombs


@pytest.mark.parametrize("bomb", bombs.BOMBS, ids=[b.name for b in bombs.BOMBS])
def test_every_bomb_stops_with_one_line_in_little_memory(tmp_path: Path, bomb) -> None:
    """The attacks, each in a fresh `coder` process, just big enough to cross their limit:
    one line, exit 1 (a .qdpx source is skipped and listed), no project left behind, and a
    peak memory far from the gigabytes they once took (the process alone is about 40 MB).
    `python -m benchmarks --only bombs` runs them at the size of the original attacks."""
    outcome = bombs.measure(bomb, tmp_path, timeout=240, memory_gb=4, small=True)
    assert outcome.returncode is not None, f"{bomb.name} still ran after 240 s"
    assert outcome.message and "Traceback" not in outcome.message
    assert outcome.peak_mb < 300, outcome
    if bomb.name.startswith("qdpx"):
        assert outcome.returncode == 0 and "skipped source" in outcome.message
    else:
        assert outcome.returncode == 1, outcome
        assert any(w in outcome.message for w in ("over the limit", "the limit for", "holds")), (
            outcome
        )
    assert not (tmp_path / f"{bomb.name}.coder").exists() or bomb.command[0] == "cases"


# --------------------------------------------------------------------------- reading right


def _python_docx_text(path: Path) -> str:
    """The reading the streaming .docx reader must give: python-docx's, as Coder used it."""
    import docx
    from docx.table import Table

    lines: list[str] = []
    for block in docx.Document(str(path)).iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells, previous = [], None
                for cell in row.cells:
                    if cell._tc is previous:
                        continue
                    previous = cell._tc
                    cells.append(" ".join(p.text.replace("\n", " ") for p in cell.paragraphs))
                lines.append("\t".join(cells))
        else:
            lines.append(block.text)
    return "\n".join(lines)


def _rich_docx(path: Path) -> Path:
    import docx
    from docx.enum.text import WD_BREAK
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = docx.Document()
    d.add_heading("Interview 7 — Köln", level=1)
    p = d.add_paragraph("Anna: ")
    p.add_run("bold").bold = True
    run = p.add_run(" tab")
    run.add_tab()
    run.add_text("after tab")
    run.add_break()
    run.add_text("line two")
    run.add_break(WD_BREAK.PAGE)
    run.add_text("after page break 😀")
    d.add_paragraph("")
    link = parse_xml(
        f"<w:hyperlink {nsdecls('w', 'r')} r:id='rId99'><w:r><w:t>linked</w:t></w:r>"
        "<w:r><w:noBreakHyphen/><w:t xml:space='preserve'> text </w:t><w:cr/></w:r>"
        "</w:hyperlink>"
    )
    p2 = d.add_paragraph("Ben: see ")
    p2._p.append(link)
    # Tracked insertions and content controls: python-docx does not read them.
    p2._p.append(
        parse_xml(f"<w:ins {nsdecls('w')} w:id='1' w:author='x'><w:r><w:t>ins</w:t></w:r></w:ins>")
    )
    d.element.body.insert(
        len(d.element.body) - 1,
        parse_xml(
            f"<w:sdt {nsdecls('w')}><w:sdtContent><w:p><w:r><w:t>in a control</w:t></w:r></w:p>"
            "</w:sdtContent></w:sdt>"
        ),
    )
    t = d.add_table(rows=3, cols=3)
    for r in range(3):
        for c in range(3):
            t.cell(r, c).text = f"r{r}c{c}"
    t.cell(0, 0).merge(t.cell(0, 1))  # across: gridSpan
    t.cell(1, 2).merge(t.cell(2, 2))  # down: vMerge
    t.cell(2, 0).add_paragraph("second\npara")
    inner = t.cell(2, 1).add_table(rows=1, cols=2)  # nested: not read
    inner.cell(0, 0).text = "nested"
    d.add_paragraph("Anna: last")
    d.save(str(path))
    return path


def test_docx_reading_matches_python_docx(tmp_path: Path) -> None:
    path = _rich_docx(tmp_path / "rich.docx")
    expected = _python_docx_text(path)
    assert "r0c0" in expected and "after page break" in expected
    assert read_document(path, speakers="none").text == expected


def test_docx_reading_matches_python_docx_on_the_benchmark_documents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks import corpus

    monkeypatch.setenv("CODER_BENCH_CACHE", str(tmp_path))
    for path in sorted(corpus.docx_transcripts(2, pages=3).glob("*.docx")):
        assert read_document(path, speakers="none").text == _python_docx_text(path)


def _odfpy_text(path: Path) -> str:
    """The reading the streaming .odt reader must give: the odfpy walk Coder used."""
    from odf.opendocument import load

    text_ns = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    table_ns = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    skipped = "note tracked-changes sequence-decls variable-decls user-field-decls soft-page-break"
    skip = {(text_ns, n) for n in skipped.split()}

    def blocks(element, lines):
        for node in element.childNodes:
            if node.nodeType == 3 or node.qname in skip:
                continue
            if node.qname in ((text_ns, "p"), (text_ns, "h")):
                lines.append(inline(node))
            elif node.qname == (table_ns, "table-row"):
                lines.append(row(node))
            else:
                blocks(node, lines)

    def row(r):
        cells = []
        for cell in r.childNodes:
            if cell.nodeType == 3 or cell.qname != (table_ns, "table-cell"):
                continue
            parts: list[str] = []
            blocks(cell, parts)
            text = " ".join(p.replace("\n", " ") for p in parts)
            repeat = int(cell.getAttrNS(table_ns, "number-columns-repeated") or 1)
            cells.extend([text] * (repeat if text else 1))
        while cells and not cells[-1]:
            cells.pop()
        return "\t".join(cells)

    def inline(element):
        out = []
        for node in element.childNodes:
            if node.nodeType == 3:
                out.append(node.data)
            elif node.qname in skip:
                continue
            elif node.qname == (text_ns, "s"):
                out.append(" " * int(node.getAttrNS(text_ns, "c") or 1))
            elif node.qname == (text_ns, "tab"):
                out.append("\t")
            elif node.qname == (text_ns, "line-break"):
                out.append("\n")
            else:
                out.append(inline(node))
        return "".join(out)

    lines: list[str] = []
    blocks(load(str(path)).text, lines)
    return "\n".join(lines)


def test_odt_reading_matches_the_odfpy_walk(tmp_path: Path) -> None:
    from odf.opendocument import OpenDocumentText
    from odf.table import CoveredTableCell, Table, TableCell, TableRow
    from odf.text import H, LineBreak, List, ListItem, Note, NoteBody, NoteCitation, P, S, Span, Tab

    d = OpenDocumentText()
    d.text.addElement(H(outlinelevel=1, text="Heading ☕"))
    p = P(text="Anna: one")
    p.addElement(S(c=3))
    p.addText("two")
    p.addElement(Tab())
    span = Span(text="spanned ")
    span.addElement(S())
    p.addElement(span)
    p.addElement(LineBreak())
    note = Note(noteclass="footnote")
    note.addElement(NoteCitation(text="1"))
    body = NoteBody()
    body.addElement(P(text="the note is left out"))
    note.addElement(body)
    p.addElement(note)
    p.addText("after")
    d.text.addElement(p)
    items = List()
    for word in ("first", "second"):
        item = ListItem()
        item.addElement(P(text=f"item {word}"))
        items.addElement(item)
    d.text.addElement(items)
    table = Table(name="T")
    for cells in (("a", "", "b"), ("c", None, "")):
        row = TableRow()
        for value in cells:
            if value is None:
                row.addElement(CoveredTableCell())
                continue
            cell = TableCell(numbercolumnsrepeated=2) if value == "b" else TableCell()
            if value:
                cell.addElement(P(text=value))
                cell.addElement(P(text=value + " again"))
            row.addElement(cell)
        table.addElement(row)
    inner = Table(name="Inner")
    inner_row = TableRow()
    for value in ("x", "y"):
        cell = TableCell()
        cell.addElement(P(text=value))
        inner_row.addElement(cell)
    inner.addElement(inner_row)
    holder_row = TableRow()
    holder = TableCell()
    holder.addElement(inner)
    holder_row.addElement(holder)
    table.addElement(holder_row)
    d.text.addElement(table)
    d.text.addElement(P(text="Ben: last"))
    path = tmp_path / "rich.odt"
    d.save(str(path))
    expected = _odfpy_text(path)
    assert "item second" in expected and "x\ty" in expected
    assert read_document(path, speakers="none").text == expected


# --------------------------------------------------------------------------- encodings, cues


def test_utf8_with_one_stray_cp1252_byte_stays_utf8(tmp_path: Path) -> None:
    text = "Zoë: Grüße aus Köln, café.\nBen: ça va — très bien.\n"
    data = text.encode("utf-8").replace(b"bien", b"bi\xe9n")  # one cp1252 "é"
    path = tmp_path / "stray.txt"
    path.write_bytes(data)
    result = read_document(path)
    assert result.text == text.replace("bien", "bi\ufffdn")
    assert result.warnings == (
        "1 byte that is not valid UTF-8 was replaced by U+FFFD (first at line 2, column 21)",
    )


def test_a_real_cp1252_file_is_still_read_as_cp1252(tmp_path: Path) -> None:
    text = "Zoë: Grüße aus Köln, café.\nBen: ça va — très bien.\n"
    path = tmp_path / "legacy.txt"
    path.write_bytes(text.encode("cp1252"))
    result = read_document(path)
    assert result.text == text and result.warnings == ()


def test_ascii_with_word_quotes_is_read_as_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "quotes.txt"
    path.write_bytes(b"Anna: I said \x93no\x94 twice.\n")
    assert read_document(path).text == "Anna: I said \u201cno\u201d twice.\n"


BAD_VTT = """WEBVTT

00:00:01.000 --> 00:00:02.000
<v Anna>First cue is fine.

00:00:61.000 --> 00:00:62.000
<v Ben>Seconds out of range.

00:99:00.000 --> 00:99:05.000
Minutes out of range.

00:00:10.000 --> 00:00:05.000
Reversed cue.

NOTE a comment is not text

00:00:20.000 --> 00:00:21.000
Last good cue.

a line after a blank line inside the cue
"""


def test_vtt_keeps_every_cue_and_warns_about_bad_times(tmp_path: Path) -> None:
    path = tmp_path / "bad.vtt"
    path.write_text(BAD_VTT, encoding="utf-8")
    result = read_document(path)
    assert result.text.split("\n") == [
        "First cue is fine.", "Seconds out of range.", "Minutes out of range.", "Reversed cue.",
        "Last good cue.", "a line after a blank line inside the cue",
    ]  # fmt: skip
    times = [(t.speaker, t.time_start, t.time_end) for t in result.turns]
    assert times == [
        ("Anna", 1.0, 2.0), ("Ben", None, None), (None, None, None), (None, 10.0, None),
        (None, 20.0, 21.0),
    ]  # fmt: skip
    assert result.warnings == (
        "2 cues with times that cannot be read (first at line 6) kept without times",
        "1 cue ending before it starts (first at line 12) kept with the start time only",
        "1 block of text outside any cue (first at line 20) kept as text without times",
    )


def test_srt_with_a_bad_timing_line_keeps_every_cue(tmp_path: Path) -> None:
    path = tmp_path / "bad.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:02,000\nFirst\n\n"
        "2\n00:00:9999999999999999999999:00,000 --> 00:00:03,000\nHuge hours\n\n"
        "3\n0:0:4,5 -> 0:0:5,5\nShort form and a short arrow\n",
        encoding="utf-8",
    )
    result = read_document(path)
    assert result.text == "First\nHuge hours\nShort form and a short arrow"
    assert [(t.time_start, t.time_end) for t in result.turns] == [
        (1.0, 2.0), (None, None), (4.5, 5.5),
    ]  # fmt: skip
    assert result.warnings == (
        "1 cue with times that cannot be read (first at line 6) kept without times",
    )


def test_qdpx_limits_come_from_the_shared_module() -> None:
    from coder.core.refi.safe import DEFAULT_LIMITS

    assert DEFAULT_LIMITS.max_members == LIMITS.members
    assert DEFAULT_LIMITS.max_total_bytes == LIMITS.archive_bytes


def test_the_command_line_prints_each_warning_and_succeeds(tmp_path: Path) -> None:
    from tests.cli.helpers import run

    stray = tmp_path / "stray.txt"
    stray.write_bytes("Zoë: café\nBen: très bien\n".encode().replace(b"bien", b"bi\xe9n"))
    vtt = tmp_path / "bad.vtt"
    vtt.write_text(BAD_VTT, encoding="utf-8")
    result = run("import", str(tmp_path / "p.coder"), str(stray), str(vtt))
    assert result.returncode == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "coder: warning: stray.txt: 1 byte that is not valid UTF-8 was replaced by U+FFFD "
        "(first at line 2, column 13)",
        "coder: warning: bad.vtt: 2 cues with times that cannot be read (first at line 6) kept "
        "without times",
        "coder: warning: bad.vtt: 1 cue ending before it starts (first at line 12) kept with "
        "the start time only",
        "coder: warning: bad.vtt: 1 block of text outside any cue (first at line 20) kept as "
        "text without times",
    ]
    assert "imported stray" in result.stdout and "imported bad" in result.stdout


@pytest.mark.parametrize("columns", [10, 500])
def test_attribute_import_statements_grow_with_rows_not_cells(
    tmp_path: Path, fresh_project, columns: int
) -> None:
    """A wide table (20,000 columns once took minutes: every value looked up among its case's
    values): a few statements per row, whatever the number of columns."""
    path = tmp_path / "wide.csv"
    rows = [["case"] + [f"a{i}" for i in range(columns)]]
    rows += [[f"case {r}"] + [str(r + i) for i in range(columns)] for r in range(30)]
    path.write_text("\n".join(",".join(r) for r in rows), encoding="utf-8")
    statements: list[str] = []
    fresh_project.db.conn.set_trace_callback(statements.append)
    fresh_project.import_attributes(path)
    fresh_project.db.conn.set_trace_callback(None)
    values = fresh_project.attribute_values("case")
    assert len(values) == 30 and all(len(v) == columns for v in values.values())
    # Besides the inserted values themselves: statements per row and per column, not per cell.
    other = [s for s in statements if not s.upper().startswith("INSERT")]
    assert len(other) <= 10 * 30 + 10 * columns, len(other)
