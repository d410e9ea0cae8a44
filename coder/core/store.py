"""The unit of work: one connection to a project and the one way to write to it.

Every write happens inside ``with store.edit() as edit:`` (one transaction; a nested edit is a
savepoint). While a connection has edited, temporary triggers on every project table log the
old row of each UPDATE and DELETE and the key of each INSERT into a temporary table, including
rows changed by ``ON DELETE CASCADE``/``SET NULL`` and by any service called inside the edit.
``edit.changes()`` reads that log: the rows as they were before the edit and as they are now,
so ``store.undo(changes)`` and ``store.redo(changes)`` are exact for every writer, ids included,
without any writer having to say what it is about to touch.

Three writes are logged differently, as one step each however many rows they touch, in one
statement that the triggers leave alone. :meth:`Store.shift` moves every text block of a
document after a position by the same amount (an edit of its text; the passages anchored in
those blocks move with them, unwritten), logged as a :class:`Shift` that undo takes back the
same way. :meth:`Store.retext` records what an edit of a text replaced, as a :class:`Retext`
for the views (the text itself is in the rows of its blocks, logged like any row).
:meth:`Store.insert_rows` inserts many rows into one table (the turns of an imported
transcript), logged as a :class:`Bulk`: the range of their new keys, nothing read or copied;
undo reads those rows once, as it deletes them by that range, and redo writes exactly them
back, keys included. A shift updates while the quiet table has a row, which the triggers
check; for a bulk step the table's triggers are dropped meanwhile, since a trigger costs as
much as the row it fires for even when it logs nothing.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import itertools
import json
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from coder.core import blocks, swaps
from coder.core.anchors import PASSAGE_TABLES, anchored
from coder.core.changes import Bulk, Changes, Retext, RowKey, Shift, Step
from coder.core.errors import CoderError, InvalidValue, NotFound, database_problem

_LOG = "coder_undo_log"
_QUIET = "coder_undo_quiet"  # while it has a row, updates are not logged row by row
_SHIFT = 2  # a log entry's ``created`` for a shift: c0 document, c1 after, c2 delta
_RETEXT = 3  # for a text edit: c0 document, c1 its edits and c2 its revisions, as JSON
_BULK = 4  # for rows inserted in bulk: c0 the first key, c1 the last
_JSON_EXACT = {int, str, type(None)}  # the values JSON takes into SQLite unchanged


def now() -> str:
    """The current time as stored in projects: UTC, ISO 8601, whole seconds."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def new_guid() -> str:
    return str(uuid.uuid4())


def project_tables(db: Database) -> list[str]:
    """The tables that hold project data, parents before the tables that refer to them.

    Full-text index tables are left out (triggers keep them in step with ``documents``), and
    so is bookkeeping such as ``_sqlite_migrations``.
    """
    rows = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY rowid"
    ).fetchall()
    virtual = [name for name, sql in rows if (sql or "").upper().startswith("CREATE VIRTUAL")]
    names = [
        name
        for name, _sql in rows
        if name not in virtual
        and not name.startswith("_")
        and not any(name.startswith(f"{v}_") for v in virtual)
    ]
    parents = {
        name: {r[2] for r in db.execute(f'PRAGMA foreign_key_list("{name}")')} - {name}
        for name in names
    }
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and parents[n] <= set(ordered)]
        if not ready:  # a cycle between tables: keep the schema's order for the rest
            ready = [n for n in names if n not in ordered]
        ordered += ready
    return ordered


