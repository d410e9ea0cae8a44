"""Edits of many rows at once, each one transaction and one undo step.

``apply_code_to_spans`` codes many passages (the hits of a search) with one code;
``run_together`` runs several service calls as one transaction and combines their Changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from coder.core.changes import Changes
from coder.core.errors import InvalidValue, NotFound
from coder.core.project import Project
from coder.core.store import new_guid, now


def run_together(project: Project, calls: Iterable[Callable[[], Changes]]) -> Changes:
    """Run service calls in one transaction: all of them, or (on an error) none."""
    changes = Changes()
    with project.edit():
        for call in calls:
            changes = changes | call()
    return changes


def apply_code_to_spans(
    project: Project,
    code_id: int,
    spans: Sequence[tuple[int, int, int]],
    coder: str | None = None,
) -> Changes:
    """Code every ``(document id, start, end)`` passage with one code, in one transaction.

    A passage this coder already coded with this code is left alone (applying twice does
    not double-count); a passage outside its document is an error and nothing is written.
    """
    with project.edit() as edit:
        if not project.db.execute("SELECT 1 FROM codes WHERE id = ?", [code_id]).fetchone():
            raise NotFound(f"no code with id {code_id}")
        lengths: dict[int, int] = {}
        for doc_id, start, end in spans:
            if doc_id not in lengths:
                row = project.db.execute(
                    "SELECT length FROM documents WHERE id = ?", [doc_id]
                ).fetchone()
                if row is None:
                    raise NotFound(f"no document with id {doc_id}")
                lengths[doc_id] = row[0]
            if not (0 <= start < end <= lengths[doc_id]):
                raise InvalidValue(
                    f"passage {start}-{end} is not inside the document (0-{lengths[doc_id]})"
                )
        coder_id = project.services.coders.ensure_coder(coder)
        stamp = now()
        seen: set[tuple[int, int, int]] = set()
        for doc_id, start, end in spans:
            if (doc_id, start, end) in seen:
                continue
            seen.add((doc_id, start, end))
            exists = project.db.execute(
                "SELECT 1 FROM codings_at WHERE code_id = ? AND document_id = ? AND start = ? "
                'AND "end" = ? AND coder_id = ?',
                [code_id, doc_id, start, end, coder_id],
            ).fetchone()
            if exists:
                continue
            project.insert(
                "codings",
                {"guid": new_guid(), "document_id": doc_id, "code_id": code_id,
                 "coder_id": coder_id, "start": start, "end": end, "created_at": stamp},
            )  # fmt: skip
    return edit.changes()
