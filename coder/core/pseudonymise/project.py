"""A pseudonymised copy of a project, its key, and the way back.

:func:`pseudonymise_project` writes a new project file in which every original of the list is
replaced, in every text the project holds: documents' texts (through the transcript-editing
service, so that codings, annotations, case passages and speaker turns follow exactly), names,
speakers, memos, notes, definitions, attribute values, the project memo. The copy keeps no
trace of the originals: its pseudonym list is emptied, its full-text index rebuilt, its free
pages dropped (VACUUM), and its bytes are searched for the originals before it is kept.

The key (a CSV file, kept apart from the project) holds, for each replaced occurrence, the
original, its replacement, its category, the document (by its original name), the position of
the replacement in the pseudonymised text, and where it is (table, column, row); and the exact
positions of every passage that began or ended inside a replaced original; and the pseudonym
list itself (with the dismissed suggestions), which the copy does not keep.
:func:`depseudonymise_project` applies the key in reverse: the text and every passage come back
exactly, GUIDs and memos included.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
import sqlite3
import tempfile
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from coder.core import anchors, files, leftovers
from coder.core.backup import copy_database
from coder.core.editing import apply_edits
from coder.core.errors import CoderError, InvalidValue, database_problem, file_reason
from coder.core.export import atomic_path
from coder.core.project import EXTENSION, Project
from coder.core.projectfile import connect
from coder.core.pseudonymise.check import find_in_file
from coder.core.pseudonymise.matching import Matcher
from coder.core.store import project_tables
from coder.core.textedit import edits_of

# The list itself never leaves in a pseudonymised copy.
LIST_TABLES = ("pseudonyms", "pseudonym_dismissals")
# Text columns that hold no words of the researcher's data.
SKIP_COLUMNS = frozenset({"guid", "color", "revision", "scope", "type", "source_format"})
# Tables of passages anchored in a document's text.
PASSAGE_TABLES = ("codings", "annotations", "case_selections", "turns")
R = TypeVar("R")
KEY_COLUMNS = (
    "original", "replacement", "category", "document", "position", "table", "column", "row",
    "start", "end",
)  # fmt: skip


@dataclass(frozen=True)
class KeyRow:
    """One replaced occurrence (``original`` not empty), or one passage's exact position."""

    original: str
    replacement: str
    category: str
    document: str
    position: int
    table: str
    column: str
    row: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class PseudonymiseResult:
    replaced: int  # occurrences replaced
    documents: int  # documents whose text changed
    key: list[KeyRow]


# --------------------------------------------------------------------------- the copy


def pseudonymise_project(source: Project, target: Path) -> PseudonymiseResult:
    """Write a pseudonymised copy of ``source`` to ``target`` (a new file)."""
    matcher = source.pseudonym_matcher()
    if not matcher:
        raise InvalidValue(
            "the pseudonym list is empty: add originals first (coder pseudonyms add)"
        )
    target = _new_project_path(target)
    with _building(target) as work:
        result = _pseudonymise_file(source, work, matcher)
        problem = find_in_file(work, matcher)
        if problem is not None:
            raise InvalidValue(f"the pseudonymised project would still contain {problem}")
        os.replace(work, target)
    return result


def depseudonymise_project(source: Project, key: Sequence[KeyRow], target: Path) -> int:
    """Write ``source`` with the key applied in reverse to ``target``; returns how many
    occurrences were put back."""
    target = _new_project_path(target)
    with _building(target) as work:
        copy_database(source.db.conn, work)
        project = _open_copy(work)
        try:
            restored = _restore(project, key)
        finally:
            project.close()
        os.replace(work, target)
    return restored