class _UndoLog:
    """The temporary log table and the triggers that fill it, on one connection."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.tables = project_tables(db)
        self.columns: dict[str, list[str]] = {}
        self.keys: dict[str, str] = {}
        for table in self.tables:
            info = db.execute(f'PRAGMA table_info("{table}")').fetchall()
            self.columns[table] = [r[1] for r in info]
            pk = [r[1] for r in info if r[5]]
            self.keys[table] = pk[0] if len(pk) == 1 else "rowid"
        self.unique = {table: swaps.unique_columns(db, table) for table in self.tables}
        # (column, parent table, parent column) of each table; (child table, column) referring
        self.parents: dict[str, list[tuple[str, str, str]]] = {t: [] for t in self.tables}
        self.children: dict[str, list[tuple[str, str]]] = {t: [] for t in self.tables}
        for table in self.tables:
            for ref in db.execute(f'PRAGMA foreign_key_list("{table}")').fetchall():
                parent, column, target = ref[2], ref[3], ref[4] or self.keys.get(ref[2], "rowid")
                if parent in self.children:
                    self.parents[table].append((column, parent, target))
                    self.children[parent].append((table, column))
        width = max(len(c) for c in self.columns.values())
        self.slots = slots = ", ".join(f"c{i}" for i in range(width))
        db.execute("PRAGMA recursive_triggers = ON")  # REPLACE's deletions are logged too
        db.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_LOG} (seq INTEGER PRIMARY KEY, "
            f"tbl TEXT NOT NULL, key, created INTEGER NOT NULL, {slots})"
        )
        db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_QUIET} (on_ INTEGER)")
        for table in self.tables:
            self._triggers(table)

    def _triggers(self, table: str) -> None:
        cols = self.columns[table]
        key = self.keys[table]
        slots = ", ".join(f"c{i}" for i in range(len(cols)))
        old = ", ".join(f'OLD."{c}"' for c in cols)
        for event in ("UPDATE", "DELETE"):
            when = f"WHEN NOT EXISTS (SELECT 1 FROM temp.{_QUIET}) " if event == "UPDATE" else ""
            self.db.execute(
                f"CREATE TEMP TRIGGER IF NOT EXISTS coder_undo_{table}_{event.lower()} "
                f'BEFORE {event} ON main."{table}" {when}BEGIN '
                f"INSERT INTO {_LOG} (tbl, key, created, {slots}) "
                f"VALUES ('{table}', OLD.\"{key}\", 0, {old}); END"
            )
        self.db.execute(
            f"CREATE TEMP TRIGGER IF NOT EXISTS coder_undo_{table}_insert "
            f'AFTER INSERT ON main."{table}" BEGIN '
            f"INSERT INTO {_LOG} (tbl, key, created) VALUES ('{table}', NEW.\"{key}\", 1); END"
        )

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        """Updates in this block are not logged row by row (the caller logs them as a step)."""
        self.db.execute(f"INSERT INTO {_QUIET} VALUES (1)")
        try:
            yield
        finally:
            self.db.execute(f"DELETE FROM {_QUIET}")

    @contextlib.contextmanager
    def unlogged(self, table: str) -> Iterator[None]:
        """Writes to ``table`` in this block are not logged (the caller logs them as a step):
        its triggers are dropped meanwhile, since even a trigger that logs nothing costs as
        much as the insert of a row."""
        for event in ("insert", "update", "delete"):
            self.db.execute(f"DROP TRIGGER IF EXISTS temp.coder_undo_{table}_{event}")
        try:
            yield
        finally:
            self._triggers(table)

    def insert_rows(self, table: str, columns: list[str], rows: Iterable[Sequence[Any]]) -> int:
        """Insert ``rows`` (values of ``columns``, the key left to SQLite) in one statement,
        logged as one :class:`Bulk` step: the range of their keys. How many were inserted.

        New keys follow the largest one in the table, so with this connection the only writer
        the rows inserted are exactly those with keys above it.
        """
        key = self.keys[table]
        assert key not in columns, "rows inserted in bulk get their keys from SQLite"
        top = f'SELECT ifnull(max("{key}"), 0) FROM "{table}"'
        before = self.db.execute(top).fetchone()[0]
        with self.unlogged(table):
            _insert_many(self.db, table, columns, rows)
        last = self.db.execute(top).fetchone()[0]
        new = self.db.execute(f'SELECT count(*) FROM "{table}" WHERE "{key}" > ?', [before])
        if new.fetchone()[0] != last - before:  # SQLite ran out of keys above: not a range
            raise RuntimeError(f"the rows inserted into {table} do not have consecutive keys")
        if last > before:
            self.db.execute(
                f"INSERT INTO {_LOG} (tbl, key, created, c0, c1) VALUES (?, NULL, ?, ?, ?)",
                [table, _BULK, before + 1, last],
            )
        return last - before

    def bulk(self, step: Bulk) -> None:
        """Insert the rows of ``step`` again, or delete them (reading them first, for a redo),
        unlogged."""
        table, key = step.table, self.keys[step.table]
        cols = self.columns[table] if key in self.columns[table] else [key, *self.columns[table]]
        quoted = ", ".join(f'"{c}"' for c in cols)
        where = f'WHERE "{key}" BETWEEN ? AND ?'
        span = [step.first, step.last]
        with self.unlogged(table):
            if not step.inserted:
                rows = self.db.execute(f'SELECT {quoted} FROM "{table}" {where}', span).fetchall()
                if len(rows) != len(step):
                    raise InvalidValue(f"some of the {table} rows to remove are gone already")
                step.rows[:] = rows
                self.db.execute(f'DELETE FROM "{table}" {where}', span)
            elif step.rows:  # (a step never removed has its rows in place still)
                _insert_many(self.db, table, cols, step.rows)

    def last(self) -> int:
        return self.db.execute(f"SELECT ifnull(max(seq), 0) FROM {_LOG}").fetchone()[0]

    def clear(self) -> None:
        self.db.execute(f"DELETE FROM {_LOG}")

    def shift(self, table: str, document_id: int, after: int, delta: int) -> None:
        """Move the rows of ``table`` (text blocks) in a document starting after ``after`` by
        ``delta``, in one statement the triggers leave alone, logged as one step."""
        with self.quiet():
            self.db.execute(
                f'UPDATE "{table}" SET start = start + ? WHERE document_id = ? AND start > ?',
                [delta, document_id, after],
            )
        self.db.execute(
            f"INSERT INTO {_LOG} (tbl, key, created, c0, c1, c2) VALUES (?, NULL, ?, ?, ?, ?)",
            [table, _SHIFT, document_id, after, delta],
        )

    def retext(self, step: Retext) -> None:
        """Record that a document's text was edited by ``step``: one entry for the views (the
        blocks of the text are written, and logged, as rows)."""
        self.db.execute(
            f"INSERT INTO {_LOG} (tbl, key, created, c0, c1, c2) VALUES (?, NULL, ?, ?, ?, ?)",
            [
                "documents",
                _RETEXT,
                step.document_id,
                json.dumps(step.edits, ensure_ascii=False),
                json.dumps(step.revision),
            ],
        )

    def changes(self, first: int, last: int) -> Changes:
        """The rows logged after ``first`` up to ``last``, as they were then and are now; with
        shifts among them, the steps in order, each row step as it was before and after it."""
        span = [first, last]
        entries = self.db.execute(
            f"SELECT tbl, key, created, seq FROM {_LOG} WHERE seq > ? AND seq <= ? ORDER BY seq",
            span,
        ).fetchall()
        old: dict[int, tuple] | None = None  # logged old rows by seq, read only if there are any

        def was(table: str, created: int, seq: int) -> dict | None:
            nonlocal old
            if created:
                return None
            if old is None:
                where = "created = 0 AND seq > ? AND seq <= ?"
                sql = f"SELECT seq, {self.slots} FROM {_LOG} WHERE {where}"
                old = {r[0]: r[1:] for r in self.db.execute(sql, span)}
            return dict(zip(self.columns[table], old[seq], strict=False))

        # steps: a dict of rows as they were when first logged in it, or a Shift, Retext, Bulk
        steps: list[dict[RowKey, dict | None] | Shift | Retext | Bulk] = [{}]
        shifts: dict[int, Shift | Retext | Bulk] = {}
        for seq, table, created, c0, c1, c2 in self.db.execute(
            f"SELECT seq, tbl, created, c0, c1, c2 FROM {_LOG} WHERE created >= ? "
            "AND seq > ? AND seq <= ?",
            [_SHIFT, *span],
        ):
            if created == _SHIFT:
                shifts[seq] = Shift(table, c0, c1, c2)
            elif created == _BULK:
                shifts[seq] = Bulk(table, c0, c1)
            else:
                edits = tuple((a, o, n) for a, o, n in json.loads(c1))
                shifts[seq] = Retext(c0, edits, tuple(json.loads(c2)))
        for table, key, created, seq in entries:
            if created >= _SHIFT:
                steps += [shifts[seq], {}]
                continue
            rows = steps[-1]
            assert isinstance(rows, dict)
            if (table, key) not in rows:  # the earliest state wins
                rows[(table, key)] = was(table, created, seq)
        keys = {k for step in steps if isinstance(step, dict) for k in step}
        now = self.rows(keys)
        if not shifts:
            before = steps[0]
            assert isinstance(before, dict)
            return _touched(before, now)
        return self._steps(steps, now)

    def _steps(
        self, steps: list[dict[RowKey, dict | None] | Shift | Retext | Bulk], now: dict
    ) -> Changes:
        """Changes of several steps: a row step ends as the row is next seen (first logged in
        a later step, or now), with the shifts in between taken back. A row first inserted in
        a bulk step did not exist before."""
        out: list[Step] = []
        before: dict[RowKey, dict | None] = {}
        for i, step in enumerate(steps):
            if not isinstance(step, dict):
                out.append(step)
                continue
            between: list[Shift] = []
            ends: dict[RowKey, dict | None] = {}
            pending = set(step)
            for later in steps[i + 1 :]:
                if isinstance(later, Shift):
                    between.append(later)
                    continue
                if not isinstance(later, dict):
                    continue
                for key in pending & later.keys():
                    ends[key] = _unshift(key[0], later[key], between)
                pending -= later.keys()
            for key in pending:
                ends[key] = _unshift(key[0], now[key], between)
            part = _touched(step, ends)
            if part:
                out.append(part)
            earlier = [x for x in out if isinstance(x, Shift)]
            bulks = [x for x in out if isinstance(x, Bulk)]
            for key, row in part.before.items():
                if key in before:
                    continue
                if any(b.table == key[0] and key[1] in b.keys() for b in bulks):
                    before[key] = None
                else:
                    before[key] = _unshift(key[0], row, earlier)
        after = {k: now[k] for k in before}
        shifts = tuple(s for s in out if isinstance(s, Shift))
        return Changes(before, after, shifts, tuple(out))

    def rows(self, keys: Iterable[RowKey]) -> dict[RowKey, dict | None]:
        """The current rows of these keys (None for a row that does not exist).

        A few queries however many rows: a dense run of integer keys (the turns of an imported
        transcript, the codings of a merge) is read as one range, others 500 at a time.
        """
        keys = list(keys)
        by_table: dict[str, list[Any]] = {}
        for table, key in keys:
            by_table.setdefault(table, []).append(key)
        found: dict[RowKey, dict] = {}
        for table, table_keys in by_table.items():
            pk = self.keys[table]
            names = self.columns[table]
            cols = ", ".join(f'"{c}"' for c in names)
            select = f'SELECT {cols}, "{pk}" FROM "{table}"'
            for where, params in _key_ranges(pk, table_keys):
                for row in self.db.execute(f"{select} WHERE {where}", params):
                    found[(table, row[-1])] = dict(zip(names, row, strict=False))
        return {k: found.get(k) for k in keys}


def _insert_many(
    db: Database, table: str, columns: list[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Insert rows of values of ``columns`` into ``table``: as one JSON array read by one
    statement when JSON carries every value exactly (integers, text without NUL, NULL), at
    half the cost of a statement per row; row by row otherwise (SQLite's JSON reading may
    round a float by one unit in the last place)."""
    rows = rows if isinstance(rows, list) else list(rows)
    quoted = ", ".join(f'"{c}"' for c in columns)
    data = None
    if set(map(type, itertools.chain.from_iterable(rows))) <= _JSON_EXACT:
        data = json.dumps(rows, ensure_ascii=False, check_circular=False, separators=(",", ":"))
    if data is None or "\\u0000" in data:
        marks = ", ".join("?" for _ in columns)
        db.conn.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', rows)
        return
    values = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(columns)))
    db.execute(f'INSERT INTO "{table}" ({quoted}) SELECT {values} FROM json_each(?)', [data])


