"""Running the real command line in a subprocess, as users' scripts do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "coder", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=cwd,
        timeout=120,
    )


def ok(*args: str) -> subprocess.CompletedProcess[str]:
    """Run a command that must succeed."""
    result = run(*args)
    assert result.returncode == 0, result.stderr
    return result


def user_error(*args: str) -> str:
    """Run a command that must fail with exit 1 and exactly one line on stderr."""
    result = run(*args)
    assert result.returncode == 1, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]
