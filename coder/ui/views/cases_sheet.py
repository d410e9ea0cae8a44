"""The Cases sheet: every case and attribute in a window of its own (NVivo's classification
sheet): edit cells, add attributes and cases, import a sheet, sort and filter.

It is the Cases panel's table at full size, following the same project and the same edits;
after an edit the rows stay where they are (sorting again is one click on a header).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout

from coder.core.changes import Changes
from coder.core.project import Project
from coder.ui.views import common
from coder.ui.views.cases_dock import CasesDock

if TYPE_CHECKING:
    from coder.ui.main_window import MainWindow


class CasesSheet(QDialog):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.setObjectName("casesSheet")
        self.setWindowTitle("Cases sheet")
        self.setAccessibleName("Cases sheet")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.setModal(False)
        self.table = CasesDock(window)
        self.table.setAccessibleName("Cases sheet table")
        hint = QLabel(
            "Double-click a cell (or type) to edit it; right-click a column header for its "
            "attribute; drag documents from the Documents list onto a case to link them."
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(hint)
        window.listeners.append(self)
        window.projectChanged.connect(self._follow_project)
        common.fit_to_screen(self, 1100, 680)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """A window of its own has room: columns as wide as their contents, within reason."""
        view = self.table.view
        if view.model().rowCount() > 2000:
            return  # measuring every cell would take a while; the widths stay as they are
        view.resizeColumnsToContents()
        header = view.horizontalHeader()
        for col in range(header.count() - 1):
            header.resizeSection(col, min(header.sectionSize(col), 260))

    @property
    def project(self) -> Project | None:
        return self.table.project

    def on_changes(self, changes: Changes) -> None:
        self.table.on_changes(changes)

    def _follow_project(self) -> None:
        self.table.set_project(self.window_.project)
        self._fit_columns()
        if self.window_.project is None:
            self.close()
