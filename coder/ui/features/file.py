"""File menu: new, open, recent, demo, import documents (off the GUI thread), close, quit."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QApplication, QFileDialog

from coder.core import settings
from coder.core.demo import create_demo_project
from coder.core.errors import CoderError
from coder.core.importers import supported_extensions
from coder.core.lock import lock_path
from coder.core.project import EXTENSION, ImportReport, Project
from coder.ui.actions import action

if TYPE_CHECKING:
    from coder.core.progress import Progress
    from coder.ui.main_window import MainWindow
    from coder.ui.tasks import Task

PROJECT_FILTER = f"Coder projects (*{EXTENSION})"


@action("file.new", "File", "&New project…", shortcut="Ctrl+N", enabled_when="always", order=10)
def new_project(window: MainWindow) -> None:
    path, _ = QFileDialog.getSaveFileName(
        window, "New project", str(Path.home() / f"Project{EXTENSION}"), PROJECT_FILTER
    )
    if not path:
        return
    if not path.lower().endswith(EXTENSION):
        path += EXTENSION
    create_project(window, Path(path))


def create_project(window: MainWindow, path: Path) -> bool:
    try:
        project = Project.create(path)
    except CoderError as e:
        window.show_error(str(e))
        return False
    window.set_project(project)
    settings.add_recent_project(path)
    return True


@action("file.open", "File", "&Open project…", shortcut="Ctrl+O", enabled_when="always", order=20)
def open_project(window: MainWindow) -> None:
    start = str(window.project.path.parent) if window.project else str(Path.home())
    path, _ = QFileDialog.getOpenFileName(
        window, "Open project", start, PROJECT_FILTER + ";;All files (*)"
    )
    if path:
        window.open_project(path)


DEMO_NAME = "Demo project"


def demo_path(fresh: bool = False) -> Path:
    """Where the demo project lives: in the user data folder, so that work done in it stays.
    ``fresh``: the first free name for a new copy ("Demo project 2.coder")."""
    folder = settings.data_dir()
    path = folder / f"{DEMO_NAME}{EXTENSION}"
    n = 1
    while fresh and (path.exists() or lock_path(path).exists()):
        n += 1
        path = folder / f"{DEMO_NAME} {n}{EXTENSION}"
    return path


def open_demo(window: MainWindow, fresh: bool = False) -> bool:
    """Open the demo project, building it on first use (or a new copy with ``fresh``); it is
    listed in Recent projects like any other project."""
    path = demo_path(fresh)
    if not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            create_demo_project(path)
        except (CoderError, OSError) as e:
            window.show_error(f"the demo project could not be made in {path.parent}: {e}")
            return False
    return window.open_project(path)


@action("file.open_demo", "File", "Open &demo project", enabled_when="always", order=30)
def open_demo_action(window: MainWindow) -> None:
    """Your demo copy (with the work done in it), or a fresh copy beside it."""
    if not demo_path().exists():
        open_demo(window)
        return
    from coder.ui.views import common

    choice = common.ask_buttons(
        window,
        "Open demo project",
        f"You have a copy of the demo project with your work in it ({demo_path()}). Open it, "
        "or start a fresh copy beside it?",
        ["Open my copy", "Start a fresh copy"],
    )
    if choice is not None:
        open_demo(window, fresh=choice == "Start a fresh copy")


@action(
    "file.save_copy",
    "File",
    "Save a &copy as…",
    shortcut="Ctrl+Shift+S",
    enabled_when="project",
    order=40,
    status_tip="Save the project, as it is now, into a new file; you keep working here",
)
def save_copy_action(window: MainWindow) -> None:
    project = window.project
    assert project is not None
    start = settings.get("last_copy_folder") or str(Path.home())
    suggested = str(Path(start) / f"{project.name} copy{EXTENSION}")
    path, _ = QFileDialog.getSaveFileName(
        window,
        "Save a copy of the project",
        suggested,
        PROJECT_FILTER,
        options=QFileDialog.Option.DontConfirmOverwrite,  # never overwrites: said below
    )
    if path:
        if not path.lower().endswith(EXTENSION):
            path += EXTENSION
        save_copy(window, Path(path))


def save_copy(window: MainWindow, path: Path) -> bool:
    """Write a copy of the open project to ``path`` (a new file) and list it in Recent
    projects; the window stays on the project it has open."""
    from coder.core.restore import save_copy as write_copy

    project = window.project
    assert project is not None
    try:
        write_copy(project, path)
    except CoderError as e:
        window.show_error(str(e))
        return False
    settings.set_value("last_copy_folder", str(path.parent))
    settings.add_recent_project(path)
    window.show_status(f"Saved a copy as {path} (File → Open Recent lists it)")
    return True


def document_filter() -> str:
    exts = " ".join(f"*{e}" for e in supported_extensions())
    return f"Documents ({exts});;All files (*)"


@action(
    "file.import",
    "File",
    "&Import documents…",
    shortcut="Ctrl+I",
    enabled_when="project",
    order=110,
    status_tip="Import transcripts and documents (txt, docx, odt, rtf, pdf, vtt, srt)",
)
def import_action(window: MainWindow) -> None:
    from coder.ui.dialogs.import_dialog import ImportOptionsDialog

    start = settings.get("last_import_folder") or str(Path.home())
    names, _ = QFileDialog.getOpenFileNames(window, "Import documents", start, document_filter())
    if not names:
        return
    paths = [Path(p) for p in names]
    settings.set_value("last_import_folder", str(paths[0].parent))
    dialog = ImportOptionsDialog(paths, window)
    if dialog.exec():
        import_documents(window, paths, **dialog.options())


def import_command_text(report: ImportReport) -> str:
    n = len(report.imported)
    if n == 1:
        return f"Import document '{report.imported[0].stem}'"
    return f"Import {n} documents"


def import_worker(
    source: Project,
    paths: list[Path],
    progress: Progress,
    speakers: str = "auto",
    case_per_document: bool = False,
) -> ImportReport:
    """Import in a worker thread through its own connection (one transaction per file)."""
    project = source.worker_connection()
    try:
        report = project.import_files(
            paths,
            speakers=speakers,
            case_per_document=case_per_document,
            progress=lambda d, t, p: progress(d, t, Path(p).name),
        )
        report.changes.prepare()  # what the views will ask of it, worked out here
        return report
    finally:
        project.close()


def finish_import(window: MainWindow, report: ImportReport, project: Project | None = None) -> None:
    """Back on the GUI thread: one undo step for the whole import, then the failures."""
    if project is not None and window.project is not project:
        # The project was closed meanwhile: the documents are in its file, but its undo
        # history is gone, so there is nothing to record.
        window.statusBar().showMessage(
            f"Imported {len(report.imported)} document(s) into {project.path.name}", 5000
        )
        return
    if report.changes:
        window.push_changes(import_command_text(report), report.changes)
        created = report.changes.created("documents")
        if created and window.view.doc_id is None:
            window.show_document(created[0])
    if report.failed or report.cancelled or report.warnings:
        from coder.ui.dialogs.import_dialog import ImportReportDialog

        dialog = ImportReportDialog(report, window)
        window.last_import_dialog = dialog
        dialog.open()
    elif report.imported:
        window.statusBar().showMessage(f"Imported {len(report.imported)} document(s)", 5000)


def import_documents(
    window: MainWindow, paths: list[Path], speakers: str = "auto", case_per_document: bool = False
) -> Task | None:
    """Import files off the GUI thread with progress and Cancel; returns the running task."""
    project = window.project
    if project is None:
        window.show_error("open or create a project first")
        return None
    if project.read_only:
        window.show_error(f"{project.path.name} is open read-only; documents cannot be imported")
        return None
    paths = list(paths)
    title = f"Importing {len(paths)} file(s)"
    return window.run_task(
        title,
        lambda progress: import_worker(project, paths, progress, speakers, case_per_document),
        lambda report: finish_import(window, report, project),
    )


@action(
    "file.close", "File", "&Close project", shortcut="Ctrl+W", enabled_when="project", order=900
)
def close_project(window: MainWindow) -> None:
    window.close_project()


@action("file.quit", "File", "&Quit", shortcut="Ctrl+Q", enabled_when="always", order=1000)
def quit_app(window: MainWindow) -> None:
    window.close()
    app: Any = QApplication.instance()
    if app is not None:
        app.quit()
