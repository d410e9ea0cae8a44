"""Auto-code dialog: what to find, the unit to code, a preview of every coding; then Code.

Nothing is written until Code is pressed; the codings shown are exactly those made, as one
undoable command (new codes included). The preview is computed off the GUI thread (a long
expression over many transcripts never freezes the window), and any change to the form
withdraws it until Preview is pressed again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coder.core.autocode import (
    UNITS,
    AutocodePlan,
    PlannedCoding,
    Rule,
    apply_plan,
    plan_autocode,
    read_dictionary,
    speaker_names,
)
from coder.core.errors import CoderError
from coder.core.project import Project
from coder.ui.models.explore import flat
from coder.ui.models.table import RowsTableModel
from coder.ui.tasks import Runner
from coder.ui.views import common

KINDS = (
    ("Words (as Search)", "search"),
    ("Regular expression", "regex"),
    ("Speaker", "speaker"),
    ("Dictionary file (CSV or XLSX)", "dictionary"),
)
UNIT_LABELS = {
    "match": "The hit only",
    "sentence": "Its sentence",
    "paragraph": "Its paragraph",
    "turn": "Its speaker turn",
}


class PlanModel(RowsTableModel):
    """The codings a run would make, one row each."""

    HEADERS = ("Document", "Position", "Code", "Passage")

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        c: PlannedCoding | None = self.row_at(index)
        if c is None or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        column = index.column()
        if column == 0:
            return c.document
        if column == 1:
            return f"{c.start}–{c.end}"
        if column == 2:
            return c.code
        text = flat(c.text)
        return text if role == Qt.ItemDataRole.DisplayRole else text[:2000]


class PerDocumentModel(RowsTableModel):
    """Passages to code per document."""

    HEADERS = ("Document", "Passages")

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index)
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return row[0] if index.column() == 0 else f"{row[1]:,}"
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _table(name: str, model: RowsTableModel) -> QTableView:
    table = QTableView()
    table.setAccessibleName(name)
    table.setModel(model)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 6)
    table.setWordWrap(False)
    return table


class AutocodeDialog(QDialog):
    def __init__(self, window: Any, project: Project, search: str = "") -> None:
        super().__init__(window if isinstance(window, QWidget) else None)
        self.window_ = window
        self.project = project
        self.plan: AutocodePlan | None = None
        self.previews = 0  # previews shown (tests count work)
        self.runner = Runner(self._failed, self)
        self.setWindowTitle("Auto-code")
        self.setAccessibleName("Auto-code")
        common.fit_to_screen(self, 960, 620)
        self._build_form(search)

        self.preview_button = QPushButton("Preview")
        self.preview_button.clicked.connect(self.preview)
        self.runner.busy.connect(lambda busy: self.preview_button.setEnabled(not busy))
        self.summary = QLabel("Press Preview to see every passage that would be coded.")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Preview summary")
        self.model = PlanModel(self)
        self.table = _table("Passages that would be coded", self.model)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().resizeSection(0, 160)
        self.per_document = PerDocumentModel(self)
        self.documents_table = _table("Passages per document", self.per_document)
        header = self.documents_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        split = QSplitter()
        split.addWidget(self.documents_table)
        split.addWidget(self.table)
        split.setStretchFactor(1, 3)
        split.setSizes([220, 700])

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.code_button = self.buttons.addButton("Code", QDialogButtonBox.ButtonRole.AcceptRole)
        self.code_button.setEnabled(False)
        self.code_button.clicked.connect(self.apply)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.preview_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        layout.addWidget(self.buttons)
        self.pattern.setFocus()

    def _build_form(self, search: str) -> None:
        project = self.project
        self.kind = QComboBox()
        for label, key in KINDS:
            self.kind.addItem(label, key)
        self.kind.setAccessibleName("Find")
        self.pattern = QLineEdit(search)
        self.pattern.setAccessibleName("Words, expression, speaker or dictionary file")
        self.speaker_list = speaker_names(project)
        self.speakers = QCompleter(self.speaker_list, self)  # a speaker's name as it is typed
        self.speakers.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.browse = QPushButton("Choose…")
        self.browse.setAccessibleName("Choose a dictionary file")
        self.browse.clicked.connect(self._choose_dictionary)
        pattern_row = QHBoxLayout()
        pattern_row.addWidget(self.pattern, 1)
        pattern_row.addWidget(self.browse)
        self.code = QComboBox()
        self.code.setEditable(True)
        self.code.setAccessibleName("Code (a new name creates it)")
        self.code.addItems([c.path for c in project.codes() if c.codable])
        self.code.setCurrentText(search.strip().capitalize() if search else "")
        self.unit = QComboBox()
        self.unit.setAccessibleName("Unit to code")
        for unit in UNITS:
            self.unit.addItem(UNIT_LABELS[unit], unit)
        self.within = QComboBox()
        self.within.setAccessibleName("Only inside passages coded with")
        self.within.addItem("Anywhere", None)
        for c in project.codes():
            self.within.addItem(f"Only inside '{c.path}'", c.id)
        self.form = QFormLayout()
        self.form.addRow("Find", self.kind)
        self.form.addRow("Words / expression / speaker / file", pattern_row)
        self.form.addRow("Code with", self.code)
        self.form.addRow("Code", self.unit)
        self.form.addRow("Where", self.within)
        for signal in (
            self.kind.currentIndexChanged,
            self.pattern.textChanged,
            self.code.currentTextChanged,
            self.unit.currentIndexChanged,
            self.within.currentIndexChanged,
        ):
            signal.connect(self._stale)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    def _kind_changed(self, *_: object) -> None:
        speaker = self.kind.currentData() == "speaker"
        # None removes the completer (Qt's own way; the stubs leave it out)
        self.pattern.setCompleter(self.speakers if speaker else None)  # type: ignore[arg-type]
        names = self.speaker_list
        hint = ", ".join(names[:4]) + (", …" if len(names) > 4 else "")
        self.pattern.setPlaceholderText(f"e.g. {hint}" if speaker and names else "")
        dictionary = self.kind.currentData() == "dictionary"
        self.browse.setVisible(dictionary)
        self.code.setEnabled(not dictionary)  # a dictionary names its codes
        self.code.setToolTip("The dictionary names the codes" if dictionary else "")

    def _choose_dictionary(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Dictionary", "", "Dictionaries (*.csv *.xlsx *.xlsm)"
        )
        if path:
            self.pattern.setText(path)

    def _stale(self, *_: object) -> None:
        self.runner.cancel()
        self.plan = None
        self.code_button.setEnabled(False)
        self.model.set_rows([])
        self.per_document.set_rows([])

    def _rules(self) -> list[Rule]:
        kind = self.kind.currentData()
        if kind == "dictionary":
            return read_dictionary(Path(self.pattern.text().strip()))
        return [Rule(self.code.currentText().strip(), **{kind: self.pattern.text()})]

    def preview(self) -> bool:
        """Plan the run off the GUI thread; the table and summary show it when it is ready."""
        self._stale()
        try:
            rules = self._rules()
        except CoderError as e:
            self.summary.setText(str(e))
            return False
        within = self.within.currentData()
        unit = self.unit.currentData()

        def work(conn: Project, step: Any) -> AutocodePlan:
            return plan_autocode(
                conn,
                rules,
                unit=unit,
                within=[within] if within is not None else None,
                progress=step,
            )

        self.summary.setText("Finding the passages to code…")
        self.runner.run(self.project, work, self._show, "Auto-code preview")
        return True

    def _failed(self, message: str) -> None:
        self.previews += 1
        self.summary.setText(message)

    def _show(self, plan: AutocodePlan) -> None:
        self.previews += 1
        self.plan = plan
        self.model.set_rows(plan.codings)
        per_doc = plan.per_document()
        self.per_document.set_rows(sorted(per_doc.items(), key=lambda kv: kv[0].casefold()))
        new = ""
        if plan.new_codes:
            names = ", ".join(f"'{p}'" for p in plan.new_codes)
            new = f" {'New codes' if len(plan.new_codes) > 1 else 'A new code'} {names}"
            new += " will be created (at the top level unless a path names a parent)."
        skipped = f" {plan.existing:,} already coded, left alone." if plan.existing else ""
        n = len(plan.codings)
        docs = len(per_doc)
        self.summary.setText(
            f"{plan.hits:,} hits → {n:,} passage{'s' if n != 1 else ''} to code in {docs:,} "
            f"document{'s' if docs != 1 else ''}.{new}{skipped}"
            + ("" if n else " Nothing to code.")
        )
        self.code_button.setEnabled(n > 0)

    def apply(self) -> bool:
        plan = self.plan
        if plan is None or not plan.codings:
            return False
        project = self.project
        n = len(plan.codings)
        codes = sorted({c.code for c in plan.codings})
        named = f"'{codes[0]}'" if len(codes) == 1 else f"{len(codes)} codes"
        text = f"Auto-code {n:,} passage{'s' if n != 1 else ''} with {named}"
        if self.window_.push(text, lambda: apply_plan(project, plan)):
            _say(self.window_, f"{text}: done (Edit → Undo takes it back in one step)")
            self.accept()
            return True
        return False


def _say(window: Any, message: str) -> None:
    """A note in the window's status bar (a window without one hears nothing)."""
    show = getattr(window, "show_status", None)
    if show is not None:
        show(message, 8000)
