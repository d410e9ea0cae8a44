"""The Word report, the codebook .docx and the quote table, read back with python-docx/openpyxl."""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from lxml import etree

from coder.core.bulk import run_together
from coder.core.export import Cancelled
from coder.core.export.codebook_docx import write_codebook
from coder.core.export.report import ReportOptions, write_report
from coder.core.export.report.quote_section import tint
from coder.core.export.tables import write_quote_table
from coder.core.project import Changes
from coder.core.text import Turn
from tests.builders import style_name

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NARRATIVE = (
    "Interviewer: Why did you leave?\n"
    "{name}: They fought each other all the time. Money was short.\n"
)


def _narrative(i: int) -> str:
    return NARRATIVE.format(name=f"P{i:02d}")


@pytest.fixture
def sixty(fresh_project):
    """60 cases with one narrative each: Infighting coded in 21, Corruption in 13, Empty in none.

    Grievances (a parent) has a child "Ethnic tensions" coded in 5 narratives.
    """
    p = fresh_project
    calls: list[Callable[[], Changes]] = []
    for i in range(1, 61):
        text = _narrative(i)
        turns = [Turn("Interviewer", 0, 31), Turn(f"P{i:02d}", 32, len(text) - 1)]
        calls.append(
            partial(p.add_document, f"Narrative {i:02d}", text, turns=turns, case=f"P{i:02d}")
        )
    run_together(p, calls)
    p.add_attribute("country", "case", "text")
    country = p.find_attribute("country").id
    run_together(
        p,
        [
            partial(p.set_attribute_value, country, c.id, "UK" if int(c.name[1:]) % 2 else "France")
            for c in p.cases()
        ],
    )
    p.add_code(
        "Infighting",
        color="#E53935",
        definition="Fighting between factions.",
        inclusion="Any violence between members.",
        exclusion="Fighting the enemy.",
        example="They fought each other.",
    )
    p.add_code("Corruption", color="#1E88E5")
    p.add_code("Grievances", color="#43A047")
    p.add_code("Ethnic tensions", parent_id=p.find_code("Grievances").id, color="#8E24AA")
    p.add_code("Empty", color="#FDD835")
    codes = {c.name: c.id for c in p.codes()}
    docs = {d.name: d.id for d in p.documents()}
    fought = _narrative(1).index("They fought")
    short = _narrative(1).index("Money was short.")
    calls = []
    for i in range(1, 61):
        doc = docs[f"Narrative {i:02d}"]
        if i <= 21:
            calls.append(
                partial(p.apply_code, doc, codes["Infighting"], fought, fought + 36, coder="kim")
            )
        if i > 47:
            calls.append(
                partial(p.apply_code, doc, codes["Corruption"], short, short + 16, coder="lee")
            )
        if i in (2, 4, 6, 8, 10):
            calls.append(
                partial(
                    p.apply_code, doc, codes["Ethnic tensions"], fought, fought + 10, coder="kim"
                )
            )
    run_together(p, calls)
    p.set_project_memo("Why people leave: a first pass.")
    p.add_memo("Method", "Coded by two people.")
    return p


def _report(project, tmp_path: Path, **options) -> docx.document.Document:
    out = tmp_path / "report.docx"
    write_report(project, out, ReportOptions(**options))
    return docx.Document(str(out))


def _headings(d) -> list[tuple[str, str]]:
    return [
        (style_name(p), p.text)
        for p in d.paragraphs
        if style_name(p).startswith(("Heading", "Title"))
    ]


def _quote_paragraphs(d):
    return [p for p in d.paragraphs if style_name(p) == "Coder Quote"]


def _shaded_runs(paragraph):
    return [
        r
        for r in paragraph._p.iter(qn("w:r"))
        if r.find(f"{qn('w:rPr')}/{qn('w:shd')}") is not None
    ]


