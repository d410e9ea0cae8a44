"""Smoke test of the desktop bundle: build it with packaging/build.sh, then run it.

Slow (a clean venv and a PyInstaller build: minutes), so it runs only when asked:

    pytest -m packaging tests/packaging            # builds dist/Coder, then checks it
    CODER_BUNDLE=dist/Coder pytest -m packaging tests/packaging   # checks an existing bundle

CODER_TEST_PACKAGING=1 also selects it (for a CI step that runs the whole suite).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coder import __version__

pytestmark = [pytest.mark.packaging, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
LINUX = sys.platform.startswith("linux")
# The size target for the one-folder bundle: see packaging/README.md for what is in it.
MAX_BUNDLE_MB = 150


def _say(config: pytest.Config, message: str) -> None:
    """A line in pytest's output even when output is captured (build time, bundle size)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        print(message)
        return
    with capture.global_and_fixture_disabled():
        reporter.ensure_newline()
        reporter.write_line(message)


def _wanted(config: pytest.Config) -> bool:
    return "packaging" in (config.getoption("markexpr") or "") or bool(
        os.environ.get("CODER_TEST_PACKAGING")
    )


@pytest.fixture(scope="module")
def bundle(request: pytest.FixtureRequest) -> Path:
    if not _wanted(request.config):
        pytest.skip("builds the desktop bundle: run with -m packaging (or CODER_TEST_PACKAGING=1)")
    given = os.environ.get("CODER_BUNDLE")
    if given:
        path = Path(given).resolve()
        assert path.is_dir(), f"CODER_BUNDLE={given} is not a folder"
        return path
    if not LINUX:
        pytest.skip("the build script is for Linux; see packaging/README.md for Windows and macOS")
    t0 = time.perf_counter()
    proc = subprocess.run(
        ["bash", str(REPO / "packaging" / "build.sh")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    _say(request.config, f"packaging/build.sh: {time.perf_counter() - t0:.0f} s")
    assert proc.returncode == 0, f"build.sh failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    path = REPO / "dist" / "Coder"
    assert path.is_dir()
    return path


@pytest.fixture
def run(bundle: Path, tmp_path: Path):
    exe = bundle / ("Coder.exe" if sys.platform == "win32" else "coder")
    if sys.platform == "win32":
        exe = bundle / "coder-cli.exe"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(QT_QPA_PLATFORM="offscreen", CODER_DATA_DIR=str(tmp_path / "userdata"))

    def run(*args: str, timeout: float = 120, **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(exe), *args],
            cwd=tmp_path,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


def _size_mb(path: Path) -> float:
    return (
        sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink()) / 1e6
    )


def test_version(run) -> None:
    proc = run("--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"coder {__version__}"


def test_contents_and_size(bundle: Path, pytestconfig: pytest.Config) -> None:
    size = _size_mb(bundle)
    _say(pytestconfig, f"bundle: {bundle} {size:.0f} MB")
    internal = bundle / "_internal" if (bundle / "_internal").is_dir() else bundle
    resources = internal / "coder" / "resources"
    assert (resources / "demo" / "project.json").is_file()
    assert (resources / "guide" / "guide.html").is_file()
    assert (resources / "icons" / "coder.svg").is_file()
    plugins = next(internal.rglob("plugins/platforms"))
    names = {p.name for p in plugins.iterdir()}
    assert any("offscreen" in n for n in names), names
    if LINUX:
        assert {"libqxcb.so", "libqwayland.so"} <= names, names
        assert not any("eglfs" in n or "vnc" in n for n in names), names
    assert any("svg" in p.name for p in next(internal.rglob("plugins/imageformats")).iterdir())
    assert any("svg" in p.name for p in next(internal.rglob("plugins/iconengines")).iterdir())
    files = [p.relative_to(internal).as_posix() for p in internal.rglob("*")]
    unwanted = re.compile(
        r"WebEngine|Qt6Qml|Qt6Quick|Qt63D|Multimedia|libgtk-3|/tests?/|pytest|hypothesis"
    )
    assert not [f for f in files if unwanted.search(f)][:5]
    if LINUX:
        share = bundle / "share"
        assert (share / "coder.desktop").is_file() and (share / "coder-mime.xml").is_file()
        assert {f"coder-{s}.png" for s in (16, 32, 48, 128, 256, 512)} <= {
            p.name for p in (share / "icons").iterdir()
        }
    assert size < MAX_BUNDLE_MB, f"the bundle is {size:.0f} MB"


def test_command_line_work(run, tmp_path: Path) -> None:
    """Importers, the report (python-docx template, native Word chart) and REFI-QDA export are
    all found at run time by name, which is where a bundle misses modules or data."""
    import docx

    source = tmp_path / "Interview Ana.docx"
    d = docx.Document()
    for line in [
        "Interviewer: How was the first winter?",
        "Ana: Cold, and lonely at first. 😢",
        "Interviewer: And later?",
        "Ana: The neighbours helped; ευχαριστώ πολύ.",
    ]:
        d.add_paragraph(line)
    d.save(str(source))
    project = "study.coder"
    steps = [
        ("new", project),
        ("import", project, str(source)),
        ("code", "add", project, "Loneliness"),
        (
            "code",
            "apply",
            project,
            "--document",
            "Interview Ana",
            "--code",
            "Loneliness",
            "--text",
            "lonely at first",
            "--coder",
            "Ana",
        ),
        ("report", project, "-o", "report.docx"),
        ("export", project, "study.qdpx"),
        ("search", project, "neighbours"),
    ]
    for args in steps:
        proc = run(*args)
        assert proc.returncode == 0, f"coder {' '.join(args)}: {proc.stderr}"
    assert (tmp_path / "report.docx").stat().st_size > 10_000
    assert (tmp_path / "study.qdpx").stat().st_size > 500


def test_window_opens_demo_then_reopens_it(run, tmp_path: Path) -> None:
    """The window starts on the offscreen platform, shows the demo project, and quits cleanly;
    then it opens that project file by path (what a double-click on a .coder file does)."""
    proc = run("--demo", CODER_QUIT_AFTER_START_MS="200", timeout=180)
    assert proc.returncode == 0, proc.stderr
    started = [line for line in proc.stderr.splitlines() if line.startswith("coder: started")]
    assert started and "no project" not in started[0], proc.stderr
    demo = tmp_path / "userdata" / "Demo project.coder"  # the demo copy keeps your work
    proc = run(str(demo), CODER_QUIT_AFTER_START_MS="200", timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert f"coder: started ({demo.stem})" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.skipif(not LINUX, reason="X11 check for Linux")
def test_window_on_x11(run, bundle: Path, tmp_path: Path) -> None:
    """The X11 platform plugin loads from the bundle (on a virtual X server when one exists)."""
    import shutil

    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        pytest.skip("xvfb-run is not installed")
    exe = bundle / "coder"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(
        QT_QPA_PLATFORM="xcb",
        CODER_DATA_DIR=str(tmp_path / "userdata"),
        CODER_QUIT_AFTER_START_MS="200",
        TMPDIR=str(tmp_path),
    )
    proc = subprocess.run(
        [xvfb, "-a", str(exe), "--demo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    assert "coder: started (" in proc.stderr and "no project" not in proc.stderr
