"""The Explore dock: the word list, keyword in context, similar passages, auto-coding.

Click a word: its occurrences in context (sortable by the word before or after). Code the
selected rows, or all of them, with a code as one undoable command. "Find similar" from the
text's context menu lists the paragraphs most like the selection, each a click from being coded
with the last code used. Counting words and indexing paragraphs run off the GUI thread.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from coder.core.bulk import apply_code_to_spans
from coder.core.errors import CoderError
from coder.core.project import Changes, Project
from coder.core.stopwords import STOPWORD_LANGUAGES, stopwords
from coder.ui.models.explore import KwicModel, RowRole, SimilarModel, WordsModel
from coder.ui.tasks import Runner
from coder.ui.views import common

if TYPE_CHECKING:  # the queries are imported when the dock is first used
    from coder.core.query.similar import SimilarityIndex, SimilarPassage
    from coder.core.query.words import KwicRow, WordRow

KWIC_LIMIT = 5000


def _table(name: str) -> QTableView:
    view = QTableView()
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.setSortingEnabled(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 6)
    return view


class ExploreDock(common.ProjectDock):
    passageActivated = Signal(int, int, int)

    def __init__(self, window: Any) -> None:
        super().__init__()
        self.window_ = window
        self.setObjectName("exploreDock")
        self.setAccessibleName("Explore words")
        self._project: Project | None = None
        self.index: SimilarityIndex | None = None  # made by the first Find similar
        self._index_lock = threading.Lock()
        self.runner = Runner(self._error, self)  # the word list
        self.kwic_runner = Runner(self._error, self)
        self.similar_runner = Runner(self._error, self)
        self.term = ""  # the keyword asked for
        self.shown_term = ""  # the keyword of the rows shown
        self.words_computed = 0  # word lists counted (tests count work)
        self.kwic_computed = 0  # keyword-in-context tables shown
        self._words_shown = False
        self.shown = False  # in view: the panel's tab is the current one
        self._after_edit = QTimer(self)
        self._after_edit.setSingleShot(True)
        self._after_edit.setInterval(400)
        self._after_edit.timeout.connect(self._follow_texts)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._words_tab(), "Words")
        self.tabs.addTab(self._similar_tab(), "Similar passages")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.set_project(getattr(window, "project", None))

    # ----------------------------------------------------------------- building

    def _words_tab(self) -> QWidget:
        self.stop_box = QComboBox()
        self.stop_box.setAccessibleName("Stop words")
        self.stop_box.addItem("All words", None)
        for code, name in STOPWORD_LANGUAGES.items():
            self.stop_box.addItem(f"Without {name.title()} stop words", code)
        self.stop_box.setCurrentIndex(1)
        self.min_length = QSpinBox()
        self.min_length.setRange(1, 30)
        self.min_length.setValue(3)
        self.min_length.setPrefix("min. length ")
        self.min_length.setAccessibleName("Minimum word length")
        self.scope_box = QComboBox()
        self.scope_box.setAccessibleName("Count words in")
        self.scope_box.setMinimumContentsLength(14)
        self.scope_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.count_button = QPushButton("Count words")
        self.count_button.clicked.connect(self.count_words)
        # A changed choice counts again at once (a running count is cancelled).
        self.stop_box.currentIndexChanged.connect(lambda _i: self.count_words())
        self.min_length.valueChanged.connect(lambda _v: self.count_words())
        self.scope_box.currentIndexChanged.connect(lambda _i: self._scope_changed())
        self.runner.busy.connect(lambda busy: self.count_button.setEnabled(not busy))
        self.autocode_button = QPushButton("Auto-code…")
        self.autocode_button.setAccessibleName("Auto-code with a preview")
        self.autocode_button.clicked.connect(lambda: self.open_autocode())
        self.word_filter = common.filter_box("Filter words…", "Filter words")

        self.words_model = WordsModel(self)
        self.word_filter.textChanged.connect(self.words_model.set_filter)
        # Enter: the typed words in context (a phrase, or "famil*" for any ending).
        self.word_filter.returnPressed.connect(lambda: self.show_kwic(self.word_filter.text()))
        self.word_filter.setToolTip(
            "Type to filter the list; press Enter to see the typed words in context "
            "(a phrase, or a final * for any ending)"
        )
        self.words_view = _table("Word list")
        self.words_view.setModel(self.words_model)
        words_header = self.words_view.horizontalHeader()
        words_header.setMinimumSectionSize(36)
        words_header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 58), (2, 48), (3, 48)):
            words_header.resizeSection(column, width)
        self.words_view.selectionModel().currentRowChanged.connect(self._word_chosen)

        self._build_kwic()

        top = QHBoxLayout()
        for w in (self.word_filter, self.scope_box, self.stop_box, self.min_length):
            top.addWidget(w)
        top.addWidget(self.count_button)
        top.addStretch(1)
        top.addWidget(self.autocode_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.kwic_view)
        bottom = QHBoxLayout()
        bottom.addWidget(self.kwic_status, 1)
        bottom.addWidget(self.code_selected)
        bottom.addWidget(self.code_all)
        right_layout.addLayout(bottom)
        split = QSplitter()
        split.addWidget(self.words_view)
        split.addWidget(right)
        split.setStretchFactor(1, 3)
        split.setSizes([340, 900])
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        return page

    def _build_kwic(self) -> None:
        """Keyword in context: the lines of the chosen word, and coding them."""
        self.kwic_model = KwicModel(self)
        self.kwic_view = _table("Keyword in context")
        self.kwic_view.setModel(self.kwic_model)
        self.kwic_view.setItemDelegateForColumn(
            2, common.ElideDelegate(Qt.TextElideMode.ElideLeft, self.kwic_view)
        )
        header = self.kwic_view.horizontalHeader()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(0, 160)
        self.kwic_view.activated.connect(self._kwic_activated)
        self.kwic_status = QLabel()
        self.code_selected = QPushButton("Code selected with…")
        self.code_selected.clicked.connect(lambda: self.ask_code_rows(selected=True))
        self.code_all = QPushButton("Code all with…")
        self.code_all.clicked.connect(lambda: self.ask_code_rows(selected=False))

    def _similar_tab(self) -> QWidget:
        self.similar_model = SimilarModel(self)
        self.similar_view = _table("Similar passages")
        self.similar_view.setModel(self.similar_model)
        self.similar_view.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.similar_view.horizontalHeader().resizeSection(1, 180)
        self.similar_view.activated.connect(self._similar_activated)
        self.similar_status = QLabel("Select a passage, right-click it and choose Find similar.")
        self.similar_status.setWordWrap(True)
        self.code_similar = QPushButton("Code selected with…")
        self.code_similar.clicked.connect(self.ask_code_similar)
        self.code_similar_last = QPushButton("Code with last code")
        self.code_similar_last.clicked.connect(lambda: self.code_similar_rows(None))
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(4, 4, 4, 0)
        layout.addWidget(self.similar_view, 1)
        row = QHBoxLayout()
        row.addWidget(self.similar_status, 1)
        row.addWidget(self.code_similar_last)
        row.addWidget(self.code_similar)
        layout.addLayout(row)
        return page

    # ----------------------------------------------------------------- window interface

    @property
    def project(self) -> Project | None:
        return self._project

    def set_project(self, project: Project | None) -> None:
        self._after_edit.stop()
        for runner in (self.runner, self.kwic_runner, self.similar_runner):
            runner.cancel()
        self._project = project
        self.index = None
        self._index_lock = threading.Lock()
        for model in (self.words_model, self.kwic_model, self.similar_model):
            model.set_rows([])
        self.term = self.shown_term = ""
        self.kwic_status.setText("")
        self._fill_scopes()
        self.update_buttons()
        self.setEnabled(project is not None)
        self._words_shown = False
        if project is not None and self.shown:
            self.count_words()

    def on_changes(self, changes: Changes) -> None:
        """A text added, edited or removed, or (when counting a code's passages) a coding
        made, changed or removed: the word list and the rows in context follow."""
        self.update_buttons()  # the last code used may have changed
        if changes.codes:
            self._fill_scopes()
        recoded = self.code_scope() is not None and bool(changes.codings)
        if not changes.documents and not recoded:
            return
        self._words_shown = False
        self._after_edit.start()  # typing in a transcript: once the keys pause

    def _follow_texts(self) -> None:
        if self.shown:
            self.count_words()
        if self.term:
            self.show_kwic(self.term)

    def set_shown(self, shown: bool) -> None:
        """The panel came into view (its tab chosen) or left it: the word list is counted
        when it is first seen, and again when seen after the texts changed."""
        self.shown = shown
        if shown and self._project is not None and not self._words_shown:
            if not self.runner.running:
                self.count_words()

    def _error(self, message: str) -> None:
        self.window_.show_error(message)

    def default_code(self) -> int | None:
        """The code a one-click "Code with" uses: the last code used, else the code selected
        in the codebook."""
        recent = getattr(self.window_, "recent_codes", [])
        if recent:
            return int(recent[0])
        codebook = getattr(self.window_, "codebook_dock", None)
        return codebook.current_code_id() if codebook is not None else None

    def update_buttons(self) -> None:
        n = self.kwic_model.rowCount()
        self.code_all.setEnabled(n > 0)
        self.code_selected.setEnabled(n > 0)
        has = self.similar_model.rowCount() > 0
        self.code_similar.setEnabled(has)
        code_id = self.default_code()
        self.code_similar_last.setEnabled(has and code_id is not None)
        name = None
        if code_id is not None and self._project is not None:
            try:
                name = self._project.code(code_id).name
            except CoderError:  # removed meanwhile
                name = None
        self.code_similar_last.setText(f"Code with '{name}'" if name else "Code with last code")

    # ----------------------------------------------------------------- words and KWIC

    def _fill_scopes(self) -> None:
        """All texts, or the passages coded with one code (the choice kept if it still is)."""
        box, project = self.scope_box, self._project
        current = box.currentData()
        box.blockSignals(True)
        box.clear()
        box.addItem("In all texts", None)
        for code in project.codes() if project is not None else []:
            box.addItem(f"In passages coded '{code.path}'", code.id)
        box.setCurrentIndex(max(box.findData(current), 0) if current is not None else 0)
        box.blockSignals(False)

    def code_scope(self) -> list[int] | None:
        """The codes whose passages are counted and searched (None: all texts)."""
        code_id = self.scope_box.currentData()
        return None if code_id is None else [int(code_id)]

    def _scope_changed(self) -> None:
        self.count_words()
        if self.term:
            self.show_kwic(self.term)

    def count_words(self) -> None:
        project = self._project
        if project is None:
            return
        lang = self.stop_box.currentData()
        stop = stopwords(lang) if lang else frozenset()
        min_length = self.min_length.value()
        scope = self.code_scope()

        from coder.core.query.words import word_frequencies

        def work(conn: Project, step: Any) -> list[WordRow]:
            return word_frequencies(
                conn, code_ids=scope, stop=stop, min_length=min_length, progress=step
            )

        self.runner.run(project, work, self._show_words, "Counting words")

    def _show_words(self, rows: list[WordRow]) -> None:
        self.words_computed += 1
        self._words_shown = True
        self.words_view.setSortingEnabled(False)
        self.words_model.set_rows(rows)
        self.words_view.setSortingEnabled(True)
        self.words_view.sortByColumn(1, Qt.SortOrder.DescendingOrder)

    def _word_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            word = self.words_model.index(current.row(), 0).data()
            self.show_kwic(str(word))

    def show_kwic(self, term: str) -> bool:
        """Find ``term`` in context off the GUI thread; False (and why, below the table) when
        it holds no word."""
        project = self._project
        if project is None:
            return False
        from coder.core.query.words import Keyword, kwic

        try:
            Keyword.parse(term)
        except CoderError as e:
            self.kwic_status.setText(str(e))
            return False
        self.term = term
        self.kwic_status.setText(f"Finding '{term}'…")

        scope = self.code_scope()

        def work(conn: Project, step: Any) -> list[Any]:
            rows = kwic(conn, term, width=60, code_ids=scope, limit=KWIC_LIMIT, progress=step)
            return KwicModel.prepare(rows)

        self.kwic_runner.run(project, work, lambda rows: self._show_kwic(term, rows), "Finding")
        return True

    def _show_kwic(self, term: str, rows: list[Any]) -> None:
        self.kwic_computed += 1
        self.shown_term = term
        self.kwic_view.setSortingEnabled(False)
        self.kwic_model.set_rows(rows)
        # The keyword's column fits its forms (measured once each, not once per row).
        metrics = self.kwic_view.fontMetrics()
        forms = {r[0].term for r in rows} or {term}
        width = max(metrics.horizontalAdvance(t) for t in forms) + 16
        self.kwic_view.horizontalHeader().resizeSection(3, min(max(width, 48), 320))
        self.kwic_view.setSortingEnabled(True)
        self.kwic_view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        docs = len({r[0].document_id for r in rows})
        more = f" (the first {KWIC_LIMIT:,})" if len(rows) >= KWIC_LIMIT else ""
        self.kwic_status.setText(f"'{term}': {len(rows):,} hits{more} in {docs} documents")
        self.update_buttons()

    def kwic_rows(self, selected: bool) -> list[KwicRow]:
        if selected:
            rows = sorted({i.row() for i in self.kwic_view.selectionModel().selectedRows()})
        else:
            rows = list(range(self.kwic_model.rowCount()))
        return [self.kwic_model.index(r, 0).data(RowRole) for r in rows]

    def code_rows(self, code_id: int, rows: list[KwicRow]) -> bool:
        project = self._project
        if project is None or not rows:
            return False
        spans = [(r.document_id, r.start, r.end) for r in rows]
        name = project.code(code_id).name
        text = f"Code {len(spans)} hits of '{self.shown_term}' with '{name}'"
        return self._code(project, code_id, spans, text)

    def _code(self, project: Project, code_id: int, spans: list[Any], text: str) -> bool:
        """Code the passages as one undoable command, and say so in the status bar."""
        if not self.window_.push(text, lambda: apply_code_to_spans(project, code_id, spans)):
            return False
        show = getattr(self.window_, "show_status", None)
        if show is not None:
            show(f"{text}: done (Edit → Undo takes it back in one step)", 8000)
        return True

    def _ask_code(self, title: str, n: int) -> int | None:
        project = self._project
        if project is None:
            return None
        codes = [c for c in project.codes() if c.codable]
        if not codes:
            self.window_.show_error("The codebook has no code to apply: add a code first.")
            return None
        choice = common.ask_choice(self, title, f"Code {n} passages with:", [c.path for c in codes])
        return next((c.id for c in codes if c.path == choice), None)

    def ask_code_rows(self, selected: bool) -> None:
        rows = self.kwic_rows(selected)
        if rows:
            code_id = self._ask_code("Code keyword hits", len(rows))
            if code_id is not None:
                self.code_rows(code_id, rows)

    def _kwic_activated(self, index: QModelIndex) -> None:
        row = self.kwic_model.index(index.row(), 0).data(RowRole)
        if row is not None:
            self.passageActivated.emit(row.document_id, row.start, row.end)

    # ----------------------------------------------------------------- similar passages

    def find_similar(self, doc_id: int, start: int, end: int) -> None:
        project = self._project
        if project is None or end <= start:
            return
        if self.index is None:
            from coder.core.query.similar import SimilarityIndex

            self.index = SimilarityIndex()
        index, lock = self.index, self._index_lock
        text = project.document_text(doc_id)[start:end]

        def work(conn: Project, step: Any) -> list[SimilarPassage]:
            # A query cancelled by a newer one may still be running: one at a time per index.
            with lock:
                index.refresh(conn, progress=step)
                return index.similar(text, 20, exclude=(doc_id, start, end))

        self.similar_status.setText("Finding similar passages…")
        self.tabs.setCurrentIndex(1)
        self.similar_runner.run(project, work, self._show_similar, "Finding similar passages")

    def _show_similar(self, rows: list[SimilarPassage]) -> None:
        self.similar_view.setSortingEnabled(False)
        self.similar_model.set_rows(rows)
        self.similar_view.setSortingEnabled(True)
        self.similar_view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.similar_status.setText(
            f"{len(rows)} similar paragraphs" if rows else "No similar paragraphs."
        )
        self.update_buttons()

    def similar_rows(self) -> list[SimilarPassage]:
        rows = sorted({i.row() for i in self.similar_view.selectionModel().selectedRows()})
        if not rows and self.similar_model.rowCount():
            rows = [0]
        return [self.similar_model.index(r, 0).data(RowRole) for r in rows]

    def code_similar_rows(self, code_id: int | None) -> bool:
        project = self._project
        if code_id is None:
            code_id = self.default_code()
        rows = self.similar_rows()
        if project is None or code_id is None or not rows:
            return False
        spans = [(r.document_id, r.start, r.end) for r in rows]
        text = f"Code {len(spans)} similar passages with '{project.code(code_id).name}'"
        return self._code(project, code_id, spans, text)

    def ask_code_similar(self) -> None:
        rows = self.similar_rows()
        code_id = self._ask_code("Code similar passages", len(rows)) if rows else None
        if code_id is not None:
            self.code_similar_rows(code_id)

    def _similar_activated(self, index: QModelIndex) -> None:
        row = self.similar_model.index(index.row(), 0).data(RowRole)
        if row is not None:
            self.passageActivated.emit(row.document_id, row.start, row.end)

    # ----------------------------------------------------------------- auto-coding

    def open_autocode(self, search: str | None = None) -> Any:
        from coder.ui.dialogs.autocode_dialog import AutocodeDialog

        if self._project is None:
            return None
        dialog = AutocodeDialog(self.window_, self._project, search or self.term)
        dialog.open()
        return dialog
