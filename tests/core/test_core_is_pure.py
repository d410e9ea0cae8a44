"""coder.core never imports Qt: it must run where no display or Qt exists."""

from __future__ import annotations

import subprocess
import sys

PROBE = r"""
import importlib, pkgutil, sys

class BlockQt:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6"):
            raise ImportError(f"Qt is blocked: {name}")
        return None

sys.meta_path.insert(0, BlockQt())
import coder.core
for info in pkgutil.walk_packages(coder.core.__path__, "coder.core."):
    importlib.import_module(info.name)
import coder.cli
coder.cli.build_parser()
print("ok", len([m for m in sys.modules if m.startswith("coder.core")]))
"""


def test_core_and_cli_import_without_qt() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")
