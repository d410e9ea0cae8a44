"""View → Pseudonyms: the pseudonym list, its suggestions and a preview."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coder.ui.actions import action
from coder.ui.views.common import bring_forward

if TYPE_CHECKING:
    from coder.ui.main_window import MainWindow


@action(
    "view.pseudonyms",
    "View",
    "&Pseudonyms",
    enabled_when="project",
    order=31,
    status_tip="Names and what replaces them in pseudonymised exports: list, suggestions, preview",
)
def pseudonyms_window(window: MainWindow) -> None:
    from coder.ui.views.pseudonyms_window import PseudonymsWindow

    view = window.pseudonyms_window
    if view is None:
        view = window.pseudonyms_window = PseudonymsWindow(window)
    bring_forward(view)