def test_report_has_title_toc_and_sections_in_codebook_order(sixty, tmp_path):
    d = _report(sixty, tmp_path, title="Why they left", author="A. Researcher")
    heads = _headings(d)
    assert heads[0] == ("Title", "Why they left")
    h1 = [t for s, t in heads if s == "Heading 1"]
    assert h1 == [
        "Summary",
        "Inter-coder agreement",
        "Codes and quotes",
        "Co-occurrence",
        "Memos",
        "Appendix: codebook",
    ]
    start = heads.index(("Heading 1", "Codes and quotes"))
    codes = [(s, t) for s, t in heads[start:] if s in ("Heading 2", "Heading 3")]
    assert codes[:5] == [
        ("Heading 2", "Infighting"),
        ("Heading 2", "Corruption"),
        ("Heading 2", "Grievances"),
        ("Heading 3", "Ethnic tensions"),
        ("Heading 2", "Empty"),
    ]
    texts = [p.text for p in d.paragraphs]
    assert "Sub-codes: Ethnic tensions (their quotes follow under their own headings)" in texts
    assert "Author: A. Researcher" in texts
    assert "Coders: kim and lee" in texts
    instr = "".join(t.text for t in d.element.body.iter(qn("w:instrText")))
    assert 'TOC \\o "1-9" \\h \\z' in instr
    assert d.settings.element.find(qn("w:updateFields")) is None  # no "update fields?" prompt
    assert d.core_properties.author == "A. Researcher"


def _toc_result(d) -> list:
    """The paragraphs of the TOC field's result, checking the field spans them properly:
    begin, instruction and separate in the first paragraph, end in the last."""
    body = list(d.element.body.iter(qn("w:p")))
    first = next(
        i
        for i, p in enumerate(body)
        if " TOC " in "".join(t.text for t in p.iter(qn("w:instrText")))
    )
    depth, result = 0, []
    for p in body[first:]:
        result.append(p)
        for fc in p.iter(qn("w:fldChar")):
            depth += 1 if fc.get(qn("w:fldCharType")) == "begin" else 0
            depth -= 1 if fc.get(qn("w:fldCharType")) == "end" else 0
        if depth == 0:
            return result
    raise AssertionError("the TOC field never ends")


def _toc_entries(d) -> list[tuple[str, str, str]]:
    """(style, text, bookmark linked) of each contents entry; no page numbers."""
    entries = []
    for p in _toc_result(d):
        link = p.find(qn("w:hyperlink"))
        text = "".join(t.text for t in link.iter(qn("w:t")))
        assert "PAGEREF" not in "".join(t.text for t in p.iter(qn("w:instrText")))
        entries.append((p.pPr.pStyle.val, text, link.get(qn("w:anchor"))))
    return entries


def test_toc_result_lists_the_headings_in_order_linked_to_bookmarks(sixty, tmp_path):
    d = _report(sixty, tmp_path)
    entries = _toc_entries(d)
    assert [(s, t) for s, t, _ in entries] == [
        ("TOC1", "Summary"),
        ("TOC2", "Codings per coder"),
        ("TOC1", "Inter-coder agreement"),
        ("TOC1", "Codes and quotes"),
        ("TOC2", "Infighting"),
        ("TOC2", "Corruption"),
        ("TOC2", "Grievances"),
        ("TOC3", "Ethnic tensions"),
        ("TOC2", "Empty"),
        ("TOC1", "Co-occurrence"),
        ("TOC1", "Memos"),
        ("TOC2", "Project memo"),
        ("TOC2", "Memos"),
        ("TOC3", "Method"),
        ("TOC1", "Appendix: codebook"),
    ]
    # Each entry links to a bookmark around its heading, which carries the same text.
    marks = {}
    for p in d.paragraphs:
        for b in p._p.iter(qn("w:bookmarkStart")):
            marks[b.get(qn("w:name"))] = (style_name(p), p.text)
    assert [marks[name] for _, _, name in entries] == [
        (f"Heading {s[-1]}", t) for s, t, _ in entries
    ]
    assert all(name.startswith("_Toc") for _, _, name in entries)
    assert len({name for _, _, name in entries}) == len(entries)
    # Word's built-in contents styles, indented by level.
    styles = {s.style_id: s for s in d.styles}
    assert [styles[f"TOC{n}"].name.lower() for n in (1, 2, 3)] == ["toc 1", "toc 2", "toc 3"]
    indents = [styles[f"TOC{n}"].paragraph_format.left_indent or 0 for n in (1, 2, 3)]
    assert indents[0] < indents[1] < indents[2]
    kinds = [fc.get(qn("w:fldCharType")) for p in _toc_result(d) for fc in p.iter(qn("w:fldChar"))]
    assert kinds[:2] == ["begin", "separate"] and kinds[-1] == "end"


