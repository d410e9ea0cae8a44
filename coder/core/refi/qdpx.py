"""REFI-QDA projects (.qdpx): export a whole project, import one (new or merged by GUID).

Export writes a zip with ``project.qde`` (valid against the REFI-QDA Project.xsd) and each
document's text as ``sources/<GUID>.txt`` (UTF-8, no BOM, LF line ends), referenced as
``plainTextPath="internal://<GUID>.txt"``. How Coder's objects are written:

- coders -> ``Users/User``; codes -> ``CodeBook`` (see :mod:`coder.core.refi.qdc` for the
  description format); documents -> ``Sources/TextSource`` (creationDateTime = when it was
  imported);
- each coding -> one ``PlainTextSelection`` (startPosition/endPosition in code points, end
  exclusive, as Coder stores them) holding one ``Coding`` with its ``CodeRef``, creating user and
  date; the coding's memo is a ``Note`` referenced from the ``Coding``;
- cases -> ``Cases/Case`` (memo as its ``Description``) with ``SourceRef`` for their documents
  and ``SelectionRef`` for passages linked to them (written as uncoded selections);
- attributes -> ``Variables`` (text -> Text, number -> Integer or Float, date -> Date,
  yes/no -> Boolean) with typed ``VariableValue``s on cases and sources;
- memos -> ``Notes``: the project memo (``NoteRef`` on the project), document, code and coding
  memos (``NoteRef`` on their owner), free memos (notes nothing refers to);
- document groups -> ``Sets`` with ``MemberSource``s.
- What REFI-QDA has no place for goes in a small ``coder.json`` member that other tools
  ignore: each document's speaker turns (with subtitle times), original file name and format,
  and each attribute's scope. Without it (files from other tools) speaker turns are detected
  from the text as at any import.

Import reads defensively:

- Positions: the literal reading is code points of the source file's decoded text (a BOM and
  the CR of CRLF count), mapped through normalisation (BOM dropped, CRLF -> LF) with an offset
  map, so ``text[start:end]`` is the passage the other tool showed. Files from other tools may
  have counted without the BOM, CRLF as one character, or in UTF-16 units; such a reading is
  used only when it puts clearly more passage edges on word boundaries, with a warning. Coder's
  own files are always read literally. Positions past the end are clamped, with a warning.
- Paths: ``<name>.qde`` instead of ``project.qde``; ``plainTextPath``/``richTextPath`` as
  ``internal://``, ``relative://``, ``absolute://`` or a bare name are looked up inside the
  archive only: Coder never reads other files a stranger's project names (such sources are
  skipped and reported). Text given only as .docx/.pdf/.odt/.rtf (or an empty .txt next to
  one, as NVivo writes) is read with Coder's importers; a source with no text at all is kept
  empty, with a warning. Picture, audio and video sources, links, graphs, code sets and codes
  linked to cases are skipped and reported.
- Merging (by GUID, case-insensitive, braces ignored): codes as in :mod:`coder.core.refi.qdc`;
  coders, cases and attributes by GUID, else by name (attributes per scope); a document with
  the same GUID and the same text is the same document (new codings are added to it); the
  same GUID with different text is reported and skipped with its codings, never overwritten;
  likewise a coding or memo whose GUID is taken by a different one. Memos are appended, never
  replaced. A document name already taken becomes ``name (2)``. A second case for a document
  becomes a case passage spanning the whole text. Notes on uncoded passages become free memos.
- Everything is written in one transaction (``project.edit()``): one undo step; a failure
  changes nothing. Anything hostile or broken raises ExchangeError before anything is written.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import re
import tempfile
import zipfile
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from lxml import etree

from coder.core import settings
from coder.core.attributes import canonical_value
from coder.core.errors import CoderError, ExchangeError, InvalidValue
from coder.core.refi.qdc import (
    ORIGIN,
    CodeIn,
    CodeMerger,
    ImportResult,
    child,
    child_text,
    children,
    code_element,
    derived_guid,
    localname,
    merge_text,
    norm_guid,
    read_codes,
    split_dotted,
    write_atomically,
    xml_text,
)
from coder.core.refi.safe import DEFAULT_LIMITS, Limits, SafeArchive, parse_xml
from coder.core.store import new_guid, now
from coder.core.text import PositionMap, Turn, detect_turns, normalise

if TYPE_CHECKING:
    from coder.core.project import Project

__all__ = [
    "PROJECT_NS",
    "ExportResult",
    "ImportCancelled",
    "QdpxContent",
    "apply_qdpx",
    "export_qdpx",
    "import_qdpx",
    "project_xml",
    "read_qdpx",
]

PROJECT_NS = "urn:QDA-XML:project:1.0"
EXTRAS_MEMBER = "coder.json"
EXTRAS_FORMAT = "coder-refi-extras"
Progress = Callable[[int, int, str], Any]

_NS = "{%s}" % PROJECT_NS
T = {name: _NS + name for name in (
    "Project", "Users", "User", "CodeBook", "Codes", "Code", "Description", "Variables",
    "Variable", "Cases", "Case", "VariableValue", "VariableRef", "TextValue", "BooleanValue",
    "IntegerValue", "FloatValue", "DateValue", "SourceRef", "SelectionRef", "Sources",
    "TextSource", "PlainTextSelection", "Coding", "CodeRef", "NoteRef", "Notes", "Note",
    "PlainTextContent", "Sets", "Set", "MemberSource", "CoderSelectionsMarker",
)}  # fmt: skip
_DATETIME_RE = re.compile(r"^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")
_MARKER = "CoderSelectionsMarker"
_MARKER_BYTES = b"<CoderSelectionsMarker/>"
_VAR_TYPES = {"Text": "text", "Boolean": "boolean", "Integer": "number", "Float": "number",
              "Date": "date", "DateTime": "text"}  # fmt: skip


class ImportCancelled(CoderError):
    """The user cancelled an import while it was writing (the transaction is rolled back)."""


# =========================================================================== export


@dataclass
class ExportResult:
    path: Path
    counts: dict[str, int] = field(default_factory=dict)
    cancelled: bool = False


_PLAIN_ATTR = re.compile(r"[0-9A-Za-z{}:+.-]*")


def _esc(value: str) -> str:
    """An attribute value escaped for the selection template."""
    if _PLAIN_ATTR.fullmatch(value):  # GUIDs and dates: nothing to escape
        return value
    value = xml_text(value)
    if "&" in value or "<" in value or '"' in value or ">" in value:
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        value = value.replace('"', "&quot;")
    if "\n" in value or "\r" in value or "\t" in value:
        value = value.replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    return value


def _dt_attr(value: str | None) -> str | None:
    """``value`` if it is an xsd:dateTime, else None (so the attribute is left out)."""
    if value and _DATETIME_RE.match(value):
        return value
    return None


def _float_text(stored: str) -> str:
    """A stored number as an xsd:decimal (no exponent), keeping a float a float."""
    try:
        d = Decimal(stored)
    except InvalidOperation:
        return "0"
    text = format(d, "f")
    if any(ch in stored for ch in ".eE") and "." not in text:
        text += ".0"
    return text


def _number_kind(values: list[str]) -> str:
    return "Integer" if all(re.fullmatch(r"[+-]?\d+", v) for v in values) else "Float"


class _Ids:
    """Stable GUIDs for things Coder stores without one."""

    def __init__(self, project_guid: str) -> None:
        self.base = project_guid

    def note(self, kind: str, owner: str) -> str:
        # Derived from the owner alone, so a project exported again after a round trip through
        # Coder gives the same GUIDs.
        return derived_guid("note", kind, owner)

    def selection(self, coding_guid: str) -> str:
        # md5 formatted as a GUID: as stable as uuid5 and cheap enough for 50,000 codings.
        h = hashlib.md5(b"coder-selection:" + coding_guid.encode("utf-8")).hexdigest()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def project_xml(
    project: Project, progress: Progress | None = None
) -> tuple[bytes, dict[str, str], dict, dict[str, int]] | None:
    """Build ``project.qde``: (xml bytes, {doc guid: text}, extras, counts), None if cancelled."""
    db = project.db
    meta = dict(db.execute("SELECT key, value FROM meta"))
    project_guid = meta.get("project_guid", "")
    ids = _Ids(project_guid)
    coders = list(db.execute("SELECT id, guid, name FROM coders ORDER BY id"))
    coder_guid = {cid: guid for cid, guid, _ in coders}
    me = settings.coder_name()
    my_guid = next((guid for _cid, guid, name in coders if name == me), None)

    root = etree.Element(T["Project"], nsmap={None: PROJECT_NS})
    root.set("name", xml_text(project.name) or "Project")
    root.set("origin", ORIGIN)
    if my_guid:
        root.set("creatingUserGUID", my_guid)
    created = _dt_attr(meta.get("created_at"))
    if created:
        root.set("creationDateTime", created)
    root.set("modifiedDateTime", now())
    notes: list[
        tuple[str, str, str, str | None, str | None]
    ] = []  # guid, name, text, created, modified

    def note_ref(parent: Any, kind: str, owner_guid: str, owner_name: str, text: str) -> None:
        if not text:
            return
        guid = ids.note(kind, owner_guid)
        notes.append((guid, f"Memo: {owner_name}", text, None, None))
        etree.SubElement(parent, T["NoteRef"], targetGUID=guid)

    counts: dict[str, int] = {}
    # Users
    if coders:
        users = etree.SubElement(root, T["Users"])
        for _cid, guid, name in coders:
            etree.SubElement(users, T["User"], guid=guid, name=xml_text(name))
    counts["coders"] = len(coders)
    # CodeBook
    codes = [dict(r) for r in db.query("SELECT * FROM codes ORDER BY position, name, id")]
    code_guid = {c["id"]: c["guid"] for c in codes}
    if codes:
        kids: dict[int | None, list[dict]] = {}
        for c in codes:
            kids.setdefault(c["parent_id"], []).append(c)
        book = etree.SubElement(root, T["CodeBook"])
        codes_el = etree.SubElement(book, T["Codes"])
        seen: set[int] = set()

        def add_codes(parent: Any, parent_id: int | None, path: str) -> None:
            for c in kids.get(parent_id, []):
                if c["id"] in seen:
                    continue
                seen.add(c["id"])
                code = _Row(c)
                el = code_element(parent, T["Code"], code)
                cpath = f"{path}/{c['name']}" if path else c["name"]
                note_ref(el, "code", c["guid"], f"code {cpath}", c["memo"])
                add_codes(el, c["id"], cpath)

        add_codes(codes_el, None, "")
    counts["codes"] = len(codes)
    # Variables
    attrs = [dict(r) for r in db.query("SELECT * FROM attributes ORDER BY scope, position, id")]
    values_by_attr: dict[int, list[str]] = {}
    case_values: dict[int, list[tuple[int, str]]] = {}
    doc_values: dict[int, list[tuple[int, str]]] = {}
    for aid, case_id, doc_id, value in db.execute(
        "SELECT v.attribute_id, v.case_id, v.document_id, v.value FROM attribute_values v "
        "JOIN attributes a ON a.id = v.attribute_id ORDER BY a.scope, a.position, a.id"
    ):
        values_by_attr.setdefault(aid, []).append(value)
        if case_id is not None:
            case_values.setdefault(case_id, []).append((aid, value))
        else:
            doc_values.setdefault(doc_id, []).append((aid, value))
    var_type: dict[int, str] = {}
    attr_by_id = {a["id"]: a for a in attrs}
    if attrs:
        variables = etree.SubElement(root, T["Variables"])
        for a in attrs:
            kind = {"text": "Text", "date": "Date", "boolean": "Boolean"}.get(a["type"])
            if kind is None:
                kind = _number_kind(values_by_attr.get(a["id"], []))
            var_type[a["id"]] = kind
            etree.SubElement(variables, T["Variable"], guid=a["guid"], name=xml_text(a["name"]),
                             typeOfVariable=kind)  # fmt: skip
    counts["attributes"] = len(attrs)

    def add_values(parent: Any, values: list[tuple[int, str]]) -> None:
        for aid, value in values:
            kind = var_type[aid]
            vv = etree.SubElement(parent, T["VariableValue"])
            etree.SubElement(vv, T["VariableRef"], targetGUID=attr_by_id[aid]["guid"])
            text = _float_text(value) if kind == "Float" else value
            etree.SubElement(vv, T[f"{kind}Value"]).text = xml_text(text)

    # Cases
    docs = [dict(r) for r in db.query(
        "SELECT id, guid, name, imported_at, memo, group_name, case_id, source_name, source_format "
        "FROM documents ORDER BY id")]  # fmt: skip
    doc_guid = {d["id"]: d["guid"] for d in docs}
    cases = [dict(r) for r in db.query("SELECT * FROM cases ORDER BY id")]
    case_sel = [
        dict(r) for r in db.query("SELECT * FROM case_selections ORDER BY document_id, start, id")
    ]
    case_guid = {c["id"]: c["guid"] for c in cases}
    sel_guid: dict[int, str] = {}
    seen_sel: set[str] = set()
    for s in case_sel:
        g = derived_guid("case-selection", case_guid[s["case_id"]], doc_guid[s["document_id"]],
                         str(s["start"]), str(s["end"]))  # fmt: skip
        if g not in seen_sel:  # an exact duplicate link is written once
            seen_sel.add(g)
            sel_guid[s["id"]] = g
    case_sel = [s for s in case_sel if s["id"] in sel_guid]
    if cases:
        cases_el = etree.SubElement(root, T["Cases"])
        docs_of_case: dict[int, list[str]] = {}
        for d in docs:
            if d["case_id"] is not None:
                docs_of_case.setdefault(d["case_id"], []).append(d["guid"])
        sels_of_case: dict[int, list[str]] = {}
        for s in case_sel:
            sels_of_case.setdefault(s["case_id"], []).append(sel_guid[s["id"]])
        for c in cases:
            el = etree.SubElement(cases_el, T["Case"], guid=c["guid"], name=xml_text(c["name"]))
            if c["memo"]:
                etree.SubElement(el, T["Description"]).text = xml_text(c["memo"])
            add_values(el, case_values.get(c["id"], []))
            for g in docs_of_case.get(c["id"], []):
                etree.SubElement(el, T["SourceRef"], targetGUID=g)
            for g in sels_of_case.get(c["id"], []):
                etree.SubElement(el, T["SelectionRef"], targetGUID=g)
    counts["cases"] = len(cases)
    # Sources
    texts: dict[str, str] = {}
    extras: dict[str, Any] = {"format": EXTRAS_FORMAT, "version": 1, "documents": {},
                              "attributes": {a["guid"]: a["scope"] for a in attrs}}  # fmt: skip
    turns_by_doc: dict[int, list] = {}
    for r in db.execute(
        'SELECT document_id, speaker, start, "end", time_start, time_end FROM turns '
        "ORDER BY document_id, start, id"
    ):
        turns_by_doc.setdefault(r[0], []).append(list(r[1:]))
    codings_by_doc: dict[int, list] = {}
    for r in db.execute(
        'SELECT document_id, guid, code_id, coder_id, start, "end", created_at, memo FROM codings '
        'ORDER BY document_id, start, "end", id'
    ):
        codings_by_doc.setdefault(r[0], []).append(r)
    sel_by_doc: dict[int, list[dict]] = {}
    for s in case_sel:
        sel_by_doc.setdefault(s["document_id"], []).append(s)
    n_codings = 0
    selections: list[bytes] = []
    coder_attr = {k: _esc(v) for k, v in coder_guid.items()}
    code_attr = {k: _esc(v) for k, v in code_guid.items()}
    if docs:
        sources = etree.SubElement(root, T["Sources"])
        sub = etree.SubElement
        for i, d in enumerate(docs):
            guid = d["guid"]
            attrs_ = {
                "guid": guid,
                "name": xml_text(d["name"]),
                "plainTextPath": f"internal://{guid}.txt",
            }
            if my_guid:
                attrs_["creatingUser"] = my_guid
            stamp = _dt_attr(d["imported_at"])
            if stamp:
                attrs_["creationDateTime"] = stamp
            src = sub(sources, T["TextSource"], attrs_)
            # Selections are the bulk of a project (three elements per coding): they are
            # written by a template with escaped values and spliced in at this marker, which
            # is several times faster than building the elements one by one.
            sub(src, T[_MARKER])
            parts: list[str] = []
            for row in codings_by_doc.get(d["id"], ()):
                _doc, cguid, code_id, coder_id, start, end, created_at, memo = row
                user = coder_attr[coder_id]
                stamp = _dt_attr(created_at)
                when = f' creationDateTime="{stamp}"' if stamp else ""
                g = _esc(cguid)
                note = ""
                if memo:
                    note_guid = ids.note("coding", cguid)
                    title = f"Memo: coding in {d['name']} {start}-{end}"
                    notes.append((note_guid, title, memo, None, None))
                    note = f'<NoteRef targetGUID="{_esc(note_guid)}"/>'
                parts.append(
                    f'<PlainTextSelection guid="{ids.selection(cguid)}" startPosition="{start}" '
                    f'endPosition="{end}" creatingUser="{user}"{when}><Coding guid="{g}" '
                    f'creatingUser="{user}"{when}><CodeRef targetGUID="{code_attr[code_id]}"/>'
                    f"{note}</Coding></PlainTextSelection>"
                )
                n_codings += 1
            for s in sel_by_doc.get(d["id"], ()):
                parts.append(
                    f'<PlainTextSelection guid="{sel_guid[s["id"]]}" startPosition="{s["start"]}" '
                    f'endPosition="{s["end"]}"/>'
                )
            selections.append("".join(parts).encode("utf-8"))
            note_ref(src, "document", guid, d["name"], d["memo"])
            add_values(src, doc_values.get(d["id"], []))
            texts[guid] = project.document_text(d["id"])
            extras["documents"][guid] = {
                "source_name": d["source_name"],
                "source_format": d["source_format"],
                "turns": turns_by_doc.get(d["id"], []),
            }
            if progress is not None and progress(i + 1, len(docs), d["name"]) is False:
                return None
    counts["documents"] = len(docs)
    counts["codings"] = n_codings
    # Notes: memos of the project, documents, codes, codings; free memos.
    memos = [dict(r) for r in db.query("SELECT * FROM memos ORDER BY created_at, id")]
    project_memo = meta.get("memo", "")
    if project_memo:
        notes.insert(
            0, (ids.note("project", project_memo), "Project memo", project_memo, None, None)
        )
    for m in memos:
        notes.append((m["guid"], m["title"], m["text"], m["created_at"], m["modified_at"]))
    counts["memos"] = len(memos)
    if notes:
        notes_el = etree.SubElement(root, T["Notes"])
        for guid, name, text, created, modified in notes:
            attrs_ = {"guid": guid, "name": xml_text(name)}
            if _dt_attr(created):
                attrs_["creationDateTime"] = created  # type: ignore[assignment]
            if _dt_attr(modified):
                attrs_["modifiedDateTime"] = modified  # type: ignore[assignment]
            n = etree.SubElement(notes_el, T["Note"], attrs_)
            etree.SubElement(n, T["PlainTextContent"]).text = xml_text(text)
    # Sets: document groups
    groups: dict[str, list[str]] = {}
    for d in docs:
        if d["group_name"]:
            groups.setdefault(d["group_name"], []).append(d["guid"])
    if groups:
        sets = etree.SubElement(root, T["Sets"])
        for name in sorted(groups):
            s = etree.SubElement(sets, T["Set"], guid=derived_guid("group", name),
                                 name=xml_text(name))  # fmt: skip
            for g in groups[name]:
                etree.SubElement(s, T["MemberSource"], targetGUID=g)
    if project_memo:
        etree.SubElement(root, T["NoteRef"], targetGUID=ids.note("project", project_memo))
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    pieces = xml.split(_MARKER_BYTES)
    if len(pieces) != len(selections) + 1:  # pragma: no cover - the marker is ours alone
        raise ExchangeError("internal error while writing the selections")
    out = [pieces[0]]
    for sel, rest in zip(selections, pieces[1:]):
        out += [sel, rest]
    return b"".join(out), texts, extras, counts


class _Row:
    """A codes row with attribute access (for code_element)."""

    def __init__(self, row: dict) -> None:
        self.__dict__.update(row)


def export_qdpx(
    project: Project, path: str | Path, progress: Progress | None = None
) -> ExportResult:
    """Write the whole project as a .qdpx file (atomically: a cancelled export leaves nothing)."""
    path = Path(path)
    built = project_xml(project, progress)
    result = ExportResult(path)
    if built is None:
        result.cancelled = True
        return result
    xml, texts, extras, counts = built
    result.counts = counts

    def write(tmp: Path) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            z.writestr("project.qde", xml)
            for guid, text in texts.items():
                z.writestr(f"sources/{guid}.txt", text.encode("utf-8"))
            z.writestr(EXTRAS_MEMBER, json.dumps(extras, ensure_ascii=False).encode("utf-8"))

    write_atomically(path, write)
    return result


# =========================================================================== import: reading


@dataclass
class CodingIn:
    guid: str | None
    code_guid: str | None
    user: str | None
    created_at: str | None
    note_refs: list[str] = field(default_factory=list)


@dataclass
class SelectionIn:
    guid: str | None
    start: int
    end: int
    user: str | None
    created_at: str | None
    codings: list[CodingIn] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)
    description: str = ""


@dataclass
class ValueIn:
    var_guid: str
    kind: str  # "Text", "Boolean", ...
    raw: str


@dataclass
class SourceIn:
    guid: str
    name: str
    text: str
    turns: list[Turn] | None
    created_at: str | None
    user: str | None
    source_name: str = ""
    source_format: str = ""
    selections: list[SelectionIn] = field(default_factory=list)
    note_refs: list[str] = field(default_factory=list)
    description: str = ""
    values: list[ValueIn] = field(default_factory=list)


@dataclass
class CaseIn:
    guid: str
    name: str
    description: str
    values: list[ValueIn] = field(default_factory=list)
    source_refs: list[str] = field(default_factory=list)
    selection_refs: list[str] = field(default_factory=list)


@dataclass
class NoteIn:
    guid: str
    name: str
    text: str
    created_at: str | None
    modified_at: str | None


@dataclass
class QdpxContent:
    """A .qdpx read into memory (texts decoded, positions re-based); nothing written yet."""

    name: str = ""
    origin: str = ""
    creating_user: str | None = None
    description: str = ""
    users: list[tuple[str, str]] = field(default_factory=list)
    codes: list[CodeIn] = field(default_factory=list)
    variables: dict[str, tuple[str, str]] = field(default_factory=dict)  # guid -> (name, type)
    scopes: dict[str, str] = field(default_factory=dict)  # variable guid -> scope (Coder files)
    cases: list[CaseIn] = field(default_factory=list)
    sources: list[SourceIn] = field(default_factory=list)
    notes: dict[str, NoteIn] = field(default_factory=dict)
    groups: list[tuple[str, list[str]]] = field(default_factory=list)
    project_note_refs: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    cancelled: bool = False


def _attr_dt(el: Any, name: str) -> str | None:
    v = el.get(name)
    if not v:
        return None
    v = v.strip()
    try:
        _dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return None
    return v


def _refs(el: Any, name: str = "NoteRef") -> list[str]:
    return [g for g in (norm_guid(r.get("targetGUID")) for r in children(el, name)) if g]


def _decode(data: bytes, what: str, warnings: list[tuple[str, str]]) -> str:
    """Source bytes as text, keeping a leading BOM as U+FEFF (positions may count it)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return "\ufeff" + data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ValueError("unknown text encoding")
    warnings.append((what, f"the text is not UTF-8; read as {best.encoding}"))
    return str(best)


