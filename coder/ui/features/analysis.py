"""Analysis menu: the frequencies / crosstab / co-occurrence / speakers window."""

from __future__ import annotations

from typing import Any

from coder.ui.actions import action
from coder.ui.views.common import bring_forward


@action(
    "analysis.frequencies",
    "Analysis",
    "&Frequencies and co-occurrence…",
    shortcut="Ctrl+Shift+A",
    enabled_when="project",
    order=10,
    status_tip="Codings per code by document, case or attribute; crosstab; co-occurrence; speakers",
)
def open_analysis(window: Any) -> Any:
    """Show the analysis window (one per main window), then fill its choices and compute its
    tables on a later turn of the event loop: the window appears first, and clicks and keys
    waiting meanwhile are answered in between."""
    from PySide6.QtCore import QTimer

    from coder.ui.views.analysis_window import AnalysisWindow

    existing = getattr(window, "analysis_window", None)
    if existing is None:
        existing = AnalysisWindow(window, fill=False)
        window.analysis_window = existing
    bring_forward(existing)
    # A timer, not a zero-delay call: Qt runs those before the input and paint events waiting.
    QTimer.singleShot(1, existing, existing.start)  # dropped if it closes first
    return existing
