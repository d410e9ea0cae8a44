"""What a project must hold beyond what SQLite checks, checked every time one is opened.

``PRAGMA integrity_check`` finds damaged pages, not damaged meaning: a file edited by another
program (or written with foreign keys off) can have a code that is its own ancestor, a coding
of a code that does not exist, or a passage past the end of its document's text. Merging or
exporting such a project would silently drop codes and codings, so opening it refuses it with
one line, like any damaged file.

The checks are cheap enough for every open (about 20 ms for 100 transcripts with 20,000
codings, most of it counting the characters of the texts' blocks): a recursive walk of the
codebook, each foreign key on its column's distinct values, the blocks of each text contiguous
from 0 and as long as its length column says, and per document one index seek for the furthest
end of its codings and turns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlite_utils import Database

# Tables whose rows are passages of a document's text: (table, what a row is, for people).
_PASSAGES = (
    ("codings", "a coding"),
    ("turns", "a speaker turn"),
    ("case_selections", "a case's passage"),
    ("annotations", "an annotation"),
)
_NAMES = {
    "codes": "a code",
    "documents": "a document",
    "coders": "a coder",
    "cases": "a case",
    "memos": "a memo",
    "attributes": "an attribute",
    "codings": "a coding",
}


def problem(db: Database, lengths: Callable[[Iterable[int]], dict[int, int]]) -> str | None:
    """The first broken rule of the project open on ``db``, in words, or None.

    ``lengths(ids)`` gives the characters of those documents' texts.
    """
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return (
        _code_hierarchy(db)
        or _references(db, tables)
        or _blocks(db, tables)
        or _passages(db, tables, lengths)
    )


def _blocks(db: Database, tables: set[str]) -> str | None:
    """A text whose blocks (coder.core.blocks) do not run from 0 without gap or overlap, or
    whose length column is not their total: positions would not mean what they say."""
    if "text_blocks" not in tables:
        return None  # a file from before blocks, checked before it is migrated
    # each block's characters counted once (the texts are read once), then checked twice
    sizes = db.execute(
        "SELECT document_id, start, length(text) FROM text_blocks ORDER BY document_id, start"
    ).fetchall()
    totals: dict[int, int] = {}
    for doc_id, start, n in sizes:
        expected = totals.get(doc_id, 0)
        if start != expected:
            return _damaged_text(db, doc_id, f"a part starts at {start:,} instead of {expected:,}")
        totals[doc_id] = expected + n
    for doc_id, length in db.execute("SELECT id, length FROM documents"):
        if totals.get(doc_id, 0) != length:
            return _damaged_text(
                db, doc_id, f"it has {totals.get(doc_id, 0):,} characters, not the {length:,} "
                "recorded"
            )  # fmt: skip
    return None


def _damaged_text(db: Database, doc_id: int, why: str) -> str:
    name = db.execute("SELECT name FROM documents WHERE id = ?", [doc_id]).fetchone()
    return f"the text of the document '{name[0] if name else doc_id}' is damaged ({why})"


def _code_hierarchy(db: Database) -> str | None:
    """A code whose parent is missing, or a cycle (a code that is its own ancestor)."""
    total = db.execute("SELECT count(*) FROM codes").fetchone()[0]
    reachable = db.execute(
        """WITH RECURSIVE tree(id) AS (
               SELECT id FROM codes WHERE parent_id IS NULL
               UNION ALL
               SELECT c.id FROM codes c JOIN tree ON c.parent_id = tree.id)
           SELECT count(*) FROM tree"""
    ).fetchone()[0]
    if reachable == total:
        return None
    orphan = db.execute(
        "SELECT name FROM codes c WHERE parent_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM codes p WHERE p.id = c.parent_id) LIMIT 1"
    ).fetchone()
    if orphan:
        return f"the code '{orphan[0]}' is under a code that does not exist"
    looped = db.execute(
        """WITH RECURSIVE tree(id) AS (
               SELECT id FROM codes WHERE parent_id IS NULL
               UNION ALL
               SELECT c.id FROM codes c JOIN tree ON c.parent_id = tree.id)
           SELECT name FROM codes WHERE id NOT IN (SELECT id FROM tree) ORDER BY id LIMIT 1"""
    ).fetchone()
    name = looped[0] if looped else "?"
    return f"its code hierarchy has a cycle (the code '{name}' is its own ancestor)"


def _references(db: Database, tables: set[str]) -> str | None:
    """A row that refers to a row that does not exist (a coding of a deleted code, say).

    Each foreign key is checked on the distinct values of its column (an index skip-scan
    where the column is indexed, as all the big ones are), not row by row.
    """
    for table in sorted(tables):
        for fk in db.execute(f'PRAGMA foreign_key_list("{table}")').fetchall():
            parent, column, key = fk[2], fk[3], fk[4] or "rowid"
            if table == parent == "codes":
                continue  # the code hierarchy is checked on its own
            values = [
                r[0]
                for r in db.execute(
                    f'SELECT DISTINCT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL'
                )
            ]
            for i in range(0, len(values), 500):
                chunk = values[i : i + 500]
                marks = ",".join("?" for _ in chunk)
                found = db.execute(
                    f'SELECT count(DISTINCT "{key}") FROM "{parent}" WHERE "{key}" IN ({marks})',
                    chunk,
                ).fetchone()[0]
                if found < len(chunk):
                    child = _NAMES.get(table, f"a row of {table}")
                    return (
                        f"{child} refers to {_NAMES.get(parent, f'a row of {parent}')} "
                        "that does not exist"
                    )
    return None


def _passages(
    db: Database, tables: set[str], lengths: Callable[[Iterable[int]], dict[int, int]]
) -> str | None:
    """A passage outside its document's text (or ending where it starts), or anchored in a
    block that is not one of its document's."""
    documents = [r[0] for r in db.execute("SELECT id FROM documents")]
    ends: dict[int, tuple[int, str]] = {}  # document -> the furthest end, and of what
    for table, what in _PASSAGES:
        if table not in tables:
            continue
        anchored = "block_id" in {r[1] for r in db.execute(f'PRAGMA table_info("{table}")')}
        if anchored:
            bad = db.execute(
                f"""SELECT ifnull(b.start, 0) + t.start_offset, ifnull(b.start, 0) + t.end_offset,
                           b.document_id = t.document_id
                    FROM {table} t LEFT JOIN text_blocks b ON b.id = t.block_id
                    WHERE b.document_id IS NOT t.document_id OR t.start_offset < 0
                       OR t.end_offset < t.start_offset LIMIT 1"""
            ).fetchone()
            if bad and not bad[2]:
                return f"{what} is anchored outside its document's text"
        else:  # a file from before blocks, checked before it is migrated
            bad = db.execute(
                f'SELECT start, "end", 1 FROM {table} WHERE start < 0 OR "end" < start LIMIT 1'
            ).fetchone()
        if bad:
            return f"{what} runs backwards or starts before its text ({bad[0]}-{bad[1]})"
        found = _block_ends(db, table) if anchored else _furthest_ends(db, table, documents)
        for doc_id, end in found:
            if end is not None and end > ends.get(doc_id, (-1, ""))[0]:
                ends[doc_id] = (end, what)
    if not ends:
        return None
    known = lengths(documents)  # all of them: the project's reads need them next
    for doc_id, (end, what) in ends.items():
        length = known.get(doc_id)
        if length is not None and end > length:
            name = db.execute("SELECT name FROM documents WHERE id = ?", [doc_id]).fetchone()
            return (
                f"{what} in the document '{name[0]}' ends at {end:,}, past the end of its "
                f"text of {length:,} characters"
            )
    return None


def _block_ends(db: Database, table: str) -> Iterable[tuple[int, int]]:
    """(document, the largest end of its rows in ``table``): one index seek per text block."""
    return db.execute(
        f"""SELECT document_id, max(start + (SELECT max(end_offset) FROM {table}
                                               WHERE block_id = b.id))
            FROM text_blocks b GROUP BY document_id"""
    ).fetchall()


def _furthest_ends(db: Database, table: str, documents: list[int]) -> Iterable[tuple[int, int]]:
    """(document, the largest end of its rows in ``table``): one index seek per document where
    ``table`` has an index on (document_id, "end") (codings and turns, the big ones)."""
    indexed = any(
        [r[2] for r in db.execute(f'PRAGMA index_info("{index[1]}")')] == ["document_id", "end"]
        for index in db.execute(f'PRAGMA index_list("{table}")')
    )
    if not indexed:
        return db.execute(f'SELECT document_id, max("end") FROM {table} GROUP BY document_id')
    sql = f'SELECT max("end") FROM {table} WHERE document_id = ?'
    return ((doc_id, db.execute(sql, [doc_id]).fetchone()[0]) for doc_id in documents)
