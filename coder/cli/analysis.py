"""Analysis from the command line: ``retrieve``, ``crosstab``, ``cooccurrence``, ``speakers``.

Each takes the same selection options (documents, groups, cases, coders, attribute values) and
prints a table for people or, with ``--json``, data for scripts.
"""

from __future__ import annotations

import argparse
from typing import Any

from coder.cli.common import (
    context_option,
    listing,
    named_ids,
    open_project,
    print_json,
    print_table,
)
from coder.core import query
from coder.core.consensus import CONSENSUS
from coder.core.errors import InvalidValue, NotFound
from coder.core.query.value_groups import grouped


def _selection_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--documents", nargs="+", metavar="NAME", help="only these documents")
    p.add_argument("--groups", nargs="+", metavar="NAME", help="only documents in these groups")
    p.add_argument("--cases", nargs="+", metavar="NAME", help="only codings in these cases")
    p.add_argument("--coders", nargs="+", metavar="NAME", help="only codings by these coders")
    p.add_argument(
        "--consensus",
        choices=CONSENSUS,
        default="any",
        help="a passage counts when codings of the same code by any (default), all or "
        "more than half of the --coders overlap it",
    )
    p.add_argument(
        "--attribute",
        action="append",
        metavar="NAME=VALUE",
        dest="attribute_values",
        help="only cases/documents with this attribute value (repeat for more)",
    )
    p.add_argument(
        "--include-children",
        action="store_true",
        help="a parent code counts its sub-codes' codings",
    )
    p.add_argument("--json", action="store_true")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "retrieve", help="passages coded with codes combined by OR, AND or NOT, with context"
    )
    p.add_argument("project", metavar="PROJECT")
    p.add_argument(
        "--codes",
        nargs="+",
        required=True,
        metavar="NAME",
        help="codes (names or Parent/Child paths)",
    )
    p.add_argument(
        "--mode",
        choices=query.MODES,
        default="or",
        help="or: any code; and: where all meet; not: the first code without the others",
    )
    p.add_argument(
        "--within",
        choices=query.WITHIN,
        default="passage",
        help="codes meet in overlapping passages, the same paragraph or the same speaker turn",
    )
    p.add_argument(
        "--without",
        nargs="+",
        metavar="NAME",
        default=[],
        help="drop passages that meet these codes",
    )
    p.add_argument(
        "--context",
        default="0",
        metavar="N",
        help="characters around each passage, or paragraph / turn",
    )
    _selection_args(p)
    p.set_defaults(handler=cmd_retrieve)

    p = sub.add_parser("crosstab", help="cases (or documents) per code and attribute value")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument(
        "attribute",
        metavar="ATTRIBUTE",
        help="an attribute name (case:NAME or document:NAME if both)",
    )
    p.add_argument("--codes", nargs="+", metavar="NAME")
    ranges = p.add_mutually_exclusive_group()
    ranges.add_argument(
        "--quantiles",
        type=int,
        metavar="N",
        help="number or date attribute: N groups of about equal numbers of cases or documents",
    )
    ranges.add_argument(
        "--ranges",
        metavar="LIMIT,...",
        help="number or date attribute: ranges between these limits (e.g. 30,40,50)",
    )
    _selection_args(p)
    p.set_defaults(handler=cmd_crosstab)

    p = sub.add_parser("cooccurrence", help="how often codes meet (pairs, most frequent first)")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--within", choices=query.WITHIN, default="passage")
    p.add_argument("--codes", nargs="+", metavar="NAME")
    _selection_args(p)
    p.set_defaults(handler=cmd_cooccurrence)

    p = sub.add_parser("speakers", help="codings per code and speaker")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--codes", nargs="+", metavar="NAME")
    _selection_args(p)
    p.set_defaults(handler=cmd_speakers)


def _code_ids(project: Any, names: list[str] | None) -> tuple[int, ...] | None:
    return named_ids(project, "code", names)


def _filters(project: Any, args: argparse.Namespace) -> query.Filters:
    attributes: dict[str, list[str]] = {}
    for item in args.attribute_values or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise InvalidValue(f"--attribute takes NAME=VALUE, not '{item}'")
        try:
            query.find_attribute(project, name.strip())
        except NotFound:
            known = [a.name for a in project.attributes()]
            raise NotFound(
                f"no attribute named '{name.strip()}' (attributes: {listing(known)})"
            ) from None
        attributes.setdefault(name.strip(), []).append(value.strip())
    groups = args.groups
    if groups:
        known = sorted({d.group for d in project.documents() if d.group})
        for g in groups:
            if g not in known:
                raise NotFound(f"no document group named '{g}' (groups: {listing(known)})")
    documents = named_ids(project, "document", args.documents)
    cases = named_ids(project, "case", args.cases)
    coders = named_ids(project, "coder", args.coders)
    return query.Filters(
        documents=None if documents is None else frozenset(documents),
        groups=frozenset(groups) if groups else None,
        cases=None if cases is None else frozenset(cases),
        coders=None if coders is None else frozenset(coders),
        attributes=tuple((name, frozenset(values)) for name, values in attributes.items()),
        consensus=getattr(args, "consensus", "any"),
    )


