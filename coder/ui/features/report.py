"""File → Export: the Word report, the quote table (CSV/XLSX) and the codebook (.docx).

Each export asks where to save, then writes in a worker thread (on its own connection) with a
progress dialog and Cancel; a cancelled or failed export leaves no file behind.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from coder.core import settings
from coder.core.export import Cancelled
from coder.ui.actions import action

FOLDER_KEY = "export_folder"


def ask_save_path(window: Any, title: str, default_name: str, filters: str) -> str | None:
    """Where to save (None when cancelled). Tests replace this function."""
    from PySide6.QtWidgets import QFileDialog

    path, _ = QFileDialog.getSaveFileName(_parent(window), title, default_name, filters)
    return path or None


def run_dialog(dialog: Any) -> bool:
    """Show a modal dialog; True when accepted. Tests replace this function."""
    from PySide6.QtWidgets import QDialog

    return dialog.exec() == QDialog.DialogCode.Accepted


def _parent(window: Any) -> Any:
    from PySide6.QtWidgets import QWidget

    return window if isinstance(window, QWidget) else None


def open_file(path: Path) -> None:
    """Open a written file in its usual application. Tests replace this function."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _default_path(window: Any, name: str) -> str:
    folder = settings.get(FOLDER_KEY)
    if not (isinstance(folder, str) and Path(folder).is_dir()):
        folder = str(window.project.path.parent)
    return str(Path(folder) / name)


def _with_suffix(path: str, allowed: tuple[str, ...], default: str) -> Path:
    p = Path(path)
    if not any(p.name.lower().endswith(ext) for ext in allowed):
        p = p.with_name(p.name + default)
    return p


def ask_pseudonymise(window: Any, what: str) -> bool | None:
    """Export as it is (False), pseudonymised (True), or not at all (None). Only asked when
    the project has a pseudonym list. Tests replace this function."""
    if window.project is None or not window.project.pseudonyms():
        return False
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(_parent(window))
    box.setWindowTitle(f"Export {what}")
    box.setText(f"Export {what} as it is, or pseudonymised?")
    box.setInformativeText(
        "Pseudonymised: every original of the pseudonym list is replaced in everything "
        "written; the project keeps the originals."
    )
    plain = box.addButton("As it is", QMessageBox.ButtonRole.AcceptRole)
    pseudo = box.addButton("Export pseudonymised", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(plain)
    box.exec()
    if box.clickedButton() is pseudo:
        return True
    if box.clickedButton() is plain:
        return False
    return None


def _run_export(
    window: Any,
    title: str,
    path: Path,
    write: Callable[[Any, Callable[..., bool], Path], Any],
    done_message: Callable[[Any], str],
    open_after: bool = False,
    pseudonymise: bool = False,
) -> Any:
    """Write ``path`` with ``write(project, progress, target)`` off the GUI thread; from a
    pseudonymised copy when ``pseudonymise``."""
    project = window.project
    settings.set_value(FOLDER_KEY, str(path.parent))

    def work(progress: Callable[..., bool]) -> Any:
        conn = project.worker_connection()
        try:
            if pseudonymise:
                from coder.core.pseudonymise.project import export_pseudonymised

                return export_pseudonymised(
                    conn, path, lambda copy, target: write(copy, progress, target)
                )
            return write(conn, progress, path)
        except Cancelled:
            return None
        finally:
            conn.close()

    def finished(result: Any) -> None:
        message = (
            "Export cancelled; nothing was written." if result is None else done_message(result)
        )
        if result is not None and pseudonymise:
            message += " (pseudonymised)"
        status = getattr(window, "statusBar", None)
        if callable(status):
            status().showMessage(message, 10000)
        window.last_export_message = message
        if result is not None and open_after:
            open_file(path)

    return window.run_task(title, work, finished)


# The writers run in the worker, and import their modules (python-docx, lxml, openpyxl) there:
# on the GUI thread that import alone would freeze the window for a quarter of a second.


def _write_report(project: Any, out: Path, options: Any, progress: Any) -> Any:
    from coder.core.export.report import write_report

    return write_report(project, out, options, progress)


def _write_quote_table(project: Any, out: Path, progress: Any) -> Any:
    from coder.core.export.tables import write_quote_table

    return write_quote_table(project, out, progress=progress)


def _write_codebook(project: Any, out: Path, author: str) -> Any:
    from coder.core.export.codebook_docx import write_codebook

    return write_codebook(project, out, author=author)


@action(
    "file.export_report",
    "File/Export",
    "&Word report…",
    enabled_when="project",
    order=100,
    status_tip="A .docx report: summary table, chart, quotes per code, memos, codebook",
)
def export_report(window: Any) -> Any:
    from coder.ui.dialogs.report_options import ReportOptionsDialog

    project = window.project
    dialog = ReportOptionsDialog(project, _parent(window))
    if not run_dialog(dialog):
        return None
    options = dialog.options()
    path = ask_save_path(
        window,
        "Save the Word report",
        _default_path(window, f"{project.name} report.docx"),
        "Word document (*.docx)",
    )
    if not path:
        return None
    out = _with_suffix(path, (".docx",), ".docx")
    return _run_export(
        window,
        "Writing the Word report",
        out,
        lambda conn, progress, target: _write_report(conn, target, options, progress),
        lambda r: f"Wrote {out.name}: {r.codes} codes, {r.passages} quotes",
        open_after=dialog.open_after.isChecked(),
        pseudonymise=dialog.pseudonymise.isChecked(),
    )


@action(
    "file.export_quotes",
    "File/Export",
    "&Quote table (CSV/XLSX)…",
    enabled_when="project",
    order=110,
    status_tip="One row per coding: document, code, coder, speaker, case, attributes, text",
)
def export_quote_table(window: Any) -> Any:
    project = window.project
    pseudonymise = ask_pseudonymise(window, "the quote table")
    if pseudonymise is None:
        return None
    path = ask_save_path(
        window,
        "Save the quote table",
        _default_path(window, f"{project.name} quotes.xlsx"),
        "Excel workbook (*.xlsx);;CSV, UTF-8 (*.csv)",
    )
    if not path:
        return None
    out = _with_suffix(path, (".xlsx", ".csv"), ".xlsx")
    return _run_export(
        window,
        "Writing the quote table",
        out,
        lambda conn, progress, target: _write_quote_table(conn, target, progress),
        lambda n: f"Wrote {out.name}: {n} codings",
        pseudonymise=pseudonymise,
    )


@action(
    "file.export_codebook",
    "File/Export",
    "Codebook (.&docx)…",
    enabled_when="project",
    order=120,
    status_tip="Every code with its definition, criteria, example and memo, as a Word document",
)
def export_codebook(window: Any) -> Any:
    project = window.project
    pseudonymise = ask_pseudonymise(window, "the codebook")
    if pseudonymise is None:
        return None
    path = ask_save_path(
        window,
        "Save the codebook",
        _default_path(window, f"{project.name} codebook.docx"),
        "Word document (*.docx)",
    )
    if not path:
        return None
    out = _with_suffix(path, (".docx",), ".docx")
    author = settings.coder_name()
    return _run_export(
        window,
        "Writing the codebook",
        out,
        lambda conn, progress, target: _write_codebook(conn, target, author),
        lambda n: f"Wrote {out.name}: {n} codes",
        pseudonymise=pseudonymise,
    )
