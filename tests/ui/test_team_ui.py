"""Team GUI: agreement window, merge dialog, preferences and the coder filter actions."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QFontMetricsF, QUndoStack
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

from coder.core import settings
from coder.core.project import Changes, Project
from coder.core.text import paragraphs
from coder.ui.commands import ServiceCommand
from tests.ui.recording_window import project_of, stack

if TYPE_CHECKING:
    from coder.ui.main_window import MainWindow

TEXT = "\n".join(f"Paragraph {i}: somebody talks about their day." for i in range(10))


class FakeView:
    def __init__(self) -> None:
        self.filters: list[tuple[object, object]] = []

    def set_coder_filter(self, coder_ids, compare=None) -> None:
        self.filters.append((coder_ids, compare))


class Window(QMainWindow):
    """The part of the main window's API the team features use."""

    def __init__(self, project: Project | None) -> None:
        super().__init__()
        self.project = project
        self.undo_stack = QUndoStack(self)
        self.errors: list[str] = []
        self.infos: list[str] = []
        self.passages: list[tuple[int, int, int]] = []
        self.changes: list[Changes] = []
        self.view = FakeView()
        self.mode_label = QLabel()  # the status bar's mode: whose stripes are where

    def push(self, text, fn, merge_id=-1, merge_key=None) -> bool:
        cmd = ServiceCommand(self, text, fn, merge_id, merge_key)
        self.undo_stack.push(cmd)
        if cmd.error is not None:
            self.errors.append(str(cmd.error))
            return False
        return True

    def push_changes(self, text, changes) -> None:
        if changes:
            self.undo_stack.push(ServiceCommand.from_changes(self, text, changes))

    def on_changes(self, changes) -> None:
        self.changes.append(changes)

    def show_error(self, message: str) -> None:
        self.errors.append(message)

    def show_info(self, message: str, details: str = "") -> None:
        self.infos.append(message)

    def show_passage(self, doc_id: int, start: int, end: int) -> None:
        self.passages.append((doc_id, start, end))


def as_main(window: Window) -> MainWindow:
    """The stand-in where the main window is expected: it has the part of its API used here."""
    return cast("MainWindow", window)


def _code(p: Project, coder: str, indexes: list[int], code: str = "Trust") -> None:
    doc = p.find_document("Day").id
    spans = paragraphs(p.document_text(doc))
    for i in indexes:
        p.apply_code(doc, p.find_code(code).id, spans[i][0] + 1, spans[i][1] - 1, coder=coder)


@pytest.fixture
def copies(tmp_path: Path) -> tuple[Path, Path]:
    base = tmp_path / "base.coder"
    with Project.create(base) as p:
        p.add_document("Day", TEXT)
        p.add_code("Trust")
    ann, bob = tmp_path / "ann.coder", tmp_path / "bob.coder"
    shutil.copy(base, ann)
    shutil.copy(base, bob)
    with Project.open(ann) as p:
        _code(p, "ann", [0, 1, 2, 3, 4])
    with Project.open(bob) as p:
        _code(p, "bob", [0, 1, 2, 5, 6])
        p.update_code(p.find_code("Trust").id, name="Confidence")
    return ann, bob


@pytest.fixture
def merged(copies):
    ann, bob = copies
    from coder.core.merge import merge_projects

    project = Project.open(ann)
    merge_projects(project, [bob])
    yield project
    project.close()


def test_models_pass_the_model_tester(qtmodeltester, merged, copies):
    from coder.core import intercoder
    from coder.core.merge import merge_projects
    from coder.ui.dialogs.merge_dialog import ConflictsModel
    from coder.ui.views.agreement_window import AgreementModel, CodersModel, DisagreementsModel

    coders = CodersModel()
    coders.set_coders(intercoder.coder_summaries(merged))
    qtmodeltester.check(coders)
    table = AgreementModel()
    table.set_result(intercoder.compute_agreement(merged, ["ann", "bob"], unit="paragraph"))
    qtmodeltester.check(table)
    passages = DisagreementsModel()
    passages.set_rows(intercoder.find_disagreements(merged, ["ann", "bob"], "Trust", "paragraph"))
    qtmodeltester.check(passages)
    conflicts = ConflictsModel()
    conflicts.set_conflicts(merge_projects(merged, [copies[1]], dry_run=True).conflicts)
    assert conflicts.rowCount() == 1
    qtmodeltester.check(conflicts)


