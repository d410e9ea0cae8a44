"""The Documents dock: documents grouped in folders, with filter, import and a context menu.

Double-click or Enter on a document emits ``documentActivated(id)`` (the window opens it);
F2 or a slow second click renames in place. Every edit is one undoable command.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QPushButton,
    QTreeView,
    QVBoxLayout,
)

from coder.core.project import Changes, Project
from coder.ui.dialogs.note_dialog import ask_note
from coder.ui.models.documents import (
    CASE,
    CHARACTERS,
    CODINGS,
    NAME,
    DocumentIdRole,
    DocumentsModel,
    FilterRole,
    IsGroupRole,
    SortRole,
)
from coder.ui.views import common


class DocumentsProxy(QSortFilterProxyModel):
    """Filter on name, case and group name; sort with groups always above loose documents."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setAutoAcceptChildRows(True)  # a group that matches shows all its documents
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)
        self.setSortRole(SortRole)
        # Filter on the name and case text only, so a new count does not re-filter.
        self.setFilterRole(FilterRole)

    def set_filter(self, text: str) -> None:
        self.setFilterFixedString(text.strip())

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        text = self.filterRegularExpression().pattern()
        if not text:
            return True
        model = self.sourceModel()
        needle = self.filterRegularExpression()
        for col in (NAME, CASE):
            value = model.index(row, col, parent).data(FilterRole)
            if value and needle.match(str(value)).hasMatch():
                return True
        return False

    def lessThan(
        self, left: QModelIndex | QPersistentModelIndex, right: QModelIndex | QPersistentModelIndex
    ) -> bool:
        lg, rg = bool(left.data(IsGroupRole)), bool(right.data(IsGroupRole))
        if lg != rg:
            ascending = self.sortOrder() == Qt.SortOrder.AscendingOrder
            return lg if ascending else rg
        a, b = left.data(SortRole), right.data(SortRole)
        if a is None or b is None:
            return False
        return a < b


