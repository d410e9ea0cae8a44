"""Auto-coding: code every hit of a search, a regular expression, a speaker or a dictionary.

:func:`plan_autocode` finds the codings a run would make and writes nothing (the window's
preview and ``--dry-run``); :func:`apply_plan` makes them in one transaction, one undo step,
creating the codes that do not exist yet. The rules, which the README states:

- a hit is widened to its unit: the match itself, the sentences it touches
  (:func:`coder.core.text.sentences`), the paragraphs it touches, or the speaker turns it
  touches (a hit outside every turn keeps its paragraphs);
- with ``within``, a hit counts only inside a passage coded with one of those codes, and the
  coding made never reaches outside that passage (a speaker's turn is cut to the passages);
- hits of one code in one document that overlap after widening become one coding;
- a passage already coded with the code by the same coder is not coded again, so running
  the same auto-coding twice adds nothing.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import regex

from coder.core import anchors, settings
from coder.core.changes import Changes
from coder.core.errors import ImportFailed, InvalidValue, NotFound
from coder.core.query.scope import Filters, codings_in_scope, documents_in_scope
from coder.core.query.words import Keyword, Progress
from coder.core.search import Term, _patterns, _spans, parse_query
from coder.core.store import new_guid, now
from coder.core.text import paragraphs, sentences

if TYPE_CHECKING:
    from coder.core.project import Project

UNITS = ("match", "sentence", "paragraph", "turn")
# Seconds a regular expression may run over one document before the run stops.
REGEX_SECONDS = 5.0

Span = tuple[int, int]


@dataclass(frozen=True)
class Rule:
    """What to code with ``code`` (a name or a ``Parent/Child`` path): exactly one of a search
    query (as ``coder search`` finds it), a regular expression, or a speaker's turns."""

    code: str
    search: str | None = None
    regex: str | None = None
    speaker: str | None = None

    def __post_init__(self) -> None:
        given = [v for v in (self.search, self.regex, self.speaker) if v is not None]
        if len(given) != 1:
            raise InvalidValue("auto-code with one of a search, a regular expression or a speaker")
        if not str(given[0]).strip():
            raise InvalidValue("auto-code needs a non-empty search, expression or speaker")
        if not self.code.strip():
            raise InvalidValue("auto-code needs a code name")

    @property
    def label(self) -> str:
        if self.search is not None:
            return f"search '{self.search}'"
        if self.regex is not None:
            return f"regex '{self.regex}'"
        return f"speaker '{self.speaker}'"


@dataclass(frozen=True)
class PlannedCoding:
    document_id: int
    document: str
    start: int
    end: int
    text: str
    code: str  # the code's path


@dataclass
class AutocodePlan:
    """What an auto-coding run codes: new codings in document and position order."""

    codings: list[PlannedCoding] = field(default_factory=list)
    hits: int = 0  # hits found, before widening and merging
    existing: int = 0  # passages already coded identically by this coder, left alone
    new_codes: list[str] = field(default_factory=list)  # paths of codes to create
    unit: str = "match"

    def per_document(self) -> dict[str, int]:
        return dict(Counter(c.document for c in self.codings))

    def as_json(self, dry_run: bool) -> dict[str, Any]:
        return {
            "dry_run": dry_run,
            "unit": self.unit,
            "hits": self.hits,
            "existing": self.existing,
            "created_codes": list(self.new_codes),
            "codings": [
                {
                    "document": c.document,
                    "start": c.start,
                    "end": c.end,
                    "text": c.text,
                    "code": c.code,
                }
                for c in self.codings
            ],
        }


# ============================================================================ hits


def _regex(pattern: str) -> Any:
    try:
        return regex.compile(pattern, regex.V0)
    except regex.error as e:
        raise InvalidValue(f"not a regular expression: '{pattern}' ({e})") from None


