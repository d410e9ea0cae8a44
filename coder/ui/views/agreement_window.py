"""Team → Agreement…: agreement per code for chosen coders, and where they disagree.

Choose two or more coders (checkable list) and a unit, then Compute: a table per code with
percent agreement, Cohen's kappa (two coders) and Krippendorff's alpha. Selecting a code lists
the passages where the coders differ; double-clicking one opens the coders' codings of that
code side by side (:class:`SideBySideDialog`), from where the main window can show the passage
in compare mode.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
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
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coder.core import agreement_text, intercoder
from coder.core.intercoder import CodeAgreement, CoderSummary, Disagreement
from coder.core.project import Project
from coder.ui.commands import after_writes
from coder.ui.models.analysis import CheckListModel
from coder.ui.models.table import RowsTableModel
from coder.ui.tasks import ProgressLine, Runner
from coder.ui.views import common
from coder.ui.views.side_by_side import SideBySideDialog

if TYPE_CHECKING:
    from coder.ui.main_window import MainWindow

CoderIdRole = Qt.ItemDataRole.UserRole
CodeIdRole = Qt.ItemDataRole.UserRole + 1
DisagreementRole = Qt.ItemDataRole.UserRole + 2
SortRole = Qt.ItemDataRole.UserRole + 3
_Index = QModelIndex | QPersistentModelIndex

CHOOSE = "Choose two or more coders and press Compute."
STALE = "The project has changed since these figures were computed: press Compute."
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


@dataclass(frozen=True)
class Figures:
    """The texts of an agreement table: headers short and long, definitions, every cell."""

    headers: tuple[str, ...]
    long: tuple[str, ...]
    definitions: dict[str, str]
    cells: list[tuple[str, ...]]


def figures(result: intercoder.ProjectAgreement) -> Figures:
    """The table's texts, with the same headers and rounding as the command line and report
    (pure: made on the worker that computed ``result``)."""
    long = agreement_text.headers(result)
    return Figures(
        tuple(agreement_text.SHORT.get(h, h) for h in long),
        long,
        agreement_text.definitions(result),
        [agreement_text.cells(result, r) for r in (*result.codes, result.overall)],
    )


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

    def set_result(
        self, result: intercoder.ProjectAgreement | None, shown: Figures | None = None
    ) -> None:
        """Show ``result``, with its texts from :func:`figures` when they were prepared (off
        the GUI thread), else made here."""
        self.result = result
        if result is not None:
            shown = shown or figures(result)
            self.DEFINITIONS, self.LONG, self._cells = shown.definitions, shown.long, shown.cells
            self.HEADERS = shown.headers
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


# --------------------------------------------------------------------------- the window

# What the window offers to choose from: the coders, the documents (id, name, 0).
Choices = tuple[list[CoderSummary], list[tuple[int, str, int]]]


def read_choices(project: Project) -> Choices:
    """The coders with their counts and the documents (pure core: runs on a worker)."""
    coders = intercoder.coder_summaries(project)
    return coders, [(d.id, d.name, 0) for d in project.documents()]


class AgreementWindow(QDialog):
    """Non-modal window: coders, unit, results per code, disagreeing passages."""

    def __init__(self, window: MainWindow, read: bool = True) -> None:
        """``read=False`` leaves the coders and documents to :meth:`read_choices` (the menu
        shows the window first and reads them off the GUI thread)."""
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
        if read:
            self.refresh_coders()
        changed = getattr(window, "projectChanged", None)
        if changed is not None:
            changed.connect(self._on_project_changed)
        group = getattr(window, "undo_group", None)
        if group is not None:  # every edit, undo or redo moves its index
            group.indexChanged.connect(lambda _i: self.mark_stale())

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
        self.status = QLabel(CHOOSE)
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Agreement summary")
        top_layout.addWidget(self.status)
        # The figures and the disagreeing passages are computed off the GUI thread; a new
        # Compute (or another code) replaces the one still running.
        self.runner = Runner(self._failed, self)
        self.passage_runner = Runner(self._failed, self)
        self.choices_runner = Runner(self._failed, self)  # the coders and documents
        self.progress = ProgressLine(self.runner)
        top_layout.addWidget(self.progress)
        self.table = AgreementModel(self)
        self.table_view = QTableView()
        self.table_view.setModel(self.table)
        self.table_view.setAccessibleName("Agreement per code")
        self.table_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # Widths from the texts when a result comes (common.fit_columns): a header that sizes
        # its sections to their contents measures every cell at each change of the table.
        self.table_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
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
        self.status.setText(CHOOSE)
        if self.window_.project is None:
            self.close()

    # ------------------------------------------------------------- data

    def refresh_coders(self) -> None:
        """The coders and the documents to choose from (a document unticked stays so)."""
        project = self.window_.project
        self._set_choices(read_choices(project) if project else ([], []))

    def read_choices(self, then: Callable[[], Any] | None = None) -> None:
        """:meth:`refresh_coders` off the GUI thread; then ``then()``."""
        project = self.window_.project
        if project is None:
            self.refresh_coders()
            return

        def done(found: Choices) -> None:
            self._set_choices(found)
            if then is not None:
                then()

        self.choices_runner.run(project, lambda conn, _p: read_choices(conn), done)

    def _set_choices(self, found: Choices) -> None:
        coders, docs = found
        self.coders.set_coders(coders)
        on = set(self.documents.checked_ids())
        off = {item[0] for item in self.documents.items if item[0] not in on}
        self.documents.set_items(docs, unchecked=off)

    def compute_if_two(self) -> None:
        """Compute at once when two coders are ticked (the usual two-coder case)."""
        if len(self.coders.checked_names()) >= 2:
            self.compute()
        else:
            self.status.setText(CHOOSE)

    def mark_stale(self) -> None:
        """The project changed: the figures are computed again if they are being computed, else
        said to predate the change (Compute recomputes); the coders' counts are read again
        (when the window is open: opening it reads them)."""
        if self.runner.running:
            self.compute()
        elif self.agreement is not None:
            self.status.setText(STALE)
        if self.isVisible():
            self.read_choices()

    def unit_key(self) -> str:
        return str(self.unit.currentData())

    def set_unit(self, unit: str) -> None:
        self.unit.setCurrentIndex(max(0, self.unit.findData(unit)))

    def compute(self) -> bool:
        """Compute the figures for the ticked coders off the GUI thread (shown when ready, once
        an undo or redo being written is); False when there is nothing to compute."""
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
        if after_writes(self.window_, self.compute):
            self.runner.cancel()  # one started before would show the figures from before it
            self.status.setText("Waiting for the undo or redo being written…")
            return True

        def work(conn: Project, _progress: Any) -> tuple[intercoder.ProjectAgreement, Figures]:
            listed = None
            if every:
                listed = list(chosen) if chosen is not None else [d.id for d in conn.documents()]
            result = intercoder.compute_agreement(
                conn,
                names,
                unit=unit,
                partial=partial,
                listed=listed,
                pooling=pooling,
                min_overlap=overlap,
            )
            return result, figures(result)

        self.passage_runner.cancel()
        self.status.setText(f"Computing the agreement of {', '.join(names)}…")
        self.runner.run(project, work, self._show_result, title="Computing the agreement")
        return True

    def _failed(self, message: str) -> None:
        self.status.setText("")
        self.window_.show_error(message)

    def _show_result(self, computed: tuple[intercoder.ProjectAgreement, Figures]) -> None:
        result, shown = computed
        self.agreement = result
        self.table.set_result(result, shown)
        self.copy_button.setEnabled(True)
        common.fit_columns(self.table_view, shown.headers, shown.cells, first=200)
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
        if after_writes(self.window_, lambda: self.show_disagreements(row)):
            self.passages_label.setText("Once the undo or redo being written is done…")
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
