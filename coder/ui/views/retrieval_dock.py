"""The Retrieved passages dock: passages of the selected codes, with filters.

Codes combine as in :func:`coder.core.query.retrieve`: OR (every coding of any of them), AND
(where they all meet: in the same passage, paragraph or speaker turn) or NOT (the first
selected code's codings that meet none of the others'). Double-click or Enter on a passage
emits ``passageActivated(doc, start, end)``.
"""

from __future__ import annotations

import html
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QAction,
    QKeySequence,
    QPainter,
    QPalette,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
)

from coder.core import settings
from coder.core.project import Changes, Project
from coder.ui.dialogs.note_dialog import ask_note
from coder.ui.models.codings import (
    CODE,
    CODER,
    CONTEXT,
    DOCUMENT,
    MAX_PASSAGE_SHOWN,
    NOTES,
    POSITION,
    SPEAKER,
    ContextRole,
    DocumentIdRole,
    PassageRole,
    Query,
    RetrievedPassagesModel,
    SortRole,
    SpanRole,
)
from coder.ui.views import common

if TYPE_CHECKING:  # imported when passages are first asked for
    from coder.core.query import Passage


def context_html(before: str, passage: str, after: str) -> str:
    """The passage in bold between its context, on one line, HTML-escaped."""

    def flat(text: str) -> str:
        # Runs of white space (line ends too) become one space, kept at either end.
        inner = " ".join(text.split())
        if not inner:
            return " " if text else ""
        lead = " " if text[0].isspace() else ""
        trail = " " if text[-1].isspace() else ""
        return html.escape(lead + inner + trail)

    if len(passage) > MAX_PASSAGE_SHOWN:
        half = MAX_PASSAGE_SHOWN // 2
        passage = passage[:half] + " … " + passage[-half:]
    lead = "…" if before.strip() else ""
    tail = "…" if after.strip() else ""
    shown_before = flat(before).lstrip() if lead else flat(before)
    shown_after = flat(after).rstrip() if tail else flat(after)
    return f"{lead}{shown_before}<b>{flat(passage)}</b>{shown_after}{tail}"


