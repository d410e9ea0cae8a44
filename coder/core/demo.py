"""The demo project: four invented interviews about leaving a group, coded by two people.

The material lives in ``resources/demo/`` as plain files a person can read and edit:

- ``project.json``: the project memo, one entry per interview (file, document name, case, group,
  memo), case memos and free memos;
- the interviews as UTF-8 ``.txt`` files with ``Interviewer:`` / ``Name:`` speaker turns;
- ``codebook.json``: the codes (nested under ``children``) with colour, definition, inclusion and
  exclusion criteria and a typical example;
- ``codings.json``: each coding names its document, code path, coders and the exact passage
  text (``occurrence`` picks the n-th match, from 1, where the text occurs more than once);
- ``cases.csv``: one row per case with its attributes (types inferred on import).

:func:`create_demo_project` builds a fresh project from them through the public services only.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coder.core.errors import InvalidValue, NotFound
from coder.core.text import find_passage

if TYPE_CHECKING:
    from coder.core.project import Project

DEMO_NAME = "Leaving the Fellowship"
DEMO_FILE_NAME = f"{DEMO_NAME}.coder"


def demo_folder() -> Traversable:
    """The shipped demo material (``resources/demo``)."""
    from coder.assets import resource

    return resource("demo")


@contextlib.contextmanager
def _as_path(node: Traversable) -> Iterator[Path]:
    """A real folder for ``node`` (the importers read files by path)."""
    if isinstance(node, Path):
        yield node
    else:  # a zipped bundle: unpack for the duration
        with resources.as_file(node) as path:
            yield Path(path)


def _read_json(folder: Path, name: str) -> Any:
    try:
        return json.loads((folder / name).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InvalidValue(f"demo data {name} cannot be read: {e}") from None


def _add_codes(project: Project, codes: list[dict], parent_id: int | None) -> None:
    for entry in codes:
        changes = project.add_code(
            entry["name"],
            parent_id=parent_id,
            color=entry["color"],
            definition=entry.get("definition", ""),
            inclusion=entry.get("inclusion", ""),
            exclusion=entry.get("exclusion", ""),
            example=entry.get("example", ""),
            memo=entry.get("memo", ""),
        )
        (code_id,) = changes.created("codes")
        _add_codes(project, entry.get("children", []), code_id)


def _coders_of(entry: dict) -> list[str]:
    coders = entry.get("coders")
    if coders is None and entry.get("coder"):
        coders = [entry["coder"]]
    if not coders or not all(isinstance(c, str) and c.strip() for c in coders):
        raise InvalidValue(f"demo coding of '{entry.get('text', '')[:40]}' names no coder")
    return list(coders)


def build_demo(project: Project, folder: Path) -> None:
    """Fill an empty, open project with the demo material in ``folder``."""
    setup = _read_json(folder, "project.json")
    codebook = _read_json(folder, "codebook.json")
    codings = _read_json(folder, "codings.json")

    project.set_project_memo(setup.get("memo", ""))

    doc_ids: dict[str, int] = {}
    for entry in setup["documents"]:
        changes = project.import_file(folder / entry["file"], speakers="auto", name=entry["name"])
        (doc_id,) = changes.created("documents")
        doc_ids[entry["name"]] = doc_id
        project.set_document_fields(
            doc_id, memo=entry.get("memo", ""), group=entry.get("group", "")
        )
    case_memos: dict[str, str] = setup.get("cases", {})
    for entry in setup["documents"]:
        case = entry.get("case")
        if not case:
            continue
        try:
            case_id = project.find_case(case).id
        except NotFound:
            (case_id,) = project.add_case(case, memo=case_memos.get(case, "")).created("cases")
        project.set_document_case(doc_ids[entry["name"]], case_id)
    if (folder / "cases.csv").is_file():
        project.import_attributes(folder / "cases.csv")

    _add_codes(project, codebook["codes"], None)
    code_ids = {c.path: c.id for c in project.codes()}

    texts = {name: project.document_text(doc_id) for name, doc_id in doc_ids.items()}
    for entry in codings["codings"]:
        doc = entry["document"]
        if doc not in doc_ids:
            raise NotFound(f"demo coding names no known document: '{doc}'")
        if entry["code"] not in code_ids:
            raise NotFound(f"demo coding names no known code: '{entry['code']}'")
        start, end = find_passage(texts[doc], entry["text"], entry.get("occurrence"), where=doc)
        for coder in _coders_of(entry):
            project.apply_code(
                doc_ids[doc], code_ids[entry["code"]], start, end,
                coder=coder, memo=entry.get("memo", ""),
            )  # fmt: skip

    for memo in setup.get("memos", []):
        project.add_memo(memo["title"], memo.get("text", ""))


def create_demo_project(path: str | Path, source: str | Path | None = None) -> None:
    """Build a fresh demo project at ``path`` (which must not exist yet).

    ``source`` is a folder laid out like ``resources/demo`` (the shipped one by default). On any
    error the half-built file is removed and the error is raised.
    """
    from coder.core.project import Project

    path = Path(path)
    project = Project.create(path)
    try:
        with contextlib.ExitStack() as stack:
            folder = (
                Path(source) if source is not None else stack.enter_context(_as_path(demo_folder()))
            )
            build_demo(project, folder)
    except BaseException:
        project.close()
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(str(path) + suffix).unlink()
        raise
    project.close()


def fresh_demo_copy(folder: str | Path | None = None) -> Path:
    """Build a fresh demo project and return its path (for ``coder --demo``).

    It goes to ``folder`` (default: ``demo`` in the per-user data directory) as
    "Leaving the Fellowship.coder", replacing an earlier copy unless that one is open
    somewhere, in which case the next free "Leaving the Fellowship N.coder" is used.
    """
    from coder.core import lock, settings
    from coder.core.errors import ProjectLocked

    folder = Path(folder) if folder is not None else settings.data_dir() / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    n = 1
    while True:
        path = folder / (DEMO_FILE_NAME if n == 1 else f"{DEMO_NAME} {n}.coder")
        n += 1
        if path.exists():
            try:
                held = lock.acquire(path)
            except ProjectLocked:
                continue  # open in another window: leave it alone
            try:
                for suffix in ("", "-wal", "-shm"):
                    with contextlib.suppress(FileNotFoundError):
                        Path(str(path) + suffix).unlink()
            except OSError:
                continue
            finally:
                held.release()
        try:
            create_demo_project(path)
        except ProjectLocked:
            continue  # taken meanwhile
        return path
