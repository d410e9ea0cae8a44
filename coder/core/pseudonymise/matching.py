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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Combining marks are part of the word they follow (an NFD "José" is not "Jose" + a mark).
_MARKS = "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u0610-\u061a\u064b-\u065f\u0900-\u0903"
_MARKS += "\u093a-\u094f\u0951-\u0957\u0962\u0963\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff"
_MARKS += "\ufe20-\ufe2f"
# Letters, digits and combining marks make words; "_" separates them ("Mara_interview.docx").
_WORD = rf"(?:[^\W_]|[{_MARKS}])"
_WORD_RE = re.compile(_WORD)


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
    for i, ch in enumerate(text):
        f = unicodedata.normalize("NFD", ch if case_sensitive else ch.casefold())
        parts.append(f)
        where.extend([i] * len(f))
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
            for m in pattern.finditer(folded):
                fs, fe = m.start(), m.end()
                if fe == fs:
                    continue
                start, end = where[fs], where[fe - 1] + 1
                # a match must cover whole characters of the text
                if fs > 0 and where[fs - 1] == start:
                    continue
                if fe < len(folded) and where[fe] == end - 1:
                    continue
                rule = _rule_for(by_pattern[m.group(0)], text, start, end)
                if rule is not None:
                    found.append(Match(start, end, rule))
        if len(self._passes) > 1:
            found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        kept: list[Match] = []
        for m in sorted(found, key=lambda m: (-(m.end - m.start), m.start)):
            if all(m.end <= k.start or m.start >= k.end for k in kept):
                kept.append(m)
        kept.sort(key=lambda m: m.start)
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
        """The first match in ``text``, if any."""
        found = self.find(text)
        return found[0] if found else None


def _pattern(folded: str, whole_word: bool) -> str:
    body = re.escape(folded)
    if whole_word and _WORD_RE.match(folded[0]):
        body = f"(?<!{_WORD})" + body
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
