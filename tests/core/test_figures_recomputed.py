"""Every published figure recomputed from the codings by brute force, on random projects.

Random projects have 2-4 coders, overlapping codings (also by one coder), documents nobody coded,
documents only some coders coded, and cases without documents. The brute force here never uses
the product's tallies: it walks every character or paragraph, counts coders and pairs, and hands
the unit values to the ``krippendorff`` and ``krippendorff-unitized-alpha`` packages.
"""

from __future__ import annotations

import math
import random
import warnings
from itertools import combinations
from typing import Any

import krippendorff
import pytest

from coder.core import intercoder, query
from coder.core.numbers import percent
from coder.core.query import Filters
from coder.core.text import paragraphs

WORDS = ["the", "rent", "was", "high", "and", "we", "felt", "alone", "at", "first", "but", "money"]


def _text(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(1, 6)):
        lines.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 8))))
        if rng.random() < 0.3:
            lines.append("")
    return "\n".join(lines) or "x"


def _random_project(p, rng: random.Random, coders: int):
    names = [f"coder{i}" for i in range(coders)]
    for name in names:
        p.add_coder(name)  # a coder may end up with no coding at all
    codes = []
    for k in range(rng.randint(1, 3)):
        p.add_code(f"Code {k}")
        codes.append(p.find_code(f"Code {k}").id)
    docs = []
    for d in range(rng.randint(2, 5)):
        text = _text(rng)
        case = f"case {rng.randint(0, 3)}" if rng.random() < 0.8 else None
        p.add_document(f"doc {d}", text, case=case)
        docs.append((p.find_document(f"doc {d}").id, text))
    for extra in range(rng.randint(0, 2)):
        p.add_case(f"empty case {extra}")  # a case without documents
    for doc_id, text in docs:
        who = [n for n in names if rng.random() < 0.75]
        for name in who:
            for _ in range(rng.randint(1, 4)):
                start = rng.randrange(len(text))
                end = rng.randint(start + 1, min(len(text), start + 25))
                p.apply_code(doc_id, rng.choice(codes), start, end, coder=name)
    return names, codes, docs


def _coded(p, doc_id, code_id, coder):
    cid = p.find_coder(coder).id
    return [
        (g.start, g.end) for g in p.codings(document_id=doc_id, code_ids=[code_id], coder_ids=[cid])
    ]


def _brute_units(p, docs, code_id, names, unit, compared):
    """Per unit, per coder: True/False, or None when the coder did not work on the document."""
    rows = []
    for doc_id, text in docs:
        if doc_id not in compared:
            continue
        present = compared[doc_id]
        spans = [(i, i + 1) for i in range(len(text))] if unit == "character" else paragraphs(text)
        per_coder = {n: _coded(p, doc_id, code_id, n) for n in names}
        for s, e in spans:
            rows.append(
                tuple(
                    (any(a < e and s < b for a, b in per_coder[n]) if n in present else None)
                    for n in names
                )
            )
    return rows


def _brute_figures(units, coders):
    units = [u for u in units if sum(v is not None for v in u) >= 2]
    n = len(units)
    out: dict[str, Any] = {"units": n}
    agree = pairs = agree_c = pairs_c = pos = pos_possible = 0
    share_sum = 0.0
    po_sum = 0.0
    for u in units:
        present = [v for v in u if v is not None]
        m = len(present)
        k = sum(present)
        unit_pairs = [(a == b) for a, b in combinations(present, 2)]
        agree += sum(unit_pairs)
        pairs += len(unit_pairs)
        if k:
            agree_c += sum(unit_pairs)
            pairs_c += len(unit_pairs)
        for i in range(m):
            for j in range(m):
                if i != j and present[i]:
                    pos_possible += 1
                    pos += present[j]
        share_sum += k / m
        po_sum += (k * (k - 1) + (m - k) * (m - k - 1)) / (m * (m - 1))
    out["percent_agreement"] = 100 * agree / pairs if pairs else None
    out["percent_agreement_coded"] = 100 * agree_c / pairs_c if pairs_c else None
    out["positive_agreement"] = 100 * pos / pos_possible if pos_possible else None
    if n:
        po = po_sum / n
        p1 = share_sum / n
        pe = p1 * p1 + (1 - p1) ** 2
        out["fleiss_kappa"] = None if pe == 1 else (po - pe) / (1 - pe)
        out["brennan_prediger"] = 2 * po - 1
    else:
        out["fleiss_kappa"] = out["brennan_prediger"] = None
    if coders == 2:
        full = [u for u in units if None not in u]
        a = sum(1 for u in full if u[0] and u[1])
        b = sum(1 for u in full if u[0] and not u[1])
        c = sum(1 for u in full if not u[0] and u[1])
        d = sum(1 for u in full if not u[0] and not u[1])
        out["table"] = {"both": a, "first_only": b, "second_only": c, "neither": d}
        t = a + b + c + d
        pe = ((a + b) * (a + c) + (c + d) * (b + d)) / t / t if t else 1
        out["kappa"] = None if not t or pe == 1 else ((a + d) / t - pe) / (1 - pe)
    else:
        table = {"all": 0, "some": 0, "none": 0}
        for u in units:
            present = [v for v in u if v is not None]
            key = "none" if not any(present) else "all" if all(present) else "some"
            table[key] += 1
        out["table"] = table
    values = [[(None if u[i] is None else int(u[i])) for u in units] for i in range(coders)]
    flat = {v for row in values for v in row if v is not None}
    if n and len(flat) > 1:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = [[math.nan if v is None else v for v in row] for row in values]
            out["alpha"] = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    else:
        out["alpha"] = None
    return out