class _OffsetMap:
    """Positions in one reading of a raw source text -> positions in the normalised text.

    ``removed`` holds the indexes (in that reading) of characters normalisation drops: a
    leading BOM, the CR of each CRLF, NULs. A position moves left by those before it. With
    ``utf16`` the positions count UTF-16 units (as .NET and Qt programs do) and are first turned
    into code points. A position past the end stays past the end, so it can be reported.
    """

    def __init__(self, reading: str, utf16: bool = False) -> None:
        removed = [m.start() for m in re.finditer("\r(?=\n)|\x00", reading)]
        if reading.startswith("\ufeff"):
            removed.insert(0, 0)
        self.removed = removed
        self.positions = PositionMap(reading) if utf16 else None

    def __call__(self, pos: int) -> int:
        pm = self.positions
        if pm is not None:
            over = max(0, pos - pm.utf16_length)
            pos = pm.to_codepoint(min(pos, pm.utf16_length)) + over
        return pos - bisect_left(self.removed, pos)


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _readings(raw: str) -> list[tuple[str, str, bool]]:
    """Plausible ways another tool counted positions in ``raw``, the literal one first."""
    base = [("", raw)]
    no_bom = raw[1:] if raw.startswith("\ufeff") else raw
    lf = raw.replace("\r\n", "\n")
    if no_bom != raw:
        base.append(("without the BOM", no_bom))
    if lf != raw:
        base.append(("with CRLF as one character", lf))
        if no_bom != raw:
            base.append(("without the BOM, CRLF as one character", no_bom.replace("\r\n", "\n")))
    out = [(label, reading, False) for label, reading in base]
    if _ASTRAL.search(raw):
        for label, reading in base:
            out.append(((label + ", " if label else "") + "in UTF-16 units", reading, True))
    return out


