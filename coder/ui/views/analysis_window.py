"""Analysis → Frequencies and co-occurrence…: the numbers of :mod:`coder.core.query`, shown.

Tabs: frequencies (by document, by case or by an attribute) with a bar chart; code × attribute
crosstab; co-occurrence matrix with a heat map; codings per speaker. Every table sorts by
clicking a header, copies as tab-separated text (Ctrl+C or the Copy button) and exports to CSV
or XLSX. Clicking a cell lists the passages behind it; double-clicking one shows it in the text.

Every query runs off the GUI thread on a connection of its own (:class:`coder.ui.tasks.Runner`),
the tables built there too: the window swaps models in, the tab on show first, the other tabs'
widgets and tables one per later turn of the event loop, the charts (:mod:`coder.ui.views.charts`)
last. A new request (another option, Refresh, another cell) cancels the one still running.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from coder.core import query
from coder.core.errors import CoderError
from coder.core.project import Project
from coder.ui.commands import after_writes
from coder.ui.models.analysis import (
    AnalysisTableModel,
    DrillRole,
    PassageModel,
    PassageRole,
    SortRole,
    Table,
    display,
)
from coder.ui.tasks import ProgressLine, Runner
from coder.ui.views import common
from coder.ui.views.analysis_data import (
    PART_LABELS,
    WITHIN_LABELS,
    AnalysisData,
    AnalysisOptions,
    Part,
    compute_parts,
    crosstab_table,
)
from coder.ui.views.charts import BarChart, Chart, HeatMap
from coder.ui.views.crosstab_controls import CrosstabGrouping

CROSSTAB_SHOW = ["Counts", "Row %", "Column %"]
# The "Only:" filter lists attribute values, for attributes with at most this many.
WHERE_MAX_VALUES = 40
_SEP = "\x1f"
PASSAGE_CONTEXT = 200
# The tabs: each pane's key (as in analysis_data.PARTS) and its tab's title.
PANE_TABS = {
    "freq": "&Frequencies",
    "cross": "Cross&tab",
    "cooc": "Co-&occurrence",
    "speakers": "Spea&kers",
}


def ask_save_path(parent: QWidget | None, title: str, default: str, filters: str) -> str | None:
    """The file to write (None when cancelled). Tests replace this function."""
    path, _ = QFileDialog.getSaveFileName(parent, title, default, filters)
    return path or None


# ----------------------------------------------------------------------------- tables


class TablePane(QWidget):
    """A sortable table with Copy and Export buttons (and an optional widget beside it)."""

    def __init__(self, name: str, owner: AnalysisWindow, chart: Chart | None = None) -> None:
        super().__init__()
        self.name = name
        self.owner = owner
        self.chart = chart
        self.model = AnalysisTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SortRole)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setAccessibleName(f"{name} table")
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(False)
        rows = self.view.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # one line each, never measured
        rows.setDefaultSectionSize(self.view.fontMetrics().height() + 8)
        self.view.clicked.connect(self._clicked)
        self.view.activated.connect(self._clicked)
        copy = QAction("Copy", self.view)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy)
        self.view.addAction(copy)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.copy_button = QPushButton("&Copy")
        self.copy_button.setToolTip(
            "Copy the selected cells (or the whole table) as tab-separated text"
        )
        self.copy_button.clicked.connect(self.copy)
        self.export_button = QPushButton("E&xport…")
        self.export_button.setToolTip("Save this table as CSV or XLSX")
        self.export_button.clicked.connect(self.export)
        self.controls = QHBoxLayout()
        buttons = QHBoxLayout()
        buttons.addWidget(self.note, 1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.export_button)
        if chart is not None:
            self.chart_button = QPushButton("Save c&hart…")
            self.chart_button.setToolTip(
                "Save the chart as a PNG image at print resolution, or as an SVG drawing"
            )
            self.chart_button.clicked.connect(self.save_chart)
            buttons.addWidget(self.chart_button)
        layout = QVBoxLayout(self)
        layout.addLayout(self.controls)
        if chart is not None:
            scroll = QScrollArea()  # a long code list scrolls instead of squashing its bars
            scroll.setWidgetResizable(True)
            scroll.setWidget(chart)
            split = QSplitter(Qt.Orientation.Horizontal)
            split.addWidget(self.view)
            split.addWidget(scroll)
            split.setStretchFactor(0, 3)
            split.setStretchFactor(1, 2)
            split.setSizes([620, 420])
            layout.addWidget(split, 1)
        else:
            layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

    def set_table(self, table: Table) -> None:
        self.model.set_table(table)
        self.note.setText(table.note)
        texts = [[display(v) for v in row] for row in table.rows]
        common.fit_columns(self.view, table.headers, texts)

    def rows_as_shown(self, only_selected: bool = False) -> tuple[list[str], list[list[str]]]:
        """Headers and rows in the view's order (sorted), all or the selected block."""
        cols = list(range(self.proxy.columnCount()))
        rows = list(range(self.proxy.rowCount()))
        if only_selected:
            sel = self.view.selectionModel().selectedIndexes() if self.view.selectionModel() else []
            if sel:
                rows = sorted({i.row() for i in sel})
                cols = sorted({i.column() for i in sel})
        headers = [str(self.proxy.headerData(c, Qt.Orientation.Horizontal)) for c in cols]
        data = [[str(self.proxy.index(r, c).data() or "") for c in cols] for r in rows]
        return headers, data

    def as_tsv(self, only_selected: bool = True) -> str:
        headers, rows = self.rows_as_shown(only_selected)
        lines = ["\t".join(headers)] + [
            "\t".join(v.replace("\t", " ").replace("\n", " ") for v in r) for r in rows
        ]
        return "\n".join(lines) + "\n"

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.as_tsv(only_selected=True))

    def export(self) -> None:
        project = self.owner.main.project
        stem = f"{project.name if project else 'table'} {self.name.lower()}"
        path = ask_save_path(
            self,
            f"Export {self.name.lower()}",
            stem + ".xlsx",
            "Excel workbook (*.xlsx);;CSV, UTF-8 (*.csv)",
        )
        if not path:
            return
        if Path(path).suffix.lower() not in (".csv", ".xlsx"):
            path += ".xlsx"
        from coder.core.export.tables import write_table

        headers, rows = self.rows_as_shown(only_selected=False)
        typed = []
        for r in range(self.proxy.rowCount()):
            typed.append(
                [
                    self.proxy.index(r, c).data(SortRole)
                    if isinstance(self.proxy.index(r, c).data(SortRole), (int, float))
                    else rows[r][c]
                    for c in range(self.proxy.columnCount())
                ]
            )
        try:
            write_table(path, headers, typed)
        except CoderError as e:
            self.owner.main.show_error(str(e))
            return
        self.owner.set_status(f"Saved {path}")

    def save_chart(self) -> None:
        project = self.owner.main.project
        stem = f"{project.name if project else 'chart'} {self.name.lower()}"
        path = ask_save_path(
            self, "Save the chart", stem + ".png", "PNG image (*.png);;SVG drawing (*.svg)"
        )
        if not path or self.chart is None:
            return
        if not path.lower().endswith((".png", ".svg")):
            path += ".png"
        from coder.core.export import atomic_path

        try:
            with atomic_path(path) as tmp:
                self.chart.save_image(tmp, kind=Path(path).suffix.lstrip("."))
        except (CoderError, OSError) as e:
            self.owner.main.show_error(str(e))
            return
        self.owner.set_status(f"Saved {path}")

    def _clicked(self, index: QModelIndex) -> None:
        drill = index.data(DrillRole)
        if drill is not None:
            label = index.sibling(index.row(), 0).data() or ""
            column = self.proxy.headerData(index.column(), Qt.Orientation.Horizontal)
            self.owner.show_passages(drill, f"{label} — {column}" if index.column() else str(label))


