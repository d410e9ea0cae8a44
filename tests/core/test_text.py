"""Text normalisation, code point <-> UTF-16 maps, paragraphs and speaker turns."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coder.core.text import (
    _KNOWN_LABEL,
    PositionMap,
    Turn,
    _label_ok,
    detect_turns,
    normalise,
    paragraph_index,
    paragraphs,
)
from tests.conftest import FIXTURES

INTERVIEW = FIXTURES / "samples" / "interview-neumann-vox.txt"

# Pieces that stress UTF-16: ZWJ family, flag, skin tone, combining marks, CJK, RTL, astral CJK.
TRICKY = [
    "👩\u200d👩\u200d👧",
    "🇫🇷",
    "👍🏽",
    "e\u0301",
    "a\u0308\u0323",
    "漢字かな",
    "مرحبا",
    "שלום",
    "𠀋",
    "\U0010ffff",
    "\ufeff",
    "\n",
    "x",
]
tricky_text = st.lists(st.one_of(st.sampled_from(TRICKY), st.text(max_size=5)), max_size=30).map(
    "".join
)


def u16(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


# --- normalise -------------------------------------------------------------------------------


def test_normalise_strips_leading_bom_only() -> None:
    assert normalise("\ufeffabc") == "abc"
    assert normalise("a\ufeffb") == "a\ufeffb"


def test_normalise_line_endings_and_nul() -> None:
    assert normalise("a\r\nb\rc\nd\r\n\r\n") == "a\nb\nc\nd\n\n"
    assert normalise("a\x00b\x00") == "ab"


def test_normalise_leaves_unicode_forms_and_whitespace_alone() -> None:
    nfd = unicodedata.normalize("NFD", "Café Grüße")
    nfc = unicodedata.normalize("NFC", "Café Grüße")
    assert normalise(nfd) == nfd and normalise(nfc) == nfc
    spaces = "  a\t\tb \u00a0 \u2003c  \n\n\n  "
    assert normalise(spaces) == spaces


# --- PositionMap -----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(tricky_text)
def test_position_map_matches_python_utf16(text: str) -> None:
    pm = PositionMap(text)
    assert pm.utf16_length == u16(text)
    for i in range(len(text) + 1):
        pos = pm.to_utf16(i)
        assert pos == u16(text[:i])
        assert pm.to_codepoint(pos) == i
        assert pm.to_codepoint(pos, snap="up") == i


@settings(max_examples=200, deadline=None)
@given(tricky_text)
def test_mid_surrogate_positions_snap(text: str) -> None:
    pm = PositionMap(text)
    for i, ch in enumerate(text):
        if ord(ch) > 0xFFFF:
            mid = pm.to_utf16(i) + 1
            assert pm.to_codepoint(mid) == i
            assert pm.to_codepoint(mid, snap="down") == i
            assert pm.to_codepoint(mid, snap="up") == i + 1


def test_position_map_simple_cases() -> None:
    pm = PositionMap("a😀b")
    assert [pm.to_utf16(i) for i in range(4)] == [0, 1, 3, 4]
    assert [pm.to_codepoint(p) for p in range(5)] == [0, 1, 1, 2, 3]
    assert [pm.to_codepoint(p, snap="up") for p in range(5)] == [0, 1, 2, 2, 3]


def test_position_map_rejects_out_of_range() -> None:
    pm = PositionMap("ab😀")
    with pytest.raises(ValueError):
        pm.to_utf16(4)
    with pytest.raises(ValueError):
        pm.to_codepoint(5)
    with pytest.raises(ValueError):
        pm.to_utf16(-1)


@pytest.mark.parametrize("astral", [False, True])
def test_position_map_stores_only_astral_characters(astral: bool) -> None:
    """The map's size grows with the astral characters, not the text: cheap on 3M characters."""
    text = ("Grüße, a long interview line with ümlauts.\n" * 70_000)[:3_000_000]
    if astral:
        text = text[:-1] + "😀"
    pm = PositionMap(text)
    assert len(pm._astral_cp) == (1 if astral else 0)
    assert pm.to_utf16(len(text)) == u16(text)
    assert pm.to_codepoint(u16(text)) == len(text)


# --- paragraphs ------------------------------------------------------------------------------


def test_paragraphs_skip_blank_and_whitespace_lines() -> None:
    text = "First line\n\n   \n\t\nSecond  \n  third\nlast"
    spans = paragraphs(text)
    assert [text[s:e] for s, e in spans] == ["First line", "Second  ", "  third", "last"]
    assert all("\n" not in text[s:e] for s, e in spans)


def test_paragraphs_edge_cases() -> None:
    assert paragraphs("") == []
    assert paragraphs("\n\n \n") == []
    assert paragraphs("one") == [(0, 3)]
    assert paragraphs("😀x\n") == [(0, 2)]


def test_paragraph_index() -> None:
    text = "aa\n\nbbb\ncc"
    spans = paragraphs(text)
    assert [paragraph_index(spans, i) for i in range(len(text) + 1)] == [
        0,
        0,
        0,
        None,
        1,
        1,
        1,
        1,
        2,
        2,
        2,
    ]
    assert paragraph_index([], 0) is None


