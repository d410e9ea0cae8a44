"""Annotations: notes anchored to a passage of a document, without a code."""

from __future__ import annotations

import argparse

from coder.cli.common import open_project, passage_from_args, print_json, print_table


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("annotations", help="list annotations (notes on passages)")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--document", metavar="NAME", help="only this document's annotations")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_annotations)

    p = sub.add_parser("annotate", help="anchor a note to a passage of a document")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--document", required=True, metavar="NAME")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--text", metavar="PASSAGE", help="the exact passage to annotate")
    where.add_argument("--start", type=int, metavar="S", help="first code point (0-based)")
    p.add_argument("--end", type=int, metavar="E", help="code point after the passage")
    p.add_argument(
        "--occurrence", type=int, metavar="N", help="which occurrence of --text (1-based)"
    )
    p.add_argument("--note", required=True, metavar="TEXT", help="the annotation's text")
    p.add_argument("--coder", metavar="NAME", help="default: the configured coder name")
    p.set_defaults(handler=cmd_annotate)


def cmd_annotations(args: argparse.Namespace) -> int:
    with open_project(args.project, read_only=True) as project:
        doc_id = project.find_document(args.document).id if args.document else None
        names = {d.id: d.name for d in project.documents()}
        texts: dict[int, str] = {}
        rows = []
        for a in project.annotations(doc_id):
            if a.document_id not in texts:
                texts[a.document_id] = project.document_text(a.document_id)
            rows.append({"guid": a.guid, "document": names[a.document_id], "start": a.start,
                         "end": a.end, "text": texts[a.document_id][a.start : a.end],
                         "note": a.text, "coder": a.coder, "created": a.created_at,
                         "modified": a.modified_at})  # fmt: skip
    if args.json:
        print_json(rows)
    else:
        print_table(
            ["document", "start", "end", "passage", "note", "coder"],
            [[r["document"], r["start"], r["end"], r["text"], r["note"], r["coder"]]
             for r in rows],
        )  # fmt: skip
    return 0


def cmd_annotate(args: argparse.Namespace) -> int:
    with open_project(args.project) as project:
        doc = project.find_document(args.document)
        start, end = passage_from_args(args, project.document_text(doc.id), doc.name)
        changes = project.add_annotation(doc.id, start, end, args.note, coder=args.coder)
        (note,) = [a for a in project.annotations(doc.id) if a.id in changes.annotations]
    print(f"annotated {doc.name} {note.start}-{note.end}")
    return 0
