"""The document view: read-only text, coding highlights, speaker gutter and coding stripes.

The codings are indexed in ``span_index``, painted by ``highlight_layer``, and drawn as
stripes in ``stripe_margin``; the speakers' names sit in ``speaker_gutter``. This module loads
a document, follows edits, and handles selection, keys, mouse and menus.

A small document is shown in one go. A big one is shown at once too, but progressively
(``document_load``): the start of its text with its codings first, the rest of the text a slice
per turn of the event loop, and every coding, stripe column and speaker turn read off the GUI
thread and swapped in when ready, so the window never freezes while it opens.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QKeyCombination, QMimeData, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QContextMenuEvent,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPalette,
    QResizeEvent,
    QTextCursor,
    QTextOption,
)
from PySide6.QtWidgets import QMenu, QToolTip, QWidget

from coder.core.text import PositionMap
from coder.ui.tasks import Runner
from coder.ui.views import document_load as load
from coder.ui.views import text_follow
from coder.ui.views.document_access import DocumentAccess
from coder.ui.views.highlight_layer import HighlightLayer
from coder.ui.views.note_margin import NoteMargin
from coder.ui.views.span_index import CodeStyle, Span, is_dark
from coder.ui.views.speaker_gutter import SpeakerGutter
from coder.ui.views.stripe_margin import StripeMargin
from coder.ui.views.text_follow import Followed
from coder.ui.views.words import snap_to_words, word_edge

if TYPE_CHECKING:
    from coder.core.project import Changes, Project

__all__ = ["PASSAGE_MIME", "CodeStyle", "DocumentView", "Span", "key_text"]

PASSAGE_MIME = "application/x-coder-passage"


def key_text(event: QKeyEvent) -> str:
    """The portable text of a key press ("1", "Shift+Left"), keypad digits as plain digits."""
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return QKeySequence(QKeyCombination(mods, Qt.Key(event.key()))).toString()


class DocumentView(HighlightLayer):
    """Shows one document of a project; every coding is drawn from the core at paint time."""

    #: the caret or selection moved (status bar text may change)
    positionChanged = Signal()
    #: the user chose a coding (stripe click, click in a passage): its id
    codingActivated = Signal(int)
    #: a document is shown in full: its whole text, every coding, its speaker turns
    documentLoaded = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setUndoRedoEnabled(False)
        self.setTabChangesFocus(True)  # Tab leaves the text (to the stripes, then the docks)
        self.setCenterOnScroll(False)
        self.setAccessibleName("Document text")
        self.setAccessibleDescription("No document is shown")
        self.setObjectName("documentView")
        self.default_text_size = max(self.font().pointSizeF(), 10.5)
        self.set_text_size(self.default_text_size)
        self.document().setDocumentMargin(8)
        # Key -> action for the view's single-key shortcuts (see keyPressEvent).
        self.key_actions: dict[str, QAction] = {}
        # Hooks the window sets: fill the context menu for a position / selection.
        self.menu_hook: Callable[[QMenu, list[int]], None] | None = None
        self.stripe_menu_hook: Callable[[QMenu, int], None] | None = None
        # Remove a coding (the Delete key on its stripe).
        self.remove_coding_hook: Callable[[int], object] | None = None
        # Editing the text (``text_follow``): the control already shows the edit being
        # written (typed), or is being given one (undo, redo, a replacement); what it did.
        self.text_typed = False
        self.text_following = False
        self.last_followed: Followed | None = None

        self.gutter = SpeakerGutter(self)
        self.notes = NoteMargin(self)
        self.stripes = StripeMargin(self)
        # A big document: the text still to append, and the reading of every coding.
        self._pending = ""
        self._edits = 0  # coding edits and filter changes: a reading started before is stale
        self.loader = Runner(self._read_failed, self)
        self._covered: list[tuple[int, int]] = []  # code point ranges whose codings are shown
        self._feeder = QTimer(self)
        self._feeder.setSingleShot(True)
        self._feeder.setInterval(0)
        self._feeder.timeout.connect(self._feed)
        self.updateRequest.connect(self._on_update_request)
        self.cursorPositionChanged.connect(self.positionChanged)
        self.selectionChanged.connect(self.positionChanged)
        self.access = DocumentAccess(self)  # the codings at the caret, in words
        self._update_margins()

    # ------------------------------------------------------------------ text size

    def set_text_size(self, points: float) -> None:
        """Set the text's point size (6–40): for reading comfort and low vision."""
        font = self.font()
        font.setPointSizeF(min(max(points, 6.0), 40.0))
        self.setFont(font)
        self._gen += 1
        if hasattr(self, "gutter"):
            self._update_margins()  # speaker names take more or less room

    def text_size(self) -> float:
        return self.font().pointSizeF()

    # ------------------------------------------------------------------ loading

    def clear_document(self) -> None:
        self._stop_loading()
        self.project = None
        self.doc_id = None
        self.doc_name = ""
        self.text = ""
        self.pm = PositionMap("")
        self.spans.clear()
        self._all = {}
        self._rebuild_index(assign_columns=True)
        self.turns = []
        self.turn_starts = []
        self.speakers = ()
        self._paragraphs = None
        self.active_coding_id = None
        self.find_matches = []
        self.find_current = -1
        self.notes.load(None, None)
        self.setPlainText("")
        self._update_margins()
        self.access.refresh()

    def set_document(self, project: Project, doc_id: int) -> None:
        """Show a document with its codings and speaker turns (a big one progressively: see
        the module's docstring; ``loading`` is true until it is complete)."""
        self._stop_loading()
        text = project.document_text(doc_id)
        self.project = project
        self.doc_id = doc_id
        self.doc_name = project.document_name(doc_id)
        self.text = text
        self.pm = pm = PositionMap(text)
        self._paragraphs = None
        self.active_coding_id = None
        self.find_matches = []
        self.find_current = -1
        self.load_styles(project, update=False)
        self.coders = project.coder_names()
        big = len(text) > load.SYNC_CHARS or project.coding_count(doc_id) > load.SYNC_CODINGS
        first = load.cut(text, load.FIRST_CHARS) if big else len(text)
        before = load.FIRST_CODINGS_CHARS if big else None
        self._set_spans(load.spans_of(project.coding_spans(doc_id, before=before), pm, self.coders))
        self._covered = [(0, before if before is not None else len(text))]
        self._set_turns(load.turns_of(project.turn_spans(doc_id, before=before), pm))
        self.notes.load(project, doc_id)
        # Margins first: a width change after the text is set would lay it out again.
        self._update_margins()
        self.setPlainText(text[:first])
        self._pending = text[first:]
        self.access.refresh()
        if big:
            self._read_all()
            if self._pending:
                self._feeder.start()
        else:
            self.documentLoaded.emit()

    @property
    def loading(self) -> bool:
        """A big document is still being shown (text appended, codings read)."""
        return bool(self._pending) or self.loader.running

    def _set_spans(self, spans: dict[int, Span]) -> None:
        self._all = spans
        if self.coder_filter is None and self.compare is None:
            self.spans = dict(spans)
            self._rebuild_index(assign_columns=True)
        else:
            self._apply_filter()

    def _set_turns(self, turns: load.Turns) -> None:
        self.turns = turns
        self.turn_starts = list(map(itemgetter(0), turns))
        self.speakers = tuple(sorted({t[2] for t in turns}))

    def _read_all(self) -> None:
        """Read every coding, turn and paragraph of the shown document off the GUI thread."""
        project, doc_id, text, pm, edits = (
            self.project,
            self.doc_id,
            self.text,
            self.pm,
            self._edits,
        )
        assert project is not None and doc_id is not None
        shown = (
            frozenset(self.coder_filter) if self.coder_filter is not None else None,
            self.compare,
        )

        def work(conn: Project, _progress: Any) -> load.Loaded:
            return load.read_all(conn, doc_id, text, pm, edits, *shown)

        self.loader.run(project, work, self._read_done, title="Reading the codings")

    def _read_done(self, loaded: load.Loaded) -> None:
        if loaded.doc_id != self.doc_id:
            return
        if loaded.edits != self._edits:
            self._read_all()  # an edit or a filter change meanwhile: read again
            return
        before = self.on_screen()
        self.coders = loaded.coders
        self._all, self.spans = loaded.all, loaded.spans
        self._install_index(loaded.index)
        if self.active_coding_id not in self.spans:
            self.active_coding_id = None
        self._set_turns(loaded.turns)
        self._paragraphs = loaded.paragraphs
        self._update_margins()
        self.stripes.invalidate()
        after = self.on_screen()
        if after[0] != before[0]:
            # Codings, turns or margins on screen that the start of the document lacked (the
            # text is usually painted already as it is now).
            self.viewport().update()
            self.gutter.update()
        if after != before:
            self.stripes.update()  # more stripe columns in the whole document: narrower
        self.positionChanged.emit()
        if not self.loading:
            self.documentLoaded.emit()

    def _read_failed(self, message: str) -> None:
        """The worker could not read (a damaged row, a lost file): read on this thread."""
        if self.project is None or self.doc_id is None:
            return
        pm, project, doc_id = self.pm, self.project, self.doc_id
        self._set_spans(load.spans_of(project.coding_spans(doc_id), pm, self.coders))
        self._set_turns(load.turns_of(project.turn_spans(doc_id), pm))
        self._update_margins()
        self.viewport().update()
        if not self.loading:
            self.documentLoaded.emit()

    def cover(self, a: int, b: int) -> None:
        """While a big document is read, show the codings of code points [a, b) at once (the
        stretch on screen, a passage jumped to) rather than when every coding has arrived."""
        if not self.loader.running or self.project is None or self.doc_id is None:
            return
        a, b = max(a, 0), min(b, self.pm.length)
        if b <= a or any(lo <= a and b <= hi for lo, hi in self._covered):
            return
        rows = self.project.coding_spans(self.doc_id, before=b, after=a)
        added = [
            span
            for span in load.spans_of(rows, self.pm, self.coders).values()
            if span.id not in self._all and self._add_span(span)
        ]
        for span in added:
            self._give_column(span, 0)
        self._covered.append((a, b))
        if added:
            self._gen += 1
            self._update_margins()
            self.stripes.invalidate()
            self.viewport().update()
            self.stripes.update()

    def _feed(self) -> None:
        """Append the next slice of a big document's text."""
        if not self._pending:
            return
        end = load.cut(self._pending, load.SLICE_CHARS)
        piece, self._pending = self._pending[:end], self._pending[end:]
        self._append(piece)
        if self._pending:
            self._feeder.start()
        elif not self.loading:
            self.documentLoaded.emit()

    def _append(self, piece: str) -> None:
        """Append a piece of a big document's text. Below the lines on screen it repaints
        nothing (the text control would repaint the whole screen): only the scroll bar grows."""
        doc = self.document()
        cursor = QTextCursor(doc)
        cursor.movePosition(QTextCursor.MoveOperation.End)
        layout = doc.documentLayout()
        hidden = self.visible_range()[1] < cursor.position()
        layout.blockSignals(hidden)
        try:
            cursor.insertText(piece)
        finally:
            layout.blockSignals(False)
        if hidden:
            layout.documentSizeChanged.emit(layout.documentSize())

    def finish_text(self) -> None:
        """Append what is left of the text now (a position past it is about to be shown)."""
        if self._pending:
            self._feeder.stop()
            piece, self._pending = self._pending, ""
            self._append(piece)
            if not self.loading:
                self.documentLoaded.emit()

    def _stop_loading(self) -> None:
        self._feeder.stop()
        self._pending = ""
        self.loader.cancel()

    def load_styles(self, project: Project, update: bool = True) -> None:
        """Read code names and colours (after a code was renamed or recoloured)."""
        dark, ink = is_dark(self.palette()), self.palette().color(QPalette.ColorRole.Text)
        self.styles = {c.id: CodeStyle(c.name, c.path, c.color, dark, ink) for c in project.codes()}
        self._gen += 1
        if update:
            self.viewport().update()
            self.stripes.update()

    def set_coder_filter(
        self, coder_ids: set[int] | None, compare: tuple[int, int] | None = None
    ) -> None:
        """Show every coder's codings (None), only some coders', or two coders side by side
        (the first coder's stripes, then the second's)."""
        self.coder_filter = set(coder_ids) if coder_ids is not None else None
        self.compare = (compare[0], compare[1]) if compare is not None else None
        self._edits += 1  # a reading under way indexes for the old filter: it starts again
        self._apply_filter()
        if self.compare is not None:
            first, second = (self.coders.get(c, "?") for c in self.compare)
            self.stripes.setAccessibleDescription(
                f"Comparing coders: {first}'s codings on the left, {second}'s on the right"
            )
        self._update_margins()
        self.viewport().update()
        self.stripes.update()
        self.positionChanged.emit()

    # ------------------------------------------------------------------ positions

    def selection_cp(self) -> tuple[int, int]:
        """The selection (or caret) in code points, snapped outwards to whole characters."""
        c = self.textCursor()
        a, b = c.selectionStart(), c.selectionEnd()
        n = self.pm.utf16_length
        a, b = min(max(a, 0), n), min(max(b, 0), n)
        return self.pm.to_codepoint(a, "down"), self.pm.to_codepoint(b, "up")

    def has_selection(self) -> bool:
        a, b = self.selection_cp()
        return b > a

    def word_selection_cp(self) -> tuple[int, int]:
        """The selection widened to whole words (without spaces at its ends), in code points."""
        c = self.textCursor()
        a16, b16 = snap_to_words(self.document(), c.selectionStart(), c.selectionEnd())
        return self.pm.to_codepoint(a16, "down"), self.pm.to_codepoint(b16, "up")

    def word_step_cp(self, cp: int, edge: str, grow: bool) -> int:
        """Where a coding's edge at code point ``cp`` moves by one word."""
        u16 = word_edge(self.document(), self.pm.to_utf16(cp), edge, grow)
        return self.pm.to_codepoint(u16, "up" if edge == "end" else "down")

    def _snap_drag(self, event: QMouseEvent) -> None:
        """A selection dragged with the mouse takes whole words; with Alt, exact characters."""
        if event.modifiers() & Qt.KeyboardModifier.AltModifier:
            return
        c = self.textCursor()
        if not c.hasSelection():
            return
        a16, b16 = c.selectionStart(), c.selectionEnd()
        sa, sb = snap_to_words(self.document(), a16, b16)
        if (sa, sb) == (a16, b16):
            return
        forward = c.position() >= c.anchor()
        c.setPosition(sa if forward else sb)
        c.setPosition(sb if forward else sa, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(c)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        if event.buttons() & Qt.MouseButton.LeftButton and self.doc_id is not None:
            self._snap_drag(event)

    def select_cp(self, start: int, end: int, ensure_visible: bool = True) -> None:
        """Select code points [start, end) (the caret ends at ``end``)."""
        n = self.pm.length
        start, end = min(max(start, 0), n), min(max(end, 0), n)
        self.finish_text()  # the passage may lie in text not appended yet
        self.cover(start - load.COVER_CHARS, end + load.COVER_CHARS)
        c = self.textCursor()
        c.setPosition(self.pm.to_utf16(start))
        c.setPosition(self.pm.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(c)
        if ensure_visible:
            self.ensureCursorVisible()

    def step_cp(self, cp: int, forward: bool) -> int:
        """The code point offset one user-perceived character after/before ``cp``."""
        self.finish_text()
        c = QTextCursor(self.document())
        c.setPosition(self.pm.to_utf16(min(max(cp, 0), self.pm.length)))
        op = (
            QTextCursor.MoveOperation.NextCharacter
            if forward
            else QTextCursor.MoveOperation.PreviousCharacter
        )
        if not c.movePosition(op):
            return cp
        return self.pm.to_codepoint(c.position(), "up" if forward else "down")

    def active_span(self) -> Span | None:
        """The selected coding: the active one (stripe click, just applied) while its passage
        is exactly the selection. Shift/Alt+arrows resize it; otherwise they select text."""
        span = self.spans.get(self.active_coding_id) if self.active_coding_id is not None else None
        if span is not None and (span.start, span.end) == self.selection_cp():
            return span
        return None

    def target_span(self) -> Span | None:
        """The coding M acts on: the first of :meth:`target_spans`."""
        spans = self.target_spans()
        return spans[0] if spans else None

    def target_spans(self) -> list[Span]:
        """The codings the selection or caret points at, best first: the selected one, else
        those matching the selection exactly (newest first), else the codings under the
        caret (or around the selection), the active one first, then innermost first."""
        span = self.active_span()
        if span is not None:
            return [span]
        a, b = self.selection_cp()
        inside = self.codings_at(a)
        if b > a:
            exact = [s for s in inside if (s.start, s.end) == (a, b)]
            if exact:
                return sorted(exact, key=lambda s: -s.id)
            inside = [s for s in inside if s.end >= b] or inside
        active = [s for s in inside if s.id == self.active_coding_id]
        return active + [s for s in inside if s.id != self.active_coding_id]

    # ------------------------------------------------------------------ updates

    def apply_changes(self, changes: Changes) -> None:
        """Refresh after an edit: only what changed, and only the blocks it touched."""
        project = self.project
        if project is None or self.doc_id is None:
            return
        if self.doc_id in changes.deleted("documents"):
            self.clear_document()
            return
        if changes.codes:
            self.load_styles(project)
        if any(r.document_id == self.doc_id for r in changes.retexts):
            text_follow.follow(self, changes)
        codings = text_follow.to_read(self, changes)
        if changes.documents and self.doc_id in changes.documents:
            self.doc_name = project.document_name(self.doc_id)
        if codings and self.doc_id in changes.coding_documents:
            self.update_codings(codings)
            rows = (*changes.before.items(), *changes.after.items())
            if any(t == "codings" and row and row.get("memo") for (t, _k), row in rows):
                self.notes.update()  # a coding memo's marker came, went or changed
        if changes.annotations:
            self.notes.load(project, self.doc_id)

    def update_codings(self, ids: Iterable[int]) -> None:
        """Re-read these codings (added, changed or removed) and repaint where they are."""
        project = self.project
        assert project is not None
        ids = list(ids)
        self._edits += 1  # a reading under way missed this edit: it starts again
        colw = self.stripes.column_width()
        removed = self._drop_spans(ids)
        old_columns = {s.id: s.column for s in removed}
        new_spans = [span for span in self._read_spans(project, ids) if self._add_span(span)]
        dirty = [(s.s16, s.e16) for s in (*removed, *new_spans)]
        rebuilt = self.compare is not None and bool(new_spans)
        if rebuilt:
            self._rebuild_index(assign_columns=True)  # keeps each coder's columns apart
            new_spans = []
        for span in new_spans:
            # A resized or recoded coding keeps its stripe when it can.
            self._give_column(span, old_columns.get(span.id, 0))
        if self.active_coding_id is not None and self.active_coding_id not in self.spans:
            self.active_coding_id = None
        if len(dirty) > 64 or rebuilt:
            # A bulk change (undoing a merge, an import) or new columns: one repaint of the
            # visible area.
            self.stripes.invalidate()
            self.viewport().update()
            self.stripes.update()
        else:
            for a, b in dirty:
                self._repaint_text(a, b)
            # The margin repaints where the changed stripes are, with their labels.
            self.stripes.edited(removed, new_spans, colw)
        self.positionChanged.emit()

    def _read_spans(self, project: Project, ids: list[int]) -> list[Span]:
        """These codings as they are now in the shown document (the others are gone)."""
        assert self.doc_id is not None
        rows = project.coding_spans(self.doc_id, ids)
        if any(r.coder_id not in self.coders for r in rows):
            self.coders = project.coder_names()
        pm, coders = self.pm, self.coders
        return [
            Span(
                r.id,
                r.code_id,
                r.start,
                r.end,
                pm.to_utf16(r.start),
                pm.to_utf16(r.end),
                coders.get(r.coder_id, ""),
                r.memo,
                r.coder_id,
            )
            for r in rows
            if 0 <= r.start < r.end <= pm.length
        ]

    def set_active_coding(self, cid: int | None) -> None:
        """Make a coding the selected one (outlined in the margin; Shift/Alt+arrows and M act
        on it), repainting only the stripes whose outline changes."""
        old, self.active_coding_id = self.active_coding_id, cid
        if old != cid:
            self.stripes.repaint_coding(old)
            self.stripes.repaint_coding(cid)

    # ------------------------------------------------------------------ events

    def _update_margins(self) -> None:
        left = self.gutter.preferred_width()
        right = self.notes.preferred_width() + self.stripes.preferred_width()
        margins = self.viewportMargins()
        if (margins.left(), margins.right()) == (left, right):
            return  # unchanged: laying the view out again would repaint all of it
        self.setViewportMargins(left, 0, right, 0)
        self._place_margins()

    def _place_margins(self) -> None:
        cr = self.contentsRect()
        left, right = self.gutter.preferred_width(), self.stripes.preferred_width()
        notes = self.notes.preferred_width()
        self.gutter.setGeometry(QRect(cr.left(), cr.top(), left, cr.height()))
        self.gutter.setVisible(left > 0)
        self.stripes.setGeometry(QRect(cr.right() - right + 1, cr.top(), right, cr.height()))
        self.notes.setGeometry(QRect(cr.right() - right - notes + 1, cr.top(), notes, cr.height()))
        self.notes.setVisible(notes > 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_margins()

    def _on_update_request(self, rect: QRect, dy: int) -> None:
        if dy:
            self.stripes.update()
            self.gutter.update()
            self.notes.update()
        else:
            self.stripes.update(0, rect.y(), self.stripes.width(), rect.height())
            self.gutter.update(0, rect.y(), self.gutter.width(), rect.height())
            self.notes.update(0, rect.y(), self.notes.width(), rect.height())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Single keys (1-9, Q, V, U, M) and Shift/Alt+arrows belong to coding commands; the
        # text control would otherwise swallow some of them (Shift+arrows extend a selection).
        action = self.key_actions.get(key_text(event))
        if action is not None and action.isEnabled():
            action.trigger()
            event.accept()
            return
        super().keyPressEvent(event)

    def event(self, event: Any) -> bool:
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.ShortcutOverride:
            if key_text(event) in self.key_actions:
                event.accept()  # handled in keyPressEvent, ahead of the text control
                return True
        return super().event(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() != Qt.MouseButton.LeftButton or self.doc_id is None:
            return
        if self.textCursor().hasSelection():
            self._snap_drag(event)
            return
        cp = self.pm.to_codepoint(self.cursorForPosition(event.position().toPoint()).position())
        inside = self.codings_at(cp)
        if inside:
            self.set_active_coding(inside[0].id)
            QToolTip.showText(
                event.globalPosition().toPoint(),
                self.codes_tooltip(inside),
                self.viewport(),
            )
            self.codingActivated.emit(inside[0].id)
        else:
            self.set_active_coding(None)
        self.positionChanged.emit()

    def viewportEvent(self, event: Any) -> bool:
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.ToolTip and self.doc_id is not None:
            # Hovering a coded passage names its codes (with coder and memo).
            cursor = self.cursorForPosition(event.pos())
            rect = self.cursorRect(cursor)
            inside = self.codings_at(self.pm.to_codepoint(cursor.position()))
            if inside and abs(rect.center().y() - event.pos().y()) <= rect.height():
                QToolTip.showText(event.globalPos(), self.codes_tooltip(inside), self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def codes_tooltip(self, spans: list[Span]) -> str:
        from html import escape

        rows = []
        for s in spans:
            style = self.styles.get(s.code_id)
            if style is None:
                continue
            swatch = f"<span style='color:{style.line.name()}'>&#9632;</span>"
            rows.append(
                f"{swatch} <b>{escape(style.path)}</b> — {escape(s.coder)}"
                + (f"<br/><i>{escape(s.memo[:200])}</i>" if s.memo else "")
            )
        return "<br/>".join(rows)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.createStandardContextMenu(event.pos())
        if self.doc_id is not None and self.menu_hook is not None:
            if not self.textCursor().hasSelection():
                # Right-click without a selection acts at the clicked position.
                c = self.cursorForPosition(event.pos())
                self.setTextCursor(c)
            cp = self.selection_cp()[0]
            inside = [s.id for s in self.codings_at(cp)]
            menu.addSeparator()
            self.menu_hook(menu, inside)
        menu.exec(event.globalPos())
        menu.deleteLater()

    def createMimeDataFromSelection(self) -> QMimeData:
        # Qt's own selection data lists a fixed set of formats, so copy it into a plain one.
        source = super().createMimeDataFromSelection()
        data = QMimeData()
        data.setText(source.text())
        if source.hasHtml():
            data.setHtml(source.html())
        if self.doc_id is not None:
            a, b = self.selection_cp()
            if b > a:
                payload = {"document_id": self.doc_id, "start": a, "end": b}
                data.setData(PASSAGE_MIME, json.dumps(payload).encode("utf-8"))
        return data

    def passage_mime(self) -> QMimeData:
        """The drag payload for the current selection (also used by tests and keyboard drops)."""
        return self.createMimeDataFromSelection()

    def changeEvent(self, event: Any) -> None:
        from PySide6.QtCore import QEvent

        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._gen += 1
        if event.type() == QEvent.Type.PaletteChange and self.project is not None:
            self.load_styles(self.project)
