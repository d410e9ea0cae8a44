"""The project file's schema, built by numbered migrations.

Never edit a released migration: add ``m00N_...`` instead and bump ``SCHEMA_VERSION``.
Migrations run on every open, before any other query.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from coder.core import blocks

# "CODR" as a 32-bit integer: marks an SQLite file as a Coder project (PRAGMA application_id).
APPLICATION_ID = 0x434F4452
SCHEMA_VERSION = 2

migrations = Migrations("coder")


@migrations()
def m001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE coders (
            id INTEGER PRIMARY KEY,
            guid TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL UNIQUE
        );
        CREATE TABLE cases (
            id INTEGER PRIMARY KEY,
            guid TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL UNIQUE,
            memo TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            guid TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL UNIQUE,
            text TEXT NOT NULL,
            source_name TEXT NOT NULL DEFAULT '',
            source_format TEXT NOT NULL DEFAULT '',
            imported_at TEXT NOT NULL,
            memo TEXT NOT NULL DEFAULT '',
            group_name TEXT NOT NULL DEFAULT '',
            case_id INTEGER REFERENCES cases(id) ON DELETE SET NULL
        );
        CREATE INDEX documents_case ON documents(case_id);
        CREATE TABLE turns (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            speaker TEXT,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            time_start REAL,
            time_end REAL,
            CHECK (start >= 0 AND "end" >= start)
        );
        CREATE INDEX turns_document ON turns(document_id, start);
        CREATE TABLE codes (
            id INTEGER PRIMARY KEY,
            guid TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            parent_id INTEGER REFERENCES codes(id) ON DELETE CASCADE,
            position INTEGER NOT NULL DEFAULT 0,
            color TEXT NOT NULL,
            definition TEXT NOT NULL DEFAULT '',
            inclusion TEXT NOT NULL DEFAULT '',
            exclusion TEXT NOT NULL DEFAULT '',
            example TEXT NOT NULL DEFAULT '',
            memo TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX codes_sibling_name ON codes(ifnull(parent_id, 0), name);
        CREATE INDEX codes_parent ON codes(parent_id, position);
        CREATE TABLE codings (
            id INTEGER PRIMARY KEY,
            guid TEXT NOT NULL UNIQUE,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            code_id INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
            coder_id INTEGER NOT NULL REFERENCES coders(id),
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            memo TEXT NOT NULL DEFAULT '',
            CHECK (start >= 0 AND "end" > start)
        );
        CREATE INDEX codings_document ON codings(document_id, start);
        CREATE INDEX codings_code ON codings(code_id, document_id);
        CREATE INDEX codings_coder ON codings(coder_id);
        CREATE TABLE case_selections (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            CHECK (start >= 0 AND "end" > start)
        );
        CREATE INDEX case_selections_document ON case_selections(document_id);
        CREATE INDEX case_selections_case ON case_selections(case_id);
        CREATE TABLE attributes (
            id INTEGER PRIMARY KEY,
            guid TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            scope TEXT NOT NULL CHECK (scope IN ('case', 'document')),
            type TEXT NOT NULL CHECK (type IN ('text', 'number', 'date', 'boolean')),
            position INTEGER NOT NULL DEFAULT 0,
            UNIQUE (scope, name)
        );
        CREATE TABLE attribute_values (
            id INTEGER PRIMARY KEY,
            attribute_id INTEGER NOT NULL REFERENCES attributes(id) ON DELETE CASCADE,
            case_id INTEGER REFERENCES cases(id) ON DELETE CASCADE,
            document_id INTEGER REFERENCES documents(id) ON DELETE CASCADE,
            value TEXT NOT NULL,
            CHECK ((case_id IS NULL) <> (document_id IS NULL))
        );
        CREATE UNIQUE INDEX attribute_values_owner
            ON attribute_values(attribute_id, ifnull(case_id, 0), ifnull(document_id, 0));
        CREATE INDEX attribute_values_case ON attribute_values(case_id);
        CREATE INDEX attribute_values_document ON attribute_values(document_id);
        CREATE TABLE memos (
            id INTEGER PRIMARY KEY,
            guid TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            modified_at TEXT NOT NULL
        );
        """
    )
    db["documents"].enable_fts(["name", "text"], create_triggers=True, tokenize="unicode61")


