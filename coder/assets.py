"""Where the shipped resources are: in the wheel (coder/resources), a bundle, or a checkout."""

from __future__ import annotations

import sys
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path


def resource_root() -> Traversable:
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:  # a PyInstaller bundle: packaging/coder.spec puts resources/ at coder/resources
        path = Path(bundle) / "coder" / "resources"
        if path.is_dir():
            return path
    try:
        root = resources.files("coder.resources")
        if root.is_dir():
            return root
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Traversable:
    node = resource_root()
    for part in parts:
        node = node / part
    return node
