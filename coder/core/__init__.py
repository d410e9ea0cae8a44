"""The domain: pure Python, never imports Qt."""

import importlib as _importlib
import sys as _sys
import types as _types


def _import_sqlite_utils() -> None:
    """Import sqlite-utils without the numpy and pandas it imports when they are installed,
    and with dateutil's date parser loaded only if it is used.

    It uses numpy and pandas only to map their scalar types to column types when it creates
    tables from Python values; Coder creates its tables with SQL and stores no numpy or pandas
    values. Coder does not need numpy, but a user's environment may have it (the test tools
    do), and importing it costs a quarter of a second of every start of the window and of every
    command. Modules that need numpy still import it later. The date parser serves recipes of
    sqlite-utils' own command line that Coder never calls; importing it costs a hundredth of
    a second.
    """
    _load_on_first_use("dateutil.parser")
    hidden = [name for name in ("numpy", "pandas") if name not in _sys.modules]
    for name in hidden:
        _sys.modules[name] = None  # type: ignore[assignment]  # "import numpy" raises ImportError
    try:
        import sqlite_utils.db  # noqa: F401
    finally:
        for name in hidden:
            if _sys.modules.get(name, ...) is None:
                del _sys.modules[name]


class _OnFirstUse(_types.ModuleType):
    """Stands in for a module, which is imported when one of its names is first used."""

    def __getattr__(self, attr: str) -> object:
        if attr.startswith("__"):
            raise AttributeError(attr)
        if _sys.modules.get(self.__name__) is self:
            del _sys.modules[self.__name__]
        module = _importlib.import_module(self.__name__)
        self.__dict__.update(vars(module))
        return getattr(module, attr)


def _load_on_first_use(name: str) -> None:
    if name not in _sys.modules:
        _sys.modules[name] = _OnFirstUse(name)


_import_sqlite_utils()
