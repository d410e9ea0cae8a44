"""Word lists, KWIC and similar passages, checked against independent counts."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import pytest

from coder.core.errors import InvalidValue
from coder.core.query.similar import SimilarityIndex, similar_passages
from coder.core.query.words import kwic, tokens, word_frequencies
from coder.core.stopwords import stopwords
from coder.core.text import detect_turns

TEXTS = {
    "a": "Interviewer: How was the war?\nAnna: The WAR took my brother. Straße, strasse!\n"
    "Anna: Don't ask about the war-time hunger. 🍵🍵 Café café\n",
    "b": "Interviewer: 你好世界。\nBen: मेरा नाम बेन है। The brother left; العربية جميلة\n",
}


@pytest.fixture
def project(fresh_project):
    for name, text in TEXTS.items():
        fresh_project.add_document(name, text, turns=detect_turns(text))
    return fresh_project


def _independent(text: str) -> list[str]:
    """Words found another way: split at every character that is no letter, mark or digit
    (apostrophes and hyphens between letters kept), ideographs one by one."""
    out, word = [], ""
    folded = unicodedata.normalize("NFC", text.casefold())
    for i, ch in enumerate(folded):
        cat = unicodedata.category(ch)
        ideo = "CJK" in unicodedata.name(ch, "")
        inner = ch in "'’-" and word and i + 1 < len(folded) and folded[i + 1].isalnum()
        if cat[0] in "LMN" and not ideo or inner:
            word += ch
            continue
        if word:
            out.append(word)
        word = ""
        if ideo:
            out.append(ch)
    if word:
        out.append(word)
    return [w for w in out if any(unicodedata.category(c)[0] == "L" for c in w)]


def test_tokens_match_an_independent_tokeniser() -> None:
    for text in TEXTS.values():
        assert tokens(text) == _independent(text)
    assert "don't" in tokens(TEXTS["a"]) and "मेरा" in tokens(TEXTS["b"])
    assert "🍵" not in "".join(tokens(TEXTS["a"]))


def test_word_counts_match_an_independent_count(project) -> None:
    rows = word_frequencies(project)
    expected = Counter(w for t in TEXTS.values() for w in _independent(t))
    assert {r.word: r.count for r in rows} == dict(expected)
    by_word = {r.word: r for r in rows}
    assert by_word["war"].count == 2 and by_word["brother"].documents == 2
    assert by_word["strasse"].count == 2  # "Straße" folds to "strasse"
    assert [r.count for r in rows] == sorted((r.count for r in rows), reverse=True)


def test_stopwords_top_min_length_and_coded_passages(project) -> None:
    en = stopwords("en")
    assert {"the", "my", "about"} <= en and len(stopwords("de")) > 100
    for lang in ("fr", "es", "pt", "nl", "it", "english"):
        assert stopwords(lang)
    rows = word_frequencies(project, stop=en, min_length=4, top=3)
    assert len(rows) == 3 and all(len(r.word) >= 4 and r.word not in en for r in rows)
    doc = project.find_document("a").id
    code = project.add_code("C").created("codes")[0]
    start = TEXTS["a"].index("The WAR")
    project.apply_code(doc, code, start, start + 7, coder="x")
    project.apply_code(doc, code, start + 4, start + 7, coder="y")  # overlaps: counted once
    rows = word_frequencies(project, code_ids=[code])
    assert {r.word: r.count for r in rows} == {"the": 1, "war": 1}
    with pytest.raises(InvalidValue):
        stopwords("klingon")


def test_cases_count_the_documents_cases(project) -> None:
    case = project.add_case("Anna").created("cases")[0]
    project.set_document_case(project.find_document("a").id, case)
    rows = {r.word: r for r in word_frequencies(project)}
    assert rows["war"].cases == 1 and rows["brother"].cases == 1 and rows["ben"].cases == 0


def test_kwic_rows_are_exact_slices(project) -> None:
    rows = kwic(project, "war", width=10)
    text = TEXTS["a"]
    # "war" as a word of its own; "war-time" is one word, as in the word list
    spans = [m.span() for m in re.finditer(r"(?<![\w-])war(?![\w-])", text, re.IGNORECASE)]
    assert [(r.start, r.end) for r in rows] == spans and len(spans) == 2
    for r in rows:
        assert (
            r.left == text[max(0, r.start - 10) : r.start] and r.right == text[r.end : r.end + 10]
        )
    assert [r.speaker for r in rows] == ["Interviewer", "Anna"]
    assert [r.term for r in kwic(project, "war-time")] == ["war-time"]
    assert [r.term for r in kwic(project, "war*")] == ["war", "WAR", "war-time"]
    assert [r.term for r in kwic(project, "the war")] == ["the war", "The WAR"]


def test_every_word_of_the_list_has_its_count_of_kwic_rows(project) -> None:
    for row in word_frequencies(project):
        hits = kwic(project, row.word)
        assert len(hits) == row.count, row.word
        assert len({h.document_id for h in hits}) == row.documents, row.word


UNICODE = (
    "Straße STRASSE strasse.\n"
    "Cafe\u0301 and café and CAFÉ and cafe.\n"  # the first "café" with a combining accent
    "研究者は研究を続けた。研究\n"
    "ΣΊΣΥΦΟΣ σίσυφος 🍵tea🍵\n"
)


def test_words_and_kwic_are_exact_under_unicode(fresh_project) -> None:
    doc = fresh_project.add_document("u", UNICODE).created("documents")[0]
    counts = {r.word: r.count for r in word_frequencies(fresh_project)}
    assert counts["strasse"] == 3
    assert counts["café"] == 3 and counts["cafe"] == 1  # composed and decomposed alike
    assert counts["研"] == 3 and counts["究"] == 3  # each ideograph a word
    assert counts["σίσυφοσ"] == 2 and counts["tea"] == 1
    assert counts == dict(Counter(_independent(UNICODE)))
    terms = [r.term for r in kwic(fresh_project, "straße")]
    assert terms == ["Straße", "STRASSE", "strasse"]
    hits = kwic(fresh_project, "café", width=3)
    assert [h.term for h in hits] == ["Cafe\u0301", "café", "CAFÉ"]
    assert [h.term for h in kwic(fresh_project, "研究")] == ["研究", "研究", "研究"]
    assert [h.term for h in kwic(fresh_project, "ΣΊΣΥΦΟΣ")] == ["ΣΊΣΥΦΟΣ", "σίσυφος"]
    text = fresh_project.document_text(doc)
    for h in hits + kwic(fresh_project, "研究") + kwic(fresh_project, "σίσυφος"):
        assert text[h.start : h.end] == h.term and h.document_id == doc


def test_similar_finds_the_paragraph_with_the_same_words(project) -> None:
    doc = project.find_document("b").id
    start = TEXTS["b"].index("The brother")
    index = SimilarityIndex()
    hits = similar_passages(project, doc, start, start + 16, top=3, index=index)
    assert hits[0].document == "a" and "brother" in hits[0].text
    assert all(h.document != "b" or not h.start <= start < h.end for h in hits)
    assert index.indexed == 2
    similar_passages(project, doc, start, start + 16, index=index)
    assert index.indexed == 2  # nothing changed: nothing re-read
    project.add_document("c", "My brother and the war.\n")
    hits = similar_passages(project, doc, start, start + 16, index=index)
    assert index.indexed == 3 and hits[0].document == "c"
    project.delete_document(project.find_document("c").id)
    hits = similar_passages(project, doc, start, start + 16, index=index)
    assert index.indexed == 3 and all(h.document != "c" for h in hits)


def test_similar_index_follows_an_edited_text(project) -> None:
    doc_a, doc_b = project.find_document("a").id, project.find_document("b").id
    start = TEXTS["b"].index("The brother")
    index = SimilarityIndex()
    similar_passages(project, doc_b, start, start + 16, index=index)
    s = TEXTS["a"].index("brother")
    project.edit_text(doc_a, s, s + 7, "sister")
    hits = similar_passages(project, doc_b, start, start + 16, index=index)
    assert index.indexed == 3  # only the edited document was read again
    assert all("brother" not in h.text for h in hits if h.document == "a")


def test_similar_index_sees_edits_made_on_other_connections(project) -> None:
    doc_b = project.find_document("b").id
    start = TEXTS["b"].index("The brother")
    index = SimilarityIndex()
    first = project.worker_connection()
    similar_passages(first, doc_b, start, start + 16, index=index)
    first.close()
    project.add_document("c", "My brother and the war.\n")
    second = project.worker_connection()
    hits = similar_passages(second, doc_b, start, start + 16, index=index)
    second.close()
    assert hits[0].document == "c" and index.indexed == 3


def test_work_stops_between_documents_and_the_index_goes_on_later(project) -> None:
    """A cancelled count stops at the next document; a stopped index refresh resumes."""
    seen: list[tuple[int, int]] = []

    def stop_at_second(done: int, total: int, label: str) -> None:
        seen.append((done, total))
        if done == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        word_frequencies(project, progress=stop_at_second)
    assert seen == [(0, 2), (1, 2)]
    with pytest.raises(KeyboardInterrupt):
        kwic(project, "war", progress=stop_at_second)
    index = SimilarityIndex()
    with pytest.raises(KeyboardInterrupt):
        index.refresh(project, progress=stop_at_second)
    assert index.indexed == 1
    doc = project.find_document("b").id
    start = TEXTS["b"].index("The brother")
    hits = similar_passages(project, doc, start, start + 16, index=index)
    assert index.indexed == 2 and hits[0].document == "a"