@contextlib.contextmanager
def pseudonymised(project: Project) -> Iterator[Project]:
    """A pseudonymised copy of ``project``, open, in a temporary folder removed afterwards
    (what every pseudonymised export is written from)."""
    matcher = project.pseudonym_matcher()
    if not matcher:
        raise InvalidValue(
            "the pseudonym list is empty: add originals first (coder pseudonyms add)"
        )
    try:
        folder = Path(tempfile.mkdtemp(prefix="coder-pseudonymised-"))
    except OSError as e:
        raise CoderError(f"no room for a pseudonymised copy: {file_reason(e)}") from None
    try:
        name = matcher.replace(project.path.stem)[0] or "project"
        path = folder / f"{name}{EXTENSION}"
        try:
            _pseudonymise_file(project, path, matcher)
        except (OSError, sqlite3.Error) as e:
            why = file_reason(e) if isinstance(e, OSError) else database_problem(e)
            raise CoderError(f"the pseudonymised copy cannot be made in {folder}: {why}") from None
        copy = _open_copy(path)
        try:
            yield copy
        finally:
            copy.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def export_pseudonymised(project: Project, out: Path, write: Callable[[Project, Path], R]) -> R:
    """``write(copy, path)`` from a pseudonymised copy of ``project``, then ``path`` moved to
    ``out``; refused (nothing written) when an original would still be in it."""
    if not out.parent.is_dir():
        raise InvalidValue(f"{out.parent}: no such folder")
    with pseudonymised(project) as copy:
        work = copy.path.parent / out.name
        result = write(copy, work)
        if work.exists():
            refuse_originals(work, project.pseudonym_matcher())
            with atomic_path(out) as part:
                shutil.copyfile(work, part)
    return result


def refuse_originals(path: Path, matcher: Matcher) -> None:
    """Refuse a written file in which an original still occurs, saying where."""
    problem = find_in_file(path, matcher)
    if problem is not None:
        raise InvalidValue(f"not written: an original would still be in it ({problem})")


def _new_project_path(target: Path) -> Path:
    if target.suffix.lower() != EXTENSION:
        raise InvalidValue(f"{target}: a project file name must end with {EXTENSION}")
    if target.exists():
        raise InvalidValue(f"{target} already exists; choose another name")
    if not target.parent.is_dir():
        raise InvalidValue(f"{target.parent}: no such folder")
    return target


@contextlib.contextmanager
def _building(target: Path) -> Iterator[Path]:
    """A work file beside ``target``, claimed while it is written (a killed run's is removed by
    the next, see :mod:`coder.core.leftovers`) and removed with its journals unless moved into
    place; a disk or database failure is one line."""
    work = target.with_name(f".{target.name}.{os.getpid()}.part")
    leftovers.sweep(work.parent, leftovers.COPY_PART)
    try:
        with leftovers.claimed(work):
            yield work
    except (OSError, sqlite3.Error) as e:
        why = file_reason(e) if isinstance(e, OSError) else database_problem(e)
        raise CoderError(f"{target} cannot be written: {why}") from None
    finally:
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.unlink(f"{work}{suffix}")


def _open_copy(path: Path) -> Project:
    """A project file this process just made: no lock, no backup (it may still hold
    originals), no migration (it is a copy of an open, current project)."""
    return Project(path, connect(path, read_only=False), read_only=False)


def _pseudonymise_file(source: Project, path: Path, matcher: Matcher) -> PseudonymiseResult:
    copy_database(source.db.conn, path)
    project = _open_copy(path)
    try:
        project.db.execute("PRAGMA secure_delete = ON")
        key = _pseudonymise(project, matcher)
        project.db.execute("INSERT INTO documents_fts (documents_fts) VALUES ('rebuild')")
        project.db.execute("INSERT INTO text_blocks_fts (text_blocks_fts) VALUES ('rebuild')")
        project.db.execute("PRAGMA journal_mode = DELETE")
        project.db.execute("VACUUM")
    finally:
        project.close()
    documents = {(r.table, r.row) for r in key if r.original and r.column == "text"}
    return PseudonymiseResult(
        replaced=sum(1 for r in key if r.original and r.table not in LIST_TABLES),
        documents=sum(1 for t, _row in documents if t == "documents"),
        key=key,
    )


