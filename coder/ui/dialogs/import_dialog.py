"""Importing documents: options before, and at the end which files came in and why others
did not."""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict

from PySide6.QtCore import QStringListModel
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListView,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from coder.core.project import ImportReport


class ImportOptions(TypedDict):
    """The options of ``coder.ui.features.file.import_documents``."""

    speakers: str
    case_per_document: bool


def report_text(report: ImportReport) -> str:
    lines = [f"{path.name}: {message}" for path, message in report.failed]
    lines += [f"{path.name} (imported): {message}" for path, message in report.warnings]
    return "\n".join(lines)


class ImportReportDialog(QDialog):
    """Lists every file that could not be imported (the others were imported), and what was
    not read perfectly in the files that were (bytes replaced, cue times unreadable)."""

    def __init__(self, report: ImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.setWindowTitle("Import finished")
        layout = QVBoxLayout(self)
        n_ok, n_bad = len(report.imported), len(report.failed)
        summary = f"Imported {n_ok} document{'s' if n_ok != 1 else ''}."
        if n_bad:
            summary += f" {n_bad} file{'s' if n_bad != 1 else ''} could not be imported:"
        if report.warnings:
            summary += " Some text was read with changes, listed below."
        if report.cancelled:
            summary += " The import was cancelled; the remaining files were not imported."
        self.summary = QLabel(summary)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.details = QPlainTextEdit(report_text(report))
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Files not imported, and warnings")
        shown = bool(n_bad or report.warnings)
        self.details.setVisible(shown)
        layout.addWidget(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.resize(560, 300 if shown else 120)


class ImportOptionsDialog(QDialog):
    """Before importing: the chosen files and how to read them."""

    def __init__(self, paths: list[Path], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import documents")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Import {len(paths)} file{'s' if len(paths) != 1 else ''}:"))
        self.files = QListView()
        self.files.setModel(QStringListModel([str(p) for p in paths], self))
        self.files.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.files.setAccessibleName("Files to import")
        layout.addWidget(self.files)
        self.speakers = QCheckBox("Detect &speaker turns (lines like “Name: text”)")
        self.speakers.setChecked(True)
        self.cases = QCheckBox("Create one &case per document (named after it)")
        layout.addWidget(self.speakers)
        layout.addWidget(self.cases)
        note = QLabel(
            "Each file is imported on its own; a file that cannot be read is listed at the "
            "end and the others are still imported. The whole import is one undo step."
        )
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 360)

    def options(self) -> ImportOptions:
        return {
            "speakers": "auto" if self.speakers.isChecked() else "none",
            "case_per_document": self.cases.isChecked(),
        }
