"""One action in the window, as a user meets it in a new session, timed from the click.

    python -m benchmarks.window_probe analysis PROJECT        Analysis → Frequencies…
    python -m benchmarks.window_probe agreement PROJECT       Team → Agreement… (two coders)
    python -m benchmarks.window_probe merge PROJECT OTHER     Merge OTHER in (the dialog's Merge)
    python -m benchmarks.window_probe report PROJECT OUT      File → Export → Word report…
    python -m benchmarks.window_probe open PROJECT DOC_ID     a click on a document in the list
    python -m benchmarks.window_probe import PROJECT TEXT     the window's reaction to an import
                                                              of TEXT (written by the worker
                                                              beforehand), then Undo, then Redo
    python -m benchmarks.window_probe project PROJECT         File → Open of PROJECT from a window
                                                              showing another (its first backup
                                                              included: the copy is new)
    python -m benchmarks.window_probe explore PROJECT         Explore words: the word list, a
                                                              word's rows in context, similar
                                                              passages of a paragraph

The window is opened on PROJECT first (not timed); then a 10 ms heartbeat timer runs on the GUI
thread while the action is started from the event loop, as a click would. Prints one JSON
object: ``first`` (seconds until the first result was painted: the table on screen, the text),
``done`` (until everything the action shows was painted or written: every table, a big
transcript's every coding), ``freeze`` (the longest
gap between two heartbeat ticks, from the click until the window is idle again), ``over_50ms``
(how many gaps were longer than 50 ms), ``freeze_cpu`` (the most CPU time the GUI thread spent
between two ticks: the same freeze without the waiting on a busy machine) and ``cpu`` (CPU
seconds of the whole process meanwhile).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# After the action is done: how long the heartbeat keeps watching for late work (tables shown
# on later turns of the event loop, charts, repaints).
TAIL = 0.25


class Painted:
    """Notes when a widget paints while ``ready()`` holds: the user then sees the result.

    The filter is the widget's own (:meth:`attach`), not the application's: a filter on the
    application runs Python for every event of every widget, which would slow down what is
    measured (building a window sends thousands of events) by more than a user ever waits."""

    def __init__(self, ready: Callable[[], bool], widget: Any = None) -> None:
        from PySide6.QtCore import QEvent, QObject

        paint = QEvent.Type.Paint
        self.seen = False
        watch = self

        class _Filter(QObject):
            def eventFilter(self, obj: Any, event: Any) -> bool:  # noqa: N802 (Qt's name)
                if not watch.seen and event.type() == paint and ready():
                    watch.seen = True
                return False

        self._filter = _Filter()
        if widget is not None:
            self.attach(widget)

    def attach(self, widget: Any) -> None:
        """Watch ``widget`` (built by the action itself: attach it in the same turn of the event
        loop, before it can paint)."""
        widget.installEventFilter(self._filter)


def _window(path: str) -> Any:
    from benchmarks import gui
    from coder.ui.app import make_application
    from coder.ui.main_window import MainWindow

    make_application(["coder"])
    window = MainWindow()
    window.show()
    window.showNormal()  # a small screen starts the window maximised; measure at this size
    window.resize(1600, 1000)
    setattr(window, "show_error", _fail)  # noqa: B010 (an error dialog would wait for a click)
    if not window.open_project(path):
        raise SystemExit(f"cannot open {path}")
    # First paint, docks, the document shown at opening, and the modules the window loads in
    # the background once it is up: a user looks at the window a moment before a menu.
    gui.run_for(1.5)
    return window


def _fail(message: str) -> None:
    raise SystemExit(f"the window reported an error: {message}")


def _time(start: Callable[[], None], first: Callable[[], bool], done: Callable[[], bool]) -> dict:
    from PySide6.QtCore import QTimer

    from benchmarks import gui

    beat = gui.Heartbeat()
    beat.start()
    gui.run_for(0.05)
    c0 = time.process_time()
    t0 = time.perf_counter()
    QTimer.singleShot(0, start)
    t_first = gui.run_until(first)
    t_done = gui.run_until(done)
    if t_first is None or t_done is None:
        raise SystemExit("the action did not finish in time")
    gui.run_for(TAIL)
    freeze = beat.stop()
    return {
        "first": t_first - t0,
        "done": t_done - t0,
        "freeze": freeze,
        "freeze_cpu": max(beat.cpu_gaps),
        "over_50ms": beat.over(0.05),
        "cpu": time.process_time() - c0,
    }


def analysis(path: str) -> dict:
    window = _window(path)

    def pane() -> Any:
        return window.analysis_window.freq

    shown = Painted(lambda: pane().model.rowCount() > 0)

    def click() -> None:
        window.trigger("analysis.frequencies")
        shown.attach(pane().view.viewport())

    status = lambda: window.analysis_window.status.text()  # noqa: E731
    result = _time(
        click,
        lambda: shown.seen,
        lambda: window.analysis_window is not None and status() == "Up to date.",
    )
    result["rows"] = pane().model.rowCount()
    return result


def agreement(path: str) -> dict:
    window = _window(path)

    def agree() -> Any:
        return window.agreement_window

    shown = Painted(lambda: agree().table.rowCount() > 0)

    def click() -> None:
        window.trigger("team.agreement")
        shown.attach(agree().table_view.viewport())

    result = _time(click, lambda: shown.seen, lambda: shown.seen)
    result["rows"] = agree().table.rowCount()
    return result


def merge(path: str, other: str) -> dict:
    from benchmarks import gui
    from coder.ui.dialogs.merge_dialog import MergeDialog

    window = _window(path)
    dialog = MergeDialog(window)
    dialog.show()
    dialog.add_files([other])
    gui.run_for(0.2)
    merged = lambda: dialog.report is not None and not dialog.report.dry_run  # noqa: E731
    shown = Painted(merged, dialog.summary)
    result = _time(dialog.merge_button.click, lambda: shown.seen, lambda: shown.seen)
    report = dialog.report
    assert report is not None
    result["codings"] = len(report.changes.created("codings"))
    return result


def report(path: str, out: str) -> dict:
    from coder.ui.features import report as feature

    window = _window(path)
    feature.run_dialog = lambda dialog: True  # the options as the dialog offers them
    feature.ask_save_path = lambda *args: out
    feature.open_file = lambda path: None
    window.last_export_message = None
    written = lambda: window.last_export_message is not None  # noqa: E731
    result = _time(lambda: window.trigger("file.export_report"), written, written)
    if not Path(out).is_file():
        raise SystemExit(f"no report written: {window.last_export_message}")
    result["message"] = window.last_export_message
    return result


def open_document(path: str, doc_id: str) -> dict:
    from benchmarks import gui

    window = _window(path)
    view, target = window.view, int(doc_id)
    if view.doc_id == target:  # shown at opening: show another first, or nothing
        others = [d.id for d in window.project.documents() if d.id != target]
        if others:
            window.show_document(others[0])
        else:
            view.clear_document()
        gui.run_for(0.3)
    shown = Painted(lambda: view.doc_id == target, view.viewport())
    complete = Painted(lambda: view.doc_id == target and not view.loading, view.viewport())
    # The view repaints only what the screen lacked once every coding is read (often nothing):
    # the paint that shows the whole document is asked for when it is loaded, as the
    # open_document benchmark does.
    view.documentLoaded.connect(view.viewport().update)
    result = _time(lambda: window.show_document(target), lambda: shown.seen, lambda: complete.seen)
    result["codings"] = len(view.spans)
    return result


def explore(path: str) -> dict:
    """Three clicks, each timed: the Explore words tab (the word list counted and shown), the
    most frequent word (its rows in context), Find similar on a paragraph (the index built)."""
    from coder.core.text import paragraphs

    window = _window(path)
    dock = window.explore_dock
    listed = Painted(lambda: dock.words_model.rowCount() > 0, dock.words_view.viewport())

    def raise_dock() -> None:
        window.docks["explore"].show()
        window.docks["explore"].raise_()

    result = {"words": _time(raise_dock, lambda: listed.seen, lambda: listed.seen)}
    result["words"]["rows"] = dock.words_model.rowCount()
    in_context = Painted(lambda: dock.kwic_computed > 0, dock.kwic_view.viewport())
    choose = lambda: dock.words_view.selectRow(0)  # noqa: E731
    result["kwic"] = _time(choose, lambda: in_context.seen, lambda: in_context.seen)
    result["kwic"]["rows"] = dock.kwic_model.rowCount()
    doc_id = window.view.doc_id
    spans = paragraphs(window.view.text)
    start, end = max(spans, key=lambda se: se[1] - se[0])
    similar = Painted(lambda: dock.similar_model.rowCount() > 0, dock.similar_view.viewport())
    find = lambda: dock.find_similar(doc_id, start, end)  # noqa: E731
    result["similar"] = _time(find, lambda: similar.seen, lambda: similar.seen)
    result["similar"]["rows"] = dock.similar_model.rowCount()
    clicks = list(result.values())
    return {
        **result,
        "freeze": max(r["freeze"] for r in clicks),
        "freeze_cpu": max(r["freeze_cpu"] for r in clicks),
        "over_50ms": sum(r["over_50ms"] for r in clicks),
    }


def import_undo_redo(path: str, text: str) -> dict:
    """The window's part of importing TEXT, timed three times: the worker's result arriving
    (the undo step, the view, the docks), then Edit → Undo, then Edit → Redo. The worker's own
    part (reading, storing, ``Changes.prepare()``) runs before, untimed: it is off the GUI
    thread in the window."""
    from coder.ui.commands import replays
    from coder.ui.features import file as feature

    window = _window(path)
    project = window.project
    report = feature.import_worker(project, [Path(text)], lambda done, total, label: True)
    if not report.imported:
        raise SystemExit(f"{text} was not imported: {report.failed}")
    stack = window.undo_stack
    steps = {
        "import": lambda: feature.finish_import(window, report, project),
        "undo": lambda: window.trigger("edit.undo"),
        "redo": lambda: window.trigger("edit.redo"),
    }
    wanted = {"import": 1, "undo": 0, "redo": 1}
    result: dict[str, Any] = {}
    for key, step in steps.items():
        done = lambda key=key: stack.index() == wanted[key] and not replays(window).busy  # noqa: E731
        result[key] = _time(step, done, done)
    result["turns"] = len(report.changes.created("turns"))
    return {
        **result,
        "freeze": max(result[k]["freeze"] for k in steps),
        "freeze_cpu": max(result[k]["freeze_cpu"] for k in steps),
        "over_50ms": sum(result[k]["over_50ms"] for k in steps),
    }


def open_project(path: str) -> dict:
    """File → Open (or a recent project) from a window that shows no project: until the text
    of the project's document is painted."""
    from benchmarks import gui
    from coder.ui.app import make_application
    from coder.ui.main_window import MainWindow

    make_application(["coder"])
    window = MainWindow()
    window.show()
    window.showNormal()
    window.resize(1600, 1000)
    setattr(window, "show_error", _fail)  # noqa: B010 (an error dialog would wait for a click)
    gui.run_for(1.5)
    shown = Painted(lambda: window.project is not None, window.view.viewport())
    opened: list[bool] = []
    result = _time(
        lambda: opened.append(window.open_project(path)),
        lambda: shown.seen,
        lambda: bool(opened) and shown.seen,
    )
    if opened != [True]:
        raise SystemExit(f"cannot open {path}")
    return result


ACTIONS: dict[str, Callable[..., dict]] = {
    "project": open_project,
    "import": import_undo_redo,
    "explore": explore,
    "analysis": analysis,
    "agreement": agreement,
    "merge": merge,
    "report": report,
    "open": open_document,
}


def main(argv: list[str]) -> int:
    kind, *args = argv
    print(json.dumps(ACTIONS[kind](*args)))
    sys.stdout.flush()
    os._exit(0)  # no teardown to wait for (closing the window, workers, the project lock)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
