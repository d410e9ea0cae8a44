"""The numbers and tables of the analysis window, computed off the GUI thread.

:func:`compute_parts` runs in a worker: it computes one tab's numbers at a time (the tab on
screen first), builds its :class:`Table` and hands both over, so the window only swaps models
in. Pure data: no widget is touched here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from coder.core import query
from coder.core.project import Project
from coder.core.query import Filters
from coder.core.query.value_groups import grouped
from coder.ui.models.analysis import Table

WITHIN_LABELS = [
    ("passage", "Overlapping passages"),
    ("paragraph", "Same paragraph"),
    ("turn", "Same speaker turn"),
]
# "Count by" choices that show codings per code in each document / case (a matrix).
MATRIX_BY = {"document-matrix": "document", "case-matrix": "case"}


@dataclass
class AnalysisOptions:
    by: str = "document"  # "document" | "case" | an attribute name
    coder_id: int | str | None = None  # a coder's id, or "all" / "majority": what they agree on
    group: str | None = None
    include_children: bool = False
    crosstab_attribute: str | None = None
    # Number and date attributes: "values", "quantiles" (crosstab_groups of them) or "ranges"
    # between crosstab_limits (see coder.core.query.value_groups).
    crosstab_grouping: str = "values"
    crosstab_groups: int = 4
    crosstab_limits: tuple[str, ...] = ()
    within: str = "passage"
    where: tuple[str, str] | None = None  # (attribute key, value): only units with that value

    def filters(self) -> Filters:
        return Filters(
            coders=None if not isinstance(self.coder_id, int) else frozenset([self.coder_id]),
            consensus=self.coder_id if isinstance(self.coder_id, str) else "any",
            groups=None if self.group is None else frozenset([self.group]),
            attributes=((self.where[0], frozenset([self.where[1]])),) if self.where else (),
        )


@dataclass
class AnalysisData:
    """What the window shows; the parts not computed yet are None."""

    options: AnalysisOptions
    colors: dict[int, str]
    frequencies: query.FrequencyTable | None = None
    matrix: query.CodeMatrix | None = None
    crosstab: query.Crosstab | None = None
    cooccurrence: query.Cooccurrence | None = None
    speakers: query.SpeakerTable | None = None
    parts: frozenset[str] = frozenset()  # which of PARTS are computed


# The window's tables, one per tab, in tab order.
PARTS = ("freq", "cross", "cooc", "speakers")
PART_LABELS = {
    "freq": "Frequencies",
    "cross": "Crosstab",
    "cooc": "Co-occurrence",
    "speakers": "Speakers",
}


def compute_part(project: Project, part: str, data: AnalysisData) -> None:
    """Compute one table's numbers into ``data`` (pure core; runs in a worker thread)."""
    options = data.options
    f = options.filters()
    kids = options.include_children
    if part == "freq":
        if options.by in ("document", "case"):
            data.frequencies = query.frequencies(
                project, options.by, include_children=kids, filters=f
            )
        elif options.by in MATRIX_BY:
            unit = MATRIX_BY[options.by]
            data.frequencies = query.frequencies(project, unit, include_children=kids, filters=f)
            data.matrix = query.code_matrix(project, unit, filters=f, include_children=kids)
        else:
            data.frequencies = query.frequencies_by_attribute(
                project, options.by, include_children=kids, filters=f
            )
    elif part == "cross":
        if options.crosstab_attribute:
            tab = query.crosstab(
                project, options.crosstab_attribute, filters=f, include_children=kids
            )
            type_ = query.find_attribute(project, options.crosstab_attribute).type
            data.crosstab = grouped(
                tab, type_, options.crosstab_grouping, options.crosstab_groups,
                options.crosstab_limits,
            )  # fmt: skip
    elif part == "cooc":
        data.cooccurrence = query.cooccurrence(
            project, within=options.within, filters=f, include_children=kids
        )
    else:
        data.speakers = query.speaker_breakdown(project, filters=f, include_children=kids)
    data.parts = data.parts | {part}


