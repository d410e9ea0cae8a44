"""The command line: a documented contract that users' scripts rely on.

Exit codes: 0 success, 1 a user error (one line on stderr), 2 wrong usage (argparse).
Qt is imported only when a GUI form (``coder``, ``coder FILE.coder``, ``coder --demo``) runs.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import signal
import sqlite3
import sys
import threading
from collections.abc import Sequence
from typing import Any, TextIO

from coder import __version__
from coder.core.errors import CoderError, database_problem, file_problem


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


# Control characters a terminal would act on (ESC and OSC sequences retitle or confuse it):
# every C0 character but tab and newline, DEL and the C1 range. Each is written as its JSON
# escape (\u001b), which keeps --json output exact: JSON escapes C0 itself, and a \u escape of
# DEL or a C1 character inside a JSON string is the same character.
_CONTROLS = {c: f"\\u{c:04x}" for c in [*range(0x20), *range(0x7F, 0xA0)] if c not in (9, 10)}


class _Escaped:
    """A text stream that writes control characters as visible escapes."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(text.translate(_CONTROLS))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class _Terminated(BaseException):
    """SIGTERM: unwinds like Ctrl+C, so open projects close (their lock and WAL folded in)."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise _Terminated


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _configure_streams()
    streams, unraisable = (sys.stdout, sys.stderr), sys.unraisablehook
    sys.stdout, sys.stderr = _Escaped(sys.stdout), _Escaped(sys.stderr)
    # Objects a failed export leaves for the garbage collector (a zip writer on a full disk)
    # complain as they go; the error was already said in one line.
    sys.unraisablehook = _quiet
    terminate = _catch_sigterm()
    code = 1
    try:
        code = _run(argv)
        return code
    finally:
        if code != 0:
            gc.collect()  # those objects go now, quietly, not at exit
        sys.stdout, sys.stderr = streams
        sys.unraisablehook = unraisable
        if terminate is not None:
            signal.signal(signal.SIGTERM, terminate)


def _quiet(unraisable: Any) -> None:
    """Drop an exception raised where nobody can catch it (a destructor, a closing generator)."""


def _catch_sigterm() -> Any:
    """Handle SIGTERM like a close (in the main thread of a command; None otherwise)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    try:
        return signal.signal(signal.SIGTERM, _on_sigterm)
    except (ValueError, OSError):
        return None


def _run(argv: list[str]) -> int:
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
    except _Terminated:
        print("coder: stopped (terminated); the project was closed", file=sys.stderr)
        return 143
    except BrokenPipeError:
        return 0
    except sqlite3.Error as e:
        print(f"coder: error: {database_problem(e)}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"coder: error: {file_problem(e)}", file=sys.stderr)
        return 1
    except MemoryError:
        print("coder: error: the command needs more memory than this computer has", file=sys.stderr)
        return 1
