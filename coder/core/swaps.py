"""Rows written back whose values must stay unique, in any order.

Undo and redo write the rows of a change back one by one. Two rows may exchange values that
must be unique (a merge that preferred the other side's names can leave two documents with
each other's names), so whichever is written first would meet the other's old value. The
values those rows are about to change are therefore first set aside: each is replaced by a
placeholder no name can be (NUL and the row's key), then every row is written as it should be.
A ``guid`` never changes, so it is never set aside.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database


def unique_columns(db: Database, table: str) -> tuple[str, ...]:
    """The columns of ``table`` in a UNIQUE constraint or index, but its key and ``guid``."""
    found: list[str] = []
    for index in db.execute(f'PRAGMA index_list("{table}")').fetchall():
        if not index[2] or index[3] == "pk":
            continue
        for info in db.execute(f'PRAGMA index_info("{index[1]}")').fetchall():
            name = info[2]
            if name is not None and name != "guid" and name not in found:
                found.append(name)
    return tuple(found)


def set_aside(
    db: Database, table: str, key: str, columns: tuple[str, ...], rows: Iterable[dict[str, Any]]
) -> None:
    """Replace, in the rows of ``table`` about to be written back as ``rows``, each value of
    the unique ``columns`` (:func:`unique_columns`) that is about to change by a placeholder."""
    if not columns:
        return
    picked = ", ".join(f'"{c}"' for c in columns)
    for row in rows:
        current = db.execute(
            f'SELECT {picked} FROM "{table}" WHERE "{key}" = ?', [row[key]]
        ).fetchone()
        if current is None:
            continue  # written anew: it had no value to give up
        moving = [
            c for c, value in zip(columns, current, strict=True) if c in row and row[c] != value
        ]
        if not moving:
            continue
        sets = ", ".join(f'"{c}" = ?' for c in moving)
        placeholder = f"\x00{row[key]}"
        try:
            db.execute(
                f'UPDATE "{table}" SET {sets} WHERE "{key}" = ?',
                [*(placeholder for _ in moving), row[key]],
            )
        except sqlite3.IntegrityError:
            pass  # a value the table checks: written in place, as before
