"""``coder export PROJECT OUT``: the output's extension picks the format.

Formats register themselves: ``EXPORTERS[".qdpx"] = fn(project, out_path, args) -> None``;
compound extensions such as ``.codebook.docx`` are matched before plain ones.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from coder.cli.common import open_project
from coder.core.errors import InvalidValue

Exporter = Callable[[Any, Path, argparse.Namespace], None]
EXPORTERS: dict[str, Exporter] = {}


def exporter_for(path: Path) -> Exporter:
    name = path.name.lower()
    for ext in sorted(EXPORTERS, key=len, reverse=True):
        if name.endswith(ext):
            return EXPORTERS[ext]
    known = ", ".join(sorted(EXPORTERS)) or "none"
    raise InvalidValue(f"{path.name}: unknown export format (use one of: {known})")


def write_pseudonymised(project: Any, out: Path, write: Callable[[Any, Path], Any]) -> Any:
    from coder.core.pseudonymise.project import export_pseudonymised

    return export_pseudonymised(project, out, write)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="export the project (format from OUT's extension)")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("out", metavar="OUT")
    p.add_argument(
        "--pseudonymise",
        action="store_true",
        help="replace every original of the pseudonym list in everything written",
    )
    p.set_defaults(handler=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    out = Path(args.out)
    exporter = exporter_for(out)
    if not out.parent.is_dir():
        raise InvalidValue(f"{out.parent}: no such folder")
    with open_project(args.project, read_only=True) as project:
        if getattr(args, "pseudonymise", False):
            write_pseudonymised(project, out, lambda copy, path: exporter(copy, path, args))
        else:
            exporter(project, out, args)
    print(f"exported {out}")
    return 0
