"""The window's charts: what they paint where, the numbers behind them, and saving them."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QGuiApplication, QImage

from coder.ui.views.charts import DIAGONAL, HEAT, BarChart, HeatMap, heat_color, nice_step

LABELS = ["Belonging", "Work/Precarious contracts", "Housing", "Money/Debt"]
VALUES = [35.0, 70.0, 0.0, 12.5]
COLORS = ["#E15759", "#4E79A7", "#59A14F", "#F28E2B"]
COUNTS = [[9, 4, 0, 1], [4, 7, 2, 0], [0, 2, 5, 3], [1, 0, 3, 6]]


def _shown(widget, qtbot, width: int = 500, height: int = 400):
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget.grab().toImage()


def _same(a: QColor, b: QColor, tolerance: int = 6) -> bool:
    pairs = ((a.red(), b.red()), (a.green(), b.green()), (a.blue(), b.blue()))
    return all(abs(x - y) <= tolerance for x, y in pairs)


def test_nice_steps_and_heat_colours() -> None:
    assert [nice_step(v) for v in (1, 7, 35, 80, 100, 0.3)] == [0.2, 2, 10, 20, 20, 0.1]
    assert heat_color(0.0).name() == HEAT[0] and heat_color(1.0).name() == HEAT[-1]
    assert heat_color(2.0).name() == HEAT[-1] and heat_color(-1).name() == HEAT[0]
    darker = [heat_color(f / 10).lightness() for f in range(11)]
    assert darker == sorted(darker, reverse=True)


def test_bar_chart_paints_each_bar_in_its_colour_and_length(qtbot) -> None:
    chart = BarChart("Frequencies")
    chart.set_data(LABELS, VALUES, COLORS, [f"{v:.1f}%" for v in VALUES], axis_label="% of cases")
    image = _shown(chart, qtbot)
    assert len(chart._bars) == 4
    lengths = []
    for i, row in enumerate(chart._bars):
        y = int(row.center().y())
        painted = [
            x for x in range(image.width()) if _same(image.pixelColor(x, y), QColor(COLORS[i]))
        ]
        lengths.append(len(painted))
    # Proportional to the values: the longest is twice the first, the empty one has none.
    assert lengths[2] == 0 and lengths[1] > 150  # of the 500 pixels
    assert lengths[1] == pytest.approx(2 * lengths[0], abs=3)
    assert lengths[3] == pytest.approx(lengths[1] * 12.5 / 70, abs=3)


def test_bar_chart_hover_names_the_bar_and_the_numbers_copy_as_text(qtbot) -> None:
    chart = BarChart("Frequencies")
    chart.set_data(
        LABELS, VALUES, COLORS, ["35.0%", "70.0%", "0.0%", "12.5%"], value_name="% of cases"
    )
    _shown(chart, qtbot)
    assert chart.value_at(chart._bars[1].center()) == "Work/Precarious contracts: 70.0%"
    assert chart.value_at(QPointF(-5, -5)) is None
    text = chart.as_text()
    assert text.splitlines() == [
        "Code\t% of cases",
        "Belonging\t35.0%",
        "Work/Precarious contracts\t70.0%",
        "Housing\t0.0%",
        "Money/Debt\t12.5%",
    ]
    chart.actions()[0].trigger()  # the context menu's "Copy the numbers"
    assert QGuiApplication.clipboard().text() == text
    assert "4 rows" in chart.accessibleDescription()


def test_heat_map_cells_coloured_by_count_with_a_grey_diagonal(qtbot) -> None:
    chart = HeatMap("Co-occurrence")
    chart.set_data(LABELS, COUNTS)
    image = _shown(chart, qtbot, 600, 600)
    grid = chart._grid
    size = grid.width() / 4

    def colour(i: int, j: int) -> QColor:
        # Off the centre, where the count is written.
        return image.pixelColor(
            int(grid.left() + (j + 0.15) * size), int(grid.top() + (i + 0.15) * size)
        )

    assert chart.peak() == 4
    assert _same(colour(0, 1), heat_color(1.0))  # the largest pair, darkest
    assert _same(colour(2, 3), heat_color(3 / 4))
    assert _same(colour(0, 0), QColor(DIAGONAL))
    assert _same(colour(0, 2), chart.palette().base().color())  # never together: no colour
    centre = QPointF(grid.left() + 1.5 * size, grid.top() + 0.5 * size)
    assert chart.value_at(centre) == "Belonging and Work/Precarious contracts: 4 passages"
    diagonal = QPointF(grid.left() + 0.5 * size, grid.top() + 0.5 * size)
    assert chart.value_at(diagonal) == "Belonging: 9 passages in all"
    assert chart.as_text().splitlines()[1] == "Belonging\t9\t4\t0\t1"


def test_empty_charts_say_so(qtbot) -> None:
    for chart in (BarChart("Frequencies"), HeatMap("Co-occurrence")):
        chart.clear()
        _shown(chart, qtbot)
        assert chart.as_text().count("\n") == 1  # the header only
        assert chart.value_at(QPointF(10, 10)) is None


def test_saved_png_is_at_print_resolution_and_svg_is_vector(qtbot, tmp_path: Path) -> None:
    chart = HeatMap("Co-occurrence")
    chart.set_data(LABELS, COUNTS)
    qtbot.addWidget(chart)
    chart.save_image(tmp_path / "heat.png")
    image = QImage(str(tmp_path / "heat.png"))
    size = chart.export_size()
    assert round(image.dotsPerMeterX() * 0.0254) == 200
    assert image.width() == pytest.approx(size.width() * 200 / 96, abs=1)
    # Dark text on white in the file, whatever the theme of the window.
    assert image.pixelColor(2, 2) == QColor("white")
    bars = BarChart("Frequencies")
    bars.set_data(LABELS, VALUES, COLORS)
    qtbot.addWidget(bars)
    bars.save_image(tmp_path / "bars.svg")
    svg = (tmp_path / "bars.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "Precarious contracts" in svg and "<title>Frequencies</title>" in svg
    with pytest.raises(OSError):
        bars.save_image(tmp_path / "missing-folder" / "bars.png")


def test_long_code_paths_keep_their_last_part(qtbot) -> None:
    from PySide6.QtGui import QFontMetricsF
    from PySide6.QtWidgets import QWidget

    from coder.ui.views.charts import fit_label

    widget = QWidget()
    qtbot.addWidget(widget)
    fm = QFontMetricsF(widget.font())
    path = "Violence and coercion/Against others"
    assert fit_label(fm, path, fm.horizontalAdvance(path)) == path
    assert fit_label(fm, path, fm.horizontalAdvance("Against others") + 1) == "Against others"
    short = fit_label(fm, path, fm.horizontalAdvance("Against"))
    assert short.startswith("Ag") and short.endswith("…")
