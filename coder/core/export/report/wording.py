"""Words the report writes about numbers and lists: "1 of 1 document", "a, b and c", "¶ 6–7"."""

from __future__ import annotations

from collections.abc import Sequence

_IRREGULAR = {
    "case": "cases",
    "quote": "quotes",
    "passage": "passages",
    "coding": "codings",
    "memo": "memos",
    "code": "codes",
    "coder": "coders",
    "document": "documents",
    "annotation": "annotations",
    "analysis": "analyses",
    "person": "people",
}


def plural(noun: str, n: int) -> str:
    """``noun`` for ``n`` of them ("document" for 1, "documents" otherwise)."""
    if n == 1:
        return noun
    return _IRREGULAR.get(noun, noun + "s")


def count(n: int, noun: str) -> str:
    """ "1 quote", "3 quotes", "0 quotes"."""
    return f"{n:,} {plural(noun, n)}"


def n_of(n: int, total: int, noun: str) -> str:
    """ "1 of 1 document", "3 of 12 documents": the noun agrees with the total."""
    return f"{n:,} of {total:,} {plural(noun, total)}"


def join_and(items: Sequence[str], conjunction: str = "and") -> str:
    """ "a", "a and b", "a, b and c"."""
    items = [i for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def paragraph_range(first: int | None, last: int | None) -> str:
    """ "¶ 6", or "¶ 6–7" for a passage over several paragraphs ('' when unknown); a
    no-break space keeps the sign with its number."""
    if first is None:
        return ""
    if last is None or last == first:
        return f"¶\u00a0{first}"
    return f"¶\u00a0{first}–{last}"


def format_time(seconds: float) -> str:
    """ "0:01:23" (hours, minutes, seconds) for a subtitle timestamp."""
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"
