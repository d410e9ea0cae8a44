"""The workbench: document view in the centre, docks around it, one undo stack per project.

The docks are listed and wired in ``window_docks``, the menus built from the actions table
in ``window_menus``; this module owns the project's lifecycle and the API that docks and
features use.
"""

from __future__ import annotations

import base64
import inspect
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QByteArray, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QShowEvent,
    QStatusTipEvent,
    QUndoGroup,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QDockWidget,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QUndoView,
    QVBoxLayout,
    QWidget,
)

from coder.core import settings
from coder.core.errors import CoderError, ProjectLocked, ProjectNotWritable
from coder.core.project import Changes, Project
from coder.ui import accessible_names, tasks, window_docks, window_layout, window_menus
from coder.ui.commands import ServiceCommand, replays
from coder.ui.features import annotate, coding, screen_reader
from coder.ui.features import backup as backup_feature
from coder.ui.features import file as file_feature
from coder.ui.views.cases_dock import CasesDock
from coder.ui.views.codebook_dock import CodebookDock
from coder.ui.views.common import BULK_ROWS, ProjectDock
from coder.ui.views.document_view import DocumentView
from coder.ui.views.documents_dock import DocumentsDock
from coder.ui.views.explore_dock import ExploreDock
from coder.ui.views.find_bar import FindBar
from coder.ui.views.memos_dock import MemosDock
from coder.ui.views.retrieval_dock import RetrievalDock
from coder.ui.views.search_dock import SearchDock
from coder.ui.views.welcome_page import WelcomePage

if TYPE_CHECKING:  # opened from menus, whose features import them
    from coder.ui.dialogs.import_dialog import ImportReportDialog
    from coder.ui.views.agreement_window import AgreementWindow
    from coder.ui.views.cases_sheet import CasesSheet
    from coder.ui.views.pseudonyms_window import PseudonymsWindow

# Imported in the background after the first paint (see showEvent): the windows and exports
# opened from menus, and what the docks and editing import when first used.
PRELOAD = [
    "coder.ui.views.analysis_window",
    "coder.core.query.words",
    "coder.core.query.similar",
    "regex",
    "coder.core.editing",
    "coder.ui.views.agreement_window",
    "coder.ui.dialogs.merge_dialog",
    "coder.ui.dialogs.report_options",
    "coder.core.export.report.build",
]


def _without_arguments(
    service_fn: Callable[[], Changes] | Callable[[Project], Changes], project: Project
) -> Callable[[], Changes]:
    """An edit as a call without arguments (``service_fn`` may take the project)."""
    try:
        wants_project = len(inspect.signature(service_fn).parameters) == 1
    except (TypeError, ValueError):
        wants_project = False
    if wants_project:
        return partial(cast("Callable[[Project], Changes]", service_fn), project)
    return cast("Callable[[], Changes]", service_fn)