def test_agreement_window_computes_lists_and_opens_side_by_side(qtbot, merged):
    from coder.ui.views.agreement_window import AgreementWindow

    window = Window(merged)
    qtbot.addWidget(window)
    dialog = AgreementWindow(as_main(window))
    qtbot.addWidget(dialog)
    assert dialog.coders.checked_names() == ["ann", "bob"]  # the two busiest by default
    dialog.set_unit("paragraph")
    qtbot.mouseClick(dialog.compute_button, Qt.MouseButton.LeftButton)
    model = dialog.table
    qtbot.waitUntil(lambda: model.rowCount() == 2)  # Trust, then the pooled row
    shown = [model.index(0, c).data() for c in range(model.columnCount())]
    cells = dict(zip(model.HEADERS, shown, strict=True))
    wanted = ("Code", "Units", "% agree", "Cohen κ", "α")
    assert [cells[h] for h in wanted] == ["Trust", "10", "60.0", "0.200", "0.240"]
    assert [cells[h] for h in ("Both", "Only ann", "Only bob", "Neither")] == ["3", "2", "2", "3"]
    fleiss = model.HEADERS.index("Fleiss κ")
    tip = model.headerData(fleiss, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "Fleiss 1971" in str(tip)
    assert model.index(1, 0).data() == "All codes (pooled)"
    dialog.copy_table()
    copied = QApplication.clipboard().text().splitlines()
    assert copied[0].startswith("Code\tUnits")
    assert copied[1].startswith("Trust\t10\t3\t2\t2\t3\t60.0")
    # the first code is selected: its disagreeing passages are listed
    qtbot.waitUntil(lambda: dialog.passages.rowCount() == 1)
    assert dialog.passages.index(0, 2).data() == "ann, bob"
    side = dialog.open_passage(0)
    assert side is not None
    qtbot.addWidget(side)
    assert set(side.panes) == {"ann", "bob"}
    assert len(side.spans["ann"]) == 5 and len(side.spans["bob"]) == 5
    assert side.panes["ann"].isReadOnly()
    side.resize(600, 200)
    side.show()
    qtbot.waitExposed(side)
    ann_bar, bob_bar = (side.panes[n].verticalScrollBar() for n in ("ann", "bob"))
    assert ann_bar.maximum() > 0
    ann_bar.setValue(ann_bar.maximum())
    assert bob_bar.value() == ann_bar.value()
    side.compare_button.click()
    d = dialog.passages.disagreement(0)
    assert window.passages == [(d.document_id, d.start, d.end)]
    ids = {c.name: c.id for c in merged.coders()}
    assert window.view.filters == [(None, (ids["ann"], ids["bob"]))]


def test_agreement_asked_while_an_undo_is_written_is_computed_after_it(qtbot, merged, monkeypatch):
    from coder.core import intercoder
    from coder.ui.commands import replays
    from coder.ui.views.agreement_window import AgreementWindow
    from tests.ui.held_writes import held_on_a_worker

    window = Window(merged)
    qtbot.addWidget(window)
    dialog = AgreementWindow(as_main(window))
    qtbot.addWidget(dialog)
    dialog.set_unit("paragraph")
    doc = merged.find_document("Day").id
    start, end = paragraphs(merged.document_text(doc))[3]  # ann's, and now bob's too
    code = merged.find_code("Trust").id
    assert window.push("Code", lambda: merged.apply_code(doc, code, start + 1, end - 1, "bob"))
    with held_on_a_worker(monkeypatch) as release:
        window.undo_stack.undo()
        assert replays(window).busy
        assert dialog.compute() and "Waiting" in dialog.status.text()
        assert dialog.compute() and dialog.runner.jobs == 0
        release.set()
        qtbot.waitUntil(lambda: dialog.agreement is not None, timeout=20000)
    assert dialog.runner.jobs == 1
    fresh = intercoder.compute_agreement(merged, ["ann", "bob"], unit="paragraph")
    assert dialog.agreement == fresh and dialog.agreement.codes[0].table["both"] == 3


def test_disagreements_asked_while_an_undo_is_written_are_listed_after_it(
    qtbot, merged, monkeypatch
):
    from coder.core import intercoder
    from coder.ui.commands import replays
    from coder.ui.views.agreement_window import AgreementWindow
    from tests.ui.held_writes import held_on_a_worker

    window = Window(merged)
    qtbot.addWidget(window)
    dialog = AgreementWindow(as_main(window))
    qtbot.addWidget(dialog)
    dialog.set_unit("paragraph")
    assert dialog.compute()
    qtbot.waitUntil(lambda: dialog.agreement is not None and not dialog.runner.running)
    doc = merged.find_document("Day").id
    start, end = paragraphs(merged.document_text(doc))[3]  # ann's only: a disagreement
    code = merged.find_code("Trust").id
    assert window.push("Code", lambda: merged.apply_code(doc, code, start + 1, end - 1, "bob"))
    with held_on_a_worker(monkeypatch) as release:
        window.undo_stack.undo()  # the disagreement is back once written
        assert replays(window).busy
        dialog.show_disagreements(0)
        assert "being written" in dialog.passages_label.text()
        release.set()
        qtbot.waitUntil(lambda: not replays(window).busy, timeout=20000)
        qtbot.waitUntil(lambda: "where the coders differ" in dialog.passages_label.text())
    fresh = intercoder.find_disagreements(merged, ["ann", "bob"], code, unit="paragraph")
    assert dialog.passages.rowCount() == len(fresh)


def test_agreement_window_needs_two_coders_and_says_when_nothing_is_shared(qtbot, merged):
    from coder.ui.views.agreement_window import AgreementWindow

    window = Window(merged)
    qtbot.addWidget(window)
    dialog = AgreementWindow(as_main(window))
    qtbot.addWidget(dialog)
    dialog.coders.set_checked(["ann"])
    assert not dialog.compute() and "two" in dialog.status.text()
    merged.add_document("Other", "ann alone")
    other, trust = merged.find_document("Other").id, merged.find_code("Trust").id
    merged.apply_code(other, trust, 0, 3, coder="cat")
    dialog.refresh_coders()
    dialog.coders.set_checked(["ann", "cat"])
    assert dialog.compute()
    qtbot.waitUntil(lambda: dialog.agreement is not None and not dialog.runner.running)
    result = dialog.agreement
    assert result is not None and result.documents == ()
    assert "No document" in dialog.status.text()
    assert dialog.table.index(0, dialog.table.HEADERS.index("% agree")).data() == "undefined"
    # with documents only some coded: Day (ann, bob) counts, cat is missing there
    dialog.coders.set_checked(["ann", "bob", "cat"])
    dialog.partial.setChecked(True)
    assert dialog.compute()
    qtbot.waitUntil(
        lambda: (
            not dialog.runner.running and dialog.agreement is not None and dialog.agreement.partial
        )
    )
    result = dialog.agreement
    assert result is not None and result.documents == ("Day",)
    assert "at least two of them" in dialog.status.text()
    assert "Cohen κ" not in dialog.table.HEADERS  # a two-coder statistic
    assert dialog.table.HEADERS[2:5] == ("All", "Some", "None")
    positive = dialog.table.HEADERS.index("% positive")
    tip = dialog.table.headerData(positive, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "Σ n(n − 1) / Σ n(m − 1)" in str(tip)  # the many-coder form
    qtbot.waitUntil(lambda: dialog.passages.rowCount() > 0)  # the first code's passages
    side = dialog.open_passage(0)
    assert side is not None
    qtbot.addWidget(side)
    assert set(side.panes) == {"ann", "bob"}


def test_merge_dialog_checks_merges_and_undoes(qtbot, copies):
    from coder.ui.dialogs.merge_dialog import MergeDialog

    ann, bob = copies
    with Project.open(ann) as project:
        window = Window(project)
        qtbot.addWidget(window)
        dialog = MergeDialog(as_main(window))
        qtbot.addWidget(dialog)
        assert not dialog.merge_button.isEnabled()
        dialog.add_files([str(bob), str(bob)])
        assert dialog.paths() == [str(bob)] and dialog.merge_button.isEnabled()
        assert dialog.check()
        qtbot.waitUntil(lambda: dialog.report is not None)
        assert dialog.report is not None and dialog.report.dry_run
        assert dialog.conflicts.rowCount() == 1
        assert dialog.conflicts.index(0, 2).data() == "name"
        assert len(project.coders()) == 1  # a check changes nothing
        dialog.prefer_theirs.setChecked(True)
        assert dialog.merge()
        assert not dialog.merge_button.isEnabled()  # while it runs
        qtbot.waitUntil(lambda: dialog.report is not None and not dialog.report.dry_run)
        assert {c.name for c in project.coders()} == {"ann", "bob"}
        assert project.find_code("Confidence")
        assert "added" in dialog.summary.text() and "Backup" in dialog.summary.text()
        assert window.undo_stack.count() == 1 and window.undo_stack.undoText().startswith("Merge")
        window.undo_stack.undo()
        assert [c.name for c in project.coders()] == ["ann"]
        assert project.find_code("Trust")
        window.undo_stack.redo()
        assert len(project.codings()) == 10


def test_merge_dialog_shows_a_bad_file_error(qtbot, copies, tmp_path):
    from coder.ui.dialogs.merge_dialog import MergeDialog

    ann, _ = copies
    junk = tmp_path / "junk.coder"
    junk.write_text("no project here " * 20)
    with Project.open(ann) as project:
        window = Window(project)
        qtbot.addWidget(window)
        dialog = MergeDialog(as_main(window))
        qtbot.addWidget(dialog)
        dialog.add_files([str(junk)])
        dialog.merge()
        qtbot.waitUntil(lambda: bool(window.errors))
        assert len(window.errors) == 1 and "junk.coder" in window.errors[0]
        assert dialog.summary.text() == "Nothing was merged."
        assert len(project.coders()) == 1


def test_ensure_coder_name_asks_once_and_stores(qtbot, monkeypatch):
    from coder.ui.dialogs import preferences

    shown = []

    def answer() -> None:
        dialog = next(
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, preferences.CoderNameDialog) and w.isVisible()
        )
        shown.append(dialog)
        dialog.name_edit.setText("  Dana  ")
        dialog.buttons.accepted.emit()

    assert settings.get("coder_name") is None
    QTimer.singleShot(0, answer)
    preferences.ensure_coder_name(None)
    assert shown and settings.get("coder_name") == "Dana"
    assert settings.coder_name() == "Dana"

    def never(*_args):
        raise AssertionError("asked again")

    monkeypatch.setattr(preferences.CoderNameDialog, "exec", never)
    preferences.ensure_coder_name(None)  # already set: no question


def test_coder_name_dialog_refuses_an_empty_name(qtbot):
    from PySide6.QtWidgets import QDialogButtonBox

    from coder.ui.dialogs.preferences import CoderNameDialog

    dialog = CoderNameDialog(None, "x")
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.name_edit.setText("   ")
    assert not ok.isEnabled()
    dialog.name_edit.setText("Lee")
    assert ok.isEnabled() and dialog.name() == "Lee"


def test_preferences_dialog_saves_name_and_backup_settings(qtbot, fresh_project):
    from coder.ui.dialogs.preferences import PreferencesDialog

    settings.set_value("recent_projects", ["/somewhere/a.coder"])
    dialog = PreferencesDialog(None)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Robin")
    dialog.interval.setValue(5)
    dialog.keep.setValue(20)
    dialog.accept()
    assert settings.get("coder_name") == "Robin"
    assert settings.get("backup_interval_minutes") == 5 and settings.get("backups_keep") == 20
    assert settings.get("recent_projects") == ["/somewhere/a.coder"]  # other settings kept
    # the next coding carries the new name
    fresh_project.add_document("D", "text")
    fresh_project.add_code("C")
    doc, code = fresh_project.find_document("D").id, fresh_project.find_code("C").id
    fresh_project.apply_code(doc, code, 0, 2)
    assert [c.coder for c in fresh_project.codings()] == ["Robin"]


def test_coder_filter_actions(qtbot, merged, monkeypatch):
    from coder.ui.features import team
    from coder.ui.views import common

    window = Window(merged)
    qtbot.addWidget(window)
    ids = {c.name: c.id for c in merged.coders()}
    team.show_all_coders(as_main(window))
    answers = iter(["bob"])
    monkeypatch.setattr(common, "ask_choice", lambda *a, **k: next(answers))
    team.show_one_coder(as_main(window))
    answers = iter(["ann", "bob"])
    team.compare_two_coders(as_main(window))
    assert window.view.filters == [
        (None, None),
        ({ids["bob"]}, None),
        ({ids["ann"], ids["bob"]}, (ids["ann"], ids["bob"])),
    ]
    assert window.statusBar().currentMessage() == "Comparing ann and bob"


def test_team_actions_are_registered():
    from coder.ui import actions

    actions.load_features()
    menus = {spec.id: spec.menu for spec in actions.ACTIONS.values()}
    assert menus["file.merge"] == "File"
    assert menus["edit.preferences"] == "Edit"
    assert menus["team.agreement"] == "Team" and menus["team.coders"] == "Team"
    assert {menus[i] for i in ("view.coders_all", "view.coders_only", "view.coders_compare")} == {
        "View/Coders"
    }


def test_coders_overview_lists_counts(qtbot, merged):
    from coder.ui.features import team

    window = Window(merged)
    qtbot.addWidget(window)
    team.coders_overview(as_main(window))
    assert "ann: 5 codings in 1 document, 1 code" in window.infos[0]


def test_in_the_main_window(qtbot, merged, monkeypatch):
    """The real workbench: the actions exist, the agreement window opens and follows the project."""
    from coder.ui.main_window import MainWindow

    path = merged.path
    merged.close()
    win = MainWindow()
    qtbot.addWidget(win)
    monkeypatch.setattr(win, "show_error", lambda message: None)
    assert win.open_project(path)
    for action_id in (
        "file.merge",
        "edit.preferences",
        "team.agreement",
        "team.coders",
        "view.coders_all",
        "view.coders_only",
        "view.coders_compare",
    ):
        assert action_id in win.actions_by_id
    win.trigger("team.agreement")
    dialog = win.agreement_window
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2)  # computed at once, off the GUI thread
    win.close_project()
    assert dialog.agreement is None and not dialog.isVisible()