def cmd_retrieve(args: argparse.Namespace) -> int:
    with open_project(args.project, read_only=True) as project:
        codes = _code_ids(project, args.codes) or ()
        without = _code_ids(project, args.without) or ()
        passages = query.retrieve(
            project,
            list(codes),
            args.mode,
            args.within,
            without=list(without),
            filters=_filters(project, args),
            context=context_option(args.context),
            include_children=args.include_children,
        )
    if args.json:
        print_json(
            [
                {
                    "document": p.document,
                    "start": p.start,
                    "end": p.end,
                    "text": p.text,
                    "before": p.before,
                    "after": p.after,
                    "codes": list(p.codes),
                    "coders": list(p.coders),
                    "speaker": p.speaker,
                    "paragraph": p.paragraph,
                    "time": p.time_start,
                    "cases": list(p.cases),
                }
                for p in passages
            ]
        )
        return 0
    for p in passages:
        where = f"¶{p.paragraph}" if p.paragraph is not None else f"{p.start}-{p.end}"
        who = f" {p.speaker}:" if p.speaker else ""
        code_list, coder_list = ", ".join(p.codes), ", ".join(p.coders)
        print(f"{p.document} {where} {p.start}-{p.end} [{code_list}] ({coder_list}){who}")
        print("    " + " ".join((p.before + "[" + p.text + "]" + p.after).split()))
    print(f"{len(passages)} passage{'s' if len(passages) != 1 else ''}")
    return 0


def cmd_crosstab(args: argparse.Namespace) -> int:
    with open_project(args.project, read_only=True) as project:
        try:
            query.find_attribute(project, args.attribute)
        except NotFound:
            known = [a.name for a in project.attributes()]
            raise NotFound(
                f"no attribute named '{args.attribute}' (attributes: {listing(known)})"
            ) from None
        x = query.crosstab(
            project,
            args.attribute,
            _code_ids(project, args.codes),
            _filters(project, args),
            args.include_children,
        )
        grouping = "quantiles" if args.quantiles else "ranges" if args.ranges else "values"
        limits = [v.strip() for v in (args.ranges or "").split(",") if v.strip()]
        type_ = query.find_attribute(project, args.attribute).type
        x = grouped(x, type_, grouping, n=args.quantiles or 4, limits=limits)
    if args.json:
        print_json(
            {
                "attribute": x.attribute,
                "unit": x.unit,
                "grouping": grouping,
                "values": x.values,
                "value_groups": [list(x.column_values(i)) for i in range(len(x.values))],
                "column_totals": x.column_totals,
                "rows": [
                    {
                        "code": r.code,
                        "counts": list(r.counts),
                        "total": r.total,
                        # a share of no unit is undefined (null), not 0
                        "row_percent": [p if r.total else None for p in r.row_percent],
                        "column_percent": [
                            p if n else None
                            for p, n in zip(r.column_percent, x.column_totals, strict=True)
                        ],
                    }
                    for r in x.rows
                ],
            }
        )
        return 0
    headers = (
        ["code"]
        + [f"{v or '(none)'} (N={n})" for v, n in zip(x.values, x.column_totals, strict=True)]
        + ["total"]
    )
    rows = [
        [
            r.code,
            *[f"{n} ({p:.1f}%)" for n, p in zip(r.counts, r.column_percent, strict=True)],
            r.total,
        ]
        for r in x.rows
    ]
    print_table(headers, rows)
    return 0


def cmd_cooccurrence(args: argparse.Namespace) -> int:
    with open_project(args.project, read_only=True) as project:
        m = query.cooccurrence(
            project,
            _code_ids(project, args.codes),
            args.within,
            _filters(project, args),
            args.include_children,
        )
    pairs = m.pairs()
    if args.json:
        print_json(
            {
                "within": m.within,
                "codes": [c.path for c in m.codes],
                "counts": m.counts,
                "pairs": [{"code": a.path, "with": b.path, "passages": n} for a, b, n in pairs],
            }
        )
        return 0
    print_table(["code", "with code", "passages"], [[a.path, b.path, n] for a, b, n in pairs])
    return 0


def cmd_speakers(args: argparse.Namespace) -> int:
    with open_project(args.project, read_only=True) as project:
        s = query.speaker_breakdown(
            project, _code_ids(project, args.codes), _filters(project, args), args.include_children
        )
    labels = [sp or "(no speaker)" for sp in s.speakers]
    if args.json:
        print_json(
            {
                "speakers": s.speakers,
                "totals": s.totals,
                "rows": [
                    {"code": r.code, "counts": list(r.counts), "total": r.total} for r in s.rows
                ],
            }
        )
        return 0
    print_table(["code", *labels, "total"], [[r.code, *r.counts, r.total] for r in s.rows])
    return 0
