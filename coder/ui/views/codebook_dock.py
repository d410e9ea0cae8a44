"""The Codebook dock: the code hierarchy with swatches, quick keys and counts.

A click on a code selects it (its passages show in Retrieved passages) and never codes:
browsing the codebook must not change the project. Coding with a code is a deliberate act:
Enter or a double-click on it, the Code button, or its context menu, while text is selected
(or a drag of the selection onto it, or its quick key in the text). Categories (codes that
group others and cannot be applied) are shown in italics with a folder and refuse all of
these. Renaming is F2 (or the context menu), the full editor Ctrl+E / the context menu.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Literal

from PySide6.QtCore import (
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QColorDialog,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from coder.core import settings
from coder.core.project import Changes, Project
from coder.ui.dialogs.code_editor import CodeEditorDialog
from coder.ui.models.codebook import (
    CODINGS,
    DOCUMENTS,
    NAME,
    PASSAGE_MIME,
    CodebookModel,
    CodeIdRole,
    FilterRole,
    QuickKeyRole,
)
from coder.ui.views import common

DIGITS = tuple("123456789")


def quick_codes_key(project: Project) -> str:
    return f"quick_codes:{project.guid}"


class CodeNameDelegate(QStyledItemDelegate):
    """The code's name with its quick key drawn as a small badge at the right."""

    def _badge_width(self, option: QStyleOptionViewItem, key: str) -> int:
        return option.fontMetrics.horizontalAdvance(key) + 10

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        key = index.data(QuickKeyRole)
        if not key:
            super().paint(painter, option, index)
            return
        width = self._badge_width(option, key)
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        # Row background over the whole cell, then the usual item in the narrowed rectangle.
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, widget)
        narrowed = QStyleOptionViewItem(option)
        narrowed.rect = option.rect.adjusted(0, 0, -width - 4, 0)
        super().paint(painter, narrowed, index)
        rect = QRect(
            option.rect.right() - width - 1, option.rect.top() + 2, width, option.rect.height() - 4
        )
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        palette = option.palette
        fg = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(fg, 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), 3, 3)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, key)
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        size = super().sizeHint(option, index)
        key = index.data(QuickKeyRole)
        if key:
            size.setWidth(size.width() + self._badge_width(option, key) + 4)
        return size


class CodebookView(QTreeView):
    """A tree that reports plain clicks and Enter on a code (see the module docstring).

    A passage dragged from the document is coded with the code under the pointer, wherever
    on the row it is dropped (the tree's own drop positions above/below an item are for
    reordering codes).
    """

    codeTriggered = Signal(QModelIndex)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._hover = QPersistentModelIndex()  # the code a passage is being dragged over

    def _passage_target(self, event: QDropEvent | QDragMoveEvent) -> QModelIndex | None:
        if not event.mimeData().hasFormat(PASSAGE_MIME):
            return None
        index = self.indexAt(event.position().toPoint())
        return index.siblingAtColumn(0) if index.isValid() else QModelIndex()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(PASSAGE_MIME):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            return
        super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        target = self._passage_target(event)
        if target is None:
            super().dragMoveEvent(event)
            return
        if target.isValid():
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept(self.visualRect(target))
            self._hover = QPersistentModelIndex(target)
        else:
            event.ignore()
            self._hover = QPersistentModelIndex()
        self.viewport().update()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._hover = QPersistentModelIndex()
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        target = self._passage_target(event)
        if target is None:
            super().dropEvent(event)
            return
        self._hover = QPersistentModelIndex()
        self.viewport().update()
        model = self.model()
        # Row and column -1: "onto this item" (what a proxy model maps to the same item).
        if target.isValid() and model.dropMimeData(
            event.mimeData(), Qt.DropAction.CopyAction, -1, -1, target
        ):
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def drawRow(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().drawRow(painter, option, index)
        hover = self._hover
        if hover.isValid() and hover.row() == index.row() and hover.parent() == index.parent():
            painter.save()
            painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 2))
            painter.drawRect(option.rect.adjusted(1, 1, -1, -1))
            painter.restore()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if (
            event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and self.state() != QAbstractItemView.State.EditingState
            and self.currentIndex().isValid()
        ):
            self.codeTriggered.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)


