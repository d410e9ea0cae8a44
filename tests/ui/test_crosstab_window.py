"""The analysis window's crosstab: a categorical attribute by default, number and date
attributes in ranges, and a caption that always describes the table under it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from coder.core.project import Project
from coder.ui.views import analysis_window as aw
from tests.ui.test_analysis import Window, cell, idle

AGES = {"Ana": "24", "Ben": "29", "Cleo": "31", "Dara": "31", "Eli": "40", "Finn": "100"}


@pytest.fixture
def win(tmp_path: Path) -> Iterator[Window]:
    p = Project.create(tmp_path / "ages.coder")
    code = p.add_code("Leaving").created("codes")[0]
    age = p.add_attribute("age", "case", "number").created("attributes")[0]
    country = p.add_attribute("country", "case", "text").created("attributes")[0]
    for name, value in AGES.items():
        doc = p.add_document(name, f"{name}: we left.\n", case=name).created("documents")[0]
        case = p.find_case(name).id
        p.set_attribute_value(age, case, value)
        p.set_attribute_value(country, case, "UK" if int(value) < 35 else "FR")
        if name in ("Ana", "Cleo", "Eli", "Finn"):
            p.apply_code(doc, code, 0, 4)
    yield Window(p)
    p.close()


@pytest.fixture
def analysis(qtbot, win: Window) -> Iterator[aw.AnalysisWindow]:
    window = aw.AnalysisWindow(win)
    qtbot.addWidget(window)
    window.refresh()
    qtbot.waitUntil(lambda: idle(window), timeout=20000)
    yield window


def headers(pane: aw.TablePane) -> list[str]:
    proxy = pane.proxy
    return [proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(proxy.columnCount())]


def wait(qtbot, window: aw.AnalysisWindow) -> None:
    """Until the window shows the answer to the last choice."""
    qtbot.waitUntil(lambda: idle(window), timeout=20000)


def test_the_default_attribute_is_categorical(analysis: aw.AnalysisWindow) -> None:
    assert analysis.cross_attr.currentData() == "country"  # not the first one, age
    assert not analysis.cross_group.isEnabled()  # text values have no ranges
    assert headers(analysis.cross)[1:3] == ["FR (N=2)", "UK (N=4)"]
    assert analysis.cross.note.text().startswith("Cases by country.")


def test_number_attributes_in_quartiles_and_ranges(qtbot, analysis: aw.AnalysisWindow) -> None:
    analysis.cross_attr.setCurrentIndex(analysis.cross_attr.findData("age"))
    wait(qtbot, analysis)
    assert analysis.cross_group.isEnabled()
    assert headers(analysis.cross)[1:6] == [
        "24 (N=1)", "29 (N=1)", "31 (N=2)", "40 (N=1)", "100 (N=1)",
    ]  # numeric order  # fmt: skip
    analysis.cross_group.combo.setCurrentIndex(2)  # three groups of equal size
    wait(qtbot, analysis)
    assert headers(analysis.cross)[1:4] == ["24–29 (N=2)", "31 (N=2)", "40–100 (N=2)"]
    assert "in 3 groups of about equal numbers of cases" in analysis.cross.note.text()
    analysis.cross_group.combo.setCurrentIndex(5)  # ranges between limits
    analysis.cross_group.limits.setText("30, 40")
    analysis.cross_group.limits.returnPressed.emit()
    wait(qtbot, analysis)
    assert headers(analysis.cross)[1:4] == ["< 30 (N=2)", "30–39 (N=2)", "≥ 40 (N=2)"]
    assert cell(analysis.cross, "Leaving", 3).data() == "2"
    assert "in ranges between 30, 40" in analysis.cross.note.text()


def test_a_range_cell_lists_the_passages_of_every_value_in_it(
    qtbot, analysis: aw.AnalysisWindow
) -> None:
    analysis.cross_attr.setCurrentIndex(analysis.cross_attr.findData("age"))
    analysis.cross_group.combo.setCurrentIndex(5)
    analysis.cross_group.limits.setText("30, 40")
    analysis.cross_group.limits.returnPressed.emit()
    wait(qtbot, analysis)
    analysis.cross._clicked(cell(analysis.cross, "Leaving", 3))  # ≥ 40: Eli and Finn
    wait(qtbot, analysis)
    assert sorted(p.document for p in analysis.passages.passages) == ["Eli", "Finn"]


def test_the_caption_follows_the_figures_shown(qtbot, analysis: aw.AnalysisWindow) -> None:
    analysis.cross_show.setCurrentText("Column %")
    assert "Column %: of the cases with that value" in analysis.cross.note.text()
    analysis.cross_show.setCurrentText("Row %")
    assert "Row %: of the cases coded with the code" in analysis.cross.note.text()
    analysis.children_box.setChecked(True)
    wait(qtbot, analysis)
    assert "sub-codes counted with their parents" in analysis.cross.note.text()