def _boundary_score(text: str, spans: list[tuple[int, int]]) -> int:
    """How many span edges fall on word boundaries (coders select whole words)."""
    n = len(text)
    score = 0
    for s, e in spans[:5000]:
        if 0 <= s <= n and (s == 0 or s == n or not (text[s - 1].isalnum() and text[s].isalnum())):
            score += 1
        if 0 <= e <= n and (e == 0 or e == n or not (text[e - 1].isalnum() and text[e].isalnum())):
            score += 1
    return score


def _needs_rebase(raw: str, text: str) -> bool:
    return raw != text or bool(_ASTRAL.search(text))


def _rebase(raw: str, text: str, spans: list[tuple[int, int]], what: str,
            warnings: list[tuple[str, str]]) -> Callable[[int], int]:  # fmt: skip
    """The position map for a source text whose positions other tools may count differently.

    The literal reading (code points of the file's text, BOM and CR included) is the default;
    another reading (BOM not counted, CRLF as one, UTF-16 units) is used only when it puts
    clearly more passage edges on word boundaries, and a warning says so.
    """
    readings = _readings(raw)
    best_map = _OffsetMap(raw)
    if len(readings) == 1 or not spans:
        return best_map
    literal = _boundary_score(text, [(best_map(s), best_map(e)) for s, e in spans])
    # Another reading must win clearly: ties and near-ties keep the literal one.
    best_score = literal + max(2, len(spans[:5000]) // 10)
    best_label = ""
    for label, reading, utf16 in readings[1:]:
        m = _OffsetMap(reading, utf16)
        score = _boundary_score(text, [(m(s), m(e)) for s, e in spans])
        if score >= best_score:
            best_score, best_map, best_label = score + 1, m, label
    if best_label:
        warnings.append((what, f"positions were counted {best_label}; passages re-based to match"))
    return best_map


class _Reader:
    def __init__(self, archive: SafeArchive, limits: Limits, speakers: str) -> None:
        self.archive = archive
        self.limits = limits
        self.speakers = speakers
        self.content = QdpxContent()
        self.extras: dict[str, Any] = {}
        self.extra_documents: dict[str | None, Any] = {}
        # Coder's own files count code points of the stored text: nothing to guess.
        self.literal_positions = False
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    # ---------------------------------------------------------------- paths

    def member_for(self, path: str | None) -> str | None:
        """The archive member a REFI path names, or None (external files are never read)."""
        if not path:
            return None
        p = path.strip()
        for scheme in ("internal://", "relative://", "absolute://", "file://"):
            if p.lower().startswith(scheme):
                p = p[len(scheme) :]
                break
        p = unquote(p).replace("\\", "/").lstrip("/")
        if not p:
            return None
        base = PurePosixPath(p).name
        for candidate in (f"sources/{p}", p, f"sources/{base}"):
            hit = self.archive.find(candidate)
            if hit:
                return hit
        return self.archive.find_basename(base)

    def read_member_text(self, member: str, what: str) -> str:
        data = self.archive.read(member)
        return _decode(data, what, self.content.warnings)

    def read_rich(self, member: str) -> tuple[str, list[Turn]] | str:
        """Text and turns of a .docx/.pdf/... member through Coder's importers, or why not.

        The bytes go to a private temporary folder under a fixed name of our own: the member's
        name is never used as a path.
        """
        from coder.core.importers import read_document, supported_extensions

        suffix = PurePosixPath(member).suffix.lower()
        if suffix not in supported_extensions():
            return f"its text is a {suffix or 'nameless'} file, which Coder cannot read"
        try:
            data = self.archive.read(member)
        except ExchangeError as e:
            return f"its {suffix} file cannot be read ({str(e).split(': ', 1)[-1]})"
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="coder-refi-")
        target = Path(self._tmp.name) / f"source{suffix}"
        target.write_bytes(data)
        try:
            if data[:4] == b"PK\x03\x04":
                # .docx/.odt are zip files too: the same limits apply before any reader opens it.
                SafeArchive(target, self.limits).close()
            doc = read_document(target, speakers=self.speakers)
        except CoderError as e:
            return f"its {suffix} text could not be read ({str(e).split(': ', 1)[-1]})"
        finally:
            target.unlink(missing_ok=True)
        return doc.text, list(doc.turns)

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()

    # ---------------------------------------------------------------- elements

    def read_project(self, root: Any, progress: Progress | None) -> QdpxContent:
        c = self.content
        c.name = root.get("name") or ""
        c.origin = root.get("origin") or ""
        self.literal_positions = c.origin.startswith("Coder ") or bool(self.extras)
        docs = self.extras.get("documents")
        if isinstance(docs, dict):
            self.extra_documents = {norm_guid(k): v for k, v in docs.items()}
        c.creating_user = norm_guid(root.get("creatingUserGUID"))
        users = child(root, "Users")
        for u in children(users, "User") if users is not None else []:
            g = norm_guid(u.get("guid"))
            if g:
                c.users.append((g, (u.get("name") or u.get("id") or "").strip()))
        book = child(root, "CodeBook")
        codes = child(book, "Codes") if book is not None else None
        if codes is not None:
            c.codes = read_codes(codes, c.skipped)
        variables = child(root, "Variables")
        for v in children(variables, "Variable") if variables is not None else []:
            g = norm_guid(v.get("guid"))
            name = (v.get("name") or "").strip()
            if not g or not name:
                c.skipped.append((f"variable '{name}'", "it has no GUID or no name"))
                continue
            c.variables[g] = (name, v.get("typeOfVariable") or "Text")
        scopes = self.extras.get("attributes")
        if isinstance(scopes, dict):
            c.scopes = {
                norm_guid(k) or "": v for k, v in scopes.items() if v in ("case", "document")
            }
        cases = child(root, "Cases")
        for el in children(cases, "Case") if cases is not None else []:
            g = norm_guid(el.get("guid"))
            if not g:
                c.skipped.append((f"case '{el.get('name') or ''}'", "it has no GUID"))
                continue
            case = CaseIn(g, (el.get("name") or "").strip(), child_text(el, "Description") or "",
                          self.values(el), _refs(el, "SourceRef"), _refs(el, "SelectionRef"))  # fmt: skip
            if children(el, "CodeRef"):
                c.skipped.append((f"case '{case.name}'",
                                  "codes linked to a case are not kept (Coder codes passages)"))  # fmt: skip
            c.cases.append(case)
        sources = child(root, "Sources")
        items = list(sources) if sources is not None else []
        for i, el in enumerate(items):
            self.read_source(el)
            if progress is not None and progress(i + 1, len(items), el.get("name") or "") is False:
                c.cancelled = True
                return c
        notes = child(root, "Notes")
        for el in children(notes, "Note") if notes is not None else []:
            g = norm_guid(el.get("guid"))
            if not g:
                continue
            text = child_text(el, "PlainTextContent")
            if text is None:
                member = self.member_for(el.get("plainTextPath"))
                text = normalise(self.read_member_text(member, "note")) if member else ""
            desc = child_text(el, "Description")
            if desc and desc.strip() and desc not in text:
                text = merge_text(desc, text)
            c.notes[g] = NoteIn(g, (el.get("name") or "").strip(), text,
                                _attr_dt(el, "creationDateTime"), _attr_dt(el, "modifiedDateTime"))  # fmt: skip
        sets = child(root, "Sets")
        for el in children(sets, "Set") if sets is not None else []:
            name = " ".join((el.get("name") or "").split())
            members = _refs(el, "MemberSource")
            if members and name:
                c.groups.append((name, members))
            if children(el, "MemberCode") or children(el, "MemberNote"):
                c.skipped.append((f"set '{name}'",
                                  "Coder groups documents only (codes and notes in sets are not kept)"))  # fmt: skip
        c.description = child_text(root, "Description") or ""
        c.project_note_refs = _refs(root)
        for kind in ("Links", "Graphs"):
            el = child(root, kind)
            if el is not None and len(el):
                c.skipped.append((f"{len(el)} {kind.lower()}", "Coder has no place for them"))
        return c

    def values(self, el: Any) -> list[ValueIn]:
        out = []
        for vv in children(el, "VariableValue"):
            ref = child(vv, "VariableRef")
            g = norm_guid(ref.get("targetGUID")) if ref is not None else None
            value_el = next((x for x in vv if localname(x).endswith("Value")), None)
            if g is None or value_el is None:
                continue
            out.append(
                ValueIn(g, localname(value_el)[: -len("Value")], "".join(value_el.itertext()))
            )
        return out

    def read_source(self, el: Any) -> None:
        c = self.content
        kind = localname(el)
        name = (el.get("name") or "").strip()
        label = f"source '{name or el.get('guid') or '?'}'"
        guid = norm_guid(el.get("guid"))
        if guid is None:
            c.skipped.append((label, "it has no GUID"))
            return
        text_el = el
        if kind == "PDFSource":
            rep = child(el, "Representation")
            text_el = rep if rep is not None else el
            for _ in children(el, "PDFSelection"):
                c.skipped.append((label, "PDF area selections are not kept (Coder codes text)"))
                break
        elif kind != "TextSource":
            c.skipped.append((label, f"{kind} is not a text source (Coder imports text)"))
            return
        extra = self.extra_documents.get(guid)
        raw: str | None = None
        unreadable = ""
        turns: list[Turn] | None = None
        source_format = ""
        inline = child_text(text_el, "PlainTextContent")
        plain_member = self.member_for(text_el.get("plainTextPath"))
        rich_member = self.member_for(text_el.get("richTextPath") or el.get("path"))
        if inline is not None:
            raw = inline
            source_format = "txt"
        elif plain_member is not None:
            try:
                raw = self.read_member_text(plain_member, label)
            except ExchangeError as e:
                unreadable = f"its text file cannot be read ({str(e).split(': ', 1)[-1]})"
            except ValueError:
                unreadable = "its text is in an encoding Coder cannot tell"
            source_format = "txt"
        posmap: Callable[[int], int] = _identity
        text = ""
        rich_failure = ""
        if rich_member is not None and (raw is None or not normalise(raw).strip()):
            # NVivo writes empty .txt files next to the .docx that has the text.
            rich = self.read_rich(rich_member)
            if isinstance(rich, str):
                rich_failure = rich
            elif rich[0].strip() or raw is None:
                raw = None
                text, turns = rich
                source_format = PurePosixPath(rich_member).suffix.lstrip(".").lower()
                if children(text_el, "PlainTextSelection"):
                    c.warnings.append(
                        (label, "text taken from its rich-text file; check that passages line up")
                    )
        if raw is None and turns is None:
            if unreadable or rich_failure:
                c.skipped.append((label, unreadable or rich_failure))
                return
            where = text_el.get("plainTextPath") or text_el.get("richTextPath") or el.get("path")
            why = f"its text ({where}) is not inside the file" if where else "it has no text"
            c.skipped.append((label, why))
            return
        if raw is not None:
            text = normalise(raw)
            spans = [(_int(s.get("startPosition")), _int(s.get("endPosition")))
                     for s in children(text_el, "PlainTextSelection")]  # fmt: skip
            spans = [(s, e) for s, e in spans if s is not None and e is not None]
            if not self.literal_positions and _needs_rebase(raw, text):
                posmap = _rebase(raw, text, spans, label, c.warnings)
            elif raw != text:
                posmap = _OffsetMap(raw)
            if not text.strip():
                c.warnings.append(
                    (label, "it has no text" + (f"; {rich_failure}" if rich_failure else ""))
                )
        if turns is None:
            turns = self._extra_turns(extra, text, label)
        if turns is None:
            turns = detect_turns(text) if self.speakers == "auto" else []
        src = SourceIn(
            guid=guid,
            name=name or (PurePosixPath(plain_member or rich_member or "Document").stem),
            text=text,
            turns=turns,
            created_at=_attr_dt(el, "creationDateTime"),
            user=norm_guid(el.get("creatingUser")),
            source_name=str(extra.get("source_name", ""))
            if extra
            else (PurePosixPath(rich_member).name if rich_member else ""),
            source_format=str(extra.get("source_format", "")) if extra else source_format,
            note_refs=_refs(el) + ([] if text_el is el else _refs(text_el)),
            description=child_text(el, "Description") or "",
            values=self.values(el),
        )
        clamped = 0
        for s in children(text_el, "PlainTextSelection"):
            start, end = _int(s.get("startPosition")), _int(s.get("endPosition"))
            sel_label = f"passage {s.get('startPosition')}-{s.get('endPosition')} in '{src.name}'"
            if start is None or end is None or start < 0 or end < 0:
                c.skipped.append((sel_label, "its positions are not numbers of 0 or more"))
                continue
            start, end = posmap(start), posmap(end)
            if end > len(text):
                clamped += 1
                end = len(text)
            if start >= end:
                c.skipped.append((sel_label, "it is empty or lies past the end of the text"))
                continue
            sel = SelectionIn(
                norm_guid(s.get("guid")), start, end, norm_guid(s.get("creatingUser")),
                _attr_dt(s, "creationDateTime"), [], _refs(s), child_text(s, "Description") or "",
            )  # fmt: skip
            for cd in children(s, "Coding"):
                sel.codings.append(self.coding(cd))
            src.selections.append(sel)
        if clamped:
            c.warnings.append(
                (
                    label,
                    f"{clamped} passage(s) ran past the end of the text and were cut at its end",
                )
            )
        whole = children(text_el, "Coding")
        if whole and text:
            sel = SelectionIn(None, 0, len(text), None, None, [self.coding(cd) for cd in whole])
            src.selections.append(sel)
        c.sources.append(src)

    def coding(self, el: Any) -> CodingIn:
        ref = child(el, "CodeRef")
        return CodingIn(
            norm_guid(el.get("guid")),
            norm_guid(ref.get("targetGUID")) if ref is not None else None,
            norm_guid(el.get("creatingUser")),
            _attr_dt(el, "creationDateTime"),
            _refs(el),
        )

    def _extra_turns(self, extra: Any, text: str, label: str) -> list[Turn] | None:
        if not isinstance(extra, dict) or not isinstance(extra.get("turns"), list):
            return None
        out = []
        try:
            for t in extra["turns"]:
                speaker, start, end, ts, te = t
                if not (
                    isinstance(start, int)
                    and isinstance(end, int)
                    and 0 <= start <= end <= len(text)
                ):
                    raise ValueError
                out.append(Turn(None if speaker is None else str(speaker), start, end,
                                None if ts is None else float(ts), None if te is None else float(te)))  # fmt: skip
        except (TypeError, ValueError):
            self.content.warnings.append(
                (label, "its stored speaker turns are damaged; detected again")
            )
            return None
        return out