class MainWindow(QMainWindow):
    """The main window.

    What docks and features rely on: ``project``, ``undo_stack``, ``push(text, service_fn,
    merge_id, merge_key) -> bool`` (``service_fn`` takes no argument, or the project),
    ``push_changes(text, changes)`` (an edit already written, e.g. by a worker),
    ``on_changes(changes)``, ``show_error(message)``, ``confirm(question)``,
    ``ask_text(title, label, text, multiline)``, ``run_task(title, fn, on_done)``,
    ``show_document(doc_id)``, ``show_passage(doc_id, start, end)``, ``open_project(path)``,
    ``add_dock(widget, title, area)``, ``view`` (the DocumentView), ``docks`` and
    ``dock_widgets`` by key, ``trigger(action_id)``.
    """

    projectChanged = Signal()
    documentChanged = Signal()

    # The docks (built with the window, see ``window_docks``).
    documents_dock: DocumentsDock
    cases_dock: CasesDock
    codebook_dock: CodebookDock
    retrieval_dock: RetrievalDock
    search_dock: SearchDock
    memos_dock: MemosDock
    work_tabs: window_layout.WorkTabs  # the centre: the text, and panels moved beside it
    hidden_panels: list[QDockWidget]  # the panels F9 hid
    paragraph_dialog: screen_reader.ParagraphCodings | None = None  # Codings in this paragraph
    explore_dock: ExploreDock
    _names_pending = False  # the widgets are named as the window first paints

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setAccessibleName("Coder")
        self.project: Project | None = None
        self.undo_group = QUndoGroup(self)
        self._stack: QUndoStack | None = None
        self.last_code_id: int | None = None
        self.recent_codes: list[int] = []
        self.actions_by_id: dict[str, QAction] = {}
        self.docks: dict[str, QDockWidget] = {}
        self.dock_widgets: dict[str, ProjectDock] = {}
        # Windows other than docks that follow edits: on_changes(changes).
        self.listeners: list[CasesSheet | PseudonymsWindow] = []
        self.cases_sheet: CasesSheet | None = None
        self.pseudonyms_window: PseudonymsWindow | None = None
        self.recent_menu: QMenu | None = None
        # Kept by features: the last import report, export and REFI report (what the user saw),
        # the open agreement window, the coder filter of the text.
        self.last_import_dialog: ImportReportDialog | None = None
        self.last_export: Path | None = None
        self.last_export_message = ""
        self.last_refi_report: QMessageBox | None = None
        self.agreement_window: AgreementWindow | None = None
        self.coder_filter: tuple[set[int] | None, tuple[int, int] | None] = (None, None)

        self.view = DocumentView(self)
        size = settings.get("text_size")
        if isinstance(size, (int, float)):
            self.view.set_text_size(float(size))
        self.find_bar = FindBar(self.view, self)
        self.doc_title = QLabel("")
        self.no_document = QLabel(
            "Choose a document in the Documents list, or import one (Ctrl+I)."
        )
        self.welcome = WelcomePage(self)
        self.central = QStackedWidget()
        self._build_central()
        self.position_label = QLabel("")
        self.codes_label = QLabel("")
        self.mode_label = QLabel("")
        self._build_status_bar()

        self._build_undo_history()
        window_docks.create_docks(self)
        window_menus.build_menus(self)
        # Qt's inner widgets (clear buttons, lists) are named as the window first paints.
        self._names_pending = True
        self.announcer = screen_reader.StatusAnnouncer(self)  # what happened, said aloud
        # Periodic backups; the cloud/network folder warning.
        self.backup_guard = backup_feature.install(self)
        self.setTabOrder(self.view, self.view.stripes)
        self.setTabOrder(self.view.stripes, self.find_bar.edit)
        self.view.positionChanged.connect(self._on_position)
        self.view.menu_hook = self._fill_text_menu
        self.view.stripe_menu_hook = lambda menu, cid: coding.fill_coding_menu(self, menu, cid)
        self.view.remove_coding_hook = lambda cid: coding.remove_coding(self, cid)
        self.view.notes.menu_hook = lambda menu, notes: annotate.fill_note_menu(self, menu, notes)
        self.view.notes.edit_hook = lambda note: annotate.edit_note(self, note)
        self.undo_group.cleanChanged.connect(lambda _c: self.update_title())
        self.setAcceptDrops(True)
        window_layout.install(self)
        window_layout.initial_size(self)
        self._layout_restored = self._restore_state()
        self._last_document: tuple[str, int] | None = None
        self._dock_updates: list[Callable[[], None]] = []
        self._dock_timer = QTimer(self)
        self._dock_timer.setSingleShot(True)
        # 1 ms, not 0: Qt runs zero-delay timers before the input and paint events waiting.
        self._dock_timer.setInterval(1)
        self._dock_timer.timeout.connect(self._next_dock_update)
        self._remember = QTimer(self)
        self._remember.setSingleShot(True)
        self._remember.setInterval(1000)
        self._remember.timeout.connect(self._remember_document)
        window_layout.restore_in_place(self)
        self._first_show = True
        self._show_welcome()
        self.update_actions()
        self.update_title()

    def _build_undo_history(self) -> None:
        self.undo_view = QUndoView(self.undo_group)
        self.undo_view.setEmptyLabel("<project opened>")
        self.undo_view.setAccessibleName("Undo history")
        self.undo_dock = self.add_dock(self.undo_view, "Undo history", "right", name="undo_history")
        self.undo_dock.hide()

    def _build_central(self) -> None:
        """The centre: the welcome page, the document with its title and find bar, or a
        hint when no document is shown."""
        doc_pane = QWidget()
        pane_layout = QVBoxLayout(doc_pane)
        pane_layout.setContentsMargins(0, 0, 0, 0)
        pane_layout.setSpacing(0)
        self.doc_title.setObjectName("documentTitle")
        self.doc_title.setContentsMargins(10, 4, 10, 4)
        self.doc_title.setTextFormat(Qt.TextFormat.PlainText)
        self.doc_title.setAccessibleName("Document name")
        title_font = self.doc_title.font()
        title_font.setBold(True)
        title_font.setPointSizeF(title_font.pointSizeF() * 1.15)
        self.doc_title.setFont(title_font)
        pane_layout.addWidget(self.doc_title)
        pane_layout.addWidget(self.view, 1)
        pane_layout.addWidget(self.find_bar)
        self.no_document.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_document.setWordWrap(True)
        self.central.addWidget(self.welcome)
        self.central.addWidget(doc_pane)
        self.central.addWidget(self.no_document)
        self.setCentralWidget(self.central)

    def _build_status_bar(self) -> None:
        self.position_label.setAccessibleName("Selection position")
        self.codes_label.setAccessibleName("Codes at the cursor")
        self.statusBar().addWidget(self.position_label)
        self.statusBar().addWidget(self.codes_label, 1)
        self.statusBar().addPermanentWidget(self.mode_label)

    # ------------------------------------------------------------------ docks and actions

    def add_dock(
        self, widget: QWidget, title: str, area: str = "right", name: str | None = None
    ) -> QDockWidget:
        """Put ``widget`` in a dock (its state is saved under ``name``)."""
        return window_docks.add_dock(self, widget, title, area, name)

    def trigger(self, action_id: str) -> None:
        act = self.actions_by_id.get(action_id)
        if act is not None:
            act.trigger()

    def update_actions(self) -> None:
        has_project = self.project is not None
        has_doc = has_project and self.view.doc_id is not None
        has_sel = has_doc and self.view.textCursor().hasSelection()
        state = {"always": True, "project": has_project, "document": has_doc, "selection": has_sel}
        for act in self.actions_by_id.values():
            when = act.data()
            if isinstance(when, str) and when in state:
                act.setEnabled(state[when])

    # ------------------------------------------------------------------ API for docks and features

    @property
    def undo_stack(self) -> QUndoStack | None:
        return self._stack

    def push(
        self,
        text: str,
        service_fn: Callable[[], Changes] | Callable[[Project], Changes],
        merge_id: int = -1,
        merge_key: object = None,
    ) -> bool:
        """Run an edit as an undoable command; shows the error and returns False on failure."""
        if self.project is None or self._stack is None:
            self.show_error("open a project first")
            return False
        if self.project.read_only:
            self.show_error(f"{self.project.path.name} is open read-only; changes are not allowed")
            return False
        if replays(self).busy:
            self.show_error("an undo or redo is still being written; try again when it is done")
            return False
        fn = _without_arguments(service_fn, self.project)
        cmd = ServiceCommand(self, text, fn, merge_id=merge_id, merge_key=merge_key)
        outcome = cmd  # keep the Python side alive: the stack deletes failed commands
        self._stack.push(cmd)
        if outcome.error is not None:
            self.show_error(str(outcome.error))
            return False
        return True

    def push_changes(self, text: str, changes: Changes) -> None:
        """Record an edit that was already written (a worker's import) as one undo step."""
        if self._stack is None or not changes:
            return
        self._stack.push(ServiceCommand.from_changes(self, text, changes))

    def on_changes(self, changes: Changes) -> None:
        """Dispatch an edit's Changes to the document view and every dock."""
        if self.project is None:
            return
        self.view.apply_changes(changes)
        if self.view.doc_id is None:
            # Documents added or deleted by this change that exist now: an import (or its
            # redo), or undoing the deletion of the document that was shown.
            touched = [*changes.created("documents"), *changes.deleted("documents")]
            existing = {d.id for d in self.project.document_refs(touched)} if touched else set()
            created = [d for d in touched if d in existing]
            if created:
                # A document came (back): an import, or undoing the deletion of the one shown.
                self.show_document(created[0])
            elif self.central.currentIndex() == 1:
                self.central.setCurrentIndex(2)
        handlers = [partial(widget.on_changes, changes) for widget in self.dock_widgets.values()]
        handlers += [partial(listener.on_changes, changes) for listener in self.listeners]
        if changes.row_count > BULK_ROWS or self._dock_updates:
            # A bulk change (a merge, a big import, their undo): each dock catches up on its
            # own turn of the event loop, in order, so the window never stops for all of them.
            self._dock_updates += handlers
            if not self._dock_timer.isActive():
                self._dock_timer.start()
        else:
            for handler in handlers:
                handler()
        if self.view.doc_id is not None and self.view.doc_id in changes.documents:
            self.doc_title.setText(self.view.doc_name)
        self._on_position()
        self.update_actions()

    def _next_dock_update(self) -> None:
        if self._dock_updates:
            self._dock_updates.pop(0)()
        if self._dock_updates:
            self._dock_timer.start()

    def _fill_text_menu(self, menu: QMenu, inside: list[int]) -> None:
        """The text's context menu: coding, the codings here and the annotations here."""
        coding.fill_text_menu(self, menu, inside)
        annotate.fill_text_menu(self, menu, self.view.selection_cp()[0])

    def show_error(self, message: str) -> None:
        QMessageBox.warning(self, "Coder", message)

    def show_status(self, message: str, msecs: int = 5000) -> None:
        """A short note in the status bar about what just happened (kept for ``msecs`` even
        when the pointer passes over widgets without a status tip)."""
        self._status_until = time.monotonic() + msecs / 1000
        self.statusBar().showMessage(message, msecs)

    def event(self, event: QEvent) -> bool:
        if self._names_pending and event.type() == QEvent.Type.Paint:
            self._names_pending = False
            accessible_names.install(self)
        # Hovering a list or a button sends an empty status tip, which would wipe at once
        # the note of what the user just did ("Coded 14 characters…").
        if (
            isinstance(event, QStatusTipEvent)
            and not event.tip()
            and time.monotonic() < getattr(self, "_status_until", 0.0)
        ):
            return True
        return super().event(event)

    def show_info(self, message: str, details: str = "") -> None:
        box = QMessageBox(QMessageBox.Icon.Information, "Coder", message, parent=self)
        if details:
            box.setDetailedText(details)
        box.exec()

    def confirm(self, question: str, yes: str = "OK") -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, "Coder", question, parent=self)
        ok = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is ok

    def ask_text(
        self, title: str, label: str, text: str = "", multiline: bool = False
    ) -> str | None:
        """Ask for a line (or a memo); None when cancelled."""
        if multiline:
            from coder.ui.dialogs.note_dialog import ask_note

            return ask_note(self, title, label, text)
        else:
            value, ok = QInputDialog.getText(self, title, label, QLineEdit.EchoMode.Normal, text)
        return value if ok else None

    def run_task(self, title: str, fn: Callable[..., Any], on_done: Callable[[Any], None]) -> Any:
        """Run ``fn(progress)`` off the GUI thread with a progress dialog; returns the task."""
        return tasks.run_task(self, title, fn, on_done, self.show_error)

    def show_document(self, doc_id: int) -> None:
        if self.project is None:
            return
        if self.view.doc_id != doc_id:
            try:
                self.view.set_document(self.project, doc_id)
            except CoderError as e:
                self.show_error(str(e))
                return
            self.doc_title.setText(self.view.doc_name)
            if self.find_bar.isVisible():
                self.find_bar.search(self.find_bar.edit.text())
            # Remembered a moment later (once for quick switches): writing the settings file
            # is not worth a delay of the document appearing.
            self._last_document = (self.project.guid, doc_id)
            self._remember.start()
            self.documentChanged.emit()
        self.central.setCurrentIndex(1)
        self.update_actions()
        self._on_position()

    def show_passage(self, doc_id: int, start: int, end: int) -> None:
        """Open the document and select the passage (code points)."""
        self.show_document(doc_id)
        if self.view.doc_id == doc_id:
            self.view.select_cp(start, end)
            self.view.centerCursor()
            self.view.setFocus()

    # ------------------------------------------------------------------ projects

    def open_project(
        self, path: str | Path, read_only: bool = False, remember: bool = True
    ) -> bool:
        """Open a project file (asking what to do when another Coder holds it).

        ``remember`` adds it to the recent projects (not for throw-away copies like the demo).
        """
        path = Path(path)
        if self.project is not None and self.project.path.resolve() == path.resolve():
            return True  # already open here (opening it again would find our own lock)
        notice = ""
        try:
            # Off the window's thread: the checks take a moment, a first backup seconds.
            project = tasks.wait_for(
                self, f"Opening {path.stem}", lambda: Project.open(path, read_only=read_only)
            )
        except ProjectNotWritable as e:
            # A read-only disk or share, a full disk: reading still works, so open it to read.
            try:
                project = Project.open(path, read_only=True)
            except CoderError as e2:
                self.show_error(str(e2))
                return False
            notice = f"{path.name} is open read-only: {e.reason or e}. {e.advice}"
        except ProjectLocked as e:
            if not self.ask_read_only(str(e)):
                return False
            try:
                project = Project.open(path, read_only=True)
            except CoderError as e2:
                self.show_error(str(e2))
                return False
        except CoderError as e:
            self.show_error(str(e))
            return False
        self.set_project(project)
        if notice:
            self.statusBar().showMessage(notice)
            self.mode_label.setToolTip(notice)
        if remember:
            settings.add_recent_project(path)
        return True

    def ask_read_only(self, message: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, "Project in use", message, parent=self)
        ro = box.addButton("Open read-only", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is ro

    def set_project(self, project: Project) -> None:
        self.close_project()
        self.project = project
        self._stack = QUndoStack(self.undo_group)
        self.undo_group.setActiveStack(self._stack)
        self.last_code_id = None
        self.recent_codes = []
        # A dock per turn of the event loop, each painted before the next: the window never
        # stops for all of them (and the document) at once. The centre keeps what it showed
        # until the document is shown (not the welcome page for a moment).
        steps = [partial(widget.set_project, project) for widget in self.dock_widgets.values()]
        self.central.setUpdatesEnabled(False)
        try:
            tasks.in_turns([*steps, partial(self._show_project, project)])
        finally:
            self.central.setUpdatesEnabled(True)

    def _show_project(self, project: Project) -> None:
        """The last part of :meth:`set_project`: the document shown last time, the title."""
        self.mode_label.setText("Read-only" if project.read_only else "")
        self.mode_label.setToolTip("")
        doc_ids = [d.id for d in project.document_refs()]
        last = settings.get(f"last_document:{project.guid}")
        if doc_ids:
            self.show_document(last if last in doc_ids else doc_ids[0])
            self.view.setFocus()  # ready for the keyboard: select with Shift+arrows, code with 1–9
        else:
            self.central.setCurrentIndex(2)
        self.update_title()
        self.update_actions()
        self.projectChanged.emit()

    def _remember_document(self) -> None:
        """Note the document shown, to show it again when the project is next opened."""
        self._remember.stop()
        if self._last_document is not None:
            guid, doc_id = self._last_document
            self._last_document = None
            settings.set_value(f"last_document:{guid}", doc_id)

    def close_project(self) -> None:
        if self.project is None:
            return
        self._remember_document()
        self._dock_updates.clear()
        for widget in self.dock_widgets.values():
            widget.set_project(None)
        self.view.clear_document()
        self.view.coder_filter = self.view.compare = None  # coder ids belong to that project
        self.doc_title.setText("")
        self.find_bar.hide()
        if self._stack is not None:
            self.undo_group.removeStack(self._stack)
            self._stack.deleteLater()
            self._stack = None
        project, self.project = self.project, None
        project.close()
        self._show_welcome()
        self.update_title()
        self.update_actions()
        self.projectChanged.emit()

    def _show_welcome(self) -> None:
        self.welcome.refresh()
        self.central.setCurrentIndex(0)
        if self.welcome.recent_model.rowCount():
            self.welcome.recent.setCurrentIndex(self.welcome.recent_model.index(0, 0))
            self.welcome.recent.setFocus()
        self.position_label.setText("")
        self.codes_label.setText("")
        self.mode_label.setText("")

    def update_title(self) -> None:
        if self.project is None:
            self.setWindowTitle("Coder")
            return
        marker = " [read-only]" if self.project.read_only else ""
        self.setWindowTitle(f"{self.project.name}{marker} — Coder")
        self.setWindowFilePath(str(self.project.path))

    # ------------------------------------------------------------------ status bar

    def _on_position(self) -> None:
        view = self.view
        self.update_actions()
        if view.doc_id is None:
            self.position_label.setText("")
            self.codes_label.setText("")
            return
        a, b = view.selection_cp()
        parts = []
        if b > a:
            parts.append(f"Selection {a}–{b} ({b - a} characters)")
        else:
            parts.append(f"Position {a} of {view.pm.length}")
        para = view.paragraph_of(a)
        if para is not None:
            parts.append(f"¶ {para + 1}")
        speaker = view.speaker_at(a)
        if speaker:
            parts.append(f"Speaker: {speaker}")
        self.position_label.setText(" · ".join(parts))
        inside = view.codings_at(a) if b == a else [s for s in view.codings_at(a) if s.end >= b]
        names = []
        for s in inside:
            style = view.styles.get(s.code_id)
            if style is not None and style.path not in names:
                names.append(style.path)
        self.codes_label.setText(("Codes: " + ", ".join(names)) if names else "")

    # ------------------------------------------------------------------ window state

    def _restore_state(self) -> bool:
        geometry = settings.get("window_geometry")
        state = settings.get("window_state")
        try:
            if isinstance(geometry, str):
                self.restoreGeometry(QByteArray(base64.b64decode(geometry)))
            if isinstance(state, str):
                return bool(self.restoreState(QByteArray(base64.b64decode(state))))
        except (ValueError, TypeError):
            pass  # an unreadable saved layout: keep the default one
        return False

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._first_show:
            self._first_show = False
            # Once the window is up, the windows and exports opened later are imported in the
            # background: their first opening then only builds them.
            QTimer.singleShot(300, lambda: tasks.preload(PRELOAD))
            if not self._layout_restored:
                # Dock sizes only take once the window is laid out.
                QTimer.singleShot(0, lambda: window_layout.first_start_docks(self))

    def save_state(self) -> None:
        values = settings.load()
        values["window_geometry"] = base64.b64encode(bytes(self.saveGeometry().data())).decode()
        values["window_state"] = base64.b64encode(bytes(self.saveState().data())).decode()
        settings.save(values)

    def closeEvent(self, event: QCloseEvent) -> None:
        if tasks.running():
            # An import in flight finishes its current file (each is its own transaction).
            self.statusBar().showMessage("Stopping the running task…")
            tasks.cancel_all()
        self.save_state()
        self.close_project()
        super().closeEvent(event)

    # ------------------------------------------------------------------ drag and drop of files

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            return
        event.acceptProposedAction()
        QTimer.singleShot(0, lambda: self.drop_files(paths))

    def drop_files(self, paths: list[str]) -> None:
        """Open a dropped .coder file, or import dropped documents into the open project."""
        projects = [p for p in paths if p.lower().endswith(".coder")]
        if projects:
            self.open_project(projects[0])
            return
        if self.project is None:
            self.show_error("open or create a project before importing documents")
            return
        file_feature.import_documents(self, [Path(p) for p in paths])