def compute(
    project: Project, options: AnalysisOptions, progress: Callable[..., Any] | None = None
) -> AnalysisData:
    """Every table's numbers in one go (pure core; runs in a worker thread)."""
    step = progress or (lambda *a: True)
    data = AnalysisData(options, {c.id: c.color for c in project.codes()})
    for i, part in enumerate(PARTS):
        step(i, len(PARTS), PART_LABELS[part])
        compute_part(project, part, data)
    return data


@dataclass
class Part:
    """One table, ready to show: the numbers so far and the table built from them."""

    name: str
    data: AnalysisData
    table: Table


def table_for(part: str, data: AnalysisData, show: str = "Counts") -> Table:
    if part == "freq":
        return frequency_table(data)
    if part == "cross":
        return crosstab_table(data, show)
    if part == "cooc":
        return cooccurrence_table(data)
    return speaker_table(data)


def compute_parts(
    project: Project,
    options: AnalysisOptions,
    show: str,
    first: str,
    progress: Callable[..., Any],
    hand_over: Callable[[Part], None],
) -> AnalysisData:
    """Compute the tables one by one, ``first`` first, handing each over with its table as
    soon as it is built (so the tab on screen fills while the others are computed)."""
    data = AnalysisData(options, {c.id: c.color for c in project.codes()})
    order = [first, *(p for p in PARTS if p != first)]
    for i, part in enumerate(order):
        progress(i, len(order), PART_LABELS[part])
        compute_part(project, part, data)
        hand_over(Part(part, replace(data), table_for(part, data, show)))
    return data


def _drill(
    codes: tuple[int, ...],
    filters: Filters,
    mode: str = "or",
    within: str = "passage",
    kids: bool = False,
) -> tuple:
    return (codes, mode, within, filters, kids)


def frequency_table(data: AnalysisData) -> Table:
    t = data.frequencies
    assert t is not None
    f = data.options.filters()
    kids = t.include_children
    if data.matrix is not None:
        m = data.matrix
        key = "documents" if m.by == "document" else "cases"
        table = Table(["Code", *[u.name for u in m.units], "Total"])
        for row, counts in zip(m.codes, m.counts, strict=True):
            table.rows.append([row.code, *counts, sum(counts)])
            drills = [_drill((row.code_id,), f, kids=kids)]
            drills += [
                _drill((row.code_id,), query.with_filters(f, **{key: [u.id]}), kids=kids)
                for u in m.units
            ]
            drills.append(_drill((row.code_id,), f, kids=kids))
            table.drills.append(drills)
            table.tooltips.append("Includes " + ", ".join(row.included) if row.included else "")
        table.note = f"Codings of each code in each of the {len(m.units)} {key}."
        return table
    if t.by in ("document", "case"):
        unit = "Documents" if t.by == "document" else "Cases"
        table = Table(["Code", "Codings", unit, "of N", "%", "Coverage %"])
        for r in t.rows:
            table.rows.append([r.code, r.codings, r.units, r.total, r.percent, r.coverage])
            table.drills.append([_drill((r.code_id,), f, kids=kids)] * 6)
            table.tooltips.append("Includes " + ", ".join(r.included) if r.included else "")
        table.note = f"N = {t.total} {unit.lower()}" + (
            "; parent codes include their sub-codes" if kids else ""
        )
        return table
    attribute = data.options.by  # the key (maybe "case:NAME") that filters by this attribute
    table = Table(["Code", t.by.split("=", 1)[1], "Codings", "Units", "of N", "%"])
    for r in t.rows:
        table.rows.append([r.code, r.value or "(no value)", r.codings, r.units, r.total, r.percent])
        drill_f = query.with_filters(f, attributes={attribute: [r.value or ""]})
        table.drills.append([_drill((r.code_id,), drill_f, kids=kids)] * 6)
        table.tooltips.append("Includes " + ", ".join(r.included) if r.included else "")
    return table