def _identity(pos: int) -> int:
    return pos


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        try:
            f = float(value)
        except ValueError:
            return None
        return int(f) if f == f and abs(f) < 2**62 else None


def _find_qde(archive: SafeArchive) -> str:
    names = archive.names()
    top = [n for n in names if "/" not in n and n.lower().endswith(".qde")]
    for n in top:
        if n.lower() == "project.qde":
            return n
    if len(top) >= 1:
        return sorted(top)[0]
    nested = [n for n in names if n.lower().endswith(".qde")]
    if len(nested) == 1:
        return nested[0]
    raise ExchangeError(
        f"{archive.path.name} is not a REFI-QDA project: it has no project.qde inside"
    )


def read_qdpx(
    path: str | Path, limits: Limits = DEFAULT_LIMITS, progress: Progress | None = None,
    speakers: str = "auto",
) -> QdpxContent:  # fmt: skip
    """Read a .qdpx into memory (pure: no project involved; safe for a worker thread)."""
    path = Path(path)
    with SafeArchive(path, limits) as archive:
        qde = _find_qde(archive)
        data = archive.read(qde, limits.max_xml_bytes)
        root = parse_xml(data, f"{path.name} ({qde})", limits.max_xml_bytes)
        if localname(root) != "Project":
            raise ExchangeError(
                f"{path.name} is not a REFI-QDA project (the root of {qde} is <{localname(root)}>)"
            )
        reader = _Reader(archive, limits, speakers)
        member = archive.find(EXTRAS_MEMBER)
        if member:
            try:
                extras = json.loads(archive.read(member, 256 * 1024 * 1024))
                if isinstance(extras, dict) and extras.get("format") == EXTRAS_FORMAT:
                    reader.extras = extras
            except (ValueError, RecursionError, ExchangeError):
                reader.content.warnings.append(
                    (EXTRAS_MEMBER, "damaged; speaker turns detected again")
                )
        try:
            return reader.read_project(root, progress)
        finally:
            reader.close()


