"""Starting the window from the command line (the only place the CLI reaches Qt)."""

from __future__ import annotations

import sys

from coder.core.errors import CoderError


def launch(project: str | None, demo: bool = False) -> int:
    try:
        from coder.ui.app import run
    except ImportError as e:
        raise CoderError(f"the window cannot start: {e}") from None
    return run(project, demo=demo, argv=sys.argv[:1])