def test_toc_of_a_selection_and_of_the_codebook_document(sixty, tmp_path):
    only = (sixty.find_code("Corruption").id, sixty.find_code("Empty").id)
    d = _report(sixty, tmp_path, codes=only, include_memos=False)
    texts = [t for _, t, _ in _toc_entries(d)]
    assert texts == [
        "Summary",
        "Inter-coder agreement",
        "Codes and quotes",
        "Corruption",
        "Empty",
        "Co-occurrence",
        "Appendix: codebook",
    ]
    parent = sixty.find_code("Grievances").id
    for i in range(12):
        sixty.add_code(f"Extra {i:02d}", parent_id=parent if i % 2 else None)
    out = tmp_path / "codebook.docx"
    write_codebook(sixty, out)
    d = docx.Document(str(out))
    entries = _toc_entries(d)
    names = [c.name for c in sixty.codes()]
    assert [t for _, t, _ in entries] == names
    depth = {c.name: c.depth for c in sixty.codes()}
    assert [s for s, _, _ in entries] == [f"TOC{depth[t] + 1}" for _, t, _ in entries]


def test_summary_table_counts_documents_and_cases_with_one_decimal(sixty, tmp_path):
    d = _report(sixty, tmp_path)
    table = d.tables[0]
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0] == ["Code", "Codings", "Documents, N = 60", "Cases, N = 60"]
    assert rows[1] == ["Infighting", "21", "21 (35.0%)", "21 (35.0%)"]
    assert rows[2] == ["Corruption", "13", "13 (21.7%)", "13 (21.7%)"]
    assert rows[3] == ["Grievances", "", "", ""]  # its codings are all in its sub-code
    assert rows[4] == ["Ethnic tensions", "5", "5 (8.3%)", "5 (8.3%)"]
    assert rows[5] == ["Empty", "0", "0 (0.0%)", "0 (0.0%)"]
    assert style_name(table) == "Light List Accent 1"


def test_each_quote_is_one_shaded_run_in_a_tint_of_its_code_colour(sixty, tmp_path):
    d = _report(sixty, tmp_path, context=0)
    quotes = _quote_paragraphs(d)
    assert len(quotes) == 21 + 13 + 5
    fills = []
    for q in quotes:
        [run] = _shaded_runs(q)
        rpr = run.find(qn("w:rPr"))
        assert [etree.QName(c).localname for c in rpr] == ["shd"]
        shd = rpr.find(qn("w:shd"))
        assert shd.get(qn("w:val")) == "clear" and shd.get(qn("w:color")) == "auto"
        fills.append(shd.get(qn("w:fill")))
    assert fills[:21] == [tint("#E53935")] * 21
    assert fills[21:34] == [tint("#1E88E5")] * 13
    assert quotes[0].text == "“They fought each other all the time.” (Narrative 01, ¶\u00a02, P01)"
    assert tint("#E53935") == "F5B0AE"  # 40% of the colour, 60% white


