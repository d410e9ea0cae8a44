"""Edit → Find & Replace: replace a text in one or every document, previewed first.

The preview lists every occurrence (document, place, the text around it with the old and new
words) and, under it, each coding the replacement grows, shrinks or removes, with its old and
new place; each occurrence can be left out. Nothing is written until Replace, which replaces
the ticked occurrences of every document in one transaction: one undo step.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from coder.core import editing
from coder.core.errors import CoderError
from coder.core.textedit import clean
from coder.ui.views import common

if TYPE_CHECKING:
    from coder.ui.main_window import MainWindow

SPAN_ROLE = Qt.ItemDataRole.UserRole


def _one_line(text: str) -> str:
    return text.replace("\n", " ⏎ ")


def describe_move(move: editing.Move, path: str) -> str:
    """“Leaving 10–24 → 10–21: shrinks by 3” (or “… removed”)."""
    where = f"{path or 'coding'} {move.start:,}–{move.end:,}"
    if move.new_start is None or move.new_end is None:
        return f"{where}: removed (its whole text is replaced by nothing)"
    change = (move.new_end - move.new_start) - (move.end - move.start)
    how = f"grows by {change}" if change > 0 else f"shrinks by {-change}"
    return f"{where} → {move.new_start:,}–{move.new_end:,}: {how}"


class ReplaceDialog(QDialog):
    """Find a text, preview every replacement and what it does to codings, then replace."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("Find & Replace")
        self.setObjectName("replaceDialog")
        self.previews: list[editing.ReplacePreview] = []
        self._shown_for: tuple[str, str, bool, bool] | None = None
        self.find_edit = QLineEdit()
        self.find_edit.setAccessibleName("Find")
        self.replace_edit = QLineEdit()
        self.replace_edit.setAccessibleName("Replace with")
        self.whole_word = QCheckBox("&Whole words only")
        self.whole_word.setChecked(True)
        self.scope = QComboBox()
        self.scope.setAccessibleName("Where")
        self.scope.addItem("Every document", "all")
        if window.view.doc_id is not None:
            self.scope.addItem(f"Only “{window.view.doc_name}”", "shown")
        sel = window.view.textCursor()
        if sel.hasSelection() and "\u2029" not in sel.selectedText():
            self.find_edit.setText(sel.selectedText()[:80])
        form = QFormLayout()
        form.addRow("&Find:", self.find_edit)
        form.addRow("Replace &with:", self.replace_edit)
        form.addRow("", self.whole_word)
        form.addRow("&In:", self.scope)
        self.summary = QLabel("Type the text to find; the preview shows every change.")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Preview summary")
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Preview of the replacements")
        self.tree.setHeaderLabels(["Replacement", "Where"])
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemChanged.connect(lambda *_: self._count())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.apply = QPushButton("&Replace")
        self.apply.setAccessibleName("Replace")
        self.apply.setEnabled(False)
        buttons.addButton(self.apply, QDialogButtonBox.ButtonRole.ApplyRole)
        self.apply.clicked.connect(self.do_replace)
        buttons.rejected.connect(self.reject)
        # Enter in a field shows the preview again; it never replaces, nor closes the dialog.
        for button in buttons.buttons():
            if isinstance(button, QPushButton):
                button.setAutoDefault(False)
                button.setDefault(False)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.show_preview)
        for field in (self.find_edit, self.replace_edit):
            field.textChanged.connect(lambda *_: self._timer.start())
            field.returnPressed.connect(self.show_preview)
        self.whole_word.toggled.connect(lambda *_: self.show_preview())
        self.scope.currentIndexChanged.connect(lambda *_: self.show_preview())
        common.fit_to_screen(self, 760, 560)
        if self.find_edit.text():
            self.show_preview()

    def _inputs(self) -> tuple[str, str, bool, bool]:
        return (
            self.find_edit.text(),
            self.replace_edit.text(),
            self.whole_word.isChecked(),
            self.scope.currentData() == "all",
        )

    def _doc_ids(self, every: bool) -> list[int]:
        project = self.window_.project
        if project is None:
            return []
        if every or self.window_.view.doc_id is None:
            return [d.id for d in project.document_refs()]
        return [self.window_.view.doc_id]

    def show_preview(self) -> None:
        """Compute and list every replacement (nothing is written)."""
        self._timer.stop()
        old, new, whole, every = self._inputs()
        project = self.window_.project
        self.tree.clear()
        self.previews = []
        self._shown_for = None
        if project is None or not clean(old):
            self.summary.setText("Type the text to find; the preview shows every change.")
            self._count()
            return
        try:
            self.previews = editing.preview_replace(project, self._doc_ids(every), old, new, whole)
        except CoderError as e:
            self.summary.setText(str(e))
            self._count()
            return
        self.tree.blockSignals(True)
        for preview in self.previews:
            self._add_document(preview, old, new)
        self.tree.blockSignals(False)
        self.tree.expandAll()
        self._shown_for = (old, new, whole, every)
        self._count()

    def _add_document(self, preview: editing.ReplacePreview, old: str, new: str) -> None:
        n = len(preview.occurrences)
        changed = sum(len(o.codings) for o in preview.occurrences)
        top = QTreeWidgetItem(
            [
                f"{preview.name}: {n} replacement{'s' * (n != 1)}, {changed} coding"
                f"{'s' * (changed != 1)} resized or removed, {preview.moved:,} moved",
                "",
            ]
        )
        top.setFlags(top.flags() | Qt.ItemFlag.ItemIsAutoTristate | Qt.ItemFlag.ItemIsUserCheckable)
        top.setCheckState(0, Qt.CheckState.Checked)
        self.tree.addTopLevelItem(top)
        for occ in preview.occurrences:
            line = f"…{_one_line(occ.before)}[{_one_line(old)} → {_one_line(new)}]"
            line += f"{_one_line(occ.after)}…"
            item = QTreeWidgetItem([line, f"{occ.start:,}–{occ.end:,}"])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Checked)
            item.setData(0, SPAN_ROLE, (preview.doc_id, occ.start, occ.end))
            item.setToolTip(
                0,
                f"{escape(occ.before)}<b><s>{escape(old)}</s> {escape(new)}</b>{escape(occ.after)}",
            )
            top.addChild(item)
            for move, path in occ.codings:
                child = QTreeWidgetItem([describe_move(move, path), ""])
                child.setFlags(child.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
                item.addChild(child)

    def chosen(self) -> dict[int, list[tuple[int, int]]]:
        """The ticked occurrences, by document."""
        plan: dict[int, list[tuple[int, int]]] = {}
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            assert top is not None
            for j in range(top.childCount()):
                item = top.child(j)
                if item is not None and item.checkState(0) == Qt.CheckState.Checked:
                    doc_id, s, e = item.data(0, SPAN_ROLE)
                    plan.setdefault(doc_id, []).append((s, e))
        return plan

    def _count(self) -> None:
        plan = self.chosen()
        n = sum(len(v) for v in plan.values())
        total = sum(len(p.occurrences) for p in self.previews)
        self.apply.setEnabled(n > 0 and self._shown_for is not None)
        self.apply.setText(f"&Replace {n}" if n else "&Replace")
        if self._shown_for is None:
            return
        if not total:
            self.summary.setText(f"“{self.find_edit.text()}” does not occur.")
            return
        resized = sum(len(o.codings) for p in self.previews for o in p.occurrences)
        self.summary.setText(
            f"{total} occurrence{'s' * (total != 1)} in {len(self.previews)} document"
            f"{'s' * (len(self.previews) != 1)}, {n} ticked to replace; {resized} coding"
            f"{'s' * (resized != 1)} would grow, shrink or be removed. Nothing is changed "
            "until you press Replace (one undo step)."
        )

    def do_replace(self) -> None:
        """Replace the ticked occurrences of every document, as one undo step."""
        if self._inputs() != self._shown_for:
            self.show_preview()  # the inputs changed since: show what would happen first
            return
        plan = self.chosen()
        n = sum(len(v) for v in plan.values())
        if not n:
            return
        old, new, _whole, _every = self._inputs()
        project = self.window_.project
        assert project is not None
        docs = len(plan)
        what = f"Replace “{old}” with “{new}” ({n} in {docs} document{'s' * (docs != 1)})"
        if self.window_.push(what, lambda: editing.replace_spans(project, plan, old, new)):
            self.window_.show_status(f"{what}; Ctrl+Z undoes all of it", 8000)
            self.show_preview()  # what is left (nothing, or the unticked ones)
            self.summary.setText(f"Done: {what[0].lower()}{what[1:]}. {self.summary.text()}")
