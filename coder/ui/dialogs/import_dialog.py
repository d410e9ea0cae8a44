"""The end of an import: which files came in, and why the others did not."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from coder.core.project import ImportReport


def report_text(report: ImportReport) -> str:
    lines = [f"{path.name}: {message}" for path, message in report.failed]
    return "\n".join(lines)


class ImportReportDialog(QDialog):
    """Lists every file that could not be imported (the others were imported)."""

    def __init__(self, report: ImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.setWindowTitle("Import finished")
        layout = QVBoxLayout(self)
        n_ok, n_bad = len(report.imported), len(report.failed)
        summary = f"Imported {n_ok} document{'s' if n_ok != 1 else ''}."
        if n_bad:
            summary += f" {n_bad} file{'s' if n_bad != 1 else ''} could not be imported:"
        if report.cancelled:
            summary += " The import was cancelled; the remaining files were not imported."
        self.summary = QLabel(summary)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.details = QPlainTextEdit(report_text(report))
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Files not imported")
        self.details.setVisible(bool(n_bad))
        layout.addWidget(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.resize(560, 300 if n_bad else 120)
