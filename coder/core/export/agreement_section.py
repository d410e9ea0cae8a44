"""The Word report's "Inter-coder agreement" section.

Only the coders chosen take part (``--coders``; by default the two coders with the most codings
in documents both coded, named in the text). The section says which documents were compared and
which were left out and why, shows each code's agreement table (both / only one / neither, or
all / some / none for more coders) and the figures defined in the README's Statistics section,
and names how the overall row is formed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coder.core import agreement_scope, agreement_text, intercoder
from coder.core.errors import CoderError
from coder.core.numbers import fixed

if TYPE_CHECKING:
    from coder.core.export.report.options import ReportOptions
    from coder.core.export.report.writer import Writer
    from coder.core.model import Code, Coder
    from coder.core.project import Project

TITLE = "Inter-coder agreement"


def chosen_coders(project: Project, options: ReportOptions) -> tuple[list[Coder], bool]:
    """The coders compared, and whether they were chosen by default."""
    everyone = project.coders()
    if options.coders is not None:
        return [c for c in everyone if c.id in options.coders], False
    pair = agreement_scope.default_pair(project, everyone, options.documents, options.cases)
    return pair, True


def compute(
    project: Project, options: ReportOptions, codes: list[Code], coders: list[Coder]
) -> intercoder.ProjectAgreement:
    listed = options.documents
    return intercoder.compute_agreement(
        project,
        [c.id for c in coders],
        unit=options.agreement_unit,
        codes=[c.id for c in codes] if options.codes is not None else None,
        cases=options.cases,
        listed=listed,
    )


def _count_table(result: intercoder.ProjectAgreement) -> tuple[list[str], list[list[str]]]:
    first, second = (list(result.coders) + ["", ""])[:2]
    keys: tuple[str, ...]
    if result.unit == "segment":
        headers = ["Code", "Segments", "Agreements", f"Only {first}", f"Only {second}"]
        keys = ("both", "first_only", "second_only")
    elif len(result.coders) == 2:
        headers = ["Code", "Units", "Both", f"Only {first}", f"Only {second}", "Neither"]
        keys = ("both", "first_only", "second_only", "neither")
    else:
        headers = ["Code", "Units", "All", "Some", "None"]
        keys = ("all", "some", "none")
    rows = [
        [
            agreement_text.row_label(r, result.pooling),
            str(r.units),
            *(str(r.table.get(k, 0)) for k in keys),
        ]
        for r in (*result.codes, result.overall)
    ]
    return headers, rows


def _figure_table(result: intercoder.ProjectAgreement) -> tuple[list[str], list[list[str]]]:
    two = len(result.coders) == 2
    if result.unit == "segment":
        headers = ["Code", "% agree", "% positive", "BP κ", "uα"]
        values = [
            lambda r: fixed(r.percent_agreement, 1),
            lambda r: fixed(r.positive_agreement, 1),
            lambda r: fixed(r.brennan_prediger, 3),
            lambda r: fixed(r.alpha_unitized, 3),
        ]
    else:
        headers = [
            "Code",
            "% agree",
            "% positive",
            "% coded",
            "Cohen κ" if two else "Fleiss κ",
            "BP κ",
            "α",
            "uα",
        ]
        values = [
            lambda r: fixed(r.percent_agreement, 1),
            lambda r: fixed(r.positive_agreement, 1),
            lambda r: fixed(r.percent_agreement_coded, 1),
            (lambda r: fixed(r.kappa, 3)) if two else (lambda r: fixed(r.fleiss_kappa, 3)),
            lambda r: fixed(r.brennan_prediger, 3),
            lambda r: fixed(r.alpha, 3),
            lambda r: fixed(r.alpha_unitized, 3),
        ]
    rows = [
        [agreement_text.row_label(r, result.pooling), *(f(r) for f in values)]
        for r in (*result.codes, result.overall)
    ]
    return headers, rows


def _widths(width: float, headers: list[str], rows: list[list[str]]) -> list[float]:
    """Number columns as wide as their longest header word or value needs (9.5 pt, with the
    cell margins), so neither wraps inside a word; the code column takes the rest."""
    numbers = [
        0.6 + 0.22 * max(len(t) for t in [*h.split(), *(row[i] for row in rows)])
        for i, h in enumerate(headers[1:], start=1)
    ]
    return [max(width - sum(numbers), 3.5), *numbers]


def write_section(w: Writer, project: Project, options: ReportOptions, codes: list[Code]) -> None:
    """Add the section (nothing when fewer than two coders are chosen)."""
    from coder.core.export.report.wordml import Table

    coders, by_default = chosen_coders(project, options)
    if len(coders) < 2:
        return
    w.heading(TITLE, 1)
    try:
        result = compute(project, options, codes, coders)
    except CoderError as e:
        w.text(f"Agreement could not be computed: {e}")
        return
    names = agreement_text.and_list([c.name for c in coders])
    lines = []
    if by_default:
        lines.append(
            f"The two coders with the most codings in documents both coded are compared: {names}."
        )
    lines += agreement_text.summary(result)
    if result.documents:
        lines.append(f"Documents compared: {agreement_text.and_list(list(result.documents))}.")
    for line in lines:
        w.text(line, keep_next=True)
    if not result.documents or not result.codes:
        if result.documents:
            w.text("None of these coders applied a code in the documents compared.")
        return
    for title, (headers, rows) in (
        ("Agreement table per code (units)", _count_table(result)),
        ("Agreement figures per code", _figure_table(result)),
    ):
        table = Table(headers, _widths(w.width, headers, rows))
        for row in rows:
            table.add(row)
        w.table(title, table)
        w.spacer()
    w.text("How the figures are defined:", keep_next=True)
    shown = set(_figure_table(result)[0])
    for name, text in agreement_text.DEFINITIONS:
        short = agreement_text.SHORT.get(name, name)
        if short in shown:
            w.text(f"{short} ({name}): {text}.")


__all__ = ["TITLE", "chosen_coders", "compute", "write_section"]
