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
        pooling=options.agreement_pooling,
        min_overlap=options.min_overlap,
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


# Widths at the table's 9.5 pt in ems of the widest common font (DejaVu Sans, which
# LibreOffice uses where Calibri is missing): bold header letters by shape, figures regular.
_EM_CM = 9.5 / 72 * 2.54
_NARROW, _WIDE = frozenset("ijlIJftr.-() "), frozenset("mwMW%")
_MARGINS_CM = 0.5  # the cell's left and right margins, and a little air


def _header_cm(word: str) -> float:
    ems = sum(
        0.45 if c in _NARROW else 1.05 if c in _WIDE else 0.84 if c.isupper() else 0.72
        for c in word
    )
    return ems * _EM_CM


def _value_cm(value: str) -> float:
    return sum(0.36 if c in ".-" else 0.65 for c in value) * _EM_CM


def _widths(width: float, headers: list[str], rows: list[list[str]]) -> list[float]:
    """Each number column as wide as its longest header word (bold) or value, so that neither
    is broken inside a word; the code column takes the rest (at least a quarter of the text
    width: a table wider than the page shrinks its number columns to fit)."""
    numbers = []
    for col, header in enumerate(headers[1:], start=1):
        word = max(_header_cm(part) for part in header.split())
        value = max((_value_cm(row[col]) for row in rows), default=0.0)
        numbers.append(max(word, value) + _MARGINS_CM)
    room = width - max(width / 4, 3.0)
    if sum(numbers) > room:
        numbers = [n * room / sum(numbers) for n in numbers]
    return [width - sum(numbers), *numbers]


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
    unit_words = agreement_text.UNIT_WORDS[result.unit]
    for title, (headers, rows) in (
        (f"Agreement table per code ({unit_words}s)", _count_table(result)),
        ("Agreement figures per code", _figure_table(result)),
    ):
        table = Table(headers, _widths(w.width, headers, rows))
        for row in rows:
            table.add(row)
        w.table(title, table)
        w.spacer()
    w.text("How the figures are defined:", keep_next=True)
    shown = set(_figure_table(result)[0])
    defined = agreement_text.definitions(result)
    for name, _text in agreement_text.DEFINITIONS:
        short = agreement_text.SHORT.get(name, name)
        if short in shown:
            w.text(f"{short} ({name}): {defined[name]}.")


__all__ = ["TITLE", "chosen_coders", "compute", "write_section"]