# --------------------------------------------------------------------------- pseudonymising


def _pseudonymise(project: Project, matcher: Matcher) -> list[KeyRow]:
    db = project.db
    names = {r[0]: r[1] for r in db.execute("SELECT id, name FROM documents")}
    key: list[KeyRow] = []
    with project.edit():
        key += _list_rows(project)
        for table in LIST_TABLES:
            db.execute(f'DELETE FROM "{table}"')
        for table, column, pk in _text_columns(project):
            key += _pseudonymise_column(project, table, column, pk, matcher, names)
        for doc_id, name in names.items():
            key += _pseudonymise_text(project, doc_id, name, matcher)
    return key


def _list_rows(project: Project) -> list[KeyRow]:
    """The pseudonym list and the dismissed suggestions, as key rows (the copy keeps neither;
    the way back puts them back). ``column`` holds the entry's other fields as JSON."""
    rows = []
    for r in project.db.execute(
        "SELECT id, guid, original, replacement, category, forms, case_sensitive, whole_word, "
        "note, created_at FROM pseudonyms ORDER BY id"
    ):
        fields = {
            "guid": r[1], "forms": r[5], "case_sensitive": r[6], "whole_word": r[7],
            "note": r[8], "created_at": r[9],
        }  # fmt: skip
        rows.append(KeyRow(r[2], r[3], r[4], "", 0, "pseudonyms", json.dumps(fields), str(r[0])))
    for r in project.db.execute("SELECT id, text, kind FROM pseudonym_dismissals ORDER BY id"):
        rows.append(KeyRow(r[1], r[1], "", "", 0, "pseudonym_dismissals", r[2], str(r[0])))
    return rows


def _restore_list(project: Project, rows: list[KeyRow]) -> None:
    for r in rows:
        if r.table == "pseudonym_dismissals":
            project.db.execute(
                "INSERT INTO pseudonym_dismissals (id, text, kind) VALUES (?, ?, ?)",
                [_int(r.row), r.original, r.column],
            )
            continue
        try:
            fields = json.loads(r.column)
            values = [
                _int(r.row), fields["guid"], r.original, r.replacement, r.category,
                fields["forms"], fields["case_sensitive"], fields["whole_word"], fields["note"],
                fields["created_at"],
            ]  # fmt: skip
        except (ValueError, KeyError, TypeError):
            raise InvalidValue(f"the key's entry for '{r.original}' is damaged") from None
        project.db.execute(
            "INSERT INTO pseudonyms (id, guid, original, replacement, category, forms, "
            "case_sensitive, whole_word, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            values,
        )


def _text_columns(project: Project) -> list[tuple[str, str, str]]:
    """(table, column, primary key) of every text column that may hold the data's words."""
    out = []
    for table in project_tables(project.db):
        if table in LIST_TABLES:
            continue
        info = project.db.execute(f'PRAGMA table_info("{table}")').fetchall()
        pk = [r[1] for r in info if r[5]]
        key = pk[0] if len(pk) == 1 else "rowid"
        for r in info:
            name, kind = r[1], (r[2] or "").upper()
            if kind != "TEXT" or name == key or name in SKIP_COLUMNS or name.endswith("_at"):
                continue
            if (table, name) == ("text_blocks", "text"):
                continue  # a document's text: edited as one, passages following
            out.append((table, name, key))
    return out


def _pseudonymise_column(
    project: Project, table: str, column: str, pk: str, matcher: Matcher, names: dict[int, str]
) -> list[KeyRow]:
    db = project.db
    key: list[KeyRow] = []
    rows = db.execute(
        f'SELECT "{pk}", "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL'
    ).fetchall()
    for row, value in rows:
        new, placed = matcher.replace(value)
        if not placed:
            continue
        try:
            db.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE "{pk}" = ?', [new, row])
        except sqlite3.IntegrityError:
            raise InvalidValue(
                f"two {table} would both be called '{new}' once pseudonymised; "
                "give their originals different replacements"
            ) from None
        document = names.get(row, "") if table == "documents" else ""
        key += [
            KeyRow(
                value[m.start : m.end],
                m.rule.replacement,
                m.rule.category,
                document,
                at,
                table,
                column,
                str(row),
            )  # fmt: skip
            for m, at in placed
        ]
    return key


