"""The welcome page: shown in the window when no project is open."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStringListModel, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListView, QPushButton, QVBoxLayout, QWidget

from coder.core import settings

if TYPE_CHECKING:
    from coder.ui.main_window import MainWindow


class WelcomePage(QWidget):
    """Shown when no project is open: New, Open, Open demo, and the recent projects."""

    openRequested = Signal(str)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.setObjectName("welcomePage")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        box = QWidget()
        box.setMaximumWidth(560)
        layout = QVBoxLayout(box)
        title = QLabel("<h1>Coder</h1><p>Qualitative coding of interviews and documents.</p>")
        title.setAccessibleName("Welcome to Coder")
        layout.addWidget(title)
        buttons = QHBoxLayout()
        for text, action_id in (
            ("&New project…", "file.new"),
            ("&Open project…", "file.open"),
            ("Open &demo project", "file.open_demo"),
        ):
            b = QPushButton(text)
            b.setAccessibleName(text.replace("&", "").rstrip("…"))
            b.clicked.connect(lambda _=False, a=action_id: window.trigger(a))
            buttons.addWidget(b)
        layout.addLayout(buttons)
        recent_label = QLabel("&Recent projects:")
        layout.addWidget(recent_label)
        self.recent_model = QStringListModel(self)
        self.recent = QListView()
        self.recent.setModel(self.recent_model)
        self.recent.setAccessibleName("Recent projects")
        self.recent.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.recent.activated.connect(lambda index: self.openRequested.emit(index.data()))
        recent_label.setBuddy(self.recent)
        layout.addWidget(self.recent)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box, 3)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.openRequested.connect(window.open_project)

    def refresh(self) -> None:
        self.recent_model.setStringList([p for p in settings.recent_projects() if Path(p).exists()])
