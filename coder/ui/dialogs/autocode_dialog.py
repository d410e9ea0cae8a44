"""Auto-code dialog: what to find, the unit to code, a preview of every coding; then Code.

Nothing is written until Code is pressed; the codings shown are exactly those made, as one
undoable command (a new code included).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coder.core.autocode import UNITS, AutocodePlan, Rule, apply_plan, plan_autocode
from coder.core.errors import CoderError
from coder.core.project import Project

KINDS = (("Words (as Search)", "search"), ("Regular expression", "regex"), ("Speaker", "speaker"))
UNIT_LABELS = {
    "match": "The hit only",
    "sentence": "Its sentence",
    "paragraph": "Its paragraph",
    "turn": "Its speaker turn",
}


class AutocodeDialog(QDialog):
    def __init__(self, window: Any, project: Project, search: str = "") -> None:
        super().__init__(window if isinstance(window, QWidget) else None)
        self.window_ = window
        self.project = project
        self.plan: AutocodePlan | None = None
        self.setWindowTitle("Auto-code")
        self.setAccessibleName("Auto-code")
        self.resize(900, 560)

        self.kind = QComboBox()
        for label, key in KINDS:
            self.kind.addItem(label, key)
        self.kind.setAccessibleName("Find")
        self.pattern = QLineEdit(search)
        self.pattern.setAccessibleName("Words, expression or speaker")
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
        form = QFormLayout()
        form.addRow("Find", self.kind)
        form.addRow("Words / expression / speaker", self.pattern)
        form.addRow("Code with", self.code)
        form.addRow("Code", self.unit)
        form.addRow("Where", self.within)

        self.preview_button = QPushButton("Preview")
        self.preview_button.clicked.connect(self.preview)
        self.summary = QLabel("Press Preview to see every passage that would be coded.")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Preview summary")
        self.model = QStandardItemModel(0, 4, self)
        self.model.setHorizontalHeaderLabels(["Document", "Position", "Code", "Passage"])
        self.table = QTableView()
        self.table.setAccessibleName("Passages that would be coded")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.code_button = self.buttons.addButton("Code", QDialogButtonBox.ButtonRole.AcceptRole)
        self.code_button.setEnabled(False)
        self.code_button.clicked.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        for signal in (
            self.kind.currentIndexChanged,
            self.pattern.textChanged,
            self.code.currentTextChanged,
            self.unit.currentIndexChanged,
            self.within.currentIndexChanged,
        ):
            signal.connect(self._stale)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.preview_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        self.table.horizontalHeader().resizeSection(0, 180)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.pattern.setFocus()

    def _stale(self, *_: object) -> None:
        self.plan = None
        self.code_button.setEnabled(False)

    def _rule(self) -> Rule:
        kind = self.kind.currentData()
        return Rule(self.code.currentText().strip(), **{kind: self.pattern.text()})

    def preview(self) -> AutocodePlan | None:
        within = self.within.currentData()
        try:
            plan = plan_autocode(
                self.project,
                [self._rule()],
                unit=self.unit.currentData(),
                within=[within] if within is not None else None,
            )
        except CoderError as e:
            self.summary.setText(str(e))
            self._stale()
            return None
        self.plan = plan
        self.model.removeRows(0, self.model.rowCount())
        for c in plan.codings:
            cells = [c.document, f"{c.start}–{c.end}", c.code, " ".join(c.text.split())]
            self.model.appendRow([QStandardItem(v) for v in cells])
        per_doc = plan.per_document()
        parts = [f"{n} in {doc}" for doc, n in sorted(per_doc.items())]
        new = (
            f" A new code '{plan.new_codes[0]}' will be created at the top level."
            if plan.new_codes
            else ""
        )
        skipped = f" {plan.existing} already coded, left alone." if plan.existing else ""
        n = len(plan.codings)
        self.summary.setText(
            f"{plan.hits} hits → {n} passage{'s' if n != 1 else ''} to code"
            + (f" ({', '.join(parts)})." if parts else ".")
            + new
            + skipped
        )
        self.code_button.setEnabled(n > 0)
        return plan

    def apply(self) -> bool:
        plan = self.plan
        if plan is None or not plan.codings:
            return False
        project = self.project
        n = len(plan.codings)
        text = f"Auto-code {n} passage{'s' if n != 1 else ''} with '{plan.codings[0].code}'"
        if self.window_.push(text, lambda: apply_plan(project, plan)):
            self.accept()
            return True
        return False
