"""Backup commands: backup, backups, restore."""

from __future__ import annotations

import argparse
from pathlib import Path

from coder.cli.common import open_project, print_json, print_table
from coder.core import backup, restore


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help="make a verified backup of a project now")
    p.add_argument("project", metavar="PROJECT")
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser("backups", help="list a project's backups (oldest first)")
    p.add_argument("project", metavar="PROJECT")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_backups)

    p = sub.add_parser("restore", help="restore a backup into a new project file")
    p.add_argument("backup", metavar="BACKUP")
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="NEW.coder",
        help="the new project file (an existing file is never overwritten)",
    )
    p.set_defaults(handler=cmd_restore)


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    size = n / 1024
    for unit in ("KB", "MB"):
        if size < 1024:
            return f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def cmd_backup(args: argparse.Namespace) -> int:
    # Read-only: a backup reads the project, so it works while Coder has it open.
    with open_project(args.project, read_only=True) as project:
        path = backup.backup_now(project)
    print(path)
    return 0


def cmd_backups(args: argparse.Namespace) -> int:
    backups = backup.list_backups(args.project)
    if args.json:
        print_json(
            [
                {
                    "path": str(b.path),
                    "created": b.created.isoformat(timespec="seconds"),
                    "size": b.size,
                }
                for b in backups
            ]
        )
    elif backups:
        print_table(
            ["created", "size", "path"],
            [[f"{b.created:%Y-%m-%d %H:%M:%S}", _size(b.size), b.path] for b in backups],
        )
    else:
        folder = backup.beside_folder(args.project)
        print(f"no backups of {Path(args.project).name} (folder: {folder})")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    new = restore.restore(args.backup, args.output)
    print(f"restored {args.backup} into {new}")
    return 0