def test_paragraphs_on_3m_chars() -> None:
    text = ("A line of text.\n\n  \n" * 150_000)[:3_000_000]
    spans = paragraphs(text)
    assert len(spans) == 150_000
    assert all(text[s:e] == "A line of text." for s, e in spans)


# --- detect_turns ----------------------------------------------------------------------------


def spoken(text: str, turns: list[Turn]) -> list[tuple[str | None, str]]:
    return [(t.speaker, text[t.start : t.end]) for t in turns]


def test_turns_name_colon_forms() -> None:
    text = (
        "Intro text, no turn.\n\n"
        "Anna Schmidt: Hello there.\n\n"
        "Ben:How are you?\n"
        "More from Ben.\n\n"
        "ANNA SCHMIDT:\n"
        "Fine, thanks.\n\n"
        "Ben: Good.\n"
    )
    turns = detect_turns(text)
    assert spoken(text, turns) == [
        ("Anna Schmidt", "Anna Schmidt: Hello there."),
        ("Ben", "Ben:How are you?\nMore from Ben."),
        ("ANNA SCHMIDT", "ANNA SCHMIDT:\nFine, thanks."),
        ("Ben", "Ben: Good."),
    ]


def test_turns_bracket_labels() -> None:
    text = "[Maria] Hi.\n[Tom] Hey.\n[Music]\n[Maria] Bye.\n[Tom] Ok.\n[Music]\n[Laughter]\n"
    turns = detect_turns(text)
    assert [t.speaker for t in turns] == ["Maria", "Tom", "Maria", "Tom"]
    assert text[turns[1].start : turns[1].end] == "[Tom] Hey.\n[Music]"


def test_turns_known_interview_labels_count_once() -> None:
    text = (
        "Header\nI: Question?\nR: Answer.\nInterviewer: one\nP1: two\nSpeaker 2: three\nQ: x\nA: y"
    )
    assert [t.speaker for t in detect_turns(text)] == [
        "I",
        "R",
        "Interviewer",
        "P1",
        "Speaker 2",
        "Q",
        "A",
    ]


def test_turns_ignore_headings_quotes_and_times() -> None:
    text = (
        "Filed under:\n\n"
        "Note: this appears once.\n"
        "“Reality is here:” a quoted headline\n"
        '"Quoted: text"\n'
        "See http://example.org\n"
        "Http://example.org\n"
        "At 10:30 we met.\n"
        "At 10:30 we met again.\n"
        "Please select all that apply:\n"
        "The very long label with many words: text\n"
        "The very long label with many words: text\n"
        "lower case: text\n"
        "lower case: text\n"
    )
    assert detect_turns(text) == []


def test_turn_labels_must_recur_unless_known() -> None:
    text = "Summary: once.\nJo: one\nKim: two\nJo: three\nKim: four\n"
    turns = detect_turns(text)
    assert [t.speaker for t in turns] == ["Jo", "Kim", "Jo", "Kim"]
    assert turns[0].start == text.index("Jo:")


def test_turns_offsets_are_code_points() -> None:
    text = "😀😀\nJo: 👩\u200d👩\u200d👧 hi\n\nKim: ok\nJo: x\nKim: y\n\n\n"
    turns = detect_turns(text)
    assert spoken(text, turns)[0] == ("Jo", "Jo: 👩\u200d👩\u200d👧 hi")
    assert spoken(text, turns)[-1] == ("Kim", "Kim: y")
    assert all(t.time_start is None and t.time_end is None for t in turns)


def test_turns_none_without_labels() -> None:
    assert detect_turns("") == []
    assert detect_turns("Just a paragraph.\nAnother one.") == []


def test_turns_on_real_interview() -> None:
    text = normalise(INTERVIEW.read_text(encoding="utf-8"))
    turns = detect_turns(text)
    assert {t.speaker for t in turns} == {"Zack Beauchamp", "Peter Neumann"}
    speakers = [t.speaker for t in turns]
    assert all(a != b for a, b in pairwise(speakers))  # they alternate
    assert all(text[t.start : t.end].startswith(f"{t.speaker}:") for t in turns)
    # A paragraph without a label (line 61) belongs to the Peter Neumann turn before it.
    spans = paragraphs(text)
    line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    offset = line_starts[60] + 5
    assert paragraph_index(spans, offset) is not None
    turn = next(t for t in turns if t.start <= offset < t.end)
    assert turn.speaker == "Peter Neumann"
    # Nothing before the first question is a turn.
    assert text[: turns[0].start].count("\n") > 5


def test_paragraphs_on_real_interview() -> None:
    text = normalise(INTERVIEW.read_text(encoding="utf-8"))
    spans = paragraphs(text)
    expected = [line for line in text.split("\n") if line.strip()]
    assert [text[s:e] for s, e in spans] == expected


def test_detect_turns_on_3m_chars() -> None:
    text = ("Jo: a line of talk here.\nmore\n\nKim: and a reply.\n\n" * 60_000)[:3_000_000]
    turns = detect_turns(text)
    assert len(turns) == 120_000
    assert {t.speaker for t in turns} == {"Jo", "Kim"}


