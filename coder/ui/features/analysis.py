"""Analysis menu: the frequencies / crosstab / co-occurrence / speakers window."""

from __future__ import annotations

from typing import Any

from coder.ui.actions import action


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
    tables on the next turn of the event loop (the window appears first)."""
    from PySide6.QtCore import QTimer

    from coder.ui.views.analysis_window import AnalysisWindow

    existing = getattr(window, "analysis_window", None)
    if existing is None:
        existing = AnalysisWindow(window, fill=False)
        window.analysis_window = existing
    existing.show()
    existing.raise_()
    existing.activateWindow()
    QTimer.singleShot(0, existing.start)
    return existing