def _regex_hits(compiled: Any, text: str, document: str, seconds: float) -> list[Span]:
    out = []
    try:
        for m in compiled.finditer(text, timeout=seconds):
            if m.end() > m.start():
                out.append(m.span())
    except TimeoutError:
        raise InvalidValue(
            f"the regular expression '{compiled.pattern}' ran over {seconds:g} s in "
            f"'{document}' and was stopped; simplify it (nothing was coded)"
        ) from None
    return out


_IDEOGRAPH = regex.compile(r"\p{Ideographic}", regex.V1)


def _search_hits(query: str, text: str) -> list[Span]:
    terms = parse_query(query)
    if not terms:
        raise InvalidValue(f"search for at least one word, not '{query}'")
    if any(_IDEOGRAPH.search(w) for t in terms for w in t.words):
        return _ideograph_hits(terms, text)
    patterns = _patterns(terms)
    if len(patterns) > 1 and not all(p.search(text) for p in patterns):
        return []  # as the search: a document must hold every word
    return list(_spans(patterns, text))


def _ideograph_hits(terms: Sequence[Term], text: str) -> list[Span]:
    """Chinese and Japanese write no spaces, so a search's word would never start inside a
    run of characters: there each character is a word (as in the word list and ``kwic``)."""
    found = [
        Keyword.parse(" ".join(t.words) + ("*" if t.prefix else "")).spans(text) for t in terms
    ]
    if not all(found):
        return []  # every term must occur, as in the search
    out: list[Span] = []
    for s, e in sorted(span for spans in found for span in spans):
        if not out or s >= out[-1][1]:
            out.append((s, e))
    return out


class _Document:
    """One document's text, paragraphs, sentences and turns, read when first needed."""

    def __init__(self, project: Project, doc_id: int, name: str) -> None:
        self.project, self.id, self.name = project, doc_id, name
        self.text = project.document_text(doc_id)
        self._paragraphs: list[Span] | None = None
        self._turns: list[Any] | None = None
        self._sentences: dict[int, list[Span]] = {}

    @property
    def paragraphs(self) -> list[Span]:
        if self._paragraphs is None:
            self._paragraphs = paragraphs(self.text)
        return self._paragraphs

    @property
    def turns(self) -> list[Any]:
        if self._turns is None:
            self._turns = self.project.turn_spans(self.id)
        return self._turns

    def sentences_of(self, i: int) -> list[Span]:
        if i not in self._sentences:
            s, e = self.paragraphs[i]
            self._sentences[i] = sentences(self.text, s, e) or [(s, e)]
        return self._sentences[i]


def _covering(spans: Sequence[Span], start: int, end: int) -> Span | None:
    """From the first span touching ``[start, end)`` to the last one; None if none does."""
    i = max(bisect_right(spans, (start, float("inf"))) - 1, 0)
    while i < len(spans) and spans[i][1] <= start:
        i += 1
    j = i
    while j < len(spans) and spans[j][0] < max(end, start + 1):
        j += 1
    if i >= j:
        return None
    return min(spans[i][0], start), max(spans[j - 1][1], end)


def widen(doc: _Document, start: int, end: int, unit: str) -> Span:
    """``[start, end)`` widened to the sentences, paragraphs or turns it touches."""
    if unit == "match":
        return start, end
    if unit == "turn":
        turns = [(t.start, t.end) for t in doc.turns]
        span = _covering(turns, start, end)
        if span is not None:
            return span
        unit = "paragraph"
    paras = doc.paragraphs
    span = _covering(paras, start, end)
    if span is None:
        return start, end
    if unit == "paragraph":
        return span
    first = max(bisect_right(paras, (start, float("inf"))) - 1, 0)
    units: list[Span] = []
    for i in range(first, len(paras)):
        if paras[i][0] >= max(end, start + 1):
            break
        units.extend(doc.sentences_of(i))
    return _covering(units, start, end) or (start, end)