def test_quotes_show_context_around_the_shaded_passage(sixty, tmp_path):
    d = _report(sixty, tmp_path, context="turn")
    q = _quote_paragraphs(d)[0]
    assert q.text == (
        "P01: “They fought each other all the time.” Money was short. (Narrative 01, ¶\u00a02, P01)"
    )
    [shaded] = _shaded_runs(q)
    assert "".join(t.text for t in shaded.iter(qn("w:t"))) == "They fought each other all the time."


def test_quotes_name_document_paragraph_speaker_and_their_coder(sixty, tmp_path):
    d = _report(sixty, tmp_path)
    paras = d.paragraphs
    quotes = [i for i, p in enumerate(paras) if style_name(p) == "Coder Quote"]
    assert paras[quotes[0]].text.endswith("(Narrative 01, ¶\u00a02, P01)")
    coders = [paras[i + 1].text for i in quotes]
    assert coders[0] == "Coded by kim" and coders[21] == "Coded by lee"
    assert all(style_name(paras[i + 1]) == "Coder Source" for i in quotes)
    d = _report(sixty, tmp_path, cite=("case", "country"))
    assert _quote_paragraphs(d)[0].text.endswith("(P01, UK)")


def test_subtitle_quotes_give_the_timestamp(fresh_project, tmp_path):
    p = fresh_project
    text = "Hello there.\nWe left in the night.\n"
    p.add_document("Clip", text, turns=[Turn("Ana", 13, 34, 3723.4, 3726.0)], source_format="srt")
    p.add_code("Leaving")
    p.apply_code(1, p.find_code("Leaving").id, 13, 34, coder="kim")
    d = _report(p, tmp_path)
    paras = d.paragraphs
    quote = next(x for x in paras if style_name(x) == "Coder Quote")
    assert quote.text == "“We left in the night.” (Clip, 1:02:03, Ana)"


def test_selection_options_narrow_codes_cases_and_coders(sixty, tmp_path):
    lee = sixty.find_coder("lee").id
    d = _report(sixty, tmp_path, coders=(lee,))
    assert len(_quote_paragraphs(d)) == 13
    cases = tuple(c.id for c in sixty.cases() if c.name in ("P01", "P02", "P50"))
    d = _report(sixty, tmp_path, cases=cases, codes=(sixty.find_code("Infighting").id,))
    assert len(_quote_paragraphs(d)) == 2
    rows = [[c.text for c in r.cells] for r in d.tables[0].rows]
    assert rows[1] == ["Infighting", "2", "2 (66.7%)", "2 (66.7%)"]
    assert "This report covers 1 selected code; cases P01, P02 and P50." in [
        p.text for p in d.paragraphs
    ]


def test_order_by_position_interleaves_documents(fresh_project, tmp_path):
    p = fresh_project
    p.add_document("A", "early words here and late words at the end")
    p.add_document("B", "first bit then the middle part of it all")
    p.add_code("X")
    x = p.find_code("X").id
    late = "early words here and late words at the end".index("at the")
    p.apply_code(1, x, late, late + 6, coder="k")  # A, late
    p.apply_code(2, x, 0, 5, coder="k")  # B, early

    def quoted(d):
        return [q.text.split("”")[0].lstrip("“") for q in _quote_paragraphs(d)]

    by_doc = quoted(_report(p, tmp_path, context=0))
    by_pos = quoted(_report(p, tmp_path, context=0, order="position"))
    assert by_doc == ["at the", "first"] and by_pos == ["first", "at the"]


def test_memos_appendix_and_codebook_appendix(sixty, tmp_path):
    sixty.set_coding_memo(
        sixty.codings(code_ids=[sixty.find_code("Corruption").id])[0].id, "Check this one"
    )
    d = _report(sixty, tmp_path)
    texts = [p.text for p in d.paragraphs]
    heads = _headings(d)
    assert ("Heading 2", "Project memo") in heads and ("Heading 3", "Method") in heads
    assert "Why people leave: a first pass." in texts
    assert "Check this one" in texts
    appendix = texts.index("Appendix: codebook")
    tail = texts[appendix:]
    assert any("Grievances/Ethnic tensions" in t for t in tail)
    assert "Definition: Fighting between factions." in tail
    assert "Exclude when: Fighting the enemy." in tail
    d = _report(sixty, tmp_path, include_memos=False)
    assert "Memos" not in [t for s, t in _headings(d) if s == "Heading 1"]


