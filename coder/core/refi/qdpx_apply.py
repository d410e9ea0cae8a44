"""Writing a read REFI-QDA project into a Coder project: see :mod:`coder.core.refi.qdpx`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coder.core import anchors
from coder.core.attributes import canonical_value
from coder.core.errors import InvalidValue
from coder.core.progress import Progress, check
from coder.core.refi.qdc import (
    CodeIn,
    CodeMerger,
    ImportResult,
    derived_guid,
    merge_text,
    split_dotted,
)
from coder.core.refi.qdpx_names import VAR_TYPES
from coder.core.refi.qdpx_read import QdpxContent, SelectionIn, SourceIn, ValueIn
from coder.core.store import new_guid, now

if TYPE_CHECKING:
    from coder.core.project import Project

CANCELLED = "the import was cancelled; the project is unchanged"


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
        self._annotations: dict[str, tuple[int, int, int]] | None = None  # GUID -> where

    def note_text(self, refs: list[str]) -> str:
        texts = []
        for g in refs:
            n = self.c.notes.get(g)
            if n is not None:
                self.notes_used.add(g)
                if n.text:
                    texts.append(n.text)
        return "\n\n".join(texts)

    def name_conflict(self, kind: str, mine: str, theirs: str) -> None:
        """An object of the project matched by GUID whose name the file gives differently: a
        listed conflict; the project's name is kept (never renamed silently)."""
        if theirs and theirs != mine:
            self.r.conflicts.append(
                (f"{kind} '{mine}'", f"the file has '{theirs}' under its GUID; '{mine}' kept")
            )

    # ---------------------------------------------------------------- coders

    def coders(self) -> None:
        by_guid = {g.lower(): i for i, g in self.db.execute("SELECT id, guid FROM coders")}
        by_name = {n: i for i, n in self.db.execute("SELECT id, name FROM coders")}
        names = {i: n for n, i in by_name.items()}
        for guid, name in self.c.users:
            if guid in by_guid:
                self.users[guid] = by_guid[guid]
                self.r.count("coders", matched=True)
                self.name_conflict("coder", names[by_guid[guid]], name)
                continue
            name = name or f"User {guid[:8]}"
            if name in by_name:
                self.users[guid] = by_name[name]
                self.r.count("coders", matched=True)
                continue
            cid = self.p.insert("coders", {"guid": guid, "name": name})
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
                else:
                    self.name_conflict(f"{scope} attribute", hit["name"], name)
                if hit is not None:
                    out[(guid, scope)] = hit["id"]
                    self.r.count("attributes", matched=True)
                    continue
                taken = any(a["guid"].lower() == guid for a in existing)
                attr_guid = guid if not taken and n == 0 else derived_guid("attribute", guid, scope)
                pos = sum(1 for a in existing if a["scope"] == scope)
                row = {"guid": attr_guid, "name": name, "scope": scope,
                       "type": VAR_TYPES.get(vtype, "text"), "position": pos}  # fmt: skip
                aid = self.p.insert("attributes", row)
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
                row = self.p.required_row("documents", doc_id)
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
            check(progress, n + 1, len(self.c.sources), src.name, CANCELLED)

    def codings(self, src: SourceIn, doc_id: int) -> None:
        if self._codings is None:
            self._codings = {
                r[0].lower(): (r[1], r[2], r[3], r[4])
                for r in self.db.execute(
                    'SELECT guid, document_id, code_id, start, "end" FROM codings_at'
                )
            }
        existing = self._codings
        for sel in src.selections:
            if sel.guid:
                self.selections[sel.guid] = (doc_id, sel.start, sel.end)
            if not sel.codings:
                if sel.note_refs or sel.description.strip():
                    self.annotation(src, doc_id, sel)
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
                anchors.insert(
                    self.db,
                    "codings",
                    ["guid", "document_id", "code_id", "coder_id", "start", "end", "created_at",
                     "memo"],
                    [[guid, doc_id, code_id, self.coder_for(cd.user, sel.user, src.user,
                                                            self.c.creating_user),
                      sel.start, sel.end, cd.created_at or sel.created_at or now(), memo]],
                )  # fmt: skip
                existing[guid] = (doc_id, code_id, sel.start, sel.end)
                self.r.count("codings")

    def annotation(self, src: SourceIn, doc_id: int, sel: SelectionIn) -> None:
        """A note on an uncoded passage: an annotation (merged by GUID)."""
        text = merge_text(self.note_text(sel.note_refs), sel.description)
        if not text.strip() and not any(g in self.c.notes for g in sel.note_refs):
            return
        if self._annotations is None:
            self._annotations = {
                r[0].lower(): (r[1], r[2], r[3])
                for r in self.db.execute(
                    'SELECT guid, document_id, start, "end" FROM annotations_at'
                )
            }
        guid = sel.guid or derived_guid("annotation", src.guid, str(sel.start), str(sel.end))
        where = (doc_id, sel.start, sel.end)
        if guid in self._annotations:
            if self._annotations[guid] == where:
                self.r.count("annotations", matched=True)
            else:
                self.r.skipped.append(
                    (
                        f"annotation on {sel.start}-{sel.end} in '{src.name}'",
                        "a different annotation with the same GUID is in the project",
                    )
                )
            return
        stamp = now()
        anchors.insert(
            self.db,
            "annotations",
            ["guid", "document_id", "coder_id", "start", "end", "text", "created_at",
             "modified_at"],
            [[guid, doc_id, self.coder_for(sel.user, src.user, self.c.creating_user), sel.start,
              sel.end, text, sel.created_at or stamp, sel.created_at or stamp]],
        )  # fmt: skip
        self._annotations[guid] = where
        self.r.count("annotations")

    # ---------------------------------------------------------------- cases

    def cases(self, attrs: dict[tuple[str, str], int]) -> None:
        by_guid = {g.lower(): i for i, g in self.db.execute("SELECT id, guid FROM cases")}
        by_name = {n: i for i, n in self.db.execute("SELECT id, name FROM cases")}
        for case in self.c.cases:
            name = case.name or f"Case {case.guid[:8]}"
            case_id = by_guid.get(case.guid) or by_name.get(name)
            if case_id is not None:
                row = self.p.required_row("cases", case_id)
                self.name_conflict("case", row["name"], case.name)
                memo = merge_text(row["memo"], case.description)
                if memo != row["memo"]:
                    self.db.execute("UPDATE cases SET memo = ? WHERE id = ?", [memo, case_id])
                self.r.count("cases", matched=True)
            else:
                case_id = self.p.insert(
                    "cases", {"guid": case.guid, "name": name, "memo": case.description}
                )
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
                row = self.p.required_row("documents", doc_id)
                if row["case_id"] is None:
                    self.db.execute(
                        "UPDATE documents SET case_id = ? WHERE id = ?", [case_id, doc_id]
                    )
                    self.r.count("case links")
                elif row["case_id"] == case_id:
                    self.r.count("case links", matched=True)
                elif row["case_id"] != case_id:
                    # A document belongs to one case; a second case gets the whole text as a
                    # passage.
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
            "SELECT 1 FROM case_selections_at WHERE case_id = ? AND document_id = ? AND start = ? "
            'AND "end" = ?',
            [case_id, doc_id, start, end],
        ).fetchone()
        if hit:
            self.r.count("case links", matched=True)
            return
        self.p.insert(
            "case_selections",
            {"case_id": case_id, "document_id": doc_id, "start": start, "end": end},
        )
        self.r.count("case links")

    # ---------------------------------------------------------------- groups, memos

    def groups(self) -> None:
        for name, members in self.c.groups:
            for g in members:
                doc_id = self.docs.get(g)
                if doc_id is None:
                    continue
                row = self.p.required_row("documents", doc_id)
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
            merged = merge_text(current, project_memo) if current else project_memo
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
            self.p.insert(
                "memos",
                {"guid": g, "title": note.name, "text": note.text,
                 "created_at": note.created_at or stamp,
                 "modified_at": note.modified_at or note.created_at or stamp,
                 "coder_id": self.users.get(note.user or "")},
            )  # fmt: skip
            self.r.count("memos")
        self.memo_links()

    def memo_links(self) -> None:
        """Links from memos to documents, codes, codings and cases (Coder's own files)."""
        tables = {"document": "documents", "code": "codes", "coding": "codings", "case": "cases"}
        for memo_guid, targets in self.c.memo_links.items():
            row = self.db.execute(
                "SELECT id FROM memos WHERE lower(guid) = ?", [memo_guid]
            ).fetchone()
            for kind, target in targets:
                table = tables.get(kind)
                hit = (
                    table
                    and self.db.execute(
                        f"SELECT id FROM {table} WHERE lower(guid) = ?", [target]
                    ).fetchone()
                )
                if row is None or not hit:
                    continue
                self.db.execute(
                    f"INSERT OR IGNORE INTO memo_links (memo_id, {kind}_id) VALUES (?, ?)",
                    [row[0], hit[0]],
                )


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