def _merge(spans: Iterable[Span]) -> list[Span]:
    out: list[Span] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _clip(span: Span, passages: list[Span]) -> Iterator[Span]:
    """The parts of ``span`` inside ``passages`` (sorted, not overlapping)."""
    i = max(bisect_right(passages, (span[0], float("inf"))) - 1, 0)
    for s, e in passages[i:]:
        if s >= span[1]:
            break
        lo, hi = max(s, span[0]), min(e, span[1])
        if lo < hi:
            yield lo, hi


def _inside(span: Span, passages: list[Span]) -> Span | None:
    i = bisect_right(passages, (span[0], float("inf"))) - 1
    if i >= 0 and passages[i][0] <= span[0] and span[1] <= passages[i][1]:
        return passages[i]
    return None


# ============================================================================ the plan


def _rule_hits(rule: Rule, doc: _Document, compiled: Any, seconds: float) -> list[Span]:
    if rule.search is not None:
        return _search_hits(rule.search, doc.text)
    if rule.regex is not None:
        return _regex_hits(compiled, doc.text, doc.name, seconds)
    want = str(rule.speaker).strip().casefold()
    return [(t.start, t.end) for t in doc.turns if (t.speaker or "").casefold() == want]


def _code_paths(project: Project, rules: Sequence[Rule]) -> tuple[dict[str, str], list[str]]:
    """Each rule's code as the codebook's path; the paths of codes that do not exist yet."""
    paths: dict[str, str] = {}
    missing: list[str] = []
    for rule in rules:
        if rule.code in paths:
            continue
        try:
            code = project.find_code(rule.code)
        except NotFound:
            path = _new_path(project, [p.strip() for p in rule.code.split("/") if p.strip()])
            paths[rule.code] = path
            if path not in missing:
                missing.append(path)
            continue
        project.services.codebook.check_codable(code.id)
        paths[rule.code] = code.path
    return paths, missing


def _new_path(project: Project, parts: list[str]) -> str:
    """The path a new code will have: under the longest leading part that names a code
    ("Money/Debt" goes under "Reasons/Money" when that is the code named Money)."""
    for k in range(len(parts) - 1, 0, -1):
        try:
            parent = project.find_code("/".join(parts[:k]))
        except NotFound:
            continue
        return "/".join([parent.path, *parts[k:]])
    return "/".join(parts)


def speaker_names(project: Project) -> list[str]:
    """Every speaker of the project's turns, alphabetically."""
    rows = project.db.execute("SELECT DISTINCT speaker FROM turns WHERE speaker IS NOT NULL")
    return sorted({r[0] for r in rows}, key=str.casefold)


def _check_speakers(project: Project, rules: Sequence[Rule]) -> None:
    """A speaker no document has is an error naming the speakers there are."""
    wanted = [r.speaker for r in rules if r.speaker is not None]
    if not wanted:
        return
    known = speaker_names(project)
    folded = {k.casefold() for k in known}
    for name in wanted:
        if name.strip().casefold() not in folded:
            listing = ", ".join(known[:20]) or "none: no document has speaker turns"
            raise NotFound(f"no speaker named '{name}' (speakers: {listing})")


def _within_passages(
    project: Project, within: Sequence[int] | None, filters: Filters | None
) -> dict[int, list[Span]] | None:
    if within is None:
        return None
    found: dict[int, list[Span]] = defaultdict(list)
    for row in codings_in_scope(project, filters, within):
        found[row.document_id].append((row.start, row.end))
    return {doc: _merge(spans) for doc, spans in found.items()}


def _existing(project: Project, coder: str | None) -> set[tuple[int, str, int, int]]:
    """(document, code path, start, end) of the passages this coder has coded."""
    name = (coder or settings.coder_name()).strip()
    row = project.db.execute("SELECT id FROM coders WHERE name = ?", [name]).fetchone()
    if row is None:
        return set()
    paths = {c.id: c.path for c in project.codes()}
    rows = project.db.execute(
        'SELECT document_id, code_id, start, "end" FROM codings_at WHERE coder_id = ?', [row[0]]
    )
    return {(d, paths[c], s, e) for d, c, s, e in rows}


