"""Annotations: notes anchored to a passage, without a code (Edit → Annotate selection, A).

Each is shown as a sticky-note marker in the document's note margin (its text on hover),
listed in the Memos view and beside retrieved passages, and edited or deleted from the
marker's menu or the text's. Every change is one undoable command that says what it did.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMenu

from coder.core import settings
from coder.core.memo_index import excerpt
from coder.ui.actions import action
from coder.ui.features import coding

if TYPE_CHECKING:
    from coder.ui.main_window import MainWindow
    from coder.ui.views.note_margin import Note


def _passage(window: MainWindow, start: int, end: int) -> str:
    return f"“{excerpt(window.view.text[start:end], 40)}”"


@action(
    "edit.annotate",
    "Edit",
    "&Annotate selection…",
    shortcut="A",
    enabled_when="selection",
    order=310,
    status_tip="Add a note to the selected passage, without a code",
)
def annotate(window: MainWindow) -> None:
    view = window.view
    start, end = view.selection_cp()
    doc_id = view.doc_id
    if doc_id is None or end <= start:
        window.show_status("Select a passage first, then annotate it")
        return
    where = _passage(window, start, end)
    text = window.ask_text("Annotate", f"Note on {where}:", multiline=True)
    if text is None or not text.strip():
        return
    me = settings.coder_name()
    if window.push(
        f"Annotate {where}", lambda p: p.add_annotation(doc_id, start, end, text, coder=me)
    ):
        window.show_status(f"Annotated {where} (hover its note in the margin to read it)")


def _others_note(window: MainWindow, note: Note, verb: str) -> bool:
    """Ask before changing another coder's annotation; True to go ahead."""
    if coding.is_mine(note.author):
        return True
    return window.confirm(
        f"{verb.capitalize()} {note.author}'s annotation on "
        f"{_passage(window, note.start, note.end)}?\n\nIt was written by {note.author}, not by "
        f"you ({settings.coder_name()}).",
        yes=f"{verb.capitalize()} {note.author}'s annotation",
    )


def edit_note(window: MainWindow, note: Note) -> None:
    """Edit an annotation's text (or, for a coding memo, the memo)."""
    if note.kind == "coding":
        coding.edit_memo(window, note.id)
        return
    where = _passage(window, note.start, note.end)
    text = window.ask_text(
        "Edit annotation", f"Note on {where} — {note.author}:", note.text, multiline=True
    )
    if text is None or text == note.text or not _others_note(window, note, "edit"):
        return
    if window.push(
        f"Edit annotation on {where} — {note.author}",
        lambda p: p.update_annotation(note.id, text=text),
    ):
        window.show_status(f"Edited the annotation on {where}")


def delete_note(window: MainWindow, note: Note) -> None:
    where = _passage(window, note.start, note.end)
    if not _others_note(window, note, "delete"):
        return
    if window.push(
        f"Delete annotation on {where} — {note.author}",
        lambda p: p.delete_annotation(note.id),
    ):
        window.show_status(f"Deleted the annotation on {where} (Ctrl+Z undoes it)")


def fill_note_menu(window: MainWindow, menu: QMenu, notes: list[Note]) -> None:
    """Menu entries for notes: select, edit, delete; each names its author."""
    margin = window.view.notes
    for note in notes:
        who = note.author or "unknown"
        if note.kind == "annotation":
            what = f"annotation — {who}".replace("&", "&&")
        else:
            what = f"memo on '{note.label}' — {who}".replace("&", "&&")
        menu.addAction(f"Select passage of {what}", partial(margin.select_note, note))
        menu.addAction(f"&Edit {what}…", partial(edit_note, window, note))
        if note.kind == "annotation":
            menu.addAction(f"&Delete {what}", partial(delete_note, window, note))
        menu.addSeparator()


def fill_text_menu(window: MainWindow, menu: QMenu, cp: int) -> None:
    """The annotations at a position of the text, in its context menu."""
    here = [n for n in window.view.notes.annotations if n.start <= cp < n.end]
    if here:
        menu.addSeparator()
        fill_note_menu(window, menu, here)