def test_agreement_figures_never_silently_predate_an_edit(qtbot, merged, monkeypatch):
    from coder.core import intercoder
    from coder.ui.main_window import MainWindow
    from coder.ui.views.agreement_window import STALE

    path = merged.path
    merged.close()
    win = MainWindow()
    qtbot.addWidget(win)
    monkeypatch.setattr(win, "show_error", lambda message: pytest.fail(message))
    assert win.open_project(path)
    project = project_of(win)
    win.trigger("team.agreement")
    dialog = win.agreement_window
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.agreement is not None and not dialog.runner.running)
    before = dialog.agreement
    doc = project.find_document("Day").id
    spans = paragraphs(project.document_text(doc))
    code = project.find_code("Trust").id

    def bob_codes(i: int) -> None:
        start, end = spans[i]
        assert win.push("Code", lambda: project.apply_code(doc, code, start + 1, end - 1, "bob"))

    def fresh() -> intercoder.ProjectAgreement:
        return intercoder.compute_agreement(project, ["ann", "bob"], unit=dialog.unit_key())

    def listed() -> list[str]:
        return [dialog.coders.index(r).data() for r in range(dialog.coders.rowCount())]

    assert "bob (5 codings)" in listed()
    bob_codes(3)
    assert dialog.status.text() == STALE and dialog.agreement is before
    qtbot.waitUntil(lambda: "bob (6 codings)" in listed())  # the coders' counts follow
    assert dialog.compute()
    qtbot.waitUntil(lambda: not dialog.runner.running and dialog.agreement is not before)
    assert dialog.agreement == fresh() and dialog.status.text() != STALE
    jobs = dialog.runner.jobs
    assert dialog.compute()
    bob_codes(4)  # while it computes: computed again, with it
    assert dialog.runner.jobs == jobs + 2
    qtbot.waitUntil(lambda: not dialog.runner.running)
    assert dialog.agreement == fresh() and dialog.agreement.codes[0].table["both"] == 5


