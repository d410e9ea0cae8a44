"""Merging one other project's rows into this one, table by table, inside the caller's
transaction (see :mod:`coder.core.merge` for the matching rules)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from coder.core import blocks
from coder.core.attributes import canonical_value
from coder.core.errors import CoderError
from coder.core.merge_notes import NotesMerger
from coder.core.merge_report import short
from coder.core.store import new_guid

_TEXT_FIELDS_OF_CODES = ("definition", "inclusion", "exclusion", "example", "memo")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class Merger(NotesMerger):
    """Merges one other project into this one inside the caller's transaction."""

    def run(self) -> None:
        self.merge_coders()
        self.merge_cases()
        self.merge_documents()
        self.merge_codes()
        self.merge_codings()
        self.merge_case_selections()
        self.merge_attributes()
        self.merge_attribute_values()
        self.merge_annotations()
        self.merge_memos()
        self.merge_memo_links()
        self.merge_project_memo()

    # ------------------------------------------------------------- coders and cases

    def merge_coders(self) -> None:
        for _match, _row in self._merge_named("coders", "coder", self.coders):
            pass

    def merge_cases(self) -> None:
        for match, row in self._merge_named("cases", "case", self.cases):
            self._reconcile_text("cases", "case", short(match["name"]), match, row, ["memo"])

    def _merge_named(
        self, table: str, kind: str, ids: dict[int, int]
    ) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        """Coders and cases: matched by identity, else by name; a new one is added (its id
        mapped in ``ids``); a renamed one is a conflict (never onto a name in use). Yields
        (mine, theirs) for every matched row."""
        mine = self._mine(f"SELECT * FROM {table}")
        by_guid = {r["guid"]: r for r in mine}
        by_name = {r["name"]: r for r in mine}
        for row in self._rows(f"SELECT * FROM {table} ORDER BY id"):
            match = by_guid.get(row["guid"])
            if match is None and row["name"] in by_name:
                match = by_name[row["name"]]
                self.report.matched[f"{table} by name"] += 1
            if match is None:
                new_id = self._insert(table, row)
                by_name[row["name"]] = by_guid[row["guid"]] = {**row, "id": new_id}
                ids[row["id"]] = new_id
                continue
            ids[row["id"]] = match["id"]
            if match["name"] != row["name"]:
                taken = row["name"] in by_name
                self._rename(table, kind, short(match["name"]), match, row["name"], taken)
            yield match, row

    def _rename(
        self, table: str, kind: str, item: str, mine: dict[str, Any], name: str, taken: bool
    ) -> None:
        """Their name for one of mine: a conflict, resolved by the rule, except that a name
        already used by another item here is never taken."""
        if self._conflict(
            kind,
            item,
            "name",
            mine["name"],
            name,
            note="name already used" if taken else "",
            kept="mine" if taken else None,
        ):
            self._update(table, mine["id"], {"name": name})

    # ------------------------------------------------------------- documents

    def merge_documents(self) -> None:
        mine: dict[int, dict[str, Any]] = {}
        by_guid: dict[str, int] = {}
        by_text: dict[str, list[int]] = defaultdict(list)
        for row in self._mine(
            "SELECT d.id, guid, name, memo, group_name, case_id, t.text FROM documents d "
            "JOIN document_texts t ON t.document_id = d.id ORDER BY d.id"
        ):
            digest = _digest(row.pop("text"))
            row["digest"] = digest
            mine[row["id"]] = row
            by_guid[row["guid"]] = row["id"]
            by_text[digest].append(row["id"])
        used: set[int] = set(self.documents.values())
        matched: list[tuple[dict[str, Any], dict[str, Any]]] = []
        new_rows: list[dict[str, Any]] = []
        for row in self._rows(
            "SELECT d.*, t.text FROM documents d JOIN document_texts t ON t.document_id = d.id "
            "ORDER BY d.id"
        ):
            digest = _digest(row["text"])
            match_id = by_guid.get(row["guid"])
            if match_id is not None and mine[match_id]["digest"] != digest:
                self._text_differs(mine[match_id], row)
                self.other_text.add(row["id"])
                used.add(match_id)
                self.documents[row["id"]] = match_id
                matched.append((mine[match_id], row))
                continue
            if match_id is None:
                candidates = [d for d in by_text.get(digest, []) if d not in used]
                same_name = [d for d in candidates if mine[d]["name"] == row["name"]]
                if candidates:
                    match_id = (same_name or candidates)[0]
                    self.report.matched["documents by text"] += 1
            if match_id is None:
                new_rows.append(row)
                continue
            used.add(match_id)
            self.documents[row["id"]] = match_id
            matched.append((mine[match_id], row))
        # Renames first, then new documents: a name that a rename frees is not taken by a new
        # document as "name (2)", which would make merging the same file again rename it. A
        # rename onto the name of another document about to be renamed waits for it, for the
        # same reason (two that would take each other's name stay a conflict).
        pending = matched
        while pending:
            waiting = [pair for pair in pending if _waits_for_a_rename(pair, pending)]
            if len(waiting) == len(pending):
                waiting = []
            for pair in pending:
                if pair not in waiting:
                    self._reconcile_document(*pair)
            pending = waiting
        for row in new_rows:
            match_id = self._add_document(row, by_guid)
            by_guid[
                self.db.execute("SELECT guid FROM documents WHERE id = ?", [match_id]).fetchone()[0]
            ] = match_id
            self.documents[row["id"]] = match_id

    def _text_differs(self, mine: dict[str, Any], row: dict[str, Any]) -> None:
        """The same document (one GUID) whose text was edited in one of the copies: this
        project's text is kept, and nothing anchored in theirs is merged, since its positions
        belong to another text."""
        mine_length = self._value("SELECT length FROM documents WHERE id = ?", [mine["id"]])
        anchored = [
            f"{len(self._rows(f'SELECT id FROM {table} WHERE document_id = ?', [row['id']]))} "
            f"{label}"
            for table, label in (
                ("codings", "codings"),
                ("annotations", "annotations"),
                ("case_selections", "case passages"),
            )
        ]
        self._conflict(
            "document",
            short(mine["name"]),
            "text",
            f"{mine_length:,} characters",
            f"{len(row['text']):,} characters",
            note="the text was edited in one copy: this project's text is kept; their "
            + ", ".join(anchored)
            + " of it are not merged",
            kept="mine",
        )

    def _add_document(self, row: dict[str, Any], by_guid: dict[str, int]) -> int:
        guid = row["guid"] if row["guid"] not in by_guid else new_guid()
        new = dict(row)
        new.update(
            guid=guid,
            name=self.project.services.documents.unique_document_name(row["name"]),
            case_id=self.cases.get(row["case_id"]) if row["case_id"] is not None else None,
        )
        text = new.pop("text")
        doc_id = self._insert("documents", new)
        blocks.write_text(self.db, doc_id, text)
        turns = self._rows("SELECT * FROM turns_at WHERE document_id = ? ORDER BY id", [row["id"]])
        for turn in turns:
            turn["document_id"] = doc_id
            self._insert("turns", turn)
        return doc_id

    def _reconcile_document(self, mine: dict[str, Any], row: dict[str, Any]) -> None:
        item = short(mine["name"])
        if mine["name"] != row["name"]:
            taken = self.db.execute(
                "SELECT 1 FROM documents WHERE name = ? COLLATE NOCASE AND id <> ?",
                [row["name"], mine["id"]],
            ).fetchone()
            take = self._conflict(
                "document",
                item,
                "name",
                mine["name"],
                row["name"],
                note="name already used" if taken else "",
                kept="mine" if taken else None,
            )
            if take:
                self._update("documents", mine["id"], {"name": row["name"]})
        labels = {"group_name": "group"}
        self._reconcile_text(
            "documents", "document", item, mine, row, ["memo", "group_name"], labels
        )
        theirs_case = self.cases.get(row["case_id"]) if row["case_id"] is not None else None
        if theirs_case is not None and theirs_case != mine["case_id"]:
            if mine["case_id"] is None:
                self._update("documents", mine["id"], {"case_id": theirs_case})
                self.report.filled += 1
            elif self._conflict(
                "document",
                item,
                "case",
                _case_name(self.db, mine["case_id"]),
                _case_name(self.db, theirs_case),
            ):
                self._update("documents", mine["id"], {"case_id": theirs_case})

    # ------------------------------------------------------------- codes

    def merge_codes(self) -> None:
        theirs = self._rows("SELECT * FROM codes ORDER BY position, id")
        children: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
        for row in theirs:
            children[row["parent_id"]].append(row)
        their_paths = _paths(theirs)
        queue = list(children[None])
        while queue:  # parents before children
            row = queue.pop(0)
            self._merge_code(row, their_paths)
            queue.extend(children[row["id"]])

    def _merge_code(self, row: dict[str, Any], their_paths: dict[int, str]) -> None:
        parent = self.codes.get(row["parent_id"]) if row["parent_id"] is not None else None
        found = self._mine("SELECT * FROM codes WHERE guid = ?", [row["guid"]])
        if not found:
            found = self._mine(
                "SELECT * FROM codes WHERE ifnull(parent_id, 0) = ? AND name = ?",
                [parent or 0, row["name"]],
            )
            if found:
                self.report.matched["codes by path"] += 1
        if not found:
            position = self.db.execute(
                "SELECT ifnull(max(position) + 1, 0) FROM codes WHERE ifnull(parent_id, 0) = ?",
                [parent or 0],
            ).fetchone()[0]
            self.codes[row["id"]] = self._insert(
                "codes", {**row, "parent_id": parent, "position": position}
            )
            return
        mine = found[0]
        self.codes[row["id"]] = mine["id"]
        item = short(_code_path(self.db, mine["id"]))
        if mine["parent_id"] != parent:
            clash = self.db.execute(
                "SELECT 1 FROM codes WHERE ifnull(parent_id, 0) = ? AND name = ? AND id <> ?",
                [parent or 0, mine["name"], mine["id"]],
            ).fetchone()
            cycle = parent is not None and (
                parent == mine["id"] or parent in _descendants(self.db, mine["id"])
            )
            blocked = "name already used there" if clash else ""
            blocked = blocked or ("would nest it in itself" if cycle else "")
            theirs_parent = their_paths.get(row["parent_id"], "(top level)")
            mine_parent = (
                _code_path(self.db, mine["parent_id"]) if mine["parent_id"] else "(top level)"
            )
            if self._conflict(
                "code",
                item,
                "parent",
                mine_parent,
                theirs_parent,
                note=blocked,
                kept="mine" if blocked else None,
            ):
                position = self.db.execute(
                    "SELECT ifnull(max(position) + 1, 0) FROM codes WHERE ifnull(parent_id, 0) = ?",
                    [parent or 0],
                ).fetchone()[0]
                self._update("codes", mine["id"], {"parent_id": parent, "position": position})
                mine["parent_id"] = parent
        if mine["name"] != row["name"]:
            clash = self.db.execute(
                "SELECT 1 FROM codes WHERE ifnull(parent_id, 0) = ? AND name = ? AND id <> ?",
                [mine["parent_id"] or 0, row["name"], mine["id"]],
            ).fetchone()
            self._rename("codes", "code", item, mine, row["name"], clash is not None)
        if mine["color"] != row["color"] and self._conflict(
            "code", item, "colour", mine["color"], row["color"]
        ):
            self._update("codes", mine["id"], {"color": row["color"]})
        self._reconcile_text("codes", "code", item, mine, row, _TEXT_FIELDS_OF_CODES)

    # ------------------------------------------------------------- codings

    def merge_codings(self) -> None:
        mine_by_guid: dict[str, dict[str, Any]] = {}
        mine_keys: dict[tuple[int, int, int, int, int], dict[str, Any]] = {}
        for row in self._mine("SELECT * FROM codings_at"):
            mine_by_guid[row["guid"]] = row
            key = (row["document_id"], row["code_id"], row["coder_id"], row["start"], row["end"])
            mine_keys.setdefault(key, row)
        lengths = dict(self.db.execute("SELECT id, length FROM documents"))
        for row in self._rows("SELECT * FROM codings_at ORDER BY id"):
            doc = self.documents.get(row["document_id"])
            code = self.codes.get(row["code_id"])
            coder = self.coders.get(row["coder_id"])
            if doc is None or code is None or coder is None:
                continue  # a dangling row in their file (foreign keys were off there)
            if row["document_id"] in self.other_text:
                continue
            if not 0 <= row["start"] < row["end"] <= lengths[doc]:
                continue
            key = (doc, code, coder, row["start"], row["end"])
            mapped = {
                **row, "document_id": doc, "code_id": code, "coder_id": coder,
            }  # fmt: skip
            match = mine_by_guid.get(row["guid"])
            if match is not None:
                self.codings[row["id"]] = match["id"]
                self._reconcile_coding(match, mapped, lengths)
                continue
            match = mine_keys.get(key)
            if match is not None:
                self.codings[row["id"]] = match["id"]
                self.report.matched["codings by position"] += 1
                item = self._coding_item(match)
                self._reconcile_text("codings", "coding", item, match, mapped, ["memo"])
                continue
            new_id = self._insert("codings", mapped)
            self.codings[row["id"]] = new_id
            mapped["id"] = new_id
            mine_by_guid[row["guid"]] = mapped
            mine_keys[key] = mapped

    def _coding_item(self, row: dict[str, Any]) -> str:
        doc = self._value("SELECT name FROM documents WHERE id = ?", [row["document_id"]], "?")
        coder = self._value("SELECT name FROM coders WHERE id = ?", [row["coder_id"]], "?")
        return (
            f"{short(_code_path(self.db, row['code_id']))} in {short(doc)} "
            f"at {row['start']}-{row['end']} by {coder}"
        )

    def _reconcile_coding(
        self, mine: dict[str, Any], theirs: dict[str, Any], lengths: dict[int, int]
    ) -> None:
        item = self._coding_item(mine)
        if mine["document_id"] != theirs["document_id"]:
            # The same coding GUID in another document: keep ours, never move a coding across.
            self._conflict("coding", item, "document", str(mine["document_id"]),
                           str(theirs["document_id"]), note="codings never move between documents",
                           kept="mine")  # fmt: skip
            return
        if (mine["start"], mine["end"]) != (theirs["start"], theirs["end"]) and self._conflict(
            "coding",
            item,
            "passage",
            f"{mine['start']}-{mine['end']}",
            f"{theirs['start']}-{theirs['end']}",
        ):
            self._update("codings", mine["id"], {"start": theirs["start"], "end": theirs["end"]})
        if mine["code_id"] != theirs["code_id"] and self._conflict(
            "coding",
            item,
            "code",
            _code_path(self.db, mine["code_id"]),
            _code_path(self.db, theirs["code_id"]),
        ):
            self._update("codings", mine["id"], {"code_id": theirs["code_id"]})
        self._reconcile_text("codings", "coding", item, mine, theirs, ["memo"])

    def merge_case_selections(self) -> None:
        mine = {
            (r["case_id"], r["document_id"], r["start"], r["end"])
            for r in self._mine("SELECT * FROM case_selections_at")
        }
        for row in self._rows("SELECT * FROM case_selections_at ORDER BY id"):
            case, doc = self.cases.get(row["case_id"]), self.documents.get(row["document_id"])
            if case is None or doc is None or row["document_id"] in self.other_text:
                continue
            key = (case, doc, row["start"], row["end"])
            if key not in mine:
                self._insert("case_selections", {**row, "case_id": case, "document_id": doc})
                mine.add(key)

    # ------------------------------------------------------------- attributes

    def merge_attributes(self) -> None:
        for row in self._rows("SELECT * FROM attributes ORDER BY scope, position, id"):
            found = self._mine("SELECT * FROM attributes WHERE guid = ?", [row["guid"]])
            if not found:
                found = self._mine(
                    "SELECT * FROM attributes WHERE scope = ? AND name = ?",
                    [row["scope"], row["name"]],
                )
                if found:
                    self.report.matched["attributes by name"] += 1
            if not found:
                position = self.db.execute(
                    "SELECT count(*) FROM attributes WHERE scope = ?", [row["scope"]]
                ).fetchone()[0]
                new = {**row, "position": position}
                self.attributes[row["id"]] = self._insert("attributes", new)
                continue
            mine = found[0]
            self.attributes[row["id"]] = mine["id"]
            item = f"{short(mine['name'])} ({mine['scope']})"
            if mine["scope"] != row["scope"]:
                self._conflict("attribute", item, "scope", mine["scope"], row["scope"],
                               note="an attribute's scope cannot change", kept="mine")  # fmt: skip
            if mine["name"] != row["name"]:
                clash = self.db.execute(
                    "SELECT 1 FROM attributes WHERE scope = ? AND name = ? AND id <> ?",
                    [mine["scope"], row["name"], mine["id"]],
                ).fetchone()
                self._rename("attributes", "attribute", item, mine, row["name"], clash is not None)
            if mine["type"] != row["type"]:
                self._reconcile_attribute_type(mine, row["type"], item)

    def _reconcile_attribute_type(self, mine: dict[str, Any], theirs: str, item: str) -> None:
        """Take their type only when every value here can be read as that type."""
        values = self._mine(
            "SELECT id, value FROM attribute_values WHERE attribute_id = ?", [mine["id"]]
        )
        converted: dict[int, str] = {}
        try:
            for v in values:
                converted[v["id"]] = canonical_value(v["value"], theirs, mine["name"])
        except CoderError:
            note = f"values here are not all of type {theirs}"
            self._conflict("attribute", item, "type", mine["type"], theirs, note, kept="mine")
            return
        if not self._conflict("attribute", item, "type", mine["type"], theirs):
            return
        self._update("attributes", mine["id"], {"type": theirs})
        for value_id, value in converted.items():
            self._update("attribute_values", value_id, {"value": value})

    def merge_attribute_values(self) -> None:
        for row in self._rows("SELECT * FROM attribute_values ORDER BY id"):
            attr = self.attributes.get(row["attribute_id"])
            if attr is None:
                continue
            scope, type_, attr_name = self.db.execute(
                "SELECT scope, type, name FROM attributes WHERE id = ?", [attr]
            ).fetchone()
            if row["case_id"] is not None:
                owner, col, table = self.cases.get(row["case_id"]), "case_id", "cases"
            else:
                owner, col = self.documents.get(row["document_id"]), "document_id"
                table = "documents"
            if owner is None or (col == "case_id") != (scope == "case"):
                continue  # a value of another scope than the matched attribute: cannot apply
            owner_name = self._value(f"SELECT name FROM {table} WHERE id = ?", [owner])
            item = f"{short(attr_name)} of {short(owner_name)}"
            try:
                value = canonical_value(row["value"], type_, attr_name)
            except CoderError:
                note = f"not a valid {type_} here; not merged"
                self._conflict("attribute value", item, "value", "", row["value"], note, "mine")
                continue
            row = {**row, "value": value}
            found = self._mine(
                f"SELECT * FROM attribute_values WHERE attribute_id = ? AND {col} = ?",
                [attr, owner],
            )
            if not found:
                self._insert(
                    "attribute_values",
                    {"attribute_id": attr, "case_id": None, "document_id": None, col: owner,
                     "value": row["value"]},
                )  # fmt: skip
                continue
            mine = found[0]
            if mine["value"] != row["value"]:
                if self._conflict("attribute value", item, "value", mine["value"], row["value"]):
                    self._update("attribute_values", mine["id"], {"value": row["value"]})


