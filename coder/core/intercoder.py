"""Inter-coder agreement over a project: units, shared documents, per-code figures, disagreements.

The maths lives in :mod:`coder.core.agreement`; this module chooses what to feed it:

* **documents**: only those that *every* chosen coder coded (a coder has coded a document when
  they made at least one coding in it, of any code); or, with ``partial=True``, those that at
  least two of them coded, the others being missing data there (alpha allows missing values;
  percent agreement then counts the pairs of coders present, kappa the units both coded);
* **units**: every character of those documents, every paragraph
  (:func:`coder.core.text.paragraphs`), or every speaker turn (the ``turns`` table; documents
  without turns give no turn units);
* **codes**: by default the codes that at least one chosen coder applied in those documents, in
  codebook order; or the codes the caller names. A unit counts as coded with a code by a coder
  when one of that coder's codings *of that very code* overlaps it (a child code does not count
  for its parent);
* **overall**: every (code, unit) pair pooled into one table.

Undefined statistics (no units, no variation) are ``None``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from coder.core import agreement, agreement_scope, reliability, unitizing
from coder.core.agreement_scope import Excluded, LeftOut
from coder.core.errors import InvalidValue, NotFound
from coder.core.model import Code, Coder
from coder.core.project import Project
from coder.core.text import paragraphs

UNITS = ("character", "paragraph", "turn", "segment")
POOLING = ("units", "mean")
OVERALL = agreement.OVERALL
MIN_OVERLAP = 90  # percent of the union of two coded segments, for the segment unit


@dataclass(frozen=True)
class CodeAgreement:
    """Agreement figures for one code (``code_id`` None for the pooled overall row)."""

    code_id: int | None
    code: str  # the code's path, or OVERALL
    units: int
    percent_agreement: float | None  # 0-100
    kappa: float | None  # two coders only
    alpha: float | None  # Krippendorff's alpha, nominal
    # two coders: both / first_only / second_only / neither; more: all / some / none
    table: dict[str, int] = field(default_factory=dict)
    positive_agreement: float | None = None  # 0-100
    percent_agreement_coded: float | None = None  # 0-100, units at least one coder coded
    fleiss_kappa: float | None = None
    brennan_prediger: float | None = None
    alpha_unitized: float | None = None  # Krippendorff's unitizing alpha
    agreements: int | None = None  # segment unit: matched pairs of segments
    disagreements: int | None = None  # segment unit: segments without a match

    def as_json(self) -> dict[str, Any]:
        data = {
            "code": self.code,
            "percent_agreement": self.percent_agreement,
            "kappa": self.kappa,
            "alpha": self.alpha,
            "units": self.units,
            "table": dict(self.table),
            "positive_agreement": self.positive_agreement,
            "percent_agreement_coded": self.percent_agreement_coded,
            "fleiss_kappa": self.fleiss_kappa,
            "brennan_prediger": self.brennan_prediger,
            "alpha_unitized": self.alpha_unitized,
        }
        if self.agreements is not None:
            data["agreements"] = self.agreements
            data["disagreements"] = self.disagreements
        return data


@dataclass(frozen=True)
class ProjectAgreement:
    unit: str
    coders: tuple[str, ...]
    documents: tuple[str, ...]  # names of the documents compared
    codes: tuple[CodeAgreement, ...]
    overall: CodeAgreement
    partial: bool = False  # documents coded by at least two of the coders (else by all)
    pooling: str = "units"  # overall: every (code, unit) pooled, or the mean over codes
    excluded_documents: tuple[LeftOut, ...] = ()  # documents of the selection not compared
    excluded: Excluded = field(default_factory=Excluded)  # text outside every unit
    listed: bool = False  # the documents were listed: in scope for every coder, coded or not
    min_overlap: float | None = None  # segment unit: percent of the union
    document_ids: tuple[int, ...] = ()  # ids of ``documents``

    def as_json(self) -> dict[str, Any]:
        """The ``coder agreement --json`` shape."""
        overall = self.overall.as_json()
        del overall["code"]
        data = {
            "unit": self.unit,
            "coders": list(self.coders),
            "documents": list(self.documents),
            "partial": self.partial,
            "codes": [c.as_json() for c in self.codes],
            "overall": overall,
            "pooling": self.pooling,
            "excluded_documents": [d.as_json() for d in self.excluded_documents],
            "excluded": self.excluded.as_json(),
        }
        if self.min_overlap is not None:
            data["min_overlap"] = self.min_overlap
        return data


@dataclass(frozen=True)
class Disagreement:
    """A passage where the coders did not all apply the code the same way."""

    document_id: int
    document: str
    start: int
    end: int
    coded_by: tuple[str, ...]  # the coders whose codings of the code overlap the passage
    not_coded_by: tuple[str, ...]
    text: str  # the passage (shortened when long)


@dataclass(frozen=True)
class CoderSummary:
    id: int
    guid: str
    name: str
    codings: int
    documents: int
    codes: int


# --------------------------------------------------------------------------- inputs


def coder_summaries(project: Project) -> list[CoderSummary]:
    """Every coder with how many codings, documents and codes they have (by name)."""
    sql = """
        SELECT k.id, k.guid, k.name, count(g.id) AS codings,
               count(DISTINCT g.document_id) AS documents, count(DISTINCT g.code_id) AS codes
        FROM coders k LEFT JOIN codings g ON g.coder_id = k.id
        GROUP BY k.id ORDER BY k.name COLLATE NOCASE, k.id
    """
    return [CoderSummary(**r) for r in project.db.query(sql)]


def resolve_coders(project: Project, coders: Sequence[str | int | Coder]) -> list[Coder]:
    """Coders by name (or id), checked: at least two, all known, none twice."""
    known = project.coders()
    by_id = {c.id: c for c in known}
    result: list[Coder] = []
    for item in coders:
        if isinstance(item, Coder):
            item = item.id
        if isinstance(item, int):
            if item not in by_id:
                raise NotFound(f"no coder with id {item}")
            result.append(by_id[item])
        else:
            result.append(project.find_coder(item))  # NotFound lists the coders
    if len(result) < 2:
        raise InvalidValue("agreement needs at least two coders")
    if len({c.id for c in result}) != len(result):
        raise InvalidValue("each coder can be compared only once")
    return result


def check_unit(unit: str) -> str:
    if unit not in UNITS:
        raise InvalidValue(f"unit must be one of {', '.join(UNITS)}, not '{unit}'")
    return unit


def _check_options(unit: str, pooling: str, min_overlap: float, coders: int) -> None:
    check_unit(unit)
    if pooling not in POOLING:
        raise InvalidValue(f"pooling must be one of {', '.join(POOLING)}, not '{pooling}'")
    if not 0 < min_overlap <= 100:
        raise InvalidValue(
            f"the minimum overlap is a percentage above 0 up to 100, not {_number(min_overlap)}"
        )
    if unit == "segment" and coders != 2:
        raise InvalidValue("segments are compared between exactly two coders")


def shared_documents(
    project: Project,
    coder_ids: Sequence[int],
    documents: Iterable[int] | None = None,
    cases: Iterable[int] | None = None,
    minimum: int | None = None,
) -> list[int]:
    """Ids of the documents in which every given coder has at least one coding.

    ``minimum`` asks for at least that many of the coders instead of all of them.
    ``documents`` and ``cases`` (ids) narrow the choice to those documents, or to the
    documents of those cases.
    """
    ids = list(coder_ids)
    if not ids:
        return []
    marks = ",".join("?" for _ in ids)
    where, params = [f"g.coder_id IN ({marks})"], [*ids]
    for column, chosen in (("d.id", documents), ("d.case_id", cases)):
        if chosen is not None:
            chosen = list(chosen)
            where.append(f"{column} IN ({','.join('?' for _ in chosen) or 'NULL'})")
            params += chosen
    sql = f"""
        SELECT g.document_id FROM codings g JOIN documents d ON d.id = g.document_id
        WHERE {" AND ".join(where)}
        GROUP BY g.document_id HAVING count(DISTINCT g.coder_id) >= ?
        ORDER BY d.name COLLATE NOCASE, d.id
    """
    needed = len(set(ids)) if minimum is None else minimum
    return [r[0] for r in project.db.execute(sql, [*params, needed])]


def coders_present(
    project: Project, coders: Sequence[Coder], doc_ids: Sequence[int]
) -> dict[int, frozenset[str]]:
    """Per document, the names of the given coders who coded in it."""
    result: dict[int, set[str]] = defaultdict(set)
    if not doc_ids or not coders:
        return {}
    names = {c.id: c.name for c in coders}
    cmarks = ",".join("?" for _ in coders)
    dmarks = ",".join("?" for _ in doc_ids)
    sql = f"""
        SELECT DISTINCT document_id, coder_id FROM codings
        WHERE coder_id IN ({cmarks}) AND document_id IN ({dmarks})
    """
    for doc_id, coder_id in project.db.execute(sql, [*names, *doc_ids]):
        result[doc_id].add(names[coder_id])
    return {d: frozenset(n) for d, n in result.items()}


def _compared_documents(
    project: Project,
    chosen: Sequence[Coder],
    unit: str,
    partial: bool,
    documents: Iterable[int] | None = None,
    cases: Iterable[int] | None = None,
) -> tuple[list[int], list[agreement.DocumentUnits]]:
    doc_ids = shared_documents(
        project, [c.id for c in chosen], documents, cases, minimum=2 if partial else None
    )
    present = coders_present(project, chosen, doc_ids) if partial else {}
    units = [document_units(project, d, unit, present.get(d)) for d in doc_ids]
    return doc_ids, units


def document_units(
    project: Project, doc_id: int, unit: str, present: frozenset[str] | None = None
) -> agreement.DocumentUnits:
    """The units of one document: characters (spans None), paragraphs or turns.

    ``present`` names the coders who coded the document (None: all of them).
    """
    check_unit(unit)
    text = project.document_text(doc_id)
    if unit in ("character", "segment"):
        return agreement.DocumentUnits(doc_id, len(text), None, present)
    if unit == "paragraph":
        return agreement.DocumentUnits(doc_id, len(text), paragraphs(text), present)
    spans = [(t.start, t.end) for t in project.turn_spans(doc_id) if t.end > t.start]
    return agreement.DocumentUnits(doc_id, len(text), spans, present)


def _codings_by_code(
    project: Project, coders: Sequence[Coder], doc_ids: Sequence[int]
) -> dict[int, dict[str, dict[int, list[tuple[int, int]]]]]:
    """``{code_id: {coder name: {doc_id: [(start, end)]}}}`` for the chosen coders and documents."""
    result: dict[int, dict[str, dict[int, list[tuple[int, int]]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    if not doc_ids:
        return {}
    names = {c.id: c.name for c in coders}
    cmarks = ",".join("?" for _ in coders)
    dmarks = ",".join("?" for _ in doc_ids)
    sql = f"""
        SELECT code_id, coder_id, document_id, start, "end" FROM codings_at
        WHERE coder_id IN ({cmarks}) AND document_id IN ({dmarks})
    """
    for code_id, coder_id, doc_id, start, end in project.db.execute(sql, [*names, *doc_ids]):
        result[code_id][names[coder_id]][doc_id].append((start, end))
    return result


def _resolve_codes(
    project: Project, codes: Iterable[str | int] | None, used: set[int]
) -> list[Code]:
    book = project.codes()  # codebook order
    if codes is None:
        return [c for c in book if c.id in used]
    by_id = {c.id: c for c in book}
    chosen: list[Code] = []
    for item in codes:
        code = by_id.get(item) if isinstance(item, int) else project.find_code(item)
        if code is None:
            raise NotFound(f"no code with id {item}")
        code = by_id[code.id]  # with its path
        if code not in chosen:
            chosen.append(code)
    return chosen


# --------------------------------------------------------------------------- agreement


def compute_agreement(
    project: Project,
    coders: Sequence[str | int | Coder],
    unit: str = "character",
    codes: Iterable[str | int] | None = None,
    documents: Iterable[int] | None = None,
    cases: Iterable[int] | None = None,
    partial: bool = False,
    *,
    listed: Iterable[int] | None = None,
    pooling: str = "units",
    min_overlap: float = MIN_OVERLAP,
) -> ProjectAgreement:
    """Per-code and overall agreement of two or more coders.

    Documents: those every coder coded (``partial``: at least two), among ``documents`` /
    ``cases`` (ids) when given; or exactly the ``listed`` documents, in scope for every coder
    whether they coded them or not. The documents of the selection left out are listed with the
    reason. ``codes`` (names, paths or ids) restricts the codes; by default every code one of
    the coders applied in the compared documents. ``pooling``: the overall row pools every
    (code, unit) pair ("units") or averages the codes' figures ("mean"). Unit ``"segment"``
    compares two coders' coded segments (a pair matches when it overlaps by ``min_overlap``
    percent of its union). Undefined figures are None.
    """
    chosen = resolve_coders(project, coders)
    _check_options(unit, pooling, min_overlap, len(chosen))
    names = [c.name for c in chosen]
    doc_ids, units, left = _scope(project, chosen, unit, documents, cases, partial, listed)
    by_code = _codings_by_code(project, chosen, doc_ids)
    code_list = _resolve_codes(project, codes, set(by_code))
    tallies: list[agreement.UnitTally] = []
    if unit == "segment":
        rows = [
            _segment_row(c, by_code.get(c.id, {}), names, min_overlap, len(code_list))
            for c in code_list
        ]
    else:
        tallies = [agreement.tally_code(units, by_code.get(c.id, {}), names) for c in code_list]
        rows = [_figures(c.id, c.path, t) for c, t in zip(code_list, tallies, strict=True)]
    for k, code in enumerate(code_list):
        rows[k] = replace(rows[k], alpha_unitized=_unitized(units, by_code, [code.id], names))
    overall = _overall(rows, tallies, unit, pooling, len(names), len(code_list))
    overall = replace(
        overall, alpha_unitized=_unitized(units, by_code, [c.id for c in code_list], names)
    )
    doc_names = _document_names(project, doc_ids)
    spans = [
        (doc_id, start, end)
        for code in code_list
        for per_coder in by_code.get(code.id, {}).values()
        for doc_id, doc_spans in per_coder.items()
        for start, end in doc_spans
    ]
    return ProjectAgreement(
        unit=unit,
        coders=tuple(names),
        documents=tuple(doc_names[d] for d in doc_ids),
        codes=tuple(rows),
        overall=overall,
        partial=partial and listed is None,
        pooling=pooling,
        excluded_documents=tuple(
            sorted(left, key=lambda x: (x.document.casefold(), x.document_id))
        ),
        excluded=agreement_scope.excluded_text(units, spans),
        listed=listed is not None,
        min_overlap=_number(min_overlap) if unit == "segment" else None,
        document_ids=tuple(doc_ids),
    )


def _scope(
    project: Project,
    chosen: Sequence[Coder],
    unit: str,
    documents: Iterable[int] | None,
    cases: Iterable[int] | None,
    partial: bool,
    listed: Iterable[int] | None,
) -> tuple[list[int], list[agreement.DocumentUnits], list[LeftOut]]:
    """The documents compared, their units, and the documents of the selection left out."""
    if listed is not None:
        candidates = agreement_scope.selection_documents(project, listed)
        doc_ids, present = candidates, {}
    else:
        candidates = agreement_scope.selection_documents(project, documents, cases)
        doc_ids = shared_documents(
            project, [c.id for c in chosen], candidates, minimum=2 if partial else None
        )
        present = coders_present(project, chosen, doc_ids) if partial else {}
    units = [document_units(project, d, unit, present.get(d)) for d in doc_ids]
    left = agreement_scope.left_out(project, chosen, candidates, doc_ids, partial)
    if unit == "turn":
        names_of = _document_names(project, doc_ids)
        left += [
            LeftOut(u.doc_id, names_of[u.doc_id], "no speaker turns") for u in units if not u.spans
        ]
        units = [u for u in units if u.spans]
        doc_ids = [u.doc_id for u in units]
    return list(doc_ids), units, left


def _number(value: float) -> float | int:
    """A whole number as an int (90, not 90.0), in the output and the sentences."""
    return int(value) if float(value).is_integer() else float(value)


def _figures(code_id: int | None, path: str, tally: agreement.UnitTally) -> CodeAgreement:
    result = agreement.result_from_tally(path, tally)
    patterns = tally.patterns
    return CodeAgreement(
        code_id=code_id,
        code=path,
        units=result.units,
        percent_agreement=result.percent_agreement,
        kappa=result.kappa,
        alpha=result.alpha,
        table=reliability.agreement_table(patterns, tally.coders),
        positive_agreement=reliability.positive_agreement(patterns),
        percent_agreement_coded=reliability.percent_agreement_coded(patterns),
        fleiss_kappa=reliability.fleiss_kappa(patterns),
        brennan_prediger=reliability.brennan_prediger(patterns),
    )


def _segment_figures(
    code_id: int | None, path: str, a: int, b: int, c: int, codes: int
) -> CodeAgreement:
    n = a + b + c
    observed = Fraction(a, n) if n else None
    chance = Fraction(1, max(codes, 2))
    return CodeAgreement(
        code_id=code_id,
        code=path,
        units=n,
        percent_agreement=None if observed is None else float(100 * observed),
        kappa=None,
        alpha=None,
        table={"both": a, "first_only": b, "second_only": c, "neither": 0},
        positive_agreement=float(Fraction(200 * a, 2 * a + b + c)) if n else None,
        percent_agreement_coded=None if observed is None else float(100 * observed),
        brennan_prediger=None if observed is None else float((observed - chance) / (1 - chance)),
        agreements=a,
        disagreements=b + c,
    )


def _segment_row(
    code: Code,
    codings: dict[str, dict[int, list[tuple[int, int]]]],
    names: Sequence[str],
    min_overlap: float,
    codes: int,
) -> CodeAgreement:
    first, second = (codings.get(n, {}) for n in names)
    share = Fraction(min_overlap).limit_denominator(10_000) / 100
    a = b = c = 0
    for doc_id in set(first) | set(second):
        pairs, only_first, only_second = reliability.match_segments(
            sorted(set(first.get(doc_id, ()))), sorted(set(second.get(doc_id, ()))), share
        )
        a, b, c = a + len(pairs), b + len(only_first), c + len(only_second)
    return _segment_figures(code.id, code.path, a, b, c, codes)


def _overall(
    rows: list[CodeAgreement],
    tallies: list[agreement.UnitTally],
    unit: str,
    pooling: str,
    coders: int,
    codes: int,
) -> CodeAgreement:
    if pooling == "mean":
        mean = reliability.mean_of
        total: dict[str, int] = {}
        for row in rows:
            for key, n in row.table.items():
                total[key] = total.get(key, 0) + n
        return CodeAgreement(
            code_id=None,
            code=OVERALL,
            units=sum(r.units for r in rows),
            percent_agreement=mean([r.percent_agreement for r in rows]),
            kappa=mean([r.kappa for r in rows]),
            alpha=mean([r.alpha for r in rows]),
            table=total,
            positive_agreement=mean([r.positive_agreement for r in rows]),
            percent_agreement_coded=mean([r.percent_agreement_coded for r in rows]),
            fleiss_kappa=mean([r.fleiss_kappa for r in rows]),
            brennan_prediger=mean([r.brennan_prediger for r in rows]),
            agreements=sum(r.agreements or 0 for r in rows) if unit == "segment" else None,
            disagreements=sum(r.disagreements or 0 for r in rows) if unit == "segment" else None,
        )
    if unit == "segment":
        a = sum(r.table.get("both", 0) for r in rows)
        b = sum(r.table.get("first_only", 0) for r in rows)
        c = sum(r.table.get("second_only", 0) for r in rows)
        return _segment_figures(None, OVERALL, a, b, c, codes)
    pooled = agreement.pool(tallies) if tallies else agreement.UnitTally(coders, {})
    return _figures(None, OVERALL, pooled)


def _unitized(
    units: Sequence[agreement.DocumentUnits],
    by_code: dict[int, dict[str, dict[int, list[tuple[int, int]]]]],
    code_ids: Sequence[int],
    names: Sequence[str],
) -> float | None:
    documents: list[unitizing.Document] = []
    for u in units:
        present = [n for n in names if u.present is None or n in u.present]
        coders: list[dict[Hashable, list[tuple[int, int]]]] = [
            {cid: by_code.get(cid, {}).get(n, {}).get(u.doc_id, []) for cid in code_ids}
            for n in present
        ]
        documents.append((u.length, coders))
    return unitizing.unitized_alpha(documents)


def _document_names(project: Project, doc_ids: Iterable[int]) -> dict[int, str]:
    ids = list(doc_ids)
    if not ids:
        return {}
    marks = ",".join("?" for _ in ids)
    return dict(project.db.execute(f"SELECT id, name FROM documents WHERE id IN ({marks})", ids))


# --------------------------------------------------------------------------- disagreements


def _shorten(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def find_disagreements(
    project: Project,
    coders: Sequence[str | int | Coder],
    code: str | int,
    unit: str = "character",
    partial: bool = False,
    listed: Iterable[int] | None = None,
    min_overlap: float = MIN_OVERLAP,
) -> list[Disagreement]:
    """The passages of one code where the coders differ, over the documents all of them coded
    (or the ``listed`` documents).

    Passages are maximal runs of disagreeing units (consecutive paragraphs or turns, or adjacent
    characters), in document order; each names who coded the code there and who did not (with
    ``partial``, coders who did not code the document are named in neither). With the segment
    unit they are the codings that no coding of the other coder matches (by ``min_overlap``
    percent of their union), each naming its coder as the one who coded it.
    """
    check_unit(unit)
    chosen = resolve_coders(project, coders)
    if unit == "segment":
        _check_options(unit, "units", min_overlap, len(chosen))
    segments, unit = unit == "segment", "character" if unit == "segment" else unit
    target = project.code(code) if isinstance(code, int) else project.find_code(code)
    if listed is not None:
        doc_ids = agreement_scope.selection_documents(project, listed)
        all_units = [document_units(project, d, unit) for d in doc_ids]
    else:
        doc_ids, all_units = _compared_documents(project, chosen, unit, partial)
    spans = _codings_by_code(project, chosen, doc_ids).get(target.id, {})
    doc_names = _document_names(project, doc_ids)
    result: list[Disagreement] = []
    for doc_id, units in zip(doc_ids, all_units, strict=True):
        names = [c.name for c in chosen if units.present is None or c.name in units.present]
        if len(names) < 2:
            continue
        runs: list[tuple[int, int, str | None]]
        if segments:
            runs = _unmatched_segments(spans, names, doc_id, min_overlap)
        else:
            runs = [(s, e, None) for s, e in agreement.document_disagreements(units, spans, names)]
        if not runs:
            continue
        text = project.document_text(doc_id)
        for start, end, by in runs:
            coded = (
                (by,)
                if by
                else tuple(
                    n
                    for n in names
                    if any(s < end and start < e for s, e in spans.get(n, {}).get(doc_id, ()))
                )
            )
            result.append(
                Disagreement(
                    document_id=doc_id,
                    document=doc_names[doc_id],
                    start=start,
                    end=end,
                    coded_by=coded,
                    not_coded_by=tuple(n for n in names if n not in coded),
                    text=_shorten(text[start:end]),
                )
            )
    return result


def _unmatched_segments(
    spans: dict[str, dict[int, list[tuple[int, int]]]],
    names: Sequence[str],
    doc_id: int,
    min_overlap: float,
) -> list[tuple[int, int, str | None]]:
    """Each coder's codings in one document that no coding of the other matches, in text
    order, with the coder who made them."""
    first, second = (sorted(set(spans.get(n, {}).get(doc_id, ()))) for n in names)
    share = Fraction(min_overlap).limit_denominator(10_000) / 100
    _pairs, only_first, only_second = reliability.match_segments(first, second, share)
    found: list[tuple[int, int, str | None]] = [(s, e, names[0]) for s, e in only_first]
    found += [(s, e, names[1]) for s, e in only_second]
    return sorted(found, key=lambda run: (run[0], run[1], run[2] or ""))