def test_the_agreement_window_with_one_coder_asks_for_two(qtbot, tmp_path, monkeypatch):
    """The window shows at once and reads the coders on a worker: with a single coder it then
    says what to do, not that it is still reading."""
    from coder.ui.main_window import MainWindow
    from coder.ui.views.agreement_window import CHOOSE

    path = tmp_path / "alone.coder"
    with Project.create(path) as p:
        p.add_document("Day", "One paragraph.\n\nAnother one.\n")
        p.add_code("Trust")
        p.apply_code(p.find_document("Day").id, p.find_code("Trust").id, 0, 3, coder="ann")
    win = MainWindow()
    qtbot.addWidget(win)
    monkeypatch.setattr(win, "show_error", lambda message: None)
    assert win.open_project(path)
    win.trigger("team.agreement")
    dialog = win.agreement_window
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.coders.rowCount() == 1)
    qtbot.waitUntil(lambda: dialog.status.text() == CHOOSE)
    assert dialog.agreement is None
    win.close_project()


def test_adding_files_checks_them_at_once(qtbot, copies, monkeypatch):
    from coder.ui.dialogs import merge_dialog

    ann, bob = copies
    with Project.open(ann) as project:
        window = Window(project)
        qtbot.addWidget(window)
        dialog = merge_dialog.MergeDialog(as_main(window))
        qtbot.addWidget(dialog)
        monkeypatch.setattr(merge_dialog, "choose_files", lambda parent, folder: [str(bob)])
        dialog.add_button.click()
        assert dialog.paths() == [str(bob)]
        qtbot.waitUntil(lambda: dialog.report is not None)
        assert dialog.report is not None and dialog.report.dry_run
        assert dialog.summary.text().startswith("Merge of bob.coder: would add")
        assert dialog.conflicts.rowCount() == 1
        assert len(project.coders()) == 1


