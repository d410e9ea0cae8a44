"""The domain: pure Python, never imports Qt."""

import sys as _sys


def _import_sqlite_utils() -> None:
    """Import sqlite-utils without the numpy and pandas it imports when they are installed.

    It uses them only to map their scalar types to column types when it creates tables from
    Python values; Coder creates its tables with SQL and stores no numpy or pandas values. Coder
    does not need numpy, but a user's environment may have it (the test tools do), and importing
    it costs a quarter of a second of every start of the window and of every command. Modules
    that need numpy still import it later.
    """
    hidden = [name for name in ("numpy", "pandas") if name not in _sys.modules]
    for name in hidden:
        _sys.modules[name] = None  # type: ignore[assignment]  # "import numpy" raises ImportError
    try:
        import sqlite_utils.db  # noqa: F401
    finally:
        for name in hidden:
            if _sys.modules.get(name, ...) is None:
                del _sys.modules[name]


_import_sqlite_utils()