def _touched(before: dict[RowKey, dict | None], after: dict[RowKey, dict | None]) -> Changes:
    """The rows that differ."""
    keys = [k for k in before if before[k] != after[k]]
    return Changes({k: before[k] for k in keys}, {k: after[k] for k in keys})


def _unshift(table: str, row: dict | None, shifts: list[Shift]) -> dict | None:
    """A row as it was before ``shifts`` (which may have moved it)."""
    for shift in reversed(shifts):
        if row is None or table != shift.table:
            continue
        if shift.inverse().moves(table, row["document_id"], row["start"]):
            row = {**row, "start": row["start"] - shift.delta}
    return row


def _key_ranges(pk: str, keys: list[Any]) -> Iterator[tuple[str, list[Any]]]:
    """WHERE clauses that find ``keys``: a BETWEEN for a dense run of integers (the rows of one
    bulk insert), IN lists of 500 otherwise. A range may find rows not asked for: harmless, the
    caller picks the keys it wants."""
    if len(keys) > 50 and set(map(type, keys)) == {int}:
        low, high = min(keys), max(keys)
        if high - low < 2 * len(keys):
            yield f'"{pk}" BETWEEN ? AND ?', [low, high]
            return
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        yield f'"{pk}" IN ({",".join("?" for _ in chunk)})', chunk