class CodebookDock(common.ProjectDock):
    codeActivated = Signal(int)
    selectedCodesChanged = Signal(list)
    passageDropped = Signal(int, int, int, int)  # code id, document id, start, end

    def __init__(self, window: Any) -> None:
        super().__init__()
        self.window_ = window
        self.setObjectName("codebookDock")
        self.setAccessibleName("Codebook")
        self.model = CodebookModel(push=self._push, parent=self)
        self.model.passageDropped.connect(self.passageDropped)
        self.proxy = common.TreeFilterProxy(self, column=NAME)
        # Filter on the name alone, so a new count does not re-filter (and repaint) a branch.
        self.proxy.setFilterRole(FilterRole)
        self.proxy.setSourceModel(self.model)

        self.filter = common.filter_box("Filter codes…", "Filter codes")
        self.filter.textChanged.connect(self._on_filter)
        self.new_button = QToolButton()
        self.new_button.setText("New code")
        self.new_button.setAccessibleName("New code")
        self.new_button.setToolTip("Add a code at the top level (Ctrl+Shift+N adds a sub-code)")
        self.new_button.clicked.connect(lambda: self.ask_new_code(None))
        self.code_button = QToolButton()
        self.code_button.setText("Code")
        self.code_button.setAccessibleName("Code the selection with the selected code")
        self.code_button.setToolTip(
            "Code the text selected in the document with the selected code "
            "(Enter or double-click on a code; a click only selects it)"
        )
        self.code_button.setEnabled(False)

        self._build_view()
        self._add_shortcuts()

        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.code_button)
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view)
        self.set_project(getattr(window, "project", None))

    def _add_shortcuts(self) -> None:
        """Keys that act on the current code while the tree has the focus."""
        for title, keys, slot in (
            ("Edit code…", QKeySequence("Ctrl+E"), lambda: self.edit_code(self.current_code_id())),
            (
                "Delete code",
                QKeySequence(QKeySequence.StandardKey.Delete),
                lambda: self.delete_code(self.current_code_id()),
            ),
            (
                "New sub-code",
                QKeySequence("Ctrl+Shift+N"),
                lambda: self.ask_new_code(self.current_code_id()),
            ),
        ):
            act = QAction(title, self.view)
            act.setShortcut(keys)
            act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            act.triggered.connect(slot)
            self.view.addAction(act)

    def _build_view(self) -> None:
        """The tree of codes: delegates, drag and drop, context menu, fixed count columns."""
        self._quick: dict[int, str] = {}  # code id -> its quick key, as shown
        self.view = CodebookView()
        self.view.setAccessibleName("Codebook tree")
        self.view.setModel(self.proxy)
        self.view.setItemDelegateForColumn(NAME, CodeNameDelegate(self.view))
        self.view.setUniformRowHeights(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.view.setDragEnabled(True)
        self.view.setAcceptDrops(True)
        self.view.setDropIndicatorShown(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        common.context_menu_on(self.view, self.build_context_menu)
        self.view.doubleClicked.connect(self._on_triggered)
        self.code_button.clicked.connect(lambda: self._on_triggered(self.view.currentIndex()))
        self.view.codeTriggered.connect(self._on_triggered)
        self.empty_hint = common.EmptyHint(
            self.view,
            lambda: (
                "No codes match the filter."
                if self.filter.text().strip()
                else "No codes yet.\nAdd one with New code, or select text and create a code "
                "from it."
            ),
        )
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        # Fixed widths from the font, not ResizeToContents: that re-measures every row on
        # each change (each coding), which is slow in big codebooks.
        metrics = self.fontMetrics()
        for col in (CODINGS, DOCUMENTS):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, metrics.horizontalAdvance("Docs") + 18)
        common.remember_header(header, "codebook")
        self.view.selectionModel().selectionChanged.connect(self._on_selection)
        self.view.selectionModel().currentChanged.connect(self.update_code_button)
        text_view = getattr(self.window_, "view", None)
        if text_view is not None and hasattr(text_view, "positionChanged"):
            text_view.positionChanged.connect(self.update_code_button)
        self.proxy.rowsInserted.connect(self._expand_inserted)
        self.proxy.modelReset.connect(self.view.expandAll)

    # ----------------------------------------------------------------- window interface

    @property
    def project(self) -> Project | None:
        return self.model.project

    def set_project(self, project: Project | None) -> None:
        self.model.set_project(project)
        self._load_quick_keys(force=True)
        self.view.expandAll()
        self.setEnabled(project is not None)
        self.update_code_button()

    def on_changes(self, changes: Changes) -> None:
        self.model.on_changes(changes)
        if changes.codes:
            # A deleted code loses its key; an undone deletion gets it back (same guid); new
            # and moved codes move the keys given out of the box.
            self._load_quick_keys()

    def current_code_id(self) -> int | None:
        index = self.proxy.mapToSource(self.view.currentIndex())
        value = index.data(CodeIdRole) if index.isValid() else None
        return int(value) if value is not None else None

    def selected_code_ids(self) -> list[int]:
        ids: list[int] = []
        for index in self.view.selectionModel().selectedRows(NAME):
            value = self.proxy.mapToSource(index).data(CodeIdRole)
            if value is not None and value not in ids:
                ids.append(int(value))
        return ids

    def select_code(self, code_id: int) -> None:
        index = self.proxy.mapFromSource(self.model.index_of(code_id))
        if index.isValid():
            self.view.setCurrentIndex(index)
            self.view.scrollTo(index)

    def quick_code(self, digit: int | str) -> int | None:
        """The code assigned to quick key ``digit`` (1–9), or None."""
        key = str(digit)
        for code_id, assigned in self._quick.items():
            if assigned == key:
                return code_id
        return None

    # ----------------------------------------------------------------- internals

    def _push(self, text: str, service: Any) -> bool:
        return bool(self.window_.push(text, service))

    def _on_filter(self, text: str) -> None:
        self.proxy.set_filter(text)
        self.empty_hint.refresh()
        self.view.expandAll()
        # Reordering while some codes are hidden would be guesswork.
        self.view.setDragEnabled(not text.strip())

    def _expand_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        if parent.isValid():
            self.view.expand(parent)

    def _on_selection(self, *_: QItemSelection) -> None:
        self.selectedCodesChanged.emit(self.selected_code_ids())

    def _on_triggered(self, index: QModelIndex) -> None:
        """Enter, double-click or the Code button on a code: code the selection with it."""
        value = self.proxy.mapToSource(index).data(CodeIdRole) if index.isValid() else None
        if value is not None:
            self.codeActivated.emit(int(value))

    def _text_selected(self) -> bool:
        text_view = getattr(self.window_, "view", None)
        return bool(text_view is not None and text_view.has_selection())

    def update_code_button(self, *_: Any) -> None:
        """The Code button works with a code (not a category) and text selected."""
        code_id = self.current_code_id()
        code = self.model.code(code_id) if code_id is not None else None
        self.code_button.setEnabled(code is not None and code.codable and self._text_selected())

    # ----------------------------------------------------------------- quick keys

    def _load_quick_keys(self, force: bool = False) -> None:
        """The keys this user assigned in this project; until they assign one, the first nine
        codes that can be applied, in codebook order, get 1–9."""
        quick: dict[int, str] = {}
        project = self.project
        if project is not None:
            stored = settings.get(quick_codes_key(project))
            codes = self.model.codes()
            if isinstance(stored, dict):
                by_guid = {c.guid: c.id for c in codes}
                for digit, guid in stored.items():
                    if digit in DIGITS and guid in by_guid:
                        quick[by_guid[guid]] = digit
            else:
                codable = [c for c in codes if c.codable]
                quick = dict(zip((c.id for c in codable), DIGITS, strict=False))
        if force or quick != self._quick:
            self._quick = quick
            self.model.set_quick_keys(quick)

    def set_quick_key(self, digit: int | str | None, code_id: int | None) -> None:
        """Assign quick key ``digit`` to a code (None: clear the code's key, or the digit's).

        The first assignment also keeps the other keys shown until then."""
        project = self.project
        if project is None:
            return
        guids = {c.id: c.guid for c in self.model.codes()}
        stored = {d: guids[c] for c, d in self._quick.items() if c in guids}
        code = self.model.code(code_id) if code_id is not None else None
        if code is not None:
            stored = {d: g for d, g in stored.items() if g != code.guid}
        if digit is not None:
            stored.pop(str(digit), None)
            if code is not None:
                stored[str(digit)] = code.guid
        settings.set_value(quick_codes_key(project), dict(sorted(stored.items())))
        self._load_quick_keys()

    # ----------------------------------------------------------------- commands

    def new_code(self, name: str, parent_id: int | None = None, **fields: Any) -> int | None:
        """Add a code (one undo step); returns its id, or None when it failed."""
        project = self.project
        if project is None:
            return None
        name = " ".join(name.split())
        holder: list[Changes] = []

        def run() -> Changes:
            changes = project.add_code(name, parent_id=parent_id, **fields)
            holder.append(changes)
            return changes

        parent = self.model.code(parent_id) if parent_id else None
        text = f"Add code '{name}'" + (f" under '{parent.name}'" if parent else "")
        if not self._push(text, run) or not holder:
            return None
        created = holder[0].created("codes")
        if created:
            self.select_code(created[0])
            return created[0]
        return None

    def ask_new_code(self, parent_id: int | None) -> None:
        parent = self.model.code(parent_id) if parent_id else None
        label = (
            f"Name of the new sub-code of '{parent.name}':" if parent else "Name of the new code:"
        )
        name = common.ask_text(self, "New sub-code" if parent else "New code", label)
        if name and name.strip():
            self.new_code(name, parent_id)

    def rename_code(self, code_id: int, name: str) -> bool:
        index = self.model.index_of(code_id, NAME)
        return index.isValid() and self.model.setData(index, name)

    def update_code(self, code_id: int, command: str | None = None, **fields: str) -> bool:
        """Change fields of a code in one undo step (named ``command``, or after the change)."""
        project, code = self.project, self.model.code(code_id)
        if project is None or code is None:
            return False
        fields = {k: v for k, v in fields.items() if getattr(code, k) != v}
        if not fields:
            return False
        if command is not None:
            text = command
        elif set(fields) == {"color"}:
            text = f"Change colour of code '{code.name}'"
        elif set(fields) == {"name"}:
            text = f"Rename code '{code.name}' to '{fields['name']}'"
        else:
            text = f"Edit code '{code.name}'"
        return self._push(text, lambda: project.update_code(code_id, **fields))

    def edit_code(self, code_id: int | None) -> None:
        code = self.model.code(code_id) if code_id is not None else None
        if code is None:
            return
        dialog = CodeEditorDialog(code, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.update_code(code.id, f"Edit code '{code.name}'", **dialog.changed_fields())

    def change_color(self, code_id: int | None) -> None:
        from PySide6.QtGui import QColor

        code = self.model.code(code_id) if code_id is not None else None
        if code is None:
            return
        chosen = QColorDialog.getColor(QColor(code.color), self, f"Colour of '{code.name}'")
        if chosen.isValid():
            self.update_code(code.id, color=chosen.name().upper())

    def merge_code(self, source_id: int, target_id: int) -> bool:
        project = self.project
        src, tgt = self.model.code(source_id), self.model.code(target_id)
        if project is None or src is None or tgt is None:
            return False
        return self._push(
            f"Merge code '{src.name}' into '{tgt.name}'",
            lambda: project.merge_codes(source_id, target_id),
        )

    def ask_merge(self, code_id: int | None) -> None:
        code = self.model.code(code_id) if code_id is not None else None
        if code is None:
            return
        excluded = {code.id, *self.model.descendants(code.id)}
        targets = [c for c in self.model.codes() if c.id not in excluded]
        if not targets:
            self.window_.show_error("There is no other code to merge into.")
            return
        choice = common.ask_choice(
            self,
            "Merge code",
            f"Merge '{code.path}' (its codings and sub-codes) into:",
            [c.path for c in targets],
        )
        if choice is not None:
            target = next(c for c in targets if c.path == choice)
            self.merge_code(code.id, target.id)

    def delete_code(
        self,
        code_id: int | None,
        children: Literal["delete", "move_up"] | None = None,
        ask: bool = True,
    ) -> bool:
        """Delete a code; with sub-codes, ``children`` is "delete" or "move_up" (asked if None)."""
        project = self.project
        code = self.model.code(code_id) if code_id is not None else None
        if project is None or code is None:
            return False
        row = self.model.value(code.id)
        has_children = bool(self.model.child_ids(code.id))
        if has_children and children is None:
            if not ask:
                return False
            choice = common.ask_buttons(
                self,
                f"Delete code '{code.name}'",
                f"'{code.name}' has sub-codes. Delete them too (with their codings), or move "
                "them up one level?",
                ["Delete sub-codes", "Move sub-codes up"],
            )
            if choice is None:
                return False
            children = "delete" if choice == "Delete sub-codes" else "move_up"
        elif ask and not has_children and row.codings:
            if not common.confirm(
                self,
                f"Delete code '{code.name}'",
                f"Delete '{code.name}' and its {row.codings} codings? You can undo this.",
            ):
                return False
        return self._push(
            f"Delete code '{code.name}'",
            lambda: project.delete_code(code.id, children=children if has_children else None),
        )

    # ----------------------------------------------------------------- context menu

    def build_context_menu(self, index: QModelIndex) -> QMenu | None:
        if self.project is None:
            return None
        menu = QMenu(self)
        value = self.proxy.mapToSource(index).data(CodeIdRole) if index.isValid() else None
        menu.addAction("New code…", lambda: self.ask_new_code(None))
        if value is None:
            menu.addSeparator()
            menu.addAction("Expand all", self.view.expandAll)
            menu.addAction("Collapse all", self.view.collapseAll)
            return menu
        code_id = int(value)
        code = self.model.code(code_id)
        codable = code is not None and code.codable
        apply = menu.addAction(
            f"Code the selection with '{code.name if code else ''}'",
            lambda: self.codeActivated.emit(code_id),
        )
        apply.setEnabled(codable and self._text_selected())
        if not codable:
            apply.setText("A category cannot be applied")
        menu.addSeparator()
        menu.addAction("New sub-code…", lambda: self.ask_new_code(code_id))
        menu.addSeparator()
        menu.addAction("Edit…", lambda: self.edit_code(code_id))
        menu.addAction("Rename", lambda: self.view.edit(index.siblingAtColumn(NAME)))
        menu.addAction("Change colour…", lambda: self.change_color(code_id))
        keys = menu.addMenu("Quick key")
        keys.setEnabled(codable)
        current = self._quick.get(code_id)
        for digit in DIGITS:
            holder = self.quick_code(digit)
            label = digit
            other = self.model.code(holder) if holder is not None and holder != code_id else None
            if other is not None:
                label += f"  (now '{other.name}')"
            act = keys.addAction(label, partial(self.set_quick_key, digit, code_id))
            act.setCheckable(True)
            act.setChecked(current == digit)
        keys.addSeparator()
        keys.addAction("None", lambda: self.set_quick_key(None, code_id)).setEnabled(
            current is not None
        )
        menu.addSeparator()
        menu.addAction("Merge into…", lambda: self.ask_merge(code_id))
        menu.addAction("Delete…", lambda: self.delete_code(code_id))
        return menu
