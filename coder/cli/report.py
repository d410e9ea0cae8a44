"""``coder report``: the Word report; and the export formats it brings to ``coder export``:
``.docx`` (the report with default options), ``.codebook.docx``, ``.csv`` and ``.xlsx``
(the quote table)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from coder.cli.common import context_option, named_ids, open_project
from coder.core.errors import InvalidValue


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="write the Word report (summary, chart, quotes per code, memos, codebook)",
        description="Write a .docx report: title page, contents, a summary table and chart per "
        "code, each code's definition and quotes with their attributions, co-occurrence, memos "
        "and the codebook. Selections narrow what is counted and quoted.",
    )
    p.add_argument("project", metavar="PROJECT")
    p.add_argument(
        "-o", "--output", required=True, metavar="OUT.docx", help="the report file to write"
    )
    p.add_argument(
        "--codes", nargs="+", metavar="NAME", help="only these codes (names or Parent/Child paths)"
    )
    p.add_argument("--cases", nargs="+", metavar="NAME", help="only codings in these cases")
    p.add_argument("--documents", nargs="+", metavar="NAME", help="only these documents")
    p.add_argument("--coders", nargs="+", metavar="NAME",
                   help="only codings by these coders; agreement compares them")  # fmt: skip
    p.add_argument("--consensus", choices=("any", "all", "majority"), default="any",
                   help="count and quote what any (default), all or more than half of the --coders "
                   "coded")  # fmt: skip
    p.add_argument(
        "--context",
        default="0",
        metavar="N",
        help="characters of text shown around each quote, or 'paragraph' or 'turn' "
        "(default 0: none)",
    )
    p.add_argument(
        "--title", default="", help="the report's title (default: PROJECT: coding report)"
    )
    p.add_argument("--author", default="", help="the author named on the title page")
    _paper_options(p)
    p.add_argument("--no-memos", action="store_true", help="leave out the memos appendix")
    p.add_argument("--no-chart", action="store_true", help="leave out the frequency chart")
    p.add_argument("--no-agreement", action="store_true", help="leave out inter-coder agreement")
    p.add_argument(
        "--agreement-unit",
        choices=("character", "paragraph", "turn", "segment"),
        default="paragraph",
        help="the unit agreement is measured on (default paragraph)",
    )
    p.add_argument("--agreement-pooling", choices=("units", "mean"), default="units",
                   help="the overall agreement row: every code's units pooled (default), or the "
                   "mean over codes")  # fmt: skip
    p.add_argument("--min-overlap", type=float, default=90, metavar="P",
                   help="with --agreement-unit segment: two codings match when they overlap by at "
                   "least P percent of their union (default 90)")  # fmt: skip
    p.add_argument(
        "--include-children",
        action="store_true",
        help="count a parent code's sub-codes' codings in its totals",
    )
    p.add_argument("--page-size", choices=("A4", "Letter"), default="A4")
    p.add_argument(
        "--pseudonymise",
        action="store_true",
        help="replace every original of the pseudonym list in the report",
    )
    p.set_defaults(handler=cmd_report)

    from coder.cli.exporting import EXPORTERS

    EXPORTERS[".docx"] = export_report
    EXPORTERS[".codebook.docx"] = export_codebook
    EXPORTERS[".csv"] = export_quote_table
    EXPORTERS[".xlsx"] = export_quote_table


def _paper_options(p: argparse.ArgumentParser) -> None:
    """How quotes are marked, attributed, ordered and grouped; the extra tables."""
    p.add_argument(
        "--quote-marks",
        choices=("double", "single", "none"),
        default="double",
        help="quotation marks around each quote, typographic for the document's language "
        "(default double)",
    )
    p.add_argument(
        "--cite",
        metavar="FIELD,...",
        help="what follows each quote: document, speaker, case, paragraph and attribute names, "
        "e.g. case,gender,age (default document,paragraph,speaker,case)",
    )
    p.add_argument(
        "--order",
        default="document",
        type=_order,
        metavar="document|position|case|speaker|attribute=NAME",
        help="quotes by document; by position (where they fall in their document, earliest "
        "first); or under a sub-heading per case, speaker or attribute value",
    )
    p.add_argument("--matrix", action="store_true", help="add a code × case table of codings")
    p.add_argument(
        "--crosstab",
        metavar="ATTRIBUTE",
        help="add a code × ATTRIBUTE values table of cases, n (%%)",
    )
    p.add_argument(
        "--case-table",
        nargs="?",
        const="",
        metavar="ATTR,...",
        help="add a table of the analysed cases and their documents, with these attributes",
    )
    p.add_argument(
        "--no-annotations",
        action="store_true",
        help="leave out the annotations printed next to quotes",
    )


def _order(value: str) -> str:
    from coder.core.export.report.options import check_order

    try:
        return check_order(value)
    except InvalidValue as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _names(value: str | None) -> tuple[str, ...] | None:
    """``"age, gender"`` -> ``("age", "gender")``; None stays None (no table)."""
    if value is None:
        return None
    return tuple(n.strip() for n in value.split(",") if n.strip())


def cmd_report(args: argparse.Namespace) -> int:
    from coder.core.export.report import ReportOptions, write_report

    out = Path(args.output)
    if out.suffix.lower() != ".docx":
        raise InvalidValue(f"{out.name}: the report is a Word file; name it ….docx")
    if not out.parent.is_dir():
        raise InvalidValue(f"{out.parent}: no such folder")
    with open_project(args.project, read_only=True) as project:
        options = ReportOptions(
            codes=named_ids(project, "code", args.codes),
            cases=named_ids(project, "case", args.cases),
            documents=named_ids(project, "document", args.documents),
            coders=named_ids(project, "coder", args.coders),
            context=context_option(args.context),
            include_memos=not args.no_memos,
            include_chart=not args.no_chart,
            include_children=args.include_children,
            include_agreement=not args.no_agreement,
            agreement_unit=args.agreement_unit,
            agreement_pooling=args.agreement_pooling,
            min_overlap=args.min_overlap,
            consensus=args.consensus,
            order=args.order,
            quote_marks=args.quote_marks,
            cite=args.cite,
            matrix=args.matrix,
            crosstab=args.crosstab,
            case_table=_names(args.case_table),
            include_annotations=not args.no_annotations,
            title=args.title,
            author=args.author,
            page_size=args.page_size,
        )
        if args.pseudonymise:
            result = _write_pseudonymised(project, out, options)
        else:
            result = write_report(project, out, options)
    codes = f"{result.codes} code{'s' if result.codes != 1 else ''}"
    quotes = f"{result.passages} quote{'s' if result.passages != 1 else ''}"
    if result.quotes != result.passages:
        quotes = f"{result.quotes} codings in {quotes}"
    print(f"wrote {out} ({codes}, {quotes}, {result.seconds:.1f} s)")
    return 0


def _write_pseudonymised(project: Any, out: Path, options: Any) -> Any:
    """The report from a pseudonymised copy (the same ids: the selection stays), with the
    names the options hold pseudonymised too."""
    import dataclasses

    from coder.cli.exporting import write_pseudonymised
    from coder.core.export.report import write_report

    matcher = project.pseudonym_matcher()

    def swap(value: Any) -> Any:
        if isinstance(value, str):
            return matcher.replace(value)[0]
        if isinstance(value, tuple):
            return tuple(swap(v) for v in value)
        return value

    names = ("title", "author", "order", "cite", "crosstab", "case_table")
    options = dataclasses.replace(options, **{n: swap(getattr(options, n)) for n in names})
    return write_pseudonymised(project, out, lambda copy, path: write_report(copy, path, options))


def export_report(project: Any, out: Path, args: argparse.Namespace) -> None:
    from coder.core.export.report import write_report

    write_report(project, out)


def export_codebook(project: Any, out: Path, args: argparse.Namespace) -> None:
    from coder.core.export.codebook_docx import write_codebook

    write_codebook(project, out)


def export_quote_table(project: Any, out: Path, args: argparse.Namespace) -> None:
    from coder.core.export.tables import write_quote_table

    write_quote_table(project, out)
