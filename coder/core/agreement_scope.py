"""Which documents and coders an agreement figure covers, and what it leaves out.

* Without a list of documents, a document is compared when every chosen coder made a coding in
  it (with ``partial``: at least two of them); every other document of the selection is listed
  as left out, with the reason.
* With a list of documents, those documents are in scope for every chosen coder, coded or not
  (a coder who read a document and found nothing to code agrees that nothing applies there).
* Units never cover all of a text: characters outside every paragraph (line breaks) or speaker
  turn are counted as excluded, with the codings that lie wholly outside the units.
* The default pair of coders is the two coders with the most codings in documents both coded.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING

from coder.core import agreement
from coder.core.text import union_spans

if TYPE_CHECKING:
    from coder.core.model import Coder
    from coder.core.project import Project


@dataclass(frozen=True)
class LeftOut:
    """A document of the selection that was not compared, and why."""

    document_id: int
    document: str
    reason: str

    def as_json(self) -> dict[str, str]:
        return {"document": self.document, "reason": self.reason}


@dataclass(frozen=True)
class Excluded:
    """Text outside every unit of the compared documents, and the codings lying wholly there."""

    characters: int = 0
    codings: int = 0

    def as_json(self) -> dict[str, int]:
        return {"characters": self.characters, "codings": self.codings}


def _and(names: Sequence[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def selection_documents(
    project: Project, documents: Iterable[int] | None = None, cases: Iterable[int] | None = None
) -> list[int]:
    """Ids of the documents of the selection (all, or those listed, or those of the cases listed),
    by name."""
    sql, params = "SELECT d.id FROM documents d WHERE 1", []
    if documents is not None:
        sql += " AND d.id IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(sorted(set(documents))))
    if cases is not None:
        ids = json.dumps(sorted(set(cases)))
        sql += """ AND (d.case_id IN (SELECT value FROM json_each(?)) OR EXISTS (
            SELECT 1 FROM case_selections s WHERE s.document_id = d.id
            AND s.case_id IN (SELECT value FROM json_each(?))))"""
        params += [ids, ids]
    sql += " ORDER BY d.name COLLATE NOCASE, d.id"
    return [r[0] for r in project.db.execute(sql, params)]


def coders_by_document(
    project: Project, coders: Sequence[Coder], doc_ids: Sequence[int]
) -> dict[int, set[int]]:
    """Per document, the ids of the given coders who made a coding in it."""
    result: dict[int, set[int]] = defaultdict(set)
    if not coders or not doc_ids:
        return result
    sql = """SELECT DISTINCT document_id, coder_id FROM codings
             WHERE coder_id IN (SELECT value FROM json_each(?))
               AND document_id IN (SELECT value FROM json_each(?))"""
    rows = project.db.execute(sql, [json.dumps([c.id for c in coders]), json.dumps(list(doc_ids))])
    for doc_id, coder_id in rows:
        result[doc_id].add(coder_id)
    return result


def left_out(
    project: Project,
    coders: Sequence[Coder],
    candidates: Sequence[int],
    compared: Iterable[int],
    partial: bool,
) -> list[LeftOut]:
    """The candidate documents not compared, each with the reason."""
    compared_ids = set(compared)
    missing = [d for d in candidates if d not in compared_ids]
    if not missing:
        return []
    names = dict(
        project.db.execute(
            "SELECT id, name FROM documents WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps(missing)],
        )
    )
    who = coders_by_document(project, coders, missing)
    out = []
    for doc_id in missing:
        coded = [c.name for c in coders if c.id in who.get(doc_id, ())]
        if not coded:
            reason = "coded by none of the coders"
        elif partial or len(coded) == 1:
            reason = f"coded only by {_and(coded)}"
        else:
            absent = [c.name for c in coders if c.name not in coded]
            reason = f"not coded by {_and(absent)}"
        out.append(LeftOut(doc_id, names[doc_id], reason))
    return out


def excluded_text(
    documents: Sequence[agreement.DocumentUnits],
    spans: Iterable[tuple[int, int, int]],
) -> Excluded:
    """Characters of the documents outside every unit, and how many of ``spans`` (document id,
    start, end) overlap no unit. The character unit excludes nothing."""
    by_doc = {d.doc_id: d for d in documents}
    characters = 0
    for d in documents:
        if d.spans is not None:
            inside = sum(e - s for s, e in union_spans(d.spans))
            characters += max(d.length - inside, 0)
    per_doc: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for doc_id, start, end in spans:
        unit = by_doc.get(doc_id)
        if unit is not None and unit.spans is not None:
            per_doc[doc_id].append((start, end))
    codings = 0
    for doc_id, coding_spans in per_doc.items():
        units = by_doc[doc_id].spans or ()
        hits = agreement.units_from_spans(coding_spans, units)
        codings += sum(1 for hit in hits if not hit)
    return Excluded(characters, codings)


def default_pair(
    project: Project,
    coders: Sequence[Coder],
    documents: Iterable[int] | None = None,
    cases: Iterable[int] | None = None,
) -> list[Coder]:
    """The two of ``coders`` with the most codings in documents both of them coded (ties: by
    name); fewer than two coders with codings: those there are."""
    doc_ids = selection_documents(project, documents, cases)
    if len(coders) < 2 or not doc_ids:
        return list(coders)[:2]
    counts: dict[tuple[int, int], int] = {}
    sql = """SELECT coder_id, document_id, count(*) FROM codings
             WHERE coder_id IN (SELECT value FROM json_each(?))
               AND document_id IN (SELECT value FROM json_each(?)) GROUP BY 1, 2"""
    rows = project.db.execute(sql, [json.dumps([c.id for c in coders]), json.dumps(doc_ids)])
    for coder_id, doc_id, n in rows:
        counts[(coder_id, doc_id)] = n
    overall: dict[int, int] = defaultdict(int)
    for (coder_id, _doc), n in counts.items():
        overall[coder_id] += n
    best: tuple[tuple[int, int], list[Coder]] | None = None
    for a, b in combinations(sorted(coders, key=lambda c: (c.name.casefold(), c.id)), 2):
        shared = [d for d in doc_ids if (a.id, d) in counts and (b.id, d) in counts]
        score = (
            sum(counts[(a.id, d)] + counts[(b.id, d)] for d in shared),
            overall[a.id] + overall[b.id],
        )
        if best is None or score > best[0]:
            best = (score, [a, b])
    assert best is not None
    return best[1]


__all__ = [
    "Excluded",
    "LeftOut",
    "coders_by_document",
    "default_pair",
    "excluded_text",
    "left_out",
    "selection_documents",
]
