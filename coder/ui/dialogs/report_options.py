"""File → Export → Word report…: what goes into the report.

Codes, documents, cases and coders are checkable lists (all checked = everything); quotation
marks, attribution, context around quotes, quote order and grouping, memos, chart, page size,
title and author; what counts when several coders are checked; the agreement section's unit,
overall row and segment overlap; the extra tables (code × case, code × attribute, analysed
cases). The choices (except the selections and attribute names, which belong to one project)
are remembered.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from coder.core import settings
from coder.core.errors import CoderError
from coder.core.export.report import ReportOptions
from coder.core.export.report.quotes import parse_cite
from coder.core.project import Project
from coder.ui.models.analysis import CheckListModel
from coder.ui.views import common

SETTINGS_KEY = "report_options"
CONTEXT_KINDS = [
    ("none", "No context"),
    ("chars", "Characters around the quote"),
    ("paragraph", "The whole paragraph"),
    ("turn", "The whole speaker turn"),
]
ORDERS = [
    ("document", "By document, then position"),
    ("position", "By position in the document (beginning first)"),
    ("case", "Grouped by case"),
    ("speaker", "Grouped by speaker"),
]
CONSENSUS = [
    ("any", "What any checked coder coded"),
    ("all", "What every checked coder coded"),
    ("majority", "What more than half of the checked coders coded"),
]
AGREEMENT_UNITS = [
    ("paragraph", "Paragraph"),
    ("turn", "Speaker turn"),
    ("character", "Character"),
    ("segment", "Coded segment (two coders)"),
]
POOLINGS = [
    ("units", "Every code's units pooled into one table"),
    ("mean", "The mean of the codes' figures"),
]
MARKS = [
    ("double", "Double quotation marks of the document's language"),
    ("single", "Single quotation marks of the document's language"),
    ("none", "No quotation marks"),
]


def preload_report_modules() -> None:
    """Import the report's writing modules (python-docx, lxml: a quarter of a second) in a
    background thread while the user reads the dialog, so neither OK nor the export waits for
    them on the GUI thread."""
    import importlib
    import sys
    import threading

    name = "coder.core.export.report.build"
    if name not in sys.modules:
        threading.Thread(target=importlib.import_module, args=(name,), daemon=True).start()


class CheckList(QWidget):
    """A checkable list with All / None buttons."""

    def __init__(self, items: list[tuple[int, str, int]], name: str) -> None:
        super().__init__()
        self.model = CheckListModel(items, self)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setAccessibleName(name)
        all_button = QPushButton("All")
        none_button = QPushButton("None")
        all_button.setAccessibleName(f"Check all {name.lower()}")
        none_button.setAccessibleName(f"Uncheck all {name.lower()}")
        all_button.clicked.connect(lambda: self.model.set_all(True))
        none_button.clicked.connect(lambda: self.model.set_all(False))
        buttons = QHBoxLayout()
        buttons.addWidget(all_button)
        buttons.addWidget(none_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)


def _check(label: str, saved: dict[str, Any], key: str, default: bool) -> QCheckBox:
    box = QCheckBox(label)
    box.setChecked(bool(saved.get(key, default)))
    return box


def _combo(items: list[tuple[str, str]], saved: Any, name: str) -> QComboBox:
    box = QComboBox()
    for key, label in items:
        box.addItem(label, key)
    box.setCurrentIndex(max(box.findData(saved), 0))
    box.setAccessibleName(name)
    return box


class ReportOptionsDialog(QDialog):
    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        preload_report_modules()
        self.project = project
        self.setWindowTitle("Word report")
        self.setAccessibleName("Word report options")
        saved: dict[str, Any] = settings.get(SETTINGS_KEY) or {}
        if not isinstance(saved, dict):
            saved = {}

        self.title = QLineEdit(f"{project.name}: coding report")
        self.author = QLineEdit(str(saved.get("author") or settings.coder_name()))
        attributes = [a.name for a in project.attributes()]
        self._quote_controls(saved, attributes)
        self.memos = _check("Include the memos appendix", saved, "include_memos", True)
        self.chart = _check("Include the frequency chart", saved, "include_chart", True)
        self.agreement = _check(
            "Include inter-coder agreement (two or more coders)",
            saved,
            "include_agreement",
            True,
        )
        self.annotations = _check(
            "Print annotations next to the quotes they touch", saved, "include_annotations", True
        )
        self.open_after = _check("Open the report when it is written", saved, "open_after", True)
        self.include_children = _check(
            "Parent codes' totals include their sub-codes", saved, "include_children", False
        )
        listed = len(project.pseudonyms())
        self.pseudonymise = QCheckBox(
            f"Export pseudonymised: replace the {listed} original{'s' if listed != 1 else ''} "
            "of the pseudonym list"
            if listed
            else "Export pseudonymised (the pseudonym list is empty: View → Pseudonyms)"
        )
        self.pseudonymise.setEnabled(bool(listed))
        self.pseudonymise.setAccessibleName("Export pseudonymised")
        self.page = QComboBox()
        self.page.addItems(["A4", "Letter"])
        self.page.setCurrentText(str(saved.get("page_size", "A4")))
        form = self._form()

        self.codes = CheckList([(c.id, c.name, c.depth) for c in project.codes()], "Codes")
        self.documents = CheckList([(d.id, d.name, 0) for d in project.documents()], "Documents")
        self.cases = CheckList([(c.id, c.name, 0) for c in project.cases()], "Cases")
        self.coders = CheckList([(c.id, c.name, 0) for c in project.coders()], "Coders")
        tabs = QTabWidget()
        tabs.addTab(self.codes, "C&odes")
        tabs.addTab(self.documents, "&Documents")
        tabs.addTab(self.cases, "Ca&ses")
        tabs.addTab(self._coders_tab(saved), "Co&ders")
        tabs.addTab(self._agreement_tab(saved), "A&greement")
        tabs.addTab(self._tables_tab(attributes, saved), "&Tables")

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Write report…")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.error = QLabel("")
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(
            QLabel("Include (everything checked = the whole project), and extra tables:")
        )
        layout.addWidget(tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._context_changed()
        common.fit_to_screen(self, 560, 620)

    def _quote_controls(self, saved: dict[str, Any], attributes: list[str]) -> None:
        """Context, order (and grouping), quotation marks and attribution."""
        self.context_kind = QComboBox()
        for key, label in CONTEXT_KINDS:
            self.context_kind.addItem(label, key)
        self.context_chars = QSpinBox()
        self.context_chars.setRange(1, 5000)
        self.context_chars.setSuffix(" characters")
        self.context_chars.setValue(int(saved.get("context_chars", 120) or 120))
        kind = saved.get("context_kind", "none")
        self.context_kind.setCurrentIndex(max(self.context_kind.findData(kind), 0))
        self.context_kind.currentIndexChanged.connect(self._context_changed)
        self.order = QComboBox()
        for key, label in ORDERS:
            self.order.addItem(label, key)
        for name in attributes:
            self.order.addItem(f"Grouped by {name}", f"attribute={name}")
        self.order.setCurrentIndex(max(self.order.findData(saved.get("order", "document")), 0))
        self.marks = QComboBox()
        for key, label in MARKS:
            self.marks.addItem(label, key)
        self.marks.setCurrentIndex(max(self.marks.findData(saved.get("quote_marks", "double")), 0))
        self.cite = QLineEdit(str(saved.get("cite") or ""))
        self.cite.setPlaceholderText("document, paragraph, speaker, case")
        self.cite.setToolTip(
            "What follows each quote: document, speaker, case, paragraph and "
            "attribute names, separated by commas"
        )

    def _form(self) -> QFormLayout:
        form = QFormLayout()
        form.addRow("&Title:", self.title)
        form.addRow("&Author:", self.author)
        context_row = QHBoxLayout()
        context_row.addWidget(self.context_kind, 1)
        context_row.addWidget(self.context_chars)
        context_label = QLabel("&Context:")
        context_label.setBuddy(self.context_kind)
        form.addRow(context_label, context_row)
        form.addRow("&Quotes:", self.order)
        form.addRow("&Marks:", self.marks)
        form.addRow("Attri&bution:", self.cite)
        form.addRow("&Page size:", self.page)
        for box in (
            self.memos,
            self.chart,
            self.include_children,
            self.agreement,
            self.annotations,
            self.open_after,
            self.pseudonymise,
        ):
            form.addRow("", box)
        for w, name in (
            (self.title, "Title"),
            (self.author, "Author"),
            (self.context_kind, "Context"),
            (self.context_chars, "Context characters"),
            (self.order, "Quote order"),
            (self.page, "Page size"),
            (self.marks, "Quotation marks"),
            (self.cite, "Attribution fields"),
        ):
            w.setAccessibleName(name)
        return form

    def _coders_tab(self, saved: dict[str, Any]) -> QWidget:
        """The coders whose codings count, and what counts when several are checked."""
        page = QWidget()
        self.consensus = _combo(CONSENSUS, saved.get("consensus"), "What counts")
        form = QFormLayout()
        form.addRow("What cou&nts:", self.consensus)
        note = QLabel(
            "Counts and quotes: a document or case counts, a passage is quoted, when enough of "
            "the checked coders coded it. The agreement section compares the checked coders "
            "(all checked: the two with the most codings in documents both coded)."
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(self.coders, 1)
        layout.addLayout(form)
        layout.addWidget(note)
        return page

    def _agreement_tab(self, saved: dict[str, Any]) -> QWidget:
        """The unit agreement is measured on, how the overall row is formed, segment overlap."""
        page = QWidget()
        self.agreement_unit = _combo(AGREEMENT_UNITS, saved.get("agreement_unit"), "Unit")
        self.pooling = _combo(POOLINGS, saved.get("agreement_pooling"), "Overall row")
        self.min_overlap = QSpinBox()
        self.min_overlap.setRange(1, 100)
        self.min_overlap.setSuffix(" %")
        self.min_overlap.setValue(int(saved.get("min_overlap", 90) or 90))
        self.min_overlap.setAccessibleName("Minimum overlap of matching segments")
        self.min_overlap.setToolTip(
            "Coded segments: two codings of a code match when they overlap by at least this "
            "share of their union"
        )

        def unit_changed() -> None:
            self.min_overlap.setEnabled(self.agreement_unit.currentData() == "segment")

        self.agreement_unit.currentIndexChanged.connect(lambda _i: unit_changed())
        unit_changed()
        form = QFormLayout(page)
        form.addRow("Un&it:", self.agreement_unit)
        form.addRow("O&verall:", self.pooling)
        form.addRow("Minimum ov&erlap:", self.min_overlap)
        note = QLabel(
            "Only documents every compared coder coded are compared, or the documents checked "
            "under Documents when not all are: those are in scope for every coder, coded or not."
        )
        note.setWordWrap(True)
        form.addRow(note)
        return page

    def _tables_tab(self, attributes: list[str], saved: dict[str, Any]) -> QWidget:
        """The extra tables: code × case, code × attribute values, the analysed cases."""
        page = QWidget()
        self.matrix = QCheckBox("Codings per code and case (code × case)")
        self.matrix.setChecked(bool(saved.get("matrix", False)))
        self.crosstab = QComboBox()
        self.crosstab.addItem("No cross-tabulation", None)
        for name in attributes:
            self.crosstab.addItem(f"Cases per code and {name} value", name)
        self.case_table = QCheckBox("The analysed cases and their documents, with attributes:")
        self.case_table.setChecked(bool(saved.get("case_table", False)))
        self.case_attributes = QLineEdit(", ".join(attributes[:3]))
        self.case_attributes.setPlaceholderText("attribute names, separated by commas")
        self.case_attributes.setEnabled(self.case_table.isChecked())
        self.case_table.toggled.connect(self.case_attributes.setEnabled)
        for w, name in (
            (self.matrix, "Code by case table"),
            (self.crosstab, "Cross-tabulation"),
            (self.case_table, "Table of cases"),
            (self.case_attributes, "Attributes in the table of cases"),
        ):
            w.setAccessibleName(name)
        layout = QVBoxLayout(page)
        layout.addWidget(self.matrix)
        layout.addWidget(self.crosstab)
        layout.addWidget(self.case_table)
        layout.addWidget(self.case_attributes)
        layout.addStretch(1)
        return page

    def _context_changed(self) -> None:
        self.context_chars.setEnabled(self.context_kind.currentData() == "chars")

    def options(self) -> ReportOptions:
        kind = self.context_kind.currentData()
        context: int | str = {"chars": self.context_chars.value(), "none": 0}.get(kind, kind)
        for name, lst in (
            ("codes", self.codes),
            ("documents", self.documents),
            ("cases", self.cases),
            ("coders", self.coders),
        ):
            if lst.model.items and not lst.model.checked_ids():
                raise CoderError(f"check at least one of the {name}")
        return ReportOptions(
            codes=self.codes.model.selection(),
            documents=self.documents.model.selection(),
            cases=self.cases.model.selection(),
            coders=self.coders.model.selection(),
            context=context,
            include_memos=self.memos.isChecked(),
            include_chart=self.chart.isChecked(),
            include_children=self.include_children.isChecked(),
            include_agreement=self.agreement.isChecked(),
            agreement_unit=self.agreement_unit.currentData(),
            agreement_pooling=self.pooling.currentData(),
            min_overlap=self.min_overlap.value(),
            consensus=self.consensus.currentData(),
            order=self.order.currentData(),
            quote_marks=self.marks.currentData(),
            cite=parse_cite(self.cite.text()),
            matrix=self.matrix.isChecked(),
            crosstab=self.crosstab.currentData(),
            case_table=(
                tuple(n.strip() for n in self.case_attributes.text().split(",") if n.strip())
                if self.case_table.isChecked()
                else None
            ),
            include_annotations=self.annotations.isChecked(),
            title=self.title.text().strip(),
            author=self.author.text().strip(),
            page_size=self.page.currentText(),
        )

    def accept(self) -> None:
        from coder.core.export.report import check_options  # loaded meanwhile (see preload)

        try:
            check_options(self.project, self.options())
        except CoderError as e:
            self.error.setText(str(e).capitalize() + ".")
            return
        settings.set_value(
            SETTINGS_KEY,
            {
                "author": self.author.text().strip(),
                "context_kind": self.context_kind.currentData(),
                "context_chars": self.context_chars.value(),
                "order": self.order.currentData(),
                "quote_marks": self.marks.currentData(),
                "cite": self.cite.text().strip(),
                "matrix": self.matrix.isChecked(),
                "case_table": self.case_table.isChecked(),
                "include_annotations": self.annotations.isChecked(),
                "include_memos": self.memos.isChecked(),
                "include_chart": self.chart.isChecked(),
                "include_children": self.include_children.isChecked(),
                "open_after": self.open_after.isChecked(),
                "include_agreement": self.agreement.isChecked(),
                "agreement_unit": self.agreement_unit.currentData(),
                "agreement_pooling": self.pooling.currentData(),
                "min_overlap": self.min_overlap.value(),
                "consensus": self.consensus.currentData(),
                "page_size": self.page.currentText(),
            },
        )
        super().accept()
