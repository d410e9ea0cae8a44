"""``coder pseudonyms ...``: the project's pseudonym list (originals and their replacements),
its suggestions, and ``coder pseudonymise`` / ``coder depseudonymise``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from coder.cli.common import open_project, print_json, print_table
from coder.core.errors import CoderError, InvalidValue
from coder.core.model import Pseudonym
from coder.core.services.pseudonyms import CATEGORIES


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "pseudonyms",
        help="the pseudonym list: names and what replaces them in pseudonymised exports",
    )
    ps = p.add_subparsers(dest="pseudonyms_command", metavar="ACTION", required=True)

    a = ps.add_parser("add", help="add an original and its replacement")
    a.add_argument("project", metavar="PROJECT")
    a.add_argument("original", metavar="ORIGINAL")
    a.add_argument("replacement", metavar="REPLACEMENT")
    a.add_argument("--category", choices=CATEGORIES, default="other")
    a.add_argument(
        "--form",
        action="append",
        default=[],
        metavar="TEXT",
        help="another form of the original to replace too (an inflection); repeatable",
    )
    a.add_argument("--case-sensitive", action="store_true", help="match the case exactly")
    a.add_argument("--partial-words", action="store_true", help="match inside longer words too")
    a.add_argument("--note", default="")
    a.add_argument("--json", action="store_true")
    a.set_defaults(handler=cmd_add)

    ls = ps.add_parser("list", help="list the originals and their replacements")
    ls.add_argument("project", metavar="PROJECT")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=cmd_list)

    r = ps.add_parser("remove", help="remove an original from the list")
    r.add_argument("project", metavar="PROJECT")
    r.add_argument("original", metavar="ORIGINAL")
    r.set_defaults(handler=cmd_remove)

    i = ps.add_parser("import", help="add the entries of a .csv or .xlsx table")
    i.add_argument("project", metavar="PROJECT")
    i.add_argument("file", metavar="FILE")
    i.set_defaults(handler=cmd_import)

    e = ps.add_parser("export", help="write the list to a .csv file (keep it apart)")
    e.add_argument("project", metavar="PROJECT")
    e.add_argument("file", metavar="FILE.csv")
    e.set_defaults(handler=cmd_export)

    sg = ps.add_parser(
        "suggest",
        help="names, speakers, e-mails, URLs, phone numbers and dates that might be listed",
    )
    sg.add_argument("project", metavar="PROJECT")
    sg.add_argument(
        "--region",
        metavar="CC",
        help="two-letter country code for national phone numbers (international ones are "
        "always found)",
    )
    sg.add_argument("--json", action="store_true")
    sg.set_defaults(handler=cmd_suggest)

    ac = ps.add_parser("accept", help="add a suggestion to the list")
    ac.add_argument("project", metavar="PROJECT")
    ac.add_argument("text", metavar="TEXT")
    ac.add_argument("--replacement", help="instead of the one proposed")
    ac.add_argument("--category", choices=CATEGORIES, help="instead of the one proposed")
    ac.add_argument("--region", metavar="CC")
    ac.add_argument("--json", action="store_true")
    ac.set_defaults(handler=cmd_accept)

    dm = ps.add_parser("dismiss", help="never suggest this text again")
    dm.add_argument("project", metavar="PROJECT")
    dm.add_argument("text", metavar="TEXT")
    dm.set_defaults(handler=cmd_dismiss)
    _register_copies(sub)


def _register_copies(sub: argparse._SubParsersAction) -> None:
    """``coder pseudonymise`` and ``coder depseudonymise``."""
    pp = sub.add_parser(
        "pseudonymise",
        help="write a pseudonymised copy of the project, and its key to a separate file",
        description="Write NEW.coder with every original of the pseudonym list replaced "
        "(texts, names, speakers, memos, attribute values; every coding kept exact) and the "
        "key (original, replacement, category, document, position) to KEY.csv. Keep the key "
        "apart from the project.",
    )
    pp.add_argument("project", metavar="PROJECT")
    pp.add_argument("-o", "--output", required=True, metavar="NEW.coder")
    pp.add_argument("--key", required=True, metavar="KEY.csv")
    pp.add_argument("--json", action="store_true")
    pp.set_defaults(handler=cmd_pseudonymise)

    dp = sub.add_parser(
        "depseudonymise",
        help="give back the original project from a pseudonymised one and its key",
    )
    dp.add_argument("project", metavar="NEW.coder")
    dp.add_argument("--key", required=True, metavar="KEY.csv")
    dp.add_argument("-o", "--output", required=True, metavar="RESTORED.coder")
    dp.add_argument("--json", action="store_true")
    dp.set_defaults(handler=cmd_depseudonymise)


def pseudonym_json(p: Pseudonym) -> dict[str, Any]:
    return {
        "original": p.original,
        "replacement": p.replacement,
        "category": p.category,
        "forms": list(p.forms),
        "case_sensitive": p.case_sensitive,
        "whole_word": p.whole_word,
        "note": p.note,
        "guid": p.guid,
    }


def cmd_add(args: argparse.Namespace) -> int:
    with open_project(args.project) as project:
        project.add_pseudonym(
            args.original,
            args.replacement,
            category=args.category,
            forms=tuple(args.form),
            case_sensitive=args.case_sensitive,
            whole_word=not args.partial_words,
            note=args.note,
        )
        added = project.find_pseudonym(args.original)
    if args.json:
        print_json(pseudonym_json(added))
    else:
        print(f"'{added.original}' → '{added.replacement}' ({added.category})")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with open_project(args.project, read_only=True) as project:
        items = project.pseudonyms()
    if args.json:
        print_json([pseudonym_json(p) for p in items])
        return 0
    print_table(
        ["original", "replacement", "category", "forms", "matching", "note"],
        [
            [
                p.original,
                p.replacement,
                p.category,
                ", ".join(p.forms),
                ("case-sensitive" if p.case_sensitive else "any case")
                + ("" if p.whole_word else ", partial words"),
                p.note,
            ]
            for p in items
        ],
    )
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    with open_project(args.project) as project:
        gone = project.find_pseudonym(args.original)
        project.remove_pseudonym(args.original)
    print(f"removed '{gone.original}'")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise InvalidValue(f"{path}: no such file")
    with open_project(args.project) as project:
        before = len(project.pseudonyms())
        project.import_pseudonyms(path)
        added = len(project.pseudonyms()) - before
    print(f"imported {added} pseudonym{'' if added == 1 else 's'} from {path.name}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if path.suffix.lower() != ".csv":
        raise InvalidValue(f"{path.name}: the list is exported as a .csv file")
    if not path.parent.is_dir():
        raise InvalidValue(f"{path.parent}: no such folder")
    with open_project(args.project, read_only=True) as project:
        n = project.export_pseudonyms(path)
    print(f"wrote {n} pseudonym{'' if n == 1 else 's'} to {path}")
    return 0


def cmd_pseudonymise(args: argparse.Namespace) -> int:
    from coder.core.pseudonymise.project import pseudonymise_project, write_key

    out, key = Path(args.output), Path(args.key)
    if key.suffix.lower() != ".csv":
        raise InvalidValue(f"{key.name}: the key is written as a .csv file")
    if key.exists():
        raise InvalidValue(f"{key} already exists; choose another name")
    if not key.parent.is_dir():
        raise InvalidValue(f"{key.parent}: no such folder")
    with open_project(args.project, read_only=True) as project:
        result = pseudonymise_project(project, out)
    try:
        write_key(result.key, key, replace=False)
    except CoderError:
        out.unlink()  # a project nobody could turn back is not left behind
        raise
    if args.json:
        print_json(
            {
                "project": str(out),
                "key": str(key),
                "replaced": result.replaced,
                "documents": result.documents,
            }
        )
    else:
        print(
            f"wrote {out} ({result.replaced} replacements in {result.documents} documents' "
            f"texts and elsewhere) and its key {key}"
        )
    return 0


def cmd_depseudonymise(args: argparse.Namespace) -> int:
    from coder.core.pseudonymise.project import depseudonymise_project, read_key

    out, key = Path(args.output), Path(args.key)
    if not key.is_file():
        raise InvalidValue(f"{key}: no such file")
    rows = read_key(key)
    with open_project(args.project, read_only=True) as project:
        restored = depseudonymise_project(project, rows, out)
    if args.json:
        print_json({"project": str(out), "restored": restored})
    else:
        print(f"wrote {out} ({restored} originals put back)")
    return 0


def suggestion_json(s: Any) -> dict[str, Any]:
    return {
        "text": s.text,
        "kind": s.kind,
        "category": s.category,
        "replacement": s.replacement,
        "count": s.count,
        "documents": list(s.documents),
    }


def cmd_suggest(args: argparse.Namespace) -> int:
    from coder.core.pseudonymise.suggest import suggest

    with open_project(args.project, read_only=True) as project:
        found = suggest(project, _region(args.region))
    if args.json:
        print_json([suggestion_json(s) for s in found])
        return 0
    print_table(
        ["text", "kind", "category", "proposed", "count", "documents"],
        [[s.text, s.kind, s.category, s.replacement, s.count, len(s.documents)] for s in found],
    )
    return 0


def cmd_accept(args: argparse.Namespace) -> int:
    from coder.core.pseudonymise.matching import folded_key
    from coder.core.pseudonymise.suggest import suggest

    with open_project(args.project) as project:
        key = folded_key(args.text)
        found = [s for s in suggest(project, _region(args.region)) if folded_key(s.text) == key]
        if not found:
            raise InvalidValue(
                f"'{args.text}' is not among the suggestions (see coder pseudonyms suggest)"
            )
        s = found[0]
        project.add_pseudonym(
            s.text,
            args.replacement or s.replacement,
            category=args.category or s.category,
            whole_word=s.kind not in ("email", "url", "phone"),
        )
        added = project.find_pseudonym(s.text)
    if args.json:
        print_json(pseudonym_json(added))
    else:
        print(f"'{added.original}' → '{added.replacement}' ({added.category})")
    return 0


def cmd_dismiss(args: argparse.Namespace) -> int:
    text = args.text.strip()
    if not text:
        raise InvalidValue("the text to dismiss cannot be empty")
    with open_project(args.project) as project:
        project.dismiss_suggestion(text)
    print(f"'{text}' will not be suggested again")
    return 0


def _region(value: str | None) -> str | None:
    if value is None:
        return None
    v = value.strip().upper()
    if len(v) != 2 or not v.isalpha():
        raise InvalidValue(f"--region is a two-letter country code (GB, DE, US…), not '{value}'")
    return v
