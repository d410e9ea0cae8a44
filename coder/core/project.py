"""The project file and its service methods: the only code that writes.

Every service is one transaction and returns a :class:`Changes` value recording the rows it
touched before and after, so that ``project.undo(changes)`` and ``project.redo(changes)`` are
exact inverses for every edit (the GUI's undo stack relies on this, ids included).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import re
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlite_utils import Database

from coder.core import backup as _backup
from coder.core import settings
from coder.core.errors import (
    Ambiguous,
    CoderError,
    ImportFailed,
    InvalidValue,
    NotFound,
    ProjectFileError,
)
from coder.core.lock import acquire as _acquire_lock
from coder.core.migrations import APPLICATION_ID, SCHEMA_VERSION, migrations
from coder.core.model import (
    Attribute,
    Case,
    CaseSelection,
    Code,
    CodeNode,
    Coder,
    Coding,
    Document,
    Annotation,
    Memo,
    MemoLink,
    SearchHit,
    Turn,
)

EXTENSION = ".coder"
SQLITE_MAGIC = b"SQLite format 3\x00"
PALETTE = (
    "#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948",
    "#B07AA1", "#FF9DA7", "#9C755F", "#8CD17D", "#499894", "#D37295",
)  # fmt: skip
_COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
# Restore order: a parent table comes before the tables that refer to it.
_TABLE_ORDER = (
    "meta", "coders", "cases", "documents", "turns", "codes", "codings",
    "case_selections", "attributes", "attribute_values", "memos", "memo_links", "annotations",
)  # fmt: skip
ATTRIBUTE_TYPES = ("text", "number", "date", "boolean")


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def new_guid() -> str:
    return str(uuid.uuid4())


def normalise_color(color: str) -> str:
    if not isinstance(color, str) or not _COLOR_RE.match(color.strip()):
        raise InvalidValue(f"'{color}' is not a colour: use the form #RRGGBB, e.g. #E15759")
    return color.strip().upper()


# --------------------------------------------------------------------------- changes


RowKey = tuple[str, Any]  # (table, primary key)


@dataclass(frozen=True)
class Changes:
    """What one service call changed: the touched rows before and after it.

    ``before[key]`` is None for a row the call created; ``after[key]`` is None for a row it
    deleted. The sets of ids (``documents``, ``codes``...) tell views what to refresh.
    """

    before: dict[RowKey, dict | None] = field(default_factory=dict)
    after: dict[RowKey, dict | None] = field(default_factory=dict)

    def ids(self, table: str) -> frozenset[Any]:
        return frozenset(key for t, key in self.after if t == table)

    def created(self, table: str) -> list[Any]:
        return [k for (t, k), row in self.before.items() if t == table and row is None]

    def deleted(self, table: str) -> list[Any]:
        return [k for (t, k), row in self.after.items() if t == table and row is None]

    @property
    def documents(self) -> frozenset[int]:
        return self.ids("documents")

    @property
    def codes(self) -> frozenset[int]:
        return self.ids("codes")

    @property
    def codings(self) -> frozenset[int]:
        return self.ids("codings")

    @property
    def cases(self) -> frozenset[int]:
        return self.ids("cases")

    @property
    def attributes(self) -> frozenset[int]:
        return self.ids("attributes") | self.ids("attribute_values")

    @property
    def memos(self) -> frozenset[int]:
        return self.ids("memos") | {
            row["memo_id"]
            for (t, _k), row in (*self.before.items(), *self.after.items())
            if t == "memo_links" and row is not None
        }

    @property
    def annotations(self) -> frozenset[int]:
        return self.ids("annotations")

    @property
    def coding_documents(self) -> frozenset[int]:
        """Documents whose codings changed (for repainting highlights)."""
        docs = set()
        for (t, _k), row in (*self.before.items(), *self.after.items()):
            if t == "codings" and row is not None:
                docs.add(row["document_id"])
        return frozenset(docs)

    def inverse(self) -> Changes:
        """What undoing these changes does (rows created become rows deleted, and so on)."""
        return Changes(self.after, self.before)

    def coding_counts(self) -> dict[int, int]:
        """How many codings each document gained (positive) or lost (negative)."""
        delta: dict[int, int] = {}
        for key, after in self.after.items():
            if key[0] != "codings":
                continue
            before = self.before.get(key)
            old = before["document_id"] if before else None
            new = after["document_id"] if after else None
            if old != new:
                if old is not None:
                    delta[old] = delta.get(old, 0) - 1
                if new is not None:
                    delta[new] = delta.get(new, 0) + 1
        return delta

    def __bool__(self) -> bool:
        return bool(self.after)

    def __or__(self, other: Changes) -> Changes:
        before = dict(other.before)
        before.update(self.before)  # the earliest state wins
        after = dict(self.after)
        after.update(other.after)  # the latest state wins
        return Changes(before, after)


class _Recorder:
    """Collects the rows a service touches, before it changes them."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.before: dict[RowKey, dict | None] = {}

    def touch(self, table: str, where: str, params: Sequence[Any] = ()) -> list[dict]:
        pk = "key" if table == "meta" else "id"
        rows = [dict(r) for r in self.db.query(f"SELECT * FROM {table} WHERE {where}", params)]
        for row in rows:
            self.before.setdefault((table, row[pk]), row)
        return rows

    def touch_id(self, table: str, key: Any) -> dict | None:
        pk = "key" if table == "meta" else "id"
        rows = self.touch(table, f"{pk} = ?", [key])
        if not rows:
            self.before.setdefault((table, key), None)
        return rows[0] if rows else None

    def created(self, table: str, key: Any) -> None:
        self.before.setdefault((table, key), None)

    def changes(self) -> Changes:
        keys_of: dict[str, list[Any]] = {}
        for table, key in self.before:
            keys_of.setdefault(table, []).append(key)
        found: dict[RowKey, dict] = {}
        for table, keys in keys_of.items():  # a few queries, however many rows were touched
            pk = "key" if table == "meta" else "id"
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                marks = ",".join("?" for _ in chunk)
                for row in self.db.query(f"SELECT * FROM {table} WHERE {pk} IN ({marks})", chunk):
                    found[(table, row[pk])] = dict(row)
        after: dict[RowKey, dict | None] = {k: found.get(k) for k in self.before}
        unchanged = [k for k in self.before if self.before[k] == after[k]]
        before = {k: v for k, v in self.before.items() if k not in unchanged}
        return Changes(before, {k: v for k, v in after.items() if k not in unchanged})


# --------------------------------------------------------------------------- opening


