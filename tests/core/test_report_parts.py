"""The report's parts on their own: passages, languages, ranges, wording, chart and workbook."""

from __future__ import annotations

import io
import zipfile
from types import SimpleNamespace

import openpyxl
import pytest
from lxml import etree

from coder.core.export.report.chart import BarChart, chart_workbook, chart_xml
from coder.core.export.report.grouping import grouping
from coder.core.export.report.quotes import guess_language, normalise_language, passages
from coder.core.export.report.wording import count, join_and, n_of, paragraph_range
from coder.core.export.report.wordml import is_rtl_paragraph, runs


def _row(doc, start, end, coder):
    return SimpleNamespace(document_id=doc, start=start, end=end, coder_id=coder)


def test_codings_overlapping_by_80_percent_of_the_longer_are_one_passage():
    rows = [
        _row(1, 0, 100, 1),
        _row(1, 10, 105, 2),  # overlap 90 of 100: same passage
        _row(1, 200, 300, 1),
        _row(1, 230, 300, 2),  # overlap 70 of 100: a quote of its own
        _row(2, 0, 100, 2),  # another document
        _row(1, 0, 100, 3),  # identical: same passage
    ]
    out = passages(rows)
    assert [(p.document_id, p.start, p.end, p.coder_ids, p.codings) for p in out] == [
        (1, 0, 105, [1, 3, 2], 3),
        (1, 200, 300, [1], 1),
        (1, 230, 300, [2], 1),
        (2, 0, 100, [2], 1),
    ]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I think that the people were not what they said, and it was hard.", "en"),
        (
            "Ich glaube, dass die Leute nicht das waren, was sie gesagt haben, und es ist schwer.",
            "de",
        ),
        ("Je pense que les gens ne sont pas ce qu'ils disent, et c'est dur pour nous.", "fr"),
        ("Creo que la gente no es lo que dice, y es muy difícil para los que se quedan.", "es"),
        ("Я думаю, что люди были не такими, как говорили.", "ru"),
        ("Я думаю, що люди були не такими, як казали. Їх було багато.", "uk"),
        ("أعتقد أن الناس لم يكونوا كما قالوا", "ar"),
        ("فکر می‌کنم مردم آنچه می‌گفتند نبودند و این برای ما سخت بود", "fa"),
        ("אני חושב שהאנשים לא היו מה שאמרו", "he"),
        ("人们并不是他们所说的那样", "zh"),
        ("人々は彼らが言ったようではなかったと思います", "ja"),
        ("12345 !!!", "en"),
    ],
)
def test_guess_language_by_script_and_common_words(text, language):
    assert guess_language(text) == language


def test_language_names_and_tags():
    assert normalise_language("de-AT") == "de"
    assert normalise_language("Deutsch") == "de"
    assert normalise_language("pt_BR") == "pt"
    assert normalise_language("zh-TW") == "zh-hant"
    assert normalise_language("Klingon") is None


def test_number_and_date_values_past_eight_are_ranges():
    ages = grouping([str(a) for a in range(18, 78)] + [""], "number")
    assert ages.labels == (
        "10–19",
        "20–29",
        "30–39",
        "40–49",
        "50–59",
        "60–69",
        "70–79",
        "no value",
    )
    assert ages.label("35") == "30–39"
    few = grouping(["3", "1", "2", "10"], "number")
    assert few.labels == ("1", "2", "3", "10")  # numbers sort as numbers
    dates = grouping([f"20{y:02d}-05-01" for y in range(10, 22)], "date")
    assert dates.labels == ("2010–2014", "2015–2019", "2020–2024")
    months = grouping([f"2021-{m:02d}-01" for m in range(1, 13)], "date")
    assert months.labels == ("2021 Q1", "2021 Q2", "2021 Q3", "2021 Q4")
    yes_no = grouping(["true", "false", ""], "boolean")
    assert yes_no.labels == ("no", "yes", "no value")


def test_wording():
    assert n_of(1, 1, "document") == "1 of 1 document"
    assert n_of(3, 12, "document") == "3 of 12 documents"
    assert count(1, "quote") == "1 quote" and count(0, "case") == "0 cases"
    assert join_and(["a"]) == "a" and join_and(["a", "b"]) == "a and b"
    assert join_and(["a", "b", "c"]) == "a, b and c"
    assert paragraph_range(6, 7) == "¶\u00a06–7" and paragraph_range(6, 6) == "¶\u00a06"


def test_runs_mark_right_to_left_stretches_and_drop_invalid_characters():
    xml = runs("He said שלום עולם, 42 and left\x00.")
    root = etree.fromstring(
        f'<w:p xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">{xml}</w:p>'
    )
    texts = [("rtl" in etree.tostring(r).decode(), "".join(r.itertext())) for r in root]
    assert texts == [(False, "He said "), (True, "שלום עולם"), (False, ", 42 and left.")]
    assert is_rtl_paragraph("  «مرحبا» hello") and not is_rtl_paragraph("hello مرحبا")


def test_chart_part_and_workbook_hold_the_same_data():
    chart = BarChart(
        ["A & B", "C"], [35.0, 8.3], "% of cases", "% of cases (N = 60)", ["#E53935", "bad"]
    )
    root = etree.fromstring(chart_xml(chart).encode())
    c = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
    assert [v.text for v in root.iter(c + "v")][1:3] == ["A & B", "C"]
    book = openpyxl.load_workbook(io.BytesIO(chart_workbook(chart))).active
    assert list(book.iter_rows(values_only=True)) == [
        ("Code", "% of cases"),
        ("A & B", 35.0),
        ("C", 8.3),
    ]
    assert zipfile.ZipFile(io.BytesIO(chart_workbook(chart))).testzip() is None
    with pytest.raises(ValueError):
        BarChart(["A"], [], "x", "y")
