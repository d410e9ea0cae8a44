"""Starting the application: QApplication, icon, palette, and what to open first."""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFileOpenEvent, QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QWidget

from coder import __version__
from coder.assets import resource
from coder.core import settings

APP_NAME = "Coder"


def app_icon() -> QIcon:
    path = resource("icons", "coder.svg")
    return QIcon(str(path)) if path.is_file() else QIcon()


class Application(QApplication):
    """The QApplication, plus the FileOpen event: how macOS hands a double-clicked .coder file
    to the app (not as an argument), at start-up or while Coder runs."""

    fileOpenRequested = Signal(str)

    def event(self, event: QEvent) -> bool:
        if isinstance(event, QFileOpenEvent) and event.file():
            self.fileOpenRequested.emit(event.file())
            return True
        return super().event(event)


def make_application(argv: Sequence[str]) -> QApplication:
    """The QApplication (or the existing one), named, with its icon and palette tweaks."""
    existing = QApplication.instance()
    if existing is None:
        # Fractional scale factors stay fractional: crisp text at 125% and 150%.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app: QApplication = Application(list(argv))
    else:
        assert isinstance(existing, QApplication)
        app = existing
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("coder")
    app.setWindowIcon(app_icon())
    # The system palette (light or dark) is kept as it is: the document view derives its
    # highlight strength from the palette's base colour (see views.span_index.CodeStyle).
    return app


def run(project_path: str | None, demo: bool = False, argv: Sequence[str] | None = None) -> int:
    """Open the window with a project, the demo, the last project, or the welcome screen.

    The project is opened before the window shows, so that its first frame shows the project
    (not the welcome page first). Opening runs on a worker: a big project's first backup
    shows its progress instead of a window that does not answer.
    """
    app = make_application(argv or sys.argv[:1])
    from coder.ui.main_window import MainWindow

    window = MainWindow()
    window.setWindowIcon(app.windowIcon())
    opened_by_event: list[str] = []
    if isinstance(app, Application):

        def open_requested(path: str) -> None:
            opened_by_event.append(path)  # at start-up: open this, not the last project
            QTimer.singleShot(0, lambda: window.open_project(Path(path)))

        app.fileOpenRequested.connect(open_requested)
    quit_env = os.environ.get("CODER_QUIT_AFTER_START_MS")
    quit_after = int(quit_env) if quit_env is not None and quit_env.strip().isdigit() else None

    def open_what_was_asked() -> None:
        from coder.ui.features import file as file_feature

        if quit_after is None:  # first start: whose name do the codings carry? (never in checks)
            from coder.ui.dialogs.preferences import configured_coder_name, ensure_coder_name

            if not configured_coder_name():
                window.show()  # the question comes over the window it is for
                ensure_coder_name(window)
        app.processEvents()  # a file the system asks to open (macOS) arrives as an event
        if project_path:
            window.open_project(Path(project_path))
        elif demo:
            file_feature.open_demo(window)
        elif not opened_by_event:
            recent = [p for p in settings.recent_projects() if Path(p).exists()]
            if recent:
                window.open_project(recent[0])

    def started() -> None:
        collect_garbage_from_now_on()
        if quit_after is not None:
            # Start-up checks (packaging smoke test, start-up benchmark): the window has
            # painted with its project; say so on stderr, then quit.
            opened = window.project.name if window.project is not None else "no project"
            print(f"coder: started ({opened})", file=sys.stderr, flush=True)
            QTimer.singleShot(quit_after, app.quit)

    if quit_after is not None:
        QTimer.singleShot(quit_after + 60_000, app.quit)  # never hang on a dialog
    close_on_sigterm(app, window)
    try:
        open_what_was_asked()
    finally:
        window.show()
        after_first_frame(window, started)
    return app.exec()


def collect_garbage_from_now_on() -> None:
    """End the pause of the garbage collector that covers start-up (see coder.cli.gui).

    The start-up's objects (classes, enums, widgets) live as long as the window: they are set
    aside for good, so that a full collection takes microseconds instead of some 10 ms. The
    few hundred cycles start-up left stay, as if still in use."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


class _FramePainted(QObject):
    """Calls ``then`` once, when the window's next frame has been painted: the first frame
    of a window comes with the expose of its platform window, a later one with an update
    request to the widget."""

    def __init__(self, window: QWidget, then: Callable[[], None]) -> None:
        super().__init__(window)
        self._then = then
        handle = window.windowHandle()
        assert handle is not None, "the window is shown first"
        self._watched: tuple[QObject, ...] = (window, handle)
        for watched in self._watched:
            watched.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Expose, QEvent.Type.UpdateRequest):
            # Seen before it is handled: the frame is painted when the event loop comes back.
            for each in self._watched:
                each.removeEventFilter(self)
            QTimer.singleShot(0, self._then)
            self.deleteLater()
        return False


def after_first_frame(window: QWidget, then: Callable[[], None]) -> None:
    """Run ``then`` once the shown ``window`` has painted its next frame, with what it holds
    now: the first frame of a window that has not appeared yet, or a fresh one."""
    _FramePainted(window, then)
    window.update()


def close_on_sigterm(app: QApplication, window: QWidget) -> None:
    """SIGTERM (a logout, a `kill`) closes the window as the user would: the project is
    closed, its lock removed and its WAL folded into the file, nothing left beside it."""
    if threading.current_thread() is not threading.main_thread():
        return

    def terminated(signum: int, frame: object) -> None:
        QTimer.singleShot(0, window.close)
        QTimer.singleShot(0, app.quit)

    try:
        signal.signal(signal.SIGTERM, terminated)
    except (ValueError, OSError):
        return
    # Python runs signal handlers only between its own bytecodes; while Qt waits for events
    # no Python runs, so wake it now and then.
    wake = QTimer(app)
    wake.timeout.connect(lambda: None)
    wake.start(200)
