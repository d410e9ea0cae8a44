"""Background jobs of a window: off the GUI thread, the latest request wins, results on the GUI
thread, a cancelled job's SQL interrupted."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from coder.core.errors import InvalidValue
from coder.core.project import Project
from coder.ui.tasks import ProgressLine, Runner, running

# A query that runs until interrupted (a recursive count to a billion).
ENDLESS = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000) "
    "SELECT count(*) FROM n"
)


@pytest.fixture
def project(fresh_project: Project) -> Project:
    fresh_project.add_document("Ana", "Interviewer: hello\n\nAna: hi there")
    return fresh_project


def test_job_runs_on_a_worker_with_its_own_connection(qtbot, project: Project) -> None:
    seen: dict[str, object] = {}
    delivered: list[object] = []

    def work(conn: Project, progress) -> int:
        seen["thread"] = threading.current_thread()
        seen["conn"] = conn.db.conn
        progress(1, 1, "counting")
        return conn.db.execute("SELECT count(*) FROM documents").fetchone()[0]

    def done(result: object) -> None:
        delivered.append((result, threading.current_thread()))

    runner = Runner(pytest.fail)
    task = runner.run(project, work, done)
    qtbot.waitUntil(lambda: bool(delivered))
    assert delivered == [(1, threading.main_thread())]
    assert seen["thread"] is not threading.main_thread()
    assert seen["conn"] is not project.db.conn
    assert not runner.running and task not in running()


def test_a_second_request_cancels_the_first_and_interrupts_its_sql(qtbot, project) -> None:
    started = threading.Event()
    outcome: dict[str, object] = {}
    delivered: list[object] = []

    def slow(conn: Project, progress) -> str:
        started.set()
        try:
            conn.db.execute(ENDLESS).fetchone()
        except Exception as e:
            outcome["error"] = e
            raise
        return "slow"

    runner = Runner(pytest.fail)
    first = runner.run(project, slow, delivered.append)
    assert started.wait(10)
    runner.run(project, lambda conn, progress: "fast", delivered.append)
    qtbot.waitUntil(lambda: first.finished and delivered == ["fast"], timeout=20000)
    assert "interrupted" in str(outcome["error"])
    assert runner.jobs == 2 and not runner.running


def test_a_job_stops_at_its_next_step_once_cancelled(qtbot, project) -> None:
    gate = threading.Event()
    steps: list[int] = []

    def work(conn: Project, progress) -> str:
        for i in range(5):
            progress(i, 5, "step")
            steps.append(i)
            gate.wait(10)
        return "finished"

    delivered: list[object] = []
    runner = Runner(pytest.fail)
    task = runner.run(project, work, delivered.append)
    qtbot.waitUntil(lambda: steps == [0])
    runner.cancel()
    gate.set()
    qtbot.waitUntil(lambda: task.finished)
    assert steps == [0] and delivered == []


def test_parts_arrive_on_the_gui_thread_before_the_result(qtbot, project) -> None:
    events: list[tuple[str, object, bool]] = []

    def work(conn: Project, progress, hand_over) -> str:
        hand_over("first table")
        hand_over("second table")
        return "all"

    def record(kind: str):
        return lambda x: events.append(
            (kind, x, threading.current_thread() is threading.main_thread())
        )

    runner = Runner(pytest.fail)
    runner.run(project, work, record("done"), on_part=record("part"))
    qtbot.waitUntil(lambda: len(events) == 3)
    assert events == [
        ("part", "first table", True),
        ("part", "second table", True),
        ("done", "all", True),
    ]


def test_errors_reach_the_window_as_one_line(qtbot, project) -> None:
    errors: list[str] = []

    def work(conn: Project, progress) -> None:
        raise InvalidValue("no such attribute 'Age'")

    runner = Runner(errors.append)
    runner.run(project, work, pytest.fail)
    qtbot.waitUntil(lambda: bool(errors))
    assert errors == ["no such attribute 'Age'"]


def test_progress_line_shows_only_for_a_long_job(qtbot, project, tmp_path: Path) -> None:
    gate = threading.Event()
    runner = Runner(pytest.fail)
    line = ProgressLine(runner, delay_ms=50)
    qtbot.addWidget(line)
    delivered: list[object] = []
    runner.run(project, lambda conn, progress: "quick", delivered.append)
    qtbot.waitUntil(lambda: delivered == ["quick"])
    assert line.isHidden()

    def long(conn: Project, progress) -> str:
        progress(1, 4, "Co-occurrence")
        gate.wait(10)
        return "long"

    runner.run(project, long, delivered.append, title="Computing the tables")
    qtbot.waitUntil(line.isVisible)
    qtbot.waitUntil(lambda: line.bar.maximum() == 4)
    assert line.label.text() == "Computing the tables: Co-occurrence…"
    line.cancel_button.click()
    gate.set()
    qtbot.waitUntil(lambda: runner.task is None and not line.isVisible())
    assert delivered == ["quick"]


def on_the_gui_thread(fn: Any) -> Any:
    """A call, from any thread, that runs ``fn`` on the GUI thread when its event loop turns
    (as a worker's signal does)."""
    from PySide6.QtCore import QObject, Qt, Signal

    class Relay(QObject):
        call = Signal()

    relay = Relay()
    relay.call.connect(fn, Qt.ConnectionType.QueuedConnection)

    def call() -> None:
        relay.call.emit()  # the relay lives as long as this call

    return call


def test_wait_for_runs_on_a_worker_and_drops_input_meanwhile(qtbot) -> None:
    """The caller gets the result as from a plain call; meanwhile the window's event loop
    runs (a timer fires) and a key pressed is not delivered."""
    from PySide6.QtCore import QCoreApplication, QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QLineEdit

    from coder.ui.tasks import wait_for

    field = QLineEdit()
    qtbot.addWidget(field)
    gui_turn = threading.Event()
    threads: list[threading.Thread] = []
    ping = on_the_gui_thread(gui_turn.set)

    def work() -> str:
        threads.append(threading.current_thread())
        key = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_X, Qt.KeyboardModifier.NoModifier, "x")
        QCoreApplication.postEvent(field, key)  # typed while the work runs
        ping()
        assert gui_turn.wait(30)
        return "opened"

    assert wait_for(field, "Opening", work) == "opened"
    assert threads and threads[0] is not threading.main_thread()
    qtbot.wait(0)
    assert field.text() == "", "the key was dropped, not kept for later"
    qtbot.keyClicks(field, "ok")
    assert field.text() == "ok", "input is delivered again once the wait is over"