def _pseudonymise_text(project: Project, doc_id: int, name: str, matcher: Matcher) -> list[KeyRow]:
    text = project.document_text(doc_id)
    matches = matcher.find(text)
    if not matches:
        return []
    spans = [(m.start, m.end) for m in matches]
    key = _passages_inside(project, doc_id, name, spans)
    shift = 0
    for m in matches:
        key.append(
            KeyRow(
                text[m.start : m.end],
                m.rule.replacement,
                m.rule.category,
                name,
                m.start + shift,
                "documents",
                "text",
                str(doc_id),
            )  # fmt: skip
        )
        shift += len(m.rule.replacement) - (m.end - m.start)
    _edit_keeping_turns(project, doc_id, [(m.start, m.end, m.rule.replacement) for m in matches])
    return key


def _passages_inside(
    project: Project, doc_id: int, name: str, spans: list[tuple[int, int]]
) -> list[KeyRow]:
    """Key rows for the passages that begin or end strictly inside one of ``spans``."""
    starts = [s for s, _e in spans]

    def inside(pos: int) -> bool:
        i = bisect_right(starts, pos) - 1
        return i >= 0 and spans[i][0] < pos < spans[i][1]

    out = []
    for table in PASSAGE_TABLES:
        for row, a, b in project.db.execute(
            f'SELECT id, start, "end" FROM "{table}_at" WHERE document_id = ?', [doc_id]
        ):
            if inside(a) or inside(b):
                out.append(KeyRow("", "", "", name, a, table, "start-end", str(row), a, b))
    return out


def _edit_keeping_turns(project: Project, doc_id: int, edits: list[tuple[int, int, str]]) -> None:
    """Apply ``edits`` through the editing service; speaker turns move by the same rule as
    every passage (whether or not a replaced label still reads as a speaker line)."""
    db = project.db
    turns = db.execute(
        'SELECT id, speaker, start, "end", time_start, time_end FROM turns_at '
        "WHERE document_id = ?",
        [doc_id],
    ).fetchall()
    length = len(project.document_text(doc_id))
    plan = edits_of(edits, length, normalise_new=False)
    apply_edits(project, doc_id, edits)
    db.execute("DELETE FROM turns WHERE document_id = ?", [doc_id])
    rows = []
    for turn_id, speaker, a, b, t0, t1 in turns:
        na, nb = plan.span(a, b)
        rows.append([turn_id, doc_id, speaker, na, max(na, nb), t0, t1])
    columns = ["id", "document_id", "speaker", "start", "end", "time_start", "time_end"]
    anchors.insert(db, "turns", columns, rows)


# --------------------------------------------------------------------------- the way back


def _restore(project: Project, key: Sequence[KeyRow]) -> int:
    texts: dict[tuple[str, str, str], list[KeyRow]] = {}
    passages: list[KeyRow] = []
    listed: list[KeyRow] = []
    for r in key:
        if r.table in LIST_TABLES:
            listed.append(r)
        elif r.original:
            texts.setdefault((r.table, r.column, r.row), []).append(r)
        else:
            passages.append(r)
    columns = {(t, c): pk for t, c, pk in _text_columns(project)}
    with project.edit():
        for (table, column, row), rows in texts.items():
            if (table, column) == ("documents", "text"):
                _restore_text(project, row, rows)
            elif (table, column) in columns:
                _restore_value(project, table, column, columns[table, column], row, rows)
            else:
                raise InvalidValue(f"the key names {table}.{column}, which this project lacks")
        _restore_list(project, listed)
        for r in passages:
            if r.table not in PASSAGE_TABLES or r.start is None or r.end is None:
                raise InvalidValue(f"the key names a passage of '{r.table}' it cannot place")
            project.update(r.table, _int(r.row), {"start": r.start, "end": r.end})
    return sum(len(rows) for rows in texts.values())


