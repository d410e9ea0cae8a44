"""The report dialog offers what `coder report` offers: quotation marks, attribution, order and
grouping, the extra tables; wrong attribute names are refused in the dialog, before writing."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from coder.ui.dialogs.report_options import ReportOptionsDialog
from tests.ui.fake_window import build_project


@pytest.fixture
def project(tmp_path: Path):
    p = build_project(tmp_path / "study.coder")
    yield p
    p.close()


def test_dialog_builds_the_paper_options(qtbot, project):
    dialog = ReportOptionsDialog(project)
    qtbot.addWidget(dialog)
    first = dialog.options()
    assert (first.context, first.quote_marks, first.cite) == (0, "double", None)
    assert (first.matrix, first.crosstab, first.case_table) == (False, None, None)
    attribute = project.attributes()[0].name
    dialog.order.setCurrentIndex(dialog.order.findData(f"attribute={attribute}"))
    dialog.marks.setCurrentIndex(dialog.marks.findData("single"))
    dialog.cite.setText(f"case, {attribute}")
    dialog.matrix.setChecked(True)
    dialog.crosstab.setCurrentIndex(dialog.crosstab.findData(attribute))
    dialog.case_table.setChecked(True)
    dialog.case_attributes.setText(attribute)
    dialog.annotations.setChecked(False)
    opts = dialog.options()
    assert opts.order == f"attribute={attribute}"
    assert (opts.quote_marks, opts.cite) == ("single", ("case", attribute))
    assert (opts.matrix, opts.crosstab, opts.case_table) == (True, attribute, (attribute,))
    assert opts.include_annotations is False
    names = {w.accessibleName() for w in dialog.findChildren(QWidget)}
    assert {
        "Quotation marks",
        "Attribution fields",
        "Code by case table",
        "Cross-tabulation",
        "Table of cases",
        "Attributes in the table of cases",
    } <= names


def test_dialog_refuses_an_unknown_attribute_before_writing(qtbot, project):
    dialog = ReportOptionsDialog(project)
    qtbot.addWidget(dialog)
    dialog.cite.setText("case, height")
    dialog.accept()
    assert "no field or attribute named 'height'" in dialog.error.text()
    assert dialog.result() == 0
    dialog.cite.setText("")
    dialog.case_table.setChecked(True)
    dialog.case_attributes.setText("shoe size")
    dialog.accept()
    assert (
        dialog.error.text()
        == "No attribute named 'shoe size' (attributes: age, joined or returned)."
    )


def test_dialog_chooses_what_counts_and_how_agreement_is_measured(qtbot, project):
    dialog = ReportOptionsDialog(project)
    qtbot.addWidget(dialog)
    first = dialog.options()
    assert (first.consensus, first.agreement_unit, first.agreement_pooling) == (
        "any",
        "paragraph",
        "units",
    )
    assert not dialog.min_overlap.isEnabled()  # only segments have an overlap
    dialog.consensus.setCurrentIndex(dialog.consensus.findData("majority"))
    dialog.agreement_unit.setCurrentIndex(dialog.agreement_unit.findData("segment"))
    assert dialog.min_overlap.isEnabled()
    dialog.min_overlap.setValue(75)
    dialog.pooling.setCurrentIndex(dialog.pooling.findData("mean"))
    opts = dialog.options()
    assert (opts.consensus, opts.agreement_unit, opts.agreement_pooling) == (
        "majority",
        "segment",
        "mean",
    )
    assert opts.min_overlap == 75
    names = {w.accessibleName() for w in dialog.findChildren(QWidget)}
    assert {"What counts", "Unit", "Overall row", "Minimum overlap of matching segments"} <= names
    dialog.accept()  # remembered for the next report
    again = ReportOptionsDialog(project)
    qtbot.addWidget(again)
    assert again.options().agreement_unit == "segment" and again.min_overlap.value() == 75
