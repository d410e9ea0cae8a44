"""The accessibility tree as a screen reader reads it, on a real X server.

Tests marked ``atspi`` start Xvfb (``tests.xserver``), a D-Bus session bus and the AT-SPI bus
on it (at-spi2-core's ``at-spi-bus-launcher``), run Coder on Qt's xcb platform with its AT-SPI
bridge switched on, and read the tree with pyatspi in the Python that has it (Debian's
``python3-pyatspi`` installs it into the system Python, not into a virtual environment). Keys
are typed with xdotool. ``.ci/run`` installs all of it and sets ``CODER_REQUIRE_ATSPI``, so in
CI a missing piece fails these tests instead of skipping them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from tests.xserver import Desktop
from tests.xserver import missing_tools as missing_x11

REQUIRE_ENV = "CODER_REQUIRE_ATSPI"
READER = Path(__file__).with_name("atspi_reader.py")
LAUNCHERS = (
    "/usr/libexec/at-spi-bus-launcher",
    "/usr/lib/at-spi2-core/at-spi-bus-launcher",
    "/usr/lib/at-spi2/at-spi-bus-launcher",
)


@cache
def pyatspi_python() -> str | None:
    """A Python that can import pyatspi: this one, else the system's."""
    for candidate in (sys.executable, "/usr/bin/python3", shutil.which("python3")):
        if not candidate or not Path(candidate).exists():
            continue
        found = subprocess.run(
            [candidate, "-c", "import pyatspi"], capture_output=True, timeout=60, check=False
        )
        if found.returncode == 0:
            return candidate
    return None


def bus_launcher() -> str | None:
    return next((p for p in LAUNCHERS if Path(p).exists()), None)


def missing_tools() -> list[str]:
    missing = list(missing_x11())
    if shutil.which("dbus-daemon") is None:
        missing.append("dbus-daemon")
    if bus_launcher() is None:
        missing.append("at-spi-bus-launcher (at-spi2-core)")
    if pyatspi_python() is None:
        missing.append("pyatspi (python3-pyatspi)")
    return missing


@contextmanager
def accessibility_bus(desktop: Desktop) -> Iterator[None]:
    """A D-Bus session with the AT-SPI bus for ``desktop``; programs started on it afterwards
    (Coder, the reader) find each other there."""
    session = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=desktop.env,
    )  # fmt: skip
    launcher: subprocess.Popen[bytes] | None = None
    try:
        assert session.stdout is not None
        address = session.stdout.readline().strip()  # written once the bus accepts clients
        if not address:
            raise RuntimeError("dbus-daemon did not start")
        desktop.env["DBUS_SESSION_BUS_ADDRESS"] = address
        desktop.env["QT_LINUX_ACCESSIBILITY_ALWAYS_ON"] = "1"
        desktop.env["QT_ACCESSIBILITY"] = "1"
        desktop.env.pop("NO_AT_BRIDGE", None)
        launcher_path = bus_launcher()
        assert launcher_path is not None
        launcher = subprocess.Popen(
            [launcher_path, "--launch-immediately"],
            env=desktop.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        yield
    finally:
        for proc in (launcher, session):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


class Reader:
    """Reads Coder's accessibility tree through AT-SPI (a separate process per reading)."""

    def __init__(self, desktop: Desktop, app: str = "Coder") -> None:
        python = pyatspi_python()
        assert python is not None, "no Python with pyatspi"
        self.python = python
        self.desktop = desktop
        self.app = app
        self.env = dict(desktop.env)
        self.env.pop("PYTHONPATH", None)
        self.env.pop("VIRTUAL_ENV", None)

    def tree(self) -> list[dict[str, Any]]:
        """Every object of the application (empty while it is not on the bus yet)."""
        out = subprocess.run(
            [self.python, str(READER), "tree", self.app],
            env=self.env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        if out.returncode != 0:
            return []
        return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]

    def find(self, role: str, name: str) -> dict[str, Any] | None:
        return next(
            (n for n in self.tree() if n.get("role") == role and n.get("name") == name), None
        )

    @contextmanager
    def listening(self) -> Iterator[Events]:
        """Collect the application's accessibility events while the block runs."""
        proc = subprocess.Popen(
            [self.python, str(READER), "listen", self.app],
            env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        events = Events(proc)
        try:
            first = events.next_line()
            if first != {"ready": True}:
                raise RuntimeError(f"the AT-SPI listener did not start: {first}")
            yield events
        finally:
            assert proc.stdin is not None
            proc.stdin.close()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class Events:
    """The events a listener prints, collected by a thread as they come."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        import queue
        import threading

        self.proc = proc
        self.seen: list[dict[str, Any]] = []
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if line.strip():
                self._queue.put(json.loads(line))
        self._queue.put(None)  # the listener stopped

    def next_line(self, timeout: float = 120) -> dict[str, Any] | None:
        import queue

        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def wait_for(self, what: str, match: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The first event (seen or coming) for which ``match`` is true (a generous timeout
        for a busy machine between two events; nothing is asserted on time)."""
        for seen in self.seen:
            if match(seen):
                return seen
        while True:
            event = self.next_line()
            if event is None:
                raise AssertionError(f"no {what}; events seen: {self.seen[-20:]}")
            self.seen.append(event)
            if match(event):
                return event
