"""Starting the window from the command line (the only place the CLI reaches Qt)."""

from __future__ import annotations

import gc
import os
import sys

from coder.core.errors import CoderError


def launch(project: str | None, demo: bool = False) -> int:
    if (
        sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    ):
        # Qt would abort with a page about platform plugins; say what is wrong instead.
        raise CoderError(
            "there is no display to open the window on (DISPLAY is not set); "
            "the commands work without one: see 'coder --help'"
        )
    # Start-up creates some 85,000 objects and almost no garbage, yet the collector would walk
    # them again and again as they are made: a tenth of the start. It resumes once the window
    # has painted (coder.ui.app.collect_garbage_from_now_on).
    gc.disable()
    try:
        from coder.ui.app import run
    except ImportError as e:
        gc.enable()
        raise CoderError(f"the window cannot start: {e}") from None
    return run(project, demo=demo, argv=sys.argv[:1])