# =========================================================================== import: writing


class _Writer:
    def __init__(self, project: Project, content: QdpxContent, result: ImportResult) -> None:
        self.p = project
        self.db = project.db
        self.c = content
        self.r = result
        self.users: dict[str, int] = {}
        self.docs: dict[str, int] = {}  # source GUID -> document id
        self.selections: dict[str, tuple[int, int, int]] = {}  # selection GUID -> (doc, start, end)
        self.notes_used: set[str] = set()
        self.doc_names: dict[int, str] = {}
        self.code_map: dict[str, int] = {}  # file code GUID -> code id
        self._codings: dict[str, tuple[int, int, int, int]] | None = None  # GUID -> what it codes

    def note_text(self, refs: list[str]) -> str:
        texts = []
        for g in refs:
            n = self.c.notes.get(g)
            if n is not None:
                self.notes_used.add(g)
                if n.text:
                    texts.append(n.text)
        return "\n\n".join(texts)

    # ---------------------------------------------------------------- coders

    def coders(self) -> None:
        by_guid = {g.lower(): i for i, g in self.db.execute("SELECT id, guid FROM coders")}
        by_name = {n: i for i, n in self.db.execute("SELECT id, name FROM coders")}
        for guid, name in self.c.users:
            if guid in by_guid:
                self.users[guid] = by_guid[guid]
                self.r.count("coders", matched=True)
                continue
            name = name or f"User {guid[:8]}"
            if name in by_name:
                self.users[guid] = by_name[name]
                self.r.count("coders", matched=True)
                continue
            cid: int = self.db.execute(
                "INSERT INTO coders (guid, name) VALUES (?, ?)", [guid, name]
            ).lastrowid
            by_guid[guid] = by_name[name] = self.users[guid] = cid
            self.r.count("coders")

    def coder_for(self, *guids: str | None) -> int:
        for g in guids:
            if g and g in self.users:
                return self.users[g]
        return self.p.services.coders.ensure_coder(None)

    # ---------------------------------------------------------------- attributes

    def attributes(self) -> dict[tuple[str, str], int]:
        """(variable GUID, scope) -> attribute id, for every scope the file uses it in."""
        used: dict[str, list[str]] = {}
        for case in self.c.cases:
            for v in case.values:
                used.setdefault(v.var_guid, [])
                if "case" not in used[v.var_guid]:
                    used[v.var_guid].append("case")
        for src in self.c.sources:
            for v in src.values:
                used.setdefault(v.var_guid, [])
                if "document" not in used[v.var_guid]:
                    used[v.var_guid].append("document")
        out: dict[tuple[str, str], int] = {}
        existing = [dict(r) for r in self.db.query("SELECT * FROM attributes")]
        for guid, (name, vtype) in self.c.variables.items():
            scopes = used.get(guid) or [self.c.scopes.get(guid, "case")]
            for n, scope in enumerate(scopes):
                hit = next(
                    (a for a in existing if a["guid"].lower() == guid and a["scope"] == scope), None
                )
                if hit is None:
                    hit = next(
                        (a for a in existing if a["name"] == name and a["scope"] == scope), None
                    )
                if hit is not None:
                    out[(guid, scope)] = hit["id"]
                    self.r.count("attributes", matched=True)
                    continue
                taken = any(a["guid"].lower() == guid for a in existing)
                attr_guid = guid if not taken and n == 0 else derived_guid("attribute", guid, scope)
                pos = sum(1 for a in existing if a["scope"] == scope)
                row = {"guid": attr_guid, "name": name, "scope": scope,
                       "type": _VAR_TYPES.get(vtype, "text"), "position": pos}  # fmt: skip
                aid = self.db["attributes"].insert(row).last_pk
                existing.append({**row, "id": aid})
                out[(guid, scope)] = aid
                self.r.count("attributes")
        return out

    def set_values(self, attrs: dict[tuple[str, str], int], scope: str, owner: int,
                   values: list[ValueIn], owner_label: str) -> None:  # fmt: skip
        for v in values:
            aid = attrs.get((v.var_guid, scope))
            if aid is None:
                self.r.skipped.append(
                    (
                        f"value of an unknown variable on {owner_label}",
                        "the variable is not declared",
                    )
                )
                continue
            col = "case_id" if scope == "case" else "document_id"
            row = self.db.execute(
                f"SELECT value FROM attribute_values WHERE attribute_id = ? AND {col} = ?",
                [aid, owner],
            ).fetchone()
            try:
                if row is not None:
                    type_ = self.db.execute(
                        "SELECT type FROM attributes WHERE id = ?", [aid]
                    ).fetchone()[0]
                    if canonical_value(v.raw, type_) == row[0]:
                        self.r.count("values", matched=True)
                        continue
                self.p.set_attribute_value(aid, owner, v.raw)
            except InvalidValue as e:
                self.r.skipped.append((f"value '{v.raw}' on {owner_label}", str(e)))
                continue
            self.r.count("values")

    # ---------------------------------------------------------------- documents

    def sources(self, progress: Progress | None) -> None:
        by_guid = {g.lower(): i for i, g in self.db.execute("SELECT id, guid FROM documents")}
        for n, src in enumerate(self.c.sources):
            label = f"document '{src.name}'"
            doc_id = by_guid.get(src.guid)
            memo = merge_text(self.note_text(src.note_refs), src.description)
            if doc_id is not None:
                if self.p.document_text(doc_id) != src.text:
                    self.r.skipped.append(
                        (
                            label,
                            "a different document with the same GUID is in the project; "
                            "it was not overwritten",
                        )  # fmt: skip
                    )
                    continue
                self.r.count("documents", matched=True)
                row = self.p.row("documents", doc_id)
                new_memo = merge_text(row["memo"], memo)
                if new_memo != row["memo"]:
                    self.db.execute(
                        "UPDATE documents SET memo = ? WHERE id = ?", [new_memo, doc_id]
                    )
            else:
                doc_id = self.p.services.documents.insert_document(
                    src.name, src.text, src.turns or [], src.source_name,
                    src.source_format, src.guid, "", memo,
                )  # fmt: skip
                if src.created_at:
                    self.db.execute(
                        "UPDATE documents SET imported_at = ? WHERE id = ?",
                        [src.created_at, doc_id],
                    )
                by_guid[src.guid] = doc_id  # the same GUID twice in one file is one document
                self.r.count("documents")
                stored = self.db.execute(
                    "SELECT name FROM documents WHERE id = ?", [doc_id]
                ).fetchone()[0]
                if stored != src.name.strip():
                    self.r.warnings.append((label, f"imported as '{stored}': the name was taken"))
            self.docs[src.guid] = doc_id
            self.doc_names[doc_id] = self.db.execute(
                "SELECT name FROM documents WHERE id = ?", [doc_id]
            ).fetchone()[0]
            self.codings(src, doc_id)
            if progress is not None and progress(n + 1, len(self.c.sources), src.name) is False:
                raise ImportCancelled("the import was cancelled; the project is unchanged")

    def codings(self, src: SourceIn, doc_id: int) -> None:
        if self._codings is None:
            self._codings = {
                r[0].lower(): (r[1], r[2], r[3], r[4])
                for r in self.db.execute(
                    'SELECT guid, document_id, code_id, start, "end" FROM codings'
                )
            }
        existing = self._codings
        for sel in src.selections:
            if sel.guid:
                self.selections[sel.guid] = (doc_id, sel.start, sel.end)
            if not sel.codings:
                if sel.note_refs:
                    # Coder annotates coded passages only: such a note is kept as a free memo.
                    self.r.warnings.append(
                        (f"note on passage {sel.start}-{sel.end} in '{src.name}'",
                         "the passage is not coded; the note was kept as a free memo"))  # fmt: skip
                continue
            sel_memo = merge_text(self.note_text(sel.note_refs), sel.description)
            for cd in sel.codings:
                label = f"coding in '{src.name}' {sel.start}-{sel.end}"
                code_id = self.code_map.get(cd.code_guid or "")
                if code_id is None:
                    self.r.skipped.append((label, "its code is not in the codebook"))
                    continue
                memo = merge_text(self.note_text(cd.note_refs), sel_memo)
                guid = cd.guid
                if guid and guid in existing:
                    if existing[guid] == (doc_id, code_id, sel.start, sel.end):
                        self.r.count("codings", matched=True)
                        continue
                    self.r.skipped.append(
                        (label, "a different coding with the same GUID is in the project")
                    )
                    continue
                guid = guid or new_guid()
                self.db.execute(
                    'INSERT INTO codings (guid, document_id, code_id, coder_id, start, "end", '
                    "created_at, memo) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [guid, doc_id, code_id, self.coder_for(cd.user, sel.user, src.user,
                                                           self.c.creating_user),
                     sel.start, sel.end, cd.created_at or sel.created_at or now(), memo],
                )  # fmt: skip
                existing[guid] = (doc_id, code_id, sel.start, sel.end)
                self.r.count("codings")

    # ---------------------------------------------------------------- cases

    def cases(self, attrs: dict[tuple[str, str], int]) -> None:
        by_guid = {g.lower(): i for i, g in self.db.execute("SELECT id, guid FROM cases")}
        by_name = {n: i for i, n in self.db.execute("SELECT id, name FROM cases")}
        for case in self.c.cases:
            name = case.name or f"Case {case.guid[:8]}"
            case_id = by_guid.get(case.guid) or by_name.get(name)
            if case_id is not None:
                row = self.p.row("cases", case_id)
                memo = merge_text(row["memo"], case.description)
                if memo != row["memo"]:
                    self.db.execute("UPDATE cases SET memo = ? WHERE id = ?", [memo, case_id])
                self.r.count("cases", matched=True)
            else:
                case_id = self.db.execute(
                    "INSERT INTO cases (guid, name, memo) VALUES (?, ?, ?)",
                    [case.guid, name, case.description],
                ).lastrowid
                by_guid[case.guid] = by_name[name] = case_id
                self.r.count("cases")
            self.set_values(attrs, "case", case_id, case.values, f"case '{name}'")
            for g in case.source_refs:
                doc_id = self.docs.get(g)
                if doc_id is None:
                    self.r.skipped.append(
                        (f"case '{name}' link to source {g}", "the source was not imported")
                    )
                    continue
                row = self.p.row("documents", doc_id)
                if row["case_id"] is None:
                    self.db.execute(
                        "UPDATE documents SET case_id = ? WHERE id = ?", [case_id, doc_id]
                    )
                    self.r.count("case links")
                elif row["case_id"] == case_id:
                    self.r.count("case links", matched=True)
                elif row["case_id"] != case_id:
                    # A document belongs to one case; a second case gets the whole text as a passage.
                    self._case_selection(case_id, doc_id, 0, len(self.p.document_text(doc_id)))
            for g in case.selection_refs:
                sel = self.selections.get(g)
                if sel is None:
                    self.r.skipped.append(
                        (f"case '{name}' link to passage {g}", "the passage was not imported")
                    )
                    continue
                self._case_selection(case_id, *sel)

    def _case_selection(self, case_id: int, doc_id: int, start: int, end: int) -> None:
        if end <= start:
            return
        hit = self.db.execute(
            'SELECT 1 FROM case_selections WHERE case_id = ? AND document_id = ? AND start = ? AND "end" = ?',
            [case_id, doc_id, start, end],
        ).fetchone()
        if hit:
            self.r.count("case links", matched=True)
            return
        self.db["case_selections"].insert(
            {"case_id": case_id, "document_id": doc_id, "start": start, "end": end}
        )
        self.r.count("case links")

    # ---------------------------------------------------------------- groups, memos

    def groups(self) -> None:
        for name, members in self.c.groups:
            for g in members:
                doc_id = self.docs.get(g)
                if doc_id is None:
                    continue
                row = self.p.row("documents", doc_id)
                if not row["group_name"]:
                    self.db.execute(
                        "UPDATE documents SET group_name = ? WHERE id = ?", [name, doc_id]
                    )
                elif row["group_name"] != name:
                    self.r.warnings.append(
                        (
                            f"document '{row['name']}'",
                            f"stays in group '{row['group_name']}', not also '{name}'",
                        )
                    )

    def memos(self) -> None:
        project_memo = merge_text(self.note_text(self.c.project_note_refs), self.c.description)
        if project_memo:
            current = self.p.memo
            merged = merge_text(current, project_memo)
            if merged != current:
                self.db.execute(
                    "INSERT INTO meta (key, value) VALUES ('memo', ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [merged],
                )  # fmt: skip
        existing = {
            r[0].lower(): (r[1], r[2], r[3])
            for r in self.db.execute("SELECT guid, id, title, text FROM memos")
        }
        for g, note in self.c.notes.items():
            if g in self.notes_used:
                continue
            if g in existing:
                _mid, title, text = existing[g]
                if (title, text) == (note.name, note.text):
                    self.r.count("memos", matched=True)
                else:
                    self.r.skipped.append(
                        (
                            f"memo '{note.name}'",
                            "a different memo with the same GUID is in the project",
                        )
                    )
                continue
            stamp = now()
            self.db["memos"].insert(
                {"guid": g, "title": note.name, "text": note.text,
                 "created_at": note.created_at or stamp,
                 "modified_at": note.modified_at or note.created_at or stamp}
            )  # fmt: skip
            self.r.count("memos")


