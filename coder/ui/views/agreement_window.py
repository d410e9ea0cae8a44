"""Team → Agreement…: agreement per code for chosen coders, and where they disagree.

Choose two or more coders (checkable list) and a unit, then Compute: a table per code with
percent agreement, Cohen's kappa (two coders) and Krippendorff's alpha. Selecting a code lists
the passages where the coders differ; double-clicking one opens the coders' codings of that
code side by side (:class:`SideBySideDialog`), from where the main window can show the passage
in compare mode.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from coder.core import agreement_text, intercoder
from coder.core.intercoder import CodeAgreement, CoderSummary, Disagreement
from coder.core.project import Project
from coder.core.text import PositionMap
from coder.ui.models.analysis import CheckListModel
from coder.ui.models.table import RowsTableModel
from coder.ui.tasks import ProgressLine, Runner
from coder.ui.views import common

if TYPE_CHECKING:
    from coder.ui.main_window import MainWindow

CoderIdRole = Qt.ItemDataRole.UserRole
CodeIdRole = Qt.ItemDataRole.UserRole + 1
DisagreementRole = Qt.ItemDataRole.UserRole + 2
SortRole = Qt.ItemDataRole.UserRole + 3
_Index = QModelIndex | QPersistentModelIndex

UNIT_LABELS = {
    "character": "Character",
    "paragraph": "Paragraph",
    "turn": "Speaker turn",
    "segment": "Coded segment",
}


# --------------------------------------------------------------------------- models


class CodersModel(QAbstractListModel):
    """The project's coders, each checkable, with how many codings they made."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[CoderSummary] = []
        self._checked: set[int] = set()

    def set_coders(self, rows: list[CoderSummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        known = {r.id for r in rows}
        self._checked &= known
        if not self._checked:
            # a sensible start: the two coders with the most codings
            busiest = sorted((r for r in rows if r.codings), key=lambda r: -r.codings)[:2]
            self._checked = {r.id for r in busiest}
        self.endResetModel()

    def checked_ids(self) -> list[int]:
        return [r.id for r in self._rows if r.id in self._checked]

    def checked_names(self) -> list[str]:
        return [r.name for r in self._rows if r.id in self._checked]

    def set_checked(self, names: list[str]) -> None:
        wanted = set(names)
        self._checked = {r.id for r in self._rows if r.name in wanted}
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1))

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{row.name} ({row.codings} coding{'s' if row.codings != 1 else ''})"
        if role == Qt.ItemDataRole.CheckStateRole:
            checked = row.id in self._checked
            return Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        if role == CoderIdRole:
            return row.id
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                f"{row.name}: {row.codings} codings in {row.documents} documents, {row.codes} codes"
            )
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsUserCheckable
        )

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.CheckStateRole:
            return False
        row = self._rows[index.row()]
        state = value.value if isinstance(value, Qt.CheckState) else value
        if state == Qt.CheckState.Checked.value:
            self._checked.add(row.id)
        else:
            self._checked.discard(row.id)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True


