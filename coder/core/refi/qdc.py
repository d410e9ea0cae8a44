"""REFI-QDA codebooks (.qdc): export the codebook, import one merging by GUID.

Format choices (Coder <-> Coder is lossless; other tools see ordinary REFI codes):

- Each code is a ``<Code guid name isCodable color="#RRGGBB">``, nested as in the codebook,
  siblings in codebook order. Categories (codes that group others and are never applied, such
  as QualCoder's categories and NVivo's folders) are ``isCodable="false"`` both ways.
- The ``<Description>`` holds the definition, then the inclusion criteria, exclusion criteria
  and typical example as labelled paragraphs, so other tools show them to people and Coder reads
  them back into their own fields::

      <definition>

      Inclusion criteria:
      <inclusion criteria>

      Exclusion criteria:
      <exclusion criteria>

      Typical example:
      <example>

  An empty field is left out with its label. A definition that itself contains a paragraph
  starting with one of these label lines is read back split at that label.
- Code memos are not part of a codebook (they are private notes); a project (.qdpx) carries
  them as Notes.
- Import merges by GUID: a code already in the project keeps its place in the tree, its GUID
  and its codings; its name, colour and description fields take the file's values when the
  file states them (a code without a ``<Description>`` keeps its definition), and a memo is
  appended, never replaced. A code with a new GUID but the same name under the same parent is
  the same code. Other codes are added after the existing ones.
- ``dotted_hierarchy``: Taguette writes flat codes named ``parent.child``; when asked, such a
  name becomes the code ``child`` under ``parent`` (created if the file does not have it).
- GUIDs are compared without braces and case (they are case-insensitive); new ones are stored
  in lower case.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from coder import __version__
from coder.core import files
from coder.core.errors import ExchangeError, InvalidValue
from coder.core.refi.safe import DEFAULT_LIMITS, Limits, parse_xml
from coder.core.services.codebook import PALETTE
from coder.core.store import now

if TYPE_CHECKING:
    from coder.core.project import Project

__all__ = [
    "CODEBOOK_NS",
    "ImportResult",
    "codebook_xml",
    "export_qdc",
    "format_description",
    "import_qdc",
    "parse_description",
    "read_qdc",
]

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = f"Coder {__version__}"
# Stable GUIDs for things Coder keeps without one (a code's memo note, a case selection...).
GUID_NAMESPACE = uuid.UUID("6f0c3a52-9a4e-4b8e-8d51-2c1f0f2b7a10")
SECTION_LABELS = (
    ("inclusion", "Inclusion criteria:"),
    ("exclusion", "Exclusion criteria:"),
    ("example", "Typical example:"),
    ("memo", "Memo:"),  # only in projects (.qdpx): a codebook carries no memos
)
_GUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_RGB_RE = re.compile(r"^#?([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
# Characters XML 1.0 cannot carry (control characters other than tab/LF/CR, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# --------------------------------------------------------------------------- results


@dataclass
class ImportResult:
    """What an import did: the Changes (one undo step), counts, and what it left out and why."""

    changes: Any = None  # Changes
    imported: dict[str, int] = field(default_factory=dict)  # new objects, by kind
    matched: dict[str, int] = field(default_factory=dict)  # already in the project (by GUID)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (what, why)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (what, note)
    # An object of the file whose GUID the project gives to a different object: (what, note).
    conflicts: list[tuple[str, str]] = field(default_factory=list)

    def count(self, kind: str, n: int = 1, matched: bool = False) -> None:
        target = self.matched if matched else self.imported
        target[kind] = target.get(kind, 0) + n

    def summary(self) -> str:
        """One line for people: "imported 3 documents, 12 codes, ...; 2 codes already present"."""
        parts = [f"{n} {_plural(k, n)}" for k, n in self.imported.items() if n]
        line = "imported " + (", ".join(parts) if parts else "nothing new")
        present = [f"{n} {_plural(k, n)}" for k, n in self.matched.items() if n]
        if present:
            line += "; already in the project: " + ", ".join(present)
        if self.skipped:
            line += f"; {len(self.skipped)} skipped"
        if self.conflicts:
            n = len(self.conflicts)
            line += f"; {n} conflict{'' if n == 1 else 's'}"
        return line


def _plural(kind: str, n: int) -> str:
    if n != 1:
        return kind
    return {"codes": "code", "documents": "document", "codings": "coding", "cases": "case",
            "coders": "coder", "attributes": "attribute", "memos": "memo",
            "values": "value", "case links": "case link",
            "annotations": "annotation"}.get(kind, kind)  # fmt: skip


# --------------------------------------------------------------------------- helpers


def localname(el: Any) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(el: Any, name: str) -> list[Any]:
    return [c for c in el if localname(c) == name]


def child(el: Any, name: str) -> Any:
    for c in el:
        if localname(c) == name:
            return c
    return None


def child_text(el: Any, name: str) -> str | None:
    c = child(el, name)
    if c is None:
        return None
    return "".join(c.itertext())


def norm_guid(raw: str | None) -> str | None:
    """A GUID without braces, lower case; a malformed one becomes a stable derived GUID."""
    if raw is None:
        return None
    g = raw.strip().strip("{}").strip().lower()
    if not g:
        return None
    if _GUID_RE.match(g):
        return g
    return str(uuid.uuid5(GUID_NAMESPACE, "malformed:" + raw.strip()))


def derived_guid(*parts: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join(parts)))


# The elements that define an object, by kind: two of one kind with the same GUID make a file
# ambiguous (which one do references mean?), so it is refused before anything is imported.
_DEFINING = {
    "User": "users", "Code": "codes", "Variable": "variables", "Case": "cases",
    "TextSource": "sources", "PDFSource": "sources", "PictureSource": "sources",
    "AudioSource": "sources", "VideoSource": "sources", "PlainTextSelection": "selections",
    "PDFSelection": "selections", "PictureSelection": "selections",
    "AudioSelection": "selections", "VideoSelection": "selections", "Coding": "codings",
    "Note": "notes", "Set": "sets",
}  # fmt: skip


def check_unique_guids(root: Any, file_name: str) -> None:
    """Raise ExchangeError naming the first two objects of one kind that share a GUID."""
    seen: dict[tuple[str, str], Any] = {}
    for el in root.iter():
        kind = _DEFINING.get(localname(el))
        guid = norm_guid(el.get("guid")) if kind else None
        if kind is None or guid is None:
            continue
        first = seen.setdefault((kind, guid), el)
        if first is not el:
            a, b = _label(first), _label(el)
            raise ExchangeError(
                f"{file_name} gives two {kind} the same GUID {guid} ({a} and {b}); "
                "nothing was imported"
            )


def _label(el: Any) -> str:
    name = " ".join((el.get("name") or "").split())
    if name:
        return f"'{name}'"
    line = getattr(el, "sourceline", None)
    return f"the one on line {line}" if line else "an unnamed one"


def xml_text(value: str | None) -> str:
    """``value`` without the characters XML cannot carry (control characters)."""
    if not value:
        return ""
    return _NOT_XML.sub("", value) if _NOT_XML.search(value) else value


def norm_color(raw: str | None) -> str | None:
    if not raw:
        return None
    m = _RGB_RE.match(raw.strip())
    if not m:
        return None
    hexa = m.group(1)
    if len(hexa) == 3:
        hexa = "".join(ch * 2 for ch in hexa)
    return "#" + hexa.upper()


def merge_text(existing: str, new: str | None) -> str:
    """Append ``new`` to a memo unless it is empty or already there (nothing is lost)."""
    if not new:
        return existing
    if not existing:
        return new  # as it is, even blank: a round trip gives the memo back unchanged
    if not new.strip():
        return existing
    if not existing.strip():
        return new
    if new in existing:
        return existing
    return existing + "\n\n" + new


# --------------------------------------------------------------------------- description


def format_description(
    definition: str, inclusion: str = "", exclusion: str = "", example: str = "", memo: str = ""
) -> str:
    """The ``<Description>`` text: the definition, then labelled criteria, example and memo."""
    values = {"inclusion": inclusion, "exclusion": exclusion, "example": example, "memo": memo}
    parts = [definition] if definition else []
    for key, label in SECTION_LABELS:
        if values[key]:
            parts.append(f"{label}\n{values[key]}")
    return "\n\n".join(parts)


def parse_description(text: str) -> dict[str, str]:
    """Split a ``<Description>`` written by :func:`format_description` back into fields."""
    found: list[tuple[str, int, int]] = []  # (field, header start, value start)
    search_from = 0
    for key, label in SECTION_LABELS:
        if not found and text.startswith(label + "\n"):
            found.append((key, 0, len(label) + 1))
            search_from = len(label) + 1
            continue
        i = text.find("\n\n" + label + "\n", search_from)
        if i != -1:
            found.append((key, i, i + len(label) + 3))
            search_from = i + len(label) + 3
    out = {"definition": text, "inclusion": "", "exclusion": "", "example": "", "memo": ""}
    if found:
        out["definition"] = text[: found[0][1]]
        for n, (key, _start, value_start) in enumerate(found):
            end = found[n + 1][1] if n + 1 < len(found) else len(text)
            out[key] = text[value_start:end]
    return out


# --------------------------------------------------------------------------- reading


@dataclass
class CodeIn:
    """A code as read from a file (GUIDs normalised); nothing written yet."""

    guid: str
    name: str
    color: str | None = None
    description: str | None = None  # None: the file has no <Description>
    note_refs: list[str] = field(default_factory=list)
    children: list[CodeIn] = field(default_factory=list)
    synthetic: bool = False  # a parent made up from a dotted name
    codable: bool = True  # False: a category


@dataclass
class Codebook:
    origin: str = ""
    codes: list[CodeIn] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)


def read_codes(
    codes_el: Any, skipped: list[tuple[str, str]], depth: int = 0, parent: str = ""
) -> list[CodeIn]:
    """The ``<Code>`` children of a ``<Codes>`` (or ``<Code>``) element, recursively."""
    out: list[CodeIn] = []
    for el in children(codes_el, "Code"):
        name = " ".join((el.get("name") or "").split())
        guid = norm_guid(el.get("guid"))
        if not name:
            skipped.append((f"code {el.get('guid') or '(no GUID)'}", "it has no name"))
            continue
        if guid is None:
            guid = derived_guid("unnamed-guid", parent, name, str(depth), str(len(out)))
        desc = child_text(el, "Description")
        code = CodeIn(
            guid=guid,
            name=name,
            color=norm_color(el.get("color")),
            description=desc,
            note_refs=[g for r in children(el, "NoteRef") if (g := norm_guid(r.get("targetGUID")))],
            children=read_codes(el, skipped, depth + 1, guid),
            codable=(el.get("isCodable") or "true").strip().lower() not in ("false", "0"),
        )
        out.append(code)
    return out


def read_qdc(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Codebook:
    """Read a .qdc file (pure: no project involved)."""
    path = Path(path)
    if not path.is_file():
        raise ExchangeError(f"{path}: no such file")
    size = path.stat().st_size
    if size > limits.max_xml_bytes:
        raise ExchangeError(f"{path.name} is too large for a codebook; refused")
    root = parse_xml(path.read_bytes(), path.name, limits.max_xml_bytes)
    if localname(root) != "CodeBook":
        raise ExchangeError(
            f"{path.name} is not a REFI-QDA codebook (its root is <{localname(root)}>)"
        )
    check_unique_guids(root, path.name)
    book = Codebook(origin=root.get("origin") or "")
    codes_el = child(root, "Codes")
    if codes_el is None:
        raise ExchangeError(f"{path.name} is not a REFI-QDA codebook (it has no <Codes>)")
    book.codes = read_codes(codes_el, book.skipped)
    sets = child(root, "Sets")
    for s in children(sets, "Set") if sets is not None else []:
        book.skipped.append((f"set '{s.get('name') or ''}'", "Coder has no code sets"))
    return book


def split_dotted(codes: list[CodeIn]) -> list[CodeIn]:
    """Turn names like ``a.b`` into ``b`` under ``a`` (made up when the file lacks ``a``)."""

    def place(level: list[CodeIn], code: CodeIn, prefix: str) -> None:
        parts = [p.strip() for p in code.name.split(".")]
        parts = [p for p in parts if p]
        if len(parts) <= 1:
            parts = [code.name]
        node_list = level
        path = prefix
        for part in parts[:-1]:
            path = f"{path}.{part}" if path else part
            node = next((n for n in node_list if n.name == part), None)
            if node is None:
                node = CodeIn(guid=derived_guid("dotted", path), name=part, synthetic=True)
                node_list.append(node)
            node_list = node.children
        leaf_name = parts[-1]
        existing = next((n for n in node_list if n.name == leaf_name), None)
        kids = code.children
        code.children = []
        code.name = leaf_name
        if existing is not None and existing.synthetic:
            # The real code arrived after its children made up a stand-in: take its place.
            code.children = existing.children
            node_list[node_list.index(existing)] = code
        else:
            node_list.append(code)
        leaf_path = f"{path}.{leaf_name}" if path else leaf_name
        for k in kids:
            place(code.children, k, leaf_path)

    out: list[CodeIn] = []
    for c in codes:
        place(out, c, "")
    return out


# --------------------------------------------------------------------------- writing (import)


class CodeMerger:
    """Adds or merges imported codes inside one ``project.edit()``; maps file GUIDs to ids."""

    def __init__(self, project: Project, result: ImportResult) -> None:
        self.project = project
        self.db = project.db
        self.result = result
        self.by_guid: dict[str, int] = {}
        self.rows: dict[int, dict] = {}
        for r in self.db.query("SELECT * FROM codes"):
            self.by_guid[r["guid"].lower()] = r["id"]
            self.rows[r["id"]] = dict(r)
        self.guid_map: dict[str, int] = {}  # file GUID -> code id
        self._next_pos: dict[int | None, int] = {}
        self._count = len(self.rows)

    def _sibling(self, parent_id: int | None, name: str) -> int | None:
        row = self.db.execute(
            "SELECT id FROM codes WHERE ifnull(parent_id, 0) = ifnull(?, 0) AND name = ?",
            [parent_id, name],
        ).fetchone()
        return row[0] if row else None

    def _position(self, parent_id: int | None) -> int:
        if parent_id not in self._next_pos:
            row = self.db.execute(
                "SELECT ifnull(max(position) + 1, 0) FROM codes "
                "WHERE ifnull(parent_id, 0) = ifnull(?, 0)",
                [parent_id],
            ).fetchone()
            self._next_pos[parent_id] = row[0]
        pos = self._next_pos[parent_id]
        self._next_pos[parent_id] = pos + 1
        return pos

    def _conflict(self, code: CodeIn, row: dict, memo: str) -> int:
        """The project's code under this GUID has another name: a listed conflict. The project's
        code stays as it is (only a memo is appended) and the file's codings of it go to it."""
        path = self.project.services.codebook.code(row["id"]).path
        self.result.conflicts.append(
            (f"code '{path}'", f"the file has '{code.name}' under its GUID; '{row['name']}' kept")
        )
        new_memo = merge_text(row["memo"], memo)
        if new_memo != row["memo"]:
            self.project.update("codes", row["id"], {"memo": new_memo})
        self.guid_map[code.guid] = row["id"]
        self.result.count("codes", matched=True)
        return int(row["id"])

    def merge(self, codes: Iterable[CodeIn], memos: dict[str, str] | None = None,
              parent_id: int | None = None) -> None:  # fmt: skip
        for code in codes:
            code_id = self._merge_one(code, parent_id, memos or {})
            self.merge(code.children, memos, code_id)

    def _merge_one(self, code: CodeIn, parent_id: int | None, memos: dict[str, str]) -> int:
        fields = parse_description(code.description) if code.description is not None else None
        memo = (
            "\n\n".join(memos[g] for g in code.note_refs if memos.get(g)) if code.note_refs else ""
        )
        if fields is not None:  # a memo written in the description too is the same memo
            memo = merge_text(memo, fields.pop("memo"))
        code_id = self.guid_map.get(code.guid) or self.by_guid.get(code.guid)
        if code_id is None:
            code_id = self._sibling(parent_id, code.name)
        if code_id is not None:
            row = dict(next(iter(self.db.query("SELECT * FROM codes WHERE id = ?", [code_id]))))
            if code.name != row["name"] and not code.synthetic:
                return self._conflict(code, row, memo)
            update: dict[str, str] = {}
            if code.color and code.color != row["color"]:
                update["color"] = code.color
            if fields is not None:
                for k, v in fields.items():
                    if v != row[k]:
                        update[k] = v
            new_memo = merge_text(row["memo"], memo)
            if new_memo != row["memo"]:
                update["memo"] = new_memo
            if update:
                self.project.update("codes", code_id, update)
            self.guid_map[code.guid] = code_id
            self.result.count("codes", matched=True)
            return code_id
        name = code.name
        if self._sibling(parent_id, name) is not None:  # matched above
            name = self.project.services.codebook.unique_sibling_name(name, parent_id)
        guid = code.guid if code.guid not in self.by_guid else derived_guid("code", code.guid)
        color = code.color or PALETTE[self._count % len(PALETTE)]
        self._count += 1
        fields = fields or {"definition": "", "inclusion": "", "exclusion": "", "example": ""}
        code_id = self.project.insert("codes", {
            "guid": guid, "name": name, "parent_id": parent_id,
            "position": self._position(parent_id), "color": color,
            "definition": fields["definition"], "inclusion": fields["inclusion"],
            "exclusion": fields["exclusion"], "example": fields["example"], "memo": memo,
            "created_at": now(), "codable": int(code.codable),
        })  # fmt: skip
        self.by_guid[guid] = code_id
        self.guid_map[code.guid] = code_id
        self.result.count("codes")
        return code_id