class Edit:
    """One edit in progress (or done): :meth:`changes` says what it changed."""

    def __init__(self, store: Store, log: _UndoLog) -> None:
        self._store = store
        self._log = log
        self._generation = store._generation
        self._first = log.last()
        self._last: int | None = None
        self._changes: Changes | None = None

    def _close(self) -> None:
        self._last = self._log.last()

    def changes(self) -> Changes:
        """The rows this edit touched, before it and now; call it right after the edit."""
        if self._changes is not None:
            return self._changes
        if self._generation != self._store._generation:
            raise RuntimeError("the changes of an edit are read before the next edit begins")
        last = self._log.last() if self._last is None else self._last
        changes = self._log.changes(self._first, last)
        if self._last is not None:
            self._changes = changes
        return changes


class Store:
    """An open project's connection, with its unit of work: :meth:`edit`, :meth:`undo`,
    :meth:`redo`. Services are built on it; only they write."""

    def __init__(self, path: Path, conn: sqlite3.Connection, read_only: bool) -> None:
        self.path = path
        self.read_only = read_only
        self.db = Database(conn, execute_plugins=False)
        self._log: _UndoLog | None = None
        self._depth = 0
        self._generation = 0

    @contextlib.contextmanager
    def edit(self) -> Iterator[Edit]:
        """One unit of work: one transaction (a savepoint when nested), logged for undo.

        Write only inside it; ``return edit.changes()`` after the block gives the exact
        :class:`Changes`. Database errors become one-line :class:`CoderError` messages.
        """
        if self.read_only:
            raise CoderError(f"{self.path.name} is open read-only; changes are not allowed")
        installed = self._log is None
        self._depth += 1
        try:
            if self._log is None:
                self._log = _UndoLog(self.db)
            with self.db.atomic():
                if self._depth == 1:
                    self._generation += 1
                    self._log.clear()
                edit = Edit(self, self._log)
                yield edit
                edit._close()
        except BaseException as e:
            if installed:  # the log's tables may have gone with a rolled back transaction
                self._log = None
            if isinstance(e, sqlite3.IntegrityError):
                raise InvalidValue(
                    f"that change would break the project's integrity ({e})"
                ) from None
            if isinstance(e, sqlite3.OperationalError):
                raise CoderError(
                    f"{self.path.name} could not be written: {database_problem(e)}"
                ) from None
            raise
        finally:
            self._depth -= 1

    def insert(self, table: str, row: dict[str, Any]) -> int:
        """Insert one row into a project table (inside an edit); its id. A passage is given by
        its absolute ``start`` and ``end`` and stored anchored in its block."""
        if table in PASSAGE_TABLES and "start" in row:
            row = anchored(self.db, row, row["document_id"])
        cols = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("?" for _ in row)
        cur = self.db.execute(
            f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', list(row.values())
        )
        if cur.lastrowid is None:  # SQLite always reports the new rowid
            raise CoderError(f"{self.path.name}: no row was added to {table}")
        return cur.lastrowid

    def insert_rows(self, table: str, columns: list[str], rows: Iterable[Sequence[Any]]) -> int:
        """Insert many rows into a project table (inside an edit), their keys given by SQLite,
        logged as one step (the range of their keys) instead of a row each; how many.

        For rows that nothing else refers to yet (a new document's turns): a trigger that
        wrote to another project table while they go in would not be logged.
        """
        if self._log is None or not self._depth:
            raise RuntimeError("rows are inserted inside an edit")
        return self._log.insert_rows(table, columns, rows)

    def update(self, table: str, key: Any, values: dict[str, Any]) -> None:
        """Change some columns of one row of a project table (inside an edit); a passage's
        absolute ``start`` and ``end`` (both) are stored anchored in its block."""
        pk = "key" if table == "meta" else "id"
        if table in PASSAGE_TABLES and "start" in values:
            doc = self.db.execute(f'SELECT document_id FROM "{table}" WHERE id = ?', [key])
            found = doc.fetchone()
            values = anchored(self.db, values, values.get("document_id", found and found[0]))
        sets = ", ".join(f'"{c}" = ?' for c in values)
        self.db.execute(f'UPDATE "{table}" SET {sets} WHERE "{pk}" = ?', [*values.values(), key])

    def required_row(self, table: str, key: Any) -> dict:
        """One row of a project table by its key; NotFound when there is none."""
        row = self.row(table, key)
        if row is None:
            raise NotFound(f"no {table} row with key {key}")
        return row

    def row(self, table: str, key: Any) -> dict | None:
        """One row of a project table by its key (``id``; ``key`` for meta), or None; a
        passage with its absolute ``start`` and ``end``."""
        pk = "key" if table == "meta" else "id"
        source = f"{table}_at" if table in PASSAGE_TABLES else table
        found = list(self.db.query(f'SELECT * FROM "{source}" WHERE "{pk}" = ?', [key]))
        return found[0] if found else None

    def interrupt(self) -> None:
        """Stop the statement this connection is running (callable from any thread); it
        raises ``sqlite3.OperationalError``."""
        self.db.conn.interrupt()

    def stop_when(self, stop: Callable[[], bool], every: int = 100_000) -> None:
        """Abandon any statement of this connection once ``stop()`` is true, checked about
        every ``every`` SQLite instructions."""
        self.db.conn.set_progress_handler(stop, every)

    def meta(self, key: str, default: str = "") -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    def _apply_rows(self, rows: dict[RowKey, dict | None], drop: Iterable[RowKey]) -> None:
        """Delete the ``drop`` rows and write ``rows`` back, exactly, with no cascades."""
        assert self._log is not None
        order = {table: i for i, table in enumerate(self._log.tables)}
        keys = self._log.keys
        self.db.execute("PRAGMA defer_foreign_keys = ON")
        for table, key in sorted(drop, key=lambda k: -order[k[0]]):
            self.db.execute(f'DELETE FROM "{table}" WHERE "{keys[table]}" = ?', [key])
        keep = [(k, r) for k, r in rows.items() if r is not None]
        keep.sort(key=lambda item: order[item[0][0]])
        for table in dict.fromkeys(t for (t, _k), _r in keep):
            rows_of = (r for (t, _k), r in keep if t == table)
            swaps.set_aside(self.db, table, keys[table], self._log.unique[table], rows_of)
        for (table, _key), row in keep:
            pk = keys[table]
            cols = list(row)
            quoted = ", ".join(f'"{c}"' for c in cols)
            marks = ", ".join("?" for _ in cols)
            updates = ", ".join(f'"{c}" = excluded."{c}"' for c in cols if c != pk)
            self.db.execute(
                f'INSERT INTO "{table}" ({quoted}) VALUES ({marks}) '
                f'ON CONFLICT("{pk}") DO UPDATE SET {updates}',
                [row[c] for c in cols],
            )

    def _check_references(self, rows: dict[RowKey, dict | None], bulks: Iterable[Bulk]) -> None:
        """Raise unless every written row's references exist and no deleted row is referred
        to: what foreign keys would check, for just these rows."""
        assert self._log is not None
        for bulk in bulks:
            self._check_bulk(bulk)
        written: dict[str, list[dict]] = {}
        gone: dict[str, list[Any]] = {}
        for (table, key), row in rows.items():
            if row is None:
                gone.setdefault(table, []).append(key)
            else:
                written.setdefault(table, []).append(row)
        for table, table_rows in written.items():
            for column, parent, target in self._log.parents[table]:
                values = list({r[column] for r in table_rows if r.get(column) is not None})
                found = self._existing(parent, target, values)
                if len(found) < len(values):
                    raise InvalidValue(f"that would leave {table} without their {parent}")
        for table, keys in gone.items():
            for child, column in self._log.children[table]:
                if self._existing(child, column, keys):
                    raise InvalidValue(f"that would leave {child} without their {table}")

    def _check_bulk(self, bulk: Bulk) -> None:
        """:meth:`_check_references` for rows written or deleted in bulk, in SQL."""
        assert self._log is not None
        table, key, span = bulk.table, self._log.keys[bulk.table], [bulk.first, bulk.last]
        if bulk.inserted:
            for column, parent, target in self._log.parents[table]:
                orphan = self.db.execute(
                    f'SELECT 1 FROM "{table}" WHERE "{key}" BETWEEN ? AND ? '
                    f'AND "{column}" IS NOT NULL AND "{column}" NOT IN '
                    f'(SELECT "{target}" FROM "{parent}") LIMIT 1',
                    span,
                ).fetchone()
                if orphan:
                    raise InvalidValue(f"that would leave {table} without their {parent}")
            return
        for child, column in self._log.children[table]:
            refer = self.db.execute(
                f'SELECT 1 FROM "{child}" WHERE "{column}" BETWEEN ? AND ? LIMIT 1', span
            ).fetchone()
            if refer:
                raise InvalidValue(f"that would leave {child} without their {table}")

    def _existing(self, table: str, column: str, values: list[Any]) -> set[Any]:
        """Which of ``values`` occur in ``table.column``."""
        found: set[Any] = set()
        for i in range(0, len(values), 500):
            chunk = values[i : i + 500]
            marks = ",".join("?" for _ in chunk)
            sql = f'SELECT DISTINCT "{column}" FROM "{table}" WHERE "{column}" IN ({marks})'
            found.update(r[0] for r in self.db.execute(sql, chunk))
        return found

    def shift(self, table: str, document_id: int, after: int, delta: int) -> None:
        """Move every text block (``table``) of a document starting after position ``after``
        by ``delta``, logged as one step however many rows move (the passages anchored in them
        move with them).

        Call it inside :meth:`edit`. No other block of the document may start after
        ``after + delta`` once it is done (with a negative ``delta``, write those near the edit
        first): undo finds the rows it moved by that.
        """
        if not delta:
            return
        if self._log is None or not self._depth:
            raise RuntimeError("a shift is written inside an edit")
        if delta < 0:
            left = self.db.execute(
                f'SELECT 1 FROM "{table}" WHERE document_id = ? AND start > ? AND start <= ? '
                "LIMIT 1",
                [document_id, after + delta, after],
            ).fetchone()
            if left:
                raise RuntimeError(f"{table} left where the shift by {delta} would take others")
        self._log.shift(table, document_id, after, delta)

    def retext(self, step: Retext) -> None:
        """Record, inside :meth:`edit`, that a document's text was edited by ``step`` (for the
        views, which move their spans by it); the text's blocks are written as rows."""
        if self._log is None or not self._depth:
            raise RuntimeError("a text is edited inside an edit")
        self._log.retext(step)

    def _restore(self, changes: Changes) -> None:
        """Make the database what ``changes`` lead to (its steps in order, rows and shifts),
        as one edit.

        Outside a transaction, foreign-key actions are switched off while the rows are written,
        so that deleting a row never cascades to rows that ``rows`` does not mention (a code
        deleted while its sub-code, kept, still points to it); the rows' references are checked
        instead. Inside another edit, foreign keys stay on and are checked at its commit.
        """
        blocks.check_revisions(self.db, changes)
        outermost = not self.db.conn.in_transaction and not self.read_only
        if outermost:
            self.db.execute("PRAGMA foreign_keys = OFF")
        try:
            with self.edit():
                for step in changes.sequence():
                    if isinstance(step, Shift):
                        self.shift(step.table, step.document_id, step.after, step.delta)
                    elif isinstance(step, Retext):
                        self.retext(step)  # the rows of the steps around it hold the text
                    elif isinstance(step, Bulk):
                        assert self._log is not None
                        self._log.bulk(step)
                    else:
                        self._apply_rows(
                            step.after, [k for k, r in step.after.items() if r is None]
                        )
                if outermost:
                    self._check_references(changes.after, changes.bulks)
        finally:
            if outermost:
                self.db.execute("PRAGMA foreign_keys = ON")

    def undo(self, changes: Changes) -> Changes:
        """Put every row ``changes`` touched back as it was before."""
        self._restore(changes.inverse())
        return changes

    def redo(self, changes: Changes) -> Changes:
        """Apply ``changes`` again after :meth:`undo`."""
        self._restore(changes)
        return changes
