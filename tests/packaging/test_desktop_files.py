"""The desktop integration files and icon rendering (fast: no bundle is built)."""

from __future__ import annotations

import configparser
import struct
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"
MIME = "application/x-coder-project"


class _CaseSensitiveParser(configparser.ConfigParser):
    """Desktop entry keys are case-sensitive."""

    def optionxform(self, optionstr: str) -> str:
        return optionstr


def _desktop_entry() -> configparser.SectionProxy:
    parser = _CaseSensitiveParser(interpolation=None)
    parser.read(PACKAGING / "coder.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_opens_coder_projects() -> None:
    entry = _desktop_entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Coder"
    assert entry["Icon"] == "coder"
    assert entry["Exec"].split()[0] == "coder" and "%f" in entry["Exec"].split()
    assert MIME in entry["MimeType"].split(";")
    assert entry["Terminal"] == "false"
    # The window's WM_CLASS / Wayland app id, so the task bar shows this entry's icon.
    assert entry["StartupWMClass"] == "coder"
    app = (REPO / "coder" / "ui" / "app.py").read_text(encoding="utf-8")
    assert 'setDesktopFileName("coder")' in app


def test_mime_type_matches_the_project_file() -> None:
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    root = ET.parse(PACKAGING / "coder-mime.xml").getroot()
    mime = root.find("m:mime-type", ns)
    assert mime is not None and mime.get("type") == MIME
    glob = mime.find("m:glob", ns)
    assert glob is not None and glob.get("pattern") == "*.coder"
    magic = mime.find("m:magic/m:match", ns)
    assert magic is not None and magic.get("value") == "SQLite format 3"
    inner = magic.find("m:match", ns)
    assert inner is not None
    from coder.core.migrations import APPLICATION_ID
    from coder.core.project import EXTENSION

    assert EXTENSION == ".coder"
    assert int(inner.get("value", ""), 16) == APPLICATION_ID and inner.get("offset") == "68"


def test_magic_matches_a_real_project(tmp_path: Path) -> None:
    from coder.core.project import Project

    path = tmp_path / "study.coder"
    Project.create(path).close()  # closing folds the WAL (and the header) into the file
    head = path.read_bytes()[:72]
    assert head.startswith(b"SQLite format 3")
    assert struct.unpack(">I", head[68:72])[0] == 0x434F4452


def test_committed_icons_cover_every_size() -> None:
    icons = PACKAGING / "icons"
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        data = (icons / f"coder-{size}.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", data[16:24]) == (size, size)
    assert (icons / "coder.svg").read_bytes() == (
        REPO / "resources" / "icons" / "coder.svg"
    ).read_bytes()


def test_make_icons_writes_valid_ico_and_icns(tmp_path: Path, qapp) -> None:
    sys.path.insert(0, str(PACKAGING))
    try:
        import make_icons
    finally:
        sys.path.remove(str(PACKAGING))
    make_icons.make(REPO / "resources" / "icons" / "coder.svg", tmp_path)
    ico = (tmp_path / "coder.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind, count) == (0, 1, len(make_icons.ICO_SIZES))
    for i, size in enumerate(make_icons.ICO_SIZES):
        w, h, _c, _r, _p, _b, length, offset = struct.unpack(
            "<BBBBHHII", ico[6 + 16 * i : 22 + 16 * i]
        )
        assert (w or 256) == size and (h or 256) == size
        png = ico[offset : offset + length]
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (size, size)
    icns = (tmp_path / "coder.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    pos, found = 8, {}
    while pos < len(icns):
        kind, length = icns[pos : pos + 4].decode(), struct.unpack(">I", icns[pos + 4 : pos + 8])[0]
        png = icns[pos + 8 : pos + length]
        found[kind] = struct.unpack(">II", png[16:24])[0]
        pos += length
    assert found == {k: s for k, s in make_icons.ICNS_TYPES}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="shell scripts for Linux")
def test_scripts_are_valid_shell() -> None:
    import subprocess

    for script, shell in (("build.sh", "bash"), ("install-linux.sh", "sh")):
        proc = subprocess.run(
            [shell, "-n", str(PACKAGING / script)], capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stderr


def test_spec_reads_the_version_from_its_one_place() -> None:
    spec = (PACKAGING / "coder.spec").read_text(encoding="utf-8")
    assert '"coder" / "__init__.py"' in spec and "__version__" in spec
    assert '"coder/resources"' in spec  # where coder.assets looks inside a bundle


def test_the_app_imports_no_qt_module_the_bundle_leaves_out() -> None:
    """coder.spec excludes unused Qt modules; importing one would work from a checkout and fail
    only in the bundle. Remove a module from the spec's excludes before using it."""
    import re

    spec = (PACKAGING / "coder.spec").read_text(encoding="utf-8")
    excluded = set(re.findall(r'"(PySide6\.Qt\w+)"', spec))
    assert "PySide6.QtWebEngineCore" in excluded
    used: dict[str, str] = {}
    for path in (REPO / "coder").rglob("*.py"):
        for module in re.findall(
            r"^\s*(?:from|import)\s+(PySide6\.Qt\w+)", path.read_text(encoding="utf-8"), re.M
        ):
            used.setdefault(module, str(path.relative_to(REPO)))
    assert not {m: where for m, where in used.items() if m in excluded}


def test_a_file_open_event_opens_the_project(tmp_path: Path) -> None:
    """macOS hands a double-clicked .coder file to the app as a FileOpen event; the app opens
    it (a new process: the test session's QApplication is not the app's)."""
    import json
    import os
    import subprocess

    from coder.core.project import Project

    project = tmp_path / "Double clicked.coder"
    Project.create(project).close()
    script = """
import os, sys
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFileOpenEvent
from coder.ui import app as coder_app
application = coder_app.make_application(["coder"])
assert isinstance(application, coder_app.Application)
QCoreApplication.postEvent(application, QFileOpenEvent(sys.argv[1]))
sys.exit(coder_app.run(None))
"""
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        CODER_DATA_DIR=str(tmp_path / "data"),
        CODER_QUIT_AFTER_START_MS="500",
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(project)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    recent = json.loads((tmp_path / "data" / "settings.json").read_text(encoding="utf-8"))
    assert recent["recent_projects"][0] == str(project)