def _skip_notes_of_skipped(content: QdpxContent, writer: _Writer) -> None:
    """Notes owned by sources that were skipped are not free memos."""
    imported = set(writer.docs)
    for src in content.sources:
        if src.guid not in imported:
            writer.notes_used.update(src.note_refs)
            for sel in src.selections:
                writer.notes_used.update(sel.note_refs)
                for cd in sel.codings:
                    writer.notes_used.update(cd.note_refs)


def apply_qdpx(project: Project, content: QdpxContent, dotted_hierarchy: bool = False,
               progress: Progress | None = None) -> ImportResult:  # fmt: skip
    """Write a read .qdpx into the project (new or merged by GUID): one transaction."""
    result = ImportResult(skipped=list(content.skipped), warnings=list(content.warnings))
    codes = split_dotted(content.codes) if dotted_hierarchy else content.codes
    with project.edit() as edit:
        w = _Writer(project, content, result)
        w.coders()
        merger = CodeMerger(project, result)
        code_memos: dict[str, str] = {}
        for g, note in content.notes.items():
            code_memos[g] = note.text

        def mark(codes_: list[CodeIn]) -> None:
            for c in codes_:
                w.notes_used.update(c.note_refs)
                mark(c.children)

        mark(codes)
        merger.merge(codes, code_memos)
        w.code_map = merger.guid_map
        attrs = w.attributes()
        w.sources(progress)
        _skip_notes_of_skipped(content, w)
        for src in content.sources:
            doc_id = w.docs.get(src.guid)
            if doc_id is not None:
                w.set_values(
                    attrs, "document", doc_id, src.values, f"document '{w.doc_names[doc_id]}'"
                )
        w.cases(attrs)
        w.groups()
        w.memos()
    result.changes = edit.changes()
    return result


def import_qdpx(
    project: Project, path: str | Path, dotted_hierarchy: bool = False,
    limits: Limits = DEFAULT_LIMITS, speakers: str = "auto",
) -> ImportResult:  # fmt: skip
    """Import a .qdpx into the project (see the module docstring); one undo step."""
    content = read_qdpx(path, limits, speakers=speakers)
    return apply_qdpx(project, content, dotted_hierarchy)