def apply_codebook(
    project: Project, book: Codebook, dotted_hierarchy: bool = False
) -> ImportResult:
    """Merge a read codebook into the project: one transaction, one undo step."""
    result = ImportResult(skipped=list(book.skipped), warnings=list(book.warnings))
    codes = split_dotted(book.codes) if dotted_hierarchy else book.codes
    with project.edit() as edit:
        CodeMerger(project, result).merge(codes)
    result.changes = edit.changes()
    return result


def import_qdc(
    project: Project,
    path: str | Path,
    dotted_hierarchy: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> ImportResult:
    """Import a .qdc codebook into the project, merging by GUID (see the module docstring)."""
    return apply_codebook(project, read_qdc(path, limits), dotted_hierarchy)


# --------------------------------------------------------------------------- export


def code_element(
    parent: Any, tag: str, code: Any, with_description: bool = True, memo: str = ""
) -> Any:
    """A ``<Code>``: categories (codes that cannot be applied) get ``isCodable="false"``; a
    memo, when given, is appended to the description under its label (tools such as QualCoder
    read only the description)."""
    codable = "true" if getattr(code, "codable", True) else "false"
    el = etree.SubElement(
        parent, tag,
        {"guid": code.guid, "name": xml_text(code.name), "isCodable": codable, "color": code.color},
    )  # fmt: skip
    desc = format_description(code.definition, code.inclusion, code.exclusion, code.example, memo)
    if desc and with_description:
        etree.SubElement(el, tag.replace("}Code", "}Description")).text = xml_text(desc)
    return el


def codebook_xml(project: Project) -> bytes:
    """The .qdc XML of the project's codebook."""
    tree = project.code_tree()
    if not tree:
        raise InvalidValue("the codebook is empty: add codes before exporting it")
    ns = f"{{{CODEBOOK_NS}}}"
    root = etree.Element(ns + "CodeBook", {"origin": ORIGIN}, nsmap={None: CODEBOOK_NS})
    codes_el = etree.SubElement(root, ns + "Codes")

    def add(parent: Any, nodes: list) -> None:
        for node in nodes:
            el = code_element(parent, ns + "Code", node.code)
            add(el, node.children)

    add(codes_el, tree)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def export_qdc(project: Project, path: str | Path) -> int:
    """Write the codebook as a .qdc file; returns the number of codes written."""
    data = codebook_xml(project)
    files.write_bytes(path, data)
    return len(project.codes())