def _check_file(path: Path) -> None:
    """Refuse anything that is not a Coder project, without modifying it."""
    if not path.exists():
        raise ProjectFileError(f"{path}: no such project file")
    if path.is_dir():
        raise ProjectFileError(f"{path} is a folder, not a Coder project")
    try:
        with path.open("rb") as f:
            head = f.read(100)
    except OSError as e:
        raise ProjectFileError(f"{path} cannot be read: {e.strerror}") from None
    if len(head) < 100 or not head.startswith(SQLITE_MAGIC):
        raise ProjectFileError(
            f"{path} is not a Coder project (not an SQLite database); "
            "open a .coder file, or restore one from its backups folder"
        )
    # The header holds both marks (big-endian): user_version at 60, application_id at 68.
    version = int.from_bytes(head[60:64], "big")
    app_id = int.from_bytes(head[68:72], "big")
    wal = Path(f"{path}-wal")
    # A project open elsewhere (or left by a crash) may hold its latest header in its WAL.
    live = wal.is_file() and wal.stat().st_size > 0
    try:
        # immutable=1: the check creates no -wal/-shm files beside a file that may not be ours
        mode = "ro" if live else "ro&immutable=1"
        conn = sqlite3.connect(f"file:{path.as_posix()}?mode={mode}", uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if live:
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        raise ProjectFileError(
            f"{path} is damaged and cannot be opened ({e}); restore it from its backups folder"
        ) from None
    if app_id != APPLICATION_ID:
        if app_id == 0 and not tables:
            raise ProjectFileError(f"{path} is an empty database, not a Coder project")
        raise ProjectFileError(
            f"{path} is an SQLite database of another application, not a Coder project"
        )
    if version > SCHEMA_VERSION:
        raise ProjectFileError(
            f"{path} was saved by a newer version of Coder (schema {version}; this version "
            f"reads up to {SCHEMA_VERSION}): update Coder to open it"
        )


def _connect(path: Path, read_only: bool) -> sqlite3.Connection:
    """A connection with the project's pragmas.

    A read-only project still gets a read-write connection with ``query_only`` when the file
    allows it: the last connection to close then folds the WAL back into the file, so reading
    never leaves ``-wal``/``-shm`` files behind. A file we may not write opens with mode=ro.
    """
    mode = "rw" if read_only else "rwc"
    try:
        conn = sqlite3.connect(
            f"file:{path.as_posix()}?mode={mode}", uri=True, isolation_level=None,
            check_same_thread=False,
        )  # fmt: skip
        conn.execute("PRAGMA schema_version").fetchone()
    except sqlite3.OperationalError:
        if not read_only:
            raise
        conn = sqlite3.connect(
            f"file:{path.as_posix()}?mode=ro", uri=True, isolation_level=None,
            check_same_thread=False,
        )  # fmt: skip
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 5000")
    if read_only:
        conn.execute("PRAGMA query_only = ON")
    else:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
    return conn


class Project:
    """An open project file. Use :meth:`create` or :meth:`open`; close it (or use ``with``)."""

    def __init__(self, path: Path, conn: sqlite3.Connection, read_only: bool) -> None:
        self.path = path
        self.read_only = read_only
        self.db = Database(conn, execute_plugins=False)
        self._closed = False
        self._memory_uri = ""  # an older project opened read-only is migrated in memory
        # (document id, guid) -> length of its text; see _document_lengths
        self._lengths: dict[tuple[int, str], int] = {}

    # ----------------------------------------------------------------- lifecycle

    @classmethod
    def create(cls, path: str | Path) -> Project:
        """Create a new, empty project file (refuses to overwrite an existing file)."""
        path = Path(path)
        if path.suffix.lower() != EXTENSION:
            raise InvalidValue(f"{path}: a project file name must end with {EXTENSION}")
        if path.exists():
            raise InvalidValue(f"{path} already exists; choose another name")
        if not path.parent.is_dir():
            raise InvalidValue(f"{path.parent}: no such folder")
        lock = _acquire_lock(path)
        try:
            conn = _connect(path, read_only=False)
        except sqlite3.Error as e:
            lock.release()
            raise ProjectFileError(f"{path} cannot be created: {e}") from None
        try:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            project = cls(path, conn, read_only=False)
            project._lock = lock
            project._migrate()
            with project.db.atomic():
                project.db["meta"].insert_all(
                    [
                        {"key": "project_guid", "value": new_guid()},
                        {"key": "created_at", "value": now()},
                        {"key": "memo", "value": ""},
                    ]
                )
        except BaseException:
            conn.close()
            with contextlib.suppress(OSError):
                for suffix in ("", "-wal", "-shm"):
                    Path(str(path) + suffix).unlink()
            lock.release()
            raise
        return project

    @classmethod
    def open(cls, path: str | Path, read_only: bool = False) -> Project:
        """Open an existing project, migrating it to the current schema."""
        path = Path(path)
        try:
            _check_file(path)
        except ProjectFileError as e:
            raise ProjectFileError(_backup.with_hint(str(e), path)) from None
        # One writer: a second opener gets ProjectLocked (read-only opens take no lock).
        lock = None if read_only else _acquire_lock(path)
        try:
            conn = _connect(path, read_only)
        except sqlite3.Error as e:
            if lock is not None:
                lock.release()
            raise ProjectFileError(f"{path} cannot be opened: {e}") from None
        project = cls(path, conn, read_only)
        project._lock = lock
        try:
            if not read_only:
                _backup.on_open(project)  # before migrating: keeps the old version's state
                project._migrate()
            elif migrations.pending(project.db):
                project._migrate_in_memory()
        except sqlite3.Error as e:
            project.close()
            raise ProjectFileError(
                _backup.with_hint(f"{path} cannot be opened: {e}", path)
            ) from None
        except BaseException:
            project.close()
            raise
        return project

    def worker_connection(self) -> Project:
        """Another connection to this open project, for a worker thread; close it when done.

        It takes no lock (this process holds the project's lock already), makes no backup and
        runs no migration. SQLite connections are per thread, so each worker opens its own.
        """
        if self._memory_uri:
            return Project(self.path, self._memory_connection(), True)
        return Project(self.path, _connect(self.path, self.read_only), self.read_only)

    def _memory_connection(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self._memory_uri, uri=True, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def _migrate_in_memory(self) -> None:
        """Read an older project without changing its file: copy it into memory and migrate
        the copy (the file keeps its schema version, and a newer Coder is never needed)."""
        self._memory_uri = f"file:coder-{new_guid()}?mode=memory&cache=shared"
        memory = self._memory_connection()
        self.db.conn.backup(memory)
        self.db.conn.close()
        self.db = Database(memory, execute_plugins=False)
        self._migrate()
        memory.execute("PRAGMA query_only = ON")

    def _migrate(self) -> None:
        if migrations.pending(self.db):
            migrations.apply(self.db)
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        """Close, leaving one self-contained file (the WAL checkpointed into it)."""
        if self._closed:
            return
        self._closed = True
        conn = self.db.conn
        with contextlib.suppress(sqlite3.Error):
            if not self.read_only and not self._memory_uri:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        lock = getattr(self, "_lock", None)
        if lock is not None:
            lock.release()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def guid(self) -> str:
        return self._meta("project_guid")

    def _meta(self, key: str, default: str = "") -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    # ----------------------------------------------------------------- writing

    @contextlib.contextmanager
    def edit(self) -> Iterator[_Recorder]:
        """One service call: one transaction, recording what it touches.

        Core modules that add services use it too: ``with project.edit() as rec:``, call
        ``rec.touch(...)`` before changing rows and ``rec.created(...)`` after inserting,
        then ``return rec.changes()``.
        """
        if self.read_only:
            raise CoderError(f"{self.path.name} is open read-only; changes are not allowed")
        rec = _Recorder(self.db)
        try:
            with self.db.atomic():
                yield rec
        except sqlite3.IntegrityError as e:
            raise InvalidValue(f"that change would break the project's integrity ({e})") from None
        except sqlite3.OperationalError as e:
            raise CoderError(f"{self.path.name} could not be written: {e}") from None

    def _apply_rows(self, rows: dict[RowKey, dict | None], drop: Iterable[RowKey]) -> None:
        self.db.execute("PRAGMA defer_foreign_keys = ON")
        drop_keys = sorted(drop, key=lambda k: -_TABLE_ORDER.index(k[0]))
        for table, key in drop_keys:
            pk = "key" if table == "meta" else "id"
            self.db.execute(f"DELETE FROM {table} WHERE {pk} = ?", [key])
        keep = [(k, r) for k, r in rows.items() if r is not None]
        keep.sort(key=lambda item: _TABLE_ORDER.index(item[0][0]))
        for (table, _key), row in keep:
            pk = "key" if table == "meta" else "id"
            cols = list(row)
            quoted = ", ".join(f'"{c}"' for c in cols)
            marks = ", ".join("?" for _ in cols)
            updates = ", ".join(f'"{c}" = excluded."{c}"' for c in cols if c != pk)
            self.db.execute(
                f"INSERT INTO {table} ({quoted}) VALUES ({marks}) "
                f"ON CONFLICT({pk}) DO UPDATE SET {updates}",
                [row[c] for c in cols],
            )

    def undo(self, changes: Changes) -> Changes:
        """Put every row ``changes`` touched back as it was before."""
        with self.edit():
            gone = [k for k, row in changes.before.items() if row is None]
            self._apply_rows(changes.before, gone)
        return changes

    def redo(self, changes: Changes) -> Changes:
        """Apply ``changes`` again after :meth:`undo`."""
        with self.edit():
            gone = [k for k, row in changes.after.items() if row is None]
            self._apply_rows(changes.after, gone)
        return changes

    # ----------------------------------------------------------------- coders

    def coders(self) -> list[Coder]:
        return [Coder(**r) for r in self.db.query("SELECT * FROM coders ORDER BY name")]

    def _coder_id(self, rec: _Recorder, name: str | None) -> int:
        name = (name or settings.coder_name()).strip()
        if not name:
            raise InvalidValue("a coder needs a name")
        row = self.db.execute("SELECT id FROM coders WHERE name = ?", [name]).fetchone()
        if row:
            return row[0]
        cid = self.db["coders"].insert({"guid": new_guid(), "name": name}).last_pk
        rec.created("coders", cid)
        return cid

    def add_coder(self, name: str, guid: str | None = None) -> Changes:
        with self.edit() as rec:
            if self.db.execute("SELECT 1 FROM coders WHERE name = ?", [name]).fetchone():
                raise InvalidValue(f"a coder named '{name}' already exists")
            cid = self.db["coders"].insert({"guid": guid or new_guid(), "name": name}).last_pk
            rec.created("coders", cid)
        return rec.changes()

    def find_coder(self, name: str) -> Coder:
        rows = list(self.db.query("SELECT * FROM coders WHERE name = ?", [name]))
        if not rows:
            known = ", ".join(c.name for c in self.coders()) or "none yet"
            raise NotFound(f"no coder named '{name}' (coders: {known})")
        return Coder(**rows[0])

    # ----------------------------------------------------------------- documents

    def _document_lengths(self, where: str = "1", params: Sequence[Any] = ()) -> dict[int, int]:
        """Characters of each document's text, by id.

        Stored text never changes, and counting a long text's characters means reading all of
        it, so lengths are kept once counted. They are keyed by id and GUID: an id that SQLite
        reuses after a deletion belongs to a new GUID and is counted afresh.
        """
        out: dict[int, int] = {}
        missing = []
        for doc_id, guid in self.db.execute(
            f"SELECT id, guid FROM documents WHERE {where}", params
        ):
            n = self._lengths.get((doc_id, guid))
            if n is None:
                missing.append(doc_id)
            else:
                out[doc_id] = n
        for i in range(0, len(missing), 500):
            chunk = missing[i : i + 500]
            marks = ",".join("?" for _ in chunk)
            for doc_id, guid, n in self.db.execute(
                f"SELECT id, guid, length(text) FROM documents WHERE id IN ({marks})", chunk
            ):
                self._lengths[(doc_id, guid)] = out[doc_id] = n
        return out

    def documents(self) -> list[Document]:
        lengths = self._document_lengths()
        sql = """
            SELECT d.id, d.guid, d.name, d.source_name,
                   d.source_format, d.imported_at, d.memo, d.group_name AS "group", d.case_id,
                   c.name AS "case",
                   (SELECT count(*) FROM codings g WHERE g.document_id = d.id) AS codings
            FROM documents d LEFT JOIN cases c ON c.id = d.case_id
            ORDER BY d.group_name, d.name COLLATE NOCASE, d.id
        """
        return [Document(**r, characters=lengths[r["id"]]) for r in self.db.query(sql)]

    def document(self, doc_id: int) -> Document:
        for doc in self._documents_where("d.id = ?", [doc_id]):
            return doc
        raise NotFound(f"no document with id {doc_id}")

    def _documents_where(self, where: str, params: Sequence[Any]) -> list[Document]:
        sql = f"""
            SELECT d.id, d.guid, d.name, d.source_name,
                   d.source_format, d.imported_at, d.memo, d.group_name AS "group", d.case_id,
                   c.name AS "case",
                   (SELECT count(*) FROM codings g WHERE g.document_id = d.id) AS codings
            FROM documents d LEFT JOIN cases c ON c.id = d.case_id WHERE {where}
        """
        rows = list(self.db.query(sql, params))
        lengths = self._document_lengths(
            f"id IN ({','.join('?' for _ in rows) or 'NULL'})", [r["id"] for r in rows]
        )
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

    def document_text(self, doc_id: int) -> str:
        row = self.db.execute("SELECT text FROM documents WHERE id = ?", [doc_id]).fetchone()
        if row is None:
            raise NotFound(f"no document with id {doc_id}")
        return row[0]

    def turns(self, doc_id: int) -> list[Turn]:
        sql = "SELECT * FROM turns WHERE document_id = ? ORDER BY start"
        return [Turn(**r) for r in self.db.query(sql, [doc_id])]

    def _unique_document_name(self, name: str) -> str:
        name = name.strip() or "Untitled"
        taken = {r[0].casefold() for r in self.db.execute("SELECT name FROM documents")}
        if name.casefold() not in taken:
            return name
        n = 2
        while f"{name} ({n})".casefold() in taken:
            n += 1
        return f"{name} ({n})"

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
        from coder.core.text import normalise

        text = normalise(text)
        with self.edit() as rec:
            doc_id = self._insert_document(
                rec, name, text, turns, source_name, source_format, guid, group, memo
            )
            if case:
                case_id = self._case_id(rec, case, create=True)
                self.db.execute("UPDATE documents SET case_id = ? WHERE id = ?", [case_id, doc_id])
        return rec.changes()

    def _insert_document(
        self,
        rec: _Recorder,
        name: str,
        text: str,
        turns: Iterable[Any],
        source_name: str,
        source_format: str,
        guid: str | None,
        group: str = "",
        memo: str = "",
    ) -> int:
        doc_id = (
            self.db["documents"]
            .insert(
                {
                    "guid": guid or new_guid(),
                    "name": self._unique_document_name(name),
                    "text": text,
                    "source_name": source_name,
                    "source_format": source_format,
                    "imported_at": now(),
                    "memo": memo,
                    "group_name": group,
                    "case_id": None,
                }
            )
            .last_pk
        )
        rec.created("documents", doc_id)
        length = len(text)
        rows = [
            (
                doc_id,
                t.speaker,
                t.start,
                t.end,
                getattr(t, "time_start", None),
                getattr(t, "time_end", None),
            )
            for t in turns
            if 0 <= t.start <= t.end <= length
        ]
        if rows:
            first = self.db.execute("SELECT ifnull(max(id), 0) FROM turns").fetchone()[0] + 1
            self.db.conn.executemany(
                'INSERT INTO turns (document_id, speaker, start, "end", time_start, time_end)'
                " VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
            for tid in range(first, first + len(rows)):
                rec.created("turns", tid)
        return doc_id

    def import_file(
        self,
        path: str | Path,
        speakers: str = "auto",
        case_per_document: bool = False,
        name: str | None = None,
    ) -> Changes:
        """Import one file as a new document (one transaction; nothing written on failure)."""
        from coder.core.importers import read_document

        path = Path(path)
        imported = read_document(path, speakers=speakers)
        with self.edit() as rec:
            doc_id = self._insert_document(
                rec,
                name or path.stem,
                imported.text,
                imported.turns,
                path.name,
                imported.format,
                None,
            )
            if case_per_document:
                doc_name = self.db.execute(
                    "SELECT name FROM documents WHERE id = ?", [doc_id]
                ).fetchone()[0]
                case_id = self._case_id(rec, doc_name, create=True)
                self.db.execute("UPDATE documents SET case_id = ? WHERE id = ?", [case_id, doc_id])
        return rec.changes()

    def import_files(
        self,
        paths: Iterable[str | Path],
        speakers: str = "auto",
        case_per_document: bool = False,
        progress: Any = None,
    ) -> ImportReport:
        """Import every good file (one transaction each) and report each failure.

        ``progress(done, total, path)`` is called after each file; returning False cancels.
        """
        paths = [Path(p) for p in paths]
        report = ImportReport()
        for i, path in enumerate(paths):
            try:
                report.changes = report.changes | self.import_file(
                    path, speakers=speakers, case_per_document=case_per_document
                )
                report.imported.append(path)
            except ImportFailed as e:
                report.failed.append((path, str(e)))
            if progress is not None and progress(i + 1, len(paths), path) is False:
                report.cancelled = True
                break
        return report

    def rename_document(self, doc_id: int, name: str) -> Changes:
        name = name.strip()
        if not name:
            raise InvalidValue("a document needs a name")
        with self.edit() as rec:
            if rec.touch_id("documents", doc_id) is None:
                raise NotFound(f"no document with id {doc_id}")
            clash = self.db.execute(
                "SELECT 1 FROM documents WHERE name = ? COLLATE NOCASE AND id <> ?", [name, doc_id]
            ).fetchone()
            if clash:
                raise InvalidValue(f"a document named '{name}' already exists")
            self.db.execute("UPDATE documents SET name = ? WHERE id = ?", [name, doc_id])
        return rec.changes()

    def set_document_fields(
        self, doc_id: int, *, memo: str | None = None, group: str | None = None
    ) -> Changes:
        with self.edit() as rec:
            if rec.touch_id("documents", doc_id) is None:
                raise NotFound(f"no document with id {doc_id}")
            if memo is not None:
                self.db.execute("UPDATE documents SET memo = ? WHERE id = ?", [memo, doc_id])
            if group is not None:
                self.db.execute(
                    "UPDATE documents SET group_name = ? WHERE id = ?", [group.strip(), doc_id]
                )
        return rec.changes()

    def set_document_case(self, doc_id: int, case_id: int | None) -> Changes:
        with self.edit() as rec:
            if rec.touch_id("documents", doc_id) is None:
                raise NotFound(f"no document with id {doc_id}")
            self.db.execute("UPDATE documents SET case_id = ? WHERE id = ?", [case_id, doc_id])
        return rec.changes()

    def delete_document(self, doc_id: int) -> Changes:
        """Delete a document with its turns, codings, case spans and attribute values."""
        with self.edit() as rec:
            for table in (
                "turns", "codings", "case_selections", "attribute_values", "annotations",
                "memo_links",
            ):  # fmt: skip
                rec.touch(table, "document_id = ?", [doc_id])
            rec.touch(
                "memo_links",
                "coding_id IN (SELECT id FROM codings WHERE document_id = ?)",
                [doc_id],
            )
            if rec.touch_id("documents", doc_id) is None:
                raise NotFound(f"no document with id {doc_id}")
            self.db.execute("DELETE FROM documents WHERE id = ?", [doc_id])
        return rec.changes()

    def search(self, query: str, limit: int = 200, context: int = 40) -> list[SearchHit]:
        """Full-text search (FTS5) with keyword-in-context hits in code point offsets."""
        from coder.core.search import search

        return search(self, query, limit=limit, context=context)

    # ----------------------------------------------------------------- codes

    def codes(self) -> list[Code]:
        """All codes in codebook order (depth first), each with its path and depth."""
        rows = [dict(r) for r in self.db.query("SELECT * FROM codes ORDER BY position, name, id")]
        children: dict[int | None, list[dict]] = {}
        for r in rows:
            children.setdefault(r["parent_id"], []).append(r)
        out: list[Code] = []
        seen: set[int] = set()

        def walk(parent: int | None, prefix: str, depth: int) -> None:
            for r in children.get(parent, []):
                if r["id"] in seen:
                    continue
                seen.add(r["id"])
                path = f"{prefix}/{r['name']}" if prefix else r["name"]
                r["codable"] = bool(r["codable"])
                out.append(Code(**r, path=path, depth=depth))
                walk(r["id"], path, depth + 1)

        walk(None, "", 0)
        return out

    def code_tree(self) -> list[CodeNode]:
        nodes: dict[int, CodeNode] = {}
        roots: list[CodeNode] = []
        for code in self.codes():
            node = CodeNode(code)
            nodes[code.id] = node
            if code.parent_id is None:
                roots.append(node)
            else:
                nodes[code.parent_id].children.append(node)
        return roots

    def code(self, code_id: int) -> Code:
        for c in self.codes():
            if c.id == code_id:
                return c
        raise NotFound(f"no code with id {code_id}")

    def find_code(self, name_or_path: str) -> Code:
        """A code by its name when unique in the codebook, or by its path ``Parent/Child``."""
        codes = self.codes()
        by_path = [c for c in codes if c.path == name_or_path]
        if len(by_path) == 1:
            return by_path[0]
        by_name = [c for c in codes if c.name == name_or_path]
        if not by_name:
            by_name = [c for c in codes if c.name.casefold() == name_or_path.casefold()]
        if len(by_name) == 1:
            return by_name[0]
        if len(by_name) > 1:
            paths = ", ".join(c.path for c in by_name)
            raise Ambiguous(f"code name '{name_or_path}' is ambiguous; use a path: {paths}")
        raise NotFound(f"no code named '{name_or_path}'")

    def _descendants(self, code_id: int) -> list[int]:
        sql = """
            WITH RECURSIVE sub(id) AS (
                SELECT id FROM codes WHERE parent_id = ?
                UNION ALL SELECT c.id FROM codes c JOIN sub ON c.parent_id = sub.id
            ) SELECT id FROM sub
        """
        return [r[0] for r in self.db.execute(sql, [code_id])]

    def _check_sibling_name(self, name: str, parent_id: int | None, exclude: int | None) -> None:
        clash = self.db.execute(
            "SELECT 1 FROM codes WHERE ifnull(parent_id, 0) = ifnull(?, 0) AND name = ? "
            "AND id <> ifnull(?, -1)",
            [parent_id, name, exclude],
        ).fetchone()
        if clash:
            where = "at the top level" if parent_id is None else "under the same parent"
            raise InvalidValue(f"a code named '{name}' already exists {where}")

    @staticmethod
    def _clean_code_name(name: str) -> str:
        name = " ".join(name.split()) if isinstance(name, str) else ""
        if not name:
            raise InvalidValue("a code needs a name")
        return name

    def add_code(
        self,
        name: str,
        parent_id: int | None = None,
        color: str | None = None,
        definition: str = "",
        inclusion: str = "",
        exclusion: str = "",
        example: str = "",
        memo: str = "",
        position: int | None = None,
        guid: str | None = None,
        codable: bool = True,
    ) -> Changes:
        """Create a code (last among its siblings unless ``position`` is given); with
        ``codable=False`` a category, which groups codes and is never applied."""
        name = self._clean_code_name(name)
        with self.edit() as rec:
            if parent_id is not None and rec.touch_id("codes", parent_id) is None:
                raise NotFound(f"no parent code with id {parent_id}")
            self._check_sibling_name(name, parent_id, None)
            if color is None:
                count = self.db.execute("SELECT count(*) FROM codes").fetchone()[0]
                color = PALETTE[count % len(PALETTE)]
            color = normalise_color(color)
            siblings = rec.touch("codes", "ifnull(parent_id, 0) = ifnull(?, 0)", [parent_id])
            if position is None or position > len(siblings):
                position = len(siblings)
            self._renumber(parent_id, insert_at=position)
            code_id = (
                self.db["codes"]
                .insert(
                    {
                        "guid": guid or new_guid(),
                        "name": name,
                        "parent_id": parent_id,
                        "position": position,
                        "color": color,
                        "definition": definition,
                        "inclusion": inclusion,
                        "exclusion": exclusion,
                        "example": example,
                        "memo": memo,
                        "created_at": now(),
                        "codable": 1 if codable else 0,
                    }
                )
                .last_pk
            )
            rec.created("codes", code_id)
        return rec.changes()

    def _renumber(
        self, parent_id: int | None, insert_at: int | None = None, skip: int | None = None
    ) -> None:
        """Number siblings 0..n-1 in order, leaving a gap at ``insert_at``."""
        ids = [
            r[0]
            for r in self.db.execute(
                "SELECT id FROM codes WHERE ifnull(parent_id, 0) = ifnull(?, 0) "
                "ORDER BY position, name, id",
                [parent_id],
            )
            if r[0] != skip
        ]
        for i, cid in enumerate(ids):
            pos = i + 1 if insert_at is not None and i >= insert_at else i
            self.db.execute("UPDATE codes SET position = ? WHERE id = ?", [pos, cid])

    def update_code(self, code_id: int, **fields: Any) -> Changes:
        """Rename, recolour, or edit definition, inclusion, exclusion, example and memo; or make
        the code a category (``codable=False``: it groups codes and is never applied)."""
        allowed = {
            "name", "color", "definition", "inclusion", "exclusion", "example", "memo", "codable",
        }  # fmt: skip
        unknown = set(fields) - allowed
        if unknown:
            raise InvalidValue(f"unknown code field(s): {', '.join(sorted(unknown))}")
        with self.edit() as rec:
            row = rec.touch_id("codes", code_id)
            if row is None:
                raise NotFound(f"no code with id {code_id}")
            if "name" in fields:
                fields["name"] = self._clean_code_name(fields["name"])
                self._check_sibling_name(fields["name"], row["parent_id"], code_id)
            if "color" in fields:
                fields["color"] = normalise_color(fields["color"])
            if "codable" in fields:
                fields["codable"] = 1 if fields["codable"] else 0
                if (
                    not fields["codable"]
                    and self.db.execute(
                        "SELECT 1 FROM codings WHERE code_id = ? LIMIT 1", [code_id]
                    ).fetchone()
                ):
                    raise InvalidValue(
                        f"'{row['name']}' has codings: a category cannot hold codings "
                        "(move them to another code first)"
                    )
            if fields:
                self.db["codes"].update(code_id, fields)
        return rec.changes()

    def move_code(
        self, code_id: int, parent_id: int | None, position: int | None = None
    ) -> Changes:
        """Move a code under another parent (None: top level) at a sibling position."""
        with self.edit() as rec:
            row = rec.touch_id("codes", code_id)
            if row is None:
                raise NotFound(f"no code with id {code_id}")
            if parent_id is not None:
                if parent_id == code_id or parent_id in self._descendants(code_id):
                    raise InvalidValue(f"cannot move '{row['name']}' under itself")
                if rec.touch_id("codes", parent_id) is None:
                    raise NotFound(f"no code with id {parent_id}")
            self._check_sibling_name(row["name"], parent_id, code_id)
            rec.touch("codes", "ifnull(parent_id, 0) = ifnull(?, 0)", [row["parent_id"]])
            siblings = rec.touch("codes", "ifnull(parent_id, 0) = ifnull(?, 0)", [parent_id])
            count = len([s for s in siblings if s["id"] != code_id])
            if position is None or position > count:
                position = count
            self._renumber(row["parent_id"], skip=code_id)
            self.db.execute(
                "UPDATE codes SET parent_id = NULL, position = -1 WHERE id = ?", [code_id]
            )
            self._renumber(parent_id, insert_at=position, skip=code_id)
            self.db.execute(
                "UPDATE codes SET parent_id = ?, position = ? WHERE id = ?",
                [parent_id, position, code_id],
            )
        return rec.changes()

    def _unique_sibling_name(self, name: str, parent_id: int | None) -> str:
        taken = {
            r[0]
            for r in self.db.execute(
                "SELECT name FROM codes WHERE ifnull(parent_id, 0) = ifnull(?, 0)", [parent_id]
            )
        }
        if name not in taken:
            return name
        n = 2
        while f"{name} ({n})" in taken:
            n += 1
        return f"{name} ({n})"

    def _move_children_up(self, rec: _Recorder, code_id: int, new_parent: int | None) -> None:
        children = rec.touch("codes", "parent_id = ? ORDER BY position, name, id", [code_id])
        rec.touch("codes", "ifnull(parent_id, 0) = ifnull(?, 0)", [new_parent])
        for child in children:
            name = self._unique_sibling_name(child["name"], new_parent)
            self.db.execute(
                "UPDATE codes SET parent_id = ?, name = ?, position = ? WHERE id = ?",
                [new_parent, name, 1_000_000 + child["position"], child["id"]],
            )

    def delete_code(
        self, code_id: int, children: Literal["delete", "move_up"] | None = None
    ) -> Changes:
        """Delete a code and its codings. A code with sub-codes needs ``children``:
        ``"delete"`` deletes them (and their codings), ``"move_up"`` gives them the
        deleted code's parent (renamed "name (2)" if a sibling already has the name)."""
        with self.edit() as rec:
            row = rec.touch_id("codes", code_id)
            if row is None:
                raise NotFound(f"no code with id {code_id}")
            descendants = self._descendants(code_id)
            if descendants and children not in ("delete", "move_up"):
                raise InvalidValue(
                    f"code '{row['name']}' has sub-codes: choose to delete them or move them up"
                )
            rec.touch("codes", "ifnull(parent_id, 0) = ifnull(?, 0)", [row["parent_id"]])
            doomed = [code_id]
            if children == "move_up":
                self._move_children_up(rec, code_id, row["parent_id"])
            else:
                doomed += descendants
            marks = ",".join("?" for _ in doomed)
            rec.touch("codes", f"id IN ({marks})", doomed)
            rec.touch("codings", f"code_id IN ({marks})", doomed)
            rec.touch(
                "memo_links",
                f"code_id IN ({marks}) OR coding_id IN "
                f"(SELECT id FROM codings WHERE code_id IN ({marks}))",
                doomed + doomed,
            )
            self.db.execute(f"DELETE FROM codings WHERE code_id IN ({marks})", doomed)
            self.db.execute(f"DELETE FROM codes WHERE id IN ({marks})", doomed)
            self._renumber(row["parent_id"])
        return rec.changes()

    def merge_codes(self, source_id: int, target_id: int) -> Changes:
        """Merge ``source`` into ``target``: its codings and sub-codes move, then it is deleted.

        A coding that would duplicate one of the target's (same passage and coder) is dropped.
        """
        if source_id == target_id:
            raise InvalidValue("cannot merge a code into itself")
        with self.edit() as rec:
            src = rec.touch_id("codes", source_id)
            if src is None or rec.touch_id("codes", target_id) is None:
                raise NotFound("both codes of a merge must exist")
            if target_id in self._descendants(source_id):
                raise InvalidValue("cannot merge a code into one of its own sub-codes")
            rec.touch("codings", "code_id = ?", [source_id])
            rec.touch(
                "memo_links",
                "code_id = ? OR coding_id IN (SELECT id FROM codings WHERE code_id = ?)",
                [source_id, source_id],
            )
            # A memo linked to both codes keeps one link, to the target.
            self.db.execute(
                "UPDATE OR IGNORE memo_links SET code_id = ? WHERE code_id = ?",
                [target_id, source_id],
            )
            self.db.execute("DELETE FROM memo_links WHERE code_id = ?", [source_id])
            self.db.execute(
                """DELETE FROM codings WHERE code_id = ? AND EXISTS (
                       SELECT 1 FROM codings t WHERE t.code_id = ? AND t.document_id = codings.document_id
                       AND t.start = codings.start AND t."end" = codings."end"
                       AND t.coder_id = codings.coder_id)""",
                [source_id, target_id],
            )
            self.db.execute(
                "UPDATE codings SET code_id = ? WHERE code_id = ?", [target_id, source_id]
            )
            self._move_children_up(rec, source_id, target_id)
            self._renumber(target_id)
            rec.touch("codes", "ifnull(parent_id, 0) = ifnull(?, 0)", [src["parent_id"]])
            self.db.execute("DELETE FROM codes WHERE id = ?", [source_id])
            self._renumber(src["parent_id"])
        return rec.changes()

    # ----------------------------------------------------------------- codings

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
            FROM codings g JOIN documents d ON d.id = g.document_id
            JOIN coders k ON k.id = g.coder_id JOIN codes c ON c.id = g.code_id
            WHERE {" AND ".join(where)}
            ORDER BY d.name COLLATE NOCASE, g.document_id, g.start, g."end", g.id
        """
        paths = {c.id: c.path for c in self.codes()}
        return [
            Coding(**r, code_path=paths.get(r["code_id"], "")) for r in self.db.query(sql, params)
        ]

    def coding(self, coding_id: int) -> Coding:
        rows = list(self.db.query("SELECT * FROM codings WHERE id = ?", [coding_id]))
        if not rows:
            raise NotFound(f"no coding with id {coding_id}")
        return Coding(
            **{k: v for k, v in rows[0].items() if k != "coder_id"}, coder_id=rows[0]["coder_id"]
        )

    def _check_range(self, doc_id: int, start: int, end: int) -> None:
        length = self._document_lengths("id = ?", [doc_id]).get(doc_id)
        if length is None:
            raise NotFound(f"no document with id {doc_id}")
        if not (isinstance(start, int) and isinstance(end, int)) or not 0 <= start < end <= length:
            raise InvalidValue(
                f"passage {start}-{end} is not inside the document (0-{length}, end after start)"
            )

    def _check_codable(self, code_id: int) -> None:
        row = self.db.execute("SELECT name, codable FROM codes WHERE id = ?", [code_id]).fetchone()
        if row is None:
            raise NotFound(f"no code with id {code_id}")
        if not row[1]:
            raise InvalidValue(
                f"'{row[0]}' is a category: it groups codes and cannot be applied to text"
            )

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
        with self.edit() as rec:
            self._check_range(doc_id, start, end)
            self._check_codable(code_id)
            coder_id = self._coder_id(rec, coder)
            cur = self.db.execute(
                'INSERT INTO codings (guid, document_id, code_id, coder_id, start, "end", '
                "created_at, memo) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [guid or new_guid(), doc_id, code_id, coder_id, start, end, now(), memo],
            )
            rec.created("codings", cur.lastrowid)
        return rec.changes()

    def remove_coding(self, coding_id: int) -> Changes:
        with self.edit() as rec:
            rec.touch("memo_links", "coding_id = ?", [coding_id])
            if rec.touch_id("codings", coding_id) is None:
                raise NotFound(f"no coding with id {coding_id}")
            self.db.execute("DELETE FROM codings WHERE id = ?", [coding_id])
        return rec.changes()

    def resize_coding(self, coding_id: int, start: int, end: int) -> Changes:
        with self.edit() as rec:
            row = rec.touch_id("codings", coding_id)
            if row is None:
                raise NotFound(f"no coding with id {coding_id}")
            self._check_range(row["document_id"], start, end)
            self.db.execute(
                'UPDATE codings SET start = ?, "end" = ? WHERE id = ?', [start, end, coding_id]
            )
        return rec.changes()

    def recode(self, coding_id: int, code_id: int) -> Changes:
        with self.edit() as rec:
            if rec.touch_id("codings", coding_id) is None:
                raise NotFound(f"no coding with id {coding_id}")
            self._check_codable(code_id)
            self.db.execute("UPDATE codings SET code_id = ? WHERE id = ?", [code_id, coding_id])
        return rec.changes()

    def set_coding_memo(self, coding_id: int, memo: str) -> Changes:
        with self.edit() as rec:
            if rec.touch_id("codings", coding_id) is None:
                raise NotFound(f"no coding with id {coding_id}")
            self.db.execute("UPDATE codings SET memo = ? WHERE id = ?", [memo, coding_id])
        return rec.changes()

    # ----------------------------------------------------------------- memos

    @property
    def memo(self) -> str:
        return self._meta("memo")

    def set_project_memo(self, text: str) -> Changes:
        with self.edit() as rec:
            rec.touch_id("meta", "memo")
            self.db.execute(
                "INSERT INTO meta (key, value) VALUES ('memo', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [text],
            )
        return rec.changes()

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
        with self.edit() as rec:
            stamp = now()
            mid = self.db["memos"].insert(
                {"guid": guid or new_guid(), "title": title, "text": text,
                 "created_at": stamp, "modified_at": stamp,
                 "coder_id": None if coder is None else self._coder_id(rec, coder)}
            ).last_pk  # fmt: skip
            rec.created("memos", mid)
        return rec.changes()

    def update_memo(
        self, memo_id: int, title: str | None = None, text: str | None = None
    ) -> Changes:
        with self.edit() as rec:
            if rec.touch_id("memos", memo_id) is None:
                raise NotFound(f"no memo with id {memo_id}")
            fields: dict[str, str] = {"modified_at": now()}
            if title is not None:
                fields["title"] = title
            if text is not None:
                fields["text"] = text
            self.db["memos"].update(memo_id, fields)
        return rec.changes()

    def delete_memo(self, memo_id: int) -> Changes:
        with self.edit() as rec:
            rec.touch("memo_links", "memo_id = ?", [memo_id])
            if rec.touch_id("memos", memo_id) is None:
                raise NotFound(f"no memo with id {memo_id}")
            self.db.execute("DELETE FROM memos WHERE id = ?", [memo_id])
        return rec.changes()

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
        with self.edit() as rec:
            if rec.touch_id("memos", memo_id) is None:
                raise NotFound(f"no memo with id {memo_id}")
            if not self.db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [key]).fetchone():
                raise NotFound(f"no {table[:-1]} with id {key}")
            cur = self.db.execute(
                f"INSERT OR IGNORE INTO memo_links (memo_id, {column}) VALUES (?, ?)",
                [memo_id, key],
            )
            if cur.rowcount:
                rec.created("memo_links", cur.lastrowid)
        return rec.changes()

    def unlink_memo(self, link_id: int) -> Changes:
        with self.edit() as rec:
            if rec.touch_id("memo_links", link_id) is None:
                raise NotFound(f"no memo link with id {link_id}")
            self.db.execute("DELETE FROM memo_links WHERE id = ?", [link_id])
        return rec.changes()

    # ----------------------------------------------------------------- annotations

    def annotations(self, document_id: int | None = None) -> list[Annotation]:
        """Annotations in document and position order, with their authors' names."""
        where, params = "1", []
        if document_id is not None:
            where, params = "a.document_id = ?", [document_id]
        sql = f"""
            SELECT a.*, k.name AS coder FROM annotations a JOIN coders k ON k.id = a.coder_id
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
        with self.edit() as rec:
            self._check_range(doc_id, start, end)
            coder_id = self._coder_id(rec, coder)
            stamp = now()
            cur = self.db.execute(
                'INSERT INTO annotations (guid, document_id, coder_id, start, "end", text, '
                "created_at, modified_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [guid or new_guid(), doc_id, coder_id, start, end, text,
                 created_at or stamp, stamp],
            )  # fmt: skip
            rec.created("annotations", cur.lastrowid)
        return rec.changes()

    def update_annotation(
        self,
        annotation_id: int,
        text: str | None = None,
        start: int | None = None,
        end: int | None = None,
    ) -> Changes:
        """Change an annotation's text or the passage it is anchored to."""
        with self.edit() as rec:
            row = rec.touch_id("annotations", annotation_id)
            if row is None:
                raise NotFound(f"no annotation with id {annotation_id}")
            new_start = row["start"] if start is None else start
            new_end = row["end"] if end is None else end
            self._check_range(row["document_id"], new_start, new_end)
            self.db.execute(
                'UPDATE annotations SET text = ?, start = ?, "end" = ?, modified_at = ? '
                "WHERE id = ?",
                [row["text"] if text is None else text, new_start, new_end, now(),
                 annotation_id],
            )  # fmt: skip
        return rec.changes()

    def delete_annotation(self, annotation_id: int) -> Changes:
        with self.edit() as rec:
            if rec.touch_id("annotations", annotation_id) is None:
                raise NotFound(f"no annotation with id {annotation_id}")
            self.db.execute("DELETE FROM annotations WHERE id = ?", [annotation_id])
        return rec.changes()

    # ----------------------------------------------------------------- cases

    def cases(self) -> list[Case]:
        sql = """
            SELECT c.*, (SELECT count(*) FROM documents d WHERE d.case_id = c.id) AS documents
            FROM cases c ORDER BY c.name COLLATE NOCASE, c.id
        """
        return [Case(**r) for r in self.db.query(sql)]

    def find_case(self, name: str) -> Case:
        for case in self.cases():
            if case.name == name:
                return case
        raise NotFound(f"no case named '{name}'")

    def _case_id(self, rec: _Recorder, name: str, create: bool) -> int:
        name = name.strip()
        if not name:
            raise InvalidValue("a case needs a name")
        row = self.db.execute("SELECT id FROM cases WHERE name = ?", [name]).fetchone()
        if row:
            return row[0]
        if not create:
            raise NotFound(f"no case named '{name}'")
        cid = self.db["cases"].insert({"guid": new_guid(), "name": name, "memo": ""}).last_pk
        rec.created("cases", cid)
        return cid

    def add_case(self, name: str, memo: str = "", guid: str | None = None) -> Changes:
        with self.edit() as rec:
            name = name.strip()
            if not name:
                raise InvalidValue("a case needs a name")
            if self.db.execute("SELECT 1 FROM cases WHERE name = ?", [name]).fetchone():
                raise InvalidValue(f"a case named '{name}' already exists")
            cid = (
                self.db["cases"]
                .insert({"guid": guid or new_guid(), "name": name, "memo": memo})
                .last_pk
            )
            rec.created("cases", cid)
        return rec.changes()

    def update_case(
        self, case_id: int, name: str | None = None, memo: str | None = None
    ) -> Changes:
        with self.edit() as rec:
            if rec.touch_id("cases", case_id) is None:
                raise NotFound(f"no case with id {case_id}")
            if name is not None:
                name = name.strip()
                if not name:
                    raise InvalidValue("a case needs a name")
                clash = self.db.execute(
                    "SELECT 1 FROM cases WHERE name = ? AND id <> ?", [name, case_id]
                ).fetchone()
                if clash:
                    raise InvalidValue(f"a case named '{name}' already exists")
                self.db.execute("UPDATE cases SET name = ? WHERE id = ?", [name, case_id])
            if memo is not None:
                self.db.execute("UPDATE cases SET memo = ? WHERE id = ?", [memo, case_id])
        return rec.changes()

    def delete_case(self, case_id: int) -> Changes:
        """Delete a case; its documents stay (unlinked), its attribute values go."""
        with self.edit() as rec:
            rec.touch("documents", "case_id = ?", [case_id])
            rec.touch("case_selections", "case_id = ?", [case_id])
            rec.touch("memo_links", "case_id = ?", [case_id])
            rec.touch("attribute_values", "case_id = ?", [case_id])
            if rec.touch_id("cases", case_id) is None:
                raise NotFound(f"no case with id {case_id}")
            self.db.execute("DELETE FROM cases WHERE id = ?", [case_id])
        return rec.changes()

    def case_selections(self, case_id: int | None = None) -> list[CaseSelection]:
        sql = "SELECT * FROM case_selections"
        params: list[Any] = []
        if case_id is not None:
            sql += " WHERE case_id = ?"
            params.append(case_id)
        return [CaseSelection(**r) for r in self.db.query(sql + " ORDER BY id", params)]

    def add_case_selection(self, case_id: int, doc_id: int, start: int, end: int) -> Changes:
        """Link a passage (not a whole document) to a case."""
        with self.edit() as rec:
            self._check_range(doc_id, start, end)
            if rec.touch_id("cases", case_id) is None:
                raise NotFound(f"no case with id {case_id}")
            sid = (
                self.db["case_selections"]
                .insert({"case_id": case_id, "document_id": doc_id, "start": start, "end": end})
                .last_pk
            )
            rec.created("case_selections", sid)
        return rec.changes()

    # ----------------------------------------------------------------- attributes

    def attributes(self, scope: str | None = None) -> list[Attribute]:
        sql, params = "SELECT * FROM attributes", []
        if scope:
            sql += " WHERE scope = ?"
            params.append(scope)
        return [
            Attribute(**r) for r in self.db.query(sql + " ORDER BY scope, position, id", params)
        ]

    def find_attribute(self, name: str, scope: str | None = None) -> Attribute:
        matches = [a for a in self.attributes(scope) if a.name == name]
        if not matches:
            matches = [a for a in self.attributes(scope) if a.name.casefold() == name.casefold()]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise Ambiguous(f"attribute '{name}' exists for cases and documents; say which")
        raise NotFound(f"no attribute named '{name}'")

    def add_attribute(
        self, name: str, scope: str = "case", type: str = "text", guid: str | None = None
    ) -> Changes:
        name = name.strip()
        if not name:
            raise InvalidValue("an attribute needs a name")
        if scope not in ("case", "document"):
            raise InvalidValue(f"attribute scope must be 'case' or 'document', not '{scope}'")
        if type not in ATTRIBUTE_TYPES:
            raise InvalidValue(f"attribute type must be one of {', '.join(ATTRIBUTE_TYPES)}")
        with self.edit() as rec:
            clash = self.db.execute(
                "SELECT 1 FROM attributes WHERE scope = ? AND name = ?", [scope, name]
            ).fetchone()
            if clash:
                raise InvalidValue(f"a {scope} attribute named '{name}' already exists")
            pos = self.db.execute(
                "SELECT count(*) FROM attributes WHERE scope = ?", [scope]
            ).fetchone()[0]
            aid = self.db["attributes"].insert(
                {"guid": guid or new_guid(), "name": name, "scope": scope, "type": type,
                 "position": pos}
            ).last_pk  # fmt: skip
            rec.created("attributes", aid)
        return rec.changes()

    def delete_attribute(self, attribute_id: int) -> Changes:
        with self.edit() as rec:
            rec.touch("attribute_values", "attribute_id = ?", [attribute_id])
            if rec.touch_id("attributes", attribute_id) is None:
                raise NotFound(f"no attribute with id {attribute_id}")
            self.db.execute("DELETE FROM attributes WHERE id = ?", [attribute_id])
        return rec.changes()

    def set_attribute_value(self, attribute_id: int, owner_id: int, value: Any) -> Changes:
        """Set (or clear, with None or "") an attribute's value on a case or a document."""
        from coder.core.attributes import canonical_value

        with self.edit() as rec:
            self._set_attribute_value(rec, attribute_id, owner_id, value, canonical_value)
        return rec.changes()

    def _set_attribute_value(
        self, rec: _Recorder, attribute_id: int, owner_id: int, value: Any, canonical: Any
    ) -> None:
        attr = self.db.execute(
            "SELECT scope, type, name FROM attributes WHERE id = ?", [attribute_id]
        ).fetchone()
        if attr is None:
            raise NotFound(f"no attribute with id {attribute_id}")
        scope, type_, name = attr
        owner_table = "cases" if scope == "case" else "documents"
        if not self.db.execute(f"SELECT 1 FROM {owner_table} WHERE id = ?", [owner_id]).fetchone():
            raise NotFound(f"no {scope} with id {owner_id}")
        col = "case_id" if scope == "case" else "document_id"
        rec.touch("attribute_values", f"attribute_id = ? AND {col} = ?", [attribute_id, owner_id])
        self.db.execute(
            f"DELETE FROM attribute_values WHERE attribute_id = ? AND {col} = ?",
            [attribute_id, owner_id],
        )
        if value is None or (isinstance(value, str) and not value.strip()):
            return
        stored = canonical(value, type_, name)
        cur = self.db.execute(
            f"INSERT INTO attribute_values (attribute_id, {col}, value) VALUES (?, ?, ?)",
            [attribute_id, owner_id, stored],
        )
        rec.created("attribute_values", cur.lastrowid)

    def attribute_values(self, scope: str = "case") -> dict[int, dict[str, str]]:
        """``{owner id: {attribute name: stored value}}`` for cases or documents."""
        col = "case_id" if scope == "case" else "document_id"
        sql = f"""
            SELECT v.{col} AS owner, a.name, v.value FROM attribute_values v
            JOIN attributes a ON a.id = v.attribute_id WHERE a.scope = ? ORDER BY a.position
        """
        out: dict[int, dict[str, str]] = {}
        for owner, name, value in self.db.execute(sql, [scope]):
            out.setdefault(owner, {})[name] = value
        return out

    def import_attributes(self, path: str | Path) -> Changes:
        """Import a CSV/XLSX table: first column names a case (or document), others attributes.

        Rows naming an existing document but no case set document attributes; other rows
        create or update cases. Types are inferred per column. One transaction.
        """
        from coder.core.attributes import import_table

        return import_table(self, Path(path))


@dataclass
class ImportReport:
    imported: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)
    cancelled: bool = False