def plan_autocode(
    project: Project,
    rules: Sequence[Rule],
    unit: str = "match",
    within: Sequence[int] | None = None,
    filters: Filters | None = None,
    coder: str | None = None,
    seconds: float = REGEX_SECONDS,
    progress: Progress | None = None,
) -> AutocodePlan:
    """The codings an auto-coding run would make; nothing is written. ``progress(done,
    total, label)`` is called before each document (it may raise to stop)."""
    if unit not in UNITS:
        raise InvalidValue(f"unit is one of {', '.join(UNITS)}, not '{unit}'")
    if not rules:
        raise InvalidValue("nothing to auto-code: give a search, an expression or a speaker")
    _check_speakers(project, rules)
    paths, missing = _code_paths(project, rules)
    compiled: dict[str | None, Any] = {
        r.regex: _regex(r.regex) for r in rules if r.regex is not None
    }
    passages = _within_passages(project, within, filters)
    existing = _existing(project, coder)
    plan = AutocodePlan(new_codes=missing, unit=unit)
    names = dict(project.db.execute("SELECT id, name FROM documents"))
    docs = documents_in_scope(project, filters)
    for n, doc_id in enumerate(docs):
        if progress is not None:
            progress(n, len(docs), "Finding the passages to code")
        if passages is not None and doc_id not in passages:
            continue
        doc = _Document(project, doc_id, names[doc_id])
        spans: dict[str, list[Span]] = defaultdict(list)
        for rule in rules:
            hits = _rule_hits(rule, doc, compiled.get(rule.regex), seconds)
            plan.hits += len(hits)
            for hit in hits:
                spans[paths[rule.code]].extend(_unit_spans(doc, hit, unit, rule, passages))
        for path in sorted(spans):
            for s, e in _merge(spans[path]):
                if (doc_id, path, s, e) in existing:
                    plan.existing += 1
                    continue
                plan.codings.append(PlannedCoding(doc_id, doc.name, s, e, doc.text[s:e], path))
    plan.codings.sort(key=lambda c: (c.document_id, c.start, c.end, c.code))
    return plan


def _unit_spans(
    doc: _Document, hit: Span, unit: str, rule: Rule, passages: dict[int, list[Span]] | None
) -> Iterator[Span]:
    if passages is None:
        yield widen(doc, *hit, unit)
        return
    mine = passages.get(doc.id, [])
    if rule.speaker is not None:  # a turn is cut to the coded passages it overlaps
        for part in _clip(hit, mine):
            yield from _clip(widen(doc, *part, unit), [part] if unit == "match" else mine)
        return
    passage = _inside(hit, mine)
    if passage is not None:
        yield from _clip(widen(doc, *hit, unit), [passage])


# ============================================================================ writing


def _create_code(project: Project, path: str) -> int:
    parent: int | None = None
    parts = path.split("/")
    for depth, name in enumerate(parts):
        sub = "/".join(parts[: depth + 1])
        try:
            code = project.find_code(sub)
            parent = code.id
            continue
        except NotFound:
            pass
        changes = project.add_code(name, parent_id=parent)
        parent = changes.created("codes")[0]
    assert parent is not None
    return parent


