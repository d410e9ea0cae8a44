"""Helpers shared by the command modules."""

from __future__ import annotations

import json
import sys
from bisect import bisect_right
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from coder.core.errors import CoderError, InvalidValue, NotFound, ProjectFileError
from coder.core.project import EXTENSION, Project
from coder.core.text import find_passage, normalise


def open_project(path: str, create: bool = False, read_only: bool = False) -> Project:
    """Open PROJECT for a command (creating it when ``create`` and it does not exist)."""
    p = Path(path)
    if create and not p.exists():
        if p.suffix.lower() != EXTENSION:
            raise CoderError(f"{p}: a project file name must end with {EXTENSION}")
        return Project.create(p)
    if not p.exists():
        raise ProjectFileError(f"{p}: no such project file (create one with 'coder new {p}')")
    return Project.open(p, read_only=read_only)


def passage_from_args(args: Any, text: str, document: str) -> tuple[int, int]:
    """The passage a command names: ``--text`` (its ``--occurrence``) or ``--start``/``--end``."""
    if args.text is not None:
        if args.end is not None:
            raise InvalidValue("--end goes with --start, not with --text")
        return find_passage(text, normalise(args.text), args.occurrence, document)
    if args.end is None:
        raise InvalidValue("--start needs --end")
    if args.occurrence is not None:
        raise InvalidValue("--occurrence goes with --text")
    return args.start, args.end


def listing(names: Sequence[str], limit: int = 20) -> str:
    """Names for an error message: the first ``limit``, then how many in all."""
    if not names:
        return "none yet"
    shown = ", ".join(names[:limit])
    return shown + (f", … ({len(names)} in all)" if len(names) > limit else "")


# What a command may name, how one is found, and the names listed when one is not.
_NAMED: dict[str, tuple[Callable[[Project, str], Any], Callable[[Project], list[str]]]] = {
    "code": (Project.find_code, lambda p: [c.path for c in p.codes()]),
    "case": (Project.find_case, lambda p: [c.name for c in p.cases()]),
    "document": (Project.find_document, lambda p: [d.name for d in p.documents()]),
    "coder": (Project.find_coder, lambda p: [c.name for c in p.coders()]),
}


def named_ids(project: Project, kind: str, names: Sequence[str] | None) -> tuple[int, ...] | None:
    """The ids of the codes, cases, documents or coders (``kind``) a command names, in order
    and once each; None when none are named. An unknown name lists the known ones."""
    if not names:
        return None
    find, known = _NAMED[kind]
    ids = []
    for name in names:
        try:
            ids.append(find(project, name).id)
        except NotFound:
            raise NotFound(
                f"no {kind} named '{name}' ({kind}s: {listing(known(project))})"
            ) from None
    return tuple(dict.fromkeys(ids))


def context_option(value: str) -> int | str:
    """``--context``: a number of characters, "paragraph" or "turn"."""
    v = value.strip().lower()
    if v in ("paragraph", "turn"):
        return v
    if v.isdigit():
        return int(v)
    raise InvalidValue(f"--context is a number of characters, 'paragraph' or 'turn', not '{value}'")


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def print_table(headers: list[str], rows: list[list[Any]]) -> None:
    """A plain, aligned text table for people (scripts use --json)."""
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=False)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


class SpeakerLookup:
    """The speaker of an offset, per document (bisect over the document's turns)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._cache: dict[int, tuple[list[int], list[Any]]] = {}

    def speaker(self, doc_id: int, offset: int) -> str | None:
        if doc_id not in self._cache:
            turns = self.project.turns(doc_id)
            self._cache[doc_id] = ([t.start for t in turns], turns)
        starts, turns = self._cache[doc_id]
        i = bisect_right(starts, offset) - 1
        if i >= 0 and turns[i].start <= offset < max(turns[i].end, turns[i].start + 1):
            return turns[i].speaker
        return None
