"""Per-user settings (coder name, recent projects) in the appdirs user data directory."""

from __future__ import annotations

import getpass
import json
import os
from pathlib import Path
from typing import Any

import appdirs

from coder.core import files

APP_NAME = "Coder"


def data_dir() -> Path:
    """The per-user data directory; ``CODER_DATA_DIR`` overrides it (tests, portable installs)."""
    override = os.environ.get("CODER_DATA_DIR")
    return Path(override) if override else Path(appdirs.user_data_dir(APP_NAME, False))


def _settings_path() -> Path:
    return data_dir() / "settings.json"


def load() -> dict[str, Any]:
    try:
        value = json.loads(_settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def save(values: dict[str, Any]) -> None:
    """Write the settings atomically (a crash never leaves half a file)."""
    path = _settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    files.write_text(path, json.dumps(values, indent=2, ensure_ascii=False))


def get(key: str, default: Any = None) -> Any:
    return load().get(key, default)


def set_value(key: str, value: Any) -> None:
    values = load()
    if key in values and values[key] == value:
        return  # already so: no write (each is a durable write of the whole file)
    values[key] = value
    save(values)


def coder_name() -> str:
    """The configured coder name, else the operating system's user name."""
    name = get("coder_name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    try:
        return getpass.getuser() or "coder"
    except Exception:  # getuser raises when no user name can be found at all
        return "coder"


def recent_projects() -> list[str]:
    recent = get("recent_projects", [])
    return [p for p in recent if isinstance(p, str)] if isinstance(recent, list) else []


def add_recent_project(path: str | Path, keep: int = 10) -> None:
    path = str(Path(path).resolve())
    recent = [p for p in recent_projects() if p != path]
    set_value("recent_projects", [path, *recent][:keep])
