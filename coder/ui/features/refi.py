"""REFI-QDA in the window: File → Import → Codebook (.qdc) / Project (.qdpx) and File → Export.

Reading a file runs off the GUI thread (``read_qdc``/``read_qdpx`` touch no project); merging
it runs in a worker through its own connection and becomes ONE undo step
(``window.push_changes``). Exports run in a worker too. Every step shows progress; a hostile or
broken file gives one error message and leaves the project unchanged. Afterwards a report lists
what was imported and what was skipped and why.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from coder.core.errors import CoderError
from coder.core.progress import Cancelled
from coder.core.project import Project
from coder.ui.actions import action

if TYPE_CHECKING:  # the exchange modules load when a file is read or written, not at start-up
    from coder.core.refi.qdc import CodeIn, ImportResult
    from coder.ui.main_window import MainWindow

QDC_FILTER = "REFI-QDA codebooks (*.qdc)"
QDPX_FILTER = "REFI-QDA projects (*.qdpx)"


# --------------------------------------------------------------------------- dialogs


class DottedNamesDialog(QDialog):
    """Ask whether dotted code names (Taguette's ``a.b``) should become sub-codes."""

    def __init__(
        self, file_name: str, dotted: list[str], suggest: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import codes")
        layout = QVBoxLayout(self)
        examples = ", ".join(dotted[:3]) + (" …" if len(dotted) > 3 else "")
        info = QLabel(f"{len(dotted)} code name(s) in {file_name} contain dots, e.g. {examples}.")
        info.setWordWrap(True)
        layout.addWidget(info)
        self.checkbox = QCheckBox("Make dotted names into sub-codes (a.b becomes b under a)")
        self.checkbox.setAccessibleName("Make dotted names into sub-codes")
        self.checkbox.setChecked(suggest)
        layout.addWidget(self.checkbox)
        ok_cancel = QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        buttons = QDialogButtonBox(ok_cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def _dotted_names(codes: list[CodeIn]) -> list[str]:
    out: list[str] = []
    for c in codes:
        if "." in c.name.strip("."):
            out.append(c.name)
        out += _dotted_names(c.children)
    return out


def ask_dotted(window: Any, file_name: str, codes: list[CodeIn], origin: str) -> bool | None:
    """True/False for the dotted-names choice; None when the user cancels the import."""
    dotted = _dotted_names(codes)
    if not dotted:
        return False
    dialog = DottedNamesDialog(file_name, dotted, "taguette" in origin.casefold(), window)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.checkbox.isChecked()


def report_text(result: ImportResult) -> tuple[str, str]:
    """The message and the details (one line per skipped item or warning)."""
    lines = [f"Skipped {what}: {why}" for what, why in result.skipped]
    lines += [f"Conflict — {what}: {note}" for what, note in result.conflicts]
    lines += [f"Note — {what}: {note}" for what, note in result.warnings]
    message = result.summary()[0].upper() + result.summary()[1:] + "."
    return message, "\n".join(lines)


def show_report(window: Any, title: str, result: ImportResult) -> QMessageBox:
    """A non-blocking report of what the import did (kept on the window for tests)."""
    message, details = report_text(result)
    trouble = result.skipped or result.conflicts
    icon = QMessageBox.Icon.Warning if trouble else QMessageBox.Icon.Information
    box = QMessageBox(icon, title, message, parent=window)
    if details:
        box.setDetailedText(details)
        box.setInformativeText(
            f"{len(result.skipped)} item(s) skipped, {len(result.conflicts)} conflict(s), "
            f"{len(result.warnings)} note(s): "
            "see the details."
        )
    box.setAccessibleName(title)
    window.last_refi_report = box
    box.open()
    return box


# --------------------------------------------------------------------------- workers


def _apply_in_worker(project: Project, apply: Any) -> Any:
    def work(progress: Any) -> ImportResult:
        own = project.worker_connection()
        try:
            result = apply(own, progress)
            if result.changes:
                result.changes.prepare()  # what the views will ask of it, worked out here
            return result
        finally:
            own.close()

    return work


def _finish_import(window: Any, text: str, result: ImportResult) -> None:
    if result.changes:
        window.push_changes(text, result.changes)
    show_report(window, "Import finished", result)


# --------------------------------------------------------------------------- imports


def import_codebook(window: MainWindow, path: Path, dotted: bool | None = None) -> Any:
    """Read ``path`` off the GUI thread, ask about dotted names, merge as one undo step."""
    project = window.project
    if project is None or project.read_only:
        window.show_error("open a project (not read-only) to import a codebook into")
        return None

    from coder.core.refi import apply_codebook, read_qdc

    def read(progress: Any) -> Any:
        progress(0, 1, path.name)
        return read_qdc(path)

    def merge(book: Any) -> None:
        choice = (
            dotted if dotted is not None else ask_dotted(window, path.name, book.codes, book.origin)
        )
        if choice is None:
            return
        window.run_task(
            f"Importing {path.name}",
            _apply_in_worker(project, lambda own, _p: apply_codebook(own, book, choice)),
            lambda result: _finish_import(window, f"Import codebook '{path.name}'", result),
        )

    return window.run_task(f"Reading {path.name}", read, merge)


def import_project(window: MainWindow, path: Path, dotted: bool | None = None) -> Any:
    """Read a .qdpx off the GUI thread, then merge it into the open project as one undo step."""
    project = window.project
    if project is None or project.read_only:
        window.show_error("open a project (not read-only) to import into")
        return None

    from coder.core.refi import apply_qdpx, read_qdpx

    def read(progress: Any) -> Any:
        try:
            return read_qdpx(path, progress=progress)
        except Cancelled:
            return None

    def merge(content: Any) -> None:
        if content is None:
            return
        choice = (
            dotted
            if dotted is not None
            else ask_dotted(window, path.name, content.codes, content.origin)
        )
        if choice is None:
            return
        window.run_task(
            f"Importing {path.name}",
            _apply_in_worker(
                project, lambda own, progress: apply_qdpx(own, content, choice, progress)
            ),
            lambda result: _finish_import(window, f"Import project '{path.name}'", result),
        )

    return window.run_task(f"Reading {path.name}", read, merge)


@action(
    "refi.import_qdc",
    "File/Import",
    "Codebook (.qdc)…",
    enabled_when="project",
    order=10,
    status_tip="Merge a REFI-QDA codebook (from NVivo, ATLAS.ti, MAXQDA, QualCoder, Taguette…)",
)
def import_codebook_action(window: MainWindow) -> None:
    chosen, _ = QFileDialog.getOpenFileName(window, "Import codebook", str(Path.home()), QDC_FILTER)
    if chosen:
        import_codebook(window, Path(chosen))


@action(
    "refi.import_qdpx",
    "File/Import",
    "Project (.qdpx)…",
    enabled_when="always",
    order=20,
    status_tip="Import a REFI-QDA project: into the open project, or into a new one",
)
def import_project_action(window: MainWindow) -> None:
    chosen, _ = QFileDialog.getOpenFileName(
        window, "Import REFI-QDA project", str(Path.home()), QDPX_FILTER
    )
    if not chosen:
        return
    path = Path(chosen)
    if window.project is None:
        target, _ = QFileDialog.getSaveFileName(
            window,
            "New project for the import",
            str(path.with_suffix(".coder")),
            "Coder projects (*.coder)",
        )
        if not target:
            return
        if not new_project_for_import(window, Path(target)):
            return
    import_project(window, path)


def new_project_for_import(window: MainWindow, target: Path) -> bool:
    if target.suffix.lower() != ".coder":
        target = target.with_suffix(".coder")
    try:
        Project.create(target).close()
    except CoderError as e:
        window.show_error(str(e))
        return False
    return window.open_project(target)


# --------------------------------------------------------------------------- exports


def export_file(window: MainWindow, path: Path, kind: str, pseudonymise: bool = False) -> Any:
    """Export the codebook (``kind="qdc"``) or the project (``"qdpx"``) off the GUI thread;
    from a pseudonymised copy when ``pseudonymise``."""
    project = window.project
    if project is None:
        window.show_error("open a project first")
        return None

    from coder.core.refi import export_qdc, export_qdpx

    def write(own: Any, target: Path, progress: Any) -> Any:
        if kind == "qdc":
            progress(0, 1, path.name)
            return ("codes", export_qdc(own, target))
        return ("project", export_qdpx(own, target, progress))

    def work(progress: Any) -> Any:
        own = project.worker_connection()
        try:
            if pseudonymise:
                from coder.core.pseudonymise.project import export_pseudonymised

                return export_pseudonymised(
                    own, path, lambda copy, target: write(copy, target, progress)
                )
            return write(own, path, progress)
        except Cancelled:
            return ("cancelled", None)
        finally:
            own.close()

    def done(result: Any) -> None:
        what, _value = result
        if what == "cancelled":
            window.statusBar().showMessage("Export cancelled; nothing was written", 5000)
            return
        note = " (pseudonymised)" if pseudonymise else ""
        window.statusBar().showMessage(f"Exported {path}{note}", 8000)
        window.last_export = path

    return window.run_task(f"Exporting {path.name}", work, done)


def _ask_export_path(window: MainWindow, title: str, suffix: str, filt: str) -> Path | None:
    assert window.project is not None
    start = window.project.path.with_suffix(suffix)
    chosen, _ = QFileDialog.getSaveFileName(window, title, str(start), filt)
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


@action(
    "refi.export_qdc",
    "File/Export",
    "Codebook (.qdc)…",
    enabled_when="project",
    order=10,
    status_tip="Write the codebook as a REFI-QDA codebook for other QDA programs",
)
def export_codebook_action(window: MainWindow) -> None:
    from coder.ui.features.report import ask_pseudonymise

    pseudonymise = ask_pseudonymise(window, "the codebook")
    if pseudonymise is None:
        return
    path = _ask_export_path(window, "Export codebook", ".qdc", QDC_FILTER)
    if path is not None:
        export_file(window, path, "qdc", pseudonymise)


@action(
    "refi.export_qdpx",
    "File/Export",
    "Project (.qdpx)…",
    enabled_when="project",
    order=20,
    status_tip="Write the whole project as a REFI-QDA project for other QDA programs",
)
def export_project_action(window: MainWindow) -> None:
    from coder.ui.features.report import ask_pseudonymise

    pseudonymise = ask_pseudonymise(window, "the project")
    if pseudonymise is None:
        return
    path = _ask_export_path(window, "Export REFI-QDA project", ".qdpx", QDPX_FILTER)
    if path is not None:
        export_file(window, path, "qdpx", pseudonymise)