def test_code_without_codings_and_empty_project_give_sensible_reports(fresh_project, tmp_path):
    d = _report(fresh_project, tmp_path)
    texts = [p.text for p in d.paragraphs]
    assert "The codebook is empty: there is nothing to report yet." in texts
    assert [[c.text for c in r.cells] for r in d.tables[0].rows] == [
        ["Code", "Codings", "Documents, N = 0"]
    ]
    fresh_project.add_code("Lonely")
    d = _report(fresh_project, tmp_path)
    texts = [p.text for p in d.paragraphs]
    assert any(t.endswith("No passages are coded with this code.") for t in texts)
    assert [[c.text for c in r.cells] for r in d.tables[0].rows][1] == ["Lonely", "0", "0 (–)"]


def test_package_is_well_formed_with_page_numbers_and_a_chart(sixty, tmp_path):
    out = tmp_path / "r.docx"
    write_report(sixty, out)
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None
        for name in z.namelist():
            if name.endswith(".xml") or name.endswith(".rels"):
                etree.fromstring(z.read(name))  # raises on malformed XML
        assert not [n for n in z.namelist() if n.startswith("word/media/")]  # no bitmaps
        assert "word/charts/chart1.xml" in z.namelist()
        footers = [z.read(n).decode() for n in z.namelist() if n.startswith("word/footer")]
        assert any("> PAGE <" in f and "> NUMPAGES <" in f for f in footers)
    d = docx.Document(str(out))
    assert [p.text for p in d.paragraphs if style_name(p) == "Caption"][1].startswith("Figure 1.")


def test_xml_special_and_control_characters_survive(fresh_project, tmp_path):
    p = fresh_project
    p.add_document("Odd <&>", "A & B < C > D \"q\" 'a'\x0b end\tTab\nline two")
    p.add_code("Odd & <code>")
    p.apply_code(1, p.find_code("Odd & <code>").id, 0, 30, coder="k")
    d = _report(p, tmp_path, context=0)
    [q] = _quote_paragraphs(d)
    assert q.text.startswith("“A & B < C > D \"q\" 'a' end")
    assert ("Heading 2", "Odd & <code>") in _headings(d)