class DocumentsDock(common.ProjectDock):
    documentActivated = Signal(int)

    def __init__(self, window: Any) -> None:
        super().__init__()
        self.window_ = window
        self.setObjectName("documentsDock")
        self.setAccessibleName("Documents")
        self.model = DocumentsModel(push=self._push, parent=self)
        self.proxy = DocumentsProxy(self)
        self.proxy.setSourceModel(self.model)

        self.filter = common.filter_box("Filter documents…", "Filter documents")
        self.filter.textChanged.connect(self._on_filter)
        self.import_button = QPushButton("Import…")
        self.import_button.setAccessibleName("Import documents")
        self.import_button.setToolTip("Import documents (text, Word, OpenDocument, PDF, subtitles)")
        self.import_button.clicked.connect(self.import_documents)

        self.view = QTreeView()
        self.view.setAccessibleName("Documents list")
        self.view.setModel(self.proxy)
        self.view.setUniformRowHeights(True)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.view.setDragEnabled(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        common.context_menu_on(self.view, self.build_context_menu)
        self.view.activated.connect(self._on_activated)
        self.empty_hint = common.EmptyHint(
            self.view,
            lambda: (
                "No documents match the filter."
                if self.filter.text().strip()
                else "No documents yet.\nImport interviews with Import…, or drop files on the "
                "window."
            ),
        )
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        # Fixed widths from the font, not ResizeToContents: that re-measures every row on
        # each change, which is slow in big projects.
        metrics = self.fontMetrics()
        for col, sample in ((CHARACTERS, "Characters"), (CODINGS, "999"), (CASE, "Tomas")):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, metrics.horizontalAdvance(sample) + 24)
        # The names come first on a narrow panel: the length is in each document's tooltip,
        # and a right-click on the header shows its column again.
        header.setSectionHidden(CHARACTERS, True)
        self.view.setIndentation(14)
        common.choose_columns(header, fixed=NAME)
        common.remember_header(header, "documents")
        self.proxy.rowsInserted.connect(self._expand_inserted)
        self.proxy.modelReset.connect(self.view.expandAll)

        delete = QAction("Delete document", self.view)
        delete.setShortcut(QKeySequence.StandardKey.Delete)
        delete.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete.triggered.connect(lambda: self.delete_documents(self.selected_documents()))
        self.view.addAction(delete)

        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view)
        self.set_project(getattr(window, "project", None))

    # ----------------------------------------------------------------- window interface

    @property
    def project(self) -> Project | None:
        return self.model.project

    def set_project(self, project: Project | None) -> None:
        self.model.set_project(project)
        self.view.expandAll()
        self.setEnabled(project is not None)

    def on_changes(self, changes: Changes) -> None:
        self.model.on_changes(changes)

    def selected_documents(self) -> list[int]:
        rows = self.view.selectionModel().selectedRows(NAME)
        return self.model.document_ids([self.proxy.mapToSource(i) for i in rows])

    def current_document(self) -> int | None:
        index = self.proxy.mapToSource(self.view.currentIndex())
        return index.data(DocumentIdRole) if index.isValid() else None

    def select_document(self, doc_id: int) -> None:
        index = self.proxy.mapFromSource(self.model.index_of(doc_id))
        if index.isValid():
            self.view.setCurrentIndex(index)
            self.view.scrollTo(index)

    def _push(self, text: str, service: Any) -> bool:
        return bool(self.window_.push(text, service))

    def _on_filter(self, text: str) -> None:
        self.proxy.set_filter(text)
        self.empty_hint.refresh()
        self.view.expandAll()

    def _expand_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        """Show a new document in its group and a new group open; leave closed ones closed."""
        if parent.isValid():
            self.view.expand(parent)
        for row in range(first, last + 1):
            self.view.expand(self.proxy.index(row, 0, parent))

    def _on_activated(self, index: QModelIndex) -> None:
        doc_id = self.proxy.mapToSource(index).data(DocumentIdRole)
        if doc_id is not None:
            self.documentActivated.emit(int(doc_id))

    # ----------------------------------------------------------------- commands

    def import_documents(self) -> None:
        for name in ("trigger_action", "trigger"):
            trigger = getattr(self.window_, name, None)
            if callable(trigger):
                trigger("file.import")
                return
        finder = getattr(self.window_, "findChild", None)
        found = finder(QAction, "file.import") if callable(finder) else None
        if found is not None:
            found.trigger()

    def rename_document(self, doc_id: int, name: str) -> bool:
        index = self.model.index_of(doc_id, NAME)
        return index.isValid() and self.model.setData(index, name)

    def delete_documents(self, doc_ids: list[int], ask: bool = True) -> bool:
        project = self.project
        docs = [d for d in (self.model.document(i) for i in doc_ids) if d is not None]
        if project is None or not docs:
            return False
        codings = sum(d.codings for d in docs)
        if len(docs) == 1:
            title = f"Delete document '{docs[0].name}'"
            what = f"the document '{docs[0].name}'"
        else:
            title = f"Delete {len(docs)} documents"
            what = f"{len(docs)} documents"
        if ask:
            whose = "its" if len(docs) == 1 else "their"
            detail = (
                f" and {whose} {codings} coding{'s' if codings != 1 else ''}" if codings else ""
            )
            if not common.confirm(self, title, f"Delete {what}{detail}? You can undo this."):
                return False
        calls = [lambda d=d: project.delete_document(d.id) for d in docs]
        from coder.core.bulk import run_together

        return self._push(title, lambda: run_together(project, calls))

    def set_memo(self, doc_id: int, memo: str) -> bool:
        project, doc = self.project, self.model.document(doc_id)
        if project is None or doc is None or memo == doc.memo:
            return False
        return self._push(
            f"Edit memo of document '{doc.name}'",
            lambda: project.set_document_fields(doc_id, memo=memo),
        )

    def edit_memo(self, doc_id: int) -> None:
        doc = self.model.document(doc_id)
        if doc is None:
            return
        memo = ask_note(self, "Document memo", f"Memo for '{doc.name}':", doc.memo)
        if memo is not None:
            self.set_memo(doc_id, memo)

    def set_case(self, doc_ids: list[int], case_name: str | None) -> bool:
        """Link documents to a case by name (a new name creates the case); None unlinks."""
        project = self.project
        docs = [d for d in (self.model.document(i) for i in doc_ids) if d is not None]
        if project is None or not docs:
            return False
        name = (case_name or "").strip()
        existing = {c.name: c.id for c in project.cases()}
        subject = f"document '{docs[0].name}'" if len(docs) == 1 else f"{len(docs)} documents"
        text = f"Set case of {subject} to '{name}'" if name else f"Remove case of {subject}"

        def run() -> Changes:
            from coder.core.bulk import run_together

            changes = Changes()
            with project.edit():
                case_id = existing.get(name) if name else None
                if name and case_id is None:
                    added = project.add_case(name)
                    changes = changes | added
                    case_id = added.created("cases")[0]
                changes = changes | run_together(
                    project, [partial(project.set_document_case, d.id, case_id) for d in docs]
                )
            return changes

        return self._push(text, run)

    def choose_case(self, doc_ids: list[int]) -> None:
        project = self.project
        if project is None or not doc_ids:
            return
        names = [c.name for c in project.cases()]
        first = self.model.document(doc_ids[0])
        current = names.index(first.case) + 1 if first and first.case in names else 0
        choice = common.ask_choice(
            self,
            "Set case",
            "Case (choose one, or type a new name):",
            ["(no case)", *names],
            editable=True,
            current=current,
        )
        if choice is not None:
            self.set_case(doc_ids, None if choice == "(no case)" else choice)

    def set_group(self, doc_ids: list[int], group: str) -> bool:
        project = self.project
        docs = [d for d in (self.model.document(i) for i in doc_ids) if d is not None]
        group = group.strip()
        docs = [d for d in docs if d.group != group]
        if project is None or not docs:
            return False
        from coder.core.bulk import run_together

        subject = f"document '{docs[0].name}'" if len(docs) == 1 else f"{len(docs)} documents"
        text = f"Move {subject} to group '{group}'" if group else f"Remove {subject} from its group"
        calls = [lambda d=d: project.set_document_fields(d.id, group=group) for d in docs]
        return self._push(text, lambda: run_together(project, calls))

    def choose_group(self, doc_ids: list[int]) -> None:
        if not doc_ids:
            return
        groups = self.model.groups()
        first = self.model.document(doc_ids[0])
        current = groups.index(first.group) + 1 if first and first.group in groups else 0
        choice = common.ask_choice(
            self,
            "Group",
            "Group (choose one, or type a new name):",
            ["(no group)", *groups],
            editable=True,
            current=current,
        )
        if choice is not None:
            self.set_group(doc_ids, "" if choice == "(no group)" else choice)

    # ----------------------------------------------------------------- context menu

    def build_context_menu(self, index: QModelIndex) -> QMenu | None:
        """The context menu for the item at ``index`` (a proxy index) and the selection."""
        if self.project is None:
            return None
        menu = QMenu(self)
        ids = self.selected_documents()
        source = self.proxy.mapToSource(index)
        doc_id = source.data(DocumentIdRole) if source.isValid() else None
        if doc_id is not None and doc_id not in ids:
            ids = [doc_id]
        if source.isValid() and source.data(IsGroupRole):
            menu.addAction("Rename group", lambda: self.view.edit(index.siblingAtColumn(NAME)))
            menu.addAction("Ungroup", lambda: self.set_group(self.model.document_ids([source]), ""))
            menu.addSeparator()
            ids = self.model.document_ids([source])
        single = len(ids) == 1
        if single:
            menu.addAction("Open", lambda: self.documentActivated.emit(ids[0]))
            menu.addAction(
                "Rename",
                lambda: self.view.edit(self.proxy.mapFromSource(self.model.index_of(ids[0]))),
            )
            menu.addAction("Memo…", lambda: self.edit_memo(ids[0]))
        if ids:
            menu.addAction("Set case…", lambda: self.choose_case(ids))
            menu.addAction("Group…", lambda: self.choose_group(ids))
            menu.addSeparator()
            menu.addAction(
                "Delete…" if single else f"Delete {len(ids)} documents…",
                lambda: self.delete_documents(ids),
            )
            menu.addSeparator()
        menu.addAction("Import documents…", self.import_documents)
        return menu