def test_merge_in_the_main_window_shows_the_other_coders_codings(qtbot, copies, monkeypatch):
    """Merging refreshes the open document; undo takes the other coder's stripes away again."""
    from coder.ui.dialogs.merge_dialog import MergeDialog
    from coder.ui.main_window import MainWindow

    ann, bob = copies
    win = MainWindow()
    qtbot.addWidget(win)
    errors: list[str] = []
    monkeypatch.setattr(win, "show_error", errors.append)
    assert win.open_project(ann)
    win.show_document(project_of(win).find_document("Day").id)
    assert {s.coder for s in win.view.spans.values()} == {"ann"}
    dialog = MergeDialog(win)
    qtbot.addWidget(dialog)
    dialog.add_files([str(bob)])
    assert dialog.merge(), errors
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=20000)
    assert not errors
    assert {s.coder for s in win.view.spans.values()} == {"ann", "bob"}
    assert len(win.view.spans) == 10
    stack(win).undo()
    assert {s.coder for s in win.view.spans.values()} == {"ann"}
    win.close_project()


def test_view_coders_actions_filter_the_real_document_view(qtbot, merged, monkeypatch):
    """View → Coders: only one coder's stripes, two compared in separate columns, then all."""
    from coder.ui.main_window import MainWindow
    from coder.ui.views import common

    path = merged.path
    merged.close()
    win = MainWindow()
    qtbot.addWidget(win)
    monkeypatch.setattr(win, "show_error", lambda message: None)
    assert win.open_project(path)
    win.show_document(project_of(win).find_document("Day").id)
    view = win.view
    assert {s.coder for s in view.spans.values()} == {"ann", "bob"}
    monkeypatch.setattr(common, "ask_choice", lambda *a, **k: "bob")
    win.trigger("view.coders_only")
    assert {s.coder for s in view.spans.values()} == {"bob"}
    answers = iter(["ann", "bob"])
    monkeypatch.setattr(common, "ask_choice", lambda *a, **k: next(answers))
    win.trigger("view.coders_compare")
    columns = {
        name: {s.column for s in view.spans.values() if s.coder == name} for name in ("ann", "bob")
    }
    assert columns["ann"] and columns["bob"] and max(columns["ann"]) < min(columns["bob"])
    # The stripe columns are labelled with the coders' names, each above their own stripes.
    labels = view.stripes.coder_columns()
    assert [name for name, _l, _r in labels] == ["ann", "bob"]
    colw = view.stripes.column_width()
    bold = QFont(view.stripes.font())
    bold.setPointSizeF(7.5)
    bold.setBold(True)
    for name, left, right in labels:
        assert all(left <= 6 + c * colw < right for c in columns[name])
        assert QFontMetricsF(bold).horizontalAdvance(name) <= right - left - 2  # in full
    assert view.stripes.band_height() > 0
    assert win.mode_label.text() == "Stripes: ann (left) │ bob (right)"
    win.trigger("view.coders_all")
    assert view.stripes.coder_columns() == [] and win.mode_label.text() == ""
    assert len(view.spans) == 10
    win.close_project()


