"""Merge other project files (a team member's copy) into this project, in one transaction.

Matching (every rule is idempotent, so merging the same file twice changes nothing):

* **coders** by GUID, else by name (each copy of a project creates its own coder rows);
* **cases** by GUID, else by name;
* **documents** by GUID when the text is identical, else by identical text (the same transcript
  imported separately by two people); a document with a known GUID but different text is added
  as a separate document with a new GUID (and listed as a conflict);
* **codes** by GUID, else by path (same name under the same, matched, parent): two coders who
  both created "Barriers/Cost" mean the same code;
* **codings** by GUID, else by identical (document, code, coder, start, end);
* **case links of passages** by identical (case, document, start, end);
* **attributes** by GUID, else by (scope, name); their **values** by (attribute, owner);
* **memos** by GUID, else by identical title and text (their author mapped like codings');
* **annotations** by GUID, else by identical (document, start, end, text); an annotation never
  moves to another document;
* **memo links** by identical (memo, linked document, code, coding or case).

Neither file records the state both started from, so every field that differs between two
matched items is a conflict: it is listed (:class:`Conflict`) and resolved by the rule the user
picks (``prefer="mine"`` keeps this project's value, ``"theirs"`` takes the other file's). A
field empty on one side simply takes the other side's text (counted as ``filled``). Nothing is
deleted: an item missing from one side is kept (or added).

The merge makes a backup of this project first, opens the other files read-only, refuses a bad
file before changing anything, and returns :class:`Changes` so that it is one undo step.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from coder.core.backup import backup_now
from coder.core.errors import CoderError, InvalidValue, ProjectFileError
from coder.core.merge_items import Merger
from coder.core.merge_report import Conflict, MergeReport
from coder.core.progress import Progress, check
from coder.core.project import Project

CANCELLED = "merge cancelled; nothing was changed"

__all__ = ["PREFER", "Conflict", "MergeReport", "merge_projects", "open_other"]

PREFER = ("mine", "theirs")
_REQUIRED_TABLES = {
    "meta", "coders", "cases", "documents", "turns", "codes", "codings",
    "case_selections", "attributes", "attribute_values", "memos",
}  # fmt: skip


# --------------------------------------------------------------------------- opening


def open_other(path: str | Path) -> Project:
    """Open another project read-only for merging; a bad file raises a one-line error."""
    path = Path(path)
    other = Project.open(path, read_only=True)
    try:
        tables = {r[0] for r in other.db.execute("SELECT name FROM sqlite_master")}
        missing = _REQUIRED_TABLES - tables
        if missing:
            raise ProjectFileError(
                f"{path} is not a complete Coder project (missing {', '.join(sorted(missing))})"
            )
        other.db.execute("SELECT count(*) FROM codings").fetchone()
    except sqlite3.Error as e:
        other.close()
        raise ProjectFileError(f"{path} cannot be read: {e}") from None
    except BaseException:
        other.close()
        raise
    return other


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or a.samefile(b)
    except OSError:
        return False


# --------------------------------------------------------------------------- merging


class _DryRun(Exception):
    """Raised inside the transaction of a dry run to undo everything."""


def merge_projects(
    project: Project,
    others: Sequence[str | Path],
    prefer: str = "mine",
    backup: bool = True,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> MergeReport:
    """Merge the other project files into ``project`` in one transaction.

    ``prefer`` ("mine" or "theirs") resolves every conflict; all of them are listed in the
    report. ``dry_run`` computes the report and changes nothing (no backup either).
    ``progress(done, total, label)`` is told about each file; returning False cancels (nothing
    is changed). Raises a one-line CoderError for a bad file before any change.
    """
    if prefer not in PREFER:
        raise InvalidValue(f"prefer must be 'mine' or 'theirs', not '{prefer}'")
    if project.read_only:
        raise CoderError(f"{project.path.name} is open read-only; it cannot take a merge")
    paths: list[Path] = []
    for item in others:
        path = Path(item)
        if _same_file(path, project.path):
            raise InvalidValue(f"{path} is this project itself; choose another project file")
        if not any(_same_file(path, p) for p in paths):
            paths.append(path)
    if not paths:
        raise InvalidValue("choose at least one project file to merge")
    opened: list[Project] = []
    try:
        for path in paths:
            opened.append(open_other(path))
        report = MergeReport(sources=paths, prefer=prefer, dry_run=dry_run)
        if backup and not dry_run:
            report.backup = backup_now(project)
        try:
            with project.edit() as edit:
                for n, other in enumerate(opened):
                    check(progress, n, len(opened), other.path.name, CANCELLED)
                    Merger(project, other, prefer, report).run()
                if dry_run:
                    raise _DryRun
            report.changes = edit.changes()
        except _DryRun:
            pass
        if progress is not None:
            progress(len(opened), len(opened), "")
        return report
    finally:
        for other in opened:
            other.close()
