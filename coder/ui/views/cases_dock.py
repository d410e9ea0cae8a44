"""The Cases & attributes dock: a table of cases with one column per case attribute.

Cells are edited in place (F2, double-click or typing); documents are linked with a
checklist dialog or by dragging them from the Documents dock onto a case. Every edit is
one undoable command.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from coder.core.project import Changes, Project
from coder.ui.models.cases import (
    NAME,
    TYPE_LABELS,
    AttributeRole,
    CaseIdRole,
    CasesModel,
    DocumentChecklistModel,
    SortRole,
)
from coder.ui.views import common


class AttributeDelegate(QStyledItemDelegate):
    """Yes/no cells edit with a choice; dates show the expected form as a placeholder."""

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        attr = index.data(AttributeRole)
        if attr is not None and attr.type == "boolean":
            combo = QComboBox(parent)
            combo.addItems(["", "yes", "no"])
            combo.setAccessibleName(f"{attr.name} (yes or no)")
            return combo
        editor = super().createEditor(parent, option, index)
        if isinstance(editor, QLineEdit) and attr is not None:
            editor.setAccessibleName(f"{attr.name} ({TYPE_LABELS[attr.type]})")
            if attr.type == "date":
                editor.setPlaceholderText("YYYY-MM-DD")
            elif attr.type == "number":
                editor.setPlaceholderText("a number")
        return editor

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentText(str(index.data(Qt.ItemDataRole.EditRole) or ""))
            return
        super().setEditorData(editor, index)

    def setModelData(
        self, editor: QWidget, model: Any, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)
            return
        super().setModelData(editor, model, index)


class LinkDocumentsDialog(QDialog):
    """A checklist of documents: the checked ones are linked to the case."""

    def __init__(
        self, project: Project, case_id: int, case_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Documents of case '{case_name}'")
        docs = project.documents()
        linked = {d.id for d in docs if d.case_id == case_id}
        self.model = DocumentChecklistModel(docs, linked, case_id, self)
        self.initial = linked
        view = QListView()
        view.setAccessibleName("Documents to link")
        view.setModel(self.model)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Check the documents that belong to this case:"))
        layout.addWidget(view)
        layout.addWidget(buttons)
        self.resize(380, 420)

    def added(self) -> list[int]:
        return sorted(self.model.checked() - self.initial)

    def removed(self) -> list[int]:
        return sorted(self.initial - self.model.checked())


class AddAttributeDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add case attribute")
        self.name = QLineEdit()
        self.name.setAccessibleName("Attribute name")
        self.type = QComboBox()
        self.type.setAccessibleName("Attribute type")
        for value, label in TYPE_LABELS.items():
            self.type.addItem(label, value)
        form = QFormLayout(self)
        form.addRow("&Name", self.name)
        form.addRow("&Type", self.type)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class CasesDock(common.ProjectDock):
    def __init__(self, window: Any) -> None:
        super().__init__()
        self.window_ = window
        self.setObjectName("casesDock")
        self.setAccessibleName("Cases and attributes")
        self.model = CasesModel(push=self._push, show_error=self._show_error, parent=self)
        self.proxy = common.ValueSortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SortRole)
        # An edited row stays where it is (sorting again is one click on a header).
        self.proxy.setDynamicSortFilter(False)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)

        self.filter = common.filter_box("Filter cases…", "Filter cases")
        self.filter.textChanged.connect(self._on_filter)
        bar = self._build_actions()
        self._build_view()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter)
        layout.addWidget(bar)
        layout.addWidget(self.view)
        self.set_project(getattr(window, "project", None))

    def _build_view(self) -> None:
        """The cases table: edited in place, documents dropped on a case, Delete."""
        self.view = QTableView()
        self.view.setAccessibleName("Cases table")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)
        self.view.setItemDelegate(AttributeDelegate(self.view))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.view.setAcceptDrops(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.view.setDropIndicatorShown(True)
        self.view.verticalHeader().setVisible(False)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.view.horizontalHeader().setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.horizontalHeader().customContextMenuRequested.connect(self._header_menu)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        common.context_menu_on(self.view, self.build_context_menu)
        delete = QAction("Delete case", self.view)
        delete.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        delete.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete.triggered.connect(self.delete_selected)
        self.view.addAction(delete)
        self.empty_hint = common.EmptyHint(
            self.view,
            lambda: (
                "No cases match the filter."
                if self.filter.text().strip()
                else "No cases yet.\nAdd a case (a person, an interview), or import a table of "
                "cases and their attributes (CSV or Excel)."
            ),
        )

    def _build_actions(self) -> QToolBar:
        """The case actions in a tool bar, which folds what does not fit into its » menu."""
        # A tool bar folds the buttons that do not fit into its » menu, so the dock can be narrow.
        bar = QToolBar("Case actions")
        bar.setAccessibleName("Case actions")
        self.buttons: dict[str, QToolButton] = {}
        for key, label, tip, slot in (
            ("add", "Add case", "Add a case", self.ask_add_case),
            (
                "delete",
                "Delete",
                "Delete the selected cases (documents stay)",
                self.delete_selected,
            ),
            (
                "link",
                "Documents…",
                "Choose the documents of the current case",
                self.ask_link_documents,
            ),
            (
                "attribute",
                "Add attribute…",
                "Add a case attribute (a column)",
                self.ask_add_attribute,
            ),
            (
                "import",
                "Import…",
                "Import case attributes from a CSV or Excel table",
                self.ask_import,
            ),
        ):
            button = QToolButton()
            button.setText(label)
            button.setToolTip(tip)
            button.setAccessibleName(label.rstrip("…"))
            button.clicked.connect(slot)
            bar.addWidget(button)
            self.buttons[key] = button
        return bar

    # ----------------------------------------------------------------- window interface

    @property
    def project(self) -> Project | None:
        return self.model.project

    def set_project(self, project: Project | None) -> None:
        self.model.set_project(project)
        self.setEnabled(project is not None)

    def on_changes(self, changes: Changes) -> None:
        self.model.on_changes(changes)

    def _on_filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self.empty_hint.refresh()

    def _push(self, text: str, service: Any) -> bool:
        return bool(self.window_.push(text, service))

    def _show_error(self, message: str) -> None:
        self.window_.show_error(message)

    def selected_cases(self) -> list[int]:
        ids: list[int] = []
        for index in self.view.selectionModel().selectedIndexes():
            value = self.proxy.mapToSource(index).data(CaseIdRole)
            if value is not None and value not in ids:
                ids.append(int(value))
        return ids

    def current_case(self) -> int | None:
        value = self.proxy.mapToSource(self.view.currentIndex()).data(CaseIdRole)
        return int(value) if value is not None else None

    def cell(self, case_id: int, column: int) -> QModelIndex:
        """The view's (proxy) index of a case's cell."""
        return self.proxy.mapFromSource(self.model.index_of(case_id, column))

    # ----------------------------------------------------------------- commands

    def add_case(self, name: str, memo: str = "") -> bool:
        project = self.project
        name = name.strip()
        if project is None or not name:
            return False
        return self._push(f"Add case '{name}'", lambda: project.add_case(name, memo=memo))

    def ask_add_case(self) -> None:
        name = common.ask_text(self, "Add case", "Name of the new case:")
        if name and name.strip():
            self.add_case(name)

    def delete_cases(self, case_ids: list[int], ask: bool = True) -> bool:
        project = self.project
        cases = [c for c in (self.model.case(i) for i in case_ids) if c is not None]
        if project is None or not cases:
            return False
        title = (
            f"Delete case '{cases[0].name}'" if len(cases) == 1 else f"Delete {len(cases)} cases"
        )
        if ask and not common.confirm(
            self,
            title,
            f"{title}? Its documents stay (unlinked); its attribute values go. You can undo this.",
        ):
            return False
        from coder.core.bulk import run_together

        calls = [lambda c=c: project.delete_case(c.id) for c in cases]
        return self._push(title, lambda: run_together(project, calls))

    def delete_selected(self) -> None:
        self.delete_cases(self.selected_cases())

    def link_documents(self, case_id: int, add: Sequence[int], remove: Sequence[int] = ()) -> bool:
        return self.model.link_documents(case_id, list(add), list(remove))

    def ask_link_documents(self) -> None:
        case_id = self.current_case()
        case = self.model.case(case_id) if case_id is not None else None
        if case is None or self.project is None:
            self._show_error("Choose a case first, then the documents that belong to it.")
            return
        dialog = LinkDocumentsDialog(self.project, case.id, case.name, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.link_documents(case.id, dialog.added(), dialog.removed())

    def add_attribute(self, name: str, type_: str = "text") -> bool:
        project = self.project
        name = name.strip()
        if project is None or not name:
            return False
        return self._push(
            f"Add case attribute '{name}'", lambda: project.add_attribute(name, "case", type_)
        )

    def ask_add_attribute(self) -> None:
        dialog = AddAttributeDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.name.text().strip():
            self.add_attribute(dialog.name.text(), dialog.type.currentData())

    def delete_attribute(self, attribute_id: int, ask: bool = True) -> bool:
        project = self.project
        attr = next((a for a in self.model.attributes if a.id == attribute_id), None)
        if project is None or attr is None:
            return False
        text = f"Delete case attribute '{attr.name}'"
        if ask and not common.confirm(self, text, f"{text} and all its values? You can undo this."):
            return False
        return self._push(text, lambda: project.delete_attribute(attribute_id))

    def import_attributes(self, path: str) -> bool:
        project = self.project
        if project is None or not path:
            return False
        return self._push("Import attributes", lambda: project.import_attributes(path))

    def ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import case attributes", "", "Tables (*.csv *.xlsx);;All files (*)"
        )
        if path:
            self.import_attributes(path)

    # ----------------------------------------------------------------- menus

    def build_context_menu(self, index: QModelIndex) -> QMenu | None:
        if self.project is None:
            return None
        menu = QMenu(self)
        menu.addAction("Add case…", self.ask_add_case)
        if index.isValid():
            self.view.setCurrentIndex(index)
            menu.addAction("Edit", lambda: self.view.edit(index))
            menu.addAction("Documents of this case…", self.ask_link_documents)
            menu.addSeparator()
            menu.addAction("Delete case…", self.delete_selected)
        menu.addSeparator()
        menu.addAction("Add attribute…", self.ask_add_attribute)
        menu.addAction("Import attributes…", self.ask_import)
        return menu

    def _header_menu(self, pos: QPoint) -> None:
        section = self.view.horizontalHeader().logicalIndexAt(pos)
        attr = self.model.attribute(section)
        menu = QMenu(self)
        menu.addAction("Add attribute…", self.ask_add_attribute)
        if attr is not None:
            menu.addAction(
                f"Delete attribute '{attr.name}'…", lambda: self.delete_attribute(attr.id)
            )
        menu.exec(self.view.horizontalHeader().mapToGlobal(pos))
