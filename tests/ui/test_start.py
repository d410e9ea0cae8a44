"""Starting the window: it reports itself started once it has painted what it opened, and the
garbage collector, paused while start-up builds its objects, runs again from then on."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from coder.core.project import Project
from coder.ui.app import after_first_frame, collect_garbage_from_now_on


def test_a_start_with_a_project_reports_once_the_window_has_painted_it(tmp_path: Path) -> None:
    path = tmp_path / "Fieldwork.coder"
    with Project.create(path) as project:
        project.add_document("Interview", "Speaker A: the trust we had.")
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        CODER_DATA_DIR=str(tmp_path / "userdata"),
        CODER_QUIT_AFTER_START_MS="0",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "coder", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "coder: started (Fieldwork)" in proc.stderr
    assert "Traceback" not in proc.stderr


class _Paints(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_after_first_frame_runs_once_the_window_has_painted(qtbot: QtBot) -> None:
    label = QLabel("Interview 1")
    qtbot.addWidget(label)
    paints = _Paints()
    label.installEventFilter(paints)
    label.show()
    painted_then: list[int] = []
    after_first_frame(label, lambda: painted_then.append(paints.count))
    qtbot.waitUntil(lambda: bool(painted_then))
    assert painted_then[0] >= 1, "called after the frame, not before"
    label.setText("Interview 2")  # a later frame: called once only
    qtbot.waitUntil(lambda: paints.count > painted_then[0])
    qtbot.wait(0)
    assert len(painted_then) == 1


def test_after_first_frame_runs_after_the_next_frame_of_a_window_already_painted(
    qtbot: QtBot,
) -> None:
    label = QLabel("Interview 1")
    qtbot.addWidget(label)
    label.show()
    qtbot.waitExposed(label)
    paints = _Paints()
    label.installEventFilter(paints)
    painted_then: list[int] = []
    after_first_frame(label, lambda: painted_then.append(paints.count))
    qtbot.waitUntil(lambda: bool(painted_then))
    assert painted_then[0] >= 1


def test_garbage_collection_resumes_with_the_start_up_objects_set_aside() -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        collect_garbage_from_now_on()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
        frozen = gc.get_freeze_count()
        collect_garbage_from_now_on()  # already collecting: changes nothing
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
        if not was:
            gc.disable()
