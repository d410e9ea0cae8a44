"""Retrieve coded passages: all codings of some codes (OR), or where they all overlap (AND).

AND follows the usual "intersection" of QDA tools: in each document, the passages covered
by a coding of every selected code at once (each code's codings are first merged, so two
coders coding the same passage count once). OR returns every coding of any selected code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coder.core.project import Project


@dataclass(frozen=True)
class Passage:
    document_id: int
    document: str
    start: int
    end: int
    code_ids: tuple[int, ...]  # the codes whose codings make up the passage
    coder_ids: tuple[int, ...]
    coding_ids: tuple[int, ...]
    memo: str = ""


@dataclass(frozen=True)
class _Row:
    id: int
    document_id: int
    document: str
    code_id: int
    coder_id: int
    start: int
    end: int
    memo: str


def _descendants(project: Project, code_id: int) -> list[int]:
    sql = """
        WITH RECURSIVE sub(id) AS (
            SELECT id FROM codes WHERE parent_id = ?
            UNION ALL SELECT c.id FROM codes c JOIN sub ON c.parent_id = sub.id
        ) SELECT id FROM sub
    """
    return [r[0] for r in project.db.execute(sql, [code_id])]


def _rows(
    project: Project,
    code_ids: Sequence[int],
    document_id: int | None,
    case_id: int | None,
    coder_id: int | None,
) -> list[_Row]:
    # No join with documents: a document row carries its whole text, and reading a column
    # stored after it (case_id) walks the text's overflow pages for every coding.
    names = dict(project.db.execute("SELECT id, name FROM documents").fetchall())
    where = [f"code_id IN ({','.join('?' for _ in code_ids)})"]
    params: list[object] = list(code_ids)
    if document_id is not None:
        where.append("document_id = ?")
        params.append(document_id)
    if case_id is not None:
        docs = [r[0] for r in project.db.execute("SELECT id FROM documents WHERE case_id = ?", [case_id])]
        where.append(f"document_id IN ({','.join('?' for _ in docs) or 'NULL'})")
        params += docs
    if coder_id is not None:
        where.append("coder_id = ?")
        params.append(coder_id)
    sql = f"""
        SELECT id, document_id, code_id, coder_id, start, "end", memo FROM codings
        WHERE {' AND '.join(where)}
    """
    rows = [
        _Row(i, d, names.get(d, ""), c, k, s, e, m)
        for i, d, c, k, s, e, m in project.db.execute(sql, params)
    ]
    rows.sort(key=lambda r: (r.document.casefold(), r.document_id, r.start, r.end, r.id))
    return rows


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


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


def retrieve(
    project: Project,
    code_ids: Sequence[int],
    mode: str = "or",
    include_children: bool = False,
    document_id: int | None = None,
    case_id: int | None = None,
    coder_id: int | None = None,
) -> list[Passage]:
    """Passages of ``code_ids`` in document and position order (see the module docstring).

    ``include_children`` counts codings of a code's sub-codes as codings of the code;
    ``document_id``, ``case_id`` (documents linked to the case) and ``coder_id`` filter.
    """
    selected = list(dict.fromkeys(code_ids))
    if not selected:
        return []
    group: dict[int, int] = {}  # coded code -> selected code it stands for
    for code in selected:
        members = [code, *(_descendants(project, code) if include_children else [])]
        for member in members:
            group.setdefault(member, code)
    rows = _rows(project, list(group), document_id, case_id, coder_id)
    if mode != "and" or len(selected) < 2:
        return [
            Passage(r.document_id, r.document, r.start, r.end, (r.code_id,), (r.coder_id,),
                    (r.id,), r.memo)
            for r in rows
        ]  # fmt: skip
    by_doc: dict[int, list[_Row]] = {}
    for r in rows:
        by_doc.setdefault(r.document_id, []).append(r)
    order = {code: i for i, code in enumerate(selected)}
    out: list[Passage] = []
    for doc_rows in by_doc.values():  # already in document order
        spans: list[tuple[int, int]] | None = None
        for code in selected:
            merged = _merge((r.start, r.end) for r in doc_rows if group[r.code_id] == code)
            spans = merged if spans is None else _intersect(spans, merged)
            if not spans:
                break
        for s, e in spans or []:
            parts = [r for r in doc_rows if r.start < e and r.end > s]
            parts.sort(key=lambda r: (order[group[r.code_id]], r.start, r.id))
            out.append(
                Passage(
                    doc_rows[0].document_id,
                    doc_rows[0].document,
                    s,
                    e,
                    tuple(dict.fromkeys(r.code_id for r in parts)),
                    tuple(dict.fromkeys(r.coder_id for r in parts)),
                    tuple(r.id for r in parts),
                    "\n".join(r.memo for r in parts if r.memo),
                )
            )
    return out
