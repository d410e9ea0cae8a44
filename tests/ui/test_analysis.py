"""The analysis window and the File → Export actions, on a fake window and on the real one."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import docx
import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication

from coder.core.project import Project
from coder.ui.dialogs.report_options import ReportOptionsDialog
from coder.ui.features import analysis as analysis_feature
from coder.ui.features import report as report_feature
from coder.ui.models.analysis import AnalysisTableModel, CheckListModel, PassageModel, Table
from coder.ui.views import analysis_window as aw
from tests.builders import style_name
from tests.ui.fake_window import FakeWindow, build_project


class Window(FakeWindow):
    """The fake window plus what the analysis window and exports use."""

    def __init__(self, project: Project) -> None:
        super().__init__(project)
        self.shown: list[tuple[int, int, int]] = []
        self.tasks: list[str] = []

    def run_task(self, title: str, fn: Any, on_done: Any) -> Any:
        self.tasks.append(title)
        result = fn(lambda done, total, label="": True)
        on_done(result)
        return None

    def show_passage(self, doc_id: int, start: int, end: int) -> None:
        self.shown.append((doc_id, start, end))


@pytest.fixture
def win(tmp_path: Path):
    project = build_project(tmp_path / "study.coder")
    w = Window(project)
    yield w
    project.close()


def idle(window: aw.AnalysisWindow) -> bool:
    """Nothing left to compute or to show."""
    return not (window.runner.running or window.passage_runner.running or window._queued)


@pytest.fixture
def settle(qtbot):
    """Wait until the analysis window has shown the answer to the last request."""

    def wait(window: aw.AnalysisWindow) -> aw.AnalysisWindow:
        qtbot.waitUntil(lambda: idle(window), timeout=20000)
        return window

    return wait


@pytest.fixture
def analysis(qtbot, win, settle):
    window = aw.AnalysisWindow(win)
    qtbot.addWidget(window)
    window.refresh()
    return settle(window)


def cell(pane: aw.TablePane, row_label: str, column: int) -> QModelIndex:
    for r in range(pane.proxy.rowCount()):
        if pane.proxy.index(r, 0).data() == row_label:
            return pane.proxy.index(r, column)
    raise AssertionError(f"no row {row_label}")


def test_window_computes_every_table_in_a_task(analysis, win):
    assert win.tasks == [] and analysis.runner.jobs == 1  # its own runner, no modal dialog
    freq = analysis.freq
    assert freq.proxy.headerData(2, Qt.Orientation.Horizontal) == "Documents"
    # Disillusion is coded once, in one of the three documents.
    assert [cell(freq, "Reasons/Disillusion", c).data() for c in range(1, 5)] == [
        "1",
        "1",
        "3",
        "33.3",
    ]
    assert analysis.cooc.proxy.rowCount() == 6
    assert analysis.speakers.proxy.headerData(1, Qt.Orientation.Horizontal) == "Ana"


def test_models_pass_the_model_tester(analysis, qtmodeltester, settle):
    for pane in (analysis.freq, analysis.cross, analysis.cooc, analysis.speakers):
        qtmodeltester.check(pane.model)
        qtmodeltester.check(pane.proxy)
    cell_index = cell(analysis.freq, "Reasons", 1)
    analysis.freq._clicked(cell_index)
    settle(analysis)
    qtmodeltester.check(analysis.passages)
    checks = CheckListModel([(1, "A", 0), (2, "B", 1)])
    qtmodeltester.check(checks)
    empty = AnalysisTableModel()
    empty.set_table(Table(["Code"]))
    qtmodeltester.check(empty)
    qtmodeltester.check(PassageModel())


def test_sorting_is_numeric(analysis):
    pane = analysis.freq
    pane.view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    counts = [int(pane.proxy.index(r, 1).data()) for r in range(pane.proxy.rowCount())]
    assert counts == sorted(counts, reverse=True)


def test_clicking_a_cell_lists_passages_and_double_click_shows_one(analysis, win, settle):
    analysis.freq._clicked(cell(analysis.freq, "Reasons/Money", 1))
    settle(analysis)
    assert analysis.passages.rowCount() == 1
    p = analysis.passages.passages[0]
    assert p.text == "Nobody told us the truth about the money."
    assert "1 passage" in analysis.passage_label.text()
    analysis._open_passage(analysis.passage_proxy.index(0, 5))
    assert win.shown == [(p.document_id, p.start, p.end)]


def test_include_children_and_coder_filter_recompute(analysis, win, settle):
    analysis.children_box.setChecked(True)
    settle(analysis)
    assert cell(analysis.freq, "Reasons", 1).data() == "3"  # its own coding + two sub-codes'
    assert "Includes Reasons/Disillusion" in cell(analysis.freq, "Reasons", 0).data(
        Qt.ItemDataRole.ToolTipRole
    )
    analysis.coder_combo.setCurrentIndex(analysis.coder_combo.findText("lee"))
    settle(analysis)
    assert cell(analysis.freq, "Family/Brother", 1).data() == "1"
    assert cell(analysis.freq, "Reasons/Money", 1).data() == "0"


def test_count_by_case_and_attribute(analysis, settle):
    analysis.by_combo.setCurrentIndex(analysis.by_combo.findData("case"))
    settle(analysis)
    assert analysis.freq.proxy.headerData(2, Qt.Orientation.Horizontal) == "Cases"
    analysis.by_combo.setCurrentIndex(analysis.by_combo.findData("age"))
    settle(analysis)
    assert analysis.freq.proxy.headerData(1, Qt.Orientation.Horizontal) == "age"


def test_crosstab_and_cooccurrence_cells_drill_into_passages(analysis, settle):
    analysis.cross_attr.setCurrentIndex(analysis.cross_attr.findData("age"))
    settle(analysis)
    assert analysis.cross.proxy.headerData(1, Qt.Orientation.Horizontal).startswith("34 (N=1)")
    analysis.cross_show.setCurrentText("Column %")
    assert cell(analysis.cross, "Reasons/Disillusion", 1).data() == "100.0"
    # Reasons (lee, whole sentence) and Disillusion (kim) overlap once in Ana's interview.
    index = cell(analysis.cooc, "Reasons", 2)
    assert index.data() == "1"
    analysis.cooc._clicked(index)
    settle(analysis)
    assert [p.text for p in analysis.passages.passages] == [
        "I left because the promises were empty."
    ]
    analysis.within_combo.setCurrentIndex(analysis.within_combo.findData("turn"))
    settle(analysis)
    assert analysis.cooc.note.text().startswith("Passages where two codes meet (same speaker turn)")


def test_copy_as_tab_separated_text(analysis):
    pane = analysis.freq
    pane.view.selectAll()
    pane.copy()
    text = QApplication.clipboard().text()
    lines = text.splitlines()
    assert lines[0] == "Code\tCodings\tDocuments\tof N\t%\tCoverage %"
    assert "Reasons/Disillusion\t1\t1\t3\t33.3\t" in text


def test_export_table_as_csv_and_xlsx(analysis, tmp_path, monkeypatch):
    out = tmp_path / "freq.csv"
    monkeypatch.setattr(aw, "ask_save_path", lambda *a: str(out))
    analysis.freq.export()
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][:3] == ["Code", "Codings", "Documents"] and len(rows) == 7
    xlsx = tmp_path / "freq.xlsx"
    monkeypatch.setattr(aw, "ask_save_path", lambda *a: str(xlsx))
    analysis.speakers.export()
    import openpyxl

    ws = openpyxl.load_workbook(xlsx).active
    assert ws.cell(1, 1).value == "Code" and ws.cell(1, 1).font.bold
    assert isinstance(ws.cell(2, 2).value, int)


def test_charts_show_the_tables_numbers(analysis):
    freq = analysis.freq_chart
    assert "Reasons/Disillusion\t33.3%" in freq.as_text().splitlines()
    assert freq.as_text().splitlines()[0] == "Code\t% of documents (N = 3)"
    heat = analysis.heat_chart
    assert heat.labels == [analysis.cooc.proxy.index(r, 0).data() for r in range(6)]
    row = analysis.cooc.proxy
    assert heat.counts[0] == [int(row.index(0, c).data()) for c in range(1, 7)]


def test_analysis_action_opens_one_window(qtbot, win):
    first = analysis_feature.open_analysis(win)
    qtbot.addWidget(first)
    assert analysis_feature.open_analysis(win) is first
    assert first.isVisible()


def test_the_window_shows_first_with_the_one_table_on_screen(qtbot, win):
    """Counted, not timed: the click builds the window with the table of the tab on screen
    (and the passages below it); the other tabs' tables come one per later turn of the event
    loop, before their numbers do, so no turn builds them all."""
    from PySide6.QtWidgets import QTableView

    built: list[int] = []  # the tables each turn built
    window = analysis_feature.open_analysis(win)
    qtbot.addWidget(window)
    assert len(window.findChildren(QTableView)) == 2  # Frequencies and the passages
    assert list(window._built) == ["freq"]
    real = window._build_next

    def counted() -> None:
        before = len(window._built)
        real()
        built.append(len(window._built) - before)

    window._build_next = counted
    qtbot.waitUntil(lambda: window.status.text() == "Up to date.", timeout=20000)
    qtbot.waitUntil(lambda: len(window._built) == 4)
    assert max(built, default=0) <= 1
    assert len(window.findChildren(QTableView)) == 5
    tabs = [window.tabs.widget(i).findChild(aw.TablePane) for i in range(window.tabs.count())]
    assert tabs == [window.freq, window.cross, window.cooc, window.speakers]
    assert window.cross.model.rowCount() > 0 and window.speakers.model.rowCount() > 0


def test_report_options_dialog_builds_options(qtbot, win):
    dialog = ReportOptionsDialog(win.project)
    qtbot.addWidget(dialog)
    assert dialog.options().codes is None
    dialog.codes.model.set_checked_ids([win.project.find_code("Money").id])
    dialog.context_kind.setCurrentIndex(dialog.context_kind.findData("turn"))
    dialog.order.setCurrentIndex(1)
    dialog.memos.setChecked(False)
    opts = dialog.options()
    assert opts.codes == (win.project.find_code("Money").id,)
    assert (opts.context, opts.order, opts.include_memos) == ("turn", "position", False)
    dialog.coders.model.set_all(False)
    dialog.accept()
    assert "check at least one of the coders" in dialog.error.text().lower()


def test_export_report_action_writes_the_docx_in_a_task(qtbot, win, tmp_path, monkeypatch):
    out = tmp_path / "out" / "study report"
    out.parent.mkdir()
    monkeypatch.setattr(report_feature, "run_dialog", lambda dialog: True)
    monkeypatch.setattr(report_feature, "ask_save_path", lambda *a: str(out))
    opened: list[Path] = []
    monkeypatch.setattr(report_feature, "open_file", opened.append)
    report_feature.export_report(win)
    written = out.with_name("study report.docx")
    assert opened == [written]
    assert win.tasks == ["Writing the Word report"]
    d = docx.Document(str(written))
    assert "Summary" in [p.text for p in d.paragraphs]
    assert win.last_export_message.startswith("Wrote study report.docx: 6 codes, 5 quotes")


def test_export_cancel_writes_nothing(win, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(report_feature, "run_dialog", lambda dialog: True)
    monkeypatch.setattr(report_feature, "ask_save_path", lambda *a: str(out / "r.docx"))
    win.run_task = lambda title, fn, done: done(fn(lambda *a: False))  # the user presses Cancel
    monkeypatch.setattr(
        report_feature, "open_file", lambda path: pytest.fail("opened a cancelled report")
    )
    report_feature.export_report(win)
    assert list(out.iterdir()) == []
    assert win.last_export_message == "Export cancelled; nothing was written."


def test_quote_table_and_codebook_actions(win, tmp_path, monkeypatch):
    monkeypatch.setattr(report_feature, "ask_save_path", lambda *a: str(tmp_path / "quotes.csv"))
    report_feature.export_quote_table(win)
    rows = list(csv.reader((tmp_path / "quotes.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == 6
    monkeypatch.setattr(report_feature, "ask_save_path", lambda *a: str(tmp_path / "book"))
    report_feature.export_codebook(win)
    d = docx.Document(str(tmp_path / "book.docx"))
    assert "Reasons" in [p.text for p in d.paragraphs if style_name(p) == "Heading 1"]


def test_main_window_has_the_menu_entries(qtbot, tmp_path):
    from coder.ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    for action_id, title in (
        ("analysis.frequencies", "&Frequencies and co-occurrence…"),
        ("file.export_report", "&Word report…"),
        ("file.export_quotes", "&Quote table (CSV/XLSX)…"),
        ("file.export_codebook", "Codebook (.&docx)…"),
    ):
        assert window.actions_by_id[action_id].text() == title


def test_codings_per_document_matrix_drills_into_one_document(analysis, settle):
    analysis.by_combo.setCurrentIndex(analysis.by_combo.findData("document-matrix"))
    settle(analysis)
    pane = analysis.freq
    headers = [
        pane.proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(pane.proxy.columnCount())
    ]
    assert headers == ["Code", "Field notes", "Interview Ana", "Interview Ben", "Total"]
    index = cell(pane, "Reasons/Money", 3)
    assert index.data() == "1"
    pane._clicked(index)
    settle(analysis)
    assert [p.document for p in analysis.passages.passages] == ["Interview Ben"]
    pane._clicked(cell(pane, "Reasons/Money", 2))
    settle(analysis)
    assert analysis.passages.passages == []


def test_window_says_when_its_numbers_are_stale(qtbot, tmp_path, monkeypatch):
    from coder.ui.main_window import MainWindow

    path = tmp_path / "s.coder"
    build_project(path).close()
    window = MainWindow()
    qtbot.addWidget(window)
    monkeypatch.setattr(window, "show_error", lambda m: None)
    assert window.open_project(path)
    a = analysis_feature.open_analysis(window)
    qtbot.waitUntil(lambda: a.status.text() == "Up to date.", timeout=10000)
    project = window.project
    assert project is not None
    code = project.find_code("Time").id
    window.push("Apply code", lambda: project.apply_code(3, code, 0, 5, coder="kim"))
    assert "press Refresh" in a.status.text()
    a.refresh()
    qtbot.waitUntil(lambda: a.status.text() == "Up to date.", timeout=10000)
    assert cell(a.freq, "Time", 1).data() == "2"
    window.close_project()
    assert not a.isVisible()


def _window_with_a_coding_to_undo(qtbot, tmp_path, monkeypatch):
    """A window and its Analysis window, up to date after one more coding of Time (so that
    'Time' counts 2 codings; Edit → Undo takes one back)."""
    from coder.ui.main_window import MainWindow

    path = tmp_path / "s.coder"
    build_project(path).close()
    window = MainWindow()
    qtbot.addWidget(window)
    monkeypatch.setattr(window, "show_error", lambda m: pytest.fail(m))
    assert window.open_project(path)
    a = analysis_feature.open_analysis(window)
    project = window.project
    assert project is not None and window.undo_stack is not None
    code = project.find_code("Time").id
    window.push("Apply code", lambda: project.apply_code(3, code, 0, 5, coder="kim"))
    a.refresh()
    qtbot.waitUntil(lambda: a.status.text() == "Up to date.", timeout=10000)
    return window, a


def test_a_refresh_while_an_undo_is_written_shows_the_figures_after_it(
    qtbot, tmp_path, monkeypatch
):
    from coder.core import query
    from coder.ui.commands import replays
    from tests.ui.held_writes import held_on_a_worker

    window, a = _window_with_a_coding_to_undo(qtbot, tmp_path, monkeypatch)
    project = window.project
    assert cell(a.freq, "Time", 1).data() == "2"
    with held_on_a_worker(monkeypatch) as release:
        window.undo_stack.undo()
        assert replays(window).busy
        jobs = a.runner.jobs
        a.refresh_button.click()
        a.refresh_button.click()  # asked twice meanwhile: computed once
        release.set()
        qtbot.waitUntil(lambda: not replays(window).busy and idle(a), timeout=20000)
    assert a.status.text() == "Up to date." and a.runner.jobs == jobs + 1
    assert cell(a.freq, "Time", 1).data() == "1"
    assert a.data is not None and a.data.frequencies == query.frequencies(project)
    # a computation running when an undo starts is not shown either: it would predate it
    a.refresh()
    with held_on_a_worker(monkeypatch) as release:
        window.undo_stack.redo()
        release.set()
        qtbot.waitUntil(lambda: not replays(window).busy and idle(a), timeout=20000)
    assert a.status.text() == "Up to date." and cell(a.freq, "Time", 1).data() == "2"
    assert a.data is not None and a.data.frequencies == query.frequencies(project)


def test_a_cell_clicked_while_an_undo_is_written_lists_the_passages_after_it(
    qtbot, tmp_path, monkeypatch
):
    from coder.ui.commands import replays
    from tests.ui.held_writes import held_on_a_worker

    window, a = _window_with_a_coding_to_undo(qtbot, tmp_path, monkeypatch)
    with held_on_a_worker(monkeypatch) as release:
        window.undo_stack.undo()  # takes the coding back
        assert replays(window).busy
        a.freq._clicked(cell(a.freq, "Time", 1))  # clicked before the undo is written
        assert "being written" in a.passage_label.text()
        release.set()
        qtbot.waitUntil(lambda: not replays(window).busy and idle(a), timeout=20000)
        qtbot.waitUntil(lambda: "passage" in a.passage_label.text(), timeout=20000)
    assert a.passages.rowCount() == 1, "the passages once the undo is written, not before"


def test_save_chart_as_png_or_svg(analysis, tmp_path, monkeypatch):
    out = tmp_path / "chart"
    monkeypatch.setattr(aw, "ask_save_path", lambda *a: str(out))
    analysis.cooc.save_chart()
    assert (tmp_path / "chart.png").read_bytes()[:4] == b"\x89PNG"
    monkeypatch.setattr(aw, "ask_save_path", lambda *a: str(tmp_path / "bars.svg"))
    analysis.freq.save_chart()
    assert "<svg" in (tmp_path / "bars.svg").read_text(encoding="utf-8")
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_only_cases_with_an_attribute_value(analysis, settle):
    analysis.by_combo.setCurrentIndex(analysis.by_combo.findData("case"))
    analysis.where_combo.setCurrentIndex(analysis.where_combo.findText("age = 34"))
    settle(analysis)
    assert analysis.freq.note.text().startswith("N = 1 cases")
    assert cell(analysis.freq, "Reasons/Disillusion", 2).data() == "1"
    assert cell(analysis.freq, "Reasons/Money", 2).data() == "0"