@migrations()
def m002_annotations_categories_memo_links(db: Database) -> None:
    """Wave 2: annotations, categories (codes that cannot be applied), memo authors and links.

    Until version 2 is released, later wave-2 schema changes are added here, never in a new
    migration, so that every released version has one migration and one fixture.
    """
    db.executescript(
        """
        ALTER TABLE codes ADD COLUMN codable INTEGER NOT NULL DEFAULT 1 CHECK (codable IN (0, 1));
        ALTER TABLE memos ADD COLUMN coder_id INTEGER REFERENCES coders(id);
        CREATE TABLE annotations (
            id INTEGER PRIMARY KEY,
            guid TEXT NOT NULL UNIQUE,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            coder_id INTEGER NOT NULL REFERENCES coders(id),
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            text TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            modified_at TEXT NOT NULL,
            CHECK (start >= 0 AND "end" > start)
        );
        CREATE INDEX annotations_document ON annotations(document_id, start);
        CREATE TABLE memo_links (
            id INTEGER PRIMARY KEY,
            memo_id INTEGER NOT NULL REFERENCES memos(id) ON DELETE CASCADE,
            document_id INTEGER REFERENCES documents(id) ON DELETE CASCADE,
            code_id INTEGER REFERENCES codes(id) ON DELETE CASCADE,
            coding_id INTEGER REFERENCES codings(id) ON DELETE CASCADE,
            case_id INTEGER REFERENCES cases(id) ON DELETE CASCADE,
            CHECK ((document_id IS NOT NULL) + (code_id IS NOT NULL) + (coding_id IS NOT NULL)
                   + (case_id IS NOT NULL) = 1)
        );
        CREATE UNIQUE INDEX memo_links_target ON memo_links(
            memo_id, ifnull(document_id, 0), ifnull(code_id, 0), ifnull(coding_id, 0),
            ifnull(case_id, 0));
        CREATE INDEX memo_links_document ON memo_links(document_id);
        CREATE INDEX memo_links_code ON memo_links(code_id);
        CREATE INDEX memo_links_coding ON memo_links(coding_id);
        CREATE INDEX memo_links_case ON memo_links(case_id);
        """
    )
    # Opening a project checks that no passage ends past its document's text
    # (coder.core.invariants): one index seek per document instead of reading every row.
    db.executescript(
        """
        CREATE INDEX codings_document_end ON codings(document_id, "end");
        CREATE INDEX turns_document_end ON turns(document_id, "end");
        """
    )
    # Editing a document's text (coder.core.editing): each edit gives the text a new revision,
    # so that what was computed from a text (its length, say) is known to be current.
    db.executescript(
        """
        ALTER TABLE documents ADD COLUMN revision TEXT NOT NULL DEFAULT '';
        """
    )
    # Editing a document's text finds the passages around the edit (those ending after its
    # start) from the index alone: its end index also holds each passage's start.
    db.executescript(
        """
        DROP INDEX codings_document_end;
        CREATE INDEX codings_document_end ON codings(document_id, "end", start);
        DROP INDEX turns_document_end;
        CREATE INDEX turns_document_end ON turns(document_id, "end", start);
        """
    )
    _m002_pseudonyms(db)
    _m002_text_blocks(db)
    _m002_passages_in_blocks(db)


def _m002_pseudonyms(db: Database) -> None:
    """Part of m002 (its own function for length only)."""
    # Pseudonymisation (coder.core.pseudonymise): the project's pseudonym list (each original,
    # with its extra forms one per line, and what replaces it) and the suggestions dismissed.
    db.executescript(
        """
        CREATE TABLE pseudonyms (
            id INTEGER PRIMARY KEY,
            guid TEXT NOT NULL UNIQUE,
            original TEXT NOT NULL,
            replacement TEXT NOT NULL,
            category TEXT NOT NULL DEFAULT 'other' CHECK (category IN
                ('person', 'place', 'organisation', 'date', 'contact', 'other')),
            forms TEXT NOT NULL DEFAULT '',
            case_sensitive INTEGER NOT NULL DEFAULT 0 CHECK (case_sensitive IN (0, 1)),
            whole_word INTEGER NOT NULL DEFAULT 1 CHECK (whole_word IN (0, 1)),
            note TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );
        CREATE TABLE pseudonym_dismissals (
            id INTEGER PRIMARY KEY,
            text TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL DEFAULT ''
        );
        """
    )


