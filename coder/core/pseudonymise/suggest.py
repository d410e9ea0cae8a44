"""Suggestions for the pseudonym list, found offline in the project.

Speaker labels (not interview roles), case names, values of text attributes that look like
names, capitalised words (or runs of them) that recur where no sentence starts and never
occur in lower case, e-mail addresses, URLs, phone numbers (the ``phonenumbers`` library:
international numbers anywhere, national ones of the given region) and full dates. Each comes
with how often it occurs in the documents' texts (as the list would match it), in which
documents, a category and a proposed replacement. Originals already listed and suggestions
dismissed are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from coder.core.project import Project
from coder.core.pseudonymise.matching import Matcher, Rule, folded_key
from coder.core.text import is_speaker_role

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[^\W_](?:[\w-]*\w)?(?:\.[^\W_](?:[\w-]*\w)?)+")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+")
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_DATE = re.compile(
    rf"\b(?:\d{{1,2}}(?:st|nd|rd|th)?\.? (?:{_MONTHS})\.?,? \d{{4}}"
    rf"|(?:{_MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{4})\b",
    re.IGNORECASE,
)
# A capitalised word: an upper-case letter, then letters (an apostrophe or hyphen inside).
_WORD = r"[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*"
_WORD_RE = re.compile(rf"(?<![\w'’-]){_WORD}")
_POSSESSIVE = re.compile(r"['’]s$")
_SENTENCE_END = set('.!?:;"“”«»—–(\n')
# Capitalised in English whatever they refer to.
_COMMON = {
    w.casefold()
    for w in _MONTHS.split("|")
    + "Monday Tuesday Wednesday Thursday Friday Saturday Sunday I I'm I'd I've I'll".split()
}
_REPLACEMENTS = {
    "place": "[place]",
    "organisation": "[organisation]",
    "date": "[date]",
    "other": "[name]",
}


@dataclass(frozen=True)
class Suggestion:
    text: str
    kind: str  # speaker, case, attribute, name, email, url, phone, date
    category: str
    replacement: str
    count: int = 0
    documents: tuple[str, ...] = field(default=())


def suggest(project: Project, region: str | None = None) -> list[Suggestion]:
    """What might be listed, most frequent first (see the module docstring)."""
    docs = [(d.name, project.document_text(d.id)) for d in project.documents()]
    found: dict[str, tuple[str, str, str]] = {}  # folded text -> (text, kind, category)

    def offer(text: str, kind: str, category: str) -> None:
        text = text.strip()
        if len(text) > 1 and folded_key(text) not in found:
            found[folded_key(text)] = (text, kind, category)

    for label in _speakers(project):
        offer(label, "speaker", "person")
    for case in project.cases():
        if not case.name.strip().isdigit():
            offer(case.name, "case", "person")
    for value in _attribute_values(project):
        offer(value, "attribute", "other")
    for _name, text in docs:
        for m in _EMAIL.finditer(text):
            offer(m.group(0), "email", "contact")
        for m in _URL.finditer(text):
            offer(m.group(0).rstrip(".,;:!?)]}"), "url", "contact")
        for number in _phones(text, region):
            offer(number, "phone", "contact")
        for m in _DATE.finditer(text):
            offer(m.group(0), "date", "date")
    for words in _recurring_capitalised(t for _n, t in docs):
        offer(words, "name", "other")
    return _counted(project, docs, list(found.values()))


def _counted(
    project: Project, docs: list[tuple[str, str]], found: list[tuple[str, str, str]]
) -> list[Suggestion]:
    listed = project.pseudonym_matcher()
    dismissed = {folded_key(t) for t in project.dismissed_suggestions()}
    candidates = [
        (text, kind, category)
        for text, kind, category in found
        if folded_key(text) not in dismissed and not _covered(listed, text)
    ]
    counts: dict[str, int] = {text: 0 for text, _k, _c in candidates}
    where: dict[str, list[str]] = {text: [] for text, _k, _c in candidates}
    matcher = Matcher(
        Rule(text, text, category, whole_word=kind not in ("email", "url", "phone"))
        for text, kind, category in candidates
    )
    for name, text in docs:
        for m in matcher.find(text):
            counts[m.rule.original] += 1
            if not where[m.rule.original] or where[m.rule.original][-1] != name:
                where[m.rule.original].append(name)
    used = {p.replacement for p in project.pseudonyms()}
    people = (f"P{n:02d}" for n in range(1, 10_000) if f"P{n:02d}" not in used)
    out = []
    for text, kind, category in sorted(candidates, key=lambda c: (-counts[c[0]], c[0].casefold())):
        if category == "person":
            replacement = next(people)
        elif category == "contact":
            replacement = {"email": "[e-mail]", "url": "[URL]"}.get(kind, "[phone]")
        else:
            replacement = _REPLACEMENTS[category]
        out.append(Suggestion(text, kind, category, replacement, counts[text], tuple(where[text])))
    return out


def _covered(listed: Matcher, text: str) -> bool:
    """Is ``text`` wholly an original already listed?"""
    found = listed.find(text)
    return bool(found) and found[0].start == 0 and found[0].end == len(text)


def _speakers(project: Project) -> list[str]:
    rows = project.db.execute(
        "SELECT DISTINCT speaker FROM turns WHERE speaker IS NOT NULL ORDER BY speaker"
    )
    return [r[0] for r in rows if r[0].strip() and not is_speaker_role(r[0].strip())]


def _attribute_values(project: Project) -> list[str]:
    """Values of text attributes made of one to three capitalised words ("Ireland")."""
    rows = project.db.execute(
        "SELECT DISTINCT v.value FROM attribute_values v JOIN attributes a "
        "ON a.id = v.attribute_id WHERE a.type = 'text'"
    )
    out = []
    for (value,) in rows:
        v = str(value).strip()
        words = v.split(" ")
        if len(words) <= 3 and all(_WORD_RE.fullmatch(w) and w[0].isupper() for w in words):
            out.append(v)
    return out


def _phones(text: str, region: str | None) -> list[str]:
    import phonenumbers

    out = []
    for match in phonenumbers.PhoneNumberMatcher(text, (region or "ZZ").upper()):
        out.append(match.raw_string)
    return out


def _recurring_capitalised(texts: Iterable[str]) -> list[str]:
    """Runs of one to three capitalised words found at least twice where no sentence starts,
    whose words never occur in lower case in any text (which rules out "The", "And", "Then");
    e-mail addresses and URLs are left out of both counts."""
    texts = [_EMAIL.sub(" ", _URL.sub(" ", t)) for t in texts]
    lower = {w.casefold() for t in texts for w in _WORD_RE.findall(t) if w[0].islower()}
    seen: dict[str, int] = {}

    def flush(run: list[str]) -> None:
        if run:
            key = " ".join(run)
            seen[key] = seen.get(key, 0) + 1

    for text in texts:
        run: list[str] = []
        end = -1
        for m in _WORD_RE.finditer(text):
            word = _POSSESSIVE.sub("", m.group(0))
            ok = (
                word[0].isupper()
                and not word.isupper()
                and word.casefold() not in lower
                and not _sentence_start(text, m.start())
            )
            if ok and run and text[end : m.start()] == " " and len(run) < 3:
                run.append(word)
            else:
                flush(run)
                run = [word] if ok else []
            end = m.end() if word == m.group(0) else -1  # a possessive ends a run
        flush(run)
    return [k for k, n in seen.items() if n >= 2 and k.casefold() not in _COMMON]


def _sentence_start(text: str, at: int) -> bool:
    i = at - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END
