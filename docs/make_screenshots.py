"""Make the README's screenshots: the demo project at 1366 × 768 and 1920 × 1080, light and
dark, each on its own Xvfb screen (needs Xvfb; run from the repository's root).

    python docs/make_screenshots.py            # writes docs/screenshot-*.png
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QPalette

ROOT = Path(__file__).resolve().parents[1]
SIZES = ((1366, 768), (1920, 1080))
SCHEMES = ("light", "dark")


def dark_palette() -> QPalette:
    from PySide6.QtGui import QColor, QPalette

    role = QPalette.ColorRole
    palette = QPalette()
    for r, color in (
        (role.Window, "#2B2B2B"),
        (role.WindowText, "#E6E6E6"),
        (role.Base, "#1E1E1E"),
        (role.AlternateBase, "#262626"),
        (role.Text, "#E6E6E6"),
        (role.Button, "#353535"),
        (role.ButtonText, "#E6E6E6"),
        (role.Highlight, "#2F65CA"),
        (role.HighlightedText, "#FFFFFF"),
        (role.ToolTipBase, "#353535"),
        (role.ToolTipText, "#E6E6E6"),
        (role.PlaceholderText, "#8C8C8C"),
        (role.Mid, "#555555"),
        (role.Dark, "#1A1A1A"),
        (role.Light, "#4A4A4A"),
        (role.Midlight, "#404040"),
        (role.Shadow, "#000000"),
        (role.Link, "#6CA0F0"),
    ):
        palette.setColor(r, QColor(color))
    return palette


def shoot(out: Path, scheme: str) -> None:
    """In the child: open the demo as a first start shows it, list a code's passages, grab."""
    from PySide6.QtCore import QTimer

    from coder.ui.app import make_application

    app = make_application(sys.argv[:1])
    app.setStyle("Fusion")
    if scheme == "dark":
        app.setPalette(dark_palette())  # what a desktop's dark theme hands the window
    from coder.ui.features import file as file_feature
    from coder.ui.main_window import MainWindow

    window = MainWindow()
    window.show()
    assert file_feature.open_demo(window)
    project = window.project
    assert project is not None
    code = project.find_code("Family pull").id

    def pose() -> None:
        window.codebook_dock.select_code(code)
        text = window.view.text
        at = text.index("My sister")
        window.view.select_cp(at, at + len("My sister Aoife was getting married"))
        window.view.centerCursor()

    def grab() -> None:
        window.grab().save(str(out))
        app.quit()

    QTimer.singleShot(800, pose)
    QTimer.singleShot(2000, grab)
    app.exec()


def main() -> None:
    if len(sys.argv) == 3:
        shoot(Path(sys.argv[1]), sys.argv[2])
        return
    for width, height in SIZES:
        for scheme in SCHEMES:
            out = ROOT / "docs" / f"screenshot-{width}x{height}-{scheme}.png"
            with tempfile.TemporaryDirectory() as data:
                settings = {"coder_name": "Maria"}
                Path(data, "settings.json").write_text(json.dumps(settings), encoding="utf-8")
                read, write = os.pipe()
                xvfb = subprocess.Popen(
                    ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{width}x{height}x24",
                     "-nolisten", "tcp"],
                    pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )  # fmt: skip
                os.close(write)
                with os.fdopen(read) as pipe:
                    display = ":" + pipe.readline().strip()
                env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb", CODER_DATA_DIR=data)
                try:
                    subprocess.run(
                        [sys.executable, __file__, str(out), scheme],
                        env=env, cwd=ROOT, check=True, timeout=300,
                    )  # fmt: skip
                finally:
                    xvfb.terminate()
                    xvfb.wait()
            print(out.relative_to(ROOT))


if __name__ == "__main__":
    main()