def _m002_text_blocks(db: Database) -> None:
    """Part of m002: a document's text stored as blocks of whole paragraphs
    (coder.core.blocks), its length in a column, and the full-text index over the blocks (and
    over the documents' names), so that an edit rewrites and re-indexes one block."""
    db.executescript(
        """
        CREATE TABLE text_blocks (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            text TEXT NOT NULL,
            CHECK (start >= 0)
        );
        CREATE INDEX text_blocks_document ON text_blocks(document_id, start);
        ALTER TABLE documents ADD COLUMN length INTEGER NOT NULL DEFAULT 0;
        """
    )
    rows = []
    for doc_id, text in db.execute("SELECT id, text FROM documents ORDER BY id").fetchall():
        at = 0
        for block in blocks.split(text):
            rows.append((doc_id, at, block))
            at += len(block)
    db.conn.executemany("INSERT INTO text_blocks (document_id, start, text) VALUES (?, ?, ?)", rows)
    db.executescript(
        f"""
        DROP TRIGGER IF EXISTS documents_ai;
        DROP TRIGGER IF EXISTS documents_ad;
        DROP TRIGGER IF EXISTS documents_au;
        DROP TABLE IF EXISTS documents_fts;
        UPDATE documents SET length = length(text);
        ALTER TABLE documents DROP COLUMN text;
        {_external_fts("text_blocks", "text")}
        {_external_fts("documents", "name")}
        CREATE VIEW document_texts (document_id, text) AS
            SELECT d.id, (SELECT group_concat(b.text, '') FROM
                (SELECT text FROM text_blocks WHERE document_id = d.id ORDER BY start) b)
            FROM documents d;
        """
    )


def _external_fts(table: str, column: str) -> str:
    """SQL for a full-text index over ``table.column`` (FTS5, external content), kept in step
    by triggers and built from the rows already there."""
    fts = f"{table}_fts"
    return f"""
        CREATE VIRTUAL TABLE {fts} USING fts5(
            {column}, content='{table}', content_rowid='id', tokenize='unicode61');
        CREATE TRIGGER {table}_ai AFTER INSERT ON {table} BEGIN
            INSERT INTO {fts} (rowid, {column}) VALUES (new.id, new.{column});
        END;
        CREATE TRIGGER {table}_ad AFTER DELETE ON {table} BEGIN
            INSERT INTO {fts} ({fts}, rowid, {column})
                VALUES ('delete', old.id, old.{column});
        END;
        CREATE TRIGGER {table}_au AFTER UPDATE OF {column} ON {table} BEGIN
            INSERT INTO {fts} ({fts}, rowid, {column})
                VALUES ('delete', old.id, old.{column});
            INSERT INTO {fts} (rowid, {column}) VALUES (new.id, new.{column});
        END;
        INSERT INTO {fts} ({fts}) VALUES ('rebuild');
        """


# The columns of each passage table as readers see them (its view ``<table>_at``).
_PASSAGE_COLUMNS = {
    "codings": 'id, guid, document_id, code_id, coder_id, start, "end", created_at, memo',
    "annotations": 'id, guid, document_id, coder_id, start, "end", text, created_at, modified_at',
    "case_selections": 'id, case_id, document_id, start, "end"',
    "turns": 'id, document_id, speaker, start, "end", time_start, time_end',
}


def _m002_passages_in_blocks(db: Database) -> None:
    """Part of m002: every passage anchored in the block its start lies in, its start and end
    stored as offsets from that block's start (coder.core.anchors), so that an edit moves only
    the passages of the blocks it rewrites. ``<table>_at`` views give absolute positions."""
    db.executescript(
        """
        DROP INDEX codings_document;
        DROP INDEX codings_document_end;
        DROP INDEX turns_document;
        DROP INDEX turns_document_end;
        DROP INDEX annotations_document;
        """
    )
    for table, columns in _PASSAGE_COLUMNS.items():
        view = columns.replace('start, "end"', 'b.start + t.start_offset AS start, '
                               'b.start + t.end_offset AS "end"')  # fmt: skip
        view = ", ".join(
            c if c.startswith("b.") or " AS " in c else f"t.{c}" for c in view.split(", ")
        )
        db.executescript(
            f"""
            ALTER TABLE {table} RENAME COLUMN start TO start_offset;
            ALTER TABLE {table} RENAME COLUMN "end" TO end_offset;
            ALTER TABLE {table} ADD COLUMN block_id INTEGER NOT NULL DEFAULT 0;
            UPDATE {table} SET block_id = ifnull((SELECT b.id FROM text_blocks b
                WHERE b.document_id = {table}.document_id AND b.start <= {table}.start_offset
                ORDER BY b.start DESC LIMIT 1), 0);
            UPDATE {table} SET
                start_offset = start_offset - ifnull((SELECT start FROM text_blocks
                    WHERE id = {table}.block_id), 0),
                end_offset = end_offset - ifnull((SELECT start FROM text_blocks
                    WHERE id = {table}.block_id), 0);
            CREATE INDEX {table}_block ON {table}(block_id, start_offset);
            CREATE INDEX {table}_block_end ON {table}(block_id, end_offset);
            CREATE VIEW {table}_at ({columns}) AS
                SELECT {view} FROM {table} t JOIN text_blocks b ON b.id = t.block_id;
            """
        )
    db.executescript(
        """
        CREATE INDEX codings_document ON codings(document_id);
        CREATE INDEX turns_document ON turns(document_id);
        CREATE INDEX annotations_document ON annotations(document_id);
        """
    )
