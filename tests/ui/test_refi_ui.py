"""File → Import/Export REFI-QDA in the window: one undo step, progress in a worker, reports."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog

from coder.core.project import Project
from coder.core.refi import export_qdpx
from coder.ui.features import refi as refi_ui
from tests.ui.recording_window import RecordingWindow, project_of


@pytest.fixture
def source_qdpx(tmp_path: Path) -> Path:
    with Project.create(tmp_path / "source.coder") as p:
        p.add_document("Talk", "I: What gave you hope?\nR: My family.")
        p.add_code("Hope")
        p.apply_code(p.documents()[0].id, p.codes()[0].id, 26, 35, coder="ann")
        out = tmp_path / "source.qdpx"
        export_qdpx(p, out)
    return out


@pytest.fixture
def window(qtbot, tmp_path: Path) -> Iterator[RecordingWindow]:
    path = tmp_path / "study.coder"
    with Project.create(path) as p:
        p.add_document("Mine", "my own interview text")
    win = RecordingWindow()
    qtbot.addWidget(win)
    assert win.open_project(path)
    yield win
    win.close_project()


def finished(qtbot, window: RecordingWindow) -> None:
    qtbot.waitUntil(
        lambda: window.last_refi_report is not None or bool(window.errors),
        timeout=20000,
    )


def test_menus_offer_import_and_export(window):
    for action_id in ("refi.import_qdc", "refi.import_qdpx", "refi.export_qdc", "refi.export_qdpx"):
        assert action_id in window.actions_by_id


def test_project_import_is_one_undo_step(qtbot, window, source_qdpx):
    refi_ui.import_project(window, source_qdpx, dotted=False)
    finished(qtbot, window)
    assert not window.errors
    project = window.project
    assert sorted(d.name for d in project.documents()) == ["Mine", "Talk"]
    g = project.codings()[0]
    assert project.document_text(g.document_id)[g.start : g.end] == "My family"
    assert window.undo_stack.count() == 1
    assert window.undo_stack.text(0) == "Import project 'source.qdpx'"
    assert "1 coding" in window.last_refi_report.text()
    window.undo_stack.undo()
    assert [d.name for d in project.documents()] == ["Mine"] and project.codes() == []
    window.undo_stack.redo()
    assert len(project.codings()) == 1


def test_taguette_codebook_asks_about_dotted_names(qtbot, window, fixtures_dir, monkeypatch):
    asked = []

    def fake_exec(dialog):
        asked.append(dialog.checkbox.isChecked())  # suggested for Taguette files
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(refi_ui.DottedNamesDialog, "exec", fake_exec)
    refi_ui.import_codebook(window, fixtures_dir / "refi" / "taguette-1.5.2-codebook.qdc")
    finished(qtbot, window)
    assert asked == [True]
    assert window.project.find_code("brutality/against-sunnis")
    assert window.undo_stack.text(0) == "Import codebook 'taguette-1.5.2-codebook.qdc'"


def test_a_hostile_file_shows_one_error_and_changes_nothing(qtbot, window, tmp_path):
    bad = tmp_path / "bad.qdpx"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("project.qde", '<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>')
        z.writestr("../escape.txt", "x")
    refi_ui.import_project(window, bad, dotted=False)
    finished(qtbot, window)
    assert len(window.errors) == 1 and "outside" in window.errors[0]
    assert [d.name for d in window.project.documents()] == ["Mine"]
    assert window.undo_stack.count() == 0


def test_export_runs_in_a_worker_and_writes_a_qdpx(qtbot, window, tmp_path):
    out = tmp_path / "export.qdpx"
    refi_ui.export_file(window, out, "qdpx")
    qtbot.waitUntil(lambda: window.last_export == out, timeout=20000)
    with zipfile.ZipFile(out) as z:
        assert "project.qde" in z.namelist()
    out = tmp_path / "export.qdc"
    window.project.add_code("Solo")
    refi_ui.export_file(window, out, "qdc")
    qtbot.waitUntil(lambda: window.last_export == out, timeout=20000)
    assert b"Solo" in out.read_bytes()


def test_import_into_a_new_project_when_none_is_open(qtbot, tmp_path, source_qdpx, monkeypatch):
    win = RecordingWindow()
    qtbot.addWidget(win)
    assert win.project is None
    target = tmp_path / "from-qdpx"  # the extension is added
    assert refi_ui.new_project_for_import(win, target)
    refi_ui.import_project(win, source_qdpx, dotted=False)
    finished(qtbot, win)
    assert project_of(win).path == tmp_path / "from-qdpx.coder"
    assert [d.name for d in project_of(win).documents()] == ["Talk"]
    win.close_project()
