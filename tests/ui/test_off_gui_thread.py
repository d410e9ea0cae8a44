"""The window's heavy work runs off the GUI thread: counted, not timed.

For each window action (the Analysis window, agreement, a merge, the Word report, Explore words
and auto-coding; opening a big
transcript is counted in test_document_loading) the core functions that
do the work are wrapped to note the thread they run on, and every SQL statement of the window's
own connection is counted. The heavy calls must all run on a worker thread, on a connection of
their own, and the window's connection may only run a few small reads: as many for a project
ten times the size (nothing on the GUI thread grows with the data).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from benchmarks import corpus
from benchmarks.corpus import Spec
from coder.core import query
from coder.core.project import Project

SMALL = Spec(3, 6_000, 120, cases=4)
LARGE = Spec(30, 6_000, 1_200, cases=4)


class Calls:
    """Which thread each wrapped function ran on."""

    def __init__(self) -> None:
        self.threads: list[tuple[str, bool]] = []  # (name, on the GUI thread)

    def wrap(self, monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> None:
        original = getattr(owner, name)

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            gui = threading.current_thread() is threading.main_thread()
            self.threads.append((name, gui))
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, wrapped)

    def on_gui(self) -> list[str]:
        return [name for name, gui in self.threads if gui]

    def names(self) -> set[str]:
        return {name for name, _gui in self.threads}


def gui_statements(project: Project) -> list[str]:
    """Every statement the window's own connection runs from now on."""
    seen: list[str] = []
    project.db.conn.set_trace_callback(seen.append)
    return seen


@pytest.fixture
def open_window(qtbot, tmp_path: Path, monkeypatch):
    from coder.ui.main_window import MainWindow

    def open_(spec: Spec) -> Any:
        path = corpus.build(tmp_path / f"p{spec.documents}.coder", spec)
        window = MainWindow()
        qtbot.addWidget(window)
        errors: list[str] = []
        monkeypatch.setattr(window, "show_error", errors.append)
        setattr(window, "errors", errors)  # noqa: B010 (for the tests' error checks)
        assert window.open_project(path)
        qtbot.waitUntil(lambda: window.view.doc_id is not None)
        return window

    return open_


def _analysis(window: Any, qtbot) -> None:
    window.trigger("analysis.frequencies")
    a = window.analysis_window
    qtbot.waitUntil(lambda: a.status.text() == "Up to date.", timeout=30000)
    proxy = a.freq.proxy
    row = max(range(proxy.rowCount()), key=lambda r: int(proxy.index(r, 1).data()))
    a.freq._clicked(proxy.index(row, 1))  # the passages behind a cell
    qtbot.waitUntil(lambda: not a.passage_runner.running and a.passages.rowCount() > 0)


def _agreement(window: Any, qtbot) -> None:
    window.trigger("team.agreement")
    dialog = window.agreement_window
    qtbot.waitUntil(lambda: dialog.table.rowCount() > 0, timeout=30000)
    qtbot.waitUntil(lambda: dialog.passages.rowCount() > 0, timeout=30000)  # first code's


def _merge(window: Any, qtbot, other: Path) -> None:
    from coder.ui.dialogs.merge_dialog import MergeDialog

    dialog = MergeDialog(window)
    qtbot.addWidget(dialog)
    dialog.add_files([str(other)])
    dialog.check()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=30000)
    dialog.merge()
    qtbot.waitUntil(lambda: dialog.report is not None and not dialog.report.dry_run, timeout=30000)


def _report(window: Any, qtbot, out: Path, monkeypatch) -> None:
    from coder.ui.features import report as feature

    monkeypatch.setattr(feature, "run_dialog", lambda dialog: True)
    monkeypatch.setattr(feature, "ask_save_path", lambda *a: str(out))
    monkeypatch.setattr(feature, "open_file", lambda path: None)
    window.last_export_message = None
    window.trigger("file.export_report")
    qtbot.waitUntil(lambda: window.last_export_message is not None, timeout=30000)
    assert out.is_file()


def _explore(window: Any, qtbot) -> None:
    """Explore words: the word list when the panel comes into view, a word in context, the
    paragraphs like one, an auto-coding preview."""
    from coder.ui.dialogs.autocode_dialog import AutocodeDialog

    dock = window.explore_dock
    window.show()
    qtbot.waitExposed(window)
    assert dock.words_computed == 0  # behind another panel's tab: nothing counted yet
    window.docks["explore"].show()
    window.docks["explore"].raise_()
    qtbot.waitUntil(lambda: dock.words_computed == 1, timeout=30000)
    word = dock.words_model.index(0, 0).data()
    assert dock.show_kwic(word)
    qtbot.waitUntil(lambda: dock.kwic_computed == 1, timeout=30000)
    assert dock.kwic_model.rowCount() > 0
    doc_id = window.view.doc_id
    dock.find_similar(doc_id, 0, min(400, len(window.view.text)))
    qtbot.waitUntil(lambda: dock.similar_model.rowCount() > 0, timeout=30000)
    dialog = AutocodeDialog(window, window.project, word)
    qtbot.addWidget(dialog)
    dialog.code.setCurrentText("Auto")
    assert dialog.preview()
    qtbot.waitUntil(lambda: dialog.previews == 1, timeout=30000)
    assert dialog.plan is not None and dialog.plan.codings


