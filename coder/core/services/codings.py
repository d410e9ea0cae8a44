"""Codings: passages of documents coded with a code by a coder."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import partial

from coder.core.changes import Changes
from coder.core.errors import NotFound
from coder.core.model import CodeCount, Coding, CodingColumns, CodingSpan
from coder.core.services.codebook import CodebookService
from coder.core.services.coders import CoderService
from coder.core.services.lengths import TextLengths
from coder.core.store import Store, new_guid, now

_SPAN_SQL = 'SELECT id, code_id, coder_id, start, "end", memo FROM codings_at'
# The codings of a document from its blocks in text order, each block's from its index.
_BLOCK_SPAN_SQL = (
    "SELECT t.id, t.code_id, t.coder_id, b.start + t.start_offset, b.start + t.end_offset, "
    "t.memo FROM text_blocks b JOIN codings t ON t.block_id = b.id WHERE b.document_id = ?"
)
# A CodingSpan from its row, built in C (a document may have tens of thousands).
_span = partial(tuple.__new__, CodingSpan)
# Every coding of a document as one JSON array per column, aggregated in one step of SQLite.
_COLUMNS_SQL = """
    SELECT json_group_array(id), json_group_array(code_id), json_group_array(coder_id),
           json_group_array(start), json_group_array("end"), json_group_array(memo)
    FROM (SELECT t.id, t.code_id, t.coder_id, b.start + t.start_offset AS start,
                 b.start + t.end_offset AS "end", t.memo
          FROM text_blocks b JOIN codings t ON t.block_id = b.id
          WHERE b.document_id = ? ORDER BY b.start, t.start_offset)