def apply_plan(project: Project, plan: AutocodePlan, coder: str | None = None) -> Changes:
    """Make the plan's codings (and its new codes) in one transaction, one undo step.

    A coding made meanwhile (by an earlier run) is not made twice."""
    with project.edit() as edit:
        ids: dict[str, int] = {}
        for path in plan.new_codes:
            ids[path] = _create_code(project, path)
        for c in plan.codings:
            if c.code not in ids:
                ids[c.code] = project.find_code(c.code).id
        coder_id = project.services.coders.ensure_coder(coder)
        done = {
            (d, c, s, e)
            for d, c, s, e in project.db.execute(
                'SELECT document_id, code_id, start, "end" FROM codings_at WHERE coder_id = ?',
                [coder_id],
            )
        }
        lengths = project.document_lengths()
        stamp = now()
        rows = []
        for c in plan.codings:
            key = (c.document_id, ids[c.code], c.start, c.end)
            if key in done:
                continue
            if not 0 <= c.start < c.end <= lengths.get(c.document_id, -1):
                raise InvalidValue(f"{c.document}: passage {c.start}-{c.end} is not in the text")
            done.add(key)
            rows.append((new_guid(), c.document_id, ids[c.code], coder_id, c.start, c.end, stamp))
        anchors.insert(
            project.db,
            "codings",
            ["guid", "document_id", "code_id", "coder_id", "start", "end", "created_at"],
            rows,
        )
    return edit.changes()


def autocode(
    project: Project,
    rules: Sequence[Rule],
    unit: str = "match",
    within: Sequence[int] | None = None,
    filters: Filters | None = None,
    coder: str | None = None,
    dry_run: bool = False,
    seconds: float = REGEX_SECONDS,
) -> tuple[AutocodePlan, Changes]:
    """Plan and (unless ``dry_run``) make the codings, in one transaction."""
    if dry_run:
        return plan_autocode(project, rules, unit, within, filters, coder, seconds), Changes()
    with project.edit():
        plan = plan_autocode(project, rules, unit, within, filters, coder, seconds)
        changes = apply_plan(project, plan, coder)
    return plan, changes


# ============================================================================ dictionaries

_KINDS = {"search": "search", "term": "search", "word": "search", "regex": "regex", "re": "regex"}
_HEADER_CODE = {"code", "code path", "path", "codes"}
_HEADER_TERM = {"term", "terms", "pattern", "search", "regex", "term or regex", "word"}


def read_dictionary(path: str | Path) -> list[Rule]:
    """Rules from a CSV or XLSX dictionary: one row per term, columns code path, term, and
    optionally ``regex`` or ``search`` (the default) saying what the term is. A first row
    naming the columns (code, term, type) is a header."""
    from coder.core.attributes import read_table

    p = Path(path)
    if p.suffix.lower() not in (".csv", ".xlsx", ".xlsm"):
        raise ImportFailed(f"{p.name}: a dictionary is a .csv or .xlsx file")
    try:
        rows = read_table(p)
    except ImportFailed as e:
        raise ImportFailed(str(e).replace("attributes", "a dictionary")) from None
    cells = [["" if v is None else str(v).strip() for v in row] for row in rows]
    if cells and cells[0][:1] and cells[0][0].lower() in _HEADER_CODE:
        if len(cells[0]) > 1 and cells[0][1].lower() in _HEADER_TERM:
            cells = cells[1:]
    rules = []
    for n, row in enumerate(cells, start=1):
        row = row + [""] * (3 - len(row))
        code, term, kind = row[0], row[1], row[2].lower() or "search"
        if not code and not term:
            continue
        if not code or not term:
            raise InvalidValue(f"{p.name}: row {n} needs a code and a term")
        if kind not in _KINDS:
            raise InvalidValue(f"{p.name}: row {n}: the type is 'search' or 'regex', not '{kind}'")
        if _KINDS[kind] == "regex":
            rules.append(Rule(code, regex=term))
        else:
            rules.append(Rule(code, search=term))
    if not rules:
        raise InvalidValue(f"{p.name}: the dictionary has no terms")
    return rules


__all__ = [
    "UNITS",
    "AutocodePlan",
    "PlannedCoding",
    "Rule",
    "apply_plan",
    "autocode",
    "plan_autocode",
    "read_dictionary",
    "speaker_names",
    "widen",
]