# --------------------------------------------------------------------------- small reads


def _case_name(db: Any, case_id: int | None) -> str:
    row = db.execute("SELECT name FROM cases WHERE id = ?", [case_id]).fetchone()
    return row[0] if row else ""


def _code_path(db: Any, code_id: int) -> str:
    names: list[str] = []
    current: int | None = code_id
    seen: set[int] = set()
    while current is not None and current not in seen:
        seen.add(current)
        row = db.execute("SELECT name, parent_id FROM codes WHERE id = ?", [current]).fetchone()
        if row is None:
            break
        names.append(row[0])
        current = row[1]
    return "/".join(reversed(names))


def _descendants(db: Any, code_id: int) -> set[int]:
    rows = db.execute(
        "WITH RECURSIVE d(id) AS (SELECT id FROM codes WHERE parent_id = ? "
        "UNION SELECT c.id FROM codes c JOIN d ON c.parent_id = d.id) SELECT id FROM d",
        [code_id],
    )
    return {r[0] for r in rows}


def _paths(rows: Iterable[dict[str, Any]]) -> dict[int, str]:
    by_id = {r["id"]: r for r in rows}
    out: dict[int, str] = {}
    for code_id in by_id:
        names, current, seen = [], code_id, set()
        while current is not None and current in by_id and current not in seen:
            seen.add(current)
            names.append(by_id[current]["name"])
            current = by_id[current]["parent_id"]
        out[code_id] = "/".join(reversed(names))
    return out


def _waits_for_a_rename(pair: tuple[dict, dict], pending: list[tuple[dict, dict]]) -> bool:
    """Whether the name theirs gives one of my documents is, for now, that of another of mine
    which theirs renames too."""
    mine, theirs = pair
    wanted = theirs["name"].casefold()
    return mine["name"] != theirs["name"] and any(
        other is not pair and m["name"].casefold() == wanted and m["name"] != t["name"]
        for other in pending
        for m, t in [other]
    )
