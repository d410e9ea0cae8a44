"""The Memos dock: every memo of the project in one list, with an editor beside it.

The list holds the project memo, free memos (title, author, dates, links to documents, codes,
cases and codings), the memos of documents, codes, cases and codings, and annotations. Search
by words, filter by kind, create, edit, link and delete; each change is one undo step. A memo
being edited is saved by Save (Ctrl+S), when another memo is chosen, or when the editor loses
the focus: typed text is never dropped.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import QEvent, QItemSelection, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from coder.core import settings
from coder.core.changes import Changes
from coder.core.memo_index import (
    KIND_LABELS,
    KINDS,
    MemoEntry,
    excerpt,
    memo_entries,
    set_memo_text,
)
from coder.core.project import Project
from coder.ui.models.memos import AUTHOR, KIND, MODIFIED, TITLE, EntryRole, MemoFilter, MemosModel
from coder.ui.tasks import Runner
from coder.ui.views import common


def command_text(entry: MemoEntry) -> str:
    """How the undo history names an edit of this memo."""
    if entry.kind == "project":
        return "Edit project memo"
    if entry.kind == "memo":
        return f"Edit memo '{entry.title}'"
    if entry.kind == "annotation":
        return f"Edit annotation on {entry.title} — {entry.author}"
    if entry.kind == "coding":
        return f"Edit coding memo {entry.title.split(' in ')[0]}"
    return f"Edit memo of {entry.kind} '{entry.title}'"


class MemosDock(common.ProjectDock):
    #: show a passage: document id, start, end
    passageActivated = Signal(int, int, int)

    def __init__(self, window: Any) -> None:
        super().__init__()
        self.window_ = window
        self.setObjectName("memosDock")
        self.setAccessibleName("Memos")
        self.model = MemosModel(self)
        self.reader = Runner(lambda message: self.window_.show_error(message), self)
        self.proxy = MemoFilter(self)
        self.proxy.setSourceModel(self.model)
        self.current: MemoEntry | None = None

        self.search = common.filter_box("Search memos…", "Search memos")
        self.search.textChanged.connect(self.proxy.set_search)
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind of memo")
        self.kind.addItem("All memos", None)
        for kind in KINDS:
            self.kind.addItem(KIND_LABELS[kind] + "s", kind)
        self.kind.currentIndexChanged.connect(
            lambda _i: self.proxy.set_kind(self.kind.currentData())
        )
        self.table = self._build_table()
        self.new_button = QPushButton("&New memo")
        self.new_button.setAccessibleName("New memo")
        self.new_button.clicked.connect(self.new_memo)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setAccessibleName("Delete or clear the memo")
        self.delete_button.clicked.connect(self.delete_current)

        self.title = QLineEdit()
        self.title.setAccessibleName("Memo title")
        self.title.setPlaceholderText("Title")
        self.info = QLabel()
        self.info.setAccessibleName("Memo details")
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.PlainText)
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("Memo text")
        self.text.setPlaceholderText("Write the memo here")
        self.link_button = QToolButton()
        self.link_button.setText("Link to…")
        self.link_button.setAccessibleName("Link the memo")
        self.link_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.link_button.setMenu(QMenu(self.link_button))
        self.link_button.menu().aboutToShow.connect(self._fill_link_menu)
        self.show_button = QPushButton("Show passage")
        self.show_button.setAccessibleName("Show the memo's passage in the text")
        self.show_button.clicked.connect(self.show_current)
        self.save_button = QPushButton("&Save")
        self.save_button.setAccessibleName("Save the memo")
        self.save_button.setToolTip("Save the memo (Ctrl+S); leaving the memo saves it too")
        self.save_button.clicked.connect(self.save)
        self._layout()
        for edit in (self.title, self.text):
            edit.installEventFilter(self)
        self.title.textEdited.connect(self._update_buttons)
        self.title.returnPressed.connect(self.save)
        self.text.textChanged.connect(self._update_buttons)
        self.set_project(getattr(window, "project", None))

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setAccessibleName("Memos list")
        table.setModel(self.proxy)
        table.setSortingEnabled(True)
        table.sortByColumn(KIND, Qt.SortOrder.AscendingOrder)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setWordWrap(False)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = table.horizontalHeader()
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        for col, sample in (
            (KIND, "Document memo"),
            (AUTHOR, "Author"),
            (MODIFIED, "2026-12-05 00:00"),
        ):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, self.fontMetrics().horizontalAdvance(sample) + 24)
        table.selectionModel().selectionChanged.connect(self._on_selection)
        table.activated.connect(lambda _i: self.show_current())
        self.empty_hint = common.EmptyHint(
            table,
            lambda: (
                "No memos match."
                if self.search.text().strip() or self.kind.currentData()
                else "No memos yet.\nNew memo writes one; memos of documents, codes, cases and "
                "codings, and annotations, are listed here too."
            ),
        )
        return table

    def _layout(self) -> None:
        left = QWidget()
        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        filters.addWidget(self.kind)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(filters)
        column.addWidget(self.table, 1)
        column.addLayout(buttons)
        right = QWidget()
        right.setObjectName("memoEditor")
        actions = QHBoxLayout()
        actions.addWidget(self.link_button)
        actions.addWidget(self.show_button)
        actions.addStretch(1)
        actions.addWidget(self.save_button)
        editor = QVBoxLayout(right)
        editor.setContentsMargins(0, 0, 0, 0)
        editor.addWidget(self.title)
        editor.addWidget(self.info)
        editor.addWidget(self.text, 1)
        editor.addLayout(actions)
        save = QAction("Save memo", right)
        save.setShortcut(QKeySequence(QKeySequence.StandardKey.Save))
        save.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save.triggered.connect(self.save)
        right.addAction(save)
        self.editor = right
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    # ----------------------------------------------------------------- window interface

    @property
    def project(self) -> Project | None:
        return self.model.project

    def set_project(self, project: Project | None) -> None:
        if self.project is not None and self.project is not project:
            self.save()  # closing the project (or quitting) keeps what was typed
        self.current = None
        self.reader.cancel()
        self.model.set_project(project)
        self.empty_hint.refresh()
        self._show(None)
        self.setEnabled(project is not None)

    def on_changes(self, changes: Changes) -> None:
        project = self.project
        if project is None:
            return
        bulk = changes.row_count > common.BULK_ROWS and self.model.rereads_all(changes)
        if bulk or self.reader.running:
            # A merge or a big import (or an edit while its memos are read): every memo read
            # again on a worker, shown when read.
            self.reader.run(project, lambda conn, _p: memo_entries(conn), self._read)
            return
        self.model.on_changes(changes)
        self._changed()

    def _read(self, entries: list[MemoEntry]) -> None:
        self.model.set_rows(entries)
        self._changed()

    def _changed(self) -> None:
        """After the list changed: the hint, and the memo shown (gone, or changed)."""
        self.empty_hint.refresh()
        current = self.current
        if current is not None:
            row = self.model.row_of(current.key)
            entry = self.model.entries()[row] if row >= 0 else None
            if entry is None:
                self._show(None)
            elif entry != current:
                self._show(entry, keep_edits=self._dirty())

    def select(self, key: tuple[str, int]) -> bool:
        """Select a memo by (kind, id), clearing filters that hide it."""
        row = self.model.row_of(key)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            self.search.clear()
            self.kind.setCurrentIndex(0)
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.setCurrentIndex(index)
        # choosing it may have saved the memo shown before and read the list again: the index
        # of the row is looked up anew, never used after its model was reset
        row = self.model.row_of(key)
        if row >= 0:
            self.table.scrollTo(self.proxy.mapFromSource(self.model.index(row, 0)))
        return True

    # ----------------------------------------------------------------- editing

    def _dirty(self) -> bool:
        entry = self.current
        if entry is None:
            return False
        title_changed = entry.kind == "memo" and self.title.text().strip() != entry.title
        return title_changed or self.text.toPlainText() != entry.text

    def save(self) -> bool:
        """Write the edited memo (one undo step); True when something was saved."""
        entry, project = self.current, self.project
        if entry is None or project is None or not self._dirty():
            return False
        text = self.text.toPlainText()
        title = self.title.text().strip() or entry.title
        if entry.kind == "memo":
            done = self.window_.push(
                f"Edit memo '{title}'",
                lambda: project.update_memo(entry.id, title=title, text=text),
            )
        else:
            done = self.window_.push(
                command_text(entry), lambda: set_memo_text(project, entry.kind, entry.id, text)
            )
        if done:
            self._status(f"Saved {entry.kind_label.lower()} '{excerpt(title, 40)}'")
        return bool(done)

    def new_memo(self) -> None:
        project = self.project
        if project is None:
            return
        self.save()
        me = settings.coder_name()
        holder: list[Changes] = []

        def add() -> Changes:
            holder.append(project.add_memo("Untitled memo", "", coder=me))
            return holder[0]

        if self.window_.push("New memo", add) and holder:
            self.select(("memo", holder[0].created("memos")[0]))
            self.title.setFocus()
            self.title.selectAll()

    def delete_current(self) -> None:
        entry, project = self.current, self.project
        if entry is None or project is None:
            return
        if entry.kind == "memo":
            if not self.window_.confirm(f"Delete the memo '{entry.title}'? You can undo this."):
                return
            self.window_.push(f"Delete memo '{entry.title}'", lambda: project.delete_memo(entry.id))
        elif entry.kind == "annotation":
            mine = entry.author.casefold() == settings.coder_name().casefold()
            who = "your" if mine else f"{entry.author}'s"
            if not self.window_.confirm(f"Delete {who} annotation on {entry.title}?"):
                return
            self.window_.push(
                f"Delete annotation on {entry.title} — {entry.author}",
                lambda: project.delete_annotation(entry.id),
            )
        else:
            if not self.window_.confirm(f"Clear the {entry.kind_label.lower()} of {entry.title}?"):
                return
            self.window_.push(
                command_text(entry).replace("Edit", "Clear", 1),
                lambda: set_memo_text(project, entry.kind, entry.id, ""),
            )

    def show_current(self) -> None:
        entry = self.current
        if entry is None:
            return
        if entry.document_id is not None and entry.start is not None and entry.end is not None:
            self.passageActivated.emit(entry.document_id, entry.start, entry.end)
        elif entry.kind == "document":
            self.window_.show_document(entry.id)

    # ----------------------------------------------------------------- links

    def _fill_link_menu(self) -> None:
        menu, project, entry = self.link_button.menu(), self.project, self.current
        menu.clear()
        if project is None or entry is None or entry.kind != "memo":
            return
        memo_id = entry.id
        for title, items, column in (
            ("&Document", [(d.name, d.id) for d in project.documents()], "document_id"),
            ("&Code", [(c.path, c.id) for c in project.codes()], "code_id"),
            ("C&ase", [(c.name, c.id) for c in project.cases()], "case_id"),
        ):
            sub = menu.addMenu(title)
            sub.setEnabled(bool(items))
            for name, key in items:
                sub.addAction(
                    name.replace("&", "&&"), partial(self.link, memo_id, column, key, name)
                )
        view = getattr(self.window_, "view", None)
        span = view.target_span() if view is not None else None
        act = menu.addAction("The coding at the cursor")
        if span is not None:
            act.triggered.connect(partial(self.link, memo_id, "coding_id", span.id, "the coding"))
        act.setEnabled(span is not None)
        links = project.memo_links(memo_id)
        if links:
            menu.addSeparator()
            unlink = menu.addMenu("&Remove link")
            for link, label in zip(links, entry.links, strict=False):
                unlink.addAction(label.replace("&", "&&"), partial(self.unlink, link.id, label))

    def link(self, memo_id: int, column: str, key: int, name: str) -> bool:
        project = self.project
        assert project is not None
        self.save()
        title = self.current.title if self.current is not None else "memo"
        return bool(
            self.window_.push(
                f"Link memo '{title}' to {name}",
                lambda: project.link_memo(memo_id, **{column: key}),
            )
        )

    def unlink(self, link_id: int, label: str) -> bool:
        project = self.project
        assert project is not None
        title = self.current.title if self.current is not None else "memo"
        return bool(
            self.window_.push(
                f"Unlink memo '{title}' from {label}", lambda: project.unlink_memo(link_id)
            )
        )

    # ----------------------------------------------------------------- internals

    def _status(self, message: str) -> None:
        show = getattr(self.window_, "show_status", None)
        if show is not None:
            show(message)

    def _on_selection(self, *_: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        entry = rows[0].data(EntryRole) if rows else None
        if self.current is not None and (entry is None or entry.key != self.current.key):
            self.save()  # leaving a memo keeps what was typed
            row = self.model.row_of(entry.key) if entry is not None else -1
            entry = self.model.entries()[row] if row >= 0 else None
        self._show(entry)

    def _show(self, entry: MemoEntry | None, keep_edits: bool = False) -> None:
        self.current = entry
        if not keep_edits:
            self.title.setText(entry.title if entry else "")
            self.text.setPlainText(entry.text if entry else "")
        self.title.setReadOnly(entry is None or entry.kind != "memo")
        self.text.setReadOnly(entry is None)
        self.info.setText(self._details(entry))
        self._update_buttons()

    @staticmethod
    def _details(entry: MemoEntry | None) -> str:
        if entry is None:
            return "Choose a memo in the list, or write a new one."
        parts = [entry.kind_label]
        if entry.author:
            parts.append(f"by {entry.author}")
        if entry.created:
            parts.append(f"written {entry.created[:16].replace('T', ' ')}")
        if entry.modified and entry.modified != entry.created:
            parts.append(f"changed {entry.modified[:16].replace('T', ' ')}")
        details = " · ".join(parts)
        if entry.kind == "memo":
            details += "\nLinked to: " + ("; ".join(entry.links) if entry.links else "nothing yet")
        return details

    def _update_buttons(self, *_: Any) -> None:
        entry = self.current
        self.save_button.setEnabled(self._dirty())
        self.delete_button.setEnabled(entry is not None)
        self.delete_button.setText(
            "Delete" if entry is None or entry.kind in ("memo", "annotation") else "Clear"
        )
        self.link_button.setEnabled(entry is not None and entry.kind == "memo")
        self.show_button.setEnabled(
            entry is not None and (entry.document_id is not None or entry.kind == "document")
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The editor losing the focus (to anything outside it) saves the memo."""
        if event.type() == QEvent.Type.FocusOut and watched in (self.title, self.text):
            focus = self.window().focusWidget() if self.window() else None
            if focus is None or not self.editor.isAncestorOf(focus):
                self.save()
        return super().eventFilter(watched, event)

    def index_of(self, key: tuple[str, int]) -> QModelIndex:
        row = self.model.row_of(key)
        return self.proxy.mapFromSource(self.model.index(row, 0)) if row >= 0 else QModelIndex()
