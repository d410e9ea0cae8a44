"""The project Search dock: full-text search with keyword-in-context results.

Enter runs the search; double-click or Enter on a hit emits ``passageActivated``;
"Code all results with…" applies one code to every hit as one undoable command.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from coder.core.bulk import apply_code_to_spans
from coder.core.errors import CoderError
from coder.core.model import SearchHit
from coder.core.project import Changes, Project
from coder.ui.models.search import (
    AFTER,
    BEFORE,
    DOCUMENT,
    MATCH,
    DocumentIdRole,
    HitRole,
    SearchResultsModel,
    SpanRole,
)
from coder.ui.views import announce, common

LIMIT = 2000


class SearchDock(common.ProjectDock):
    passageActivated = Signal(int, int, int)  # document id, start, end

    def __init__(self, window: Any) -> None:
        super().__init__()
        self.window_ = window
        self.setObjectName("searchDock")
        self.setAccessibleName("Search the project")
        self.model = SearchResultsModel(self)
        self._query = ""

        self.box = common.filter_box(
            'Search all documents (word, "a phrase", prefix*)…', "Search text"
        )
        self.box.returnPressed.connect(self.run_search)
        self.box.installEventFilter(self)
        self.search_button = QPushButton("Search")
        self.search_button.setAccessibleName("Run search")
        self.search_button.clicked.connect(self.run_search)
        self.code_button = QPushButton("Code all results with…")
        self.code_button.setAccessibleName("Code all results with a code")
        self.code_button.setEnabled(False)
        self.code_button.clicked.connect(lambda: self.ask_code_all())
        self.status = QLabel()
        self.status.setAccessibleName("Search result count")

        self.view = QTableView()
        self.view.setAccessibleName("Search results")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        # The text before a match keeps its end (next to the match) visible.
        self.view.setItemDelegateForColumn(
            BEFORE, common.ElideDelegate(Qt.TextElideMode.ElideLeft, self.view)
        )
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(DOCUMENT, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(BEFORE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(MATCH, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(AFTER, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(DOCUMENT, 140)
        common.remember_header(header, "search")
        self.view.activated.connect(self._on_activated)
        self.empty_hint = common.EmptyHint(
            self.view,
            lambda: (
                f"No matches for '{self._query}'."
                if getattr(self, "_query", "")
                else "Type words and press Enter to search every document.\n"
                'Use "quotes" for a phrase and a trailing * for word beginnings.'
            ),
        )
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)

        top = QHBoxLayout()
        top.addWidget(self.box, 1)
        top.addWidget(self.search_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.code_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view)
        layout.addLayout(bottom)
        self._project: Project | None = None
        self.set_project(getattr(window, "project", None))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down in the search box goes to the results."""
        if (
            watched is self.box
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and self.model.rowCount() > 0
        ):
            self.view.setFocus(Qt.FocusReason.TabFocusReason)
            if not self.view.currentIndex().isValid():
                self.view.setCurrentIndex(self.model.index(0, 0))
            return True
        return super().eventFilter(watched, event)

    # ----------------------------------------------------------------- window interface

    @property
    def project(self) -> Project | None:
        return self._project

    def set_project(self, project: Project | None) -> None:
        self._project = project
        self._query = ""
        self.model.set_hits([])
        self.status.setText("")
        self.code_button.setEnabled(False)
        self.setEnabled(project is not None)

    def on_changes(self, changes: Changes) -> None:
        deleted = set(changes.deleted("documents"))
        if deleted:
            self.model.remove_documents(deleted)
            self._update_status()
        if self._query and changes.documents - deleted:
            # New documents may match; renamed ones must show their new name.
            self.run_search(self._query)

    def focus_search(self) -> None:
        self.box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.box.selectAll()

    def hits(self) -> list[Any]:
        return self.model.hits()

    # ----------------------------------------------------------------- commands

    def run_search(self, query: str | None = None) -> bool:
        project = self._project
        if query is not None and query is not False:
            self.box.setText(str(query))
        text = self.box.text().strip()
        if project is None or not text:
            return False
        try:
            hits = project.search(text, limit=LIMIT, context=60)
        except CoderError as e:
            self.model.set_hits([])
            self.status.setText(str(e))
            self.code_button.setEnabled(False)
            return False
        self._query = text
        self.model.set_hits(hits)
        self._update_status()
        return True

    def _update_status(self) -> None:
        n = self.model.rowCount()
        docs = len({h.document_id for h in self.model.hits()})
        if not self._query:
            self.status.setText("")
        elif n == 0:
            self.status.setText(f"No matches for '{self._query}'")
        else:
            more = f" (the first {LIMIT})" if n >= LIMIT else ""
            matches = f"{n} match{'es' if n != 1 else ''}{more}"
            self.status.setText(f"{matches} in {docs} document{'s' if docs != 1 else ''}")
        self.code_button.setEnabled(n > 0)
        if self._query:
            announce.announce(self, self.status.text())

    def code_all(self, code_id: int, hits: list[SearchHit] | None = None) -> bool:
        """Apply a code to every hit shown (or to ``hits``), as one undoable command."""
        project = self._project
        hits = self.model.hits() if hits is None else hits
        if project is None or not hits:
            return False
        try:
            code = project.code(code_id)
        except CoderError as e:
            self.window_.show_error(str(e))
            return False
        spans = [(h.document_id, h.start, h.end) for h in hits]
        what = "search result" if len(spans) == 1 else "search results"
        text = f"Code {len(spans)} {what} for '{self._query}' with '{code.name}'"
        return bool(self.window_.push(text, lambda: apply_code_to_spans(project, code_id, spans)))

    def selected_hits(self) -> list[SearchHit]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [self.model.index(r, 0).data(HitRole) for r in rows]

    def ask_code_all(self, hits: list[SearchHit] | None = None) -> None:
        project = self._project
        if project is None:
            return
        codes = project.codes()
        if not codes:
            self.window_.show_error("The codebook is empty: add a code first.")
            return
        n = self.model.rowCount() if hits is None else len(hits)
        choice = common.ask_choice(
            self,
            "Code search results",
            f"Code {'all ' if hits is None else ''}{n} results with:",
            [c.path for c in codes],
        )
        if choice is not None:
            self.code_all(next(c.id for c in codes if c.path == choice), hits)

    def _context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        if not self.view.selectionModel().isRowSelected(index.row(), QModelIndex()):
            self.view.selectRow(index.row())
        hits = self.selected_hits()
        menu = QMenu(self)
        menu.addAction("Show in document", lambda: self._on_activated(index))
        label = (
            "Code this result with…"
            if len(hits) == 1
            else f"Code {len(hits)} selected results with…"
        )
        menu.addAction(label, lambda: self.ask_code_all(hits))
        menu.addAction("Code all results with…", self.ask_code_all)
        menu.exec(self.view.viewport().mapToGlobal(pos))

    def _on_activated(self, index: QModelIndex) -> None:
        doc_id, span = index.data(DocumentIdRole), index.data(SpanRole)
        if doc_id is not None and span is not None:
            self.passageActivated.emit(int(doc_id), int(span[0]), int(span[1]))
