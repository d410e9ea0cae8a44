"""Documents: their stored text, speaker turns, import, and full-text search."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from coder.core import blocks
from coder.core import search as _search
from coder.core.anchors import Anchors
from coder.core.changes import Changes
from coder.core.errors import Ambiguous, ImportFailed, InvalidValue, NotFound
from coder.core.importers import read_document
from coder.core.model import Document, DocumentRef, SearchHit, Turn, TurnColumns, TurnSpan
from coder.core.progress import Progress, stopped
from coder.core.services.cases import CaseService
from coder.core.services.lengths import TextLengths
from coder.core.store import Store, new_guid, now
from coder.core.text import normalise

# A document's turns from its blocks in text order, each block's from its index.
_TURNS_IN_ORDER = "FROM text_blocks b JOIN turns t ON t.block_id = b.id WHERE b.document_id = ?"
# A TurnSpan from its row, built in C.
_turn_span = partial(tuple.__new__, TurnSpan)

_DOCUMENT_SQL = """
    SELECT d.id, d.guid, d.name, d.source_name,
           d.source_format, d.imported_at, d.memo, d.group_name AS "group", d.case_id,
           c.name AS "case",
           (SELECT count(*) FROM codings g WHERE g.document_id = d.id) AS codings
    FROM documents d LEFT JOIN cases c ON c.id = d.case_id
