"""Core commands: new, import, documents, code, codings, stats, search, cases."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from coder.cli.common import (
    SpeakerLookup,
    named_ids,
    open_project,
    passage_from_args,
    print_json,
    print_table,
)
from coder.core import query
from coder.core.consensus import CONSENSUS
from coder.core.errors import InvalidValue
from coder.core.model import CodeNode
from coder.core.numbers import fixed
from coder.core.project import Project


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("new", help="create an empty project")
    p.add_argument("project", metavar="PROJECT")
    p.set_defaults(handler=cmd_new)

    p = sub.add_parser("import", help="import transcripts (or a REFI-QDA .qdc/.qdpx file)")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("files", metavar="FILE", nargs="+")
    p.add_argument(
        "--speakers",
        choices=["auto", "none"],
        default="auto",
        help="detect speaker turns like 'Name: text' (default: auto)",
    )
    p.add_argument(
        "--case-per-document",
        action="store_true",
        help="create a case for each imported document, named after it",
    )
    p.add_argument(
        "--dotted-hierarchy",
        action="store_true",
        help="REFI-QDA files: make dotted code names (a.b, as Taguette writes) sub-codes",
    )
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("documents", help="list the documents")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_documents)

    _register_code(sub)

    p = sub.add_parser("codings", help="list coded passages")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--code", metavar="NAME")
    p.add_argument("--document", metavar="NAME")
    p.add_argument("--coder", metavar="NAME")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_codings)

    _register_stats(sub)

    p = sub.add_parser("search", help="full-text search over all documents")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_search)

    cases = sub.add_parser("cases", help="cases and their attributes")
    cases_sub = cases.add_subparsers(dest="cases_command", metavar="ACTION", required=True)
    p = cases_sub.add_parser("import", help="import attributes from a CSV or XLSX table")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(handler=cmd_cases_import)
    p = cases_sub.add_parser("list", help="list cases with their attributes")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_cases_list)


def _register_code(sub: argparse._SubParsersAction) -> None:
    """coder code add | list | apply."""
    code = sub.add_parser("code", help="manage the codebook and apply codes")
    code_sub = code.add_subparsers(dest="code_command", metavar="ACTION", required=True)
    p = code_sub.add_parser("add", help="add a code")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--parent", metavar="NAME", help="parent code (name or Parent/Child path)")
    p.add_argument("--color", metavar="#RRGGBB")
    p.add_argument("--definition", metavar="TEXT", default="")
    p.add_argument(
        "--category",
        action="store_true",
        help="a category: groups codes and is never applied to a passage",
    )
    p.set_defaults(handler=cmd_code_add)
    p = code_sub.add_parser("list", help="list the codebook")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_code_list)
    p = code_sub.add_parser("apply", help="code a passage of a document")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--document", required=True, metavar="NAME")
    p.add_argument("--code", required=True, metavar="NAME")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--text", metavar="PASSAGE", help="the exact passage to code")
    where.add_argument("--start", type=int, metavar="S", help="first code point (0-based)")
    p.add_argument("--end", type=int, metavar="E", help="code point after the passage")
    p.add_argument(
        "--occurrence", type=int, metavar="N", help="which occurrence of --text (1-based)"
    )
    p.add_argument("--coder", metavar="NAME", help="default: the configured coder name")
    p.set_defaults(handler=cmd_code_apply)


def _register_stats(sub: argparse._SubParsersAction) -> None:
    """coder stats: frequencies by document, case or attribute value."""
    p = sub.add_parser("stats", help="how many documents or cases cite each code")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--by", default="document", metavar="document|case|attribute=NAME")
    p.add_argument("--coder", metavar="NAME", action="append", help="only this coder's codings")
    p.add_argument("--coders", nargs="+", metavar="NAME", help="only codings by these coders")
    p.add_argument(
        "--consensus",
        choices=CONSENSUS,
        default="any",
        help="a document or case counts when any (default), all or more than half of "
        "the --coders coded the code in it",
    )
    p.add_argument("--documents", nargs="+", metavar="NAME", help="only these documents")
    p.add_argument("--cases", nargs="+", metavar="NAME", help="only these cases")
    p.add_argument(
        "--include-children",
        action="store_true",
        help="a parent code also counts its sub-codes' codings",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_stats)


def cmd_new(args: argparse.Namespace) -> int:
    Project.create(args.project).close()
    print(f"created {args.project}")
    return 0


# extension -> handler(project, path, args) for exchange files
IMPORT_HOOKS: dict[str, Callable[[Project, Path, argparse.Namespace], object]] = {}


def cmd_import(args: argparse.Namespace) -> int:
    target = Path(args.project)
    is_new = not target.exists()
    try:
        code, imported = _import(args)
    except BaseException:
        if is_new:
            _discard(target)
        raise
    if is_new and not imported:
        _discard(target)  # a failed import into a new project leaves no empty project behind
    return code


def _import(args: argparse.Namespace) -> tuple[int, bool]:
    """Import the files; returns the exit code and whether anything was imported."""
    special = [f for f in args.files if Path(f).suffix.lower() in IMPORT_HOOKS]
    with open_project(args.project, create=True) as project:
        for f in special:
            IMPORT_HOOKS[Path(f).suffix.lower()](project, Path(f), args)
        plain = [f for f in args.files if f not in special]
        if not plain:
            return 0, True
        report = project.import_files(
            plain, speakers=args.speakers, case_per_document=args.case_per_document
        )
        for doc_id in sorted(report.changes.created("documents")):
            doc = project.document(doc_id)
            print(f"imported {doc.name} ({doc.characters} characters)")
        for path, message in report.warnings:
            print(f"coder: warning: {Path(path).name}: {message}", file=sys.stderr)
        for _path, message in report.failed:
            print(f"coder: error: {message}", file=sys.stderr)
    return (1 if report.failed else 0), bool(special or report.imported)


def _discard(path: Path) -> None:
    import shutil

    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    shutil.rmtree(path.with_name(path.stem + ".backups"), ignore_errors=True)


def cmd_documents(args: argparse.Namespace) -> int:
    with open_project(args.project, read_only=True) as project:
        docs = project.documents()
    if args.json:
        print_json(
            [
                {
                    "guid": d.guid,
                    "name": d.name,
                    "characters": d.characters,
                    "case": d.case,
                    "group": d.group or None,
                    "codings": d.codings,
                }
                for d in docs
            ]
        )
    else:
        print_table(
            ["name", "characters", "codings", "case", "group"],
            [[d.name, d.characters, d.codings, d.case, d.group] for d in docs],
        )
    return 0


def cmd_code_add(args: argparse.Namespace) -> int:
    with open_project(args.project) as project:
        parent = project.find_code(args.parent).id if args.parent else None
        changes = project.add_code(
            args.name, parent_id=parent, color=args.color, definition=args.definition,
            codable=not args.category,
        )  # fmt: skip
        code = project.code(changes.created("codes")[0])
    print(f"added {'category' if args.category else 'code'} {code.path}")
    return 0


def _node_json(node: CodeNode, counts: dict[int, int]) -> dict:
    c = node.code
    return {
        "guid": c.guid,
        "name": c.name,
        "path": c.path,
        "color": c.color,
        "definition": c.definition,
        "inclusion": c.inclusion,
        "exclusion": c.exclusion,
        "example": c.example,
        "memo": c.memo,
        "codable": c.codable,
        "codings": counts.get(c.id, 0),
        "children": [_node_json(n, counts) for n in node.children],
    }


def cmd_code_list(args: argparse.Namespace) -> int:
    with open_project(args.project, read_only=True) as project:
        tree = project.code_tree()
        counts = dict(project.db.execute("SELECT code_id, count(*) FROM codings GROUP BY 1"))
        codes = project.codes()
    if args.json:
        print_json([_node_json(n, counts) for n in tree])
    else:
        for c in codes:
            print(f"{'  ' * c.depth}{c.name}  [{c.color}]  {counts.get(c.id, 0)} codings")
    return 0


def cmd_code_apply(args: argparse.Namespace) -> int:
    with open_project(args.project) as project:
        doc = project.find_document(args.document)
        code = project.find_code(args.code)
        start, end = passage_from_args(args, project.document_text(doc.id), doc.name)
        changes = project.apply_code(doc.id, code.id, start, end, coder=args.coder)
        coding = project.coding(changes.created("codings")[0])
    print(f"coded {doc.name} {coding.start}-{coding.end} with {code.path}")
    return 0


def cmd_codings(args: argparse.Namespace) -> int:
    with open_project(args.project, read_only=True) as project:
        code_ids = [project.find_code(args.code).id] if args.code else None
        doc_id = project.find_document(args.document).id if args.document else None
        coder_ids = [project.find_coder(args.coder).id] if args.coder else None
        codings = project.codings(document_id=doc_id, code_ids=code_ids, coder_ids=coder_ids)
        speakers = SpeakerLookup(project)
        texts: dict[int, str] = {}
        out = []
        for g in codings:
            if g.document_id not in texts:
                texts[g.document_id] = project.document_text(g.document_id)
            out.append(
                {
                    "guid": g.guid,
                    "document": g.document,
                    "code": g.code_path,
                    "start": g.start,
                    "end": g.end,
                    "text": texts[g.document_id][g.start : g.end],
                    "coder": g.coder,
                    "speaker": speakers.speaker(g.document_id, g.start),
                    "memo": g.memo,
                }
            )
    if args.json:
        print_json(out)
    else:
        for c in out:
            who = f" {c['speaker']}:" if c["speaker"] else ""
            print(f"{c['document']} {c['start']}-{c['end']} [{c['code']}] ({c['coder']}){who}")
            print(f"    {c['text']}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    with open_project(args.project, read_only=True) as project:
        names = [*(args.coder or []), *(args.coders or [])]
        coders = named_ids(project, "coder", names)
        documents = named_ids(project, "document", args.documents)
        cases = named_ids(project, "case", args.cases)
        filters = query.Filters(
            coders=None if coders is None else frozenset(coders),
            documents=None if documents is None else frozenset(documents),
            cases=None if cases is None else frozenset(cases),
            consensus=args.consensus,
        )
        by = args.by.strip()
        kids = args.include_children
        if by.startswith("attribute="):
            name = by.split("=", 1)[1].strip()
            if not name:
                raise InvalidValue("--by attribute=NAME needs an attribute name")
            table = query.frequencies_by_attribute(project, name, None, kids, filters=filters)
        elif by in ("document", "case"):
            table = query.frequencies(project, by, None, kids, filters=filters)
        else:
            raise InvalidValue(f"--by must be document, case or attribute=NAME, not '{by}'")
    by_attr = table.by.startswith("attribute=")
    if args.json:
        rows = []
        for r in table.rows:
            share = r.percent if r.total else None  # of no unit: undefined, not 0
            row = {"code": r.code, "codings": r.codings, "units": r.units, "percent": share}
            if by_attr:
                row.update({"value": r.value, "total": r.total})
            rows.append(row)
        print_json(
            {
                "by": table.by,
                "total": table.total,
                "include_children": table.include_children,
                "rows": rows,
            }
        )
    else:
        unit = {"document": "documents", "case": "cases"}.get(table.by, "units")
        headers = ["code"] + (["value"] if by_attr else []) + ["codings", unit, "%"]
        print_table(
            headers,
            [
                [r.code]
                + ([r.value] if by_attr else [])
                + [r.codings, f"{r.units} of {r.total}", fixed(r.percent if r.total else None)]
                for r in table.rows
            ],
        )
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    with open_project(args.project, read_only=True) as project:
        hits = project.search(args.query, limit=args.limit)
    if args.json:
        print_json(
            [
                {
                    "document": h.document,
                    "start": h.start,
                    "end": h.end,
                    "text": h.match,
                    "before": h.before,
                    "after": h.after,
                }
                for h in hits
            ]
        )
    else:
        for h in hits:
            before = h.before.replace("\n", " ")
            after = h.after.replace("\n", " ")
            print(f"{h.document} {h.start}: …{before}[{h.match}]{after}…")
        if not hits:
            print("no matches")
    return 0


def cmd_cases_import(args: argparse.Namespace) -> int:
    with open_project(args.project) as project:
        changes = project.import_attributes(args.file)
        print(
            f"imported attributes: {len(changes.cases)} cases changed, "
            f"{len(changes.created('attributes'))} new attributes"
        )
    return 0


def cmd_cases_list(args: argparse.Namespace) -> int:
    with open_project(args.project, read_only=True) as project:
        cases = project.cases()
        values = project.attribute_values("case")
        attrs = [a.name for a in project.attributes("case")]
    if args.json:
        print_json(
            [
                {
                    "guid": c.guid,
                    "name": c.name,
                    "documents": c.documents,
                    "memo": c.memo,
                    "attributes": values.get(c.id, {}),
                }
                for c in cases
            ]
        )
    else:
        print_table(
            ["case", "documents", *attrs],
            [
                [c.name, c.documents, *(values.get(c.id, {}).get(a, "") for a in attrs)]
                for c in cases
            ],
        )
    return 0
