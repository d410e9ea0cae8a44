"""Retrieval of coded passages, co-occurrence and speakers."""

from __future__ import annotations

import json
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from coder.core.errors import InvalidValue
from coder.core.query.scope import (
    MODES,
    NO_SPEAKER,
    WITHIN,
    CodingRow,
    Filters,
    Sources,
    coding_rows,
    included_paths,
    resolve,
    rollup,
    touched_units,
)
from coder.core.text import union_spans

if TYPE_CHECKING:
    from coder.core.project import Project


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
    members = rollup(project, include_children, codebook)
    groups = [members.get(i, [i]) for i in ids]
    ex_members = {m for i in excluded for m in members.get(i, [i])}
    scope = resolve(project, filters)
    wanted = {m for g in groups for m in g} | ex_members
    rows = coding_rows(project, scope, wanted, src)
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
        if within == "passage":
            results = _by_passage(doc_rows, mode, group_of, ex_members)
        else:
            results = _by_unit(src.units(doc_id, within), doc_rows, mode, group_of, ex_members)
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


Result = tuple[int, int, list[CodingRow]]  # (start, end, the codings behind it)


def _by_passage(
    doc_rows: list[CodingRow], mode: str, group_of: list[set[int]], ex_members: set[int]
) -> list[Result]:
    """Retrieval ``within="passage"`` in one document."""
    results: list[Result] = []
    if mode == "and" and len(group_of) > 1:
        region: list[tuple[int, int]] | None = None
        for g in group_of:
            merged = union_spans((r.start, r.end) for r in doc_rows if r.code_id in g)
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
    ex_rows = [r for r in doc_rows if r.code_id in ex_members]
    if ex_rows:
        ex_merged = union_spans((r.start, r.end) for r in ex_rows)
        results = [x for x in results if not _overlaps_any(ex_merged, x[0], x[1])]
    return results


def _by_unit(
    spans: list[tuple[int, int]],
    doc_rows: list[CodingRow],
    mode: str,
    group_of: list[set[int]],
    ex_members: set[int],
) -> list[Result]:
    """Retrieval within paragraphs or turns (``spans``) of one document."""
    results: list[Result] = []
    touched: dict[int, list[CodingRow]] = defaultdict(list)
    for r in doc_rows:
        for k in touched_units(spans, r.start, r.end):
            touched[k].append(r)
    ex_units = {k for k, rs in touched.items() if any(r.code_id in ex_members for r in rs)}
    if mode == "not":
        for r in doc_rows:
            if r.code_id in group_of[0] and not any(
                k in ex_units for k in touched_units(spans, r.start, r.end)
            ):
                results.append((r.start, r.end, [r]))
    else:
        for k in sorted(touched):
            rs = [r for r in touched[k] if any(r.code_id in g for g in group_of)]
            hit = [any(r.code_id in g for r in rs) for g in group_of]
            if (all(hit) if mode == "and" else any(hit)) and k not in ex_units:
                results.append((spans[k][0], spans[k][1], rs))
    return results


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
    members = rollup(project, include_children)
    groups_of: dict[int, list[int]] = defaultdict(list)  # code id -> matrix indices it counts for
    for k, c in enumerate(chosen):
        for m in members[c.id]:
            groups_of[m].append(k)
    n = len(chosen)
    counts = [[0] * n for _ in range(n)]
    scope = resolve(project, filters)
    src = sources or Sources(project)
    rows = coding_rows(project, scope, list(groups_of), src)
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
                for u in touched_units(spans, r.start, r.end):
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
    scope = resolve(project, filters)
    src = Sources(project)
    members = rollup(project, include_children)
    included = included_paths(project, members)
    wanted = set(codes) if codes is not None else None
    code_ids = None if wanted is None else {m for c in wanted for m in members.get(c, [c])}
    per_code: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    speakers: set[str] = set()
    for r in coding_rows(project, scope, code_ids, sources=src):
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
