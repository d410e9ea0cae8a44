"""Analysis queries: SQL in, dataclasses out. Nothing here writes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coder.core.errors import InvalidValue

if TYPE_CHECKING:
    from coder.core.project import Project


def percent(units: int, total: int) -> float:
    """``units`` of ``total`` as a percentage rounded to one decimal (0.0 when total is 0)."""
    return round(units / total * 100, 1) if total else 0.0


@dataclass(frozen=True)
class FrequencyRow:
    code_id: int
    code: str  # the code's path
    codings: int
    units: int
    total: int
    percent: float
    value: str | None = None  # the attribute value, for a breakdown by attribute


@dataclass(frozen=True)
class FrequencyTable:
    by: str
    total: int
    rows: list[FrequencyRow]
    include_children: bool = False


def _coder_clause(coder_ids: Iterable[int] | None, alias: str = "g") -> tuple[str, list[int]]:
    if coder_ids is None:
        return "", []
    ids = list(coder_ids)
    return f" AND {alias}.coder_id IN ({','.join('?' for _ in ids) or 'NULL'})", ids


def _rollup(project: Project, include_children: bool) -> dict[int, list[int]]:
    """For each code, the code ids whose codings count for it (itself, or its subtree)."""
    codes = project.codes()
    members = {c.id: [c.id] for c in codes}
    if include_children:
        parent = {c.id: c.parent_id for c in codes}
        for c in codes:
            p = parent[c.id]
            while p is not None:
                members[p].append(c.id)
                p = parent[p]
    return members


def _unit_pairs(project: Project, unit: str, coder_ids: Iterable[int] | None) -> list[tuple[int, int, int]]:
    """(code_id, unit id, codings) for every code/unit pair that has codings."""
    clause, params = _coder_clause(coder_ids)
    if unit == "document":
        sql = f"SELECT g.code_id, g.document_id, count(*) FROM codings g WHERE 1 {clause} GROUP BY 1, 2"
        return [tuple(r) for r in project.db.execute(sql, params)]
    sql = f"""
        SELECT code_id, case_id, count(*) FROM (
            SELECT g.id, g.code_id, d.case_id FROM codings g JOIN documents d ON d.id = g.document_id
            WHERE d.case_id IS NOT NULL {clause}
            UNION
            SELECT g.id, g.code_id, s.case_id FROM codings g JOIN case_selections s
            ON s.document_id = g.document_id AND g.start < s."end" AND s.start < g."end"
            WHERE 1 {clause}
        ) GROUP BY 1, 2
    """
    return [tuple(r) for r in project.db.execute(sql, params + params)]


def frequencies(
    project: Project,
    by: str = "document",
    coder_ids: Iterable[int] | None = None,
    include_children: bool = False,
) -> FrequencyTable:
    """Per code (codebook order): codings, units coded (documents or cases), n of N, percent.

    ``codings`` counts every coding of the code; ``units`` counts the documents (or cases)
    that carry it at least once. With ``include_children`` a parent also counts its
    sub-codes' codings and units (a unit is still counted once).
    """
    if by not in ("document", "case"):
        raise InvalidValue(f"frequencies are by document or by case, not '{by}'")
    coder_ids = list(coder_ids) if coder_ids is not None else None
    table = "documents" if by == "document" else "cases"
    total = project.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    clause, params = _coder_clause(coder_ids)
    codings_per_code = dict(
        project.db.execute(f"SELECT code_id, count(*) FROM codings g WHERE 1 {clause} GROUP BY 1", params)
    )
    units_per_code: dict[int, set[int]] = defaultdict(set)
    for code_id, unit_id, _n in _unit_pairs(project, by, coder_ids):
        units_per_code[code_id].add(unit_id)
    members = _rollup(project, include_children)
    rows = []
    for code in project.codes():
        ids = members[code.id]
        units: set[int] = set().union(*(units_per_code.get(i, set()) for i in ids))
        codings = sum(codings_per_code.get(i, 0) for i in ids)
        rows.append(FrequencyRow(code.id, code.path, codings, len(units), total, percent(len(units), total)))
    return FrequencyTable(by, total, rows, include_children)


def frequencies_by_attribute(
    project: Project,
    attribute: str,
    coder_ids: Iterable[int] | None = None,
    include_children: bool = False,
) -> FrequencyTable:
    """Per code and attribute value: units (cases or documents) with that value coded, of all
    units with that value. Units without a value are grouped under the value ''."""
    attr = project.find_attribute(attribute)
    unit = attr.scope
    values = project.attribute_values(unit)
    table = "documents" if unit == "document" else "cases"
    all_units = [r[0] for r in project.db.execute(f"SELECT id FROM {table}")]
    value_of = {u: values.get(u, {}).get(attr.name, "") for u in all_units}
    totals: dict[str, int] = defaultdict(int)
    for v in value_of.values():
        totals[v] += 1
    pairs = _unit_pairs(project, unit, coder_ids)
    per_code: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for code_id, unit_id, n in pairs:
        per_code[code_id].append((unit_id, n))
    members = _rollup(project, include_children)
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
                FrequencyRow(code.id, code.path, codings, len(units), total, percent(len(units), total), value)
            )
    return FrequencyTable(f"attribute={attr.name}", len(all_units), rows, include_children)
