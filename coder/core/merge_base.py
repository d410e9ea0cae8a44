"""The shared part of merging another project's rows into this one: the maps from their ids to
ours, reading both sides, writing, and recording conflicts (see :mod:`coder.core.merge`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from coder.core.merge_report import Conflict, MergeReport, as_text
from coder.core.project import Project


class MergerBase:
    """Reads their rows, writes ours, records conflicts; subclasses merge table by table."""

    def __init__(self, project: Project, other: Project, prefer: str, report: MergeReport) -> None:
        self.db = project.db
        self.project = project
        self.theirs = other.db
        self.source = other.path.name
        self.prefer = prefer
        self.report = report
        self.coders: dict[int, int] = {}
        self.cases: dict[int, int] = {}
        self.documents: dict[int, int] = {}
        # their documents whose text differs from this project's: matched for their name, memo,
        # attribute values and memo links, but nothing anchored in their text is merged
        self.other_text: set[int] = set()
        self.codes: dict[int, int] = {}
        self.attributes: dict[int, int] = {}
        self.codings: dict[int, int] = {}
        self.memos: dict[int, int] = {}

    # ------------------------------------------------------------- helpers

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return [dict(r) for r in self.theirs.query(sql, params)]

    def _mine(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return [dict(r) for r in self.db.query(sql, params)]

    def _value(self, sql: str, params: Sequence[Any], default: Any = None) -> Any:
        row = self.db.execute(sql, params).fetchone()
        return row[0] if row else default

    def _insert(self, table: str, row: dict[str, Any]) -> int:
        row = {k: v for k, v in row.items() if k != "id"}
        new_id = self.project.insert(table, row)
        self.report.added[table] += 1
        return new_id

    def _update(self, table: str, row_id: int, values: dict[str, Any]) -> None:
        self.project.update(table, row_id, values)

    def _conflict(
        self,
        kind: str,
        item: str,
        name: str,
        mine: Any,
        theirs: Any,
        note: str = "",
        kept: str | None = None,
    ) -> bool:
        """Record a conflict; True when their value should be taken."""
        kept = kept or self.prefer
        self.report.conflicts.append(
            Conflict(self.source, kind, item, name, as_text(mine), as_text(theirs), kept, note)
        )
        return kept == "theirs"

    def _reconcile_text(
        self,
        table: str,
        kind: str,
        item: str,
        mine: dict[str, Any],
        theirs: dict[str, Any],
        fields: Iterable[str],
        labels: dict[str, str] | None = None,
    ) -> None:
        """Fields that differ: fill an empty side, else a conflict resolved by the rule."""
        updates: dict[str, Any] = {}
        for name in fields:
            a, b = mine[name], theirs[name]
            if a == b or b in ("", None):
                continue
            if a in ("", None):
                updates[name] = b
                self.report.filled += 1
            elif self._conflict(kind, item, (labels or {}).get(name, name), a, b):
                updates[name] = b
        if updates:
            self._update(table, mine["id"], updates)