def _restore_value(
    project: Project, table: str, column: str, pk: str, row: str, rows: list[KeyRow]
) -> None:
    row_key: object = _int(row) if pk in ("id", "rowid") else row
    found = project.db.execute(
        f'SELECT "{column}" FROM "{table}" WHERE "{pk}" = ?', [row_key]
    ).fetchone()
    if found is None:
        raise InvalidValue(f"the key does not fit this project (no row {row} in {table})")
    value = found[0]
    for r in sorted(rows, key=lambda r: r.position, reverse=True):
        _check_fits(value, r)
        value = value[: r.position] + r.original + value[r.position + len(r.replacement) :]
    project.db.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE "{pk}" = ?', [value, row_key])


def _restore_text(project: Project, row: str, rows: list[KeyRow]) -> None:
    doc_id = _int(row)
    text = project.document_text(doc_id)
    end = -1
    for r in sorted(rows, key=lambda r: r.position):
        _check_fits(text, r)
        if r.position < end:
            raise InvalidValue(
                f"the key does not fit this project: two replacements overlap at {r.position} "
                f"in document {row}"
            )
        end = r.position + len(r.replacement)
    edits = [(r.position, r.position + len(r.replacement), r.original) for r in rows]
    _edit_keeping_turns(project, doc_id, edits)


def _check_fits(value: str, r: KeyRow) -> None:
    if value[r.position : r.position + len(r.replacement)] != r.replacement:
        raise InvalidValue(
            f"the key does not fit this project: {r.table}.{r.column} of row {r.row} has no "
            f"'{r.replacement}' at {r.position}"
        )


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise InvalidValue(f"the key names row '{value}', which is not a number") from None


# --------------------------------------------------------------------------- the key file


def write_key(rows: Sequence[KeyRow], path: Path, replace: bool = True) -> None:
    """The key as CSV (UTF-8 with a BOM, for Excel), written whole or not at all, readable by
    its owner only (it holds the originals); ``replace=False`` never overwrites a file."""
    files.write_csv(
        path,
        KEY_COLUMNS,
        (
            [
                r.original,
                r.replacement,
                r.category,
                r.document,
                r.position,
                r.table,
                r.column,
                r.row,
                "" if r.start is None else r.start,
                "" if r.end is None else r.end,
            ]  # fmt: skip
            for r in rows
        ),
        replace=replace,
        private=True,
    )


def read_key(path: Path) -> list[KeyRow]:
    """The rows of a key written by :func:`write_key`; a damaged key is one clear error."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise InvalidValue(f"{path}: the key cannot be read ({e.strerror})") from None
    except UnicodeDecodeError:
        raise InvalidValue(f"{path.name} is not a key written by coder pseudonymise") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or tuple(header) != KEY_COLUMNS:
        raise InvalidValue(f"{path.name} is not a key written by coder pseudonymise")
    rows = []
    for n, values in enumerate(reader, start=2):
        if len(values) != len(KEY_COLUMNS):
            raise InvalidValue(
                f"{path.name}, row {n}: {len(values)} columns, not {len(KEY_COLUMNS)}"
            )
        v = dict(zip(KEY_COLUMNS, values, strict=True))
        try:
            rows.append(
                KeyRow(
                    v["original"],
                    v["replacement"],
                    v["category"],
                    v["document"],
                    int(v["position"]),
                    v["table"],
                    v["column"],
                    v["row"],
                    int(v["start"]) if v["start"] else None,
                    int(v["end"]) if v["end"] else None,
                )  # fmt: skip
            )
        except ValueError:
            raise InvalidValue(f"{path.name}, row {n}: a position is not a number") from None
        if rows[-1].original and not rows[-1].replacement:
            raise InvalidValue(f"{path.name}, row {n}: an original without its replacement")
    return rows
