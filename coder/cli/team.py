"""Team commands: merge, agreement, coders."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from coder.cli.common import named_ids, open_project, print_json, print_table
from coder.core import agreement_text, intercoder
from coder.core.merge import PREFER, merge_projects
from coder.core.numbers import fixed


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "merge",
        help="merge team members' copies of the project into PROJECT",
        description="Bring the documents, codes, codings, cases, attributes and memos of other "
        "project files into PROJECT, matched by GUID (documents also by identical text, codes "
        "by path). Merging the same file again changes nothing. Every conflict is listed on "
        "stderr and resolved by --prefer. A backup of PROJECT is made first.",
    )
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("others", metavar="OTHER", nargs="+", help="project files to merge in")
    p.add_argument(
        "--prefer",
        choices=PREFER,
        default="mine",
        help="which value wins a conflict (default: mine, i.e. PROJECT's)",
    )
    p.add_argument(
        "--dry-run", action="store_true", help="report what would change; change nothing"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_merge)

    _register_agreement(sub)

    p = sub.add_parser("coders", help="list the coders and how much each has coded")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_coders)


def _register_agreement(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "agreement",
        help="inter-coder agreement per code (percent, Cohen's kappa, Krippendorff's alpha)",
        description="Agreement of two or more coders over the documents all of them coded. "
        "A unit counts as coded with a code when a coding of that code overlaps it. "
        "Undefined statistics (no variation) are shown as 'undefined' (null in JSON).",
    )
    p.add_argument("project", metavar="PROJECT")
    p.add_argument(
        "--coders", nargs="+", required=True, metavar="NAME", help="two or more coder names"
    )
    p.add_argument(
        "--unit",
        choices=intercoder.UNITS,
        default="character",
        help="what counts as one unit (default: character)",
    )
    p.add_argument(
        "--code",
        action="append",
        metavar="NAME",
        help="only this code (name or Parent/Child path); repeat for several "
        "(default: every code one of the coders applied)",
    )
    p.add_argument(
        "--partial",
        action="store_true",
        help="also compare documents that only some (two or more) of the coders coded; "
        "the others count as missing data there",
    )
    p.add_argument(
        "--disagreements",
        action="store_true",
        help="also list the passages where the coders disagree, per code",
    )
    p.add_argument(
        "--documents",
        nargs="+",
        metavar="NAME",
        help="compare exactly these documents, in scope for every coder whether they coded "
        "them or not (default: the documents every coder coded)",
    )
    p.add_argument(
        "--min-overlap",
        type=float,
        default=intercoder.MIN_OVERLAP,
        metavar="P",
        help="with --unit segment: two codings match when they overlap by at least P percent "
        f"of their union (default {intercoder.MIN_OVERLAP})",
    )
    p.add_argument(
        "--pooling",
        choices=intercoder.POOLING,
        default="units",
        help="the overall row: every code and unit pooled (default), or the mean over codes",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_agreement, parser=p)


# --------------------------------------------------------------------------- merge


def cmd_merge(args: argparse.Namespace) -> int:
    with open_project(args.project) as project:
        report = merge_projects(project, args.others, prefer=args.prefer, dry_run=args.dry_run)
    for conflict in report.conflicts:
        print(f"coder: conflict: {conflict.describe()}", file=sys.stderr)
    if args.json:
        print_json(report.as_json())
        return 0
    print(report.summary())
    matched = ", ".join(f"{n} {what}" for what, n in report.matched.items() if n)
    if matched:
        print(f"matched: {matched}")
    if report.filled:
        print(
            f"filled {report.filled} empty field{'s' if report.filled != 1 else ''} "
            "from the other files"
        )
    if report.backup:
        print(f"backup before merging: {report.backup}")
    return 0


# --------------------------------------------------------------------------- agreement


def _fmt(value: float | None, digits: int) -> str:
    return fixed(value, digits)


def cmd_agreement(args: argparse.Namespace) -> int:
    if len(args.coders) < 2:
        args.parser.error("--coders needs at least two coder names")
    if args.partial and args.documents:
        args.parser.error("--partial and --documents exclude each other")
    with open_project(args.project, read_only=True) as project:
        listed = named_ids(project, "document", args.documents)
        result = intercoder.compute_agreement(
            project,
            args.coders,
            unit=args.unit,
            codes=args.code,
            partial=args.partial,
            listed=listed,
            pooling=args.pooling,
            min_overlap=args.min_overlap,
        )
        found: dict[str, list[intercoder.Disagreement]] = {}
        if args.disagreements:
            for row in result.codes:
                assert row.code_id is not None
                found[row.code] = intercoder.find_disagreements(
                    project,
                    args.coders,
                    row.code_id,
                    unit=args.unit,
                    partial=args.partial,
                    listed=listed,
                    min_overlap=args.min_overlap,
                )
    if args.json:
        data = result.as_json()
        if args.disagreements:
            for code in data["codes"]:
                code["disagreements"] = [_disagreement_json(d) for d in found[code["code"]]]
        print_json(data)
        return 0
    for line in agreement_text.summary(result):
        print(line)
    headers, rows = agreement_text.table(result)
    print_table(list(headers), [list(r) for r in rows])
    for code, passages in found.items():
        print(f"\nDisagreements on {code}: {len(passages)}")
        for d in passages:
            who = ", ".join(d.coded_by) or "nobody"
            print(f"  {d.document} {d.start}-{d.end} coded by {who}: {d.text}")
    return 0


def _disagreement_json(d: intercoder.Disagreement) -> dict[str, Any]:
    return {
        "document": d.document,
        "start": d.start,
        "end": d.end,
        "coded_by": list(d.coded_by),
        "not_coded_by": list(d.not_coded_by),
        "text": d.text,
    }


# --------------------------------------------------------------------------- coders


def cmd_coders(args: argparse.Namespace) -> int:
    with open_project(args.project, read_only=True) as project:
        rows = intercoder.coder_summaries(project)
    if args.json:
        print_json(
            [
                {
                    "name": r.name,
                    "guid": r.guid,
                    "codings": r.codings,
                    "documents": r.documents,
                    "codes": r.codes,
                }
                for r in rows
            ]
        )
        return 0
    if not rows:
        print("no coders yet (a coder is recorded with their first coding)")
        return 0
    print_table(
        ["Coder", "Codings", "Documents", "Codes"],
        [[r.name, r.codings, r.documents, r.codes] for r in rows],
    )
    return 0
