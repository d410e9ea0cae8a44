"""The window reads and writes only through the core: no SQL and no database handle in coder/ui."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import coder.ui

UI = Path(coder.ui.__file__).parent
# SQL as the core writes it: upper-case keywords that start or join a statement.
SQL = re.compile(
    r"\b(SELECT|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX|TRIGGER)"
    r"|DROP\s+TABLE|ALTER\s+TABLE|PRAGMA|WHERE|GROUP\s+BY|ORDER\s+BY)\b"
)
# The handles and calls that reach the database under the core's typed reads.
HANDLES = {"db", "conn"}
CALLS = {"execute", "executemany", "executescript", "query", "set_progress_handler"}


def findings(source: str) -> list[tuple[int, str]]:
    """(line, what) for every SQL string, database handle or statement call in ``source``
    (lower-case SQL is English to this scan: "Select a code from the list")."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = SQL.search(node.value)
            if match:
                found.append((node.lineno, f"SQL {match.group(0)!r}"))
        elif isinstance(node, ast.Attribute) and node.attr in HANDLES:
            found.append((node.lineno, f".{node.attr}"))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in CALLS
        ):
            found.append((node.lineno, f".{node.func.attr}()"))
    return found


def test_the_window_runs_no_sql() -> None:
    files = sorted(UI.rglob("*.py"))
    assert len(files) > 30  # the whole window, not an empty folder
    found = [
        f"{path.relative_to(UI.parent)}:{line}: {what}"
        for path in files
        for line, what in findings(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_scan_finds_sql_and_database_access() -> None:
    source = (
        'rows = project.db.execute("SELECT id FROM documents WHERE case_id = ?", [1])\n'
        "project.store.conn.interrupt()\n"
        'db.query("select 1")\n'
        'label = "Select a code from the list"\n'
    )
    assert sorted(findings(source)) == [
        (1, ".db"),
        (1, ".execute()"),
        (1, "SQL 'SELECT'"),
        (2, ".conn"),
        (3, ".query()"),
    ]
