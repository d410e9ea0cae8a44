"""Crosstab ranges for number and date attributes: quantile groups and the user's limits,
checked against counts made by hand from the cases."""

from __future__ import annotations

import pytest

from coder.core.errors import InvalidValue
from coder.core.project import Project
from coder.core.query import crosstab
from coder.core.query.value_groups import grouped, quantile_groups, range_groups

AGES = {"Ana": "24", "Ben": "29", "Cleo": "31", "Dara": "31", "Eli": "40", "Finn": "100"}
CODED = {"Ana", "Cleo", "Eli", "Finn"}  # the cases coded with "Leaving"


@pytest.fixture
def project(fresh_project: Project) -> Project:
    p = fresh_project
    code = p.add_code("Leaving").created("codes")[0]
    age = p.add_attribute("age", "case", "number").created("attributes")[0]
    born = p.add_attribute("born", "case", "date").created("attributes")[0]
    for i, (name, value) in enumerate(AGES.items()):
        doc = p.add_document(name, f"{name}: we left.\n", case=name).created("documents")[0]
        p.set_attribute_value(age, p.find_case(name).id, value)
        p.set_attribute_value(born, p.find_case(name).id, f"{1990 + i}-06-01")
        if name in CODED:
            p.apply_code(doc, code, 0, 4)
    p.add_case("Gus")  # a case without documents is never counted
    return p


def test_quantiles_split_units_evenly_and_keep_ties_together() -> None:
    counts = {"24": 1, "29": 1, "31": 2, "40": 1, "100": 1}
    assert quantile_groups(counts, "number", 2) == {
        "24": "24–29", "29": "24–29", "31": "31–100", "40": "31–100", "100": "31–100",
    }  # fmt: skip
    assert quantile_groups(counts, "number", 3) == {
        "24": "24–29", "29": "24–29", "31": "31", "40": "40–100", "100": "40–100",
    }  # two cases in each third  # fmt: skip


def test_ranges_from_limits() -> None:
    values = ["24", "29", "31", "40", "100"]
    assert range_groups(values, "number", ["30", "40"]) == {
        "24": "< 30", "29": "< 30", "31": "30–39", "40": "≥ 40", "100": "≥ 40",
    }  # fmt: skip
    assert range_groups(["1.5", "2.5"], "number", ["2"]) == {"1.5": "< 2", "2.5": "≥ 2"}
    assert range_groups(["1.5", "2.5"], "number", ["1", "2.25"])["1.5"] == "1 to < 2.25"
    dates = range_groups(["2019-05-01", "2021-01-01"], "date", ["2020-01-01"])
    assert dates == {"2019-05-01": "< 2020-01-01", "2021-01-01": "≥ 2020-01-01"}


@pytest.mark.parametrize("limits", [[], ["x"], ["40", "30"], ["30", "30"]])
def test_bad_limits_are_refused(limits: list[str]) -> None:
    with pytest.raises(InvalidValue):
        range_groups(["24"], "number", limits)


def test_a_grouped_crosstab_adds_up_the_cases_of_its_values(project: Project) -> None:
    tab = grouped(crosstab(project, "age"), "number", "ranges", limits=["30", "40"])
    assert tab.values == ["< 30", "30–39", "≥ 40"]
    assert tab.column_totals == [2, 2, 2]  # by hand: Ana, Ben | Cleo, Dara | Eli, Finn
    (row,) = tab.rows
    assert row.counts == (1, 1, 2) and row.total == 4
    assert row.column_percent == (50.0, 50.0, 100.0)
    assert tab.column_values(1) == ("31",)


def test_values_of_a_number_attribute_go_in_numeric_order(project: Project) -> None:
    tab = grouped(crosstab(project, "age"), "number")
    assert tab.values == ["24", "29", "31", "40", "100"]
    assert tab.rows[0].counts == (1, 0, 1, 1, 1)


def test_date_quantiles(project: Project) -> None:
    tab = grouped(crosstab(project, "born"), "date", "quantiles", n=2)
    assert tab.values == ["1990-06-01–1992-06-01", "1993-06-01–1995-06-01"]
    assert tab.column_totals == [3, 3] and tab.rows[0].counts == (2, 2)


def test_text_attributes_have_no_ranges(project: Project) -> None:
    project.add_attribute("country", "case", "text")
    with pytest.raises(InvalidValue, match="only number and date"):
        grouped(crosstab(project, "country"), "text", "quantiles")
