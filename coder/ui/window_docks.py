"""The workbench's docks: one fixed list, created with the window, and how they are wired.

Every dock is built when the window is: an error in a dock's constructor is an error of the
window, never a dock quietly left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QWidget

from coder.ui.features import coding
from coder.ui.views.cases_dock import CasesDock
from coder.ui.views.codebook_dock import CodebookDock
from coder.ui.views.common import ProjectDock, no_repaint_on_activation
from coder.ui.views.documents_dock import DocumentsDock
from coder.ui.views.explore_dock import ExploreDock
from coder.ui.views.memos_dock import MemosDock
from coder.ui.views.retrieval_dock import RetrievalDock
from coder.ui.views.search_dock import SearchDock

if TYPE_CHECKING:
    from coder.ui.main_window import MainWindow

AREAS = {
    "left": Qt.DockWidgetArea.LeftDockWidgetArea,
    "right": Qt.DockWidgetArea.RightDockWidgetArea,
    "bottom": Qt.DockWidgetArea.BottomDockWidgetArea,
    "top": Qt.DockWidgetArea.TopDockWidgetArea,
}

# (key, title, area, tabbed with): the key also names the dock's saved state.
DOCKS: tuple[tuple[str, str, str, str | None], ...] = (
    ("documents", "Documents", "left", None),
    ("cases", "Cases", "left", "documents"),
    ("codebook", "Codebook", "right", None),
    ("retrieval", "Retrieved passages", "bottom", None),
    ("search", "Search project", "bottom", "retrieval"),
    ("memos", "Memos", "bottom", "retrieval"),
    ("explore", "Explore words", "bottom", "retrieval"),
)


def add_dock(
    window: MainWindow, widget: QWidget, title: str, area: str = "right", name: str | None = None
) -> QDockWidget:
    """Put ``widget`` in a dock of ``window`` (its state is saved under ``name``)."""
    dock = QDockWidget(title.replace("&&", "&"), window)
    key = name or type(widget).__name__
    dock.setObjectName(f"dock_{key}")
    dock.setWidget(widget)
    if not widget.accessibleName():
        widget.setAccessibleName(title.replace("&&", "&"))
    window.addDockWidget(AREAS.get(area, Qt.DockWidgetArea.RightDockWidgetArea), dock)
    window.docks[key] = dock
    return dock


def create_docks(window: MainWindow) -> None:
    """Build every dock of :data:`DOCKS` into ``window`` and connect their signals."""
    window.documents_dock = DocumentsDock(window)
    window.cases_dock = CasesDock(window)
    window.codebook_dock = CodebookDock(window)
    window.retrieval_dock = RetrievalDock(window)
    window.search_dock = SearchDock(window)
    window.memos_dock = MemosDock(window)
    window.explore_dock = ExploreDock(window)
    widgets: dict[str, ProjectDock] = {
        "documents": window.documents_dock,
        "cases": window.cases_dock,
        "codebook": window.codebook_dock,
        "retrieval": window.retrieval_dock,
        "search": window.search_dock,
        "memos": window.memos_dock,
        "explore": window.explore_dock,
    }
    for key, title, area, tab_with in DOCKS:
        window.dock_widgets[key] = widgets[key]
        dock = add_dock(window, widgets[key], title, area, name=key)
        if tab_with is not None:
            window.tabifyDockWidget(window.docks[tab_with], dock)
    for key, _title, _area, tab_with in DOCKS:
        if tab_with is None:
            window.docks[key].raise_()
    no_repaint_on_activation(window)
    _connect(window)


def _connect(window: MainWindow) -> None:
    codebook, retrieval = window.codebook_dock, window.retrieval_dock

    def code_activated(code_id: int) -> None:
        """Enter, double-click, the Code button or the menu on a code (never a plain click)."""
        if window.view.doc_id is None or not window.view.has_selection():
            window.statusBar().showMessage(
                "Select a passage in the text first, then press Enter on a code", 4000
            )
            return
        coding.apply_code(window, code_id)

    def passage_dropped(code_id: int, doc_id: int, start: int, end: int) -> None:
        coding.apply_code(window, code_id, passage=(doc_id, start, end))

    window.documents_dock.documentActivated.connect(window.show_document)
    codebook.codeActivated.connect(code_activated)
    codebook.passageDropped.connect(passage_dropped)
    codebook.selectedCodesChanged.connect(lambda code_ids: retrieval.show_codes(list(code_ids)))
    retrieval.passageActivated.connect(window.show_passage)
    window.search_dock.passageActivated.connect(window.show_passage)
    window.memos_dock.passageActivated.connect(window.show_passage)
    window.explore_dock.passageActivated.connect(window.show_passage)
    codebook.selectedCodesChanged.connect(lambda _ids: window.explore_dock.update_buttons())
    # A tabbed panel stays "visible" behind its neighbours' tabs: count words when in view.
    window.docks["explore"].visibilityChanged.connect(window.explore_dock.set_shown)
