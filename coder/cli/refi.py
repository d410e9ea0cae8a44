"""REFI-QDA on the command line: ``coder export PROJECT OUT.qdc|OUT.qdpx`` and
``coder import PROJECT FILE.qdc|FILE.qdpx [--dotted-hierarchy]``.

An import prints what it imported on stdout and each skipped item (with why) on stderr; it
exits 0 when the file could be used, 1 (with one line on stderr) when it cannot be used at all.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from coder.core.refi import export_qdc, export_qdpx, import_qdc, import_qdpx
from coder.core.refi.qdc import ImportResult


def register(sub: argparse._SubParsersAction) -> None:
    from coder.cli import core_commands, exporting

    exporting.EXPORTERS[".qdc"] = export_codebook
    exporting.EXPORTERS[".qdpx"] = export_project
    core_commands.IMPORT_HOOKS[".qdc"] = import_codebook
    core_commands.IMPORT_HOOKS[".qdpx"] = import_project


def export_codebook(project: Any, out: Path, args: argparse.Namespace) -> None:
    print(_count(export_qdc(project, out), "code") + " written")


def export_project(project: Any, out: Path, args: argparse.Namespace) -> None:
    result = export_qdpx(project, out)
    c = result.counts
    parts = [_count(c.get(k + "s", 0), k) for k in ("document", "code", "coding", "case", "memo")]
    print(", ".join(parts) + " written")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def report(result: ImportResult, path: Path) -> None:
    """What was imported (stdout) and what was skipped or changed on the way (stderr)."""
    print(f"{path.name}: {result.summary()}")
    for what, why in result.skipped:
        print(f"coder: skipped {what}: {why}", file=sys.stderr)
    for what, note in result.conflicts:
        print(f"coder: conflict: {what}: {note}", file=sys.stderr)
    for what, note in result.warnings:
        print(f"coder: warning: {what}: {note}", file=sys.stderr)


def import_codebook(project: Any, path: Path, args: argparse.Namespace) -> None:
    result = import_qdc(project, path, dotted_hierarchy=getattr(args, "dotted_hierarchy", False))
    report(result, path)


def import_project(project: Any, path: Path, args: argparse.Namespace) -> None:
    result = import_qdpx(
        project,
        path,
        dotted_hierarchy=getattr(args, "dotted_hierarchy", False),
        speakers=getattr(args, "speakers", "auto"),
    )
    report(result, path)