def test_cancel_leaves_no_file(sixty, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(Cancelled):
        write_report(sixty, folder / "r.docx", progress=lambda done, total, label: False)
    assert list(folder.iterdir()) == []


def test_failure_keeps_the_previous_file(sixty, tmp_path, monkeypatch):
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "r.docx"
    out.write_bytes(b"previous")
    import coder.core.export.report.build as mod

    def broken(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(mod, "save", broken)
    with pytest.raises(RuntimeError):
        write_report(sixty, out)
    assert out.read_bytes() == b"previous"
    assert [f.name for f in folder.iterdir()] == ["r.docx"]


def test_codebook_docx_nests_codes_with_their_fields(sixty, tmp_path):
    out = tmp_path / "codebook.docx"
    assert write_codebook(sixty, out, author="Team") == 5
    d = docx.Document(str(out))
    heads = _headings(d)
    assert ("Heading 1", "Infighting") in heads and ("Heading 2", "Ethnic tensions") in heads
    texts = [p.text for p in d.paragraphs]
    assert "Include when: Any violence between members." in texts
    assert "Example: They fought each other." in texts
    assert any("21 codings" in t for t in texts)


def test_quote_table_csv_has_bom_one_row_per_coding_and_attribute_columns(sixty, tmp_path):
    out = tmp_path / "quotes.csv"
    assert write_quote_table(sixty, out) == 39
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == [
        "index",
        "document",
        "code",
        "coder",
        "speaker",
        "start",
        "end",
        "case",
        "country",
        "text",
        "memo",
    ]
    assert rows[1] == [
        "1",
        "Narrative 01",
        "Infighting",
        "kim",
        "P01",
        "37",
        "73",
        "P01",
        "UK",
        "They fought each other all the time.",
        "",
    ]
    assert rows[-1][2] == "Grievances/Ethnic tensions"
    assert len(rows) == 40


def test_quote_table_guards_against_formulas(fresh_project, tmp_path):
    p = fresh_project
    p.add_document("D", "=SUM(A1) is not a formula")
    p.add_code("C")
    p.apply_code(1, 1, 0, 8, coder="k")
    out = tmp_path / "q.csv"
    write_quote_table(p, out)
    assert "'=SUM(A1)" in out.read_text(encoding="utf-8-sig")
    out = tmp_path / "q.xlsx"
    write_quote_table(p, out)
    import openpyxl

    ws = openpyxl.load_workbook(out).active
    assert ws.cell(2, ws.max_column - 1).value == "=SUM(A1)"
    assert ws.cell(2, ws.max_column - 1).data_type == "s"


TRIGGERS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("ext", [".csv", ".xlsx"])
def test_every_formula_trigger_is_neutralised(fresh_project, tmp_path, ext):
    """OWASP's CSV injection list, in passages, memos, names and attribute names (headers)."""
    import csv

    import openpyxl

    p = fresh_project
    text = " ".join(TRIGGERS) + " end"
    p.add_document("-doc", text)
    p.add_code("=code")
    p.add_attribute("@attr", "document", "text")
    aid = p.attributes("document")[0].id
    p.set_attribute_value(aid, 1, "+value")
    starts = [text.index(t) for t in TRIGGERS]
    for start, trigger in zip(starts, TRIGGERS, strict=True):
        p.apply_code(1, 1, start, start + len(trigger), coder="-coder")
    out = tmp_path / f"q{ext}"
    write_quote_table(p, out)
    if ext == ".csv":
        with out.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        cells = [c for row in rows for c in row if c and not c.isdigit()]
        assert all(not c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells), cells
        assert "'@attr" in rows[0] and "'-doc" in rows[1] and "'=code" in rows[1]
    else:
        ws = openpyxl.load_workbook(out).active
        assert ws is not None
        texts = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        risky = [c for c in texts if str(c.value).startswith(("=", "+", "-", "@", "\t", "\r"))]
        assert {c.value for c in risky} >= {"@attr", "-doc", "=code", "+value", *TRIGGERS[:4]}
        assert all(c.data_type == "s" and c.quotePrefix for c in risky)


def test_quote_table_xlsx_bold_header_frozen_row_wrapped_text(sixty, tmp_path):
    import openpyxl

    out = tmp_path / "quotes.xlsx"
    write_quote_table(sixty, out, code_ids=[sixty.find_code("Corruption").id])
    ws = openpyxl.load_workbook(out).active
    assert ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    assert header[:3] == ["index", "document", "code"] and header[-2:] == ["text", "memo"]
    assert ws.cell(1, 1).font.bold
    assert ws.max_row == 14
    assert ws.cell(2, header.index("text") + 1).value == "Money was short."
    assert ws.cell(2, header.index("text") + 1).alignment.wrap_text
    assert ws.cell(2, header.index("country") + 1).value == "France"


def test_same_passage_coded_by_two_coders_is_one_quote(fresh_project, tmp_path):
    p = fresh_project
    p.add_document("D", "We left at night.\n")
    p.add_code("Leaving")
    p.apply_code(1, 1, 0, 17, coder="kim")
    p.apply_code(1, 1, 0, 17, coder="lee")
    p.apply_code(1, 1, 8, 17, coder="lee")
    result = write_report(p, tmp_path / "r.docx", ReportOptions(context=0))
    assert (result.quotes, result.passages) == (3, 2)
    d = docx.Document(str(tmp_path / "r.docx"))
    paras = d.paragraphs
    quotes = [
        (x.text, paras[i + 1].text) for i, x in enumerate(paras) if style_name(x) == "Coder Quote"
    ]
    assert quotes == [
        ("“We left at night.” (D, ¶\u00a01)", "Coded by kim and lee"),
        ("“at night.” (D, ¶\u00a01)", "Coded by lee"),  # 9 of 17 characters: another passage
    ]


def test_include_children_counts_sub_codes_in_the_parent_row(sixty, tmp_path):
    d = _report(sixty, tmp_path, include_children=True)
    rows = [[c.text for c in r.cells] for r in d.tables[0].rows]
    assert rows[3] == ["Grievances", "5", "5 (8.3%)", "5 (8.3%)"]
    texts = [p.text for p in d.paragraphs]
    assert "A parent code's figures include its sub-codes' codings." in texts


def test_case_memos_appear_in_the_memos_appendix(sixty, tmp_path):
    sixty.update_case(sixty.find_case("P07").id, memo="Spoke through an interpreter.")
    d = _report(sixty, tmp_path)
    texts = [p.text for p in d.paragraphs]
    assert "Case memos" in texts and "P07: Spoke through an interpreter." in texts


def test_agreement_section_when_coders_share_documents(sixty, tmp_path):
    # Nobody else coded the Infighting narratives yet: the section says so.
    d = _report(sixty, tmp_path)
    texts = [p.text for p in d.paragraphs]
    assert "No document to compare: no figure can be computed." in texts
    # lee codes narrative 1 too: now kim and lee share a document.
    fought = _narrative(1).index("They fought")
    sixty.apply_code(
        sixty.find_document("Narrative 01").id,
        sixty.find_code("Infighting").id,
        fought,
        fought + 36,
        coder="lee",
    )
    d = _report(sixty, tmp_path)
    texts = [p.text for p in d.paragraphs]
    assert any(
        t.startswith("The two coders with the most codings") and "kim and lee" in t for t in texts
    )
    assert "Documents compared: Narrative 01." in texts
    counts = next(
        t
        for t in d.tables
        if t.rows[0].cells[0].text == "Code" and t.rows[0].cells[2].text == "Both"
    )
    rows = [[c.text for c in r.cells] for r in counts.rows]
    assert rows[0] == ["Code", "Units", "Both", "Only kim", "Only lee", "Neither"]
    figures = next(t for t in d.tables if t.rows[0].cells[1].text == "% agree")
    rows = [[c.text for c in r.cells] for r in figures.rows]
    assert rows[0] == ["Code", "% agree", "% positive", "% coded", "Cohen κ", "BP κ", "α", "uα"]
    cohen = "Cohen κ (Cohen's κ): (Po - Pe) / (1 - Pe), chance from each coder's own rates"
    assert f"{cohen} (Cohen 1960)." in texts
    infighting = next(r for r in rows if r[0] == "Infighting")
    assert infighting[1] == "100.0"
    captions = [p.text for p in d.paragraphs if style_name(p) == "Caption"]
    assert any(c.endswith("Agreement table per code (paragraphs)") for c in captions)
    assert any(c.endswith("Agreement figures per code") for c in captions)
    d = _report(sixty, tmp_path, include_agreement=False)
    assert "Inter-coder agreement" not in [p.text for p in d.paragraphs]


def test_cases_without_documents_are_listed_as_not_analysed(sixty, tmp_path):
    sixty.add_case("P99")  # a row of an attributes sheet: no transcript
    d = _report(sixty, tmp_path)
    texts = [p.text for p in d.paragraphs]
    assert "Not analysed (1 of 61 cases, no document in this selection, so not in N): P99." in texts
    headers = [c.text for t in d.tables for c in t.rows[0].cells]
    assert "Cases, N = 60" in headers
