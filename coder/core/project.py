"""An open project: its file's lifecycle, its unit of work and its services.

:class:`Project` is the facade the window, the command line and the tests use:
``project.apply_code(...)`` is ``project.services.codings.apply_code(...)``. The services
(``coder.core.services``, one per aggregate) are the only code that writes, each write inside
``project.edit()``, whose :class:`Changes` make undo and redo exact (see ``coder.core.store``).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from sqlite_utils import Database

from coder.core import backup as _backup
from coder.core import invariants
from coder.core.changes import Changes, RowKey
from coder.core.errors import (
    InvalidValue,
    ProjectFileError,
    ProjectNotWritable,
    database_problem,
    file_reason,
    is_damage,
)
from coder.core.lock import acquire as acquire_lock
from coder.core.lock import check_writable
from coder.core.migrations import APPLICATION_ID, SCHEMA_VERSION, migrations
from coder.core.projectfile import (
    EXTENSION,
    check_file,
    connect,
    remove_created_side_files,
    side_files,
)
from coder.core.services import Services
from coder.core.services.cases import ATTRIBUTE_TYPES, CaseService
from coder.core.services.codebook import PALETTE, CodebookService, normalise_color
from coder.core.services.coders import CoderService
from coder.core.services.codings import CodingService
from coder.core.services.documents import DocumentService, ImportReport
from coder.core.services.memos import MemoService
from coder.core.services.pseudonyms import PseudonymService
from coder.core.store import Store, new_guid, now

__all__ = [
    "ATTRIBUTE_TYPES", "EXTENSION", "PALETTE", "Changes", "ImportReport", "Project", "RowKey",
    "new_guid", "normalise_color", "now",
]  # fmt: skip

P = ParamSpec("P")
R = TypeVar("R")


class _Via(Generic[P, R]):
    """A facade method: ``project.name(...)`` calls the same method of one of its services."""

    def __init__(self, service: str, method: Callable[Concatenate[Any, P], R]) -> None:
        self.service = service
        self.name = method.__name__
        self.__doc__ = method.__doc__

    @overload
    def __get__(self, project: None, owner: type) -> _Via[P, R]: ...
    @overload
    def __get__(self, project: Project, owner: type) -> Callable[P, R]: ...
    def __get__(self, project: Project | None, owner: type) -> Any:
        if project is None:
            return self
        return getattr(getattr(project.services, self.service), self.name)

    def __call__(self, project: Project, /, *args: P.args, **kwargs: P.kwargs) -> R:
        """``Project.name(project, ...)``, as with any method."""
        method: Callable[P, R] = getattr(getattr(project.services, self.service), self.name)
        return method(*args, **kwargs)


def _opening_problem(path: Path, error: sqlite3.Error) -> str:
    """Why a project could not be opened, in one line (with its backups when it is damaged)."""
    message = f"{path} cannot be opened: {database_problem(error)}"
    return _backup.with_hint(message, path) if is_damage(error) else message


class Project(Store):
    """An open project file. Use :meth:`create` or :meth:`open`; close it (or use ``with``)."""

    def __init__(self, path: Path, conn: sqlite3.Connection, read_only: bool) -> None:
        super().__init__(path, conn, read_only)
        self._closed = False
        # A worker's connection leaves the WAL alone when it closes: its checkpoint would take
        # the write lock from under an edit of the window's connection ("database is locked").
        self._worker = False
        self._memory_uri = ""  # an older project opened read-only is migrated in memory
        self._lock: Any = None
        self.services = Services.on(self)

    # ----------------------------------------------------------------- lifecycle

    @classmethod
    def create(cls, path: str | Path) -> Project:
        """Create a new, empty project file (refuses to overwrite an existing file)."""
        path = Path(path)
        if path.suffix.lower() != EXTENSION:
            raise InvalidValue(f"{path}: a project file name must end with {EXTENSION}")
        if os.path.lexists(path):  # a link counts, even one to nothing (never followed)
            link = f" (a link to {os.readlink(path)})" if path.is_symlink() else ""
            raise InvalidValue(f"{path} already exists{link}; choose another name")
        if not path.parent.is_dir():
            raise InvalidValue(f"{path.parent}: no such folder")
        try:  # O_EXCL: a link planted after the check above is never followed either
            os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            raise InvalidValue(f"{path} already exists; choose another name") from None
        except OSError as e:
            raise ProjectFileError(f"{path} cannot be created: {file_reason(e)}") from None
        try:
            lock = acquire_lock(path)
        except BaseException as e:
            with contextlib.suppress(OSError):
                path.unlink()
            if isinstance(e, ProjectNotWritable):  # a full disk: no room for the lock
                raise ProjectFileError(f"{path} cannot be created: {e.reason or e}") from None
            raise
        try:
            conn = connect(path, read_only=False)
        except sqlite3.Error as e:
            lock.release()
            with contextlib.suppress(OSError):
                path.unlink()
            raise ProjectFileError(f"{path} cannot be created: {database_problem(e)}") from None
        try:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            project = cls(path, conn, read_only=False)
            project._lock = lock
            project._migrate()
            with project.db.atomic():
                project.db.table("meta").insert_all(
                    [
                        {"key": "project_guid", "value": new_guid()},
                        {"key": "created_at", "value": now()},
                        {"key": "memo", "value": ""},
                    ]
                )
        except BaseException as e:
            conn.close()
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    Path(str(path) + suffix).unlink()
            lock.release()
            if isinstance(e, sqlite3.Error):  # a full disk while the tables are made
                raise ProjectFileError(f"{path} cannot be created: {database_problem(e)}") from None
            raise
        return project

    @classmethod
    def open(cls, path: str | Path, read_only: bool = False) -> Project:
        """Open an existing project, migrating it to the current schema."""
        path = Path(path)
        try:
            check_file(path)
        except ProjectFileError as e:
            raise ProjectFileError(_backup.with_hint(str(e), path)) from None
        # One writer: a second opener gets ProjectLocked (read-only opens take no lock).
        if not read_only:
            check_writable(path)
        lock = None if read_only else acquire_lock(path)
        before = side_files(path)
        try:
            conn = connect(path, read_only)
        except BaseException as e:
            if lock is not None:
                lock.release()
            if isinstance(e, sqlite3.Error):
                raise ProjectFileError(_opening_problem(path, e)) from None
            raise
        project = cls(path, conn, read_only)
        project._lock = lock
        try:
            project._check_and_migrate()
        except BaseException as e:
            # A damaged file, a full disk, a signal: close, and leave nothing behind.
            project.close()
            remove_created_side_files(path, before)
            if isinstance(e, sqlite3.Error):
                raise ProjectFileError(_opening_problem(path, e)) from None
            raise
        return project

    def _check_and_migrate(self) -> None:
        """Refuse a damaged project, back it up if it changed, bring its schema up to date."""
        path = self.path
        # Before the backup: a damaged file must not push a good backup out of the rotation.
        broken = invariants.problem(self.db, self.services.lengths.lengths)
        if broken:
            raise ProjectFileError(
                _backup.with_hint(
                    f"{path} is damaged ({broken}); restore it from its backups folder", path
                )
            )
        if not self.read_only:
            _backup.on_open(self)  # before migrating: keeps the old version's state
            self._migrate()
        elif migrations.pending(self.db):
            self._migrate_in_memory()

    def worker_connection(self) -> Project:
        """Another connection to this open project, for a worker thread; close it when done.

        It takes no lock (this process holds the project's lock already), makes no backup and
        runs no migration. SQLite connections are per thread, so each worker opens its own.
        """
        if self._memory_uri:
            return Project(self.path, self._memory_connection(), True)
        worker = Project(self.path, connect(self.path, self.read_only), self.read_only)
        worker._worker = True
        return worker

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
        self.services = Services.on(self)
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
            if not self.read_only and not self._memory_uri and not self._worker:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        lock = getattr(self, "_lock", None)
        if lock is not None:
            _backup.release(self.path)  # the writer's last connection is closed now
            lock.release()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, kind: object, error: BaseException | None, tb: object) -> None:
        self.close()
        if isinstance(error, sqlite3.Error):
            # Damage found while reading (a partly overwritten file), a disk that failed or
            # filled up: one line naming the project, never SQLite's traceback.
            message = f"{self.path}: {database_problem(error)}"
            if is_damage(error):
                message = _backup.with_hint(message, self.path)
            raise ProjectFileError(message) from None

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def guid(self) -> str:
        return self.meta("project_guid")

    # ----------------------------------------------------------------- the services

    coders = _Via("coders", CoderService.coders)
    coder_names = _Via("coders", CoderService.coder_names)
    find_coder = _Via("coders", CoderService.find_coder)
    add_coder = _Via("coders", CoderService.add_coder)

    documents = _Via("documents", DocumentService.documents)
    document = _Via("documents", DocumentService.document)
    documents_by_id = _Via("documents", DocumentService.documents_by_id)
    find_document = _Via("documents", DocumentService.find_document)
    document_refs = _Via("documents", DocumentService.document_refs)
    document_groups = _Via("documents", DocumentService.document_groups)
    document_name = _Via("documents", DocumentService.document_name)
    document_text = _Via("documents", DocumentService.document_text)
    turns = _Via("documents", DocumentService.turns)
    turn_spans = _Via("documents", DocumentService.turn_spans)
    turn_columns = _Via("documents", DocumentService.turn_columns)
    turns_by_id = _Via("documents", DocumentService.turns_by_id)
    search = _Via("documents", DocumentService.search)
    add_document = _Via("documents", DocumentService.add_document)
    import_file = _Via("documents", DocumentService.import_file)
    import_files = _Via("documents", DocumentService.import_files)
    rename_document = _Via("documents", DocumentService.rename_document)
    set_document_fields = _Via("documents", DocumentService.set_document_fields)
    set_document_case = _Via("documents", DocumentService.set_document_case)
    delete_document = _Via("documents", DocumentService.delete_document)

    codes = _Via("codebook", CodebookService.codes)
    code_tree = _Via("codebook", CodebookService.code_tree)
    code = _Via("codebook", CodebookService.code)
    find_code = _Via("codebook", CodebookService.find_code)
    find_top_level_code = _Via("codebook", CodebookService.find_top_level_code)
    add_code = _Via("codebook", CodebookService.add_code)
    update_code = _Via("codebook", CodebookService.update_code)
    move_code = _Via("codebook", CodebookService.move_code)
    delete_code = _Via("codebook", CodebookService.delete_code)
    merge_codes = _Via("codebook", CodebookService.merge_codes)

    codings = _Via("codings", CodingService.codings)
    coding = _Via("codings", CodingService.coding)
    coding_spans = _Via("codings", CodingService.coding_spans)
    coding_columns = _Via("codings", CodingService.coding_columns)
    coding_count = _Via("codings", CodingService.coding_count)
    code_counts = _Via("codings", CodingService.code_counts)
    apply_code = _Via("codings", CodingService.apply_code)
    remove_coding = _Via("codings", CodingService.remove_coding)
    resize_coding = _Via("codings", CodingService.resize_coding)
    recode = _Via("codings", CodingService.recode)
    set_coding_memo = _Via("codings", CodingService.set_coding_memo)

    set_project_memo = _Via("memos", MemoService.set_project_memo)
    memos = _Via("memos", MemoService.memos)
    add_memo = _Via("memos", MemoService.add_memo)
    update_memo = _Via("memos", MemoService.update_memo)
    delete_memo = _Via("memos", MemoService.delete_memo)
    memo_links = _Via("memos", MemoService.memo_links)
    link_memo = _Via("memos", MemoService.link_memo)
    unlink_memo = _Via("memos", MemoService.unlink_memo)
    annotations = _Via("memos", MemoService.annotations)
    add_annotation = _Via("memos", MemoService.add_annotation)
    update_annotation = _Via("memos", MemoService.update_annotation)
    delete_annotation = _Via("memos", MemoService.delete_annotation)

    cases = _Via("cases", CaseService.cases)
    find_case = _Via("cases", CaseService.find_case)
    add_case = _Via("cases", CaseService.add_case)
    update_case = _Via("cases", CaseService.update_case)
    delete_case = _Via("cases", CaseService.delete_case)
    case_selections = _Via("cases", CaseService.case_selections)
    add_case_selection = _Via("cases", CaseService.add_case_selection)
    attributes = _Via("cases", CaseService.attributes)
    find_attribute = _Via("cases", CaseService.find_attribute)
    add_attribute = _Via("cases", CaseService.add_attribute)
    delete_attribute = _Via("cases", CaseService.delete_attribute)
    set_attribute_value = _Via("cases", CaseService.set_attribute_value)
    attribute_values = _Via("cases", CaseService.attribute_values)
    import_attributes = _Via("cases", CaseService.import_attributes)

    pseudonyms = _Via("pseudonyms", PseudonymService.pseudonyms)
    find_pseudonym = _Via("pseudonyms", PseudonymService.find_pseudonym)
    pseudonym_matcher = _Via("pseudonyms", PseudonymService.pseudonym_matcher)
    add_pseudonym = _Via("pseudonyms", PseudonymService.add_pseudonym)
    remove_pseudonym = _Via("pseudonyms", PseudonymService.remove_pseudonym)
    import_pseudonyms = _Via("pseudonyms", PseudonymService.import_pseudonyms)
    export_pseudonyms = _Via("pseudonyms", PseudonymService.export_pseudonyms)
    dismiss_suggestion = _Via("pseudonyms", PseudonymService.dismiss_suggestion)
    dismissed_suggestions = _Via("pseudonyms", PseudonymService.dismissed_suggestions)

    # Text editing moves passages of several aggregates: coder.core.editing (imported on
    # first use, as most sessions and commands never edit a text).
    def edit_text(self, doc_id: int, start: int, end: int, new_text: str) -> Changes:
        """Replace ``text[start:end]`` of a document; every passage follows (one undo step)."""
        from coder.core import editing

        return editing.edit_text(self, doc_id, start, end, new_text)

    def replace_all(self, doc_id: int, old: str, new: str, whole_word: bool = True) -> Changes:
        """Replace every occurrence of ``old`` in a document with ``new`` (one undo step)."""
        from coder.core import editing

        return editing.replace_all(self, doc_id, old, new, whole_word)

    @property
    def memo(self) -> str:
        """The project memo."""
        return self.services.memos.memo

    def document_lengths(self) -> dict[int, int]:
        """``{document id: characters}`` of every document (counted once per document)."""
        return self.services.lengths.lengths()
