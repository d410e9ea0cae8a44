"""Which coders count: a unit counts when any, all, or more than half of the named coders coded it.

* For documents and cases (``stats``, ``crosstab``, the report's counts) the unit is the document
  or case: it carries a code when the required number of the named coders coded that code in it.
  Its codings are the named coders' codings of the code there.
* For passages (``retrieve``, ``cooccurrence``, ``speakers``, the report's quotes) the unit is the
  coding: it counts when codings of the same code by the required number of the named coders
  (its own coder included) overlap it.

``any`` (the default) is what every query did before: every coding of the named coders counts.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, TypeVar

from coder.core.errors import InvalidValue

CONSENSUS = ("any", "all", "majority")


class _Row(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def document_id(self) -> int: ...
    @property
    def code_id(self) -> int: ...
    @property
    def coder_id(self) -> int: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


def check(consensus: str) -> str:
    if consensus not in CONSENSUS:
        raise InvalidValue(f"consensus is one of {', '.join(CONSENSUS)}, not '{consensus}'")
    return consensus


def required(consensus: str, coders: int) -> int:
    """How many of ``coders`` named coders must have coded a unit for it to count."""
    check(consensus)
    if consensus == "all":
        return max(coders, 1)
    if consensus == "majority":
        return coders // 2 + 1
    return 1


R = TypeVar("R", bound=_Row)


def unit_pairs(
    rows: Iterable[R],
    owners: Callable[[R], Sequence[int]],
    need: int,
) -> list[tuple[int, int, int]]:
    """``(code_id, unit_id, codings)`` for the code/unit pairs that ``need`` coders coded.

    ``owners`` gives the units a coding belongs to (its document, or its cases)."""
    coders: dict[tuple[int, int], set[int]] = defaultdict(set)
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for row in rows:
        for unit in owners(row):
            coders[(row.code_id, unit)].add(row.coder_id)
            counts[(row.code_id, unit)] += 1
    return [(c, u, counts[(c, u)]) for (c, u), who in coders.items() if len(who) >= need]


def passages(rows: Sequence[R], need: int) -> list[R]:
    """The codings overlapped by codings of the same code by ``need`` coders (itself included)."""
    if need <= 1:
        return list(rows)
    groups: dict[tuple[int, int], list[R]] = defaultdict(list)
    for row in rows:
        groups[(row.document_id, row.code_id)].append(row)
    keep: set[int] = set()
    for group in groups.values():
        if len({r.coder_id for r in group}) < need:
            continue
        ordered = sorted(group, key=lambda r: (r.start, r.end))
        starts = [r.start for r in ordered]
        for row in ordered:
            # codings starting before this one ends; of those, the ones ending after it starts
            candidates = ordered[: bisect_left(starts, row.end)]
            who = {other.coder_id for other in candidates if other.end > row.start}
            if len(who) >= need:
                keep.add(row.id)
    return [r for r in rows if r.id in keep]


__all__ = ["CONSENSUS", "check", "passages", "required", "unit_pairs"]
