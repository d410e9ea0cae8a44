"""Word lists and keyword in context: the words of the texts, counted, and where they occur.

Tokens are Unicode words: runs of letters, combining marks and digits (an apostrophe or hyphen
between letters stays inside: "don't", "well-being"), holding at least one letter; each Chinese
or Japanese ideograph is a word of its own (those scripts write no spaces). Words are compared
case-folded (``str.casefold``: "Straße" and "STRASSE" are one word) and in Unicode's composed
form (NFC: "café" typed with a combining accent is "café"). Emoji and punctuation are not words.
A keyword in context is found by the same rule, so a word of the list has exactly as many
occurrences in context as its count.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from coder.core.errors import InvalidValue
from coder.core.query.scope import Filters, Sources, codings_in_scope, documents_in_scope
from coder.core.text import union_spans

if TYPE_CHECKING:
    from coder.core.project import Project

# ``progress(done, total, label)``: called before each document; it may raise to stop the work.
Progress = Callable[[int, int, str], object]


# Compiled on first use: importing the regex module takes a hundredth of a second, which
# the window's start does not wait for.
@cache
def _token() -> Any:  # a regex.Pattern
    """A word: letters, marks and digits (joined by an apostrophe or a hyphen), or one
    ideograph (Chinese and Japanese write words without spaces)."""
    import regex

    return regex.compile(
        r"\p{Ideographic}|(?:[\p{L}\p{M}\p{N}--\p{Ideographic}]+(?:['’\-][\p{L}\p{M}\p{N}--\p{Ideographic}]+)*)",
        regex.V1,
    )


@cache
def _letter() -> Any:
    import regex

    return regex.compile(r"\p{L}", regex.V1)


def fold(text: str) -> str:
    """``text`` case-folded, in composed form (NFC): the form words are compared in."""
    folded = text.casefold()
    if folded.isascii() or unicodedata.is_normalized("NFC", folded):
        return folded
    return unicodedata.normalize("NFC", folded)


def tokens(text: str) -> list[str]:
    """The case-folded words of ``text``, in order."""
    return [w for w in _token().findall(fold(text)) if w.isalpha() or _has_letter(w)]


def _has_letter(word: str) -> bool:
    return not word.isnumeric() and _letter().search(word) is not None


@dataclass(frozen=True)
class WordRow:
    word: str
    count: int  # occurrences
    documents: int  # documents it occurs in
    cases: int  # cases it occurs in


def _pieces(
    project: Project, filters: Filters | None, code_ids: Sequence[int] | None
) -> dict[int, list[tuple[int, int]] | None]:
    """Per document in scope, the coded passages to read (None: the whole text)."""
    docs = documents_in_scope(project, filters)
    if code_ids is None:
        return dict.fromkeys(docs)
    found: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for row in codings_in_scope(project, filters, code_ids):
        found[row.document_id].append((row.start, row.end))
    return {d: union_spans(found[d]) for d in docs if d in found}


def word_frequencies(
    project: Project,
    filters: Filters | None = None,
    code_ids: Sequence[int] | None = None,
    top: int | None = None,
    min_length: int = 1,
    stop: Iterable[str] = (),
    progress: Progress | None = None,
) -> list[WordRow]:
    """Words by how often they occur (then alphabetically), over the documents in scope, or
    only over the passages coded with ``code_ids`` (overlapping codings counted once)."""
    stop = frozenset(w.casefold() for w in stop)
    src = Sources(project)
    total: Counter[str] = Counter()
    documents: Counter[str] = Counter()
    cases: dict[str, set[int]] = defaultdict(set)
    pieces = _pieces(project, filters, code_ids)
    for n, (doc_id, passages) in enumerate(pieces.items()):
        if progress is not None:
            progress(n, len(pieces), "Counting words")
        text = src.text(doc_id)
        parts = [(0, len(text))] if passages is None else passages
        counts: Counter[str] = Counter()
        by_case: dict[int, set[str]] = defaultdict(set)
        selections = src.case_selections().get(doc_id)
        for s, e in parts:
            words = tokens(text[s:e])
            counts.update(words)
            if selections:  # cases by passage: a case selection covers part of the text
                for case_id in src.case_ids(doc_id, s, e):
                    if case_id == src.document_case.get(doc_id):
                        continue
                    by_case[case_id].update(_words_in_case(text, s, e, selections, case_id))
        doc_case = src.document_case.get(doc_id)
        for word in counts:
            documents[word] += 1
            if doc_case is not None:
                cases[word].add(doc_case)
        for case_id, case_words in by_case.items():
            for word in case_words:
                cases[word].add(case_id)
        total.update(counts)
    rows = [
        WordRow(w, n, documents[w], len(cases[w]))
        for w, n in total.items()
        if len(w) >= min_length and w not in stop
    ]
    rows.sort(key=lambda r: (-r.count, r.word))
    return rows[:top] if top else rows


def _words_in_case(
    text: str, start: int, end: int, selections: list[tuple[int, int, int]], case_id: int
) -> set[str]:
    out: set[str] = set()
    for s, e, c in selections:
        if c == case_id and s < end and start < e:
            out.update(tokens(text[max(s, start) : min(e, end)]))
    return out


# ============================================================================ KWIC


@dataclass(frozen=True)
class KwicRow:
    document_id: int
    document: str
    start: int
    end: int
    left: str
    term: str
    right: str
    speaker: str | None


@dataclass(frozen=True)
class Keyword:
    """A word or phrase to find: its words in folded form; ``prefix``: the last word may go
    on ("famil*" finds "family" and "families")."""

    words: tuple[str, ...]
    prefix: bool = False

    @classmethod
    def parse(cls, term: str) -> Keyword:
        words = tuple(_token().findall(fold(term)))
        if not words:
            raise InvalidValue(f"a keyword needs at least one word, not '{term}'")
        return cls(words, term.rstrip().endswith("*"))

    def _is(self, i: int, word: str) -> bool:
        if self.prefix and i == len(self.words) - 1:
            return word.startswith(self.words[i])
        return word == self.words[i]

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the keyword occurs in ``text``: runs of consecutive words of one line (as the
        word list reads them) equal to its words, left to right, not overlapping."""
        first = self.words[0]
        if first not in fold(text):  # folding keeps every word whole and in order
            return []
        out: list[tuple[int, int]] = []
        offset = 0
        for line in text.split("\n"):
            if first in (line if line.isascii() and line.islower() else fold(line)):
                out.extend((offset + s, offset + e) for s, e in self._line_spans(line))
            offset += len(line) + 1
        return out

    def _line_spans(self, line: str) -> list[tuple[int, int]]:
        if line.isascii():  # folding keeps every position: read the words folded
            found = [(m.start(), m.end(), m.group()) for m in _token().finditer(line.lower())]
        else:
            found = [(m.start(), m.end(), fold(m.group())) for m in _token().finditer(line)]
        out, n, i = [], len(self.words), 0
        while i + n <= len(found):
            if all(self._is(k, found[i + k][2]) for k in range(n)):
                out.append((found[i][0], found[i + n - 1][1]))
                i += n
            else:
                i += 1
        return out


