"""View → Pseudonyms: the project's pseudonym list, suggestions, and a preview of a document
with every occurrence of an original highlighted (or the text as it would leave, with each
replacement highlighted).

Every change to the list is one undo step of the window (Edit → Undo). Suggestions are found
off the GUI thread, on their own connection.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from coder.core.changes import Changes
from coder.core.errors import CoderError
from coder.core.model import Pseudonym
from coder.core.services.pseudonyms import CATEGORIES
from coder.ui.views import common

if TYPE_CHECKING:
    from coder.core.pseudonymise.suggest import Suggestion
    from coder.ui.main_window import MainWindow

LIST_COLUMNS = ["Original", "Replacement", "Category", "Other forms", "Matching", "Note"]
SUGGESTION_COLUMNS = ["Text", "Found as", "Category", "Proposed", "Count", "Documents"]


def utf16_spans(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Code-point spans (sorted) as Qt's UTF-16 positions."""
    out = []
    extra = 0
    at = 0
    for start, end in spans:
        extra += sum(1 for ch in text[at:start] if ord(ch) > 0xFFFF)
        inner = sum(1 for ch in text[start:end] if ord(ch) > 0xFFFF)
        out.append((start + extra, end + extra + inner))
        extra += inner
        at = end
    return out


def _table(columns: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[list[Any]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem("" if value is None else str(value))
            if isinstance(value, int):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()
    header = table.horizontalHeader()
    for c in range(header.count() - 1):
        header.resizeSection(c, min(header.sectionSize(c), 220))


class PseudonymsWindow(QDialog):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.setObjectName("pseudonymsWindow")
        self.setWindowTitle("Pseudonyms")
        self.setAccessibleName("Pseudonyms")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.setModal(False)
        self.items: list[Pseudonym] = []
        self.suggestions: list[Suggestion] = []
        splitter = QSplitter(Qt.Orientation.Vertical)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self._list_box())
        top.addWidget(self._suggestion_box())
        splitter.addWidget(top)
        splitter.addWidget(self._preview_box())
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        window.listeners.append(self)
        window.projectChanged.connect(self._follow_project)
        common.fit_to_screen(self, 1180, 700)
        self.refresh()

    # ------------------------------------------------------------------ building

    def _list_box(self) -> QWidget:
        box = QGroupBox("Pseudonym list")
        self.table = _table(LIST_COLUMNS, "Pseudonym list")
        self.table.itemSelectionChanged.connect(self._show_preview)
        self.original = QLineEdit()
        self.original.setPlaceholderText("Original (a name, a place…)")
        self.original.setAccessibleName("Original")
        self.replacement = QLineEdit()
        self.replacement.setPlaceholderText("Replacement (P01, [city]…)")
        self.replacement.setAccessibleName("Replacement")
        self.category = QComboBox()
        self.category.addItems(list(CATEGORIES))
        self.category.setAccessibleName("Category")
        self.forms = QLineEdit()
        self.forms.setPlaceholderText("Other forms, separated by ;")
        self.forms.setAccessibleName("Other forms")
        self.case_sensitive = QCheckBox("Match case")
        self.partial = QCheckBox("Inside words too")
        add = QPushButton("&Add")
        add.clicked.connect(self.add_entry)
        self.replacement.returnPressed.connect(self.add_entry)
        remove = QPushButton("&Remove")
        remove.clicked.connect(self.remove_selected)
        load = QPushButton("&Import…")
        load.clicked.connect(self.import_list)
        save = QPushButton("E&xport…")
        save.clicked.connect(self.export_list)
        form = QHBoxLayout()
        for w in (self.original, self.replacement, self.category):
            form.addWidget(w)
        options = QHBoxLayout()
        options.addWidget(self.forms, 1)
        options.addWidget(self.case_sensitive)
        options.addWidget(self.partial)
        options.addWidget(add)
        buttons = QHBoxLayout()
        for b in (remove, load, save):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(box)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addLayout(options)
        layout.addLayout(buttons)
        return box

    def _suggestion_box(self) -> QWidget:
        box = QGroupBox("Suggestions")
        self.suggestion_table = _table(SUGGESTION_COLUMNS, "Suggestions")
        self.suggestion_table.itemSelectionChanged.connect(self._suggestion_chosen)
        find = QPushButton("&Find suggestions")
        find.clicked.connect(self.find_suggestions)
        accept = QPushButton("A&ccept")
        accept.clicked.connect(self.accept_selected)
        dismiss = QPushButton("&Dismiss")
        dismiss.clicked.connect(self.dismiss_selected)
        buttons = QHBoxLayout()
        for b in (find, accept, dismiss):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(box)
        layout.addWidget(self.suggestion_table, 1)
        layout.addLayout(buttons)
        return box

    def _preview_box(self) -> QWidget:
        box = QGroupBox("Preview")
        self.document = QComboBox()
        self.document.setAccessibleName("Preview document")
        self.document.currentIndexChanged.connect(self._show_preview)
        self.replaced = QCheckBox("Show as exported (pseudonymised)")
        self.replaced.toggled.connect(self._show_preview)
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName("Preview text")
        self.count = QLabel("")
        row = QHBoxLayout()
        row.addWidget(QLabel("Document:"))
        row.addWidget(self.document, 1)
        row.addWidget(self.replaced)
        row.addWidget(self.count)
        layout = QVBoxLayout(box)
        layout.addLayout(row)
        layout.addWidget(self.preview, 1)
        return box

    # ------------------------------------------------------------------ following the project

    def on_changes(self, changes: Changes) -> None:
        self.refresh()

    def _follow_project(self) -> None:
        if self.window_.project is None:
            self.close()
            return
        self.suggestions = []
        self.refresh()

    def refresh(self) -> None:
        project = self.window_.project
        if project is None:
            return
        self.items = project.pseudonyms()
        _fill(
            self.table,
            [
                [
                    p.original,
                    p.replacement,
                    p.category,
                    "; ".join(p.forms),
                    ("match case" if p.case_sensitive else "any case")
                    + ("" if p.whole_word else ", inside words"),
                    p.note,
                ]
                for p in self.items
            ],
        )
        listed = project.pseudonym_matcher()
        dismissed = project.dismissed_suggestions()
        self.suggestions = [
            s for s in self.suggestions if not listed.find(s.text) and s.text not in dismissed
        ]
        self._fill_suggestions()
        current = self.document.currentData()
        self.document.blockSignals(True)
        self.document.clear()
        for d in project.documents():
            self.document.addItem(d.name, d.id)
        if current is not None and self.document.findData(current) >= 0:
            self.document.setCurrentIndex(self.document.findData(current))
        self.document.blockSignals(False)
        self._show_preview()

    def _fill_suggestions(self) -> None:
        _fill(
            self.suggestion_table,
            [
                [s.text, s.kind, s.category, s.replacement, s.count, ", ".join(s.documents)]
                for s in self.suggestions
            ],
        )

    # ------------------------------------------------------------------ the list

    def add_entry(self) -> bool:
        project = self.window_.project
        original, replacement = self.original.text().strip(), self.replacement.text().strip()
        if project is None or not original:
            return False
        forms = tuple(f.strip() for f in self.forms.text().split(";") if f.strip())
        category = self.category.currentText()
        ok = self.window_.push(
            f"Add pseudonym '{original}'",
            lambda: project.add_pseudonym(
                original,
                replacement,
                category=category,
                forms=forms,
                case_sensitive=self.case_sensitive.isChecked(),
                whole_word=not self.partial.isChecked(),
            ),
        )
        if ok:
            for w in (self.original, self.replacement, self.forms):
                w.clear()
            self.original.setFocus()
            self.status.setText(f"'{original}' will be replaced by '{replacement}'.")
        return ok

    def _selected_rows(self, table: QTableWidget) -> list[int]:
        return sorted({i.row() for i in table.selectedIndexes()})

    def remove_selected(self) -> None:
        project = self.window_.project
        rows = self._selected_rows(self.table)
        if project is None or not rows:
            return
        for original in [self.items[r].original for r in rows]:
            self.window_.push(
                f"Remove pseudonym '{original}'",
                partial(project.remove_pseudonym, original),
            )

    def import_list(self, path: str | None = None) -> None:
        project = self.window_.project
        if project is None:
            return
        if not path:
            path, _ = QFileDialog.getOpenFileName(
                self, "Import a pseudonym list", str(project.path.parent), "Tables (*.csv *.xlsx)"
            )
        if path:
            chosen = Path(path)
            self.window_.push(
                f"Import pseudonyms from {chosen.name}",
                lambda: project.import_pseudonyms(chosen),
            )

    def export_list(self, path: str | None = None) -> None:
        project = self.window_.project
        if project is None:
            return
        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self,
                "Export the pseudonym list (keep it apart from the data)",
                str(project.path.with_name(f"{project.name} pseudonyms.csv")),
                "CSV, UTF-8 (*.csv)",
            )
        if path:
            out = Path(path) if path.lower().endswith(".csv") else Path(path + ".csv")
            try:
                n = project.export_pseudonyms(out)
            except CoderError as e:
                self.window_.show_error(str(e))
                return
            self.status.setText(f"Wrote {n} pseudonyms to {out}. Keep this file apart.")

    # ------------------------------------------------------------------ suggestions

    def find_suggestions(self) -> Any:
        project = self.window_.project
        if project is None:
            return None

        def work(progress: Any) -> Any:
            from coder.core.pseudonymise.suggest import suggest

            own = project.worker_connection()
            try:
                return suggest(own)
            finally:
                own.close()

        def done(found: Any) -> None:
            self.suggestions = list(found)
            self._fill_suggestions()
            self.status.setText(f"{len(self.suggestions)} suggestions.")

        return self.window_.run_task("Finding suggestions", work, done)

    def accept_selected(self) -> None:
        project = self.window_.project
        rows = self._selected_rows(self.suggestion_table)
        if project is None or not rows:
            return
        for s in [self.suggestions[r] for r in rows]:
            self.window_.push(
                f"Add pseudonym '{s.text}'",
                partial(
                    project.add_pseudonym,
                    s.text,
                    s.replacement,
                    category=s.category,
                    whole_word=s.kind not in ("email", "url", "phone"),
                ),
            )

    def dismiss_selected(self) -> None:
        project = self.window_.project
        rows = self._selected_rows(self.suggestion_table)
        if project is None or not rows:
            return
        for s in [self.suggestions[r] for r in rows]:
            self.window_.push(
                f"Dismiss suggestion '{s.text}'",
                partial(project.dismiss_suggestion, s.text, s.kind),
            )

    # ------------------------------------------------------------------ preview

    def _suggestion_chosen(self) -> None:
        """Preview a document where the chosen suggestion occurs (this one if it does)."""
        rows = self._selected_rows(self.suggestion_table)
        where = (
            self.suggestions[rows[0]].documents if rows and rows[0] < len(self.suggestions) else ()
        )
        if where and self.document.currentText() not in where:
            index = self.document.findText(where[0])
            if index >= 0:
                self.document.setCurrentIndex(index)  # shows the preview
                return
        self._show_preview()

    def _show_preview(self) -> None:
        project = self.window_.project
        doc_id = self.document.currentData()
        if project is None or doc_id is None:
            self.preview.setPlainText("")
            self.count.setText("")
            return
        from coder.core.pseudonymise.matching import Matcher, Rule

        text = project.document_text(doc_id)
        matcher = project.pseudonym_matcher()
        chosen = self._selected_rows(self.suggestion_table)
        extra = [
            Rule(self.suggestions[r].text, self.suggestions[r].replacement)
            for r in chosen
            if r < len(self.suggestions)
        ]
        if extra:  # a suggestion's occurrences, as if it were listed
            matcher = Matcher([*matcher.rules, *extra])
        if self.replaced.isChecked():
            shown, placed = matcher.replace(text)
            spans = [(at, at + len(m.rule.replacement)) for m, at in placed]
        else:
            shown = text
            spans = [(m.start, m.end) for m in matcher.find(text)]
        self.preview.setPlainText(shown)
        highlight = QTextCharFormat()
        highlight.setBackground(QColor("#ffe08a"))
        highlight.setForeground(QColor("#000000"))
        selections = []
        for start, end in utf16_spans(shown, spans):
            sel = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.preview.document())
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = cursor
            sel.format = highlight
            selections.append(sel)
        self.preview.setExtraSelections(selections)
        self.count.setText(f"{len(spans)} occurrence{'s' if len(spans) != 1 else ''}")
        # Scroll to the first occurrence of the chosen entry or suggestion.
        selected = self._selected_rows(self.table)
        focus: list[Rule] = extra
        if selected and not extra and selected[0] < len(self.items):
            item = self.items[selected[0]]
            focus = [
                Rule(o, item.replacement, item.category, item.case_sensitive, item.whole_word)
                for o in (item.original, *item.forms)
            ]
        first = Matcher(focus).find(text) if focus and not self.replaced.isChecked() else []
        if first:
            cursor = QTextCursor(self.preview.document())
            cursor.setPosition(utf16_spans(text, [(first[0].start, first[0].end)])[0][0])
            self.preview.setTextCursor(cursor)
            self.preview.centerCursor()
