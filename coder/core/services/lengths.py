"""Lengths of documents' texts, and the check that a passage lies inside one."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlite_utils import Database

from coder.core.errors import InvalidValue, NotFound


class TextLengths:
    """Characters of each document's text: its ``length`` column (kept by every write of its
    text), or, in a file from before the column (checked before it is migrated), counted."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._column = ""  # "length" once the schema has it

    def _length_column(self) -> str:
        if not self._column:
            columns = {r[1] for r in self.db.execute("PRAGMA table_info(documents)")}
            if "length" in columns:
                self._column = "length"
        return self._column or "length(text)"

    def lengths(self, ids: Iterable[int] | None = None) -> dict[int, int]:
        """``{document id: characters}`` of every document, or of these."""
        if ids is None:
            return self._where("1", [])
        out: dict[int, int] = {}
        ids = list(ids)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            out.update(self._where(f"id IN ({','.join('?' for _ in chunk) or 'NULL'})", chunk))
        return out

    def length(self, doc_id: int) -> int | None:
        """Characters of one document's text, or None when there is no such document."""
        return self._where("id = ?", [doc_id]).get(doc_id)

    def _where(self, where: str, params: Sequence[Any]) -> dict[int, int]:
        column = self._length_column()
        return dict(self.db.execute(f"SELECT id, {column} FROM documents WHERE {where}", params))

    def check_range(self, doc_id: int, start: int, end: int) -> None:
        """Raise unless ``text[start:end]`` is a non-empty passage of the document."""
        length = self.length(doc_id)
        if length is None:
            raise NotFound(f"no document with id {doc_id}")
        if not (isinstance(start, int) and isinstance(end, int)) or not 0 <= start < end <= length:
            raise InvalidValue(
                f"passage {start}-{end} is not inside the document (0-{length}, end after start)"
            )
