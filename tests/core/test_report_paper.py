"""The Word report read as a journal's reviewer reads it: the .docx XML is checked point by point
(heading levels, keep-with-next, bidi, caption fields, quotation marks, n (p%) cells, one quote
per passage, native charts, contents without prompts, file properties)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from lxml import etree

from coder import __version__
from coder.core.bulk import run_together
from coder.core.errors import InvalidValue
from coder.core.export.report import ReportOptions, write_report
from coder.core.project import Changes
from coder.core.text import Turn

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
}
W = "{{{}}}".format(NS["w"])
ANSWER = "{name}: They fought each other all the time. Money was short and the leaders took it.\n"


def _narrative(name: str) -> str:
    return "Interviewer: Why did you leave?\n" + ANSWER.format(name=name)


@pytest.fixture
def sixty(fresh_project):
    """60 narratives, one case each (P01..P60) with gender, age (18..77) and returned (yes/no).

    Codebook: Push factors > Infighting > Between leaders (three levels), Corruption, Grievances
    > Ethnic tensions, Empty. kim codes Infighting in 1-21; lee codes the same passages with
    shifted boundaries (90% overlap) in 1-10 and a passage overlapping by half in 11.
    """
    p = fresh_project
    calls: list[Callable[[], Changes]] = []
    for i in range(1, 61):
        name = f"P{i:02d}"
        text = _narrative(name)
        turns = [Turn("Interviewer", 0, 31), Turn(name, 32, len(text) - 1)]
        calls.append(partial(p.add_document, f"Narrative {i:02d}", text, turns=turns, case=name))
    run_together(p, calls)
    for name, type_ in (("gender", "text"), ("age", "number"), ("returned", "boolean")):
        p.add_attribute(name, "case", type_)
    attrs = {a.name: a.id for a in p.attributes()}
    values = []
    for c in p.cases():
        i = int(c.name[1:])
        values += [
            (attrs["gender"], c.id, "female" if i % 2 else "male"),
            (attrs["age"], c.id, 17 + i),
            (attrs["returned"], c.id, "yes" if i % 3 == 0 else "no"),
        ]
    run_together(p, [partial(p.set_attribute_value, *v) for v in values])
    p.add_code("Push factors", color="#E53935", definition="Why people left.")
    p.add_code(
        "Infighting",
        parent_id=p.find_code("Push factors").id,
        color="#FB8C00",
        definition="Fighting between factions.",
        inclusion="Any violence between members.",
        exclusion="Fighting the enemy.",
        example="They fought each other.",
    )
    p.add_code("Between leaders", parent_id=p.find_code("Infighting").id, color="#8E24AA")
    p.add_code("Corruption", color="#1E88E5")
    p.add_code("Grievances", color="#43A047")
    p.add_code("Ethnic tensions", parent_id=p.find_code("Grievances").id, color="#00897B")
    p.add_code("Empty", color="#FDD835")
    codes = {c.name: c.id for c in p.codes()}
    docs = {d.name: d.id for d in p.documents()}
    text = _narrative("P01")
    fought = text.index("They fought")
    short = text.index("Money was short")
    calls = []
    for i in range(1, 61):
        doc = docs[f"Narrative {i:02d}"]

        def apply(code: str, s: int, e: int, coder: str, doc: int = doc) -> None:
            calls.append(partial(p.apply_code, doc, codes[code], s, e, coder=coder))

        if i <= 21:
            apply("Infighting", fought, fought + 40, "kim")
        if i <= 10:
            apply("Infighting", fought + 2, fought + 42, "lee")  # 38 of 42: one passage
        if i == 11:
            apply("Infighting", fought + 20, fought + 60, "lee")  # half: a quote of its own
        if i > 47:
            apply("Corruption", short, short + 15, "kim")
        if i in (2, 4, 6, 8, 10):
            apply("Ethnic tensions", fought, fought + 10, "kim")
        if i in (3, 5):
            apply("Between leaders", fought, fought + 40, "kim")
    run_together(p, calls)
    p.add_annotation(docs["Narrative 03"], fought + 5, fought + 12, "Said twice, laughing.", "kim")
    return p


def _write(project, tmp_path: Path, **options) -> Path:
    out = tmp_path / "report.docx"
    write_report(project, out, ReportOptions(**options))
    return out


def _xml(path: Path, member: str = "word/document.xml"):
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(member))


def _text(el) -> str:
    return "".join(t.text or "" for t in el.iter(W + "t"))


def _style(p) -> str:
    s = p.find("w:pPr/w:pStyle", NS)
    return s.get(W + "val") if s is not None else ""


def _paragraphs(path: Path):
    return _xml(path).findall("w:body/w:p", NS)


def _level(style: str) -> int | None:
    m = re.fullmatch(r"(?:Coder)?Heading([1-9])", style)
    return int(m.group(1)) if m else None


def _cells(table) -> list[list[str]]:
    return [[_text(tc) for tc in tr.findall("w:tc", NS)] for tr in table.findall("w:tr", NS)]


def _tables(path: Path) -> list[tuple[str, list[list[str]]]]:
    """Each table with the caption paragraph right above it."""
    out = []
    previous = None
    for el in _xml(path).find("w:body", NS):
        if el.tag == W + "tbl":
            out.append((_text(previous) if previous is not None else "", _cells(el)))
        previous = el
    return out


# ============================================================================ the summary


def test_summary_cells_are_n_percent_with_n_in_the_column_headers(sixty, tmp_path):
    out = _write(sixty, tmp_path)
    title, rows = _tables(out)[0]
    assert (
        title
        == "Table 1. Codings per code, and the cases and documents in which each code occurs: n (%)"
    )
    assert rows[0] == ["Code", "Codings", "Quotes", "Documents, N = 60", "Cases, N = 60"]
    by_code = {r[0]: r[1:] for r in rows[1:]}
    assert by_code["Infighting"] == ["32", "22", "21 (35.0%)", "21 (35.0%)"]
    assert by_code["Corruption"] == ["13", "13", "13 (21.7%)", "13 (21.7%)"]
    assert by_code["Empty"] == ["0", "0", "0 (0.0%)", "0 (0.0%)"]
    # parents without codings of their own, whose sub-codes have some: blank, never 0 (0.0%)
    assert by_code["Push factors"] == ["", "", "", ""]
    assert by_code["Grievances"] == ["", "", "", ""]


def test_include_children_rolls_parents_up(sixty, tmp_path):
    out = _write(sixty, tmp_path, include_children=True)
    by_code = {r[0]: r[1:] for r in _tables(out)[0][1][1:]}
    assert by_code["Grievances"][-1] == "5 (8.3%)"
    assert by_code["Push factors"][-1] == "21 (35.0%)"
    assert by_code["Infighting"][0] == "34"  # its own 32 and Between leaders' 2


def test_halves_round_up_in_cells(fresh_project, tmp_path):
    p = fresh_project
    run_together(p, [partial(p.add_document, f"D{i:02d}", "One two three.\n") for i in range(16)])
    p.add_code("Rare")
    p.apply_code(p.find_document("D00").id, p.find_code("Rare").id, 0, 3, coder="kim")
    rows = _tables(_write(p, tmp_path))[0][1]
    assert rows[1][-1] == "1 (6.3%)"  # 6.25 rounds up


def test_chart_is_a_native_editable_chart_with_alt_text_following_the_table(sixty, tmp_path):
    out = _write(sixty, tmp_path)
    with zipfile.ZipFile(out) as z:
        names = z.namelist()
        types = z.read("[Content_Types].xml").decode()
        rels = z.read("word/_rels/document.xml.rels").decode()
        chart_rels = z.read("word/charts/_rels/chart1.xml.rels").decode()
        book = z.read("word/embeddings/chart1.xlsx")
    assert "word/charts/chart1.xml" in names
    assert not any(n.startswith("word/media/") for n in names)  # no bitmap
    assert "drawingml.chart+xml" in types and "spreadsheetml.sheet" in types
    assert "relationships/chart" in rels and "relationships/package" in chart_rels
    chart = _xml(out, "word/charts/chart1.xml")
    cats = [v.text for v in chart.findall(".//c:cat//c:pt/c:v", NS)]
    vals = [float(v.text) for v in chart.findall(".//c:val//c:pt/c:v", NS)]
    # the chart follows the table: blank parents are left out
    assert cats == ["Infighting", "Between leaders", "Corruption", "Ethnic tensions", "Empty"]
    assert vals == [35.0, 3.3, 21.7, 8.3, 0.0]
    assert chart.find(".//c:externalData", NS) is not None
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(book)).active
    assert [(r[0], r[1]) for r in sheet.iter_rows(min_row=2, values_only=True)] == list(
        zip(cats, vals, strict=False)
    )
    doc = _xml(out)
    inline = doc.find(".//wp:inline", NS)
    assert inline.find(".//c:chart", NS).get("{{{}}}id".format(NS["r"])) in rels
    descr = inline.find("wp:docPr", NS).get("descr")
    assert (
        descr.startswith("Bar chart of the share of the 60 cases") and "Infighting 35.0%" in descr
    )
    captions = [_text(p) for p in _paragraphs(out) if _style(p) == "Caption"]
    assert "Figure 1. Share of cases coded with each code (N = 60 cases)" in captions


def test_captions_are_seq_fields_and_table_titles_stand_above_tables(sixty, tmp_path):
    out = _write(sixty, tmp_path, matrix=True, crosstab="gender", case_table=("gender",))
    body = list(_xml(out).find("w:body", NS))
    seen = {"Table": 0, "Figure": 0}
    for i, el in enumerate(body):
        if el.tag == W + "tbl":
            above = body[i - 1]
            assert _style(above) == "Caption"
            assert above.find("w:pPr/w:keepNext", NS) is not None
            assert "SEQ Table" in "".join(t.text for t in above.iter(W + "instrText"))
        if el.tag == W + "p" and _style(el) == "Caption":
            instr = "".join(t.text for t in el.iter(W + "instrText"))
            found = re.search(r"SEQ (\w+)", instr)
            assert found is not None
            kind = found.group(1)
            seen[kind] += 1
            assert _text(el).startswith(f"{kind} {seen[kind]}. ")
    assert seen["Table"] >= 6 and seen["Figure"] == 1


# ============================================================================ quotes


def _quotes(path: Path) -> list[str]:
    return [_text(p) for p in _paragraphs(path) if _style(p) == "CoderQuote"]


def test_two_coders_on_the_same_passage_make_one_quote_naming_both(sixty, tmp_path):
    out = _write(sixty, tmp_path, codes=(sixty.find_code("Infighting").id,))
    paragraphs = _paragraphs(out)
    quotes = [p for p in paragraphs if _style(p) == "CoderQuote"]
    assert len(quotes) == 22  # 21 of kim's passages, 10 of them also lee's, and lee's half-overlap
    keys = [(_text(q)) for q in quotes]
    assert len(keys) == len(set(keys))  # no passage twice
    coded_by = [_text(p) for p in paragraphs if _style(p) == "CoderSource"]
    assert coded_by.count("Coded by kim and lee") == 10
    assert coded_by.count("Coded by lee") == 1
    first = quotes[0]
    # the union of both codings (40 and 40 characters, 2 apart)
    assert (
        _text(first) == "“They fought each other all the time. Money” (Narrative 01, ¶\u00a02, P01)"
    )
    line = next(_text(p) for p in paragraphs if _text(p).startswith("22 quotes from"))
    assert line == "22 quotes from 21 of 60 documents (35.0%) and 21 of 60 cases (35.0%)."


def test_quotes_carry_typographic_marks_of_the_document_language(fresh_project, tmp_path):
    p = fresh_project
    texts = {
        "english": "We left because the leaders lied to us and it was not what they said.",
        "german": "Wir sind gegangen, weil die Führer uns belogen haben und es nicht stimmte.",
        "french": "Nous sommes partis parce que les chefs nous ont menti et ce n'était pas vrai.",
        "russian": "Мы ушли, потому что руководители нам лгали, и это было не так.",
        "arabic": "غادرنا لأن القادة كذبوا علينا ولم يكن ذلك صحيحا.",
    }
    p.add_code("Leaving")
    code = p.find_code("Leaving").id
    for name, text in texts.items():
        p.add_document(name, text)
        p.apply_code(p.find_document(name).id, code, 0, 10, coder="kim")
    quotes = {q.split("(")[-1].rstrip(")").split(",")[0]: q for q in _quotes(_write(p, tmp_path))}
    assert quotes["english"].startswith("“We left be”")
    assert quotes["german"].startswith("„Wir sind g“")
    assert quotes["french"].startswith("«\u202fNous somme\u202f»")
    assert quotes["russian"].startswith("«Мы ушли, п»")
    assert quotes["arabic"].startswith("«غادرنا لأن»")
    single = _quotes(_write(p, tmp_path, quote_marks="single"))
    assert any(q.startswith("‘We left be’") for q in single)
    assert any(q.startswith("‚Wir sind g‘") for q in single)
    bare = _quotes(_write(p, tmp_path, quote_marks="none"))
    assert any(q.startswith("We left be (") for q in bare)


def test_language_attribute_overrides_the_guess(fresh_project, tmp_path):
    p = fresh_project
    p.add_document("D", "Ok we left because of it all.")
    p.add_attribute("language", "document", "text")
    p.set_attribute_value(p.find_attribute("language").id, p.find_document("D").id, "de-AT")
    p.add_code("C")
    p.apply_code(p.find_document("D").id, p.find_code("C").id, 0, 7, coder="kim")
    assert _quotes(_write(p, tmp_path))[0].startswith("„Ok we l“")


def test_context_is_off_by_default_and_optional(sixty, tmp_path):
    code = (sixty.find_code("Corruption").id,)
    plain = _quotes(_write(sixty, tmp_path, codes=code))[0]
    assert plain.startswith("“Money was short”")
    around = _quotes(_write(sixty, tmp_path, codes=code, context=20))[0]
    assert around.startswith("…all the time. “Money was short” and the leaders… (")


def test_cite_names_the_chosen_fields(sixty, tmp_path):
    code = (sixty.find_code("Corruption").id,)
    default = _quotes(_write(sixty, tmp_path, codes=code))[0]
    assert default.endswith("(Narrative 48, ¶\u00a02, P48)")
    cited = _quotes(_write(sixty, tmp_path, codes=code, cite=("case", "gender", "age", "returned")))
    assert cited[0].endswith("(P48, male, 65, yes)")
    assert cited[1].endswith("(P49, female, 66, no)")
    with pytest.raises(InvalidValue, match="no field or attribute named 'height'"):
        _write(sixty, tmp_path, cite="case,height")


def test_a_passage_over_two_paragraphs_is_cited_as_a_range(fresh_project, tmp_path):
    p = fresh_project
    p.add_document("D", "First paragraph.\nSecond one here.\nThird.\n")
    p.add_code("C")
    p.apply_code(p.find_document("D").id, p.find_code("C").id, 6, 24, coder="kim")
    quote = _quotes(_write(p, tmp_path, cite="paragraph"))[0]
    assert quote.endswith("(¶\u00a01–2)")
    line = next(_text(x) for x in _paragraphs(tmp_path / "report.docx") if "quote from" in _text(x))
    assert line == "1 quote from 1 of 1 document (100.0%)."


def test_annotations_are_printed_next_to_the_quotes_they_touch(sixty, tmp_path):
    out = _write(sixty, tmp_path, codes=(sixty.find_code("Infighting").id,))
    paragraphs = _paragraphs(out)
    notes = [i for i, p in enumerate(paragraphs) if _style(p) == "CoderNote"]
    assert len(notes) == 1
    assert _text(paragraphs[notes[0]]) == "a Annotation (kim): Said twice, laughing."
    quote = next(
        paragraphs[i] for i in range(notes[0], 0, -1) if _style(paragraphs[i]) == "CoderQuote"
    )
    assert "(Narrative 03" in _text(quote)
    marks = [r for r in quote.iter(W + "r") if r.find("w:rPr/w:vertAlign", NS) is not None]
    assert [_text(r) for r in marks] == ["a"]
    assert any(r.find("w:rPr/w:u", NS) is not None for r in quote.iter(W + "r"))


def test_order_by_case_speaker_and_attribute_has_sub_headings(sixty, tmp_path):
    code = (sixty.find_code("Corruption").id,)
    by_case = _paragraphs(_write(sixty, tmp_path, codes=code, order="case"))
    subs = [_text(p) for p in by_case if _style(p) == "CoderHeading3"]
    assert subs[:3] == ["Case: P48", "Case: P49", "Case: P50"]
    by_age = _paragraphs(_write(sixty, tmp_path, codes=code, order="attribute=age"))
    subs = [_text(p) for p in by_age if _style(p) == "CoderHeading3"]
    assert subs == ["age: 60–69", "age: 70–79"]  # 65..77: more than eight values, in ranges
    by_speaker = _paragraphs(_write(sixty, tmp_path, codes=code, order="speaker"))
    subs = [_text(p) for p in by_speaker if _style(p) == "CoderHeading3"]
    assert subs[0] == "Speaker: P48" and len(subs) == 13
    with pytest.raises(InvalidValue, match="no attribute named 'height'"):
        _write(sixty, tmp_path, order="attribute=height")


# ============================================================================ structure


def test_heading_levels_follow_the_codebook_and_never_skip(sixty, tmp_path):
    for options in ({}, {"codes": (sixty.find_code("Between leaders").id,)}, {"order": "case"}):
        out = _write(sixty, tmp_path, **options)
        levels = [lv for lv in (_level(_style(p)) for p in _paragraphs(out)) if lv]
        previous = 1
        for lv in levels:
            assert lv <= previous + 1, (options, levels)
            previous = lv
    paragraphs = _paragraphs(_write(sixty, tmp_path))
    heads = [(_style(p), _text(p)) for p in paragraphs if _style(p).startswith("Heading")]
    assert ("Heading2", "Push factors") in heads
    assert ("Heading3", "Infighting") in heads and ("Heading4", "Between leaders") in heads
    # the appendix repeats the codebook as sub-headings outside the contents
    appendix = [(_style(p), _text(p)) for p in paragraphs if _style(p).startswith("CoderHeading")]
    assert ("CoderHeading4", "Between leaders") in appendix


def test_headings_definitions_and_quote_lines_keep_with_next(sixty, tmp_path):
    paragraphs = _paragraphs(_write(sixty, tmp_path))
    for _i, p in enumerate(paragraphs):
        text = _text(p)
        kept = p.find("w:pPr/w:keepNext", NS) is not None
        if _level(_style(p)):
            assert kept, text
        if text.startswith(("Definition:", "Include when:", "Exclude when:", "Example:")):
            assert kept, text
        if re.match(r"\d+ quotes? from", text):
            assert kept, text


def test_contents_are_linked_headings_without_page_numbers_or_an_update_prompt(sixty, tmp_path):
    out = _write(sixty, tmp_path)
    with zipfile.ZipFile(out) as z:
        settings = z.read("word/settings.xml").decode()
        document = z.read("word/document.xml").decode()
    assert "updateFields" not in settings
    assert "w:dirty" not in document and "PAGEREF" not in document
    paragraphs = _paragraphs(out)
    toc = [p for p in paragraphs if _style(p).startswith("TOC") and _style(p) != "TOCHeading"]
    entries = [(_style(p), _text(p)) for p in toc]
    assert ("TOC1", "Summary") in entries and ("TOC4", "Between leaders") in entries
    assert all(not re.search(r"\d$", t) and "–" not in t for _, t in entries)
    anchors = {b.get(W + "name") for b in _xml(out).iter(W + "bookmarkStart")}
    links = [h.get(W + "anchor") for p in toc for h in p.iter(W + "hyperlink")]
    assert len(links) == len(toc) and set(links) <= anchors
    code_heads = [_text(p) for p in paragraphs if re.fullmatch(r"Heading[2-9]", _style(p))]
    assert set(code_heads) <= {t for _, t in entries}
    instr = "".join(t.text for p in toc[:1] for t in p.iter(W + "instrText"))
    assert instr.strip() == 'TOC \\o "1-9" \\h \\z'


def test_right_to_left_text_is_marked_and_emoji_get_an_emoji_font(fresh_project, tmp_path):
    p = fresh_project
    p.add_document("Arabic", "قال إن القادة كذبوا علينا. 😀 ثم غادر.\n")
    p.add_document("Mixed", "He said مرحبا بكم and left 👍🏽 quickly.\n")
    p.add_code("مغادرة")
    code = p.codes()[0].id
    p.apply_code(p.find_document("Arabic").id, code, 0, 30, coder="kim")
    p.apply_code(p.find_document("Mixed").id, code, 0, 30, coder="kim")
    paragraphs = _paragraphs(_write(p, tmp_path))
    quotes = [q for q in paragraphs if _style(q) == "CoderQuote"]
    arabic = next(q for q in quotes if "(Arabic" in _text(q))
    mixed = next(q for q in quotes if "(Mixed" in _text(q))
    assert arabic.find("w:pPr/w:bidi", NS) is not None
    assert mixed.find("w:pPr/w:bidi", NS) is None
    rtl_runs = [_text(r) for r in mixed.iter(W + "r") if r.find("w:rPr/w:rtl", NS) is not None]
    assert rtl_runs == ["مرحبا بكم"]
    emoji = [r for q in quotes for r in q.iter(W + "r") if "😀" in _text(r) or "👍🏽" in _text(r)]
    assert {r.find("w:rPr/w:rFonts", NS).get(W + "ascii") for r in emoji} == {"Segoe UI Emoji"}
    heading = next(x for x in paragraphs if _style(x) == "Heading2" and _text(x) == "مغادرة")
    assert heading.find("w:pPr/w:bidi", NS) is not None
    fonts = etree.tostring(_xml(tmp_path / "report.docx", "word/fontTable.xml")).decode()
    assert 'w:name="Segoe UI Emoji"' in fonts


# ============================================================================ reviewers' tables


def test_matrix_crosstab_case_table_and_per_coder_counts(sixty, tmp_path):
    out = _write(sixty, tmp_path, matrix=True, crosstab="age", case_table=("gender", "returned"))
    found = {title.split(". ", 1)[1]: rows for title, rows in _tables(out)}
    coders = found["Codings per code and coder"]
    assert coders[0] == ["Code", "kim, N = 41", "lee, N = 11"]
    assert ["Infighting", "21", "11"] in coders
    parts = [t for t in found if t.startswith("Codings per code and case")]
    assert len(parts) == 8  # 60 cases, 8 per table
    first = found[parts[0]]
    assert first[0][:3] == ["Code", "P01, N = 2", "P02, N = 3"]
    assert ["Infighting", "2", "2", "2", "2", "2", "2", "2", "2"] in first
    age = found["Cases coded with each code, by age"]
    assert age[0] == [
        "Code",
        "10–19, N = 2",
        "20–29, N = 10",
        "30–39, N = 10",
        "40–49, N = 10",
        "50–59, N = 10",
        "60–69, N = 10",
        "70–79, N = 8",
    ]
    assert age[[r[0] for r in age].index("Infighting")][1:3] == ["2 (100.0%)", "10 (100.0%)"]
    cases = found["Cases and their documents, with gender and returned"]
    assert cases[0] == ["Case", "Documents", "gender", "returned"]
    assert cases[1] == ["P01", "Narrative 01", "female", "no"]
    assert cases[3] == ["P03", "Narrative 03", "female", "yes"]


def test_not_analysed_cases_are_listed_never_counted(sixty, tmp_path):
    p = sixty
    p.add_case("P99")
    out = _write(p, tmp_path, case_table=())
    notes = [_text(x) for x in _paragraphs(out) if _text(x).startswith("Not analysed")]
    assert notes == ["Not analysed (1 of 61 cases, no document in this selection): P99."]
    assert _tables(out)[0][1][0][-1] == "Cases, N = 60"


def test_file_properties_name_author_title_dates_and_coder(sixty, tmp_path):
    out = _write(sixty, tmp_path, title="Why they left", author="A. Researcher")
    core = _xml(out, "docProps/core.xml")
    assert core.find("dc:title", NS).text == "Why they left"
    assert core.find("dc:creator", NS).text == "A. Researcher"
    now = dt.datetime.now(dt.timezone.utc)
    for tag in ("dcterms:created", "dcterms:modified"):
        stamp = dt.datetime.strptime(core.find(tag, NS).text, "%Y-%m-%dT%H:%M:%SZ")
        assert abs(now - stamp.replace(tzinfo=dt.timezone.utc)) < dt.timedelta(hours=1)
    app = _xml(out, "docProps/app.xml")
    assert app.find("ep:Application", NS).text == f"Coder {__version__}"
    with zipfile.ZipFile(out) as z:
        assert not any("thumbnail" in n for n in z.namelist())


def test_unknown_crosstab_attribute_is_an_error_before_anything_is_written(sixty, tmp_path):
    with pytest.raises(InvalidValue, match="no attribute named 'height'.*age, gender or returned"):
        _write(sixty, tmp_path, crosstab="height")
    assert not (tmp_path / "report.docx").exists()
