"""Finding a pseudonym list's originals in a text.

By default an original matches as a whole word (not inside a longer word), whatever its case
and whatever the Unicode normalisation form (NFC or NFD) of the text or of the original: both
are compared after full case folding and canonical decomposition, character by character, so
that every match maps back to exact positions of the text. Where two originals could match at
overlapping places, the longer wins ("Christina M" before "Christina"); then the earlier.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Combining marks are part of the word they follow (an NFD "José" is not "Jose" + a mark).
_MARKS = "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u0610-\u061a\u064b-\u065f\u0900-\u0903"
_MARKS += "\u093a-\u094f\u0951-\u0957\u0962\u0963\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff"
_MARKS += "\ufe20-\ufe2f"
# Letters, digits and combining marks make words; "_" separates them ("Mara_interview.docx").
_WORD = rf"(?:[^\W_]|[{_MARKS}])"
_WORD_RE = re.compile(_WORD)
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


@dataclass(frozen=True)
class Rule:
    """One original (or one of its extra forms) and what replaces it."""

    original: str
    replacement: str
    category: str = "other"
    case_sensitive: bool = False
    whole_word: bool = True


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    rule: Rule


def fold(text: str, case_sensitive: bool = False) -> tuple[str, list[int]]:
    """``text`` case folded (unless ``case_sensitive``) and decomposed (NFD) character by
    character, with the index in ``text`` of each character of the result."""
    if text.isascii():
        return (text if case_sensitive else text.lower()), list(range(len(text)))
    parts: list[str] = []
    where: list[int] = []
    at = 0
    for run in _NON_ASCII.finditer(text):
        a, b = run.span()
        if a > at:
            chunk = text[at:a]
            parts.append(chunk if case_sensitive else chunk.lower())
            where.extend(range(at, a))
        word = run.group(0)
        f = unicodedata.normalize("NFD", word if case_sensitive else word.casefold())
        if len(f) == len(word):  # nothing grew: one character for one
            parts.append(f)
            where.extend(range(a, b))
        else:
            for i in range(a, b):
                f = unicodedata.normalize("NFD", text[i] if case_sensitive else text[i].casefold())
                parts.append(f)
                where.extend([i] * len(f))
        at = b
    if at < len(text):
        chunk = text[at:]
        parts.append(chunk if case_sensitive else chunk.lower())
        where.extend(range(at, len(text)))
    return "".join(parts), where


def folded_key(text: str) -> str:
    """How two originals are told apart: case and normalisation form do not count."""
    return fold(unicodedata.normalize("NFC", text))[0]


class Matcher:
    """Every original of a list, compiled once, found in any number of texts."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules = [r for r in rules if r.original.strip()]
        self._passes: list[tuple[bool, re.Pattern[str], dict[str, list[Rule]]]] = []
        for case_sensitive in (False, True):
            group = [r for r in self.rules if r.case_sensitive == case_sensitive]
            if not group:
                continue
            by_pattern: dict[str, list[Rule]] = {}
            for r in group:
                by_pattern.setdefault(fold(r.original, case_sensitive)[0], []).append(r)
            alternatives = []
            # Longest first: the regex takes the first alternative that matches at a place.
            for folded in sorted(by_pattern, key=lambda f: (-len(f), f)):
                whole = all(r.whole_word for r in by_pattern[folded])
                alternatives.append(_pattern(folded, whole))
            self._passes.append((case_sensitive, re.compile("|".join(alternatives)), by_pattern))

    def __bool__(self) -> bool:
        return bool(self.rules)

    def find(self, text: str) -> list[Match]:
        """Where the originals occur in ``text``: sorted, never overlapping."""
        if not self.rules or not text:
            return []
        found: list[Match] = []
        for case_sensitive, pattern, by_pattern in self._passes:
            folded, where = fold(text, case_sensitive)
            found += _matches(pattern, folded, where, text, by_pattern)
        if len(self._passes) == 1:
            return found  # one pass: in order, never overlapping
        # The longest first, then the earliest; each kept unless it overlaps one kept before.
        found.sort(key=lambda m: (-(m.end - m.start), m.start))
        starts: list[int] = []
        ends: list[int] = []
        kept: list[Match] = []
        for m in found:
            i = bisect_right(starts, m.start)
            if (i > 0 and ends[i - 1] > m.start) or (i < len(starts) and starts[i] < m.end):
                continue
            starts.insert(i, m.start)
            ends.insert(i, m.end)
            kept.insert(i, m)
        return kept

    def replace(self, text: str) -> tuple[str, list[tuple[Match, int]]]:
        """``text`` with every match replaced, and each match with its position in the result."""
        matches = self.find(text)
        if not matches:
            return text, []
        out: list[str] = []
        placed: list[tuple[Match, int]] = []
        at = 0
        length = 0
        for m in matches:
            out.append(text[at : m.start])
            length += m.start - at
            placed.append((m, length))
            out.append(m.rule.replacement)
            length += len(m.rule.replacement)
            at = m.end
        out.append(text[at:])
        return "".join(out), placed

    def contains(self, text: str) -> Match | None:
        """A match in ``text``, if there is one (found without looking for every other)."""
        if not self.rules or not text:
            return None
        for case_sensitive, pattern, by_pattern in self._passes:
            folded, where = fold(text, case_sensitive)
            for match in _matches(pattern, folded, where, text, by_pattern, first=True):
                return match
        return None


def _matches(
    pattern: re.Pattern[str],
    folded: str,
    where: list[int],
    text: str,
    by_pattern: dict[str, list[Rule]],
    first: bool = False,
) -> list[Match]:
    """The pattern's matches in the folded text that stand as matches of the text. The
    pattern has no look-behind (which would cost a test of every alternative at every
    position): the start's word boundary is checked here, and a match refused for it is
    searched for again from the next position, so that it hides no other."""
    out: list[Match] = []
    at = 0
    search = pattern.search
    while True:
        m = search(folded, at)
        if m is None:
            return out
        match = _accept(m, folded, where, text, by_pattern)
        if match is None:
            at = m.start() + 1
            continue
        out.append(match)
        if first:
            return out
        at = max(m.end(), m.start() + 1)


def _accept(
    m: re.Match[str], folded: str, where: list[int], text: str, by_pattern: dict[str, list[Rule]]
) -> Match | None:
    """A regex match in the folded text as a match of the text, if it covers whole characters
    and its rule's word boundaries hold there."""
    fs, fe = m.start(), m.end()
    if fe == fs:
        return None
    start, end = where[fs], where[fe - 1] + 1
    if fs > 0 and where[fs - 1] == start:
        return None
    if fe < len(folded) and where[fe] == end - 1:
        return None
    rule = _rule_for(by_pattern[m.group(0)], text, start, end)
    return None if rule is None else Match(start, end, rule)


def _pattern(folded: str, whole_word: bool) -> str:
    body = re.escape(folded)
    if whole_word and _WORD_RE.match(folded[-1]):
        body = body + f"(?!{_WORD})"
    return body


def _rule_for(rules: Sequence[Rule], text: str, start: int, end: int) -> Rule | None:
    """The rule a match stands for: a whole-word rule needs word boundaries in ``text``."""
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    for r in rules:
        if not r.whole_word:
            return r
        ok_before = not (before and _WORD_RE.match(before) and _WORD_RE.match(text[start]))
        ok_after = not (after and _WORD_RE.match(after) and _WORD_RE.match(text[end - 1]))
        if ok_before and ok_after:
            return r
    return None
