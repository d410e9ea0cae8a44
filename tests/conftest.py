"""Shared fixtures. Qt runs offscreen and per-user data goes to a temporary folder."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"  # files from other tools and real samples (see README)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``x11`` need Xvfb and xdotool, those marked ``atspi`` the AT-SPI bus and
    pyatspi too: skipped where they are missing, except where ``CODER_REQUIRE_X11`` or
    ``CODER_REQUIRE_ATSPI`` is set (CI), where they run and fail."""
    from tests import atspi, xserver

    needs = (
        ("x11", xserver.REQUIRE_ENV, xserver.missing_tools, "a real X server"),
        ("atspi", atspi.REQUIRE_ENV, atspi.missing_tools, "the AT-SPI accessibility bus"),
    )
    for marker, require_env, missing_tools, what in needs:
        if not any(marker in item.keywords for item in items):
            continue
        missing = missing_tools()
        if not missing or os.environ.get(require_env):
            continue
        skip = pytest.mark.skip(reason=f"needs {what}: {', '.join(missing)} not installed")
        for item in items:
            if marker in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _user_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Settings, recent projects and fallback backups never touch the real home folder."""
    path = tmp_path_factory.mktemp("userdata")
    monkeypatch.setenv("CODER_DATA_DIR", str(path))
    return path


@pytest.fixture
def fresh_project(tmp_path: Path) -> Iterator:
    """An empty project in a temporary folder, closed after the test."""
    from coder.core.project import Project

    project = Project.create(tmp_path / "test.coder")
    try:
        yield project
    finally:
        project.close()


@pytest.fixture
def fixtures_dir() -> Path:
    """The folder of REFI-QDA schemas, other tools' files and real samples."""
    return FIXTURES


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs (root only); unmounted after the test."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; the injected-error tests cover this")
    point = tmp_path / "mnt"
    point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(point)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)