def test_wait_for_raises_what_the_work_raised(qtbot) -> None:
    from PySide6.QtWidgets import QWidget

    from coder.ui.tasks import wait_for

    parent = QWidget()
    qtbot.addWidget(parent)

    def work() -> None:
        raise InvalidValue("the project is damaged")

    with pytest.raises(InvalidValue, match="damaged"):
        wait_for(parent, "Opening", work)


def test_in_turns_runs_each_step_on_its_own_turn_of_the_event_loop(qtbot) -> None:
    from PySide6.QtCore import QTimer

    from coder.ui.tasks import in_turns

    done: list[int] = []
    turns: list[int] = []  # how many steps had run at each turn of the event loop
    beat = QTimer()
    beat.setInterval(0)
    beat.timeout.connect(lambda: turns.append(len(done)))
    beat.start()
    try:
        in_turns([lambda: done.append(1), lambda: done.append(2), lambda: done.append(3)])
    finally:
        beat.stop()
    assert done == [1, 2, 3], "all of them, in order, before it returns"
    assert {1, 2} <= set(turns), "the event loop turned between the steps"


def test_in_turns_raises_what_a_step_raised_and_runs_no_more(qtbot) -> None:
    from coder.ui.tasks import in_turns

    done: list[str] = []

    def fails() -> None:
        raise InvalidValue("no such code")

    with pytest.raises(InvalidValue, match="no such code"):
        in_turns([lambda: done.append("a"), fails, lambda: done.append("c")])
    assert done == ["a"]


def test_a_window_asked_to_close_during_a_wait_closes_once_it_is_over(qtbot) -> None:
    """The close button or a logout while a project opens: the window closes properly (its
    own close handling runs) right after, not in the middle of the opening."""
    from PySide6.QtGui import QCloseEvent
    from PySide6.QtWidgets import QWidget

    from coder.ui.tasks import wait_for

    class Window(QWidget):
        def __init__(self) -> None:
            super().__init__()
            self.closed = 0

        def closeEvent(self, event: QCloseEvent) -> None:
            self.closed += 1
            super().closeEvent(event)

    window = Window()
    qtbot.addWidget(window)
    window.show()
    asked = threading.Event()

    def close_now() -> None:
        window.close()
        asked.set()

    ask = on_the_gui_thread(close_now)

    def work() -> str:
        ask()
        assert asked.wait(30)
        return "opened"

    assert wait_for(window, "Opening", work) == "opened"
    assert window.isVisible() and window.closed == 0, "not closed in the middle of the wait"
    qtbot.waitUntil(lambda: not window.isVisible())
    assert window.closed == 1


def test_a_window_closed_and_deleted_during_a_wait_is_left_alone(qtbot) -> None:
    """Windows go away during an opening too (the previous window of a script, Qt's own
    popups): their kept closing is dropped, never sent to a deleted window."""
    from PySide6.QtWidgets import QComboBox, QWidget

    from coder.ui.tasks import wait_for

    parent = QWidget()
    qtbot.addWidget(parent)
    gone = QWidget()
    combo = QComboBox()
    combo.addItems(["Amira", "Ben"])
    gone.show()
    combo.show()
    combo.showPopup()  # a popup window Qt closes on its own
    asked = threading.Event()

    def close_and_delete() -> None:
        combo.hidePopup()
        gone.close()
        gone.deleteLater()
        combo.deleteLater()
        asked.set()

    ask = on_the_gui_thread(close_and_delete)

    def work() -> str:
        ask()
        assert asked.wait(30)
        return "opened"

    assert wait_for(parent, "Opening", work) == "opened"
    qtbot.wait(0)
