"""Edit menu (find in document, project search, copy passage) and Help (keyboard shortcuts)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QTextBrowser,
    QVBoxLayout,
)

from coder import __version__
from coder.ui.actions import ACTIONS, action, plain_title
from coder.ui.views import common

if TYPE_CHECKING:
    from coder.ui.main_window import MainWindow


@action(
    "edit.find", "Edit", "&Find in document…", shortcut="Ctrl+F", enabled_when="document", order=200
)
def find(window: MainWindow) -> None:
    window.find_bar.open_bar()


@action("edit.find_next", "Edit", "Find &next", shortcut="F3", enabled_when="document", order=201)
def find_next(window: MainWindow) -> None:
    if not window.find_bar.isVisible():
        window.find_bar.open_bar()
    else:
        window.find_bar.step(True)


@action(
    "edit.find_previous",
    "Edit",
    "Find &previous",
    shortcut="Shift+F3",
    enabled_when="document",
    order=202,
)
def find_previous(window: MainWindow) -> None:
    if not window.find_bar.isVisible():
        window.find_bar.open_bar()
    else:
        window.find_bar.step(False)


@action(
    "edit.search_project",
    "Edit",
    "&Search project…",
    shortcut="Ctrl+Shift+F",
    enabled_when="project",
    order=210,
)
def search_project(window: MainWindow) -> None:
    dock = window.docks["search"]
    dock.show()
    dock.raise_()
    window.search_dock.focus_search()


@action(
    "edit.copy_passage",
    "Edit",
    "Copy passage with &source",
    shortcut="Ctrl+Shift+C",
    enabled_when="selection",
    order=300,
)
def copy_passage(window: MainWindow) -> None:
    """Copy the selected passage as a quote with its document, speaker and position."""
    from PySide6.QtWidgets import QApplication

    view = window.view
    a, b = view.selection_cp()
    if b <= a:
        return
    speaker = view.speaker_at(a)
    para = view.paragraph_of(a)
    source = (
        view.doc_name
        + (f", {speaker}" if speaker else "")
        + (f", ¶ {para + 1}" if para is not None else "")
    )
    QApplication.clipboard().setText(f"“{view.text[a:b].strip()}” ({source})")
    window.statusBar().showMessage("Passage copied with its source", 3000)


@action(
    "view.focus_text",
    "View",
    "Focus the &document text",
    shortcut="Ctrl+1",
    enabled_when="document",
    order=10,
)
def focus_text(window: MainWindow) -> None:
    window.view.setFocus()


@action(
    "view.focus_stripes",
    "View",
    "Focus the coding &stripes",
    shortcut="Ctrl+2",
    enabled_when="document",
    order=11,
)
def focus_stripes(window: MainWindow) -> None:
    window.view.stripes.setFocus()


def set_text_size(window: MainWindow, points: float) -> None:
    from coder.core import settings

    window.view.set_text_size(points)
    settings.set_value("text_size", window.view.text_size())
    window.statusBar().showMessage(f"Text size {window.view.text_size():g} pt", 2000)


@action(
    "view.text_larger", "View", "&Larger text", shortcut="Ctrl++", enabled_when="always", order=50
)
def text_larger(window: MainWindow) -> None:
    set_text_size(window, window.view.text_size() + 1)


@action(
    "view.text_smaller", "View", "S&maller text", shortcut="Ctrl+-", enabled_when="always", order=51
)
def text_smaller(window: MainWindow) -> None:
    set_text_size(window, window.view.text_size() - 1)


@action(
    "view.text_reset",
    "View",
    "&Normal text size",
    shortcut="Ctrl+0",
    enabled_when="always",
    order=52,
)
def text_reset(window: MainWindow) -> None:
    set_text_size(window, window.view.default_text_size)


@action(
    "view.cases_sheet",
    "View",
    "Cases &sheet",
    enabled_when="project",
    order=30,
    status_tip="Every case and attribute in a window of its own: edit, add, import, sort",
)
def cases_sheet(window: MainWindow) -> None:
    from coder.ui.views.cases_sheet import CasesSheet

    sheet = window.cases_sheet
    if sheet is None:
        sheet = window.cases_sheet = CasesSheet(window)
    common.bring_forward(sheet)


def _focus_dock(window: MainWindow, key: str) -> None:
    dock = window.docks.get(key)
    if dock is None:
        return
    dock.show()
    dock.raise_()
    widget = dock.widget()
    view = getattr(widget, "view", None)
    if isinstance(view, QAbstractItemView) and view.isVisible():
        # The list itself, where the arrows move (its filter field is one Shift+Tab away),
        # on its current row, or the first one without selecting it.
        view.setFocus()
        model = view.model()
        if not view.currentIndex().isValid() and model is not None and model.rowCount() > 0:
            view.selectionModel().setCurrentIndex(
                model.index(0, 0), QItemSelectionModel.SelectionFlag.NoUpdate
            )
        return
    widget.setFocus()
    focus = widget.focusProxy() or widget.nextInFocusChain()
    if focus is not None and widget.isAncestorOf(focus):
        focus.setFocus()


@action(
    "view.focus_documents",
    "View",
    "Focus the d&ocuments list",
    shortcut="Ctrl+3",
    enabled_when="project",
    order=12,
)
def focus_documents(window: MainWindow) -> None:
    _focus_dock(window, "documents")


@action(
    "view.focus_codebook",
    "View",
    "Focus the &codebook",
    shortcut="Ctrl+4",
    enabled_when="project",
    order=13,
)
def focus_codebook(window: MainWindow) -> None:
    _focus_dock(window, "codebook")


@action(
    "view.focus_retrieval",
    "View",
    "Focus the &retrieved passages",
    shortcut="Ctrl+5",
    enabled_when="project",
    order=14,
)
def focus_retrieval(window: MainWindow) -> None:
    _focus_dock(window, "retrieval")


SHORTCUT_NOTES = (
    (
        "Select text, then double-click a code (or Enter on it, or its Code button)",
        "Apply that code to the selection; a single click only selects the code",
    ),
    ("Drag a selection onto a code", "Apply that code to the dragged passage"),
    ("Click a stripe", "Select that coding's passage (it becomes the active coding)"),
    ("Click inside a coded passage", "List its codes in the status bar and a tooltip"),
    (
        "Shift+Left / Shift+Right",
        "Selected coding (click its stripe, or just applied): move its "
        "start earlier / its end later; otherwise they extend the text selection as usual",
    ),
    ("Alt+Right / Alt+Left", "Selected coding: move its start later / its end earlier"),
    (
        "Ctrl+Shift+arrows / Ctrl+Alt+arrows",
        "The same by a word; without a selected coding Ctrl+Shift+arrows select words",
    ),
    ("Drag over text", "Selects whole words; hold Alt for exact characters"),
    ("Notes margin: hover, click, double-click", "Read, select, edit an annotation or memo"),
    (
        "U / M",
        "Remove / memo the selected coding, else the innermost coding at the cursor (U: your "
        "own first; another coder's only after asking)",
    ),
    ("Stripes: Up / Down, Enter, Delete, Menu", "Walk the visible codings, select, remove, menu"),
    ("Find bar: Enter / Shift+Enter, Escape", "Next / previous match, close"),
    (
        "Edit transcript (Ctrl+Shift+E): type, Backspace, Delete, Escape",
        "Fix the text (codings follow; a word is one undo step), leave the mode",
    ),
)


def shortcuts_rows() -> list[tuple[str, str]]:
    """(key, what it does) for every action with a key, then undo and redo."""
    rows = []
    for spec in sorted(ACTIONS.values(), key=lambda s: (s.menu, s.order)):
        if not spec.shortcut:
            continue
        key = QKeySequence(spec.shortcut).toString(QKeySequence.SequenceFormat.NativeText)
        rows.append((key, f"{spec.menu.replace('/', ' › ')} › {plain_title(spec.title)}"))
    return [*rows, ("Ctrl+Z", "Undo"), ("Ctrl+Shift+Z, Ctrl+Y", "Redo")]


def shortcuts_table() -> str:
    """Every key and every mouse habit, as HTML tables."""
    body = "".join(
        f"<tr><td><b>{escape(k)}</b></td><td>{escape(v)}</td></tr>" for k, v in shortcuts_rows()
    )
    notes = "".join(
        f"<tr><td><b>{escape(k)}</b></td><td>{escape(v)}</td></tr>" for k, v in SHORTCUT_NOTES
    )
    return (
        f"<table cellpadding='3'>{body}</table><h3>Mouse and keys in the text</h3>"
        f"<table cellpadding='3'>{notes}</table>"
    )


def shortcuts_html() -> str:
    return (
        "<h3>Keyboard shortcuts</h3><p>Single keys (1–9, Q, V, U, M, A) act in the document "
        "text.</p>" + shortcuts_table()
    )


@action(
    "help.shortcuts", "Help", "&Keyboard shortcuts", shortcut="F1", enabled_when="always", order=10
)
def show_shortcuts(window: MainWindow) -> None:
    dialog = QDialog(window)
    dialog.setWindowTitle("Keyboard shortcuts")
    layout = QVBoxLayout(dialog)
    browser = QTextBrowser()
    browser.setAccessibleName("Keyboard shortcuts")
    browser.setHtml(shortcuts_html())
    layout.addWidget(browser)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    common.fit_to_screen(dialog, 640, 620)
    dialog.open()


@action("help.about", "Help", "&About Coder", enabled_when="always", order=100)
def about(window: MainWindow) -> None:
    from PySide6.QtWidgets import QMessageBox

    QMessageBox.about(
        window,
        "About Coder",
        f"<h3>Coder {escape(__version__)}</h3><p>Qualitative coding of interviews and documents: "
        "code, retrieve, analyse, report and exchange (REFI-QDA).</p>"
        "<p>Your project is one file; every edit is written at once and can be undone.</p>",
    )


@action(
    "view.panels",
    "View",
    "Hide or show the &panels",
    shortcut="F9",
    enabled_when="always",
    order=70,
    status_tip="Give the text the whole window, or bring the panels back",
)
def toggle_panels(window: MainWindow) -> None:
    from coder.ui import window_layout

    window_layout.toggle_panels(window)


@action(
    "view.passages_in_place",
    "View",
    "Passages, search and memos in the &text's place",
    shortcut="F8",
    enabled_when="always",
    order=71,
    status_tip="Show retrieved passages, search and memos as tabs beside the text, or as panels",
)
def toggle_passages_in_place(window: MainWindow) -> None:
    from coder.ui import window_layout

    window_layout.toggle_in_place(window)
