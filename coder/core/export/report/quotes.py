"""Quotes ready to paste: one per passage, in the document language's quotation marks, with a
short attribution the researcher chooses.

- :func:`passages` merges codings of one code that mark the same passage: two codings whose
  overlap is at least 80% of the longer one (two coders' slightly different boundaries) are
  one passage, quoted once over the stretch both cover, naming every coder.
- :func:`document_language` reads a document's language from a ``language`` attribute, or
  guesses it from the script and the commonest words of its text; :func:`quote_marks` gives
  that language's typographic marks ("…" in English, „…“ in German, « … » in French).
- :class:`Citation` writes the attribution from the fields named in ``--cite``: ``document``,
  ``speaker``, ``case``, ``paragraph`` and attribute names, e.g. "(P01, female, 31)".
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coder.core.errors import InvalidValue
from coder.core.export.report.wording import format_time, join_and, paragraph_range

if TYPE_CHECKING:
    from coder.core.query import Sources

SAME_PASSAGE = 0.8  # overlap, as a share of the longer coding, that makes two codings one quote
QUOTE_MARKS = ("double", "single", "none")
CITE_FIELDS = ("document", "speaker", "case", "paragraph")
DEFAULT_CITE = ("document", "paragraph", "speaker", "case")

# ============================================================================ passages


@dataclass
class Passage:
    """One quote: a stretch of a document coded with one code by one or more coders."""

    document_id: int
    start: int
    end: int
    coder_ids: list[int] = field(default_factory=list)
    codings: int = 1
    spans: list[tuple[int, int]] = field(default_factory=list)  # the codings merged here


def _same_passage(a: tuple[int, int], b: tuple[int, int]) -> bool:
    overlap = min(a[1], b[1]) - max(a[0], b[0])
    return overlap > 0 and overlap >= SAME_PASSAGE * max(a[1] - a[0], b[1] - b[0])


def passages(rows: Iterable[Any]) -> list[Passage]:
    """The passages of one code's codings (``document_id``, ``start``, ``end``,
    ``coder_id``), in document and position order.

    A coding joins the passage of an earlier coding it overlaps by at least 80% of the longer
    of the two; the passage then spans both. Codings further apart stay separate quotes.
    """
    ordered = sorted(rows, key=lambda r: (r.document_id, r.start, r.end))
    out: list[Passage] = []
    open_: list[Passage] = []  # passages of the current document that may still overlap
    doc = None
    for r in ordered:
        if r.document_id != doc:
            doc, open_ = r.document_id, []
        open_ = [p for p in open_ if p.end > r.start]
        span = (r.start, r.end)
        home = next((p for p in open_ if any(_same_passage(span, s) for s in p.spans)), None)
        if home is None:
            home = Passage(r.document_id, r.start, r.end, [r.coder_id], 1, [span])
            out.append(home)
            open_.append(home)
            continue
        home.end = max(home.end, r.end)
        home.codings += 1
        home.spans.append(span)
        if r.coder_id not in home.coder_ids:
            home.coder_ids.append(r.coder_id)
    return out


# ============================================================================ languages

# (opening, closing) double marks, then single marks (for quotes within quotes).
_NNBSP = "\u202f"
MARKS: dict[str, tuple[str, str, str, str]] = {
    "en": ("“", "”", "‘", "’"),
    "de": ("„", "“", "‚", "‘"),
    "fr": ("«" + _NNBSP, _NNBSP + "»", "‹" + _NNBSP, _NNBSP + "›"),
    "es": ("«", "»", "“", "”"),
    "it": ("«", "»", "“", "”"),
    "pt": ("“", "”", "‘", "’"),
    "pt-pt": ("«", "»", "“", "”"),
    "nl": ("“", "”", "‘", "’"),
    "pl": ("„", "”", "«", "»"),
    "cs": ("„", "“", "‚", "‘"),
    "sk": ("„", "“", "‚", "‘"),
    "sv": ("”", "”", "’", "’"),
    "fi": ("”", "”", "’", "’"),
    "da": ("»", "«", "›", "‹"),
    "no": ("«", "»", "‘", "’"),
    "hu": ("„", "”", "»", "«"),
    "ro": ("„", "”", "«", "»"),
    "tr": ("“", "”", "‘", "’"),
    "ru": ("«", "»", "„", "“"),
    "uk": ("«", "»", "„", "“"),
    "bg": ("„", "“", "‘", "’"),
    "el": ("«", "»", "“", "”"),
    "ar": ("«", "»", "“", "”"),
    "fa": ("«", "»", "“", "”"),
    "ur": ("“", "”", "‘", "’"),
    "he": ("“", "”", "‘", "’"),
    "ja": ("「", "」", "『", "』"),
    "zh": ("“", "”", "‘", "’"),
    "zh-hant": ("「", "」", "『", "』"),
    "ko": ("“", "”", "‘", "’"),
    "hi": ("“", "”", "‘", "’"),
}
_NAMES = {
    "english": "en",
    "german": "de",
    "deutsch": "de",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
    "italian": "it",
    "italiano": "it",
    "portuguese": "pt",
    "português": "pt",
    "dutch": "nl",
    "nederlands": "nl",
    "polish": "pl",
    "polski": "pl",
    "czech": "cs",
    "čeština": "cs",
    "slovak": "sk",
    "swedish": "sv",
    "svenska": "sv",
    "finnish": "fi",
    "suomi": "fi",
    "danish": "da",
    "dansk": "da",
    "norwegian": "no",
    "norsk": "no",
    "hungarian": "hu",
    "magyar": "hu",
    "romanian": "ro",
    "română": "ro",
    "turkish": "tr",
    "türkçe": "tr",
    "russian": "ru",
    "русский": "ru",
    "ukrainian": "uk",
    "українська": "uk",
    "bulgarian": "bg",
    "greek": "el",
    "ελληνικά": "el",
    "arabic": "ar",
    "العربية": "ar",
    "persian": "fa",
    "farsi": "fa",
    "فارسی": "fa",
    "urdu": "ur",
    "اردو": "ur",
    "hebrew": "he",
    "עברית": "he",
    "japanese": "ja",
    "日本語": "ja",
    "chinese": "zh",
    "中文": "zh",
    "korean": "ko",
    "한국어": "ko",
    "hindi": "hi",
    "हिन्दी": "hi",
    "nb": "no",
    "nn": "no",
    "iw": "he",
}
_ALIASES = {"pt-br": "pt", "zh-tw": "zh-hant", "zh-hk": "zh-hant", "zh-hans": "zh", "zh-cn": "zh"}

_STOPWORDS = {
    "en": "the and of to is that it was you with for this have but not they what there",
    "de": "der die das und ist nicht ich es ein eine zu mit auch sie wir auf dass sich",
    "fr": "le la les et est pas je que des une un il dans pour qui sur nous avec ce",
    "es": "el los las que y es no por una para con pero muy lo como se su del",
    "it": "il che non di la è per una sono gli anche ma mi ho con del della",
    "pt": "o que não é um uma os com para mas eu em da do se você ele",
    "nl": "de het een en ik niet dat is van je we ook maar zijn wat",
    "pl": "i w nie się że na jest to jak ale tak co był mnie",
    "sv": "och att det är jag inte som en på för med var har",
    "da": "og at det er jeg ikke som en på for med var har",
    "no": "og det er jeg ikke som en på for med var har å",
    "fi": "ja on ei se että oli hän mutta kun myös minä",
    "cs": "a je se že na to není jsem jak ale tak by jsme",
    "tr": "ve bir bu da için değil çok ben ne ama gibi",
    "hu": "a az és hogy nem is egy van de meg már",
    "ro": "și de nu este că în o un pe la cu sunt",
}
_WORDS = {lang: set(words.split()) for lang, words in _STOPWORDS.items()}
_SCRIPTS = [
    ("ar", re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc]")),
    ("he", re.compile("[\u0590-\u05ff\ufb1d-\ufb4f]")),
    ("cyrl", re.compile("[\u0400-\u04ff]")),
    ("el", re.compile("[\u0370-\u03ff\u1f00-\u1fff]")),
    ("kana", re.compile("[\u3040-\u30ff]")),
    ("han", re.compile("[\u4e00-\u9fff\u3400-\u4dbf]")),
    ("ko", re.compile("[\uac00-\ud7af\u1100-\u11ff]")),
    ("hi", re.compile("[\u0900-\u097f]")),
    ("latn", re.compile("[A-Za-z\u00c0-\u024f]")),
]
_WORD = re.compile(r"[^\W\d_]+")
SAMPLE = 20_000  # characters of a document read to guess its language
MIN_EVIDENCE = 3  # common words needed to call a Latin-script text other than English


def normalise_language(value: str) -> str | None:
    """A language tag or name ("de", "de-AT", "German", "Deutsch") as a key of :data:`MARKS`,
    or None when unknown."""
    v = value.strip().casefold().replace("_", "-")
    if not v:
        return None
    v = _ALIASES.get(v, v)
    if v in MARKS:
        return v
    if v in _NAMES:
        return _NAMES[v]
    base = v.split("-")[0]
    base = _NAMES.get(base, base)
    return base if base in MARKS else None


def guess_language(text: str) -> str:
    """The language of ``text`` for choosing quotation marks: by script, then (for Latin
    script) by its commonest short words. English when nothing decides."""
    sample = text[:SAMPLE]
    counts = {name: len(rx.findall(sample)) for name, rx in _SCRIPTS}
    script = max(counts, key=lambda k: counts[k])
    if counts[script] == 0:
        return "en"
    if script == "ar":
        if re.search("[\u0679\u0688\u0691\u06ba\u06be\u06d2]", sample):  # ٹ ڈ ڑ ں ھ ے
            return "ur"
        if re.search("[\u067e\u0686\u0698\u06af]", sample):  # پ چ ژ گ
            return "fa"
        return "ar"
    if script == "cyrl":
        if re.search("[іїєґІЇЄҐ]", sample):
            return "uk"
        return "ru"
    if script in ("kana", "han"):
        return "ja" if counts["kana"] else "zh"
    if script != "latn":
        return script
    words = Counter(w.casefold() for w in _WORD.findall(sample[:8000]))
    scores = {lang: sum(words[w] for w in vocab) for lang, vocab in _WORDS.items()}
    ranked = sorted(scores, key=lambda k: -scores[k])
    best, second = scores[ranked[0]], scores[ranked[1]]
    # A few words decide nothing ("a" is Czech, Hungarian and English): English unless the
    # text clearly reads as another language.
    if best < MIN_EVIDENCE or best < 1.5 * second:
        return "en"
    return ranked[0]


def quote_marks(language: str, kind: str = "double") -> tuple[str, str]:
    """Opening and closing marks for ``language`` (a key of :data:`MARKS`)."""
    if kind == "none":
        return "", ""
    marks = MARKS.get(language, MARKS["en"])
    return (marks[0], marks[1]) if kind == "double" else (marks[2], marks[3])


def document_language(sources: Sources, doc_id: int, attribute: str | None = None) -> str:
    """The document's ``language`` attribute when it names a known language, else a guess
    from its text."""
    attrs = sources.document_attributes(doc_id)
    keys = [attribute] if attribute else [k for k in attrs if k.casefold() in ("language", "lang")]
    for key in keys:
        lang = normalise_language(attrs.get(key, ""))
        if lang:
            return lang
    return guess_language(sources.text(doc_id))


# ============================================================================ citations


def parse_cite(value: str | Sequence[str] | None) -> tuple[str, ...] | None:
    """``"case, age"`` -> ``("case", "age")``; empty or None is None (the default fields)."""
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else list(value)
    fields = tuple(dict.fromkeys(i.strip() for i in items if i.strip()))
    return fields or None


def display_value(value: str, type_: str) -> str:
    """An attribute value as the researcher reads it: yes/no for yes/no values."""
    if type_ == "boolean":
        return {"true": "yes", "false": "no"}.get(value, value)
    return value


class Citation:
    """Writes the attribution of a passage from the chosen fields."""

    def __init__(self, project: Any, sources: Sources, fields: Sequence[str] | None) -> None:
        self.sources = sources
        self.fields = tuple(fields) if fields else DEFAULT_CITE
        attributes = {(a.scope, a.name): a for a in project.attributes()}
        self._attr: dict[str, Any] = {}
        for name in self.fields:
            if name.casefold() in CITE_FIELDS:
                continue
            self._attr[name] = self._find(name, attributes)

    @staticmethod
    def _find(name: str, attributes: dict[tuple[str, str], Any]) -> Any:
        scope, sep, rest = name.partition(":")
        if sep and scope in ("case", "document") and (scope, rest) in attributes:
            return attributes[(scope, rest)]
        for scope in ("case", "document"):
            if (scope, name) in attributes:
                return attributes[(scope, name)]
        folded = {k[1].casefold(): a for k, a in attributes.items()}
        if name.casefold() in folded:
            return folded[name.casefold()]
        known = sorted({k[1] for k in attributes})
        choices = join_and([*CITE_FIELDS, *known], "or")
        raise InvalidValue(f"--cite: no field or attribute named '{name}' (use {choices})")

    def values(self, doc_id: int, start: int, end: int) -> list[str]:
        src = self.sources
        out: list[str] = []
        cases = src.case_ids(doc_id, start, end)
        for name in self.fields:
            key = name.casefold()
            if key == "document":
                out.append(src.document_names.get(doc_id, ""))
            elif key == "speaker":
                out.append(src.speaker(doc_id, start, end))
            elif key == "case":
                out.extend(src.case_names.get(c, "") for c in cases[:1])
            elif key == "paragraph":
                out.append(self.position(doc_id, start, end))
            else:
                attr = self._attr[name]
                if attr.scope == "document":
                    raw = src.document_attributes(doc_id).get(attr.name, "")
                else:
                    raw = next((src.case_attributes(c).get(attr.name, "") for c in cases[:1]), "")
                out.append(display_value(raw, attr.type))
        return list(dict.fromkeys(v for v in out if v))

    def position(self, doc_id: int, start: int, end: int) -> str:
        """ "¶ 6", "¶ 6–7", or the subtitle time "0:01:23"."""
        turn = self.sources.turn(doc_id, start, end)
        if turn is not None and turn.time_start is not None:
            return format_time(turn.time_start)
        first = self.sources.paragraph_number(doc_id, start)
        last = self.sources.paragraph_number(doc_id, max(start, end - 1))
        return paragraph_range(first, last)

    def text(self, doc_id: int, start: int, end: int) -> str:
        values = self.values(doc_id, start, end)
        return f"({', '.join(values)})" if values else ""


# ============================================================================ annotations


class Annotations:
    """The annotations of each document, found by the passages they touch."""

    def __init__(self, annotations: Iterable[Any]) -> None:
        self.all = list(annotations)
        self._by_doc: dict[int, list[Any]] = {}
        for a in self.all:
            self._by_doc.setdefault(a.document_id, []).append(a)
        self._starts = {d: [a.start for a in items] for d, items in self._by_doc.items()}

    def touching(self, doc_id: int, start: int, end: int) -> list[Any]:
        items = self._by_doc.get(doc_id)
        if not items:
            return []
        upto = bisect_left(self._starts[doc_id], end)
        return [a for a in items[:upto] if a.end > start]
