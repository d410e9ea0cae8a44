"""Position conventions: which reading of a source document's positions other tools meant."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coder.core.refi.positions import (
    Convention,
    PositionReader,
    Reading,
    choose_reading,
    tool_convention,
)
from coder.core.text import normalise

NVIVO = tool_convention("NVivo for Windows 12.6")
QUALCODER = tool_convention("QualCoder 4.0 Beta")
UNKNOWN = tool_convention("Some Tool 2.1")


def positions(raw: str, passage: str, reading: Reading, occurrence: int = 1) -> tuple[int, int]:
    """Where a tool counting ``reading`` puts ``passage`` of ``raw`` (BOM never counted)."""
    body = raw.removeprefix("\ufeff")
    if not reading.crlf_two:
        body = body.replace("\r\n", "\n")
    i = -1
    for _ in range(occurrence):
        i = body.index(passage, i + 1)
    j = i + len(passage)
    if reading.utf16:
        return len(body[:i].encode("utf-16-le")) // 2, len(body[:j].encode("utf-16-le")) // 2
    return i, j


@pytest.mark.parametrize(
    ("origin", "tool", "utf16", "crlf_two"),
    [
        ("NVivo for Windows 12.6", "NVivo", True, True),
        ("NVivo for Mac 15.0.0", "NVivo", True, True),
        ("NVivo 14", "NVivo", True, True),
        ("QualCoder 4.0 Beta", "QualCoder", False, False),
        ("QualCoder", "QualCoder", False, False),
        ("ATLAS.ti for Windows 23.2.3.27778", "ATLAS.ti", None, False),
        ("ATLAS.ti Win 23.4.0", "ATLAS.ti", None, False),
        ("MAXQDA 24 (Release 24.7.0)", "MAXQDA", None, False),
        ("qc 1.3.2", "qc", False, None),
        ("Coder 0.2.0", "Coder", False, True),
        ("", "an unknown tool", None, None),
        ("Taguette 1.5", "Taguette 1.5", None, None),
    ],
)
def test_tool_conventions_from_the_origin_attribute(origin, tool, utf16, crlf_two):
    conv = tool_convention(origin)
    assert (conv.tool, conv.utf16, conv.crlf_two) == (tool, utf16, crlf_two)


def test_the_bom_is_never_counted():
    raw = "\ufeffWe had hope"
    for reading in (Reading(False, True), Reading(True, False)):
        read = PositionReader(raw, reading)
        assert normalise(raw)[read(7) : read(11)] == "hope"


def test_utf16_positions_inside_a_surrogate_pair_widen_to_the_whole_character():
    raw = "a😀b"
    read = PositionReader(raw, Reading(utf16=True))
    assert (read(2), read(2, end=True)) == (1, 2)
    assert read(4) == 3


def test_positions_past_the_end_stay_past_the_end():
    raw = "ab😀\r\ncd"
    read = PositionReader(raw, Reading(utf16=True, crlf_two=True))
    assert read(len("ab😀\r\ncd".encode("utf-16-le")) // 2 + 5) == len(normalise(raw)) + 5


@pytest.mark.parametrize("bom", ["", "\ufeff"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("conv", [NVIVO, QUALCODER], ids=["NVivo", "QualCoder"])
def test_one_coding_in_the_tools_convention_is_read_silently(bom, newline, conv):
    """The case that shifted passages: one coding, after an emoji and a line break."""
    raw = bom + f"Hi 😀 there.{newline}It was exhausting, honestly.{newline}"
    text = normalise(raw)
    span = positions(raw, "exhausting", conv.default())
    choice = choose_reading(raw, text, [span], conv)
    assert text[slice(*choice.span(0, *span))] == "exhausting"
    assert choice.warning is None


def test_a_file_contradicting_its_tool_is_read_its_own_way_with_one_warning():
    raw = "\ufeff😀 We had hope. 😀😀 Then fear came. 🇳🇴 And love stayed.\r\n"
    text = normalise(raw)
    words = ["hope", "fear", "love"]
    # Code points, though NVivo counts UTF-16 units.
    spans = [positions(raw, w, Reading(False, True)) for w in words]
    choice = choose_reading(raw, text, spans, NVIVO)
    assert [text[slice(*choice.span(i, *s))] for i, s in enumerate(spans)] == words
    assert choice.reading == Reading(False, True)
    assert choice.warning is not None
    assert "not as NVivo usually counts" in choice.warning
    assert "code points" in choice.warning


def test_passage_texts_written_beside_the_positions_decide():
    raw = "😀😀 one two three four\nfive six 😀 seven\n"
    text = normalise(raw)
    spans = [positions(raw, "three", Reading(True, False))]
    # Boundaries cannot tell (both readings land on word edges); the written text can.
    choice = choose_reading(raw, text, spans, QUALCODER, ["three"])
    assert text[slice(*choice.span(0, *spans[0]))] == "three"
    assert choice.warning is None  # per-passage evidence, not a contradiction of the document


def test_qualcoder_mixed_readings_follow_each_passage_text():
    raw = "😀 alpha beta 😀 gamma delta 😀 epsilon\n"
    text = normalise(raw)
    words = ["alpha", "gamma", "epsilon", "beta"]
    utf16 = {0, 2}
    spans = [positions(raw, w, Reading(i in utf16, False)) for i, w in enumerate(words)]
    choice = choose_reading(raw, text, spans, QUALCODER, words)
    assert [text[slice(*choice.span(i, *s))] for i, s in enumerate(spans)] == words
    assert choice.warning is None


def test_unknown_tool_with_undecidable_evidence_says_which_reading_it_used():
    raw = "😀 x\nIt was exhausting.\n"
    text = normalise(raw)
    span = positions(raw, "exhausting", Reading(False, True))
    choice = choose_reading(raw, text, [(span[0] + 1, span[1] + 1)], UNKNOWN)
    assert choice.reading == Reading(False, True)
    assert choice.warning and "REFI-QDA standard" in choice.warning


def test_unknown_tool_with_clear_evidence_is_silent():
    raw = "😀 a 😀 b 😀 c\r\n" * 3 + "one two three four five six seven\r\n" * 3
    text = normalise(raw)
    words = ["two", "four", "six", "seven"]
    spans = [positions(raw, w, Reading(True, False), occ) for w in words for occ in (1, 2, 3)]
    choice = choose_reading(raw, text, spans, UNKNOWN)
    assert choice.reading == Reading(True, False)
    assert choice.warning is None


def test_coder_files_are_read_as_written():
    raw = "😀 hope"
    conv = tool_convention("Coder 0.2.0")
    choice = choose_reading(raw, raw, [(2, 6)], conv)
    assert raw[slice(*choice.span(0, 2, 6))] == "hope"


def test_readings_that_agree_need_no_decision():
    raw = "plain text, nothing to decide\n"
    choice = choose_reading(raw, raw, [(0, 5)], Convention("X"))
    assert choice.warning is None and raw[slice(*choice.span(0, 0, 5))] == "plain"


_chars = st.sampled_from(list("ab cd\n,.") + ["😀", "é", "\r\n", "𠀋", "ß"])


@settings(max_examples=200, deadline=None)
@given(
    pieces=st.lists(_chars, min_size=1, max_size=40),
    bom=st.booleans(),
    data=st.data(),
)
def test_property_every_reading_maps_back_to_the_passage(pieces, bom, data):
    body = "".join(pieces)
    raw = ("\ufeff" if bom else "") + body
    text = normalise(raw)
    reading = Reading(data.draw(st.booleans()), data.draw(st.booleans()))
    i = data.draw(st.integers(0, len(text)))
    j = data.draw(st.integers(i, len(text)))
    passage = text[i:j]
    # Positions of text[i:j] in that reading: count the LF text's prefix the tool's way.
    counted = [text[:i], text[:j]]
    if reading.crlf_two:
        # A CRLF of the file counts two; lone CRs were LF-normalised one for one.
        file_body = body
        lf_to_file = []
        k = 0
        for n in range(len(text) + 1):
            lf_to_file.append(k)
            if n < len(text):
                k += 2 if file_body[k : k + 2] == "\r\n" else 1
        counted = [file_body[: lf_to_file[i]], file_body[: lf_to_file[j]]]
    if reading.utf16:
        s, e = (len(c.encode("utf-16-le")) // 2 for c in counted)
    else:
        s, e = (len(c) for c in counted)
    read = PositionReader(raw, reading)
    assert text[read(s) : read(e, end=True)] == passage
