"""What a merge did: the report and its conflicts (see :mod:`coder.core.merge`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coder.core.changes import Changes


@dataclass(frozen=True)
class Conflict:
    """One field that differs between a matched item here and in another file."""

    source: str  # the other file's name
    kind: str  # "code", "document", "case", "memo", "attribute", "attribute value", ...
    item: str  # which one, for people: "'Barriers/Cost'"
    field: str  # "name", "definition", "value", ...
    mine: str
    theirs: str
    kept: str  # "mine" | "theirs"
    note: str = ""

    def describe(self) -> str:
        """One line for people."""
        note = f" ({self.note})" if self.note else ""
        return (
            f"{self.source}: {self.kind} {self.item}: {self.field} differs "
            f"(mine: {short(self.mine)}; theirs: {short(self.theirs)}); kept {self.kept}{note}"
        )

    def as_json(self) -> dict[str, str]:
        return {
            "source": self.source, "kind": self.kind, "item": self.item, "field": self.field,
            "mine": self.mine, "theirs": self.theirs, "kept": self.kept, "note": self.note,
        }  # fmt: skip


@dataclass
class MergeReport:
    """What a merge did (or, for a dry run, would do)."""

    sources: list[Path]
    prefer: str
    dry_run: bool = False
    added: Counter[str] = field(default_factory=Counter)  # table -> rows added
    matched: Counter[str] = field(default_factory=Counter)  # "documents by text" -> count
    filled: int = 0  # empty fields that took the other side's text
    conflicts: list[Conflict] = field(default_factory=list)
    backup: Path | None = None
    changes: Changes = field(default_factory=Changes)

    def summary(self) -> str:
        """One line for people."""
        added = ", ".join(_count(n, table) for table, n in self.added.items() if n)
        verb = "would add" if self.dry_run else "added"
        names = ", ".join(p.name for p in self.sources)
        text = f"merge of {names}: {verb} {added or 'nothing new'}"
        if self.conflicts:
            text += f"; {len(self.conflicts)} conflict{'s' if len(self.conflicts) != 1 else ''}"
            text += f" resolved by keeping {self.prefer}"
        return text

    def as_json(self) -> dict[str, Any]:
        return {
            "sources": [str(p) for p in self.sources],
            "prefer": self.prefer,
            "dry_run": self.dry_run,
            "added": dict(self.added),
            "matched": dict(self.matched),
            "filled": self.filled,
            "conflicts": [c.as_json() for c in self.conflicts],
            "backup": str(self.backup) if self.backup else None,
        }


_SINGULAR = {
    "coders": "coder", "cases": "case", "documents": "document", "turns": "speaker turn",
    "codes": "code", "codings": "coding", "case_selections": "case passage",
    "attributes": "attribute", "attribute_values": "attribute value", "memos": "memo",
    "annotations": "annotation", "memo_links": "memo link",
}  # fmt: skip


def _count(n: int, table: str) -> str:
    singular = _SINGULAR.get(table, table)
    return f"{n} {singular}" if n == 1 else f"{n} {singular}s"


def short(text: Any, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"'{text}'"


def as_text(value: Any) -> str:
    return "" if value is None else str(value)
