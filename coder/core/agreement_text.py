"""Agreement results in words and tables, the same in the command line, the window and the report.

Figures are rounded with :mod:`coder.core.numbers` (halves up): percentages to one decimal,
kappas and alphas to three; an undefined figure reads "undefined".
"""

from __future__ import annotations

from coder.core.intercoder import OVERALL, CodeAgreement, ProjectAgreement
from coder.core.numbers import fixed

OVERALL_LABEL = "All codes"
UNIT_WORDS = {
    "character": "character",
    "paragraph": "paragraph",
    "turn": "speaker turn",
    "segment": "coded segment",
}
# Short headers for narrow columns (the report, the window); the definitions spell them out.
SHORT = {
    "Agreement %": "% agree",
    "Positive %": "% positive",
    "Coded %": "% coded",
    "Cohen's κ": "Cohen κ",
    "Fleiss' κ": "Fleiss κ",
    "Brennan-Prediger κ": "BP κ",
    "Krippendorff's α": "α",
    "Unitizing α": "uα",
}
POOLING_WORDS = {
    "units": "every code's units pooled into one table",
    "mean": "the mean of the codes' figures",
}


def and_list(names: list[str] | tuple[str, ...]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def scope_sentence(result: ProjectAgreement) -> str:
    """Which coders, per which unit, over which documents."""
    count = len(result.documents)
    docs = plural(count, "document")
    if result.listed:
        which = "listed (in scope for every coder, coded or not)"
    elif result.partial:
        which = "that at least two of them coded"
    else:
        which = "that every one of them coded" if len(result.coders) > 2 else "that both coded"
    return (
        f"Agreement of {and_list(result.coders)} per {UNIT_WORDS[result.unit]}, "
        f"over the {docs} {which}."
    )


def method_sentence(result: ProjectAgreement) -> str:
    """How units are counted and how the overall row is formed."""
    if result.unit == "segment":
        return (
            f"Each coding of one coder is matched with one coding of the same code by the other "
            f"that overlaps it by at least {result.min_overlap}% of their union; unmatched codings "
            f"are disagreements. Brennan & Prediger's kappa takes chance agreement as 1 / the "
            f"number of codes compared. Overall: {POOLING_WORDS[result.pooling]}."
        )
    unit = UNIT_WORDS[result.unit]
    return (
        f"A {unit} counts as coded with a code when one of the coder's codings of that code "
        f"overlaps it. Overall: {POOLING_WORDS[result.pooling]}."
    )


def left_out_sentence(result: ProjectAgreement) -> str:
    """The documents of the selection not compared, and why ("" when none)."""
    if not result.excluded_documents:
        return ""
    items = [f"{d.document} ({d.reason})" for d in result.excluded_documents]
    return f"Left out: {and_list(items)}."


def excluded_sentence(result: ProjectAgreement) -> str:
    """Text outside every unit ("" when none)."""
    ex = result.excluded
    if not ex.codings and (result.unit != "turn" or not ex.characters):
        return ""  # between paragraphs lie only line breaks
    where = "speaker turns" if result.unit == "turn" else "paragraphs"
    return (
        f"Outside the {where}: {plural(ex.characters, 'character')} and "
        f"{plural(ex.codings, 'coding')} lying wholly there, not compared."
    )


def summary(result: ProjectAgreement) -> list[str]:
    """The sentences that go above the table."""
    lines = [scope_sentence(result), method_sentence(result)]
    lines += [s for s in (left_out_sentence(result), excluded_sentence(result)) if s]
    if not result.documents:
        lines.append("No document to compare: no figure can be computed.")
    return lines


def row_label(row: CodeAgreement, pooling: str = "units") -> str:
    """The code's path; the overall row says how it is formed."""
    if row.code_id is None or row.code == OVERALL:
        return f"{OVERALL_LABEL} ({'pooled' if pooling == 'units' else 'mean'})"
    return row.code


def headers(result: ProjectAgreement) -> tuple[str, ...]:
    first, second = (result.coders + ("", ""))[:2]
    if result.unit == "segment":
        return (
            "Code",
            "Segments",
            "Agreements",
            f"Only {first}",
            f"Only {second}",
            "Agreement %",
            "Positive %",
            "Brennan-Prediger κ",
            "Unitizing α",
        )
    table: tuple[str, ...]
    kappas: tuple[str, ...]
    if len(result.coders) == 2:
        table = ("Both", f"Only {first}", f"Only {second}", "Neither")
        kappas = ("Cohen's κ", "Fleiss' κ", "Brennan-Prediger κ")
    else:
        table = ("All", "Some", "None")
        kappas = ("Fleiss' κ", "Brennan-Prediger κ")
    return (
        "Code",
        "Units",
        *table,
        "Agreement %",
        "Positive %",
        "Coded %",
        *kappas,
        "Krippendorff's α",
        "Unitizing α",
    )


def cells(result: ProjectAgreement, row: CodeAgreement) -> tuple[str, ...]:
    pct = [fixed(row.percent_agreement, 1), fixed(row.positive_agreement, 1)]
    if result.unit == "segment":
        t = row.table
        return (
            row_label(row, result.pooling),
            str(row.units),
            str(t.get("both", 0)),
            str(t.get("first_only", 0)),
            str(t.get("second_only", 0)),
            *pct,
            fixed(row.brennan_prediger, 3),
            fixed(row.alpha_unitized, 3),
        )
    keys: tuple[str, ...]
    kappas: tuple[float | None, ...]
    if len(result.coders) == 2:
        keys = ("both", "first_only", "second_only", "neither")
        kappas = (row.kappa, row.fleiss_kappa, row.brennan_prediger)
    else:
        keys = ("all", "some", "none")
        kappas = (row.fleiss_kappa, row.brennan_prediger)
    return (
        row_label(row, result.pooling),
        str(row.units),
        *(str(row.table.get(k, 0)) for k in keys),
        *pct,
        fixed(row.percent_agreement_coded, 1),
        *(fixed(k, 3) for k in kappas),
        fixed(row.alpha, 3),
        fixed(row.alpha_unitized, 3),
    )


def table(result: ProjectAgreement) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Headers and one row per code, the overall row last."""
    return headers(result), [cells(result, r) for r in (*result.codes, result.overall)]


DEFINITIONS = (
    ("Agreement %", "units on which the coders agree (coded or not), of all units"),
    (
        "Positive %",
        (
            "specific positive agreement, 2a / (2a + b + c): of the units one coder "
            "coded, how often the other coded them too (Fleiss 1975; Cicchetti & Feinstein 1990)"
        ),
    ),
    ("Coded %", "agreement among the units at least one coder coded, a / (a + b + c)"),
    ("Cohen's κ", "(Po - Pe) / (1 - Pe), chance from each coder's own rates (Cohen 1960)"),
    ("Fleiss' κ", "chance from the coders' pooled rate (Fleiss 1971)"),
    ("Brennan-Prediger κ", "free-marginal kappa, chance 1/2 (Brennan & Prediger 1981)"),
    ("Krippendorff's α", "nominal alpha over the units (Krippendorff 2011)"),
    (
        "Unitizing α",
        (
            "Krippendorff's alpha for unitizing over the characters, coded stretches "
            "against uncoded gaps (Krippendorff, Mathet, Bouvry & Widlöcher 2016)"
        ),
    ),
)


_MANY = {
    "Agreement %": "agreeing coder pairs (coded or not) of all coder pairs over all units",
    "Positive %": (
        "specific positive agreement, Σ n(n − 1) / Σ n(m − 1) over the units, n of the m "
        "coders present having coded the unit: of the coders who coded a unit, how often "
        "another coded it too (Fleiss 1975; Cicchetti & Feinstein 1990)"
    ),
    "Coded %": "agreeing coder pairs over the units at least one coder coded",
}
_SEGMENTS = {
    "Agreement %": (
        "matched pairs of codings, of all pairs and unmatched codings (MAXQDA's segment comparison)"
    ),
    "Positive %": "2a / (2a + b + c): a matched pairs, b and c each coder's unmatched codings",
    "Brennan-Prediger κ": (
        "free-marginal kappa, chance 1 / the number of codes compared (Brennan & Prediger "
        "1981; MAXQDA's kappa for segments)"
    ),
}
_TABLE = {
    "Units": "units compared (code × unit pairs in the overall row)",
    "Segments": "matched pairs plus unmatched codings",
    "Agreements": "pairs of codings of the code overlapping by at least the minimum overlap",
    "Both": "units both coders coded with the code (a)",
    "Neither": "units neither coder coded with the code (d)",
    "All": "units every coder present coded with the code",
    "Some": "units some but not all of the coders present coded with the code",
    "None": "units none of the coders present coded with the code",
}


def definitions(result: ProjectAgreement) -> dict[str, str]:
    """Every column of :func:`headers` defined for this result's unit and number of coders."""
    defined = dict(DEFINITIONS)
    if result.unit == "segment":
        defined.update(_SEGMENTS)
    elif len(result.coders) > 2:
        defined.update(_MANY)
    defined.update(_TABLE)
    first, second = (result.coders + ("", ""))[:2]
    if result.unit == "segment":
        only = "codings by {} matched by no coding of the other"
    else:
        only = "units only {} coded with the code"
    defined[f"Only {first}"] = only.format(first) + (" (b)" if result.unit != "segment" else "")
    defined[f"Only {second}"] = only.format(second) + (" (c)" if result.unit != "segment" else "")
    return defined


__all__ = [
    "DEFINITIONS",
    "SHORT",
    "OVERALL_LABEL",
    "and_list",
    "cells",
    "definitions",
    "excluded_sentence",
    "headers",
    "left_out_sentence",
    "method_sentence",
    "scope_sentence",
    "summary",
    "table",
]