# The speaker-line rule as two regular expressions over the whole text: slower than the
# line scan detect_turns does, and the definition it must agree with.
_REF_COLON = re.compile(r"^[ \t]*(?P<label>[^:\n]{1,40}?)[ \t]*:(?P<rest>[^\n]*)$", re.MULTILINE)
_REF_BRACKET = re.compile(r"^[ \t]*\[(?P<label>[^\]\n]{1,40})\](?P<rest>[^\n]*)$", re.MULTILINE)


def _reference_turns(text: str) -> list[tuple[str, int, int]]:
    found = []
    for m in _REF_COLON.finditer(text):
        rest, label = m.group("rest"), m.group("label").strip()
        if rest.startswith("//") or (rest[:1].isdigit() and label[-1:].isdigit()):
            continue
        if _label_ok(label):
            found.append((m.start(), label))
    found += [
        (m.start(), m.group("label").strip())
        for m in _REF_BRACKET.finditer(text)
        if _label_ok(m.group("label").strip())
    ]
    found.sort()
    counts = Counter(label.casefold() for _, label in found)
    lines = [
        (s, lab) for s, lab in found if counts[lab.casefold()] >= 2 or _KNOWN_LABEL.fullmatch(lab)
    ]
    out = []
    for i, (start, label) in enumerate(lines):
        end = lines[i + 1][0] if i + 1 < len(lines) else len(text)
        while end > start and text[end - 1] == "\n":
            end -= 1
        out.append((label, start, end))
    return out


_LABELS = [
    "Jo",
    "Kim",
    "I",
    "P1",
    "Speaker 2",
    "Anna Schmidt",
    "Ludwig van Beethoven",
    "http",
    "At 10",
    "A" * 40,
    "B" * 41,
    "Note",
    "lower case",
    "Music",
    "“Quote",
    "Jo ",
    " Kim",
    "J\u00a0o",
    "Ελένη",
    "😀",
    "",
    " ",
    "[Jo]",
    "Jo: Kim",
    "10",
]
_LINE = st.tuples(
    st.sampled_from(["", " ", "\t ", "  "]),
    st.sampled_from(["colon", "bracket", "plain"]),
    st.sampled_from(_LABELS),
    st.sampled_from(["", " ", "\t"]),
    st.sampled_from(["", " hi", "//x", "30 talk", " 10", ": more", " [x]", "\u00a0ok"]),
).map(
    lambda t: (
        t[0] + {"colon": t[2] + t[3] + ":", "bracket": "[" + t[2] + "]", "plain": t[2]}[t[1]] + t[4]
    )
)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(_LINE, st.sampled_from(["\n", "\n\n", "\n \n"])), max_size=30))
def test_turns_match_the_regular_expression_definition(lines: list[tuple[str, str]]) -> None:
    text = "".join(line + end for line, end in lines)
    assert [(t.speaker, t.start, t.end) for t in detect_turns(text)] == _reference_turns(text)
    text = text.rstrip("\n")  # the last line without its line end
    assert [(t.speaker, t.start, t.end) for t in detect_turns(text)] == _reference_turns(text)


@given(st.lists(st.sampled_from([*TRICKY, "a", "b "]), max_size=30))
def test_fast_converter_agrees_with_to_utf16(pieces: list[str]) -> None:
    text = "".join(pieces)
    pm = PositionMap(text)
    convert = pm.utf16_converter()
    assert [convert(cp) for cp in range(len(text) + 1)] == [
        pm.to_utf16(cp) for cp in range(len(text) + 1)
    ]


def test_union_spans_joins_overlapping_and_touching_spans_in_order() -> None:
    from coder.core.text import union_spans

    assert union_spans([]) == []
    assert union_spans([(5, 9), (0, 2), (2, 4), (7, 8), (10, 12)]) == [(0, 4), (5, 9), (10, 12)]
    assert union_spans(iter([(3, 3), (1, 6)])) == [(1, 6)]


@given(
    st.text(alphabet="a\né😀𝄞", max_size=40),
    st.integers(0, 40),
    st.integers(0, 40),
    st.text(alphabet="b\nü👩𝄞", max_size=6),
)
def test_a_position_map_follows_an_edit_as_if_built_again(
    text: str, a: int, b: int, new: str
) -> None:
    start, end = sorted((min(a, len(text)), min(b, len(text))))
    moved = PositionMap(text).replaced(start, end, new)
    again = PositionMap(text[:start] + new + text[end:])
    assert (moved.length, moved.utf16_length) == (again.length, again.utf16_length)
    for cp in range(again.length + 1):
        assert moved.to_utf16(cp) == again.to_utf16(cp)
    for u16 in range(again.utf16_length + 1):
        for snap in ("down", "up"):
            assert moved.to_codepoint(u16, snap) == again.to_codepoint(u16, snap)
    with pytest.raises(ValueError):
        PositionMap(text).replaced(0, len(text) + 1, "")
