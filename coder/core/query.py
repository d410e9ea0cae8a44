"""Analysis queries: SQL in, dataclasses out. Nothing here writes.

Vocabulary used throughout:

- a *unit* is what is counted: a document, or a case. A coding belongs to the case of its
  document and to every case whose case selection overlaps it.
- *within* says when two codings "meet": ``"passage"`` (their passages overlap),
  ``"paragraph"`` (they touch the same paragraph, :func:`coder.core.text.paragraphs`) or
  ``"turn"`` (the same speaker turn).
- :class:`Filters` narrows any query to some documents, groups, cases, attribute values,
  coders or speakers; ``None`` means "no restriction".
- ``include_children`` lets a parent code count its sub-codes' codings too; results then
  name the sub-codes folded in (``FrequencyRow.included``).
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from coder.core import numbers
from coder.core.errors import InvalidValue
from coder.core.text import paragraphs as _paragraph_spans

if TYPE_CHECKING:
    from coder.core.project import Project

WITHIN = ("passage", "paragraph", "turn")
MODES = ("or", "and", "not")
NO_SPEAKER = ""


def percent(units: int, total: int) -> float:
    """``units`` of ``total`` as a percentage rounded to one decimal, halves up (0.0 when total
    is 0): see :mod:`coder.core.numbers`."""
    return numbers.percent(units, total)


# ============================================================================ filters


def _frozen(values: Iterable[Any] | None) -> frozenset | None:
    if values is None:
        return None
    if isinstance(values, (str, int)):
        values = [values]
    return frozenset(values)


@dataclass(frozen=True)
class Filters:
    """Which codings a query looks at. Every field left ``None`` (or empty) is no restriction.

    ``attributes`` maps an attribute name (case or document scope) to the stored values that
    pass, e.g. ``{"country": ["UK", "France"]}``. ``speakers`` keeps codings whose speaker (the
    speaker of the turn covering most of the passage; ``""`` for none) is listed.
    """

    documents: frozenset[int] | None = None
    groups: frozenset[str] | None = None
    cases: frozenset[int] | None = None
    attributes: tuple[tuple[str, frozenset[str]], ...] = ()
    coders: frozenset[int] | None = None
    speakers: frozenset[str] | None = None

    def __post_init__(self) -> None:
        for name in ("documents", "groups", "cases", "coders", "speakers"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        attrs = self.attributes
        items = attrs.items() if isinstance(attrs, Mapping) else attrs
        norm = tuple(sorted((str(k), _frozen(v) or frozenset()) for k, v in items))
        object.__setattr__(self, "attributes", norm)

    def __bool__(self) -> bool:
        return any(
            v is not None
            for v in (self.documents, self.groups, self.cases, self.coders, self.speakers)
        ) or bool(self.attributes)


NO_FILTERS = Filters()


@dataclass
class _Scope:
    """Filters resolved to id sets (``None`` = all) and the SQL that applies them."""

    documents: set[int] | None
    cases: set[int] | None
    coders: set[int] | None
    speakers: frozenset[str] | None

    def coding_sql(self, g: str = "g") -> tuple[str, list[Any]]:
        """``AND ...`` restricting codings (alias ``g``) to the scope."""
        sql, params = "", []
        if self.documents is not None:
            sql += f" AND {g}.document_id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(sorted(self.documents)))
        if self.coders is not None:
            sql += f" AND {g}.coder_id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(sorted(self.coders)))
        if self.cases is not None:
            ids = json.dumps(sorted(self.cases))
            sql += f"""
                AND ((SELECT case_id FROM documents WHERE id = {g}.document_id)
                        IN (SELECT value FROM json_each(?))
                     OR EXISTS (SELECT 1 FROM case_selections s
                                WHERE s.document_id = {g}.document_id
                                  AND s.case_id IN (SELECT value FROM json_each(?))
                                  AND {g}.start < s."end" AND s.start < {g}."end"))"""
            params += [ids, ids]
        return sql, params

    def document_ids(self, project: Project) -> list[int]:
        """Documents in scope: the document filters, and linked to an allowed case."""
        sql, params = "SELECT id FROM documents d WHERE 1", []
        if self.documents is not None:
            sql += " AND d.id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(sorted(self.documents)))
        if self.cases is not None:
            ids = json.dumps(sorted(self.cases))
            sql += """ AND (d.case_id IN (SELECT value FROM json_each(?)) OR EXISTS (
                SELECT 1 FROM case_selections s WHERE s.document_id = d.id
                AND s.case_id IN (SELECT value FROM json_each(?))))"""
            params += [ids, ids]
        return [r[0] for r in project.db.execute(sql + " ORDER BY d.id", params)]

    def case_ids(self, project: Project) -> list[int]:
        """Cases in scope (the cases analysed, N): the case filters, and linked to at least one
        document in scope (as the document's case or by a case selection in it). A case
        without a document in scope is not analysed and never counted."""
        sql, params = "SELECT id FROM cases c WHERE 1", []
        if self.cases is not None:
            sql += " AND c.id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(sorted(self.cases)))
        if self.documents is not None:
            ids = json.dumps(sorted(self.documents))
            sql += """ AND (EXISTS (SELECT 1 FROM documents d WHERE d.case_id = c.id
                               AND d.id IN (SELECT value FROM json_each(?)))
                       OR EXISTS (SELECT 1 FROM case_selections s WHERE s.case_id = c.id
                               AND s.document_id IN (SELECT value FROM json_each(?))))"""
            params += [ids, ids]
        else:
            sql += """ AND (EXISTS (SELECT 1 FROM documents d WHERE d.case_id = c.id)
                       OR EXISTS (SELECT 1 FROM case_selections s WHERE s.case_id = c.id))"""
        return [r[0] for r in project.db.execute(sql + " ORDER BY c.id", params)]

    def cases_not_analysed(self, project: Project) -> list[int]:
        """Cases that pass the case filters but have no document in scope (listed, not counted)."""
        analysed = set(self.case_ids(project))
        sql, params = "SELECT id FROM cases c WHERE 1", []
        if self.cases is not None:
            sql += " AND c.id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(sorted(self.cases)))
        rows = project.db.execute(sql + " ORDER BY c.name COLLATE NOCASE, c.id", params)
        return [r[0] for r in rows if r[0] not in analysed]


def _resolve(
    project: Project, filters: Filters | None, coder_ids: Iterable[int] | None = None
) -> _Scope:
    f = filters or NO_FILTERS
    docs: set[int] | None = set(f.documents) if f.documents is not None else None
    cases: set[int] | None = set(f.cases) if f.cases is not None else None
    coders: set[int] | None = set(f.coders) if f.coders is not None else None
    if coder_ids is not None:
        coders = set(coder_ids) if coders is None else coders & set(coder_ids)

    def narrow(current: set[int] | None, ids: Iterable[int]) -> set[int]:
        return set(ids) if current is None else current & set(ids)

    if f.groups is not None:
        ids = json.dumps(sorted(f.groups))
        rows = project.db.execute(
            "SELECT id FROM documents WHERE group_name IN (SELECT value FROM json_each(?))", [ids]
        )
        docs = narrow(docs, (r[0] for r in rows))
    for name, values in f.attributes:
        attr = find_attribute(project, name)
        col = "case_id" if attr.scope == "case" else "document_id"
        rows = project.db.execute(
            f"SELECT {col} FROM attribute_values WHERE attribute_id = ? "
            "AND value IN (SELECT value FROM json_each(?))",
            [attr.id, json.dumps(sorted(values))],
        )
        owners = [r[0] for r in rows]
        if "" in values:  # "no value" passes owners that have none stored
            table = "cases" if attr.scope == "case" else "documents"
            rows = project.db.execute(
                f"SELECT id FROM {table} WHERE id NOT IN "
                f"(SELECT {col} FROM attribute_values WHERE attribute_id = ? AND {col} IS NOT NULL)",
                [attr.id],
            )
            owners += [r[0] for r in rows]
        if attr.scope == "case":
            cases = narrow(cases, owners)
        else:
            docs = narrow(docs, owners)
    return _Scope(docs, cases, coders, f.speakers)


def find_attribute(project: Project, name: str) -> Any:
    """An attribute by name; ``case:NAME`` or ``document:NAME`` says which when both exist."""
    scope, sep, rest = name.partition(":")
    if sep and scope in ("case", "document") and rest:
        return project.find_attribute(rest, scope)
    return project.find_attribute(name)


# ============================================================================ code groups


def _rollup(
    project: Project, include_children: bool, codes: Sequence[Any] | None = None
) -> dict[int, list[int]]:
    """For each code, the code ids whose codings count for it (itself, or its subtree).

    ``codes`` is the codebook when the caller already holds it (else it is read).
    """
    codes = project.codes() if codes is None else codes
    members = {c.id: [c.id] for c in codes}
    if include_children:
        parent = {c.id: c.parent_id for c in codes}
        for c in codes:
            p = parent[c.id]
            while p is not None:
                members[p].append(c.id)
                p = parent[p]
    return members


def _included_paths(project: Project, members: dict[int, list[int]]) -> dict[int, tuple[str, ...]]:
    paths = {c.id: c.path for c in project.codes()}
    return {cid: tuple(paths[i] for i in ids[1:]) for cid, ids in members.items()}


# ============================================================================ per-document sources


class Sources:
    """Per-document facts a passage needs (text, paragraphs, turns, cases, attributes) and the
    codebook, cached.

    Shared by retrieval, the report and the quote table so that each document is read once.
    It describes the project as it was when made: after documents or cases change, make a new
    one; after codes change, call :meth:`forget_codes`.
    """

    def __init__(self, project: Project) -> None:
        self.project = project
        self._texts: dict[int, str] = {}
        self._paras: dict[int, list[tuple[int, int]]] = {}
        self._turns: dict[int, tuple[list[int], list[Any]]] = {}
        self._sel: dict[int, list[tuple[int, int, int]]] | None = None
        self._codes: list[Any] | None = None
        # Only columns stored before the text, or in an index: a column stored after a long
        # text is reached by reading the whole text.
        self.document_names = dict(project.db.execute("SELECT id, name FROM documents").fetchall())
        self.document_case: dict[int, int | None] = dict.fromkeys(self.document_names)
        self.document_case.update(
            project.db.execute(
                "SELECT id, case_id FROM documents WHERE case_id IS NOT NULL"
            ).fetchall()
        )
        self.case_names = {r[0]: r[1] for r in project.db.execute("SELECT id, name FROM cases")}
        self._case_attrs: dict[int, dict[str, str]] | None = None
        self._doc_attrs: dict[int, dict[str, str]] | None = None

    @cached_property
    def document_group(self) -> dict[int, str | None]:
        return dict(self.project.db.execute("SELECT id, group_name FROM documents").fetchall())

    @cached_property
    def document_length(self) -> dict[int, int]:
        """Characters of each document's text (the project keeps them once counted)."""
        return self.project.document_lengths()

    def codes(self) -> list[Any]:
        """The codebook (:meth:`Project.codes`), read once."""
        if self._codes is None:
            self._codes = self.project.codes()
        return self._codes

    def forget_codes(self) -> None:
        """Read the codebook again next time (codes were added, renamed, moved or deleted)."""
        self._codes = None

    def text(self, doc_id: int) -> str:
        if doc_id not in self._texts:
            self._texts[doc_id] = self.project.document_text(doc_id)
        return self._texts[doc_id]

    def paragraphs(self, doc_id: int) -> list[tuple[int, int]]:
        if doc_id not in self._paras:
            self._paras[doc_id] = _paragraph_spans(self.text(doc_id))
        return self._paras[doc_id]

    def turns(self, doc_id: int) -> tuple[list[int], list[Any]]:
        if doc_id not in self._turns:
            turns = self.project.turns(doc_id)
            self._turns[doc_id] = ([t.start for t in turns], turns)
        return self._turns[doc_id]

    def units(self, doc_id: int, within: str) -> list[tuple[int, int]]:
        if within == "paragraph":
            return self.paragraphs(doc_id)
        return [(t.start, t.end) for t in self.turns(doc_id)[1]]

    def turn(self, doc_id: int, start: int, end: int) -> Any | None:
        """The turn covering most of ``[start, end)`` (the first one on a tie), or None."""
        starts, turns = self.turns(doc_id)
        if not turns:
            return None
        i = max(bisect_right(starts, start) - 1, 0)
        best, best_len = None, 0
        while i < len(turns) and turns[i].start < max(end, start + 1):
            t = turns[i]
            overlap = min(end, t.end) - max(start, t.start)
            if overlap > best_len or (best is None and t.start <= start < t.end):
                best, best_len = t, max(overlap, best_len)
            i += 1
        return best

    def speaker(self, doc_id: int, start: int, end: int) -> str:
        t = self.turn(doc_id, start, end)
        return (t.speaker or NO_SPEAKER) if t is not None else NO_SPEAKER

    def paragraph_number(self, doc_id: int, offset: int) -> int | None:
        """1-based number of the paragraph holding ``offset`` (the next one when between)."""
        spans = self.paragraphs(doc_id)
        if not spans:
            return None
        i = _span_at(spans, offset)
        return i + 1 if i is not None else None

    def _selections(self) -> dict[int, list[tuple[int, int, int]]]:
        if self._sel is None:
            self._sel = defaultdict(list)
            for case_id, doc_id, s, e in self.project.db.execute(
                'SELECT case_id, document_id, start, "end" FROM case_selections'
            ):
                self._sel[doc_id].append((s, e, case_id))
        return self._sel

    def case_ids(self, doc_id: int, start: int, end: int) -> list[int]:
        out = []
        doc_case = self.document_case.get(doc_id)
        if doc_case is not None:
            out.append(doc_case)
        for s, e, case_id in self._selections().get(doc_id, ()):
            if s < end and start < e and case_id not in out:
                out.append(case_id)
        return out

    def case_attributes(self, case_id: int) -> dict[str, str]:
        if self._case_attrs is None:
            self._case_attrs = self.project.attribute_values("case")
        return self._case_attrs.get(case_id, {})

    def document_attributes(self, doc_id: int) -> dict[str, str]:
        if self._doc_attrs is None:
            self._doc_attrs = self.project.attribute_values("document")
        return self._doc_attrs.get(doc_id, {})

    def context(self, doc_id: int, start: int, end: int, context: int | str) -> tuple[str, str]:
        """Text before and after a passage.

        ``context`` is a number of characters (kept inside the passage's paragraphs, cut at a
        word boundary), ``"paragraph"`` (the rest of the paragraphs the passage touches) or
        ``"turn"`` (the rest of its speaker turn; the paragraph when there are no turns).
        """
        text = self.text(doc_id)
        if not context:
            return "", ""
        spans = self.paragraphs(doc_id)
        first = _span_at(spans, start)
        last = _span_at(spans, max(start, end - 1))
        lo = spans[first][0] if first is not None else start
        hi = spans[last][1] if last is not None else end
        lo, hi = min(lo, start), max(hi, end)
        if context == "turn":
            t = self.turn(doc_id, start, end)
            if t is not None:
                lo, hi = min(t.start, start), max(t.end, end)
            return text[lo:start], text[end:hi]
        if context == "paragraph":
            return text[lo:start], text[end:hi]
        if not isinstance(context, int) or context < 0:
            raise InvalidValue(
                f"context is a number of characters, 'paragraph' or 'turn', not {context!r}"
            )
        b0 = max(lo, start - context)
        before = text[b0:start]
        if b0 > lo:
            cut = before.find(" ")
            before = before[cut + 1 :] if 0 <= cut < len(before) - 1 else before
        a1 = min(hi, end + context)
        after = text[end:a1]
        if a1 < hi:
            cut = after.rfind(" ")
            after = after[:cut] if cut > 0 else after
        return before, after


def _span_at(spans: list[tuple[int, int]], offset: int) -> int | None:
    """Index of the span containing ``offset`` (its end counts), else the next span, else None."""
    if not spans:
        return None
    i = bisect_right(spans, (offset, float("inf"))) - 1
    if i >= 0 and spans[i][0] <= offset <= spans[i][1]:
        return i
    return i + 1 if i + 1 < len(spans) else (i if i >= 0 else None)


def _touched(spans: list[tuple[int, int]], start: int, end: int) -> range:
    """Indices of the spans overlapping ``[start, end)``."""
    if not spans:
        return range(0)
    i = max(bisect_right(spans, (start, float("inf"))) - 1, 0)
    while i < len(spans) and spans[i][1] <= start:
        i += 1
    j = i
    while j < len(spans) and spans[j][0] < end:
        j += 1
    return range(i, j)


# ============================================================================ codings in scope


@dataclass(frozen=True)
class CodingRow:
    """A coding reduced to what queries need (ids and offsets)."""

    id: int
    document_id: int
    code_id: int
    coder_id: int
    start: int
    end: int


def _codings(
    project: Project,
    scope: _Scope,
    code_ids: Iterable[int] | None = None,
    sources: Sources | None = None,
) -> list[CodingRow]:
    """Codings in scope, in document and position order."""
    sql = (
        'SELECT g.id, g.document_id, g.code_id, g.coder_id, g.start, g."end" FROM codings g WHERE 1'
    )
    params: list[Any] = []
    if code_ids is not None:
        sql += " AND g.code_id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(sorted(set(code_ids))))
    clause, p = scope.coding_sql()
    order = (
        ' ORDER BY g.document_id, g.start, g."end", g.id'  # ties in coding order: a stable result
    )
    rows = [CodingRow(*r) for r in project.db.execute(sql + clause + order, params + p)]
    if scope.speakers is not None:
        src = sources or Sources(project)
        rows = [r for r in rows if src.speaker(r.document_id, r.start, r.end) in scope.speakers]
    return rows


def codings_in_scope(
    project: Project,
    filters: Filters | None = None,
    code_ids: Iterable[int] | None = None,
    sources: Sources | None = None,
) -> list[CodingRow]:
    """The codings that pass ``filters`` (of ``code_ids`` when given), by document and position."""
    return _codings(project, _resolve(project, filters), code_ids, sources)


# ============================================================================ frequencies


@dataclass(frozen=True)
class FrequencyRow:
    code_id: int
    code: str  # the code's path
    codings: int
    units: int
    total: int
    percent: float
    value: str | None = None  # the attribute value, for a breakdown by attribute
    characters: int = 0  # characters coded (overlaps counted once)
    coverage: float = 0.0  # characters coded as a percent of the characters in scope
    included: tuple[str, ...] = ()  # sub-codes whose codings are counted here (include_children)


@dataclass(frozen=True)
class FrequencyTable:
    by: str
    total: int
    rows: list[FrequencyRow]
    include_children: bool = False
    characters: int = 0  # characters of the documents in scope (coverage's denominator)


def _unit_pairs(
    project: Project, unit: str, scope: _Scope, doc_pairs: list[tuple[int, int, int]] | None = None
) -> list[tuple[int, int, int]]:
    """(code_id, unit id, codings) for every code/unit pair that has codings in scope."""
    clause, params = scope.coding_sql()
    if doc_pairs is None:
        # Grouped on the covering index codings(code_id, document_id): no sort, no table reads.
        sql = f"SELECT g.code_id, g.document_id, count(*) FROM codings g WHERE 1 {clause} GROUP BY 1, 2"
        doc_pairs = [tuple(r) for r in project.db.execute(sql, params)]
    if unit == "document":
        return doc_pairs
    has_selections = project.db.execute("SELECT 1 FROM case_selections LIMIT 1").fetchone()
    if not has_selections:
        case_of = dict(
            project.db.execute("SELECT id, case_id FROM documents WHERE case_id IS NOT NULL")
        )
        counts: dict[tuple[int, int], int] = defaultdict(int)
        for code_id, doc_id, n in doc_pairs:
            case_id = case_of.get(doc_id)
            if case_id is not None and (scope.cases is None or case_id in scope.cases):
                counts[(code_id, case_id)] += n
        return [(c, u, n) for (c, u), n in counts.items()]
    case_clause, case_params = "", []
    if scope.cases is not None:
        case_clause = " AND case_id IN (SELECT value FROM json_each(?))"
        case_params = [json.dumps(sorted(scope.cases))]
    sql = f"""
        SELECT code_id, case_id, count(*) FROM (
            SELECT g.id, g.code_id, d.case_id FROM codings g JOIN documents d ON d.id = g.document_id
            WHERE d.case_id IS NOT NULL {clause}
            UNION
            SELECT g.id, g.code_id, s.case_id FROM codings g JOIN case_selections s
            ON s.document_id = g.document_id AND g.start < s."end" AND s.start < g."end"
            WHERE 1 {clause}
        ) WHERE 1 {case_clause} GROUP BY 1, 2
    """
    return [tuple(r) for r in project.db.execute(sql, params + params + case_params)]


def _union_length(intervals: list[tuple[int, int]]) -> int:
    """Characters covered by intervals sorted by start (overlaps counted once)."""
    total, reach = 0, -1
    for s, e in intervals:
        if e > reach:
            total += e - max(s, reach)
            reach = e
    return total


def _speaker_pairs(
    project: Project, unit: str, scope: _Scope, sources: Sources
) -> list[tuple[int, int, int]]:
    """Like :func:`_unit_pairs`, for scopes that filter by speaker (computed per coding)."""
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for r in _codings(project, scope, sources=sources):
        owners = (
            [r.document_id]
            if unit == "document"
            else sources.case_ids(r.document_id, r.start, r.end)
        )
        for o in owners:
            if unit == "case" and scope.cases is not None and o not in scope.cases:
                continue
            counts[(r.code_id, o)] += 1
    return [(c, u, n) for (c, u), n in counts.items()]


def frequencies(
    project: Project,
    by: str = "document",
    coder_ids: Iterable[int] | None = None,
    include_children: bool = False,
    *,
    filters: Filters | None = None,
    coverage: bool = True,
) -> FrequencyTable:
    """Per code (codebook order): codings, units coded (documents or cases), n of N, percent.

    ``codings`` counts every coding of the code; ``units`` counts the documents (or cases)
    that carry it at least once; ``total`` is the number of documents (cases) in scope.
    ``coverage`` is the share of the characters of the documents in scope that the code
    covers (overlapping codings counted once). With ``include_children`` a parent also counts
    its sub-codes' codings and units (a unit is still counted once), listed in ``included``.
    """
    if by not in ("document", "case"):
        raise InvalidValue(f"frequencies are by document or by case, not '{by}'")
    scope = _resolve(project, filters, coder_ids)
    sources = Sources(project) if scope.speakers is not None else None
    doc_ids = scope.document_ids(project)
    total = len(doc_ids) if by == "document" else len(scope.case_ids(project))
    units_per_code: dict[int, set[int]] = defaultdict(set)
    codings_per_code: dict[int, int] = defaultdict(int)
    if sources is not None:
        for r in _codings(project, scope, sources=sources):
            codings_per_code[r.code_id] += 1
        pairs = _speaker_pairs(project, by, scope, sources)
    else:
        clause, params = scope.coding_sql()
        sql = f"SELECT g.code_id, g.document_id, count(*) FROM codings g WHERE 1 {clause} GROUP BY 1, 2"
        doc_pairs = [tuple(r) for r in project.db.execute(sql, params)]
        for code_id, _doc, n in doc_pairs:
            codings_per_code[code_id] += n
        pairs = _unit_pairs(project, by, scope, doc_pairs)
    for code_id, unit_id, _n in pairs:
        units_per_code[code_id].add(unit_id)
    members = _rollup(project, include_children)
    included = _included_paths(project, members)
    chars_total = 0
    covered: dict[int, int] = {}
    if coverage:
        lengths = dict(project.db.execute("SELECT id, length(text) FROM documents"))
        chars_total = sum(lengths.get(d, 0) for d in doc_ids)
        covered = _coverage(project, scope, members, sources)
    rows = []
    for code in project.codes():
        ids = members[code.id]
        units: set[int] = set().union(*(units_per_code.get(i, set()) for i in ids))
        codings = sum(codings_per_code.get(i, 0) for i in ids)
        chars = covered.get(code.id, 0)
        rows.append(
            FrequencyRow(
                code.id, code.path, codings, len(units), total, percent(len(units), total),
                characters=chars, coverage=percent(chars, chars_total), included=included[code.id],
            )
        )  # fmt: skip
    return FrequencyTable(by, total, rows, include_children, chars_total)


def _coverage(
    project: Project, scope: _Scope, members: dict[int, list[int]], sources: Sources | None
) -> dict[int, int]:
    """Characters covered per code (union of its codings' passages in each document)."""
    if sources is None:
        clause, params = scope.coding_sql()
        # Walk the codings in document and position order (the codings_document index, so
        # no sort): a passage adds what lies beyond the furthest end of its code so far.
        sql = (
            f'SELECT g.code_id, g.document_id, g.start, g."end" FROM codings g WHERE 1 {clause}'
            " ORDER BY g.document_id, g.start"
        )
        rows = project.db.execute(sql, params).fetchall()
        own: dict[int, int] = defaultdict(int)
        doc, reach = None, {}
        for code_id, doc_id, s, e in rows:
            if doc_id != doc:
                doc, reach = doc_id, {}
            r = reach.get(code_id, -1)
            if e > r:
                own[code_id] += e - (s if s > r else r)
                reach[code_id] = e
        if all(len(m) == 1 for m in members.values()):
            return dict(own)
        spans_of: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
        for code_id, doc_id, s, e in rows:
            spans_of[(code_id, doc_id)].append((s, e))
    else:
        spans_of = defaultdict(list)
        for r in _codings(project, scope, sources=sources):
            spans_of[(r.code_id, r.document_id)].append((r.start, r.end))
    by_code_doc: dict[int, dict[int, list[tuple[int, int]]]] = defaultdict(dict)
    for (code_id, doc_id), spans in spans_of.items():
        by_code_doc[code_id][doc_id] = spans
    out: dict[int, int] = {}
    for code_id, ids in members.items():
        if len(ids) == 1 and sources is None:
            out[code_id] = own.get(code_id, 0)
            continue
        docs: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for i in ids:
            for doc_id, spans in by_code_doc.get(i, {}).items():
                docs[doc_id].extend(spans)
        out[code_id] = sum(_union_length(sorted(spans)) for spans in docs.values())
    return out


def frequencies_by_attribute(
    project: Project,
    attribute: str,
    coder_ids: Iterable[int] | None = None,
    include_children: bool = False,
    *,
    filters: Filters | None = None,
) -> FrequencyTable:
    """Per code and attribute value: units (cases or documents) with that value coded, of all
    units with that value. Units without a value are grouped under the value ''."""
    attr = find_attribute(project, attribute)
    unit = attr.scope
    scope = _resolve(project, filters, coder_ids)
    values = project.attribute_values(unit)
    all_units = scope.document_ids(project) if unit == "document" else scope.case_ids(project)
    value_of = {u: values.get(u, {}).get(attr.name, "") for u in all_units}
    totals: dict[str, int] = defaultdict(int)
    for v in value_of.values():
        totals[v] += 1
    if scope.speakers is not None:
        pairs = _speaker_pairs(project, unit, scope, Sources(project))
    else:
        pairs = _unit_pairs(project, unit, scope)
    per_code: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for code_id, unit_id, n in pairs:
        per_code[code_id].append((unit_id, n))
    members = _rollup(project, include_children)
    included = _included_paths(project, members)
    ordered_values = sorted(totals, key=lambda v: (v == "", v))
    rows = []
    for code in project.codes():
        for value in ordered_values:
            units: set[int] = set()
            codings = 0
            for i in members[code.id]:
                for unit_id, n in per_code.get(i, []):
                    if value_of.get(unit_id) == value:
                        units.add(unit_id)
                        codings += n
            total = totals[value]
            rows.append(
                FrequencyRow(
                    code.id, code.path, codings, len(units), total, percent(len(units), total), value,
                    included=included[code.id],
                )
            )  # fmt: skip
    return FrequencyTable(f"attribute={attr.name}", len(all_units), rows, include_children)


@dataclass(frozen=True)
class UnitRef:
    id: int
    name: str


@dataclass(frozen=True)
class CodeMatrix:
    """Codings per code (rows, codebook order) and unit (columns: documents or cases)."""

    by: str
    codes: list[FrequencyRow]
    units: list[UnitRef]
    counts: list[list[int]]  # counts[code row][unit column]


def code_matrix(
    project: Project,
    by: str = "document",
    filters: Filters | None = None,
    include_children: bool = False,
) -> CodeMatrix:
    """Codings of each code in each document (or case) in scope."""
    table = frequencies(
        project, by, include_children=include_children, filters=filters, coverage=False
    )
    scope = _resolve(project, filters)
    if by == "document":
        ids = scope.document_ids(project)
        names = dict(project.db.execute("SELECT id, name FROM documents"))
    else:
        ids = scope.case_ids(project)
        names = dict(project.db.execute("SELECT id, name FROM cases"))
    units = sorted((UnitRef(i, names[i]) for i in ids), key=lambda u: (u.name.casefold(), u.id))
    column = {u.id: n for n, u in enumerate(units)}
    if scope.speakers is not None:
        pairs = _speaker_pairs(project, by, scope, Sources(project))
    else:
        pairs = _unit_pairs(project, by, scope)
    per_code: dict[int, list[int]] = defaultdict(lambda: [0] * len(units))
    for code_id, unit_id, n in pairs:
        if unit_id in column:
            per_code[code_id][column[unit_id]] += n
    members = _rollup(project, include_children)
    counts = []
    for row in table.rows:
        line = [0] * len(units)
        for i in members[row.code_id]:
            for k, n in enumerate(per_code.get(i, ())):
                line[k] += n
        counts.append(line)
    return CodeMatrix(by, table.rows, units, counts)


# ============================================================================ crosstab


@dataclass(frozen=True)
class CrosstabRow:
    code_id: int
    code: str
    counts: tuple[int, ...]  # units coded, per value (columns)
    total: int  # units coded, any value
    row_percent: tuple[float, ...]  # count / total
    column_percent: tuple[float, ...]  # count / units having that value
    included: tuple[str, ...] = ()


@dataclass(frozen=True)
class Crosstab:
    """Code × attribute value: how many cases (or documents) with each value carry each code."""

    attribute: str
    unit: str  # "case" | "document"
    values: list[str]  # columns ('' = no value)
    column_totals: list[int]  # units having each value
    total: int  # units in scope
    rows: list[CrosstabRow]


def crosstab(
    project: Project,
    attribute: str,
    codes: Iterable[int] | None = None,
    filters: Filters | None = None,
    include_children: bool = False,
) -> Crosstab:
    """Counts of units per code and attribute value, with row and column percentages.

    Row percentages divide by the units coded with the code (whatever their value); column
    percentages by the units having the value: "3 of the 5 UK cases (60.0%)".
    """
    table = frequencies_by_attribute(
        project, attribute, include_children=include_children, filters=filters
    )
    attr = find_attribute(project, attribute)
    wanted = set(codes) if codes is not None else None
    by_code: dict[int, list[FrequencyRow]] = defaultdict(list)
    order: list[int] = []
    for r in table.rows:
        if wanted is not None and r.code_id not in wanted:
            continue
        if r.code_id not in by_code:
            order.append(r.code_id)
        by_code[r.code_id].append(r)
    values: list[str] = []
    col_totals: list[int] = []
    first = next(iter(by_code.values()), None)
    if first is not None:
        values = [r.value or "" for r in first]
        col_totals = [r.total for r in first]
    else:
        tally: dict[str, int] = defaultdict(int)
        scope = _resolve(project, filters)
        ids = scope.case_ids(project) if attr.scope == "case" else scope.document_ids(project)
        vals = project.attribute_values(attr.scope)
        for u in ids:
            tally[vals.get(u, {}).get(attr.name, "")] += 1
        values = sorted(tally, key=lambda v: (v == "", v))
        col_totals = [tally[v] for v in values]
    rows = []
    for code_id in order:
        cells = by_code[code_id]
        counts = tuple(r.units for r in cells)
        total = sum(counts)
        rows.append(
            CrosstabRow(
                code_id, cells[0].code, counts, total,
                tuple(percent(n, total) for n in counts),
                tuple(percent(n, t) for n, t in zip(counts, col_totals)),
                cells[0].included,
            )
        )  # fmt: skip
    return Crosstab(attr.name, attr.scope, values, col_totals, table.total, rows)


# ============================================================================ retrieval


@dataclass(frozen=True)
class Passage:
    """A retrieved stretch of text with its source. ``paragraph`` is 1-based."""

    document_id: int
    document: str
    start: int
    end: int
    text: str
    before: str = ""
    after: str = ""
    code_ids: tuple[int, ...] = ()
    codes: tuple[str, ...] = ()  # code paths, as many as code_ids
    coding_ids: tuple[int, ...] = ()
    coders: tuple[str, ...] = ()
    speaker: str = NO_SPEAKER
    paragraph: int | None = None
    time_start: float | None = None
    cases: tuple[str, ...] = ()
    color: str = ""
    memo: str = ""  # the memos of the codings behind the passage, one per line


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of intervals (touching ones join), sorted."""
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _intersect(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        s, e = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if s < e:
            out.append((s, e))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _overlaps_any(merged: list[tuple[int, int]], start: int, end: int) -> bool:
    i = bisect_right(merged, (start, float("inf"))) - 1
    if i >= 0 and merged[i][1] > start:
        return True
    return i + 1 < len(merged) and merged[i + 1][0] < end


def _code_ids(project: Project, codes: Iterable[int | str]) -> list[int]:
    out = []
    for c in codes:
        out.append(c if isinstance(c, int) else project.find_code(c).id)
    return out


def retrieve(
    project: Project,
    codes: Sequence[int | str],
    mode: str = "or",
    within: str = "passage",
    without: Sequence[int | str] = (),
    filters: Filters | None = None,
    context: int | str = 0,
    include_children: bool = False,
    sources: Sources | None = None,
) -> list[Passage]:
    """Passages coded with ``codes`` combined by ``mode``, in document and position order.

    - ``"or"``: every coding of any of the codes (``within="passage"``), or every paragraph /
      turn holding one;
    - ``"and"``: the stretches of text coded with all of the codes at once (``"passage"``), or
      the paragraphs / turns holding codings of all of them;
    - ``"not"``: the codings of the first code that do not meet (per ``within``) any coding of
      the other codes.

    ``without`` removes, in any mode, results that meet a coding of those codes. Codes are ids,
    names or paths. ``context`` adds text around each passage (see :meth:`Sources.context`).
    A passage carries the codings behind it (ids, coders and memos). ``sources`` lets
    repeated calls share what has been read (see :class:`Sources`).
    """
    if mode not in MODES:
        raise InvalidValue(f"codes combine with {', '.join(MODES)}, not '{mode}'")
    if within not in WITHIN:
        raise InvalidValue(f"'within' is one of {', '.join(WITHIN)}, not '{within}'")
    ids = _code_ids(project, codes)
    excluded = _code_ids(project, without)
    if mode == "not":
        ids, excluded = ids[:1], ids[1:] + excluded
    if not ids:
        return []
    src = sources or Sources(project)
    codebook = src.codes()
    members = _rollup(project, include_children, codebook)
    groups = [members.get(i, [i]) for i in ids]
    ex_members = {m for i in excluded for m in members.get(i, [i])}
    scope = _resolve(project, filters)
    wanted = {m for g in groups for m in g} | ex_members
    rows = _codings(project, scope, wanted, src)
    paths = {c.id: c.path for c in codebook}
    colors = {c.id: c.color for c in codebook}
    coder_names = dict(project.db.execute("SELECT id, name FROM coders"))
    per_doc: dict[int, list[CodingRow]] = defaultdict(list)
    for r in rows:
        per_doc[r.document_id].append(r)
    group_of = [set(g) for g in groups]
    out: list[Passage] = []
    for doc_id in sorted(per_doc, key=lambda d: (src.document_names[d].casefold(), d)):
        doc_rows = per_doc[doc_id]
        ex_rows = [r for r in doc_rows if r.code_id in ex_members]
        results: list[tuple[int, int, list[CodingRow]]] = []  # (start, end, codings behind it)
        if within == "passage":
            if mode == "and" and len(groups) > 1:
                region = None
                for g in group_of:
                    merged = _merge((r.start, r.end) for r in doc_rows if r.code_id in g)
                    region = merged if region is None else _intersect(region, merged)
                for s, e in region or []:
                    behind = [
                        r
                        for r in doc_rows
                        if r.start < e and s < r.end and any(r.code_id in g for g in group_of)
                    ]
                    results.append((s, e, behind))
            else:
                base = set().union(*group_of) if mode != "not" else group_of[0]
                results = [(r.start, r.end, [r]) for r in doc_rows if r.code_id in base]
            if ex_rows:
                ex_merged = _merge((r.start, r.end) for r in ex_rows)
                results = [x for x in results if not _overlaps_any(ex_merged, x[0], x[1])]
        else:
            spans = src.units(doc_id, within)
            touched: dict[int, list[CodingRow]] = defaultdict(list)
            for r in doc_rows:
                for k in _touched(spans, r.start, r.end):
                    touched[k].append(r)
            ex_units = {k for k, rs in touched.items() if any(r.code_id in ex_members for r in rs)}
            if mode == "not":
                for r in doc_rows:
                    if r.code_id in group_of[0] and not any(
                        k in ex_units for k in _touched(spans, r.start, r.end)
                    ):
                        results.append((r.start, r.end, [r]))
            else:
                for k in sorted(touched):
                    rs = [r for r in touched[k] if any(r.code_id in g for g in group_of)]
                    hit = [any(r.code_id in g for r in rs) for g in group_of]
                    if (all(hit) if mode == "and" else any(hit)) and k not in ex_units:
                        results.append((spans[k][0], spans[k][1], rs))
        text = src.text(doc_id)
        for s, e, behind in results:
            before, after = src.context(doc_id, s, e, context) if context else ("", "")
            turn = src.turn(doc_id, s, e)
            code_list = list(dict.fromkeys(r.code_id for r in behind))
            out.append(
                Passage(
                    doc_id, src.document_names[doc_id], s, e, text[s:e], before, after,
                    tuple(code_list), tuple(paths.get(c, "") for c in code_list),
                    tuple(r.id for r in behind),
                    tuple(dict.fromkeys(coder_names.get(r.coder_id, "") for r in behind)),
                    (turn.speaker or NO_SPEAKER) if turn is not None else NO_SPEAKER,
                    src.paragraph_number(doc_id, s),
                    turn.time_start if turn is not None else None,
                    tuple(src.case_names[c] for c in src.case_ids(doc_id, s, e)),
                    colors.get(code_list[0], "") if code_list else "",
                )
            )  # fmt: skip
    return _with_memos(project, out)


def _with_memos(project: Project, passages: list[Passage]) -> list[Passage]:
    """``passages`` with the memos of the codings behind them (one statement for all)."""
    ids = sorted({c for p in passages for c in p.coding_ids})
    if not ids:
        return passages
    memos = dict(project.db.execute(
        "SELECT id, memo FROM codings WHERE id IN (SELECT value FROM json_each(?)) AND memo != ''",
        [json.dumps(ids)],
    ).fetchall())  # fmt: skip
    if not memos:
        return passages
    return [
        replace(p, memo="\n".join(memos[c] for c in p.coding_ids if c in memos))
        if any(c in memos for c in p.coding_ids) else p
        for p in passages
    ]  # fmt: skip


# ============================================================================ co-occurrence


@dataclass(frozen=True)
class CodeRef:
    id: int
    path: str
    color: str = ""


@dataclass(frozen=True)
class Cooccurrence:
    """How often codes meet. ``counts[i][j]`` (i != j) is the number of passages where codes
    i and j meet (what :func:`retrieve` with ``mode="and"`` returns for the pair); the diagonal
    holds each code's own codings (``"passage"``) or paragraphs / turns (otherwise)."""

    within: str
    codes: list[CodeRef]
    counts: list[list[int]]
    include_children: bool = False

    def pairs(self) -> list[tuple[CodeRef, CodeRef, int]]:
        """Every pair that meets at least once, most frequent first."""
        out = []
        for i in range(len(self.codes)):
            for j in range(i + 1, len(self.codes)):
                if self.counts[i][j]:
                    out.append((self.codes[i], self.codes[j], self.counts[i][j]))
        out.sort(key=lambda p: (-p[2], p[0].path, p[1].path))
        return out


def cooccurrence(
    project: Project,
    codes: Iterable[int] | None = None,
    within: str = "passage",
    filters: Filters | None = None,
    include_children: bool = False,
    sources: Sources | None = None,
) -> Cooccurrence:
    """The code × code co-occurrence matrix (codebook order)."""
    if within not in WITHIN:
        raise InvalidValue(f"'within' is one of {', '.join(WITHIN)}, not '{within}'")
    all_codes = project.codes()
    wanted = set(codes) if codes is not None else None
    chosen = [c for c in all_codes if wanted is None or c.id in wanted]
    members = _rollup(project, include_children)
    groups_of: dict[int, list[int]] = defaultdict(list)  # code id -> matrix indices it counts for
    for k, c in enumerate(chosen):
        for m in members[c.id]:
            groups_of[m].append(k)
    n = len(chosen)
    counts = [[0] * n for _ in range(n)]
    scope = _resolve(project, filters)
    src = sources or Sources(project)
    rows = _codings(project, scope, list(groups_of), src)
    per_doc: dict[int, list[CodingRow]] = defaultdict(list)
    for r in rows:
        per_doc[r.document_id].append(r)
    for doc_id, doc_rows in per_doc.items():
        if within == "passage":
            for r in doc_rows:
                for k in set(groups_of[r.code_id]):
                    counts[k][k] += 1
            _sweep_pairs(doc_rows, groups_of, counts)
        else:
            spans = src.units(doc_id, within)
            unit_sets: dict[int, set[int]] = defaultdict(set)
            for r in doc_rows:
                for u in _touched(spans, r.start, r.end):
                    unit_sets[u].update(groups_of[r.code_id])
            for ks in unit_sets.values():
                ordered = sorted(ks)
                for a_i, a in enumerate(ordered):
                    counts[a][a] += 1
                    for b in ordered[a_i + 1 :]:
                        counts[a][b] += 1
                        counts[b][a] += 1
    refs = [CodeRef(c.id, c.path, c.color) for c in chosen]
    return Cooccurrence(within, refs, counts, include_children)


def _sweep_pairs(
    doc_rows: list[CodingRow], groups_of: dict[int, list[int]], counts: list[list[int]]
) -> None:
    """Count, per pair of matrix codes, the maximal stretches coded with both (one document)."""
    events: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for r in doc_rows:
        for k in set(groups_of[r.code_id]):
            events[r.start].append((k, 1))
            events[r.end].append((k, -1))
    active: dict[int, int] = defaultdict(int)
    last_end: dict[tuple[int, int], int] = {}
    positions = sorted(events)
    for p_i, pos in enumerate(positions):
        for k, d in events[pos]:
            active[k] += d
            if not active[k]:
                del active[k]
        if len(active) < 2 or p_i + 1 == len(positions):
            continue
        nxt = positions[p_i + 1]
        ks = sorted(active)
        for a_i, a in enumerate(ks):
            for b in ks[a_i + 1 :]:
                if last_end.get((a, b)) != pos:
                    counts[a][b] += 1
                    counts[b][a] += 1
                last_end[(a, b)] = nxt


def cooccurrence_passages(
    project: Project,
    code_a: int,
    code_b: int,
    within: str = "passage",
    filters: Filters | None = None,
    context: int | str = 0,
    include_children: bool = False,
) -> list[Passage]:
    """The passages behind one cell of :func:`cooccurrence` (a diagonal cell: the code's own)."""
    codes = [code_a] if code_a == code_b else [code_a, code_b]
    return retrieve(
        project,
        codes,
        "and",
        within,
        filters=filters,
        context=context,
        include_children=include_children,
    )


# ============================================================================ speakers


@dataclass(frozen=True)
class SpeakerRow:
    code_id: int
    code: str
    counts: tuple[int, ...]  # codings per speaker (columns)
    total: int
    included: tuple[str, ...] = ()


@dataclass(frozen=True)
class SpeakerTable:
    """Codings per code and speaker. A coding's speaker is the speaker of the turn covering
    most of its passage; codings outside any turn fall under ``""`` (no speaker), last."""

    speakers: list[str]
    rows: list[SpeakerRow]
    totals: list[int]


def speaker_breakdown(
    project: Project,
    codes: Iterable[int] | None = None,
    filters: Filters | None = None,
    include_children: bool = False,
) -> SpeakerTable:
    """Codings per code (codebook order) and speaker, with the totals per speaker."""
    scope = _resolve(project, filters)
    src = Sources(project)
    members = _rollup(project, include_children)
    included = _included_paths(project, members)
    wanted = set(codes) if codes is not None else None
    code_ids = None if wanted is None else {m for c in wanted for m in members.get(c, [c])}
    per_code: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    speakers: set[str] = set()
    for r in _codings(project, scope, code_ids, sources=src):
        s = src.speaker(r.document_id, r.start, r.end)
        per_code[r.code_id][s] += 1
        speakers.add(s)
    ordered = sorted(speakers, key=lambda s: (s == NO_SPEAKER, s.casefold()))
    rows = []
    totals = [0] * len(ordered)
    for code in project.codes():
        if wanted is not None and code.id not in wanted:
            continue
        counts = [sum(per_code.get(i, {}).get(s, 0) for i in members[code.id]) for s in ordered]
        rows.append(SpeakerRow(code.id, code.path, tuple(counts), sum(counts), included[code.id]))
    for by_speaker in per_code.values():  # each coding once, whatever the roll-up
        for k, s in enumerate(ordered):
            totals[k] += by_speaker.get(s, 0)
    return SpeakerTable(ordered, rows, totals)


def cases_not_analysed(project: Project, filters: Filters | None = None) -> list[str]:
    """Names of the cases in the selection that have no document in it: they are not analysed
    and not counted in N (a report lists them)."""
    scope = _resolve(project, filters)
    names = dict(project.db.execute("SELECT id, name FROM cases"))
    return [names[i] for i in scope.cases_not_analysed(project)]


def with_filters(filters: Filters | None, **changes: Any) -> Filters:
    """``filters`` with some fields replaced (a convenience for drilling into a table cell)."""
    return replace(filters or NO_FILTERS, **changes)


__all__ = [
    "NO_FILTERS", "NO_SPEAKER", "CodeMatrix", "CodingRow", "CodeRef", "Cooccurrence", "Crosstab",
    "CrosstabRow", "Filters", "FrequencyRow", "FrequencyTable", "Passage", "Sources", "SpeakerRow", "SpeakerTable",
    "UnitRef", "cases_not_analysed", "code_matrix", "codings_in_scope", "cooccurrence", "cooccurrence_passages", "crosstab", "frequencies",
    "find_attribute", "frequencies_by_attribute", "percent", "retrieve", "speaker_breakdown", "with_filters",
]  # fmt: skip
