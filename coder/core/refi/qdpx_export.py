"""Writing a whole project as a REFI-QDA project (.qdpx): see :mod:`coder.core.refi.qdpx`."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from coder.core import settings
from coder.core.errors import ExchangeError
from coder.core.files import atomic_path
from coder.core.progress import Progress, check
from coder.core.refi.qdc import ORIGIN, code_element, derived_guid, xml_text
from coder.core.refi.qdpx_names import (
    DATETIME_RE,
    EXTRAS_FORMAT,
    EXTRAS_MEMBER,
    MARKER,
    MARKER_BYTES,
    PROJECT_NS,
    T,
)
from coder.core.store import now

if TYPE_CHECKING:
    from coder.core.project import Project

CANCELLED = "export cancelled; no file was written"


@dataclass
class ExportResult:
    path: Path
    counts: dict[str, int] = field(default_factory=dict)


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
    if value and DATETIME_RE.match(value):
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


@dataclass
class Note:
    """A ``<Note>``: every Note carries its author and date (QualCoder 4.0 abandons an import at
    a Note without creationDateTime). Free memos are written as text files (plainTextPath), the
    way NVivo writes them and QualCoder reads them (as journal entries)."""

    guid: str
    name: str
    text: str
    user: str | None
    created: str
    modified: str | None = None
    as_file: bool = False  # written as sources/<guid>.txt (free memos)


def _text(value: str) -> str:
    """``value`` escaped as element text for the selection template."""
    value = xml_text(value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _memo_links(db: Any) -> dict[str, list[list[str]]]:
    """Memo GUID -> [[kind, target GUID]] for memos linked to documents, codes, codings, cases."""
    out: dict[str, list[list[str]]] = {}
    for kind, table, column in (("document", "documents", "document_id"),
                                ("code", "codes", "code_id"), ("coding", "codings", "coding_id"),
                                ("case", "cases", "case_id")):  # fmt: skip
        for memo_guid, target in db.execute(
            f"SELECT m.guid, t.guid FROM memo_links l JOIN memos m ON m.id = l.memo_id "
            f"JOIN {table} t ON t.id = l.{column} ORDER BY l.id"
        ):
            out.setdefault(memo_guid, []).append([kind, target])
    return out


def project_xml(
    project: Project, progress: Progress | None = None
) -> tuple[bytes, dict[str, str], dict, dict[str, int]]:
    """Build ``project.qde``: (xml bytes, {doc guid: text}, extras, counts).

    Raises :class:`~coder.core.progress.Cancelled` when ``progress`` asks to stop."""
    x = _ProjectXml(project)
    x.users()
    x.codebook()
    x.variables()
    x.cases()
    x.sources(progress)
    x.notes()
    x.sets()
    return x.finish(), x.texts, x.extras, x.counts


class _ProjectXml:
    """The parts of ``project.qde``, built in the schema's order."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.db = db = project.db
        self.meta = meta = dict(db.execute("SELECT key, value FROM meta"))
        self.ids = _Ids(meta.get("project_guid", ""))
        self.coders = list(db.execute("SELECT id, guid, name FROM coders ORDER BY id"))
        me = settings.coder_name()
        self.my_guid = next((guid for _cid, guid, name in self.coders if name == me), None)
        self.root = root = etree.Element(T["Project"], nsmap={None: PROJECT_NS})
        root.set("name", xml_text(project.name) or "Project")
        root.set("origin", ORIGIN)
        if self.my_guid:
            root.set("creatingUserGUID", self.my_guid)
        created = _dt_attr(meta.get("created_at"))
        if created:
            root.set("creationDateTime", created)
        stamp_now = now()
        root.set("modifiedDateTime", stamp_now)
        self.fallback_date = created or stamp_now
        self.coder_guid = {cid: guid for cid, guid, _name in self.coders}
        self.notes_: list[Note] = []
        self.counts: dict[str, int] = {}
        self.code_guid: dict[int, str] = {}
        self.attrs: list[dict] = []
        self.attr_by_id: dict[int, dict] = {}
        self.var_type: dict[int, str] = {}
        self.case_values: dict[int, list[tuple[int, str]]] = {}
        self.doc_values: dict[int, list[tuple[int, str]]] = {}
        self.docs = [dict(r) for r in db.query(
            "SELECT id, guid, name, imported_at, memo, group_name, case_id, source_name, "
            "source_format FROM documents ORDER BY id")]  # fmt: skip
        self.case_sel: list[dict] = []
        self.sel_guid: dict[int, str] = {}
        self.selections: list[bytes] = []
        self.texts: dict[str, str] = {}
        self.extras: dict[str, Any] = {}

    def note_ref(
        self,
        parent: Any,
        kind: str,
        owner_guid: str,
        owner_name: str,
        text: str,
        created: str | None = None,
    ) -> None:
        if not text:
            return
        guid = self.ids.note(kind, owner_guid)
        when = _dt_attr(created) or self.fallback_date
        self.notes_.append(Note(guid, f"Memo: {owner_name}", text, self.my_guid, when))
        etree.SubElement(parent, T["NoteRef"], targetGUID=guid)

    def users(self) -> None:
        if self.coders:
            users = etree.SubElement(self.root, T["Users"])
            for _cid, guid, name in self.coders:
                etree.SubElement(users, T["User"], guid=guid, name=xml_text(name))
        self.counts["coders"] = len(self.coders)

    def codebook(self) -> None:
        codes = [dict(r) for r in self.db.query("SELECT * FROM codes ORDER BY position, name, id")]
        self.code_guid = {c["id"]: c["guid"] for c in codes}
        if codes:
            kids: dict[int | None, list[dict]] = {}
            for c in codes:
                kids.setdefault(c["parent_id"], []).append(c)
            book = etree.SubElement(self.root, T["CodeBook"])
            codes_el = etree.SubElement(book, T["Codes"])
            seen: set[int] = set()

            def add_codes(parent: Any, parent_id: int | None, path: str) -> None:
                for c in kids.get(parent_id, []):
                    if c["id"] in seen:
                        continue
                    seen.add(c["id"])
                    code = _Row(c)
                    el = code_element(parent, T["Code"], code, memo=c["memo"])
                    cpath = f"{path}/{c['name']}" if path else c["name"]
                    self.note_ref(
                        el, "code", c["guid"], f"code {cpath}", c["memo"], c["created_at"]
                    )
                    add_codes(el, c["id"], cpath)

            add_codes(codes_el, None, "")
        self.counts["codes"] = len(codes)

    def variables(self) -> None:
        db = self.db
        self.attrs = attrs = [
            dict(r) for r in db.query("SELECT * FROM attributes ORDER BY scope, position, id")
        ]
        values_by_attr: dict[int, list[str]] = {}
        for aid, case_id, doc_id, value in db.execute(
            "SELECT v.attribute_id, v.case_id, v.document_id, v.value FROM attribute_values v "
            "JOIN attributes a ON a.id = v.attribute_id ORDER BY a.scope, a.position, a.id"
        ):
            values_by_attr.setdefault(aid, []).append(value)
            if case_id is not None:
                self.case_values.setdefault(case_id, []).append((aid, value))
            else:
                self.doc_values.setdefault(doc_id, []).append((aid, value))
        self.attr_by_id = {a["id"]: a for a in attrs}
        if attrs:
            variables = etree.SubElement(self.root, T["Variables"])
            for a in attrs:
                kind = {"text": "Text", "date": "Date", "boolean": "Boolean"}.get(a["type"])
                if kind is None:
                    kind = _number_kind(values_by_attr.get(a["id"], []))
                self.var_type[a["id"]] = kind
                etree.SubElement(variables, T["Variable"], guid=a["guid"],
                                 name=xml_text(a["name"]), typeOfVariable=kind)  # fmt: skip
        self.counts["attributes"] = len(attrs)

    def add_values(self, parent: Any, values: list[tuple[int, str]]) -> None:
        for aid, value in values:
            kind = self.var_type[aid]
            vv = etree.SubElement(parent, T["VariableValue"])
            etree.SubElement(vv, T["VariableRef"], targetGUID=self.attr_by_id[aid]["guid"])
            text = _float_text(value) if kind == "Float" else value
            etree.SubElement(vv, T[f"{kind}Value"]).text = xml_text(text)

    def cases(self) -> None:
        db, docs = self.db, self.docs
        doc_guid = {d["id"]: d["guid"] for d in docs}
        cases = [dict(r) for r in db.query("SELECT * FROM cases ORDER BY id")]
        case_sel = [
            dict(r)
            for r in db.query("SELECT * FROM case_selections_at ORDER BY document_id, start, id")
        ]
        case_guid = {c["id"]: c["guid"] for c in cases}
        sel_guid = self.sel_guid
        seen_sel: set[str] = set()
        for s in case_sel:
            g = derived_guid("case-selection", case_guid[s["case_id"]], doc_guid[s["document_id"]],
                             str(s["start"]), str(s["end"]))  # fmt: skip
            if g not in seen_sel:  # an exact duplicate link is written once
                seen_sel.add(g)
                sel_guid[s["id"]] = g
        self.case_sel = case_sel = [s for s in case_sel if s["id"] in sel_guid]
        if cases:
            cases_el = etree.SubElement(self.root, T["Cases"])
            docs_of_case: dict[int, list[str]] = {}
            for d in docs:
                if d["case_id"] is not None:
                    docs_of_case.setdefault(d["case_id"], []).append(d["guid"])
            sels_of_case: dict[int, list[str]] = {}
            for s in case_sel:
                sels_of_case.setdefault(s["case_id"], []).append(sel_guid[s["id"]])
            for c in cases:
                el = etree.SubElement(cases_el, T["Case"], guid=c["guid"],
                                      name=xml_text(c["name"]))  # fmt: skip
                if c["memo"]:
                    etree.SubElement(el, T["Description"]).text = xml_text(c["memo"])
                self.add_values(el, self.case_values.get(c["id"], []))
                for g in docs_of_case.get(c["id"], []):
                    etree.SubElement(el, T["SourceRef"], targetGUID=g)
                for g in sels_of_case.get(c["id"], []):
                    etree.SubElement(el, T["SelectionRef"], targetGUID=g)
        self.counts["cases"] = len(cases)

    def sources(self, progress: Progress | None) -> None:
        """The documents with their selections."""
        db, docs = self.db, self.docs
        extras: dict[str, Any] = {
            "format": EXTRAS_FORMAT, "version": 1, "documents": {},
            "attributes": {a["guid"]: a["scope"] for a in self.attrs},
        }  # fmt: skip
        self.extras = extras
        turns_by_doc: dict[int, list] = {}
        for r in db.execute(
            'SELECT document_id, speaker, start, "end", time_start, time_end FROM turns_at '
            "ORDER BY document_id, start, id"
        ):
            turns_by_doc.setdefault(r[0], []).append(list(r[1:]))
        codings_by_doc: dict[int, list] = {}
        for r in db.execute(
            'SELECT document_id, guid, code_id, coder_id, start, "end", created_at, memo '
            'FROM codings_at ORDER BY document_id, start, "end", id'
        ):
            codings_by_doc.setdefault(r[0], []).append(r)
        sel_by_doc: dict[int, list[dict]] = {}
        for s in self.case_sel:
            sel_by_doc.setdefault(s["document_id"], []).append(s)
        self.annotations_by_doc: dict[int, list[dict]] = {}
        for r in db.query('SELECT * FROM annotations_at ORDER BY document_id, start, "end", id'):
            self.annotations_by_doc.setdefault(r["document_id"], []).append(dict(r))
        self.n_codings = self.n_annotations = 0
        coder_attr = {cid: _esc(guid) for cid, guid, _name in self.coders}
        code_attr = {k: _esc(v) for k, v in self.code_guid.items()}
        if docs:
            sources = etree.SubElement(self.root, T["Sources"])
            for i, d in enumerate(docs):
                src = self.source_element(sources, d)
                self.selections.append(
                    self.selections_xml(d, codings_by_doc, sel_by_doc, coder_attr, code_attr)
                )
                guid = d["guid"]
                self.note_ref(src, "document", guid, d["name"], d["memo"], d["imported_at"])
                self.add_values(src, self.doc_values.get(d["id"], []))
                self.texts[guid] = self.project.document_text(d["id"])
                extras["documents"][guid] = {
                    "source_name": d["source_name"],
                    "source_format": d["source_format"],
                    "turns": turns_by_doc.get(d["id"], []),
                }
                check(progress, i + 1, len(docs), d["name"], CANCELLED)
        self.counts["documents"] = len(docs)
        self.counts["codings"] = self.n_codings
        self.counts["annotations"] = self.n_annotations

    def source_element(self, sources: Any, d: dict) -> Any:
        guid = d["guid"]
        attrs_ = {
            "guid": guid,
            "name": xml_text(d["name"]),
            "plainTextPath": f"internal://{guid}.txt",
        }
        if self.my_guid:
            attrs_["creatingUser"] = self.my_guid
        stamp = _dt_attr(d["imported_at"])
        if stamp:
            attrs_["creationDateTime"] = stamp
        src = etree.SubElement(sources, T["TextSource"], attrs_)
        if d["memo"]:  # also as the Description, which tools like QualCoder read
            etree.SubElement(src, T["Description"]).text = xml_text(d["memo"])
        # Selections are the bulk of a project (three elements per coding): they are
        # written by a template with escaped values and spliced in at this marker, which
        # is several times faster than building the elements one by one.
        etree.SubElement(src, T[MARKER])
        return src

    def selections_xml(
        self,
        d: dict,
        codings_by_doc: dict[int, list],
        sel_by_doc: dict[int, list[dict]],
        coder_attr: dict[int, str],
        code_attr: dict[int, str],
    ) -> bytes:
        parts: list[str] = []
        for row in codings_by_doc.get(d["id"], ()):
            _doc, cguid, code_id, coder_id, start, end, created_at, memo = row
            user = coder_attr[coder_id]
            stamp = _dt_attr(created_at)
            when = f' creationDateTime="{stamp}"' if stamp else ""
            g = _esc(cguid)
            note = desc = ""
            if memo:
                note_guid = self.ids.note("coding", cguid)
                title = f"Memo: coding in {d['name']} {start}-{end}"
                self.notes_.append(Note(note_guid, title, memo, self.coder_guid[coder_id],
                                        stamp or self.fallback_date))  # fmt: skip
                note = f'<NoteRef targetGUID="{_esc(note_guid)}"/>'
                desc = f"<Description>{_text(memo)}</Description>"
            parts.append(
                f'<PlainTextSelection guid="{self.ids.selection(cguid)}" startPosition="{start}" '
                f'endPosition="{end}" creatingUser="{user}"{when}>{desc}<Coding guid="{g}" '
                f'creatingUser="{user}"{when}><CodeRef targetGUID="{code_attr[code_id]}"/>'
                f"{note}</Coding></PlainTextSelection>"
            )
            self.n_codings += 1
        parts += self.annotations_xml(d, coder_attr)
        for s in sel_by_doc.get(d["id"], ()):
            parts.append(
                f'<PlainTextSelection guid="{self.sel_guid[s["id"]]}" '
                f'startPosition="{s["start"]}" endPosition="{s["end"]}"/>'
            )
        return "".join(parts).encode("utf-8")

    def annotations_xml(self, d: dict, coder_attr: dict[int, str]) -> list[str]:
        """Annotations: selections with no coding, the note as Description and as a Note."""
        parts = []
        for a in self.annotations_by_doc.get(d["id"], ()):
            note_guid = self.ids.note("annotation", a["guid"])
            created = _dt_attr(a["created_at"]) or self.fallback_date
            self.notes_.append(Note(note_guid, f"Annotation in {d['name']}", a["text"],
                                    self.coder_guid[a["coder_id"]], created,
                                    _dt_attr(a["modified_at"])))  # fmt: skip
            parts.append(
                f'<PlainTextSelection guid="{_esc(a["guid"])}" startPosition="{a["start"]}" '
                f'endPosition="{a["end"]}" creatingUser="{coder_attr[a["coder_id"]]}" '
                f'creationDateTime="{created}"><Description>{_text(a["text"])}</Description>'
                f'<NoteRef targetGUID="{note_guid}"/></PlainTextSelection>'
            )
            self.n_annotations += 1
        return parts

    def notes(self) -> None:
        """Memos of the project, documents, codes, codings, annotations; free memos."""
        notes = self.notes_
        memos = [dict(r) for r in self.db.query("SELECT * FROM memos ORDER BY created_at, id")]
        project_memo = self.meta.get("memo", "")
        if project_memo:
            notes.insert(0, Note(self.ids.note("project", project_memo), "Project memo",
                                 project_memo, self.my_guid, self.fallback_date))  # fmt: skip
        for m in memos:
            author = self.coder_guid.get(m["coder_id"]) if m["coder_id"] is not None else None
            notes.append(Note(m["guid"], m["title"] or "Memo", m["text"], author,
                              _dt_attr(m["created_at"]) or self.fallback_date,
                              _dt_attr(m["modified_at"]), as_file=True))  # fmt: skip
        self.counts["memos"] = len(memos)
        links = _memo_links(self.db)
        if links:
            self.extras["memo_links"] = links
        if notes:
            notes_el = etree.SubElement(self.root, T["Notes"])
            for note in notes:
                attrs_ = {"guid": note.guid, "name": xml_text(note.name)}
                if note.as_file:
                    attrs_["plainTextPath"] = f"internal://{note.guid}.txt"
                    self.texts[f"note:{note.guid}"] = note.text
                if note.user:
                    attrs_["creatingUser"] = note.user
                attrs_["creationDateTime"] = note.created
                if note.modified:
                    attrs_["modifiedDateTime"] = note.modified
                n = etree.SubElement(notes_el, T["Note"], attrs_)
                if not note.as_file:
                    etree.SubElement(n, T["PlainTextContent"]).text = xml_text(note.text)

    def sets(self) -> None:
        """Document groups."""
        groups: dict[str, list[str]] = {}
        for d in self.docs:
            if d["group_name"]:
                groups.setdefault(d["group_name"], []).append(d["guid"])
        if groups:
            sets = etree.SubElement(self.root, T["Sets"])
            for name in sorted(groups):
                s = etree.SubElement(sets, T["Set"], guid=derived_guid("group", name),
                                     name=xml_text(name))  # fmt: skip
                for g in groups[name]:
                    etree.SubElement(s, T["MemberSource"], targetGUID=g)
        project_memo = self.meta.get("memo", "")
        if project_memo:
            etree.SubElement(self.root, T["Description"]).text = xml_text(project_memo)
            etree.SubElement(
                self.root, T["NoteRef"], targetGUID=self.ids.note("project", project_memo)
            )

    def finish(self) -> bytes:
        """The XML with each document's selections spliced in at its marker."""
        xml = etree.tostring(self.root, xml_declaration=True, encoding="UTF-8")
        pieces = xml.split(MARKER_BYTES)
        if len(pieces) != len(self.selections) + 1:  # the marker is ours
            raise ExchangeError("internal error while writing the selections")
        out = [pieces[0]]
        for sel, rest in zip(self.selections, pieces[1:], strict=True):
            out += [sel, rest]
        return b"".join(out)


class _Row:
    """A codes row with attribute access (for code_element)."""

    def __init__(self, row: dict) -> None:
        self.__dict__.update(row)


def export_qdpx(
    project: Project, path: str | Path, progress: Progress | None = None
) -> ExportResult:
    """Write the whole project as a .qdpx file (atomically: a cancelled export leaves nothing
    and raises :class:`~coder.core.progress.Cancelled`)."""
    path = Path(path)
    xml, texts, extras, counts = project_xml(project, progress)
    result = ExportResult(path, counts)

    with (
        atomic_path(path) as tmp,
        zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z,
    ):
        z.writestr("project.qde", xml)
        for guid, text in texts.items():
            z.writestr(f"sources/{guid.removeprefix('note:')}.txt", text.encode("utf-8"))
        z.writestr(EXTRAS_MEMBER, json.dumps(extras, ensure_ascii=False).encode("utf-8"))
    return result