class ContextDelegate(QStyledItemDelegate):
    """Paints the context column as rich text: the passage in bold, its context plain.

    Laid-out lines are cached (by text and font): a repaint after one new coding shifts
    every visible row, and laying out rich text again for each would be slow.
    """

    CACHE_SIZE = 400

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._cache: OrderedDict[tuple[str, str], QTextDocument] = OrderedDict()

    def _document(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QTextDocument:
        context = index.data(ContextRole)
        markup = context_html(*context) if context else ""
        key = (markup, option.font.key())
        doc = self._cache.get(key)
        if doc is not None:
            self._cache.move_to_end(key)
            return doc
        doc = QTextDocument(self)
        doc.setDefaultFont(option.font)
        doc.setDocumentMargin(2)
        text_option = QTextOption()
        text_option.setWrapMode(QTextOption.WrapMode.NoWrap)  # one line per passage
        doc.setDefaultTextOption(text_option)
        doc.setHtml(markup)
        self._cache[key] = doc
        if len(self._cache) > self.CACHE_SIZE:
            _key, old = self._cache.popitem(last=False)
            old.deleteLater()
        return doc

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        doc = self._document(option, index)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        ctx.palette.setColor(QPalette.ColorRole.Text, option.palette.color(role))
        painter.save()
        painter.translate(option.rect.topLeft())
        clip = QRectF(0, 0, option.rect.width(), option.rect.height())
        painter.setClipRect(clip)
        ctx.clip = clip
        doc.documentLayout().draw(painter, ctx)
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        doc = self._document(option, index)
        return QSize(int(doc.idealWidth()), int(doc.size().height()))


class RetrievalDock(common.ProjectDock):
    passageActivated = Signal(int, int, int)  # document id, start, end

    def __init__(self, window: Any) -> None:
        super().__init__()
        self.window_ = window
        self.setObjectName("retrievalDock")
        self.setAccessibleName("Retrieved passages")
        self.model = RetrievedPassagesModel(self)
        self.proxy = common.ValueSortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SortRole)

        self._build_filters()
        self._build_view()

        filters = QHBoxLayout()
        filters.addWidget(self.mode)
        filters.addWidget(self.within)
        filters.addWidget(self.children_box)
        filters.addWidget(self.document_box)
        filters.addWidget(self.case_box)
        filters.addWidget(self.coder_box)
        filters.addStretch(1)
        filters.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filters)
        layout.addWidget(self.view)
        self._show_within()
        self.set_project(getattr(window, "project", None))

    def _build_view(self) -> None:
        """The passages' table: columns, delegates, context menu, Copy, the count."""
        self.view = QTableView()
        self.view.setAccessibleName("Retrieved passages table")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.view.setItemDelegateForColumn(CONTEXT, ContextDelegate(self.view))
        # A code path keeps its last part (the code's own name) visible.
        self.view.setItemDelegateForColumn(
            CODE, common.ElideDelegate(Qt.TextElideMode.ElideMiddle, self.view)
        )
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        for col in (DOCUMENT, CODE, SPEAKER, POSITION, CODER, NOTES):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(DOCUMENT, 130)
        header.resizeSection(CODE, 130)
        header.resizeSection(SPEAKER, 80)
        metrics = self.fontMetrics()
        header.resizeSection(POSITION, metrics.horizontalAdvance("¶ 88, 88888–88888") + 14)
        header.resizeSection(CODER, metrics.horizontalAdvance("Coder name") + 14)
        header.resizeSection(NOTES, 110)
        common.choose_columns(header, fixed=CONTEXT)  # on a small screen, hide some
        common.remember_header(header, "retrieval")
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.view.activated.connect(self._on_activated)
        self.empty_hint = common.EmptyHint(
            self.view,
            lambda: (
                "No passages for the selected codes with these filters."
                if getattr(self, "_code_ids", ())
                else "Select codes in the codebook to see their coded passages here\n"
                "(Ctrl+click several: AND shows where they meet, NOT the first without the others)."
            ),
        )
        common.context_menu_on(self.view, self.build_context_menu)
        copy = QAction("Copy passages with source", self.view)
        copy.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy_selected)
        self.view.addAction(copy)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)

    def _build_filters(self) -> None:
        """How codes combine, where they meet, the filters; each choice kept per user."""
        self.mode = QComboBox()
        self.mode.setAccessibleName("Combine codes")
        self.mode.addItem("Any selected code (OR)", "or")
        self.mode.addItem("All selected codes (AND)", "and")
        self.mode.addItem("First code, not the others (NOT)", "not")
        self.mode.setToolTip(
            "OR: every coding of any selected code.\n"
            "AND: where codings of all selected codes meet (in the same passage: the stretch "
            "they all cover; in the same paragraph or speaker turn: that paragraph or turn).\n"
            "NOT: the codings of the first selected code that meet no coding of the others."
        )
        self.within = QComboBox()
        self.within.setAccessibleName("Where codes meet")
        self.within.addItem("in the same passage", "passage")
        self.within.addItem("in the same paragraph", "paragraph")
        self.within.addItem("in the same speaker turn", "turn")
        self.within.setToolTip("Where codings of different codes count as meeting (AND and NOT)")
        self.children_box = QCheckBox("Include sub-codes")
        self.children_box.setAccessibleName("Include sub-codes")
        self.document_box = self._combo("Filter by document")
        self.case_box = self._combo("Filter by case")
        self.coder_box = self._combo("Filter by coder")
        self.count = QLabel()
        self.count.setAccessibleName("Number of passages")
        # How codes combine and whether sub-codes count are habits: kept per user.
        self.set_mode(
            str(settings.get("retrieval:mode", "or")),
            str(settings.get("retrieval:within", "passage")),
        )
        self.children_box.setChecked(bool(settings.get("retrieval:include_children", False)))
        for combo in (self.mode, self.within, self.document_box, self.case_box, self.coder_box):
            combo.currentIndexChanged.connect(self._requery)
        self.children_box.toggled.connect(self._requery)
        self.mode.currentIndexChanged.connect(self._show_within)
        self.mode.currentIndexChanged.connect(
            lambda _i: settings.set_value("retrieval:mode", self.mode.currentData())
        )
        self.within.currentIndexChanged.connect(
            lambda _i: settings.set_value("retrieval:within", self.within.currentData())
        )
        self.children_box.toggled.connect(
            lambda on: settings.set_value("retrieval:include_children", bool(on))
        )

    @staticmethod
    def _combo(name: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.setToolTip(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.setMinimumContentsLength(10)
        return combo

    # ----------------------------------------------------------------- window interface

    @property
    def project(self) -> Project | None:
        return self.model.project

    def set_project(self, project: Project | None) -> None:
        self._code_ids: tuple[int, ...] = ()
        self.model.set_project(project)
        self._fill_filters()
        self._update_count()
        self.setEnabled(project is not None)

    def on_changes(self, changes: Changes) -> None:
        if self.project is None:
            return
        if changes.documents or changes.cases or changes.ids("coders"):
            self._fill_filters()
        self.model.on_changes(changes)
        self._code_ids = self.model.query.code_ids
        self._update_count()

    def show_codes(self, code_ids: list[int]) -> None:
        """Show the passages of these codes (combined as the mode box says)."""
        self._code_ids = tuple(dict.fromkeys(int(c) for c in code_ids))
        self._requery()

    def set_mode(self, mode: str, within: str | None = None) -> None:
        """``"or"``, ``"and"`` or ``"not"``; ``within`` (``"passage"``, ``"paragraph"`` or
        ``"turn"``) says where codes meet for AND and NOT (unchanged when None)."""
        if within is not None:
            i = self.within.findData(within)
            if i >= 0:
                self.within.setCurrentIndex(i)
        i = self.mode.findData(mode)
        if i >= 0:
            self.mode.setCurrentIndex(i)

    def set_filters(
        self,
        document_id: int | None = None,
        case_id: int | None = None,
        coder_id: int | None = None,
    ) -> None:
        for combo, value in (
            (self.document_box, document_id),
            (self.case_box, case_id),
            (self.coder_box, coder_id),
        ):
            i = combo.findData(value)
            combo.setCurrentIndex(max(i, 0))

    def passages(self) -> list[Any]:
        """Passages in the order shown."""
        out = []
        for row in range(self.proxy.rowCount()):
            out.append(self.proxy.index(row, 0).data(PassageRole))
        return out

    # ----------------------------------------------------------------- internals

    def _fill_filters(self) -> None:
        project = self.project
        sources: list[tuple[QComboBox, str, list[tuple[str, int]]]] = []
        if project is not None:
            sources = [
                (
                    self.document_box,
                    "All documents",
                    [(d.name, d.id) for d in project.document_refs()],
                ),
                (self.case_box, "All cases", [(c.name, c.id) for c in project.cases()]),
                (self.coder_box, "All coders", [(c.name, c.id) for c in project.coders()]),
            ]
        else:
            sources = [
                (self.document_box, "All documents", []),
                (self.case_box, "All cases", []),
                (self.coder_box, "All coders", []),
            ]
        for combo, everything, items in sources:
            shown = [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())]
            if shown == [(everything, None), *items]:
                continue  # unchanged: no refill (each one floods a screen reader with events)
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everything, None)
            for name, value in items:
                combo.addItem(name, value)
            i = combo.findData(current)
            combo.setCurrentIndex(max(i, 0))
            combo.blockSignals(False)
            if current is not None and i < 0:
                self._requery()  # the filtered-on item is gone

    def _show_within(self, *_: Any) -> None:
        """The "where codes meet" choice is shown for AND and NOT (OR lists every coding)."""
        self.within.setVisible(self.mode.currentData() in ("and", "not"))

    def _requery(self, *_: Any) -> None:
        if self.project is None:
            return
        self.model.set_query(
            Query(
                code_ids=self._code_ids,
                mode=self.mode.currentData() or "or",
                include_children=self.children_box.isChecked(),
                document_id=self.document_box.currentData(),
                case_id=self.case_box.currentData(),
                coder_id=self.coder_box.currentData(),
                within=self.within.currentData() or "passage",
            )
        )
        self._update_count()

    def _update_count(self, *_: Any) -> None:
        if hasattr(self, "empty_hint"):
            self.empty_hint.refresh()
        n = self.proxy.rowCount()
        codes = getattr(self, "_code_ids", ())
        if not codes:
            self.count.setText("")  # the empty table says what to do
            return
        text = f"{n} passage{'s' if n != 1 else ''}"
        if self.mode.currentData() == "not" and len(codes) > 1 and self.project is not None:
            # Which code is kept depends on the order the codes were selected in: say it.
            paths = {c.id: c.path for c in self.model.sources().codes()}
            without = ", ".join(paths.get(c, "?") for c in codes[1:])
            text += f" of {paths.get(codes[0], '?')}, without {without}"
        self.count.setText(text)

    def selected_passages(self) -> list[Passage]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [self.proxy.index(r, 0).data(PassageRole) for r in rows]

    def quote(self, passage: Passage) -> str:
        """The passage as a quotation with its source (document, speaker, paragraph)."""
        text = " ".join(self.model.context(passage)[1].split())
        source = [passage.document]
        speaker = self.model.speaker(passage)
        if speaker:
            source.append(speaker)
        para = self.model.paragraph(passage)
        if para is not None:
            source.append(f"¶ {para}")
        return f"“{text}” ({', '.join(source)})"

    def copy_selected(self) -> None:
        passages = self.selected_passages()
        if passages:
            QApplication.clipboard().setText("\n\n".join(self.quote(p) for p in passages))

    def remove_codings(self, passages: list[Passage]) -> bool:
        """Remove the codings behind passages (one undo step)."""
        project = self.project
        ids = list(dict.fromkeys(c for p in passages for c in p.coding_ids))
        if project is None or not ids:
            return False
        from coder.core.bulk import run_together

        text = "Remove coding" if len(ids) == 1 else f"Remove {len(ids)} codings"
        calls = [lambda c=c: project.remove_coding(c) for c in ids]
        return bool(self.window_.push(text, lambda: run_together(project, calls)))

    def set_memo(self, passage: Passage, memo: str) -> bool:
        project = self.project
        if project is None or len(passage.coding_ids) != 1 or memo == passage.memo:
            return False
        coding_id = passage.coding_ids[0]
        return bool(
            self.window_.push("Edit coding memo", lambda: project.set_coding_memo(coding_id, memo))
        )

    def build_context_menu(self, index: QModelIndex) -> QMenu | None:
        if not index.isValid():
            return None
        if not self.view.selectionModel().isRowSelected(index.row(), QModelIndex()):
            self.view.selectRow(index.row())
        passages = self.selected_passages()
        menu = QMenu(self)
        menu.addAction("Show in document", lambda: self._on_activated(index))
        menu.addAction("Copy with source", self.copy_selected)
        menu.addSeparator()
        if len(passages) == 1 and len(passages[0].coding_ids) == 1:
            menu.addAction("Memo…", lambda: self._ask_memo(passages[0]))
        n = len({c for p in passages for c in p.coding_ids})
        menu.addAction(
            "Remove coding" if n == 1 else f"Remove {n} codings",
            lambda: self.remove_codings(passages),
        )
        return menu

    def _ask_memo(self, passage: Passage) -> None:
        memo = ask_note(
            self, "Coding memo", f"Memo on this coding in '{passage.document}':", passage.memo
        )
        if memo is not None:
            self.set_memo(passage, memo)

    def _on_activated(self, index: QModelIndex) -> None:
        source = self.proxy.mapToSource(index)
        doc_id, span = source.data(DocumentIdRole), source.data(SpanRole)
        if doc_id is None or span is None:
            return
        self.passageActivated.emit(int(doc_id), int(span[0]), int(span[1]))
