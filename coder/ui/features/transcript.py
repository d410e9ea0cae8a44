"""Edit → Edit transcript: fix the shown document's text in place; codings follow.

In the mode (a banner above the text says so) the text takes typing, Backspace, Delete, cut
and paste. Each change of the text control is written at once by the core's ``edit_text``
(codings, turns and annotations move by the documented rule, the search index follows) as
an undo step; the keystrokes of one word merge into one step. The status bar says what each
edit did to the codings. Escape, the banner's button or the menu item leave the mode; so does
showing another document or closing the project. Edit → Find & Replace is in
:mod:`coder.ui.dialogs.replace_dialog`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QTextCursor
from PySide6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QLabel, QPushButton

from coder.core.textedit import clean
from coder.ui.actions import action, redo_keys, undo_keys

if TYPE_CHECKING:
    from coder.ui.main_window import MainWindow

# The undo stack merges consecutive commands with this id (and the same merge key).
TYPING_ID = 19


class EditBanner(QFrame):
    """The banner above the text while it is being edited."""

    def __init__(self, editor: TranscriptEditor) -> None:
        super().__init__()
        self.setObjectName("editBanner")
        self.setAccessibleName("Editing the transcript")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(self.backgroundRole(), palette.color(palette.ColorRole.ToolTipBase))
        palette.setColor(self.foregroundRole(), palette.color(palette.ColorRole.ToolTipText))
        self.setPalette(palette)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 6, 4)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.done = QPushButton("&Done editing")
        self.done.setAccessibleName("Done editing")
        self.done.setToolTip("Leave the editing mode (Escape)")
        self.done.clicked.connect(editor.leave)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.done)
        self.hide()


class TranscriptEditor(QObject):
    """The Edit transcript mode of one window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("transcriptEditor")
        self.window = window
        self.view = window.view
        self.active = False
        self.edits = 0  # edits written in this stay in the mode
        self._keys: dict = {}
        self._run = 0  # the keystrokes of one word share a run (one undo step)
        # the last key's run: typing or deleting, where the next key joins it, and whether it is
        # before (0), in (1) or after (2) a word
        self._last: tuple[str, int, int] | None = None
        self._pushing = False
        self.banner = EditBanner(self)
        pane = self.view.parentWidget()
        layout = pane.layout() if pane is not None else None
        if isinstance(layout, QBoxLayout):
            layout.insertWidget(layout.indexOf(self.view), self.banner)
        else:  # never a window of its own
            self.banner.setParent(pane or window)
        self.view.document().contentsChange.connect(self._on_change)
        self.view.installEventFilter(self)
        window.documentChanged.connect(self.leave)
        window.projectChanged.connect(self.leave)
        window.undo_group.indexChanged.connect(self._on_undo_index)

    # ------------------------------------------------------------------ the mode

    def enter(self) -> None:
        window, view = self.window, self.view
        project = window.project
        if project is None or view.doc_id is None:
            return
        if project.read_only:
            window.show_error(
                f"{project.path.name} is open read-only; its transcripts cannot be edited"
            )
            self._check(False)
            return
        view.finish_text()
        self.active, self.edits, self._last = True, 0, None
        self._keys, view.key_actions = view.key_actions, {}  # letters and digits type
        view.setReadOnly(False)
        view.setTextInteractionFlags(Qt.TextInteractionFlag.TextEditorInteraction)
        self.banner.label.setText(
            f"Editing the text of “{view.doc_name}”: type to fix it. Codings follow the text "
            "(an insertion at a coding's edge stays outside it). Each word typed is one undo "
            "step (Ctrl+Z). Escape or Done editing to finish."
        )
        self.banner.show()
        self._check(True)
        view.setFocus()
        window.show_status(f"Editing the text of “{view.doc_name}”; every change is saved")

    def leave(self) -> None:
        if not self.active:
            return
        view = self.view
        self.active = False
        view.key_actions = self._keys
        view.setReadOnly(True)
        view.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.banner.hide()
        self._check(False)
        if view.doc_id is not None:
            self.window.show_status(
                f"Finished editing “{view.doc_name}”: {self.edits} edit"
                f"{'s' * (self.edits != 1)} (Edit → Undo takes them back)"
            )

    def _check(self, on: bool) -> None:
        act = self.window.actions_by_id.get("edit.transcript")
        if act is not None:
            act.setCheckable(True)
            act.setChecked(on)

    # ------------------------------------------------------------------ edits

    def _on_change(self, pos: int, removed: int, added: int) -> None:
        view = self.view
        if not self.active or view.text_following or view.doc_id is None:
            return
        edit = self._edit_of(pos, removed, added)
        if edit is None:
            return
        start, end, new = edit
        project, doc_id, name = self.window.project, view.doc_id, view.doc_name
        assert project is not None
        key = (doc_id, self._run_of(start, end, new))
        what = f"Edit the text of “{name}”"
        view.text_typed, self._pushing = True, True
        try:
            ok = self.window.push(
                what,
                lambda: project.edit_text(doc_id, start, end, new),
                merge_id=TYPING_ID,
                merge_key=key,
            )
        finally:
            view.text_typed, self._pushing = False, False
        if not ok or clean(new) != new:
            self._show_stored_text()  # refused, or stored as import stores text
        if ok:
            self.edits += 1
            done = view.last_followed
            said = done.describe() if done is not None else "no coding changed"
            para = view.paragraph_of(start)
            where = f", ¶ {para + 1}" if para is not None else ""
            self.window.show_status(
                f"Edited “{name}”{where}: {said}. Ctrl+Z undoes the word.", 8000
            )

    def _edit_of(self, pos: int, removed: int, added: int) -> tuple[int, int, str] | None:
        """The change the control just made, as (start, end, new) in the stored text's code
        points: the range Qt reports (a selection typed over is replaced as a whole), or,
        should its report not add up, what differs between the stored text and the control's."""
        view = self.view
        old, pm = view.text, view.pm
        doc = view.document()
        n16 = doc.characterCount() - 1  # without the last block's end
        a16, b16 = pos, pos + removed
        exact = b16 <= pm.utf16_length and n16 == pm.utf16_length - removed + added
        if not exact:
            a16, b16, added = 0, pm.utf16_length, n16
        cursor = QTextCursor(doc)
        cursor.setPosition(a16)
        cursor.setPosition(a16 + added, QTextCursor.MoveMode.KeepAnchor)
        new = cursor.selectedText().replace("\u2029", "\n")
        a, b = pm.to_codepoint(a16, "down"), pm.to_codepoint(b16, "up")
        if not exact:
            a, b, new = _trimmed(old, a, b, new)
        if a == b and not new:
            return None
        return a, b, new

    def _run_of(self, start: int, end: int, new: str) -> int:
        """The run an edit belongs to; a run is one undo step. The keys typed at one place
        make a run until a letter or digit follows a word and a space (or punctuation) typed
        after it: "the " is one step, "big" the next; Backspace or Delete key by key make runs
        of their own the same way. A paste, a new line or a replaced selection is a step."""
        last = self._last
        if start == end and len(new) == 1 and new != "\n":
            kind, char, pos = "type", new, start + 1
        elif not new and end - start == 1 and self.view.text[start] != "\n":
            kind, char, pos = "delete", self.view.text[start], start
        else:
            # Typing on from here continues this step (a selection replaced by a key).
            before = new[-1:] or self.view.text[start - 1 : start]
            wordy = before.isalnum() or before == "_"
            self._last = None if "\n" in new else ("type", start + len(new), 1 if wordy else 2)
            self._run += 1
            return self._run
        word = char.isalnum() or char == "_"
        joins = last is not None and last[0] == kind and last[1] in (start, end)
        if joins and last is not None and word and last[2] == 2:
            joins = False  # a new word
        phase = last[2] if joins and last is not None else 0
        phase = 1 if word else (2 if phase else 0)
        self._last = (kind, pos, phase)
        if not joins:
            self._run += 1
        return self._run

    def _on_undo_index(self, _index: int) -> None:
        if not self._pushing:
            self._last = None  # an undo, a redo or another edit: the next keystroke starts anew

    def _show_stored_text(self) -> None:
        """Show the stored text again (the core refused the edit, or normalised it)."""
        view = self.view
        caret = view.textCursor().position()
        view.text_following = True
        try:
            view.setPlainText(view.text)
        finally:
            view.text_following = False
        cursor = view.textCursor()
        cursor.setPosition(min(caret, view.pm.utf16_length))
        view.setTextCursor(cursor)
        view.viewport().update()

    # ------------------------------------------------------------------ keys

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.active or watched is not self.view:
            return False
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            combo = QKeySequence(event.keyCombination())
            if any(combo.matches(k) == QKeySequence.SequenceMatch.ExactMatch for k in
                   (*undo_keys(), *redo_keys())):  # fmt: skip
                return True  # the window's undo and redo, not the text control's
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
        ):
            self.leave()
            return True
        return False


