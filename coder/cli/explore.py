"""Auto-coding and text exploration: ``autocode``, ``words``, ``kwic``, ``similar``."""

from __future__ import annotations

import argparse
import sys

from coder.cli.analysis import _code_ids, _filters, _selection_args
from coder.cli.common import open_project, print_json, print_table
from coder.core import autocode as auto
from coder.core.errors import InvalidValue
from coder.core.query.similar import similar_passages
from coder.core.query.words import kwic, word_frequencies
from coder.core.stopwords import stopwords


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "autocode", help="code every hit of a search, expression, speaker or dictionary"
    )
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--code", metavar="NAME", help="the code (created at the top level if new)")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--search", metavar="QUERY", help="the hits of 'coder search QUERY'")
    what.add_argument("--regex", metavar="RE", help="matches of a regular expression")
    what.add_argument("--speaker", metavar="NAME", help="every turn of a speaker")
    what.add_argument("--dictionary", metavar="FILE", help="CSV/XLSX: code path, term[, regex]")
    p.add_argument("--unit", choices=auto.UNITS, default="match", help="widen each hit to this")
    p.add_argument("--within", metavar="CODE", nargs="+", help="only inside passages so coded")
    p.add_argument("--coder", metavar="NAME")
    p.add_argument(
        "--dry-run", action="store_true", help="show what would be coded; change nothing"
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=auto.REGEX_SECONDS,
        metavar="SECONDS",
        help=f"stop a regular expression after this long in one document ({auto.REGEX_SECONDS:g})",
    )
    _selection_args(p)
    p.set_defaults(handler=cmd_autocode)

    p = sub.add_parser("words", help="word frequencies over the texts or the coded passages")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--codes", nargs="+", metavar="NAME", help="only passages coded with these")
    p.add_argument("--top", type=int, metavar="N", help="the N most frequent words")
    p.add_argument("--min-length", type=int, default=1, metavar="N")
    p.add_argument(
        "--stopwords",
        action="append",
        metavar="LANG|FILE",
        help="leave out a language's stop words (en de fr es pt nl it) or a file's (repeatable)",
    )
    _selection_args(p)
    p.set_defaults(handler=cmd_words)

    p = sub.add_parser("kwic", help="keyword in context: every occurrence of a word or phrase")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("term", metavar="TERM")
    p.add_argument("--width", type=int, default=40, metavar="N", help="characters on each side")
    p.add_argument("--codes", nargs="+", metavar="NAME", help="only inside passages so coded")
    _selection_args(p)
    p.set_defaults(handler=cmd_kwic)

    p = sub.add_parser("similar", help="the paragraphs most like a passage (BM25)")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--document", required=True, metavar="NAME")
    p.add_argument("--start", type=int, required=True, metavar="S")
    p.add_argument("--end", type=int, required=True, metavar="E")
    p.add_argument("--top", type=int, default=10, metavar="N")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_similar)


def _rules(args: argparse.Namespace) -> list[auto.Rule]:
    if args.dictionary is not None:
        if args.code:
            raise InvalidValue("--dictionary names its codes; leave out --code")
        return auto.read_dictionary(args.dictionary)
    if not args.code:
        raise InvalidValue("--code NAME is needed with --search, --regex or --speaker")
    return [auto.Rule(args.code, search=args.search, regex=args.regex, speaker=args.speaker)]


def cmd_autocode(args: argparse.Namespace) -> int:
    if args.timeout <= 0:
        raise InvalidValue("--timeout is a number of seconds above 0")
    with open_project(args.project, read_only=args.dry_run) as project:
        rules = _rules(args)
        within = _code_ids(project, args.within)
        plan, _ = auto.autocode(
            project,
            rules,
            unit=args.unit,
            within=list(within) if within is not None else None,
            filters=_filters(project, args),
            coder=args.coder,
            dry_run=args.dry_run,
            seconds=args.timeout,
        )
    if args.json:
        print_json(plan.as_json(args.dry_run))
        return 0
    for path in plan.new_codes:
        verb = "would create" if args.dry_run else "created"
        print(f"{verb} code {path} (top level)" if "/" not in path else f"{verb} code {path}")
    for c in plan.codings:
        print(f"{c.document} {c.start}-{c.end} {c.code}: " + " ".join(c.text.split())[:80])
    n = len(plan.codings)
    verb = "would code" if args.dry_run else "coded"
    tail = f"; {plan.existing} already coded" if plan.existing else ""
    docs = len(plan.per_document())
    passages = f"{n} passage{'s' if n != 1 else ''}"
    print(f"{verb} {passages} in {docs} document(s) from {plan.hits} hits{tail}")
    return 0


def cmd_words(args: argparse.Namespace) -> int:
    if args.top is not None and args.top < 1:
        raise InvalidValue("--top is 1 or more")
    if args.min_length < 1:
        raise InvalidValue("--min-length is 1 or more")
    stop: set[str] = set()
    for spec in args.stopwords or []:
        stop |= stopwords(spec)
    with open_project(args.project, read_only=True) as project:
        codes = _code_ids(project, args.codes)
        rows = word_frequencies(
            project,
            _filters(project, args),
            code_ids=list(codes) if codes is not None else None,
            top=args.top,
            min_length=args.min_length,
            stop=stop,
        )
    if args.json:
        print_json(
            [
                {"word": r.word, "count": r.count, "documents": r.documents, "cases": r.cases}
                for r in rows
            ]
        )
        return 0
    print_table(
        ["word", "count", "documents", "cases"],
        [[r.word, r.count, r.documents, r.cases] for r in rows],
    )
    return 0


def cmd_kwic(args: argparse.Namespace) -> int:
    with open_project(args.project, read_only=True) as project:
        codes = _code_ids(project, args.codes)
        rows = kwic(
            project,
            args.term,
            width=args.width,
            filters=_filters(project, args),
            code_ids=list(codes) if codes is not None else None,
        )
    if args.json:
        print_json(
            [
                {
                    "document": r.document,
                    "start": r.start,
                    "end": r.end,
                    "left": r.left,
                    "term": r.term,
                    "right": r.right,
                    "speaker": r.speaker,
                }
                for r in rows
            ]
        )
        return 0
    width = max(args.width, 1)
    for r in rows:
        left = " ".join(r.left.split())[-width:]
        right = " ".join(r.right.split())[:width]
        print(f"{left:>{width}} [{r.term}] {right}  ({r.document} {r.start})")
    if not rows:
        print("no matches", file=sys.stdout)
    return 0


def cmd_similar(args: argparse.Namespace) -> int:
    with open_project(args.project, read_only=True) as project:
        doc = project.find_document(args.document)
        rows = similar_passages(project, doc.id, args.start, args.end, top=args.top)
    if args.json:
        print_json(
            [
                {
                    "document": r.document,
                    "start": r.start,
                    "end": r.end,
                    "text": r.text,
                    "score": r.score,
                }
                for r in rows
            ]
        )
        return 0
    for r in rows:
        print(f"{r.score:7.3f}  {r.document} {r.start}-{r.end}: " + " ".join(r.text.split())[:90])
    if not rows:
        print("no similar paragraphs")
    return 0