def _heavy(action: str) -> list[tuple[Any, str]]:
    """The functions that do an action's work."""
    from coder.core import intercoder
    from coder.core.export.report import build
    from coder.core.query import words
    from coder.core.query.similar import SimilarityIndex
    from coder.ui.dialogs import autocode_dialog, merge_dialog
    from coder.ui.views import agreement_window

    heavy: dict[str, list[tuple[Any, str]]] = {
        "analysis": [
            (query, "frequencies"),
            (query, "cooccurrence"),
            (query, "crosstab"),
            (query, "speaker_breakdown"),
            (query, "retrieve"),
        ],
        "agreement": [
            (intercoder, "compute_agreement"),
            (intercoder, "find_disagreements"),
            (intercoder, "coder_summaries"),  # the coders to choose from, with their counts
            (agreement_window, "figures"),  # the table's texts
        ],
        "merge": [(merge_dialog, "merge_projects")],
        "report": [(build, "write_report")],
        "explore": [
            (words, "word_frequencies"),  # the dock imports them when first used
            (words, "kwic"),
            (SimilarityIndex, "refresh"),
            (SimilarityIndex, "similar"),
            (autocode_dialog, "plan_autocode"),
        ],
    }
    return heavy[action]


def _run(action: str, window: Any, qtbot, tmp_path: Path, monkeypatch) -> None:
    if action == "analysis":
        _analysis(window, qtbot)
    elif action == "agreement":
        _agreement(window, qtbot)
    elif action == "explore":
        _explore(window, qtbot)
    elif action == "merge":
        other = corpus.build(
            tmp_path / f"other-{len(list(tmp_path.iterdir()))}.coder",
            Spec(2, 6_000, 80, cases=4, seed=7),
        )
        _merge(window, qtbot, other)
    else:
        _report(
            window, qtbot, tmp_path / f"report-{len(list(tmp_path.iterdir()))}.docx", monkeypatch
        )


@pytest.mark.parametrize("action", ["analysis", "agreement", "merge", "report", "explore"])
def test_heavy_work_runs_off_the_gui_thread(action, open_window, qtbot, tmp_path, monkeypatch):
    counts = []
    for spec in (SMALL, LARGE):
        window = open_window(spec)
        calls = Calls()
        for owner, name in _heavy(action):
            calls.wrap(monkeypatch, owner, name)
        statements = gui_statements(window.project)
        _run(action, window, qtbot, tmp_path, monkeypatch)
        window.project.db.conn.set_trace_callback(None)
        assert not window.errors
        assert calls.names() == {name for _owner, name in _heavy(action)} - (
            {"crosstab"} if action == "analysis" and not window.project.attributes() else set()
        )
        assert calls.on_gui() == [], f"{action}: {calls.on_gui()} ran on the GUI thread"
        # The window's own connection: a few small reads, never the codings in bulk.
        bulk = [s for s in statements if "FROM codings" in s and "WHERE" not in s]
        assert bulk == [], bulk
        counts.append(len(statements))
        window.close_project()
        monkeypatch.undo()
    assert counts[1] <= counts[0], f"{action}: GUI-thread statements grew with the project {counts}"


def test_a_bulk_merge_reaches_the_window_worked_out(open_window, qtbot, tmp_path, monkeypatch):
    """Counted, not timed: what the window asks of a merge's change (the ids touched in each
    table, the rows created and deleted, the documents whose codings changed, the memos) is
    worked out on the worker that merged, and the memos of a bulk change are read on a worker:
    the window's thread goes through none of the change's rows."""
    from coder.core.changes import Changes
    from coder.ui import main_window
    from coder.ui.views import common, memos_dock

    for module in (common, main_window):  # this small merge counts as a bulk change
        monkeypatch.setattr(module, "BULK_ROWS", 10)
    window = open_window(SMALL)
    calls = Calls()
    for answer in ("_keys", "_made_and_removed", "coding_documents", "memos"):
        calls.wrap(monkeypatch, Changes.__dict__[answer], "func")
    calls.wrap(monkeypatch, memos_dock, "memo_entries")
    other = corpus.build(tmp_path / "other.coder", Spec(2, 6_000, 80, cases=4, seed=7))
    _merge(window, qtbot, other)
    qtbot.waitUntil(lambda: not window._dock_updates and not window.memos_dock.reader.running)
    assert not window.errors
    assert "memo_entries" in calls.names() and "func" in calls.names()
    assert calls.on_gui() == [], calls.on_gui()
    window.close_project()


def test_opening_a_project_checks_and_backs_it_up_off_the_gui_thread(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """File → Open and the recent projects: the checks of the file, and the backup a changed
    file gets, run on a worker; the window's thread only shows the project."""
    from coder.core import backup, invariants
    from coder.ui.main_window import MainWindow

    path = corpus.build(tmp_path / "p.coder", SMALL)
    calls = Calls()
    calls.wrap(monkeypatch, invariants, "problem")
    calls.wrap(monkeypatch, backup, "backup_now")
    window = MainWindow()
    qtbot.addWidget(window)
    from PySide6.QtCore import QTimer

    turns = [0]
    beat = QTimer()
    beat.setInterval(0)
    beat.timeout.connect(lambda: turns.__setitem__(0, turns[0] + 1))
    seen: list[int] = []  # the event loop's turns as each dock shows the project
    for dock in window.dock_widgets.values():
        monkeypatch.setattr(dock, "set_project", _noting(dock.set_project, turns, seen))
    beat.start()
    assert window.open_project(path)
    beat.stop()
    assert window.project is not None and window.view.doc_id is not None
    assert calls.names() == {"problem", "backup_now"}
    assert calls.on_gui() == []
    assert len(seen) == len(window.dock_widgets)
    assert seen == sorted(set(seen)), "each dock on a turn of its own: the window paints"


def _noting(set_project: Any, turns: list[int], seen: list[int]) -> Any:
    def noted(project: Any) -> None:
        seen.append(turns[0])
        set_project(project)

    return noted
