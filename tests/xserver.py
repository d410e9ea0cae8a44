"""A real X server (Xvfb) for the tests that need real key events, and xdotool to send them.

The offscreen platform delivers key events straight to widgets, so it cannot see what only a
real platform does (a key bound twice on X11 does nothing there). Tests marked ``x11`` start
their own Xvfb, run Coder in a separate process on Qt's xcb platform, and type with xdotool,
which goes through the XTEST extension like a keyboard.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
REQUIRE_ENV = "CODER_REQUIRE_X11"  # set by .ci/run: a missing X server fails instead of skips


def missing_tools() -> list[str]:
    return [tool for tool in ("Xvfb", "xdotool") if shutil.which(tool) is None]


@contextmanager
def xvfb(width: int = 1366, height: int = 768) -> Iterator[str]:
    """Run an Xvfb screen of ``width`` × ``height``; yields its DISPLAY (":N")."""
    read, write = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{width}x{height}x24",
         "-nolisten", "tcp", "-noreset"],
        pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()  # written once the server accepts clients
        if not number:
            raise RuntimeError("Xvfb did not start")
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


class Desktop:
    """One X display: start programs on it and type into them with xdotool."""

    def __init__(self, display: str, data_dir: Path) -> None:
        self.display = display
        self.data_dir = data_dir
        self.env = dict(
            os.environ,
            DISPLAY=display,
            QT_QPA_PLATFORM="xcb",
            CODER_DATA_DIR=str(data_dir),
            PYTHONIOENCODING="utf-8",
        )
        self.env.pop("WAYLAND_DISPLAY", None)
        self.procs: list[subprocess.Popen[str]] = []

    def coder(self, *args: str) -> subprocess.Popen[str]:
        """Start the Coder window as a user does (``coder PROJECT``)."""
        proc = subprocess.Popen(
            [sys.executable, "-m", "coder", *args],
            env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.procs.append(proc)
        return proc

    def xdotool(self, *args: str) -> str:
        out = subprocess.run(
            ["xdotool", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if out.returncode != 0:
            raise RuntimeError(f"xdotool {' '.join(args)}: {out.stderr.strip()}")
        return out.stdout.strip()

    def window(self, title_part: str) -> str:
        """The id of the first window whose title contains ``title_part``, once it is shown."""
        wid = wait_for(
            lambda: self._search(title_part), f"a window titled '…{title_part}…'", timeout=120
        )
        self.xdotool("windowfocus", "--sync", wid)
        return wid

    def _search(self, title_part: str) -> str | None:
        found = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", title_part],
            env=self.env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        ids = found.stdout.split()
        return ids[0] if ids else None

    def key(self, *keys: str) -> None:
        """Press keys (xdotool names: "ctrl+shift+z", "1", "Home") one after the other."""
        self.xdotool("key", "--clearmodifiers", "--delay", "40", *keys)

    def screenshot(self, path: Path) -> None:
        subprocess.run(
            ["import", "-display", self.display, "-window", "root", str(path)],
            check=True, timeout=120, env=self.env,
        )  # fmt: skip

    def close(self) -> str:
        """Stop what is still running; returns what the programs wrote on stderr."""
        errors = []
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
            try:
                _out, err = proc.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                _out, err = proc.communicate()
            errors.append(err or "")
        return "".join(errors)


def wait_for(condition: Callable[[], T | None], what: str, timeout: float = 60.0) -> T:
    """Poll ``condition`` until it returns something truthy (a generous timeout for a busy
    machine; nothing is asserted on time)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
