"""The Cases sheet (View → Cases sheet): cases × attributes in a window of its own, edited in
place, following every edit and undo, and rows that stay put when an edit changes the order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from coder.core.project import Project
from coder.ui.main_window import MainWindow
from coder.ui.views.cases_sheet import CasesSheet


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "sheet.coder"
    with Project.create(path) as p:
        for name in ("Ana", "Ben", "Cleo"):
            p.add_document(f"Interview {name}", f"{name}: we left.\n", case=name)
        age = p.add_attribute("age", "case", "number").created("attributes")[0]
        for name, value in (("Ana", "34"), ("Ben", "41"), ("Cleo", "29")):
            p.set_attribute_value(age, p.find_case(name).id, value)
    return path


@pytest.fixture
def sheet(qtbot, project_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CasesSheet]:
    win = MainWindow()
    qtbot.addWidget(win)
    monkeypatch.setattr(win, "show_error", lambda m: pytest.fail(m))
    assert win.open_project(project_path)
    win.trigger("view.cases_sheet")
    found = win.findChild(CasesSheet)
    assert found is not None and found.isVisible()
    yield found
    win.close_project()


def rows(sheet: CasesSheet) -> list[tuple[str, str]]:
    proxy, model = sheet.table.proxy, sheet.table.model
    age = model.column_of("age")
    return [(proxy.index(r, 0).data(), proxy.index(r, age).data()) for r in range(proxy.rowCount())]


def test_the_sheet_lists_cases_and_attributes(sheet: CasesSheet) -> None:
    assert rows(sheet) == [("Ana", "34"), ("Ben", "41"), ("Cleo", "29")]
    headers = sheet.table.model
    assert [headers.headerData(c, Qt.Orientation.Horizontal) for c in range(2)] == [
        "Case",
        "Documents",
    ]


def test_an_edit_keeps_the_row_in_place_until_sorted_again(sheet: CasesSheet) -> None:
    view, model = sheet.table.view, sheet.table.model
    age = model.column_of("age")
    view.sortByColumn(age, Qt.SortOrder.AscendingOrder)
    assert rows(sheet) == [("Cleo", "29"), ("Ana", "34"), ("Ben", "41")]
    cell = sheet.table.proxy.index(0, age)
    assert sheet.table.proxy.setData(cell, "50")  # Cleo is now the oldest
    assert rows(sheet) == [("Cleo", "50"), ("Ana", "34"), ("Ben", "41")]  # no jump
    view.sortByColumn(age, Qt.SortOrder.AscendingOrder)
    assert rows(sheet) == [("Ana", "34"), ("Ben", "41"), ("Cleo", "50")]


def test_the_sheet_follows_edits_made_elsewhere_and_undo(sheet: CasesSheet) -> None:
    window = sheet.window_
    assert window.project is not None
    window.push("Add case 'Dara'", lambda p: p.add_case("Dara"))
    assert ("Dara", "") in rows(sheet)
    assert sheet.table.add_attribute("role", "text")
    assert sheet.table.model.column_of("role") >= 0
    window.trigger("edit.undo")
    window.trigger("edit.undo")
    assert ("Dara", "") not in rows(sheet)


def test_the_sheet_fits_a_laptop_screen(sheet: CasesSheet) -> None:
    assert sheet.width() <= 1366 and sheet.height() <= 728


def test_closing_the_project_closes_the_sheet(sheet: CasesSheet) -> None:
    sheet.window_.close_project()
    assert not sheet.isVisible()