def crosstab_table(data: AnalysisData, show: str = "Counts") -> Table:
    x = data.crosstab
    if x is None:
        return Table(["Code"], note="Add case or document attributes to cross codes with them.")
    f = data.options.filters()
    kids = data.options.include_children
    headers = (
        ["Code"]
        + [f"{v or '(no value)'} (N={n})" for v, n in zip(x.values, x.column_totals, strict=True)]
        + ["Total"]
    )
    table = Table(headers)
    for r in x.rows:
        if show == "Row %":
            cells: list[Any] = list(r.row_percent)
        elif show == "Column %":
            cells = list(r.column_percent)
        else:
            cells = list(r.counts)
        table.rows.append([r.code, *cells, r.total])
        drills = [_drill((r.code_id,), f, kids=kids)]
        key = data.options.crosstab_attribute or x.attribute
        for i in range(len(x.values)):
            values = list(x.column_values(i))  # a range: every value in it
            drills.append(
                _drill((r.code_id,), query.with_filters(f, attributes={key: values}), kids=kids)
            )
        drills.append(_drill((r.code_id,), f, kids=kids))
        table.drills.append(drills)
        table.tooltips.append("Includes " + ", ".join(r.included) if r.included else "")
    table.note = crosstab_caption(data, show)
    return table


def crosstab_caption(data: AnalysisData, show: str) -> str:
    """What the crosstab shows, from the options it was computed with (never the ones being
    chosen): unit, attribute, grouping, figures, and the filters in force."""
    x, options = data.crosstab, data.options
    assert x is not None
    unit = "cases" if x.unit == "case" else "documents"
    grouping = {
        "quantiles": f", in {options.crosstab_groups} groups of about equal numbers of {unit}",
        "ranges": ", in ranges between " + ", ".join(options.crosstab_limits),
    }.get(options.crosstab_grouping, "")
    figures = {
        "Row %": f"Row %: of the {unit} coded with the code.",
        "Column %": f"Column %: of the {unit} with that value (N in the header).",
    }.get(show, f"Counts of {unit} coded with each code.")
    scope = []
    if options.coder_id is not None:
        scope.append("one coder's codings")
    if options.group is not None:
        scope.append(f"documents of {options.group}")
    if options.where is not None:
        scope.append(f"only {options.where[0]} = {options.where[1]}")
    if options.include_children:
        scope.append("sub-codes counted with their parents")
    where = f" ({'; '.join(scope)})" if scope else ""
    return f"{unit.capitalize()} by {x.attribute}{grouping}{where}. {figures}"


def cooccurrence_table(data: AnalysisData) -> Table:
    m = data.cooccurrence
    assert m is not None
    f = data.options.filters()
    kids = data.options.include_children
    # Columns by name (rows carry the full path) so the matrix stays narrow.
    table = Table(["Code"] + [c.path.rsplit("/", 1)[-1] for c in m.codes])
    for i, a in enumerate(m.codes):
        table.rows.append([a.path, *m.counts[i]])
        drills: list[Any] = [_drill((a.id,), f, kids=kids)]
        backgrounds: list[str | None] = [None]
        for j, b in enumerate(m.codes):
            if i == j:
                drills.append(_drill((a.id,), f, "or", m.within, kids))
                backgrounds.append("#e8e8e8")
            else:
                drills.append(_drill((a.id, b.id), f, "and", m.within, kids))
                backgrounds.append(None)
        table.drills.append(drills)
        table.backgrounds.append(backgrounds)
    what = dict(WITHIN_LABELS)[m.within].lower()
    table.note = f"Passages where two codes meet ({what}); the diagonal counts each code alone."
    return table


def speaker_table(data: AnalysisData) -> Table:
    s = data.speakers
    assert s is not None
    f = data.options.filters()
    kids = data.options.include_children
    labels = [sp or "(no speaker)" for sp in s.speakers]
    table = Table(["Code", *labels, "Total"])
    for r in s.rows:
        table.rows.append([r.code, *r.counts, r.total])
        drills: list[Any] = [_drill((r.code_id,), f, kids=kids)]
        drills += [
            _drill((r.code_id,), query.with_filters(f, speakers=[sp]), kids=kids)
            for sp in s.speakers
        ]
        drills.append(_drill((r.code_id,), f, kids=kids))
        table.drills.append(drills)
    table.rows.append(["All codes", *s.totals, sum(s.totals)])
    table.drills.append([None] * (len(s.speakers) + 2))
    table.note = "Codings per speaker (the speaker of the turn that holds most of the passage)."
    return table


# ----------------------------------------------------------------------------- widgets
