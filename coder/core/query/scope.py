"""Filters, scopes and per-document sources shared by the analysis queries."""

from __future__ import annotations

import json
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from coder.core import consensus, numbers
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

_check_consensus = consensus.check  # the field of the same name hides the module in Filters


def _frozen(values: Iterable[Any] | None) -> frozenset | None:
    if values is None:
        return None
    if isinstance(values, (str, int)):
        values = [values]
    return frozenset(values)


@dataclass(frozen=True, init=False)
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
    # with several coders: a unit counts when "any", "all" or a "majority" of them coded it
    # (see coder.core.consensus); "any" is every coding of the coders
    consensus: str = "any"

    def __init__(
        self,
        documents: Iterable[int] | None = None,
        groups: Iterable[str] | None = None,
        cases: Iterable[int] | None = None,
        attributes: Mapping[str, Iterable[str] | str]
        | Iterable[tuple[str, Iterable[str] | str]] = (),
        coders: Iterable[int] | None = None,
        speakers: Iterable[str] | None = None,
        consensus: str = "any",
    ) -> None:
        """Any iterable (or one value) per field; ``attributes`` as a mapping or pairs."""
        _check_consensus(consensus)
        object.__setattr__(self, "consensus", consensus)
        for name, value in (("documents", documents), ("groups", groups), ("cases", cases),
                            ("coders", coders), ("speakers", speakers)):  # fmt: skip
            object.__setattr__(self, name, _frozen(value))
        items = attributes.items() if isinstance(attributes, Mapping) else attributes
        norm = tuple(sorted((str(k), _frozen(v) or frozenset()) for k, v in items))
        object.__setattr__(self, "attributes", norm)

    def __bool__(self) -> bool:
        return (
            any(
                v is not None
                for v in (self.documents, self.groups, self.cases, self.coders, self.speakers)
            )
            or bool(self.attributes)
            or self.consensus != "any"
        )


NO_FILTERS = Filters()


@dataclass
class Scope:
    """Filters resolved to id sets (``None`` = all) and the SQL that applies them."""

    documents: set[int] | None
    cases: set[int] | None
    coders: set[int] | None
    speakers: frozenset[str] | None
    need: int = 1  # how many of the coders must have coded a unit (consensus)

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
                     OR EXISTS (SELECT 1 FROM codings_at x JOIN case_selections_at s
                                ON s.document_id = x.document_id
                                WHERE x.id = {g}.id
                                  AND s.case_id IN (SELECT value FROM json_each(?))
                                  AND x.start < s."end" AND s.start < x."end"))"""
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


def resolve(
    project: Project, filters: Filters | None, coder_ids: Iterable[int] | None = None
) -> Scope:
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
                f"(SELECT {col} FROM attribute_values "
                f"WHERE attribute_id = ? AND {col} IS NOT NULL)",
                [attr.id],
            )
            owners += [r[0] for r in rows]
        if attr.scope == "case":
            cases = narrow(cases, owners)
        else:
            docs = narrow(docs, owners)
    need = 1
    if f.consensus != "any":
        if coders is None:
            coders = {r[0] for r in project.db.execute("SELECT id FROM coders")}
        need = consensus.required(f.consensus, len(coders))
    return Scope(docs, cases, coders, f.speakers, need)


def find_attribute(project: Project, name: str) -> Any:
    """An attribute by name; ``case:NAME`` or ``document:NAME`` says which when both exist."""
    scope, sep, rest = name.partition(":")
    if sep and scope in ("case", "document") and rest:
        return project.find_attribute(rest, scope)
    return project.find_attribute(name)


# ============================================================================ code groups


def rollup(
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


def included_paths(project: Project, members: dict[int, list[int]]) -> dict[int, tuple[str, ...]]:
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
            turns = self.project.turn_spans(doc_id)  # named tuples: a transcript has thousands
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

    def case_selections(self) -> dict[int, list[tuple[int, int, int]]]:
        """Per document, its case passages as (start, end, case id)."""
        if self._sel is None:
            self._sel = defaultdict(list)
            for case_id, doc_id, s, e in self.project.db.execute(
                'SELECT case_id, document_id, start, "end" FROM case_selections_at'
            ):
                self._sel[doc_id].append((s, e, case_id))
        return self._sel

    def case_ids(self, doc_id: int, start: int, end: int) -> list[int]:
        out = []
        doc_case = self.document_case.get(doc_id)
        if doc_case is not None:
            out.append(doc_case)
        for s, e, case_id in self.case_selections().get(doc_id, ()):
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


def touched_units(spans: list[tuple[int, int]], start: int, end: int) -> range:
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


def coding_rows(
    project: Project,
    scope: Scope,
    code_ids: Iterable[int] | None = None,
    sources: Sources | None = None,
    passages: bool = True,
) -> list[CodingRow]:
    """Codings in scope, in document and position order (with a consensus of coders and
    ``passages``, only the codings enough of them agree on: :func:`consensus.passages`)."""
    sql = (
        'SELECT g.id, g.document_id, g.code_id, g.coder_id, g.start, g."end" '
        "FROM codings_at g WHERE 1"
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
    if passages and scope.need > 1:
        rows = consensus.passages(rows, scope.need)
    return rows


def codings_in_scope(
    project: Project,
    filters: Filters | None = None,
    code_ids: Iterable[int] | None = None,
    sources: Sources | None = None,
) -> list[CodingRow]:
    """The codings that pass ``filters`` (of ``code_ids`` when given), by document and position."""
    return coding_rows(project, resolve(project, filters), code_ids, sources)


def documents_in_scope(project: Project, filters: Filters | None = None) -> list[int]:
    """Ids of the documents ``filters`` select (by document, group, case and attribute)."""
    return resolve(project, filters).document_ids(project)


def cases_not_analysed(project: Project, filters: Filters | None = None) -> list[str]:
    """Names of the cases in the selection that have no document in it: they are not analysed
    and not counted in N (a report lists them)."""
    scope = resolve(project, filters)
    names = dict(project.db.execute("SELECT id, name FROM cases"))
    return [names[i] for i in scope.cases_not_analysed(project)]


def with_filters(filters: Filters | None, **changes: Any) -> Filters:
    """``filters`` with some fields replaced (a convenience for drilling into a table cell)."""
    return replace(filters or NO_FILTERS, **changes)
