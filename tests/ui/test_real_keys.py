"""Real key events on a real X server: the window started as a user starts it, keys typed
through XTEST, the project read back from its file.

The offscreen platform cannot see a key that X11 binds twice (redo did nothing there), so
these run Coder on Xvfb with Qt's xcb platform. ``.ci/run`` provides Xvfb and xdotool and sets
``CODER_REQUIRE_X11``, so in CI a missing X server fails these tests instead of skipping them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from coder.core.project import Project
from tests.xserver import Desktop, wait_for, xvfb

pytestmark = pytest.mark.x11

TEXT = "Amira: We left at night because the leaders lied.\nInterviewer: And then?\n"
FIRST_LINE = len(TEXT.splitlines()[0])


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "keys.coder"
    with Project.create(path) as p:
        p.add_document("Interview", TEXT)
        p.add_code("Leaving")
        p.add_code("Corruption")
    return path


@pytest.fixture
def desktop(tmp_path: Path, project_path: Path) -> Iterator[Desktop]:
    data = tmp_path / "userdata"
    data.mkdir()
    # A coder who has used Coder before: no first-start question.
    (data / "settings.json").write_text(json.dumps({"coder_name": "Maria"}), encoding="utf-8")
    with xvfb(1366, 768) as display:
        desk = Desktop(display, data)
        try:
            yield desk
        finally:
            desk.stderr = desk.close()  # type: ignore[attr-defined]


def codings(path: Path) -> list[tuple[str, int, int, str]]:
    with Project.open(path, read_only=True) as p:
        return sorted((c.code_path, c.start, c.end, c.coder) for c in p.codings())


def wait_codings(path: Path, expected: list[tuple[str, int, int, str]], what: str) -> None:
    wait_for(lambda: codings(path) == expected or None, what)


def test_quick_key_undo_and_redo_with_real_keys(desktop: Desktop, project_path: Path) -> None:
    proc = desktop.coder(str(project_path))
    desktop.window("keys — Coder")
    # The text has the focus when a project opens: select the first line with the keyboard.
    desktop.key("ctrl+Home", "shift+End")
    desktop.key("1")  # quick key 1: the first code, out of the box
    coded = [("Leaving", 0, FIRST_LINE, "Maria")]
    wait_codings(project_path, coded, "quick key 1 to code the selection")
    desktop.key("ctrl+z")
    wait_codings(project_path, [], "Ctrl+Z to undo the coding")
    desktop.key("ctrl+shift+z")
    wait_codings(project_path, coded, "Ctrl+Shift+Z to redo the coding")
    desktop.key("ctrl+z")
    wait_codings(project_path, [], "Ctrl+Z to undo again")
    desktop.key("ctrl+y")
    wait_codings(project_path, coded, "Ctrl+Y to redo too")
    desktop.key("ctrl+q")
    assert proc.wait(timeout=120) == 0
    stderr = desktop.close()
    assert "Ambiguous shortcut" not in stderr, stderr
    assert "Traceback" not in stderr, stderr


WALK = """
import sys
from pathlib import Path
from coder.ui.app import make_application
app = make_application(sys.argv[:1])
assert app.platformName() == "xcb", app.platformName()
from coder.ui import shortcuts
from coder.ui.main_window import MainWindow
window = MainWindow()
window.show()
assert window.open_project(Path(sys.argv[1]))
print("\\n".join(shortcuts.clashes(window)) or "no clashes")
window.close()
"""


def test_no_key_is_bound_twice_on_x11(desktop: Desktop, project_path: Path) -> None:
    """The same walk as the offscreen test, with X11's own standard key bindings."""
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", WALK, str(project_path)],
        env=desktop.env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "no clashes", out.stdout
