"""Frequencies, coverage, code-by-unit matrices and crosstabs."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coder.core import consensus
from coder.core.errors import InvalidValue
from coder.core.query.scope import (
    CodingRow,
    Filters,
    Scope,
    Sources,
    coding_rows,
    find_attribute,
    included_paths,
    percent,
    resolve,
    rollup,
)

if TYPE_CHECKING:
    from coder.core.project import Project


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
    project: Project, unit: str, scope: Scope, doc_pairs: list[tuple[int, int, int]] | None = None
) -> list[tuple[int, int, int]]:
    """(code_id, unit id, codings) for every code/unit pair that has codings in scope."""
    clause, params = scope.coding_sql()
    if doc_pairs is None:
        # Grouped on the covering index codings(code_id, document_id): no sort, no table reads.
        sql = (
            "SELECT g.code_id, g.document_id, count(*) FROM codings g "
            f"WHERE 1 {clause} GROUP BY 1, 2"
        )
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
            SELECT g.id, g.code_id, d.case_id
            FROM codings g JOIN documents d ON d.id = g.document_id
            WHERE d.case_id IS NOT NULL {clause}
            UNION
            SELECT g.id, g.code_id, s.case_id FROM codings_at g JOIN case_selections_at s
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
    project: Project, unit: str, scope: Scope, sources: Sources
) -> list[tuple[int, int, int]]:
    """Like :func:`_unit_pairs`, for scopes that filter by speaker (computed per coding)."""
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for r in coding_rows(project, scope, sources=sources):
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


def _consensus_pairs(
    project: Project, unit: str, scope: Scope, sources: Sources
) -> tuple[list[tuple[int, int, int]], dict[int, int]]:
    """Code/unit pairs that enough of the coders coded (:func:`consensus.unit_pairs`), and per
    code the codings that belong to such a pair."""
    rows = coding_rows(project, scope, sources=sources, passages=False)

    def owners(r: CodingRow) -> list[int]:
        if unit == "document":
            return [r.document_id]
        cases = sources.case_ids(r.document_id, r.start, r.end)
        return [c for c in cases if scope.cases is None or c in scope.cases]

    pairs = consensus.unit_pairs(rows, owners, scope.need)
    passing = {(c, u) for c, u, _ in pairs}
    codings: dict[int, int] = defaultdict(int)
    for r in rows:
        if any((r.code_id, u) in passing for u in owners(r)):
            codings[r.code_id] += 1
    return pairs, codings


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
    scope = resolve(project, filters, coder_ids)
    sources = Sources(project) if scope.speakers is not None else None
    doc_ids = scope.document_ids(project)
    total = len(doc_ids) if by == "document" else len(scope.case_ids(project))
    units_per_code: dict[int, set[int]] = defaultdict(set)
    codings_per_code: dict[int, int] = defaultdict(int)
    if scope.need > 1:
        pairs, codings_per_code = _consensus_pairs(project, by, scope, sources or Sources(project))
    elif sources is not None:
        for r in coding_rows(project, scope, sources=sources):
            codings_per_code[r.code_id] += 1
        pairs = _speaker_pairs(project, by, scope, sources)
    else:
        clause, params = scope.coding_sql()
        sql = (
            "SELECT g.code_id, g.document_id, count(*) FROM codings g "
            f"WHERE 1 {clause} GROUP BY 1, 2"
        )
        doc_pairs = [tuple(r) for r in project.db.execute(sql, params)]
        for code_id, _doc, n in doc_pairs:
            codings_per_code[code_id] += n
        pairs = _unit_pairs(project, by, scope, doc_pairs)
    for code_id, unit_id, _n in pairs:
        units_per_code[code_id].add(unit_id)
    members = rollup(project, include_children)
    included = included_paths(project, members)
    chars_total = 0
    covered: dict[int, int] = {}
    if coverage:
        lengths = dict(project.db.execute("SELECT id, length FROM documents"))
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
    project: Project, scope: Scope, members: dict[int, list[int]], sources: Sources | None
) -> dict[int, int]:
    """Characters covered per code (union of its codings' passages in each document)."""
    if sources is None:
        clause, params = scope.coding_sql()
        # Walk the codings in document and position order (the codings_document index, so
        # no sort): a passage adds what lies beyond the furthest end of its code so far.
        sql = (
            f'SELECT g.code_id, g.document_id, g.start, g."end" FROM codings_at g WHERE 1 {clause}'
            " ORDER BY g.document_id, g.start"
        )
        rows = project.db.execute(sql, params).fetchall()
        own: dict[int, int] = defaultdict(int)
        doc: int | None = None
        reach: dict[int, int] = {}
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
        for row in coding_rows(project, scope, sources=sources):
            spans_of[(row.code_id, row.document_id)].append((row.start, row.end))
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
    scope = resolve(project, filters, coder_ids)
    values = project.attribute_values(unit)
    all_units = scope.document_ids(project) if unit == "document" else scope.case_ids(project)
    value_of = {u: values.get(u, {}).get(attr.name, "") for u in all_units}
    totals: dict[str, int] = defaultdict(int)
    for v in value_of.values():
        totals[v] += 1
    if scope.need > 1:
        pairs = _consensus_pairs(project, unit, scope, Sources(project))[0]
    elif scope.speakers is not None:
        pairs = _speaker_pairs(project, unit, scope, Sources(project))
    else:
        pairs = _unit_pairs(project, unit, scope)
    per_code: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for code_id, unit_id, n in pairs:
        per_code[code_id].append((unit_id, n))
    members = rollup(project, include_children)
    included = included_paths(project, members)
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
                    code.id, code.path, codings, len(units), total, percent(len(units), total),
                    value, included=included[code.id],
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
    scope = resolve(project, filters)
    if by == "document":
        ids = scope.document_ids(project)
        names = dict(project.db.execute("SELECT id, name FROM documents"))
    else:
        ids = scope.case_ids(project)
        names = dict(project.db.execute("SELECT id, name FROM cases"))
    units = sorted((UnitRef(i, names[i]) for i in ids), key=lambda u: (u.name.casefold(), u.id))
    column = {u.id: n for n, u in enumerate(units)}
    if scope.need > 1:
        pairs = _consensus_pairs(project, by, scope, Sources(project))[0]
    elif scope.speakers is not None:
        pairs = _speaker_pairs(project, by, scope, Sources(project))
    else:
        pairs = _unit_pairs(project, by, scope)
    per_code: dict[int, list[int]] = defaultdict(lambda: [0] * len(units))
    for code_id, unit_id, n in pairs:
        if unit_id in column:
            per_code[code_id][column[unit_id]] += n
    members = rollup(project, include_children)
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
    # The stored values each column holds when values are grouped into ranges (see
    # coder.core.query.value_groups); () when each column is one value.
    members: tuple[tuple[str, ...], ...] = ()

    def column_values(self, column: int) -> tuple[str, ...]:
        """The stored values behind a column (for listing its passages)."""
        return self.members[column] if self.members else (self.values[column],)


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
        scope = resolve(project, filters)
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
                tuple(percent(n, t) for n, t in zip(counts, col_totals, strict=False)),
                cells[0].included,
            )
        )  # fmt: skip
    return Crosstab(attr.name, attr.scope, values, col_totals, table.total, rows)