def _unitized_package(p, docs, code_ids, names, compared):
    from krippendorff_unitized_alpha.krippendorffs_unitized_alpha import (
        EMPTY_TAG,
        KrippendorffUnitizedAlpha,
        Segment,
    )

    data: dict[str, list] = {n: [] for n in names}
    offset = 0
    for doc_id, text in docs:
        if doc_id not in compared:
            continue
        for n in names:
            if n not in compared[doc_id]:
                continue
            marked = []
            for code_id in code_ids:
                merged: list[list[int]] = []
                for s, e in sorted(_coded(p, doc_id, code_id, n)):
                    if merged and s < merged[-1][1]:
                        merged[-1][1] = max(merged[-1][1], e)
                    else:
                        merged.append([s, e])
                data[n] += [Segment(str(code_id), s + offset, e + offset) for s, e in merged]
                marked += merged
            reach = 0
            for s, e in sorted(marked):
                if s > reach:
                    data[n].append(Segment(EMPTY_TAG, reach + offset, s + offset))
                reach = max(reach, e)
            if reach < len(text):
                data[n].append(Segment(EMPTY_TAG, reach + offset, len(text) + offset))
        offset += len(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = float(KrippendorffUnitizedAlpha(data).result)
    return None if math.isnan(value) or math.isinf(value) else value


def _close(ours, theirs, key):
    if theirs is None:
        assert ours is None, key
    else:
        assert ours is not None and ours == pytest.approx(theirs, abs=1e-9), key


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("unit", ["character", "paragraph"])
def test_agreement_figures_recomputed(fresh_project, seed, unit):
    rng = random.Random(seed)
    coders = 2 + seed % 3
    p = fresh_project
    names, codes, docs = _random_project(p, rng, coders)
    coder_docs = {
        doc_id: {n for n in names if any(_coded(p, doc_id, c, n) for c in codes)}
        for doc_id, _ in docs
    }
    for partial, listed in ((False, False), (True, False), (False, True)):
        if listed:
            compared = {doc_id: set(names) for doc_id, _ in docs}
        elif partial:
            compared = {d: set(w) for d, w in coder_docs.items() if len(w) >= 2}
        else:
            compared = {d: set(names) for d, w in coder_docs.items() if len(w) == len(names)}
        result = intercoder.compute_agreement(
            p,
            names,
            unit=unit,
            codes=codes,
            partial=partial,
            listed=[d for d, _ in docs] if listed else None,
        )
        names_of = {doc_id: p.document(doc_id).name for doc_id, _ in docs}
        assert set(result.documents) == {names_of[d] for d in compared}
        assert {d.document for d in result.excluded_documents} == {
            names_of[d] for d, _ in docs if d not in compared
        }
        for row, code_id in zip(result.codes, codes, strict=True):
            units = _brute_units(p, docs, code_id, names, unit, compared)
            expected = _brute_figures(units, coders)
            assert row.units == expected["units"]
            assert row.table == expected["table"]
            for key in (
                "percent_agreement",
                "percent_agreement_coded",
                "positive_agreement",
                "fleiss_kappa",
                "brennan_prediger",
                "alpha",
            ):
                _close(getattr(row, key), expected[key], key)
            if coders == 2:
                _close(row.kappa, expected["kappa"], "kappa")
            if partial:
                continue  # the package takes every coder to have worked on every document
            unitized = _unitized_package(p, docs, [code_id], names, compared)
            if unitized is not None or row.alpha_unitized is not None:
                _close(row.alpha_unitized, unitized, "alpha_unitized")
        all_units = [u for c in codes for u in _brute_units(p, docs, c, names, unit, compared)]
        pooled = _brute_figures(all_units, coders)
        assert result.overall.units == pooled["units"]
        assert result.overall.table == pooled["table"]
        for key in ("percent_agreement", "positive_agreement", "fleiss_kappa", "alpha"):
            _close(getattr(result.overall, key), pooled[key], key)
        unitized = None if partial else _unitized_package(p, docs, codes, names, compared)
        if not partial and (unitized is not None or result.overall.alpha_unitized is not None):
            _close(result.overall.alpha_unitized, unitized, "overall alpha_unitized")


@pytest.mark.parametrize("seed", range(12))
def test_case_n_recomputed(fresh_project, seed):
    rng = random.Random(1000 + seed)
    p = fresh_project
    _names, _codes, docs = _random_project(p, rng, 2 + seed % 3)
    p.add_attribute("group", "case", "text")
    attr = p.find_attribute("group").id
    for case in p.cases():
        if rng.random() < 0.8:
            p.set_attribute_value(attr, case.id, rng.choice(["a", "b"]))
    doc_case = {d.id: d.case_id for d in p.documents()}
    analysed = {c for c in doc_case.values() if c is not None}
    everyone = Filters(documents=frozenset(d for d, _ in docs))
    for filters in (None, everyone):
        table = query.frequencies(p, "case", filters=filters)
        assert table.total == len(analysed)
        for row, code_id in ((r, r.code_id) for r in table.rows):
            cases = {doc_case[g.document_id] for g in p.codings(code_ids=[code_id])} - {None}
            assert row.units == len(cases)
            assert row.percent == percent(len(cases), len(analysed))
        values = p.attribute_values("case")
        by_value = query.frequencies_by_attribute(p, "group", filters=filters)
        for row in by_value.rows:
            having = {c for c in analysed if values.get(c, {}).get("group", "") == row.value}
            assert row.total == len(having)
        crosstab = query.crosstab(p, "group", filters=filters)
        for value, total in zip(crosstab.values, crosstab.column_totals, strict=True):
            assert total == len(
                {c for c in analysed if values.get(c, {}).get("group", "") == value}
            )
    not_analysed = {c.name for c in p.cases() if c.id not in analysed}
    assert set(query.cases_not_analysed(p)) == not_analysed


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("rule", ["any", "all", "majority"])
def test_consensus_recomputed(fresh_project, seed, rule):
    rng = random.Random(2000 + seed)
    p = fresh_project
    names, codes, docs = _random_project(p, rng, 2 + seed % 3)
    chosen = names[: 2 + rng.randint(0, len(names) - 2)]
    ids = {p.find_coder(n).id for n in chosen}
    need = {"any": 1, "all": len(chosen), "majority": len(chosen) // 2 + 1}[rule]
    filters = Filters(coders=frozenset(ids), consensus=rule)
    codings = [g for g in p.codings() if g.coder_id in ids]
    doc_case = {d.id: d.case_id for d in p.documents()}
    for by in ("document", "case"):
        table = query.frequencies(p, by, filters=filters)
        for row in table.rows:
            who: dict[int, set[int]] = {}
            for g in codings:
                if g.code_id == row.code_id:
                    unit = g.document_id if by == "document" else doc_case[g.document_id]
                    if unit is not None:
                        who.setdefault(unit, set()).add(g.coder_id)
            passing = {u for u, w in who.items() if len(w) >= need}
            assert row.units == len(passing), (by, row.code)
    # passages: a coding counts when codings of its code by `need` coders overlap it
    expected = set()
    for g in codings:
        overlapping = {
            o.coder_id
            for o in codings
            if o.code_id == g.code_id
            and o.document_id == g.document_id
            and o.start < g.end
            and g.start < o.end
        }
        if len(overlapping) >= need:
            expected.add(g.id)
    passages = query.retrieve(p, codes, "or", filters=filters)
    assert {c for passage in passages for c in passage.coding_ids} == expected
    matrix = query.cooccurrence(p, codes, filters=filters)
    for k, code_id in enumerate(codes):
        assert matrix.counts[k][k] == sum(
            1 for g in codings if g.id in expected and g.code_id == code_id
        )
    if len(chosen) == 1:
        return
    one = Filters(coders=frozenset({p.find_coder(chosen[0]).id}))
    alone = query.cooccurrence(p, codes, filters=one)
    first = p.find_coder(chosen[0]).id
    for k, code_id in enumerate(codes):
        assert alone.counts[k][k] == sum(
            1 for g in p.codings() if g.coder_id == first and g.code_id == code_id
        )
