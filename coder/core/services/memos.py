"""Memos (free-standing, with authors and links to objects), the project memo, and
annotations: notes anchored to a passage without a code."""

from __future__ import annotations

from typing import Any

from coder.core.changes import Changes
from coder.core.errors import InvalidValue, NotFound
from coder.core.model import Annotation, Memo, MemoLink
from coder.core.services.coders import CoderService
from coder.core.services.lengths import TextLengths
from coder.core.store import Store, new_guid, now


class MemoService:
    def __init__(self, store: Store, lengths: TextLengths, coders: CoderService) -> None:
        self.store = store
        self.db = store.db
        self.lengths = lengths
        self.coders = coders

    @property
    def memo(self) -> str:
        """The project memo."""
        return self.store.meta("memo")

    def set_project_memo(self, text: str) -> Changes:
        with self.store.edit() as edit:
            self.db.execute(
                "INSERT INTO meta (key, value) VALUES ('memo', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [text],
            )
        return edit.changes()

    def memos(self) -> list[Memo]:
        sql = """
            SELECT m.*, ifnull(k.name, '') AS author FROM memos m
            LEFT JOIN coders k ON k.id = m.coder_id ORDER BY m.created_at, m.id
        """
        return [Memo(**r) for r in self.db.query(sql)]

    def add_memo(
        self, title: str, text: str = "", guid: str | None = None, coder: str | None = None
    ) -> Changes:
        """A free-standing memo, written by ``coder`` (None: no author recorded)."""
        with self.store.edit() as edit:
            stamp = now()
            self.store.insert(
                "memos",
                {"guid": guid or new_guid(), "title": title, "text": text,
                 "created_at": stamp, "modified_at": stamp,
                 "coder_id": None if coder is None else self.coders.ensure_coder(coder)},
            )  # fmt: skip
        return edit.changes()

    def update_memo(
        self, memo_id: int, title: str | None = None, text: str | None = None
    ) -> Changes:
        with self.store.edit() as edit:
            if self.store.row("memos", memo_id) is None:
                raise NotFound(f"no memo with id {memo_id}")
            fields: dict[str, str] = {"modified_at": now()}
            if title is not None:
                fields["title"] = title
            if text is not None:
                fields["text"] = text
            self.store.update("memos", memo_id, fields)
        return edit.changes()

    def delete_memo(self, memo_id: int) -> Changes:
        with self.store.edit() as edit:
            if self.store.row("memos", memo_id) is None:
                raise NotFound(f"no memo with id {memo_id}")
            self.db.execute("DELETE FROM memos WHERE id = ?", [memo_id])
        return edit.changes()

    _LINK_TARGETS = ("document_id", "code_id", "coding_id", "case_id")

    def memo_links(self, memo_id: int | None = None) -> list[MemoLink]:
        """Links from memos to documents, codes, codings and cases (of one memo, or all)."""
        sql = "SELECT * FROM memo_links"
        params: list[Any] = []
        if memo_id is not None:
            sql += " WHERE memo_id = ?"
            params.append(memo_id)
        return [MemoLink(**r) for r in self.db.query(sql + " ORDER BY id", params)]

    def link_memo(self, memo_id: int, **target: int) -> Changes:
        """Link a memo to one object: ``document_id=``, ``code_id=``, ``coding_id=`` or
        ``case_id=``. Linking twice changes nothing."""
        if len(target) != 1 or next(iter(target)) not in self._LINK_TARGETS:
            raise InvalidValue("a memo link names exactly one document, code, coding or case")
        ((column, key),) = target.items()
        table = {"document_id": "documents", "code_id": "codes", "coding_id": "codings",
                 "case_id": "cases"}[column]  # fmt: skip
        with self.store.edit() as edit:
            if self.store.row("memos", memo_id) is None:
                raise NotFound(f"no memo with id {memo_id}")
            if not self.db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [key]).fetchone():
                raise NotFound(f"no {table[:-1]} with id {key}")
            self.db.execute(
                f"INSERT OR IGNORE INTO memo_links (memo_id, {column}) VALUES (?, ?)",
                [memo_id, key],
            )
        return edit.changes()

    def unlink_memo(self, link_id: int) -> Changes:
        with self.store.edit() as edit:
            if self.store.row("memo_links", link_id) is None:
                raise NotFound(f"no memo link with id {link_id}")
            self.db.execute("DELETE FROM memo_links WHERE id = ?", [link_id])
        return edit.changes()

    # ----------------------------------------------------------------- annotations

    def annotations(self, document_id: int | None = None) -> list[Annotation]:
        """Annotations in document and position order, with their authors' names."""
        where, params = "1", []
        if document_id is not None:
            where, params = "a.document_id = ?", [document_id]
        sql = f"""
            SELECT a.*, k.name AS coder FROM annotations_at a JOIN coders k ON k.id = a.coder_id
            WHERE {where} ORDER BY a.document_id, a.start, a."end", a.id
        """
        return [Annotation(**r) for r in self.db.query(sql, params)]

    def add_annotation(
        self,
        doc_id: int,
        start: int,
        end: int,
        text: str,
        coder: str | None = None,
        guid: str | None = None,
        created_at: str | None = None,
    ) -> Changes:
        """Anchor a note to the passage ``text[start:end]`` of a document, without a code."""
        with self.store.edit() as edit:
            self.lengths.check_range(doc_id, start, end)
            coder_id = self.coders.ensure_coder(coder)
            stamp = now()
            self.store.insert(
                "annotations",
                {"guid": guid or new_guid(), "document_id": doc_id, "coder_id": coder_id,
                 "start": start, "end": end, "text": text, "created_at": created_at or stamp,
                 "modified_at": stamp},
            )  # fmt: skip
        return edit.changes()

    def update_annotation(
        self,
        annotation_id: int,
        text: str | None = None,
        start: int | None = None,
        end: int | None = None,
    ) -> Changes:
        """Change an annotation's text or the passage it is anchored to."""
        with self.store.edit() as edit:
            row = self.store.row("annotations", annotation_id)
            if row is None:
                raise NotFound(f"no annotation with id {annotation_id}")
            new_start = row["start"] if start is None else start
            new_end = row["end"] if end is None else end
            self.lengths.check_range(row["document_id"], new_start, new_end)
            self.store.update(
                "annotations",
                annotation_id,
                {"text": row["text"] if text is None else text, "start": new_start,
                 "end": new_end, "modified_at": now()},
            )  # fmt: skip
        return edit.changes()

    def delete_annotation(self, annotation_id: int) -> Changes:
        with self.store.edit() as edit:
            if self.store.row("annotations", annotation_id) is None:
                raise NotFound(f"no annotation with id {annotation_id}")
            self.db.execute("DELETE FROM annotations WHERE id = ?", [annotation_id])
        return edit.changes()
