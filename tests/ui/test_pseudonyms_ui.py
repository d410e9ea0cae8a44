"""View → Pseudonyms: the list with undo, suggestions, the preview's highlights; and the
choice to export pseudonymised."""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QUndoStack

from coder.core.project import Project
from coder.ui.features import refi as refi_ui
from coder.ui.features import report as report_ui
from coder.ui.main_window import MainWindow
from coder.ui.views.pseudonyms_window import PseudonymsWindow, utf16_spans

TEXT = (
    "Interviewer: Where is Kraków?\n"
    "Mara: 👩‍👩‍👧 Kraków is home. I ran a Marathon with Ruth Brennock.\n"
    "Interviewer: And Ruth Brennock?\n"
    "Mara: Ruth Brennock wrote to mara@example.org.\n"
)


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "study.coder"
    with Project.create(path) as p:
        source = tmp_path / "Mara.txt"
        source.write_text(TEXT, encoding="utf-8")
        p.import_file(source, speakers="auto")
        p.add_document("Other", "Nothing to hide here.\n")
    return path


@pytest.fixture
def view(qtbot, project_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PseudonymsWindow]:
    win = MainWindow()
    qtbot.addWidget(win)
    monkeypatch.setattr(win, "show_error", lambda m: pytest.fail(m))
    assert win.open_project(project_path)
    win.trigger("view.pseudonyms")
    found = win.findChild(PseudonymsWindow)
    assert found is not None and found.isVisible()
    yield found
    win.close_project()


def proj(view: PseudonymsWindow) -> Project:
    project = view.window_.project
    assert project is not None
    return project


def undo_stack(view: PseudonymsWindow) -> QUndoStack:
    stack = view.window_.undo_stack
    assert stack is not None
    return stack


def test_utf16_spans_count_astral_characters() -> None:
    text = "👩 Ana 👩👩 Ana"
    assert utf16_spans(text, [(2, 5), (9, 12)]) == [(3, 6), (12, 15)]


def test_add_preview_and_undo(view: PseudonymsWindow) -> None:
    view.original.setText("Kraków")
    view.replacement.setText("[city]")
    view.category.setCurrentText("place")
    assert view.add_entry()
    assert [p.original for p in proj(view).pseudonyms()] == ["Kraków"]
    cell = view.table.item(0, 1)
    assert view.table.rowCount() == 1 and cell is not None and cell.text() == "[city]"
    highlighted = [s.cursor.selectedText() for s in view.preview.extraSelections()]
    assert highlighted == ["Kraków", "Kraków"] and view.count.text() == "2 occurrences"
    view.replaced.setChecked(True)
    assert "[city] is home" in view.preview.toPlainText()
    assert [s.cursor.selectedText() for s in view.preview.extraSelections()] == ["[city]"] * 2
    undo_stack(view).undo()
    assert proj(view).pseudonyms() == [] and view.table.rowCount() == 0
    undo_stack(view).redo()
    view.table.selectRow(0)
    view.remove_selected()
    assert proj(view).pseudonyms() == []


def test_the_exported_list_is_private_and_a_failure_is_one_message(
    view: PseudonymsWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors: list[str] = []
    monkeypatch.setattr(view.window_, "show_error", errors.append)
    proj(view).add_pseudonym("Mara", "P01")
    out = tmp_path / "list.csv"
    view.export_list(str(out))
    assert "Mara" in out.read_text(encoding="utf-8-sig") and errors == []
    assert os.name != "posix" or stat.S_IMODE(out.stat().st_mode) == 0o600
    view.export_list(str(tmp_path / "gone" / "list.csv"))
    assert errors == [f"{tmp_path / 'gone'}: no such folder"]


def test_suggestions_accept_and_dismiss(qtbot, view: PseudonymsWindow) -> None:
    view.find_suggestions()
    qtbot.waitUntil(lambda: bool(view.suggestions), timeout=20000)
    texts = [s.text for s in view.suggestions]
    assert "Mara" in texts and "Ruth Brennock" in texts and "mara@example.org" in texts
    view.document.setCurrentIndex(view.document.findText("Other"))
    view.suggestion_table.selectRow(texts.index("Ruth Brennock"))
    assert view.document.currentText() == "Mara"  # where it occurs
    assert {s.cursor.selectedText() for s in view.preview.extraSelections()} == {"Ruth Brennock"}
    view.accept_selected()
    listed = proj(view).pseudonyms()
    assert [p.original for p in listed] == ["Ruth Brennock"] and listed[0].category == "other"
    texts = [s.text for s in view.suggestions]
    assert "Ruth Brennock" not in texts
    view.suggestion_table.selectRow(texts.index("Mara"))
    view.dismiss_selected()
    assert "Mara" not in [s.text for s in view.suggestions]
    assert proj(view).dismissed_suggestions() == {"Mara"}


def test_exports_ask_and_write_pseudonymised(
    qtbot, view: PseudonymsWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = view.window_
    proj(view).add_pseudonym("Mara", "P01")
    proj(view).add_pseudonym("Ruth Brennock", "P02")
    proj(view).add_pseudonym("mara@example.org", "[e-mail]", whole_word=False)
    asked: list[str] = []

    def ask(window: object, what: str) -> bool:
        asked.append(what)
        return True

    monkeypatch.setattr(report_ui, "ask_pseudonymise", ask)
    out = tmp_path / "quotes.csv"
    monkeypatch.setattr(report_ui, "ask_save_path", lambda *a: str(out))
    proj(view).add_code("Home")
    code = proj(view).find_code("Home").id
    doc = proj(view).documents()[0].id
    proj(view).apply_code(doc, code, TEXT.index("Ruth Brennock wrote"), len(TEXT) - 1)
    window.trigger("file.export_quotes")
    qtbot.waitUntil(lambda: out.exists(), timeout=30000)
    data = out.read_text(encoding="utf-8-sig")
    assert asked == ["the quote table"] and "P02 wrote to [e-mail]" in data
    assert "Mara" not in data and "Ruth" not in data
    qdpx = tmp_path / "deposit.qdpx"
    refi_ui.export_file(window, qdpx, "qdpx", pseudonymise=True)
    qtbot.waitUntil(lambda: getattr(window, "last_export", None) == qdpx, timeout=30000)
    with zipfile.ZipFile(qdpx) as z:
        unpacked = b"".join(z.read(n) for n in z.namelist())
    assert b"Ruth" not in unpacked and b"Mara:" not in unpacked and b"P01" in unpacked
