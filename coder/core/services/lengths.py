"""Lengths of documents' texts, and the check that a passage lies inside one."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlite_utils import Database

from coder.core.errors import InvalidValue, NotFound


class TextLengths:
    """Characters of each document's text, counted once.

    Counting a long text's characters means reading all of it, so lengths are kept once
    counted. They are keyed by id, GUID and revision: an id that SQLite reuses after a deletion
    belongs to a new GUID, and an edited text (or one put back by undo) has another revision,
    so either is counted afresh.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._lengths: dict[tuple[int, str, str], int] = {}  # (id, guid, revision) -> length
        self._revision = ""  # the column's name once the schema has it (a file is checked
        # before it is migrated)

    def _revision_column(self) -> str:
        if not self._revision:
            columns = {r[1] for r in self.db.execute("PRAGMA table_info(documents)")}
            if "revision" in columns:
                self._revision = "revision"
        return self._revision or "''"

    def lengths(self, ids: Iterable[int] | None = None) -> dict[int, int]:
        """``{document id: characters}`` of every document, or of these."""
        if ids is None:
            return self._where("1", [])
        ids = list(ids)
        return self._where(f"id IN ({','.join('?' for _ in ids) or 'NULL'})", ids)

    def length(self, doc_id: int) -> int | None:
        """Characters of one document's text, or None when there is no such document."""
        return self._where("id = ?", [doc_id]).get(doc_id)

    def _where(self, where: str, params: Sequence[Any]) -> dict[int, int]:
        out: dict[int, int] = {}
        missing = []
        revision_column = self._revision_column()
        for doc_id, guid, revision in self.db.execute(
            f"SELECT id, guid, {revision_column} FROM documents WHERE {where}", params
        ):
            n = self._lengths.get((doc_id, guid, revision))
            if n is None:
                missing.append(doc_id)
            else:
                out[doc_id] = n
        for i in range(0, len(missing), 500):
            chunk = missing[i : i + 500]
            marks = ",".join("?" for _ in chunk)
            for doc_id, guid, revision, n in self.db.execute(
                f"SELECT id, guid, {revision_column}, length(text) FROM documents "
                f"WHERE id IN ({marks})",
                chunk,
            ):
                self._lengths[(doc_id, guid, revision)] = out[doc_id] = n
        return out

    def check_range(self, doc_id: int, start: int, end: int) -> None:
        """Raise unless ``text[start:end]`` is a non-empty passage of the document."""
        length = self.length(doc_id)
        if length is None:
            raise NotFound(f"no document with id {doc_id}")
        if not (isinstance(start, int) and isinstance(end, int)) or not 0 <= start < end <= length:
            raise InvalidValue(
                f"passage {start}-{end} is not inside the document (0-{length}, end after start)"
            )