class AgreementModel(RowsTableModel):
    """One row per code, then the overall row: the agreement table and every figure, with the
    same headers and rounding as the command line and the report."""

    HEADERS: tuple[str, ...] = ("Code", "Units", "Agreement %", "Cohen's κ", "Krippendorff's α")
    DEFINITIONS = dict(agreement_text.DEFINITIONS)
    LONG: tuple[str, ...] = HEADERS  # the headers in full

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.result: intercoder.ProjectAgreement | None = None
        self._cells: list[tuple[str, ...]] = []

    def set_result(self, result: intercoder.ProjectAgreement | None) -> None:
        self.result = result
        if result is not None:
            self.DEFINITIONS = agreement_text.definitions(result)
            self.LONG = agreement_text.headers(result)
            self.HEADERS = tuple(agreement_text.SHORT.get(h, h) for h in self.LONG)
            self._cells = [agreement_text.cells(result, r) for r in (*result.codes, result.overall)]
        else:
            self._cells = []
        self.set_rows([] if result is None else [*result.codes, result.overall])  # a reset

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.HEADERS):
            name = self.HEADERS[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return name
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.definition(section)
        return super().headerData(section, orientation, role)

    def row(self, n: int) -> CodeAgreement:
        return self._rows[n]

    def definition(self, column: int) -> str | None:
        """The column's figure in full, and what it means."""
        if not 0 <= column < len(self.LONG):
            return None
        name = self.LONG[column]
        text = self.DEFINITIONS.get(name)
        return f"{name}: {text}" if text else name

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, col = self._rows[index.row()], index.column()
        if role == CodeIdRole:
            return row.code_id
        cells = self._cells[index.row()] if index.row() < len(self._cells) else ()
        if role == Qt.ItemDataRole.DisplayRole:
            return cells[col] if col < len(cells) else None
        if role == Qt.ItemDataRole.TextAlignmentRole and col > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col < len(cells) and cells[col] == "undefined":
                return "Undefined: there is no variation to measure agreement against"
            return self.definition(col)
        if role == Qt.ItemDataRole.FontRole and row.code_id is None:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(True)
            return font
        return None


class DisagreementsModel(RowsTableModel):
    HEADERS = ("Document", "Position", "Coded by", "Not coded by", "Passage")

    def disagreement(self, n: int) -> Disagreement:
        return self._rows[n]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        d = self._rows[index.row()]
        if role == DisagreementRole:
            return d
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = (
                d.document,
                f"{d.start}–{d.end}",
                ", ".join(d.coded_by) or "nobody",
                ", ".join(d.not_coded_by) or "nobody",
                d.text,
            )
            return values[index.column()]
        return None


# --------------------------------------------------------------------------- side by side


def _tint(color: str) -> QColor:
    c = QColor(color)
    if not c.isValid():
        c = QColor("#4E79A7")
    c.setAlpha(90)
    return c


class SideBySideDialog(QDialog):
    """Each coder's codings of one code around a passage, in read-only panes side by side."""

    CONTEXT = 600  # characters shown before and after the passage

    def __init__(
        self,
        parent: QWidget | None,
        project: Project,
        coders: list[str],
        code_id: int,
        disagreement: Disagreement,
    ) -> None:
        super().__init__(parent)
        code = project.code(code_id)
        self.disagreement = disagreement
        self.setWindowTitle(f"{code.path} in {disagreement.document}: codings side by side")
        common.fit_to_screen(self, 1000, 600)
        text = project.document_text(disagreement.document_id)
        lo = max(0, disagreement.start - self.CONTEXT)
        hi = min(len(text), disagreement.end + self.CONTEXT)
        # widen to whole lines so the excerpt reads naturally
        lo = text.rfind("\n", 0, lo) + 1 if lo > 0 else 0
        nl = text.find("\n", hi)
        hi = len(text) if nl < 0 else nl
        excerpt = text[lo:hi]
        layout = QVBoxLayout(self)
        head = QLabel(
            f"Passage {disagreement.start}–{disagreement.end} of {disagreement.document}. "
            f"Coded with {code.path} by {', '.join(disagreement.coded_by) or 'nobody'}; "
            f"not by {', '.join(disagreement.not_coded_by) or 'nobody'}."
        )
        head.setWordWrap(True)
        layout.addWidget(head)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.panes: dict[str, QPlainTextEdit] = {}
        self.spans: dict[str, list[tuple[int, int]]] = {}
        by_coder = {c.id: c.name for c in project.coders()}
        for name in coders:
            coder_id = next((i for i, n in by_coder.items() if n == name), None)
            spans = [
                (g.start, g.end)
                for g in project.codings(
                    document_id=disagreement.document_id,
                    code_ids=[code_id],
                    coder_ids=[coder_id] if coder_id is not None else [],
                )
                if g.end > lo and g.start < hi
            ]
            box, pane = self._pane(name, excerpt, spans, lo, hi, code.color)
            splitter.addWidget(box)
            self.panes[name] = pane
            self.spans[name] = spans
        layout.addWidget(splitter, 1)
        # The panes hold the same text: scrolling one scrolls the others.
        bars = [pane.verticalScrollBar() for pane in self.panes.values()]
        for bar in bars:
            for other in bars:
                if other is not bar:
                    bar.valueChanged.connect(other.setValue)
        row = QHBoxLayout()
        row.addStretch(1)
        self.compare_button = QPushButton("Show in the &Main Window")
        self.compare_button.setToolTip("Open the passage in the workbench, comparing the coders")
        row.addWidget(self.compare_button)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        row.addWidget(close)
        layout.addLayout(row)

    def _pane(
        self, name: str, excerpt: str, spans: list[tuple[int, int]], lo: int, hi: int, color: str
    ) -> tuple[QWidget, QPlainTextEdit]:
        """One coder's read-only pane: their codings tinted, the passage underlined."""
        disagreement = self.disagreement
        pm = PositionMap(excerpt)
        box = QWidget()
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel(f"{name}: {len(spans)} coding{'s' if len(spans) != 1 else ''} here")
        box_layout.addWidget(label)
        pane = QPlainTextEdit()
        pane.setReadOnly(True)
        pane.setPlainText(excerpt)
        pane.setAccessibleName(f"Codings of {name}")
        selections = []
        for start, end in spans:
            sel = QTextEdit.ExtraSelection()
            cursor = QTextCursor(pane.document())
            cursor.setPosition(pm.to_utf16(max(start, lo) - lo))
            cursor.setPosition(pm.to_utf16(min(end, hi) - lo), QTextCursor.MoveMode.KeepAnchor)
            fmt_ = QTextCharFormat()
            fmt_.setBackground(_tint(color))
            sel.cursor, sel.format = cursor, fmt_
            selections.append(sel)
        passage = QTextEdit.ExtraSelection()
        cursor = QTextCursor(pane.document())
        cursor.setPosition(pm.to_utf16(disagreement.start - lo))
        cursor.setPosition(pm.to_utf16(disagreement.end - lo), QTextCursor.MoveMode.KeepAnchor)
        outline = QTextCharFormat()
        outline.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        outline.setUnderlineColor(QColor("#D62728"))
        passage.cursor, passage.format = cursor, outline
        selections.append(passage)
        pane.setExtraSelections(selections)
        show = QTextCursor(pane.document())
        show.setPosition(pm.to_utf16(disagreement.start - lo))
        pane.setTextCursor(show)
        pane.centerCursor()
        box_layout.addWidget(pane, 1)
        return box, pane


# --------------------------------------------------------------------------- the window


class AgreementWindow(QDialog):
    """Non-modal window: coders, unit, results per code, disagreeing passages."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.agreement: intercoder.ProjectAgreement | None = None
        self.setWindowTitle("Inter-coder agreement")
        self.setModal(False)
        common.fit_to_screen(self, 1100, 720)
        outer = QHBoxLayout(self)
        outer.addWidget(self._options_panel())
        outer.addWidget(self._results_panel(), 1)
        self.current_code_id: int | None = None
        self.refresh_coders()
        changed = getattr(window, "projectChanged", None)
        if changed is not None:
            changed.connect(self._on_project_changed)

    def _options_panel(self) -> QWidget:
        """The coders, the unit, the overall row, the documents in scope, Compute and Copy."""
        left = QVBoxLayout()
        coders_label = QLabel("&Coders to compare:")
        left.addWidget(coders_label)
        self.coders = CodersModel(self)
        self.coders_view = QListView()
        self.coders_view.setModel(self.coders)
        self.coders_view.setAccessibleName("Coders to compare")
        coders_label.setBuddy(self.coders_view)
        left.addWidget(self.coders_view, 1)
        form = QFormLayout()
        self.unit = QComboBox()
        for key, label in UNIT_LABELS.items():
            self.unit.addItem(label, key)
        self.unit.setCurrentIndex(1)  # paragraph: what most teams report
        self.unit.setAccessibleName("Unit of agreement")
        self.unit.setToolTip(
            "What counts as one unit. A unit counts as coded with a code when one of the "
            "coder's codings of that code overlaps it."
        )
        form.addRow("&Unit:", self.unit)
        self.min_overlap = QSpinBox()
        self.min_overlap.setRange(1, 100)
        self.min_overlap.setValue(intercoder.MIN_OVERLAP)
        self.min_overlap.setSuffix(" %")
        self.min_overlap.setAccessibleName("Minimum overlap of matching segments")
        self.min_overlap.setToolTip(
            "Coded segments: two codings of a code match when they overlap by at least this "
            "share of their union"
        )
        form.addRow("Minimum &overlap:", self.min_overlap)
        self.unit.currentIndexChanged.connect(
            lambda _i: self.min_overlap.setEnabled(self.unit_key() == "segment")
        )
        self.min_overlap.setEnabled(False)
        self.pooling = QComboBox()
        self.pooling.addItem("Pool every code's units", "units")
        self.pooling.addItem("Mean of the codes", "mean")
        self.pooling.setAccessibleName("How the overall row is formed")
        form.addRow("O&verall:", self.pooling)
        left.addLayout(form)
        self._scope_choices(left)
        self.compute_button = QPushButton("C&ompute")
        self.compute_button.setDefault(True)
        self.compute_button.clicked.connect(self.compute)
        left.addWidget(self.compute_button)
        self.copy_button = QPushButton("Co&py Table")
        self.copy_button.setToolTip("Copy the figures as tab-separated text (paste into a sheet)")
        self.copy_button.clicked.connect(self.copy_table)
        self.copy_button.setEnabled(False)
        left.addWidget(self.copy_button)
        note = QLabel(
            "Unless chosen above, only documents that every chosen coder coded are compared; the "
            "others are listed as left out. Cohen's kappa needs exactly two coders. 'undefined' "
            "means there is no variation. Hover over a column header for its definition."
        )
        note.setWordWrap(True)
        left.addWidget(note)
        left_box = QWidget()
        left_box.setLayout(left)
        left_box.setMaximumWidth(300)
        return left_box

    def _scope_choices(self, left: QVBoxLayout) -> None:
        """Which documents: those every coder coded, those some coded, or those ticked."""
        self.partial = QCheckBox("Also documents only &some of them coded")
        self.partial.setToolTip(
            "Compare every document that at least two of the chosen coders coded; a coder who "
            "did not code a document counts as missing data there (Krippendorff's alpha allows "
            "it)."
        )
        left.addWidget(self.partial)
        self.every_document = QCheckBox("These &documents, coded or not:")
        self.every_document.setToolTip(
            "Compare the documents ticked below, in scope for every chosen coder: a coder who "
            "coded nothing in a document agrees there that no code applies (as NVivo and MAXQDA "
            "do)."
        )
        left.addWidget(self.every_document)
        self.documents = CheckListModel([], self)
        self.documents_view = QListView()
        self.documents_view.setModel(self.documents)
        self.documents_view.setAccessibleName("Documents in scope for every coder")
        self.documents_view.setEnabled(False)
        left.addWidget(self.documents_view, 1)

        def scope_changed(on: bool) -> None:
            self.partial.setEnabled(not on)
            self.documents_view.setEnabled(on)

        self.every_document.toggled.connect(scope_changed)

    def _results_panel(self) -> QSplitter:
        """The summary, the figures per code and the disagreeing passages of the selected code."""
        right = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        self.status = QLabel("Choose two or more coders and press Compute.")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Agreement summary")
        top_layout.addWidget(self.status)
        # The figures and the disagreeing passages are computed off the GUI thread; a new
        # Compute (or another code) replaces the one still running.
        self.runner = Runner(self._failed, self)
        self.passage_runner = Runner(self._failed, self)
        self.progress = ProgressLine(self.runner)
        top_layout.addWidget(self.progress)
        self.table = AgreementModel(self)
        self.table_view = QTableView()
        self.table_view.setModel(self.table)
        self.table_view.setAccessibleName("Agreement per code")
        self.table_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, len(AgreementModel.HEADERS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table_view.verticalHeader().hide()
        self.table_view.selectionModel().currentRowChanged.connect(
            lambda current, _prev: self.show_disagreements(current.row())
        )
        top_layout.addWidget(self.table_view, 1)
        right.addWidget(top)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        self.passages_label = QLabel("Select a code to list the passages where the coders differ.")
        bottom_layout.addWidget(self.passages_label)
        self.passages = DisagreementsModel(self)
        self.passages_view = QTableView()
        self.passages_view.setModel(self.passages)
        self.passages_view.setAccessibleName("Disagreeing passages")
        self.passages_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.passages_view.horizontalHeader().setStretchLastSection(True)
        # Widths from the first rows: a code can have thousands of disagreeing passages.
        self.passages_view.horizontalHeader().setResizeContentsPrecision(50)
        self.passages_view.verticalHeader().hide()
        self.passages_view.doubleClicked.connect(lambda index: self.open_passage(index.row()))
        bottom_layout.addWidget(self.passages_view, 1)
        right.addWidget(bottom)
        return right

    def _on_project_changed(self) -> None:
        """Another project (or none): the figures belong to the old one."""
        self.runner.cancel()
        self.passage_runner.cancel()
        self.agreement = None
        self.table.set_result(None)
        self.copy_button.setEnabled(False)
        self.passages.set_rows([])
        self.current_code_id = None
        self.refresh_coders()
        self.status.setText("Choose two or more coders and press Compute.")
        if self.window_.project is None:
            self.close()

    # ------------------------------------------------------------- data

    def refresh_coders(self) -> None:
        """The coders and the documents to choose from (a document unticked stays so)."""
        project = self.window_.project
        self.coders.set_coders(intercoder.coder_summaries(project) if project else [])
        docs = project.documents() if project else []
        on = set(self.documents.checked_ids())
        off = {item[0] for item in self.documents.items if item[0] not in on}
        self.documents.set_items([(d.id, d.name, 0) for d in docs], unchecked=off)

    def on_changes(self, _changes: Any) -> None:
        """Edits elsewhere: keep the coder list current; figures wait for Compute."""
        self.refresh_coders()

    def unit_key(self) -> str:
        return str(self.unit.currentData())

    def set_unit(self, unit: str) -> None:
        self.unit.setCurrentIndex(max(0, self.unit.findData(unit)))

    def compute(self) -> bool:
        """Compute the figures for the ticked coders off the GUI thread (shown when ready);
        False when there is nothing to compute."""
        project = self.window_.project
        names = self.coders.checked_names()
        if project is None:
            return False
        if len(names) < 2:
            self.status.setText("Tick at least two coders.")
            return False
        unit, every = self.unit_key(), self.every_document.isChecked()
        partial = self.partial.isChecked() and not every
        pooling, overlap = str(self.pooling.currentData()), self.min_overlap.value()
        chosen = self.documents.selection()  # None: every document (read when computing)
        if every and chosen == ():
            self.status.setText("Tick at least one document.")
            return False

        def work(conn: Project, _progress: Any) -> intercoder.ProjectAgreement:
            listed = None
            if every:
                listed = list(chosen) if chosen is not None else [d.id for d in conn.documents()]
            return intercoder.compute_agreement(
                conn,
                names,
                unit=unit,
                partial=partial,
                listed=listed,
                pooling=pooling,
                min_overlap=overlap,
            )

        self.passage_runner.cancel()
        self.status.setText(f"Computing the agreement of {', '.join(names)}…")
        self.runner.run(project, work, self._show_result, title="Computing the agreement")
        return True

    def _failed(self, message: str) -> None:
        self.status.setText("")
        self.window_.show_error(message)

    def _show_result(self, result: intercoder.ProjectAgreement) -> None:
        self.agreement = result
        self.table.set_result(result)
        self.copy_button.setEnabled(True)
        self.table_view.resizeColumnsToContents()
        self.passages.set_rows([])
        self.status.setText(" ".join(agreement_text.summary(result)))
        if result.codes:
            self.table_view.selectRow(0)

    def table_text(self) -> str:
        """The figures as tab-separated lines, headers first."""
        model = self.table
        lines = ["\t".join(model.HEADERS)]
        for r in range(model.rowCount()):
            cells = [str(model.index(r, c).data() or "") for c in range(model.columnCount())]
            lines.append("\t".join(cells))
        return "\n".join(lines) + "\n"

    def copy_table(self) -> None:
        from PySide6.QtWidgets import QApplication

        QApplication.clipboard().setText(self.table_text())

    def show_disagreements(self, row: int) -> None:
        project = self.window_.project
        if project is None or self.agreement is None or not 0 <= row < self.table.rowCount():
            return
        code = self.table.row(row)
        if code.code_id is None:
            self.current_code_id = None
            self.passages.set_rows([])
            self.passages_label.setText("Select a single code to list its disagreeing passages.")
            return
        self.current_code_id = code_id = code.code_id
        agreement = self.agreement
        coders, unit, partial = list(agreement.coders), agreement.unit, agreement.partial
        listed = agreement.document_ids if agreement.listed else None
        overlap = agreement.min_overlap or intercoder.MIN_OVERLAP

        def work(conn: Project, _progress: Any) -> list[Disagreement]:
            return intercoder.find_disagreements(
                conn,
                coders,
                code_id,
                unit=unit,
                partial=partial,
                listed=listed,
                min_overlap=overlap,
            )

        def show(found: list[Disagreement]) -> None:
            self.passages.set_rows(found)
            self.passages_view.resizeColumnsToContents()
            n = len(found)
            self.passages_label.setText(
                f"{n} passage{'s' if n != 1 else ''} where the coders differ on {code.code}"
                + (" (double-click to compare them side by side)" if n else "")
            )

        self.passages.set_rows([])
        self.passages_label.setText(f"Finding the passages where the coders differ on {code.code}…")
        self.passage_runner.run(project, work, show)

    def open_passage(self, row: int) -> SideBySideDialog | None:
        project = self.window_.project
        if project is None or self.agreement is None or self.current_code_id is None:
            return None
        if not 0 <= row < self.passages.rowCount():
            return None
        d = self.passages.disagreement(row)
        coders = [n for n in self.agreement.coders if n in d.coded_by or n in d.not_coded_by]
        dialog = SideBySideDialog(self, project, coders, self.current_code_id, d)
        dialog.compare_button.clicked.connect(lambda: self.show_in_main_window(d))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def show_in_main_window(self, d: Disagreement) -> None:
        """Open the passage in the workbench, comparing the first two coders' stripes."""
        from coder.ui.features.team import set_coder_filter

        project = self.window_.project
        if project is None or self.agreement is None:
            return
        ids = {c.name: c.id for c in project.coders()}
        first, second = (ids[n] for n in self.agreement.coders[:2])
        self.window_.show_passage(d.document_id, d.start, d.end)
        set_coder_filter(self.window_, None, compare=(first, second))
        common.bring_forward(self.window_)