"""


@dataclass
class ImportReport:
    imported: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)
    cancelled: bool = False
    # Files imported, but not perfectly (bytes replaced, cue times unreadable...): one line each.
    warnings: list[tuple[Path, str]] = field(default_factory=list)


class DocumentService:
    def __init__(self, store: Store, lengths: TextLengths, cases: CaseService) -> None:
        self.store = store
        self.db = store.db
        self.lengths = lengths
        self.cases = cases

    # ----------------------------------------------------------------- reading

    @contextlib.contextmanager
    def _one_state(self) -> Iterator[None]:
        """The reads inside see one state of the file, even while a worker's connection
        writes to it (an import): one read transaction, unless one is open already."""
        conn = self.db.conn
        if conn.in_transaction:
            yield
            return
        conn.execute("BEGIN")
        try:
            yield
        finally:
            conn.execute("COMMIT")

    def documents(self) -> list[Document]:
        sql = _DOCUMENT_SQL + " ORDER BY d.group_name, d.name COLLATE NOCASE, d.id"
        with self._one_state():
            lengths = self.lengths.lengths()
            rows = list(self.db.query(sql))
        return [Document(**r, characters=lengths[r["id"]]) for r in rows]

    def document(self, doc_id: int) -> Document:
        for doc in self._documents_where("d.id = ?", [doc_id]):
            return doc
        raise NotFound(f"no document with id {doc_id}")

    def documents_by_id(self, ids: Iterable[int]) -> dict[int, Document]:
        """These documents by id, those that exist (a few queries, not one per document)."""
        wanted = list(dict.fromkeys(ids))
        found: dict[int, Document] = {}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            where = f"d.id IN ({','.join('?' for _ in chunk)})"
            found.update((d.id, d) for d in self._documents_where(where, chunk))
        return found

    def _documents_where(self, where: str, params: Sequence[Any]) -> list[Document]:
        with self._one_state():
            rows = list(self.db.query(_DOCUMENT_SQL + f" WHERE {where}", params))
            lengths = self.lengths.lengths(r["id"] for r in rows)
        return [Document(**r, characters=lengths[r["id"]]) for r in rows]

    def find_document(self, name: str) -> Document:
        docs = self._documents_where("d.name = ?", [name])
        if not docs:
            docs = self._documents_where("d.name = ? COLLATE NOCASE", [name])
        if len(docs) == 1:
            return docs[0]
        if len(docs) > 1:
            raise Ambiguous(
                f"'{name}' matches several documents: " + ", ".join(d.name for d in docs)
            )
        raise NotFound(f"no document named '{name}'")

    def document_refs(
        self, ids: Iterable[int] | None = None, case_id: int | None = None
    ) -> list[DocumentRef]:
        """Ids and names of documents in name order: all, these ids, or one case's."""
        where, params = ["1"], []
        if ids is not None:
            ids = list(ids)
            where.append(f"id IN ({','.join('?' for _ in ids) or 'NULL'})")
            params += ids
        if case_id is not None:
            where.append("case_id = ?")
            params.append(case_id)
        sql = (
            f"SELECT id, name FROM documents WHERE {' AND '.join(where)} "
            "ORDER BY name COLLATE NOCASE, id"
        )
        return [DocumentRef(doc_id, name) for doc_id, name in self.db.execute(sql, params)]

    def document_groups(self) -> list[str]:
        """The names of the document groups in use, sorted (no document is read)."""
        sql = "SELECT DISTINCT group_name FROM documents WHERE group_name != ''"
        return sorted(name for (name,) in self.db.execute(sql) if name)

    def document_name(self, doc_id: int) -> str:
        row = self.db.execute("SELECT name FROM documents WHERE id = ?", [doc_id]).fetchone()
        if row is None:
            raise NotFound(f"no document with id {doc_id}")
        return row[0]

    def _check(self, doc_id: int) -> None:
        if not self.db.execute("SELECT 1 FROM documents WHERE id = ?", [doc_id]).fetchone():
            raise NotFound(f"no document with id {doc_id}")

    def document_text(self, doc_id: int) -> str:
        """The whole text of a document (its blocks joined)."""
        text = blocks.read_text(self.db, doc_id)
        if text is None:
            self._check(doc_id)
            return ""
        return text

    def turns(self, doc_id: int) -> list[Turn]:
        sql = (
            "SELECT t.id, t.document_id, t.speaker, b.start + t.start_offset AS start, "
            'b.start + t.end_offset AS "end", t.time_start, t.time_end '
            f"{_TURNS_IN_ORDER} ORDER BY b.start, t.start_offset, t.id"
        )
        return [Turn(**r) for r in self.db.query(sql, [doc_id])]

    def turns_by_id(self, ids: Iterable[int]) -> list[Turn]:
        """These speaker turns (those that exist), with their positions in the text."""
        ids = list(ids)
        out = []
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" for _ in chunk)
            sql = f"SELECT * FROM turns_at WHERE id IN ({marks}) ORDER BY id"
            out += [Turn(**r) for r in self.db.query(sql, chunk)]
        return out

    def turn_spans(self, doc_id: int, before: int | None = None) -> list[TurnSpan]:
        """The speaker turns of a document in text order (those starting before code point
        ``before``, if given), as named tuples: cheap for a transcript of thousands of turns."""
        sql = (
            "SELECT t.speaker, b.start + t.start_offset, b.start + t.end_offset, t.time_start, "
            f"t.time_end {_TURNS_IN_ORDER}"
        )
        params: list[Any] = [doc_id]
        if before is not None:
            sql += " AND b.start < ? AND t.start_offset < ? - b.start"
            params += [before, before]
        rows = self.db.execute(sql + " ORDER BY b.start, t.start_offset, t.id", params).fetchall()
        return list(map(_turn_span, rows))

    def turn_columns(self, doc_id: int) -> TurnColumns:
        """The speaker turns of a document that have a speaker, as columns in text order, read
        in one step of SQLite (see ``CodingService.coding_columns``)."""
        sql = """
            SELECT json_group_array(speaker), json_group_array(start),
                   json_group_array("end"), json_group_array(time_start)
            FROM (SELECT t.speaker, b.start + t.start_offset AS start,
                         b.start + t.end_offset AS "end", t.time_start
                  FROM text_blocks b JOIN turns t ON t.block_id = b.id
                  WHERE b.document_id = ? AND t.speaker IS NOT NULL AND t.speaker != ''
                  ORDER BY b.start, t.start_offset, t.id)
        """
        row = self.db.execute(sql, [doc_id]).fetchone()
        return TurnColumns(*map(json.loads, row))

    def search(self, query: str, limit: int = 200, context: int = 40) -> list[SearchHit]:
        """Full-text search (FTS5) with keyword-in-context hits in code point offsets."""
        return _search.search(self.store, query, limit=limit, context=context)

    def unique_document_name(self, name: str) -> str:
        """``name``, or ``name (2)``, ``name (3)``... when a document has it already."""
        name = name.strip() or "Untitled"
        taken = {r[0].casefold() for r in self.db.execute("SELECT name FROM documents")}
        if name.casefold() not in taken:
            return name
        n = 2
        while f"{name} ({n})".casefold() in taken:
            n += 1
        return f"{name} ({n})"

    # ----------------------------------------------------------------- writing

    def add_document(
        self,
        name: str,
        text: str,
        turns: Iterable[Any] = (),
        source_name: str = "",
        source_format: str = "",
        guid: str | None = None,
        case: str | None = None,
        group: str = "",
        memo: str = "",
    ) -> Changes:
        """Add a document from text (normalised here: BOM, line ends and NUL only)."""
        text = normalise(text)
        with self.store.edit() as edit:
            case_id = self.cases.ensure_case(case) if case else None
            self.insert_document(
                name, text, turns, source_name, source_format, guid, group, memo, case_id
            )
        return edit.changes()

    def insert_document(
        self,
        name: str,
        text: str,
        turns: Iterable[Any],
        source_name: str,
        source_format: str,
        guid: str | None,
        group: str = "",
        memo: str = "",
        case_id: int | None = None,
        name_is_free: bool = False,
    ) -> int:
        """Store an already normalised text with its turns (under a free name, unless
        ``name_is_free`` says it is one); its id."""
        with self.store.edit():
            doc_id = self.store.insert(
                "documents",
                {
                    "guid": guid or new_guid(),
                    "name": name if name_is_free else self.unique_document_name(name),
                    "source_name": source_name,
                    "source_format": source_format,
                    "imported_at": now(),
                    "memo": memo,
                    "group_name": group,
                    "case_id": case_id,
                },
            )
            blocks.write_text(self.db, doc_id, text)
            length = len(text)
            place = Anchors(self.db).place
            self.store.insert_rows(
                "turns",
                ["document_id", "speaker", "block_id", "start_offset", "end_offset",
                 "time_start", "time_end"],
                (
                    (doc_id, t.speaker, *place(doc_id, t.start, t.end), t.time_start, t.time_end)
                    for t in turns
                    if 0 <= t.start <= t.end <= length
                ),
            )  # fmt: skip
        return doc_id

    def import_file(
        self,
        path: str | Path,
        speakers: str = "auto",
        case_per_document: bool = False,
        name: str | None = None,
    ) -> Changes:
        """Import one file as a new document (one transaction; nothing written on failure)."""
        return self._import(Path(path), speakers, case_per_document, name)[0]

    def _import(
        self, path: Path, speakers: str, case_per_document: bool, name: str | None = None
    ) -> tuple[Changes, tuple[str, ...]]:
        """The changes of importing one file, and the reader's warnings about it."""
        imported = read_document(path, speakers=speakers)
        with self.store.edit() as edit:
            # The case goes in with the document: setting it afterwards would index the
            # whole text for search a second time.
            free = self.unique_document_name(name or path.stem)
            self.insert_document(
                free,
                imported.text,
                imported.turns,
                path.name,
                imported.format,
                None,
                case_id=self.cases.ensure_case(free) if case_per_document else None,
                name_is_free=True,
            )
        return edit.changes(), imported.warnings

    def import_files(
        self,
        paths: Iterable[str | Path],
        speakers: str = "auto",
        case_per_document: bool = False,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Import every good file (one transaction each) and report each failure and warning.

        ``progress(done, total, path)`` is told after each file; when it returns False the
        files imported so far stay and the report says the rest were cancelled.
        """
        files = [Path(p) for p in paths]
        report = ImportReport()
        for i, path in enumerate(files):
            try:
                changes, warnings = self._import(path, speakers, case_per_document)
                report.changes = report.changes | changes
                report.imported.append(path)
                report.warnings += [(path, w) for w in warnings]
            except ImportFailed as e:
                report.failed.append((path, str(e)))
            if stopped(progress, i + 1, len(files), str(path)):
                report.cancelled = True
                break
        return report

    def rename_document(self, doc_id: int, name: str) -> Changes:
        name = name.strip()
        if not name:
            raise InvalidValue("a document needs a name")
        with self.store.edit() as edit:
            self._check(doc_id)
            clash = self.db.execute(
                "SELECT 1 FROM documents WHERE name = ? COLLATE NOCASE AND id <> ?", [name, doc_id]
            ).fetchone()
            if clash:
                raise InvalidValue(f"a document named '{name}' already exists")
            self.db.execute("UPDATE documents SET name = ? WHERE id = ?", [name, doc_id])
        return edit.changes()

    def set_document_fields(
        self, doc_id: int, *, memo: str | None = None, group: str | None = None
    ) -> Changes:
        with self.store.edit() as edit:
            self._check(doc_id)
            if memo is not None:
                self.db.execute("UPDATE documents SET memo = ? WHERE id = ?", [memo, doc_id])
            if group is not None:
                self.db.execute(
                    "UPDATE documents SET group_name = ? WHERE id = ?", [group.strip(), doc_id]
                )
        return edit.changes()

    def set_document_case(self, doc_id: int, case_id: int | None) -> Changes:
        with self.store.edit() as edit:
            self._check(doc_id)
            self.db.execute("UPDATE documents SET case_id = ? WHERE id = ?", [case_id, doc_id])
        return edit.changes()

    def delete_document(self, doc_id: int) -> Changes:
        """Delete a document with its turns, codings, case spans and attribute values."""
        with self.store.edit() as edit:
            self._check(doc_id)
            self.db.execute("DELETE FROM documents WHERE id = ?", [doc_id])
        return edit.changes()