def _trimmed(old: str, a: int, b: int, new: str) -> tuple[int, int, str]:
    """``old[a:b]`` replaced by ``new``, without the start and end they have in common."""
    piece = old[a:b]
    limit = min(len(piece), len(new))
    p = 0
    while p < limit and piece[p] == new[p]:
        p += 1
    q = 0
    while q < limit - p and piece[len(piece) - 1 - q] == new[len(new) - 1 - q]:
        q += 1
    return a + p, b - q, new[p : len(new) - q]


def editor_of(window: MainWindow) -> TranscriptEditor:
    """The window's Edit transcript mode (made when first asked for)."""
    found = window.findChild(QObject, "transcriptEditor")
    if isinstance(found, TranscriptEditor):
        return found
    return TranscriptEditor(window)


@action(
    "edit.transcript",
    "Edit",
    "&Edit transcript",
    shortcut="Ctrl+Shift+E",
    enabled_when="document",
    order=150,
    status_tip="Fix typos and speaker labels in the shown text; codings follow",
)
def edit_transcript(window: MainWindow) -> None:
    editor = editor_of(window)
    if editor.active:
        editor.leave()
    else:
        editor.enter()


@action(
    "edit.replace",
    "Edit",
    "Find && &Replace…",
    shortcut="Ctrl+H",
    enabled_when="project",
    order=205,
    status_tip="Replace a text in one or every document, with a preview of each change",
)
def find_and_replace(window: MainWindow) -> None:
    from coder.ui.dialogs.replace_dialog import ReplaceDialog

    editor_of(window).leave()
    dialog = ReplaceDialog(window)
    dialog.open()
