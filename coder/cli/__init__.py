"""The command line: a documented contract that users' scripts rely on.

Exit codes: 0 success, 1 a user error (one line on stderr), 2 wrong usage (argparse).
Qt is imported only when a GUI form (``coder``, ``coder FILE.coder``, ``coder --demo``) runs.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from coder import __version__
from coder.core.errors import CoderError


# Every module of this package that defines ``register(subparsers)`` adds its sub-commands;
# a handler is set with ``parser.set_defaults(handler=fn)`` and returns an exit code.
def _command_modules() -> list[str]:
    import pkgutil

    import coder.cli as package

    names = sorted(m.name for m in pkgutil.iter_modules(package.__path__))
    # The everyday commands come first in --help.
    names.sort(key=lambda name: name != "core_commands")
    return [f"coder.cli.{name}" for name in names]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coder",
        description="Coder: code interview transcripts, analyse them, export a Word report.",
        epilog="Run 'coder' alone (or 'coder PROJECT.coder', 'coder --demo') to open the window.",
    )
    parser.add_argument("--version", action="version", version=f"coder {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _command_modules():
        register = getattr(importlib.import_module(name), "register", None)
        if register is not None:
            register(sub)
    return parser


def _gui_args(argv: list[str]) -> argparse.Namespace | None:
    """The GUI forms, or None when argv names a sub-command."""
    if argv and not argv[0].startswith("-") and not argv[0].lower().endswith(".coder"):
        return None
    if any(a in ("-h", "--help", "--version") for a in argv):
        return None
    gui = argparse.ArgumentParser(prog="coder", add_help=False)
    gui.add_argument("project", nargs="?")
    gui.add_argument("--demo", action="store_true")
    args, rest = gui.parse_known_args(argv)
    if rest:
        return None
    return args


def _configure_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(encoding="utf-8", errors="replace")
            except (ValueError, OSError):
                pass


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _configure_streams()
    try:
        gui = _gui_args(argv)
        if gui is not None:
            from coder.cli.gui import launch

            return launch(gui.project, demo=gui.demo)
        parser = build_parser()
        args = parser.parse_args(argv)
        handler = getattr(args, "handler", None)
        if handler is None:
            parser.print_help()
            return 2
        return int(handler(args) or 0)
    except CoderError as e:
        print(f"coder: error: {e}", file=sys.stderr)
        return 1
    except UnicodeEncodeError:
        # Bytes in an argument that are not valid text in the system's encoding arrive as
        # lone surrogates, which no project can store.
        print(
            "coder: error: an argument is not valid text (it holds undecodable bytes)",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print("coder: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
