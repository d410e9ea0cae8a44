"""Coding with a screen reader: what every action did is announced (``views.announce``), the
codings at the caret are said on request, and the stripes beside the text have a list that can
be read. Each status bar message is also the status bar's accessible description, so a screen
reader that misses an announcement finds the last one there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QStatusTipEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)

from coder.ui.actions import action
from coder.ui.views import announce as speech
from coder.ui.views import document_access as words

if TYPE_CHECKING:
    from coder.ui.main_window import MainWindow
    from coder.ui.views.span_index import Span


class StatusAnnouncer(QObject):
    """Announces every status bar message that reports what happened ("Coded 14 characters
    with 'Leaving'", "Imported 3 document(s)", "Undone: …"), but not the status tips shown
    while the pointer passes over menus and buttons."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._tip = ""
        self.last = ""  # the last message announced
        bar = window.statusBar()
        bar.setAccessibleName("Status")
        speech.install_notice_role()
        self.notice = speech.Notice()
        bar.addPermanentWidget(self.notice)
        bar.messageChanged.connect(self._on_message)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QStatusTipEvent):
            self._tip = event.tip()
        return False

    def _on_message(self, message: str) -> None:
        if not message or message == self._tip:
            return
        self.last = message
        bar = self.window.statusBar()
        bar.setAccessibleDescription(message)
        speech.announce(bar, message)


def say(window: MainWindow, message: str) -> None:
    """Show ``message`` in the status bar and announce it."""
    window.show_status(message, 8000)


# ---------------------------------------------------------------------------- the caret


def say_spans(window: MainWindow, spans: list[Span]) -> str:
    view = window.view
    if not spans:
        return "Not coded here"
    return "; ".join(words.coding_words(view, s) for s in spans)


@action(
    "coding.say_codes",
    "Code",
    "&Say the codings at the cursor",
    shortcut="W",
    enabled_when="document",
    order=310,
    status_tip="Announce the codes and coders of the passage at the cursor",
)
def say_codes(window: MainWindow) -> None:
    say(window, say_spans(window, words.codings_here(window.view)))


def announce_coding(window: MainWindow, coding_id: int, where: str = "") -> None:
    """After a jump to a coding: its code, coder and size (and ``where`` it is)."""
    span = window.view.spans.get(coding_id)
    if span is not None:
        say(window, words.coding_words(window.view, span) + (f", {where}" if where else ""))


def _step_code(window: MainWindow, forward: bool) -> None:
    """Select the next/previous passage of this document coded with the codebook's selected
    code(s), and say which."""
    view = window.view
    dock = window.codebook_dock
    code_ids = set(dock.selected_code_ids())
    current = dock.current_code_id()
    if not code_ids and current is not None:
        code_ids = {current}
    if not code_ids:
        say(window, "Select a code in the codebook first")
        return
    view.finish_text()
    spans = sorted(
        (s for s in view.spans.values() if s.code_id in code_ids), key=lambda s: (s.s16, s.id)
    )
    names = ", ".join(sorted({words.code_name(view, s) for s in spans})) or "the selected code"
    if not spans:
        say(window, f"No passage of this document is coded with {names}")
        return
    active = view.spans.get(view.active_coding_id) if view.active_coding_id else None
    key = (active.s16, active.id) if active is not None else None
    if key is None:
        caret = view.pm.to_utf16(view.selection_cp()[0])
        key = (caret, -1) if forward else (caret, 1 << 62)
    keys = [(s.s16, s.id) for s in spans]
    if forward:
        later = [i for i, k in enumerate(keys) if k > key]
        i, wrapped = (later[0], False) if later else (0, True)
    else:
        earlier = [i for i, k in enumerate(keys) if k < key]
        i, wrapped = (earlier[-1], False) if earlier else (len(keys) - 1, True)
    target = spans[i]
    view.stripes.select_coding(target.id)
    view.centerCursor()
    view.setFocus()
    where = f"passage {i + 1} of {len(spans)}" + (", from the other end" if wrapped else "")
    announce_coding(window, target.id, where)


@action(
    "coding.next_of_code",
    "Code",
    "Next passage of the selected code",
    shortcut="Alt+PgDown",
    enabled_when="document",
    order=302,
)
def next_of_code(window: MainWindow) -> None:
    _step_code(window, True)


@action(
    "coding.previous_of_code",
    "Code",
    "Previous passage of the selected code",
    shortcut="Alt+PgUp",
    enabled_when="document",
    order=303,
)
def previous_of_code(window: MainWindow) -> None:
    _step_code(window, False)


# ---------------------------------------------------------------------------- the stripes as a list


class ParagraphCodings(QDialog):
    """The codings of the caret's paragraph as a list: what the stripes show, to be read.
    Enter selects a coding's passage in the text."""

    def __init__(self, window: MainWindow, spans: list[Span]) -> None:
        super().__init__(window)
        self.window_ = window
        view = window.view
        self.setWindowTitle("Codings in this paragraph")
        layout = QVBoxLayout(self)
        para = view.paragraph_of(view.selection_cp()[0])
        where = f"Paragraph {para + 1}" if para is not None else "This paragraph"
        label = QLabel(f"{where}: {len(spans)} coding{'s' * (len(spans) != 1)}")
        layout.addWidget(label)
        self.list = QListWidget()
        self.list.setAccessibleName("Codings in this paragraph")
        self.list.setAccessibleDescription("Enter selects the coding's passage in the text")
        label.setBuddy(self.list)
        for span in spans:
            text = f"{words.coding_words(view, span)}: “{words.excerpt(view, span)}”"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, span.id)
            item.setToolTip(view.text[span.start : span.end][:500])
            self.list.addItem(item)
        if spans:
            self.list.setCurrentRow(0)
        self.list.itemActivated.connect(self._select)
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 320)

    def _select(self, item: QListWidgetItem) -> None:
        coding_id = int(item.data(Qt.ItemDataRole.UserRole))
        self.accept()
        view = self.window_.view
        view.stripes.select_coding(coding_id)
        view.setFocus()
        announce_coding(self.window_, coding_id)


@action(
    "coding.paragraph_codings",
    "Code",
    "Codings in this &paragraph…",
    shortcut="Ctrl+Shift+L",
    enabled_when="document",
    order=311,
    status_tip="List the codings of the paragraph at the cursor, to read or select them",
)
def paragraph_codings(window: MainWindow) -> None:
    spans = words.paragraph_codings(window.view)
    if not spans:
        say(window, "No coding in this paragraph")
        return
    dialog = ParagraphCodings(window, spans)
    window.paragraph_dialog = dialog
    dialog.open()
