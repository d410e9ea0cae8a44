"""File → Merge Project…: bring team members' copies into the open project.

The user adds one or more .coder files, picks the rule for conflicts, may check first (a dry
run that lists every conflict), then merges: one undoable step, after a backup. Both run off
the GUI thread on a connection of their own, with progress and Cancel in the dialog; the window
stays responsive and the merge comes back as one undo step.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QStringListModel,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coder.core.merge import Conflict, MergeReport, merge_projects
from coder.core.project import Project
from coder.ui.models.table import RowsTableModel
from coder.ui.tasks import ProgressLine, Runner
from coder.ui.views import common

if TYPE_CHECKING:
    from coder.ui.main_window import MainWindow

ConflictRole = Qt.ItemDataRole.UserRole
_Index = QModelIndex | QPersistentModelIndex


def choose_files(parent: QWidget | None, folder: str) -> list[str]:
    """Ask for project files to merge (a module function so tests can answer it)."""
    paths, _ = QFileDialog.getOpenFileNames(
        parent, "Merge project files", folder, "Coder projects (*.coder);;All files (*)"
    )
    return paths


class ConflictsModel(RowsTableModel):
    """The conflicts of a merge, one row each."""

    HEADERS = ("File", "Item", "Field", "Mine", "Theirs", "Kept")

    def set_conflicts(self, conflicts: list[Conflict]) -> None:
        self.set_rows(conflicts)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        c = self._rows[index.row()]
        if role == ConflictRole:
            return c
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = (
                c.source,
                f"{c.kind} {c.item}".strip(),
                c.field,
                c.mine,
                c.theirs,
                c.kept + (f" ({c.note})" if c.note else ""),
            )
            text = values[index.column()]
            if role == Qt.ItemDataRole.DisplayRole and len(text) > 80:
                text = text[:79] + "…"
            return text
        return None


class MergeDialog(QDialog):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.report: MergeReport | None = None
        self.setWindowTitle("Merge Project")
        common.fit_to_screen(self, 820, 560)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Bring team members' copies of this project in: their documents, codes, codings, "
            "cases, attributes and memos. Items are matched by their identity (documents also "
            "by identical text, codes by path); merging the same file again adds nothing. "
            "A backup of this project is made first, and the merge is one step you can undo."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        layout.addLayout(self._build_files(), 1)
        layout.addWidget(self._build_rule())

        self.summary = QLabel("Add the project files to merge, then Check or Merge.")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Merge summary")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        self.conflicts = ConflictsModel(self)
        self.conflicts_view = QTableView()
        self.conflicts_view.setModel(self.conflicts)
        self.conflicts_view.setAccessibleName("Conflicts")
        self.conflicts_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.conflicts_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Interactive
        )
        self.conflicts_view.horizontalHeader().setStretchLastSection(True)
        # Column widths from the first rows: a merge can list thousands of conflicts.
        self.conflicts_view.horizontalHeader().setResizeContentsPrecision(50)
        self.conflicts_view.verticalHeader().hide()
        layout.addWidget(self.conflicts_view, 2)

        bottom = QHBoxLayout()
        bottom.addStretch(1)
        self.check_button = QPushButton("&Check")
        self.check_button.setToolTip("List what would be added and every conflict; change nothing")
        self.check_button.clicked.connect(self.check)
        self.merge_button = QPushButton("&Merge")
        self.merge_button.setDefault(True)
        self.merge_button.clicked.connect(self.merge)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        self.runner = Runner(self._failed, self)
        self.progress = ProgressLine(self.runner, delay_ms=300)
        self.runner.busy.connect(lambda _busy: self._update_buttons())
        bottom.addWidget(self.progress, 1)
        for b in (self.check_button, self.merge_button, self.close_button):
            bottom.addWidget(b)
        layout.addLayout(bottom)
        self.files.rowsInserted.connect(self._update_buttons)
        self.files.rowsRemoved.connect(self._update_buttons)
        self.files.modelReset.connect(self._update_buttons)
        self._update_buttons()

    def _build_rule(self) -> QGroupBox:
        """Whose version wins where an item differs."""
        rule = QGroupBox("When an item differs between this project and a merged file")
        rule_layout = QVBoxLayout(rule)
        self.prefer_mine = QRadioButton("Keep &mine (this project's name, text or value)")
        self.prefer_theirs = QRadioButton("Take &theirs (the merged file's)")
        self.prefer_mine.setChecked(True)
        rule_layout.addWidget(self.prefer_mine)
        rule_layout.addWidget(self.prefer_theirs)
        note = QLabel(
            "Every such conflict is listed below; an empty field always takes the "
            "other side's text."
        )
        note.setWordWrap(True)
        rule_layout.addWidget(note)
        return rule

    def _build_files(self) -> QHBoxLayout:
        """The list of project files to merge, with Add and Remove."""
        files_row = QHBoxLayout()
        self.files = QStringListModel(self)
        self.files_view = QListView()
        self.files_view.setModel(self.files)
        self.files_view.setAccessibleName("Project files to merge")
        self.files_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.files_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        files_row.addWidget(self.files_view, 1)
        buttons = QVBoxLayout()
        self.add_button = QPushButton("&Add Files…")
        self.add_button.clicked.connect(self._ask_files)
        self.remove_button = QPushButton("&Remove")
        self.remove_button.clicked.connect(self._remove_selected)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        files_row.addLayout(buttons)
        return files_row

    # ------------------------------------------------------------- files

    def paths(self) -> list[str]:
        return self.files.stringList()

    def add_files(self, paths: list[str]) -> None:
        current = self.paths()
        for p in paths:
            if p and p not in current:
                current.append(p)
        self.files.setStringList(current)

    def _ask_files(self) -> None:
        project = self.window_.project
        folder = str(project.path.parent) if project is not None else str(Path.home())
        chosen = choose_files(self, folder)
        if chosen:
            self.add_files(chosen)
            self.check()  # show what would come in, and every conflict, before merging

    def _remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.files_view.selectedIndexes()}, reverse=True)
        for row in rows:
            self.files.removeRows(row, 1)

    def _update_buttons(self) -> None:
        has = bool(self.paths()) and self.window_.project is not None
        idle = not (hasattr(self, "runner") and self.runner.running)
        self.check_button.setEnabled(has and idle)
        self.merge_button.setEnabled(has and idle)
        self.add_button.setEnabled(idle)
        self.remove_button.setEnabled(idle)

    def prefer(self) -> str:
        return "theirs" if self.prefer_theirs.isChecked() else "mine"

    # ------------------------------------------------------------- running

    def _show(self, report: MergeReport) -> None:
        self.report = report
        text = report.summary()
        if report.filled:
            text += f"; {report.filled} empty field{'s' if report.filled != 1 else ''} filled"
        if report.backup is not None:
            text += f".\nBackup made first: {report.backup}"
        self.summary.setText(text[:1].upper() + text[1:])
        self.conflicts.set_conflicts(report.conflicts)
        self.conflicts_view.resizeColumnsToContents()

    def _failed(self, message: str) -> None:
        self.summary.setText("Nothing was merged.")
        self.window_.show_error(message)

    def check(self) -> bool:
        """Dry run: show what would be added and every conflict (computed off the GUI
        thread; a check or merge still running is cancelled)."""
        project = self.window_.project
        if project is None or not self.paths():
            return False
        paths, prefer = self.paths(), self.prefer()

        def work(conn: Project, progress: Any) -> MergeReport:
            return merge_projects(conn, paths, prefer=prefer, dry_run=True, progress=progress)

        self.summary.setText("Checking…")
        self.runner.run(project, work, self._show, title="Checking")
        return True

    def merge(self) -> bool:
        """Merge off the GUI thread; then one undoable step, and the dialog shows the result
        and its conflicts."""
        project = self.window_.project
        if project is None or not self.paths():
            return False
        paths, prefer = self.paths(), self.prefer()
        names = ", ".join(Path(p).name for p in paths)

        def work(conn: Project, progress: Any) -> MergeReport:
            report = merge_projects(conn, paths, prefer=prefer, progress=progress)
            report.changes.prepare()  # what the views will ask of it, worked out here
            return report

        def done(report: MergeReport) -> None:
            if self.window_.project is not project:
                return  # the project was closed meanwhile: its undo history is gone
            self.window_.push_changes(f"Merge {names}", report.changes)
            self._show(report)
            self.files.setStringList([])
            self.close_button.setText("Close")
            status = getattr(self.window_, "statusBar", None)
            if callable(status):
                status().showMessage(report.summary(), 8000)

        self.summary.setText("Merging…")
        self.runner.run(project, work, done, title="Merging")
        return True

    def reject(self) -> None:
        """Close; a check still running stops, a merge finishes first (it is one step)."""
        if self.runner.running and self.runner.title == "Merging":
            return
        self.runner.cancel()
        super().reject()