def kwic(
    project: Project,
    term: str,
    width: int = 40,
    filters: Filters | None = None,
    code_ids: Sequence[int] | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
) -> list[KwicRow]:
    """Every occurrence of ``term`` (a word or phrase as :class:`Keyword` reads it) with
    ``width`` characters of context on each side (the exact text), in document and position
    order."""
    if width < 0:
        raise InvalidValue("--width is a number of characters, 0 or more")
    keyword = Keyword.parse(term)
    src = Sources(project)
    rows: list[KwicRow] = []
    pieces = _pieces(project, filters, code_ids)
    for n, (doc_id, passages) in enumerate(pieces.items()):
        if progress is not None:
            progress(n, len(pieces), "Finding")
        text = src.text(doc_id)
        starts, turns = src.turns(doc_id)
        for s, e in keyword.spans(text):
            if passages is not None and not _inside(passages, s, e):
                continue
            i = bisect_right(starts, s) - 1
            speaker = turns[i].speaker if i >= 0 and s < turns[i].end else None
            rows.append(
                KwicRow(
                    doc_id,
                    src.document_names[doc_id],
                    s,
                    e,
                    text[max(0, s - width) : s],
                    text[s:e],
                    text[e : e + width],
                    speaker,
                )
            )
            if limit is not None and len(rows) >= limit:
                return rows
    return rows


def _inside(passages: list[tuple[int, int]], start: int, end: int) -> bool:
    i = bisect_right(passages, (start, float("inf"))) - 1
    return i >= 0 and passages[i][0] <= start and end <= passages[i][1]