def _tab(name: str) -> Any:
    """A tab's pane as an attribute of the window (built when first asked for)."""
    return property(lambda window: window.pane(name), doc=f"The {PART_LABELS[name]} tab.")


class AnalysisWindow(QWidget):
    """The analysis window (a top-level window owned by the main window)."""

    def __init__(self, main: Any, fill: bool = True) -> None:
        """``fill=False`` leaves the choices to :meth:`start` (the menu opens the window first,
        then reads the project's coders and attributes on the next turn of the event loop)."""
        parent = main if isinstance(main, QWidget) else None
        super().__init__(parent, Qt.WindowType.Window)
        self.main = main
        self.data: AnalysisData | None = None
        self.stale = False
        self.runner = Runner(self._failed, self)  # the tables
        self.passage_runner = Runner(self._failed, self)  # the passages behind a cell
        self._queued: list[Callable[[], None]] = []  # tables still to show, one per turn
        self._stepping = False  # a turn is due to show the next one
        self.setWindowTitle("Analysis — frequencies and co-occurrence")
        self.setAccessibleName("Analysis")
        common.fit_to_screen(self, 1100, 760)

        top = self._build_filters()
        self._build_panes()
        lower = self._build_passages()

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.tabs)
        split.addWidget(lower)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([500, 230])
        self.status = QLabel("")
        self.progress = ProgressLine(self.runner)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.progress)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)

        if fill:
            self.fill_choices()
        else:
            self._fixed_choices()
        self._connect(main)

    def _connect(self, main: Any) -> None:
        """Recompute when a choice changes, the project changes or an edit is made."""
        combos = [self.coder_combo, self.group_combo, self.where_combo, self.by_combo]
        for combo in [*combos, self.cross_attr, self.within_combo]:
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.children_box.toggled.connect(lambda _c: self.refresh())
        self.cross_show.currentIndexChanged.connect(lambda _i: self._show_crosstab())
        self.cross_attr.currentIndexChanged.connect(lambda _i: self._attribute_type())
        self.cross_group.changed.connect(self.refresh)
        self.refresh_button.clicked.connect(self.refresh)
        changed = getattr(main, "projectChanged", None)
        if changed is not None:
            changed.connect(self.project_changed)
        # Every edit, undo or redo moves the undo group's index: the numbers are then stale.
        group = getattr(main, "undo_group", None)
        if group is not None:
            group.indexChanged.connect(lambda _i: self.mark_stale())

    def _build_passages(self) -> QWidget:
        """The passages behind the clicked cell, below the tabs."""
        self.passage_label = QLabel(
            "Click a cell to list the passages behind it; double-click a passage to open it."
        )
        self.passage_label.setWordWrap(True)
        self.passages = PassageModel(self)
        self.passage_proxy = QSortFilterProxyModel(self)
        self.passage_proxy.setSourceModel(self.passages)
        self.passage_proxy.setSortRole(SortRole)
        self.passage_view = QTableView()
        self.passage_view.setModel(self.passage_proxy)
        self.passage_view.setSortingEnabled(True)
        self.passage_view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # retrieval order first
        self.passage_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.passage_view.setAccessibleName("Passages")
        self.passage_view.verticalHeader().setVisible(False)
        self.passage_view.horizontalHeader().setStretchLastSection(True)
        self.passage_view.doubleClicked.connect(self._open_passage)
        self.passage_view.activated.connect(self._open_passage)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.passage_label)
        lower_layout.addWidget(self.passage_view, 1)
        return lower

    def _build_panes(self) -> None:
        """The four tabs and the controls of each. The table on screen is built now, the
        others on the next turns of the event loop (:meth:`_build_next`), or when first needed:
        the window paints first, and no turn builds more than one table."""
        self.freq_chart = BarChart("Frequencies")
        self.heat_chart = HeatMap("Co-occurrence")
        self.by_combo = QComboBox()
        self.by_combo.setAccessibleName("Count by")
        self.cross_attr = QComboBox()
        self.cross_attr.setAccessibleName("Attribute")
        self.cross_show = QComboBox()
        self.cross_show.addItems(CROSSTAB_SHOW)
        self.cross_show.setAccessibleName("Show")
        self.cross_group = CrosstabGrouping()
        self.within_combo = QComboBox()
        self.within_combo.setAccessibleName("Codes meet in")
        for key, label in WITHIN_LABELS:
            self.within_combo.addItem(label, key)
        # Each pane's controls, (label, widget) in order (None: a widget without a label).
        self._controls: dict[str, list[tuple[str | None, QWidget]]] = {
            "freq": [("Count &by:", self.by_combo)],
            "cross": [
                ("&Attribute:", self.cross_attr),
                ("S&how:", self.cross_show),
                (None, self.cross_group),
            ],
            "cooc": [("Codes meet in:", self.within_combo)],
            "speakers": [],
        }
        self._built: dict[str, TablePane] = {}
        self._pages: dict[str, QVBoxLayout] = {}
        self.tabs = QTabWidget()
        for name, title in PANE_TABS.items():
            page = QWidget()
            layout = QVBoxLayout(page)
            layout.setContentsMargins(0, 0, 0, 0)
            self._pages[name] = layout
            self.tabs.addTab(page, title)
        self.pane("freq")
        self._to_build = [name for name in PANE_TABS if name != "freq"]

    def pane(self, name: str) -> TablePane:
        """The pane of a tab, built the first time it is asked for."""
        pane = self._built.get(name)
        if pane is None:
            chart = {"freq": self.freq_chart, "cooc": self.heat_chart}.get(name)
            pane = self._built[name] = TablePane(PART_LABELS[name], self, chart)
            for text, widget in self._controls[name]:
                if text is not None:
                    label = QLabel(text)
                    label.setBuddy(widget)
                    pane.controls.addWidget(label)
                pane.controls.addWidget(widget)
            if self._controls[name]:
                pane.controls.addStretch(1)
            self._pages[name].addWidget(pane)
        return pane

    def _build_next(self) -> None:
        """Build one more of the tabs not on screen (one per turn of the event loop)."""
        while self._to_build and self._to_build[0] in self._built:
            self._to_build.pop(0)
        if self._to_build:
            self.pane(self._to_build.pop(0))
        if self._to_build:
            QTimer.singleShot(1, self, self._build_next)

    freq = _tab("freq")
    cross = _tab("cross")
    cooc = _tab("cooc")
    speakers = _tab("speakers")

    def _build_filters(self) -> QHBoxLayout:
        """The row of filters above the tabs: coder, documents, cases, sub-codes."""
        self.coder_combo = QComboBox()
        self.coder_combo.setAccessibleName("Coder")
        self.group_combo = QComboBox()
        self.group_combo.setAccessibleName("Document group")
        self.where_combo = QComboBox()
        self.where_combo.setAccessibleName("Only cases or documents with")
        self.children_box = QCheckBox("Parents include &sub-codes")
        self.refresh_button = QPushButton("&Refresh")
        top = QHBoxLayout()
        for label, w in (
            ("Coder:", self.coder_combo),
            ("Documents:", self.group_combo),
            ("Only:", self.where_combo),
        ):
            lab = QLabel(label)
            lab.setBuddy(w)
            top.addWidget(lab)
            top.addWidget(w)
        top.addWidget(self.children_box)
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        return top

    # ------------------------------------------------------------------ choices

    def fill_choices(self) -> None:
        project = self.main.project
        filters = (self.coder_combo, self.group_combo, self.where_combo)
        combos = (*filters, self.by_combo, self.cross_attr)
        for combo in combos:
            combo.blockSignals(True)
        keep = {id(c): c.currentData() for c in combos}
        for combo in combos:
            combo.clear()
        self._fixed_choices()
        if project is not None and len(project.coders()) > 1:
            # a unit counts when every coder (or more than half of them) coded it
            self.coder_combo.insertItem(1, "Every coder agrees", "all")
            self.coder_combo.insertItem(2, "Most coders agree", "majority")
        if project is not None:
            for c in project.coders():
                self.coder_combo.addItem(c.name, c.id)
            groups = project.document_groups()
            for g in groups:
                self.group_combo.addItem(f"Group: {g}", g)
            attributes = project.attributes()
            names = [a.name for a in attributes]
            by_scope = {
                scope: project.attribute_values(scope) for scope in {a.scope for a in attributes}
            }
            for a in attributes:
                key = f"{a.scope}:{a.name}" if names.count(a.name) > 1 else a.name
                self.by_combo.addItem(f"{a.name} ({a.scope} attribute)", key)
                self.cross_attr.addItem(a.name if key == a.name else f"{a.name} ({a.scope})", key)
                values = sorted({v[a.name] for v in by_scope[a.scope].values() if a.name in v})
                if len(values) <= WHERE_MAX_VALUES:
                    for v in values:
                        self.where_combo.addItem(f"{a.name} = {v}", f"{key}{_SEP}{v}")
        if keep[id(self.cross_attr)] is None and project is not None:
            # First time: a categorical attribute (text, yes/no) makes the clearer crosstab.
            categorical = [a for a in project.attributes() if a.type in ("text", "boolean")]
            if categorical:
                names = [a.name for a in project.attributes()]
                first = categorical[0]
                keep[id(self.cross_attr)] = (
                    f"{first.scope}:{first.name}" if names.count(first.name) > 1 else first.name
                )
        for combo in combos:
            i = combo.findData(keep[id(combo)])
            combo.setCurrentIndex(max(i, 0))
            combo.blockSignals(False)
        self._attribute_type()

    def _fixed_choices(self) -> None:
        """The choices every project has (also the window's first ones: each box takes its
        width from them when first shown, before the project's are read)."""
        self.coder_combo.addItem("All coders", None)
        self.group_combo.addItem("All documents", None)
        self.where_combo.addItem("All cases and documents", None)
        self.by_combo.addItem("Documents", "document")
        self.by_combo.addItem("Cases", "case")
        self.by_combo.addItem("Each document (codings per document)", "document-matrix")
        self.by_combo.addItem("Each case (codings per case)", "case-matrix")

    def _attribute_type(self) -> None:
        """Offer ranges when the crosstab's attribute holds numbers or dates."""
        key = self.cross_attr.currentData()
        project = self.main.project
        type_ = None
        if project is not None and key:
            type_ = next(
                (a.type for a in project.attributes() if key in (a.name, f"{a.scope}:{a.name}")),
                None,
            )
        self.cross_group.set_attribute_type(type_)

    def options(self) -> AnalysisOptions:
        grouping, groups, limits = self.cross_group.choice()
        return AnalysisOptions(
            by=self.by_combo.currentData() or "document",
            coder_id=self.coder_combo.currentData(),
            group=self.group_combo.currentData(),
            where=tuple(self.where_combo.currentData().split(_SEP, 1))
            if self.where_combo.currentData()
            else None,
            include_children=self.children_box.isChecked(),
            crosstab_attribute=self.cross_attr.currentData(),
            crosstab_grouping=grouping,
            crosstab_groups=groups or 4,
            crosstab_limits=limits,
            within=self.within_combo.currentData() or "passage",
        )

    # ------------------------------------------------------------------ running

    def start(self) -> None:
        """Read the choices again (coders, groups, attributes) and compute the tables; build the
        tabs not on screen meanwhile, one per turn."""
        self.fill_choices()
        self.refresh()
        if self._to_build:
            QTimer.singleShot(1, self, self._build_next)

    def refresh(self) -> None:
        """Recompute the tables off the GUI thread, the tab on screen first: a request replaces
        the one running (the latest options win), and waits for an undo or redo being written."""
        project = self.main.project
        if project is None:
            self.set_status("No project is open.")
            return
        self.runner.cancel()
        self._queued.clear()
        self.set_status("Computing…")
        if after_writes(self.main, self.refresh):
            return
        options, show = self.options(), self.cross_show.currentText()
        first = list(PANE_TABS)[max(self.tabs.currentIndex(), 0)]

        def work(conn: Project, progress: Callable[..., Any], hand_over: Any) -> AnalysisData:
            return compute_parts(conn, options, show, first, progress, hand_over)

        self.runner.run(
            project, work, self._done, title="Computing the tables", on_part=self._part_done
        )

    def _failed(self, message: str) -> None:
        self.set_status("")
        self.main.show_error(message)

    def _part_done(self, part: Part) -> None:
        """A table is ready: show it now, its chart on the next turn of the event loop."""
        self.data = part.data
        chart = {"freq": self._draw_freq_chart, "cooc": self._draw_heat_chart}.get(part.name)
        self._enqueue(lambda: self.pane(part.name).set_table(part.table), *filter(None, [chart]))

    def _done(self, data: AnalysisData) -> None:
        self.data = data
        self._enqueue(self._up_to_date)

    def _enqueue(self, *steps: Callable[[], None]) -> None:
        """Run ``steps`` one per turn of the event loop (the first at once if none is due)."""
        self._queued.extend(steps)
        if not self._stepping:
            self._next_step()

    def _next_step(self) -> None:
        self._stepping = False
        if self._queued:
            self._queued.pop(0)()
        if self._queued:
            self._stepping = True
            QTimer.singleShot(0, self, self._next_step)

    def _up_to_date(self) -> None:
        self.stale = False
        self.set_status("Up to date.")

    def _show_crosstab(self) -> None:
        if self.data is not None and "cross" in self.data.parts:
            self.cross.set_table(crosstab_table(self.data, self.cross_show.currentText()))

    def _draw_freq_chart(self) -> None:
        data = self.data
        if data is None or data.frequencies is None:
            return
        t = data.frequencies
        if t.by in ("document", "case") and data.matrix is None:
            unit = "documents" if t.by == "document" else "cases"
            self.freq_chart.set_data(
                [r.code for r in t.rows],
                [r.percent for r in t.rows],
                [data.colors.get(r.code_id, "") for r in t.rows],
                [f"{r.percent:.1f}%" for r in t.rows],
                axis_label=f"% of {unit}",
                value_name=f"% of {unit} (N = {t.total})",
            )
        else:
            self.freq_chart.clear()

    def _draw_heat_chart(self) -> None:
        m = self.data.cooccurrence if self.data is not None else None
        if m is None:
            return
        what = dict(WITHIN_LABELS)[m.within].lower()
        self.heat_chart.set_data([c.path for c in m.codes], m.counts, what=f"passages ({what})")

    def set_status(self, text: str) -> None:
        self.status.setText(text)

    def mark_stale(self) -> None:
        """The project changed: say the tables are stale (Refresh), or compute them again."""
        if self.runner.running:
            self.refresh()
        elif self.data is not None and not self.stale:
            self.stale = True
            self.set_status(
                "The project has changed since these tables were computed: press Refresh."
            )

    # ------------------------------------------------------------------ passages

    def show_passages(self, drill: tuple, title: str) -> None:
        """List the passages behind a cell (retrieved off the GUI thread)."""
        project = self.main.project
        if project is None:
            return
        codes, mode, within, filters, kids = drill
        if after_writes(self.main, lambda: self.show_passages(drill, title)):
            self.passage_label.setText(f"{title}: once the undo or redo being written is done…")
            return

        def work(conn: Project, _progress: Callable[..., Any]) -> list[query.Passage]:
            return query.retrieve(
                conn,
                list(codes),
                mode,
                within,
                filters=filters,
                context=PASSAGE_CONTEXT,
                include_children=kids,
            )

        self.passage_label.setText(f"{title}: finding the passages…")
        self.passage_runner.run(project, work, lambda found: self._show_found(found, title))

    def _show_found(self, found: list[query.Passage], title: str) -> None:
        self.passages.set_passages(found)
        # Widths from the first rows: measuring thousands of passages would freeze the window.
        first = [
            [str(self.passages.index(r, c).data() or "") for c in range(5)]
            for r in range(min(len(found), 100))
        ]
        common.fit_columns(self.passage_view, PassageModel.HEADERS[:5], first)
        self.passage_view.horizontalHeader().setStretchLastSection(True)
        n = len(found)
        self.passage_label.setText(
            f"{title}: {n} passage{'s' if n != 1 else ''}. Double-click one to open it."
        )

    def _open_passage(self, index: QModelIndex) -> None:
        p = index.data(PassageRole) if index.isValid() else None
        if p is not None:
            self.main.show_passage(p.document_id, p.start, p.end)

    # ------------------------------------------------------------------ project

    def project_changed(self) -> None:
        """Another project (or none) is open: start over."""
        self.runner.cancel()
        self.passage_runner.cancel()
        self._queued.clear()
        self.data = None
        self.heat_chart.clear()
        self.freq_chart.clear()
        self.passages.set_passages([])
        for pane in self._built.values():
            pane.set_table(Table([]))
        self.fill_choices()
        if self.main.project is None:
            self.close()
        elif self.isVisible():
            self.refresh()
