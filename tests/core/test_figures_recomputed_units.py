"""Agreement per speaker turn, per coded segment and with the mean over codes, recomputed by
brute force on random projects.

Turn projects have documents with and without speaker turns, text before, between and after
the turns (and codings lying there), 2-4 coders and overlapping codings. Segment projects have
two coders whose codings of a code overlap by every share. The brute force walks the turns and
the characters itself; only the figures of a finished table come from the shared helper.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from coder.core import intercoder
from coder.core.text import Turn
from tests.core.test_figures_recomputed import WORDS, _brute_figures, _close, _coded


def _turn_project(p, rng: random.Random, coders: int):
    names = [f"coder{i}" for i in range(coders)]
    for name in names:
        p.add_coder(name)
    codes = []
    for k in range(rng.randint(1, 3)):
        p.add_code(f"Code {k}")
        codes.append(p.find_code(f"Code {k}").id)
    docs = []
    for d in range(rng.randint(2, 4)):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40)))
        turns, at = [], rng.randint(0, 12)  # text before the first turn
        while rng.random() < 0.8 and at < len(text) - 2:
            end = rng.randint(at + 1, min(len(text), at + 40))
            turns.append(Turn(rng.choice(["Ann", "Interviewer"]), at, end))
            at = end + rng.choice([0, 0, 1, 5])  # turns touch, or a stretch lies between
        p.add_document(f"doc {d}", text, turns=turns)
        docs.append((p.find_document(f"doc {d}").id, text, [(t.start, t.end) for t in turns]))
    for doc_id, text, _turns in docs:
        for name in names:
            if rng.random() < 0.8:
                for _ in range(rng.randint(1, 4)):
                    start = rng.randrange(len(text))
                    end = rng.randint(start + 1, min(len(text), start + 15))
                    p.apply_code(doc_id, rng.choice(codes), start, end, coder=name)
    return names, codes, docs


@pytest.mark.parametrize("seed", range(10))
def test_turn_agreement_and_the_text_outside_turns_recomputed(fresh_project, seed):
    rng = random.Random(seed)
    coders = 2 + seed % 3
    p = fresh_project
    names, codes, docs = _turn_project(p, rng, coders)
    result = intercoder.compute_agreement(
        p, names, unit="turn", codes=codes, listed=[d for d, _t, _s in docs]
    )
    with_turns = [(d, text, turns) for d, text, turns in docs if turns]
    names_of = {d: p.document(d).name for d, _t, _s in docs}
    assert result.documents == tuple(names_of[d] for d, _t, _s in with_turns)
    assert [(x.document, x.reason) for x in result.excluded_documents] == [
        (names_of[d], "no speaker turns") for d, _t, turns in docs if not turns
    ]
    # the text outside every turn, and the codings (of the compared codes) lying wholly there
    outside = codings_outside = 0
    for doc_id, text, turns in with_turns:
        inside = {i for s, e in turns for i in range(s, e)}
        outside += len(text) - len(inside)
        for code_id in codes:
            for name in names:
                for s, e in _coded(p, doc_id, code_id, name):
                    codings_outside += not any(i in inside for i in range(s, e))
    assert (result.excluded.characters, result.excluded.codings) == (outside, codings_outside)
    all_units = []
    for row, code_id in zip(result.codes, codes, strict=True):
        units = [
            tuple(any(a < e and s < b for a, b in _coded(p, doc_id, code_id, n)) for n in names)
            for doc_id, _text, turns in with_turns
            for s, e in turns
        ]
        all_units += units
        expected = _brute_figures(units, coders)
        assert row.units == expected["units"] and row.table == expected["table"]
        for key in ("percent_agreement", "positive_agreement", "fleiss_kappa", "alpha"):
            _close(getattr(row, key), expected[key], key)
    pooled = _brute_figures(all_units, coders)
    assert result.overall.table == pooled["table"]
    for key in ("percent_agreement", "percent_agreement_coded", "brennan_prediger", "alpha"):
        _close(getattr(result.overall, key), pooled[key], key)


def _share(a: tuple[int, int], b: tuple[int, int]) -> Fraction:
    one, two = set(range(*a)), set(range(*b))
    return Fraction(len(one & two), len(one | two))


def _matched(first, second, least: Fraction) -> int:
    """Pairs made greedily, the largest share first (then text order), each coding once."""
    candidates = sorted(
        (-_share(a, b), a, b) for a in first for b in second if _share(a, b) >= least > 0
    )
    used_a, used_b, pairs = set(), set(), 0
    for _minus, a, b in candidates:
        if a not in used_a and b not in used_b:
            used_a.add(a)
            used_b.add(b)
            pairs += 1
    return pairs


@pytest.mark.parametrize("seed", range(10))
def test_segment_agreement_recomputed(fresh_project, seed):
    rng = random.Random(100 + seed)
    p = fresh_project
    names, codes, docs = _turn_project(p, rng, 2)
    overlap = rng.choice([33.3, 50, 75, 90, 100])
    for doc_id, text, _turns in docs:  # near-copies of the first coder's codings
        for code_id in codes:
            for s, e in _coded(p, doc_id, code_id, names[0]):
                if rng.random() < 0.6:
                    s2 = max(0, s + rng.randint(-2, 2))
                    e2 = min(len(text), max(s2 + 1, e + rng.randint(-2, 2)))
                    p.apply_code(doc_id, code_id, s2, e2, coder=names[1])
    listed = [d for d, _t, _s in docs]
    result = intercoder.compute_agreement(
        p, names, unit="segment", codes=codes, listed=listed, min_overlap=overlap
    )
    least = Fraction(overlap).limit_denominator(10_000) / 100
    q = max(len(codes), 2)
    totals = [0, 0, 0]
    for row, code_id in zip(result.codes, codes, strict=True):
        a = b = c = 0
        for doc_id in listed:
            first = sorted(set(_coded(p, doc_id, code_id, names[0])))
            second = sorted(set(_coded(p, doc_id, code_id, names[1])))
            pairs = _matched(first, second, least)
            a, b, c = a + pairs, b + len(first) - pairs, c + len(second) - pairs
        totals = [totals[0] + a, totals[1] + b, totals[2] + c]
        assert row.table == {"both": a, "first_only": b, "second_only": c, "neither": 0}
        assert (row.agreements, row.disagreements, row.units) == (a, b + c, a + b + c)
        n = a + b + c
        _close(row.percent_agreement, 100 * a / n if n else None, "percent")
        _close(row.positive_agreement, 200 * a / (2 * a + b + c) if n else None, "positive")
        bp = (a / n - 1 / q) / (1 - 1 / q) if n else None
        _close(row.brennan_prediger, bp, "brennan_prediger")
        listing = intercoder.find_disagreements(
            p, names, code_id, unit="segment", listed=listed, min_overlap=overlap
        )
        assert len(listing) == b + c
        assert all(len(d.coded_by) == 1 and len(d.not_coded_by) == 1 for d in listing)
    a, b, c = totals
    assert result.overall.table == {"both": a, "first_only": b, "second_only": c, "neither": 0}
    n = a + b + c
    _close(result.overall.percent_agreement, 100 * a / n if n else None, "overall percent")


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("unit", ["paragraph", "turn", "segment"])
def test_the_mean_over_codes_recomputed(fresh_project, seed, unit):
    rng = random.Random(200 + seed)
    coders = 2 if unit == "segment" else 2 + seed % 3
    p = fresh_project
    names, codes, docs = _turn_project(p, rng, coders)
    listed = [d for d, _t, _s in docs]
    pooled = intercoder.compute_agreement(p, names, unit=unit, codes=codes, listed=listed)
    mean = intercoder.compute_agreement(
        p, names, unit=unit, codes=codes, listed=listed, pooling="mean"
    )
    assert mean.codes == pooled.codes and mean.pooling == "mean"
    for key in ("percent_agreement", "positive_agreement", "brennan_prediger", "fleiss_kappa"):
        defined = [getattr(r, key) for r in mean.codes if getattr(r, key) is not None]
        _close(getattr(mean.overall, key), sum(defined) / len(defined) if defined else None, key)
    assert mean.overall.units == sum(r.units for r in mean.codes)
