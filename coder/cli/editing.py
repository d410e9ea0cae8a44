"""Editing transcripts: ``coder document edit`` and ``coder document replace``."""

from __future__ import annotations

import argparse
import contextlib
from typing import Any

from coder.cli.common import open_project, passage_from_args, print_json
from coder.core import editing
from coder.core.errors import InvalidValue
from coder.core.project import Project
from coder.core.text import normalise


def register(sub: argparse._SubParsersAction) -> None:
    document = sub.add_parser("document", help="edit a document's text (codings follow)")
    document_sub = document.add_subparsers(dest="document_command", metavar="ACTION")
    document_sub.required = True

    p = document_sub.add_parser("edit", help="replace one passage of a document's text")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--document", required=True, metavar="NAME")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--text", metavar="OLD", help="the exact passage to replace")
    where.add_argument("--start", type=int, metavar="S", help="first code point (0-based)")
    p.add_argument("--end", type=int, metavar="E", help="code point after the passage")
    p.add_argument(
        "--occurrence", type=int, metavar="N", help="which occurrence of --text (1-based)"
    )
    p.add_argument("--replace", required=True, metavar="NEW", help="the new text (may be empty)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_edit)

    p = document_sub.add_parser("replace", help="replace every occurrence of a text")
    p.add_argument("project", metavar="PROJECT")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--document", metavar="NAME")
    which.add_argument("--all", action="store_true", help="in every document")
    p.add_argument("old", metavar="OLD")
    p.add_argument("new", metavar="NEW")
    p.add_argument(
        "--whole-word", action="store_true", help="leave occurrences inside longer words alone"
    )
    p.add_argument(
        "--dry-run", action="store_true", help="report what would change; change nothing"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_replace)


def _coding_moves(moves: list[editing.Move]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The codings an edit moves (guid, old and new start and end) and those it removes."""
    changed, removed = [], []
    for m in moves:
        if m.new_start is None:
            removed.append({"guid": m.guid, "start": m.start, "end": m.end})
        else:
            changed.append(
                {
                    "guid": m.guid,
                    "old_start": m.start,
                    "old_end": m.end,
                    "start": m.new_start,
                    "end": m.new_end,
                }
            )
    changed.sort(key=lambda c: (c["start"], c["end"], c["guid"]))
    removed.sort(key=lambda c: (c["start"], c["end"], c["guid"]))
    return changed, removed


def cmd_edit(args: argparse.Namespace) -> int:
    with open_project(args.project) as project:
        doc = project.find_document(args.document)
        start, end = passage_from_args(args, project.document_text(doc.id), doc.name)
        characters, moves = editing.coding_moves(project, doc.id, [(start, end, args.replace)])
        editing.edit_text(project, doc.id, start, end, args.replace)
    changed, removed = _coding_moves(moves)
    if args.json:
        print_json(
            {
                "document": doc.name,
                "start": start,
                "end": end,
                "replacement": normalise(args.replace),
                "characters": characters,
                "changed": changed,
                "removed": removed,
            }
        )
    else:
        print(
            f"edited {doc.name} {start}-{end}: {len(changed)} coding(s) moved, "
            f"{len(removed)} removed"
        )
    return 0


def _replace(project: Project, doc_ids: list[int], args: argparse.Namespace) -> list[dict]:
    """What replacing does to each document where the text occurs (computed by the rule, so
    a dry run writes nothing); replaced in one transaction unless it is a dry run."""
    old = normalise(args.old)
    rows: list[dict] = []
    with contextlib.ExitStack() as stack:
        if not args.dry_run:
            stack.enter_context(project.edit())
        for doc_id in doc_ids:
            spans = editing.occurrences(project.document_text(doc_id), old, args.whole_word)
            if not spans:
                continue
            edits = [(s, e, args.new) for s, e in spans]
            characters, moves = editing.coding_moves(project, doc_id, edits)
            changed, removed = _coding_moves(moves)
            rows.append(
                {
                    "document": project.document_name(doc_id),
                    "replacements": len(spans),
                    "characters": characters,
                    "changed": changed,
                    "removed": removed,
                }
            )
            if not args.dry_run:
                editing.apply_edits(project, doc_id, edits)
    return rows


def cmd_replace(args: argparse.Namespace) -> int:
    if not args.old:
        raise InvalidValue("the text to replace is empty")
    # a dry run only reads: it works while another program (the window) holds the project
    with open_project(args.project, read_only=args.dry_run) as project:
        if args.all:
            doc_ids = [d.id for d in project.document_refs()]
        else:
            doc_ids = [project.find_document(args.document).id]
        rows = _replace(project, doc_ids, args)
    if args.json:
        print_json(
            {
                "old": normalise(args.old),
                "new": normalise(args.new),
                "whole_word": args.whole_word,
                "dry_run": args.dry_run,
                "replacements": sum(r["replacements"] for r in rows),
                "documents": rows,
            }
        )
    else:
        verb = "would replace" if args.dry_run else "replaced"
        for r in rows:
            print(
                f"{r['document']}: {verb} {r['replacements']}, "
                f"{len(r['changed'])} coding(s) moved, {len(r['removed'])} removed"
            )
        if not rows:
            print(f"'{args.old}' does not occur")
    return 0