def test_agreement_window_every_document_and_segments(qtbot, merged):
    from coder.ui.views.agreement_window import AgreementWindow

    window = Window(merged)
    qtbot.addWidget(window)
    dialog = AgreementWindow(as_main(window))
    qtbot.addWidget(dialog)
    merged.add_document("Unread", "nobody coded this one")
    dialog.set_unit("paragraph")

    def computed() -> Any:
        dialog.agreement = None
        assert dialog.compute()
        qtbot.waitUntil(lambda: dialog.agreement is not None and not dialog.runner.running)
        return dialog.agreement

    result = computed()
    assert "Unread" not in result.documents
    assert "Left out: " in dialog.status.text() and "Unread (coded by none" in dialog.status.text()
    dialog.every_document.setChecked(True)
    assert not dialog.partial.isEnabled()
    result = computed()
    assert "Unread" in result.documents and result.listed
    assert dialog.documents_view.isEnabled()
    # only the documents ticked: Unread is no longer compared, nor listed as left out
    dialog.refresh_coders()  # the list follows the project's documents
    day = merged.find_document("Day").id
    assert [name for _i, name, _d in dialog.documents.items] == ["Day", "Unread"]
    dialog.documents.set_checked_ids([day])
    result = computed()
    assert result.documents == ("Day",) and result.listed
    dialog.refresh_coders()  # an edit elsewhere keeps the choice
    assert dialog.documents.checked_ids() == [day]
    dialog.documents.set_all(False)
    assert not dialog.compute() and "at least one document" in dialog.status.text()
    dialog.documents.set_all(True)
    dialog.set_unit("segment")
    assert dialog.min_overlap.isEnabled()
    dialog.min_overlap.setValue(50)
    result = computed()
    assert result.min_overlap == 50
    assert "Agreements" in dialog.table.HEADERS
    # the disagreeing passages of segments are the codings nobody matched, each by its coder
    assert result.codes[0].disagreements == 4
    qtbot.waitUntil(lambda: dialog.passages.rowCount() == 4)
    found = [dialog.passages.disagreement(r) for r in range(4)]
    assert [d.coded_by for d in found] == [("ann",), ("ann",), ("bob",), ("bob",)]
    assert [d.not_coded_by for d in found] == [("bob",), ("bob",), ("ann",), ("ann",)]
    agree = dialog.table.HEADERS.index("% agree")
    tip = dialog.table.headerData(agree, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "matched pairs of codings" in str(tip)
