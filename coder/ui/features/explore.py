"""Code menu entries of the Explore dock: auto-coding with a preview, similar passages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coder.ui.actions import action

if TYPE_CHECKING:
    from coder.ui.main_window import MainWindow


@action(
    "explore.autocode",
    "Code",
    "&Auto-code…",
    order=400,
    status_tip="Code every hit of words, an expression, a speaker or a dictionary, after a preview",
)
def autocode(window: MainWindow) -> None:
    """The auto-code dialog, filled with the selected words (if a few are selected)."""
    view = window.view
    words = ""
    if view.doc_id is not None and view.has_selection():
        start, end = view.selection_cp()
        words = " ".join(view.text[start:end].split()) if end - start <= 60 else ""
    window.explore_dock.open_autocode(words or None)


@action(
    "explore.similar",
    "Code",
    "Find &similar passages",
    enabled_when="selection",
    order=410,
    status_tip="List the paragraphs most like the selected passage, each a click from coding",
)
def find_similar(window: MainWindow) -> None:
    """List the paragraphs most like the selected passage in the Explore dock."""
    view = window.view
    if view.doc_id is None or not view.has_selection():
        return
    start, end = view.selection_cp()
    window.docks["explore"].show()
    window.docks["explore"].raise_()
    window.explore_dock.find_similar(view.doc_id, start, end)