"""


class CodingService:
    def __init__(
        self, store: Store, lengths: TextLengths, codebook: CodebookService, coders: CoderService
    ) -> None:
        self.store = store
        self.db = store.db
        self.lengths = lengths
        self.codebook = codebook
        self.coders = coders

    def codings(
        self,
        document_id: int | None = None,
        code_ids: Iterable[int] | None = None,
        coder_ids: Iterable[int] | None = None,
    ) -> list[Coding]:
        """Codings in document and position order, with names resolved."""
        where, params = ["1"], []
        if document_id is not None:
            where.append("g.document_id = ?")
            params.append(document_id)
        for col, ids in (("g.code_id", code_ids), ("g.coder_id", coder_ids)):
            if ids is not None:
                ids = list(ids)
                where.append(f"{col} IN ({','.join('?' for _ in ids) or 'NULL'})")
                params += ids
        sql = f"""
            SELECT g.id, g.guid, g.document_id, g.code_id, g.coder_id, g.start, g."end",
                   g.created_at, g.memo, d.name AS document, k.name AS coder, c.color AS color
            FROM codings_at g JOIN documents d ON d.id = g.document_id
            JOIN coders k ON k.id = g.coder_id JOIN codes c ON c.id = g.code_id
            WHERE {" AND ".join(where)}
            ORDER BY d.name COLLATE NOCASE, g.document_id, g.start, g."end", g.id
        """
        paths = {c.id: c.path for c in self.codebook.codes()}
        return [
            Coding(**r, code_path=paths.get(r["code_id"], "")) for r in self.db.query(sql, params)
        ]

    def coding(self, coding_id: int) -> Coding:
        rows = list(self.db.query("SELECT * FROM codings_at WHERE id = ?", [coding_id]))
        if not rows:
            raise NotFound(f"no coding with id {coding_id}")
        return Coding(
            **{k: v for k, v in rows[0].items() if k != "coder_id"}, coder_id=rows[0]["coder_id"]
        )

    def coding_spans(
        self,
        doc_id: int,
        ids: Iterable[int] | None = None,
        before: int | None = None,
        after: int | None = None,
    ) -> list[CodingSpan]:
        """The codings of one document (or those of ``ids`` in it), as the view draws them;
        with ``before``/``after``, only those starting before / ending after those code points
        (the codings of the stretch of text on screen)."""
        if ids is None:
            sql, params = _BLOCK_SPAN_SQL, [doc_id]
            if before is not None:
                sql += " AND b.start < ? AND t.start_offset < ? - b.start"
                params += [before, before]
            if after is not None:
                sql += " AND t.end_offset > ? - b.start"
                params.append(after)
            return list(map(_span, self.db.execute(sql, params).fetchall()))
        ids = list(ids)
        spans: list[CodingSpan] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" for _ in chunk)
            rows = self.db.execute(
                _SPAN_SQL + f" WHERE id IN ({marks}) AND document_id = ?", [*chunk, doc_id]
            ).fetchall()
            spans += map(_span, rows)
        return spans

    def coding_columns(self, doc_id: int) -> CodingColumns:
        """Every coding of a document as columns, in text order (see ``CodingColumns``).

        SQLite builds each column as one JSON array and Python parses it in C: reading row by
        row would take Python's global lock back once per coding, which a worker reading
        tens of thousands of codings then waits for while the window's thread runs."""
        row = self.db.execute(_COLUMNS_SQL, [doc_id]).fetchone()
        return CodingColumns(*map(json.loads, row))

    def coding_count(self, doc_id: int) -> int:
        """How many codings a document has."""
        sql = "SELECT count(*) FROM codings WHERE document_id = ?"
        return int(self.db.execute(sql, [doc_id]).fetchone()[0])

    def code_counts(self, code_ids: list[int] | None = None) -> dict[int, CodeCount]:
        """How many codings each code has and in how many documents (codes with codings)."""
        if code_ids is not None and len(code_ids) <= 4:
            # A few codes (one coding applied): per code, two walks of its run in the
            # (code_id, document_id) index; count(DISTINCT) would sort them in a temporary tree.
            out = {}
            for code_id in code_ids:
                n, d = self.db.execute(
                    "SELECT (SELECT count(*) FROM codings WHERE code_id = ?), (SELECT count(*) "
                    "FROM (SELECT DISTINCT document_id FROM codings WHERE code_id = ?))",
                    [code_id, code_id],
                ).fetchone()
                if n:
                    out[code_id] = CodeCount(n, d)
            return out
        sql = "SELECT code_id, count(*), count(DISTINCT document_id) FROM codings"
        params: list[int] = []
        if code_ids is not None:
            sql += f" WHERE code_id IN ({','.join('?' for _ in code_ids)})"
            params = list(code_ids)
        rows = self.db.execute(sql + " GROUP BY code_id", params)
        return {r[0]: CodeCount(r[1], r[2]) for r in rows}

    def apply_code(
        self,
        doc_id: int,
        code_id: int,
        start: int,
        end: int,
        coder: str | None = None,
        memo: str = "",
        guid: str | None = None,
    ) -> Changes:
        """Code the passage ``text[start:end]`` (code points, end exclusive) with a code."""
        with self.store.edit() as edit:
            self.lengths.check_range(doc_id, start, end)
            self.codebook.check_codable(code_id)
            coder_id = self.coders.ensure_coder(coder)
            self.store.insert(
                "codings",
                {"guid": guid or new_guid(), "document_id": doc_id, "code_id": code_id,
                 "coder_id": coder_id, "start": start, "end": end, "created_at": now(),
                 "memo": memo},
            )  # fmt: skip
        return edit.changes()

    def remove_coding(self, coding_id: int) -> Changes:
        with self.store.edit() as edit:
            if self.store.row("codings", coding_id) is None:
                raise NotFound(f"no coding with id {coding_id}")
            self.db.execute("DELETE FROM codings WHERE id = ?", [coding_id])
        return edit.changes()

    def resize_coding(self, coding_id: int, start: int, end: int) -> Changes:
        with self.store.edit() as edit:
            row = self.store.row("codings", coding_id)
            if row is None:
                raise NotFound(f"no coding with id {coding_id}")
            self.lengths.check_range(row["document_id"], start, end)
            self.store.update("codings", coding_id, {"start": start, "end": end})
        return edit.changes()

    def recode(self, coding_id: int, code_id: int) -> Changes:
        with self.store.edit() as edit:
            if self.store.row("codings", coding_id) is None:
                raise NotFound(f"no coding with id {coding_id}")
            self.codebook.check_codable(code_id)
            self.db.execute("UPDATE codings SET code_id = ? WHERE id = ?", [code_id, coding_id])
        return edit.changes()

    def set_coding_memo(self, coding_id: int, memo: str) -> Changes:
        with self.store.edit() as edit:
            if self.store.row("codings", coding_id) is None:
                raise NotFound(f"no coding with id {coding_id}")
            self.db.execute("UPDATE codings SET memo = ? WHERE id = ?", [memo, coding_id])
        return edit.changes()
