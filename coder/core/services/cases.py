"""Cases, the passages linked to them, and typed attributes of cases and documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from coder.core.attributes import canonical_value, infer_type, read_table
from coder.core.changes import Changes
from coder.core.errors import Ambiguous, ImportFailed, InvalidValue, NotFound
from coder.core.model import Attribute, Case, CaseSelection
from coder.core.services.lengths import TextLengths
from coder.core.store import Store, new_guid

ATTRIBUTE_TYPES = ("text", "number", "date", "boolean")


class CaseService:
    def __init__(self, store: Store, lengths: TextLengths) -> None:
        self.store = store
        self.db = store.db
        self.lengths = lengths

    # ----------------------------------------------------------------- cases

    def cases(self) -> list[Case]:
        sql = """
            SELECT c.*, (SELECT count(*) FROM documents d WHERE d.case_id = c.id) AS documents
            FROM cases c ORDER BY c.name COLLATE NOCASE, c.id
        """
        return [Case(**r) for r in self.db.query(sql)]

    def find_case(self, name: str) -> Case:
        for case in self.cases():
            if case.name == name:
                return case
        raise NotFound(f"no case named '{name}'")

    def ensure_case(self, name: str, create: bool = True) -> int:
        """The id of the case named ``name``; created if new (unless ``create`` is False)."""
        name = name.strip()
        if not name:
            raise InvalidValue("a case needs a name")
        row = self.db.execute("SELECT id FROM cases WHERE name = ?", [name]).fetchone()
        if row:
            return row[0]
        if not create:
            raise NotFound(f"no case named '{name}'")
        with self.store.edit():
            return self.store.insert("cases", {"guid": new_guid(), "name": name, "memo": ""})

    def add_case(self, name: str, memo: str = "", guid: str | None = None) -> Changes:
        with self.store.edit() as edit:
            name = name.strip()
            if not name:
                raise InvalidValue("a case needs a name")
            if self.db.execute("SELECT 1 FROM cases WHERE name = ?", [name]).fetchone():
                raise InvalidValue(f"a case named '{name}' already exists")
            self.store.insert("cases", {"guid": guid or new_guid(), "name": name, "memo": memo})
        return edit.changes()

    def update_case(
        self, case_id: int, name: str | None = None, memo: str | None = None
    ) -> Changes:
        with self.store.edit() as edit:
            if self.store.row("cases", case_id) is None:
                raise NotFound(f"no case with id {case_id}")
            if name is not None:
                name = name.strip()
                if not name:
                    raise InvalidValue("a case needs a name")
                clash = self.db.execute(
                    "SELECT 1 FROM cases WHERE name = ? AND id <> ?", [name, case_id]
                ).fetchone()
                if clash:
                    raise InvalidValue(f"a case named '{name}' already exists")
                self.db.execute("UPDATE cases SET name = ? WHERE id = ?", [name, case_id])
            if memo is not None:
                self.db.execute("UPDATE cases SET memo = ? WHERE id = ?", [memo, case_id])
        return edit.changes()

    def delete_case(self, case_id: int) -> Changes:
        """Delete a case; its documents stay (unlinked), its attribute values go."""
        with self.store.edit() as edit:
            if self.store.row("cases", case_id) is None:
                raise NotFound(f"no case with id {case_id}")
            self.db.execute("DELETE FROM cases WHERE id = ?", [case_id])
        return edit.changes()

    def case_selections(self, case_id: int | None = None) -> list[CaseSelection]:
        sql = "SELECT * FROM case_selections_at"
        params: list[Any] = []
        if case_id is not None:
            sql += " WHERE case_id = ?"
            params.append(case_id)
        return [CaseSelection(**r) for r in self.db.query(sql + " ORDER BY id", params)]

    def add_case_selection(self, case_id: int, doc_id: int, start: int, end: int) -> Changes:
        """Link a passage (not a whole document) to a case."""
        with self.store.edit() as edit:
            self.lengths.check_range(doc_id, start, end)
            if self.store.row("cases", case_id) is None:
                raise NotFound(f"no case with id {case_id}")
            self.store.insert(
                "case_selections",
                {"case_id": case_id, "document_id": doc_id, "start": start, "end": end},
            )
        return edit.changes()

    # ----------------------------------------------------------------- attributes

    def attributes(self, scope: str | None = None) -> list[Attribute]:
        sql, params = "SELECT * FROM attributes", []
        if scope:
            sql += " WHERE scope = ?"
            params.append(scope)
        return [
            Attribute(**r) for r in self.db.query(sql + " ORDER BY scope, position, id", params)
        ]

    def find_attribute(self, name: str, scope: str | None = None) -> Attribute:
        matches = [a for a in self.attributes(scope) if a.name == name]
        if not matches:
            matches = [a for a in self.attributes(scope) if a.name.casefold() == name.casefold()]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise Ambiguous(f"attribute '{name}' exists for cases and documents; say which")
        raise NotFound(f"no attribute named '{name}'")

    def add_attribute(
        self, name: str, scope: str = "case", type: str = "text", guid: str | None = None
    ) -> Changes:
        name = name.strip()
        if not name:
            raise InvalidValue("an attribute needs a name")
        if scope not in ("case", "document"):
            raise InvalidValue(f"attribute scope must be 'case' or 'document', not '{scope}'")
        if type not in ATTRIBUTE_TYPES:
            raise InvalidValue(f"attribute type must be one of {', '.join(ATTRIBUTE_TYPES)}")
        with self.store.edit() as edit:
            clash = self.db.execute(
                "SELECT 1 FROM attributes WHERE scope = ? AND name = ?", [scope, name]
            ).fetchone()
            if clash:
                raise InvalidValue(f"a {scope} attribute named '{name}' already exists")
            self._insert_attribute(name, scope, type, guid)
        return edit.changes()

    def _insert_attribute(self, name: str, scope: str, type_: str, guid: str | None) -> int:
        pos = self.db.execute(
            "SELECT count(*) FROM attributes WHERE scope = ?", [scope]
        ).fetchone()[0]
        return self.store.insert(
            "attributes",
            {"guid": guid or new_guid(), "name": name, "scope": scope, "type": type_,
             "position": pos},
        )  # fmt: skip

    def delete_attribute(self, attribute_id: int) -> Changes:
        with self.store.edit() as edit:
            if self.store.row("attributes", attribute_id) is None:
                raise NotFound(f"no attribute with id {attribute_id}")
            self.db.execute("DELETE FROM attributes WHERE id = ?", [attribute_id])
        return edit.changes()

    def set_attribute_value(self, attribute_id: int, owner_id: int, value: Any) -> Changes:
        """Set (or clear, with None or "") an attribute's value on a case or a document."""
        with self.store.edit() as edit:
            self._set_value(attribute_id, owner_id, value)
        return edit.changes()

    def _set_value(self, attribute_id: int, owner_id: int, value: Any) -> None:
        attr = self.db.execute(
            "SELECT scope, type, name FROM attributes WHERE id = ?", [attribute_id]
        ).fetchone()
        if attr is None:
            raise NotFound(f"no attribute with id {attribute_id}")
        scope, type_, name = attr
        owner_table = "cases" if scope == "case" else "documents"
        if not self.db.execute(f"SELECT 1 FROM {owner_table} WHERE id = ?", [owner_id]).fetchone():
            raise NotFound(f"no {scope} with id {owner_id}")
        col = "case_id" if scope == "case" else "document_id"
        self.db.execute(
            f"DELETE FROM attribute_values WHERE attribute_id = ? AND {col} = ?",
            [attribute_id, owner_id],
        )
        if value is None or (isinstance(value, str) and not value.strip()):
            return
        self.db.execute(
            f"INSERT INTO attribute_values (attribute_id, {col}, value) VALUES (?, ?, ?)",
            [attribute_id, owner_id, canonical_value(value, type_, name)],
        )

    def attribute_values(self, scope: str = "case") -> dict[int, dict[str, str]]:
        """``{owner id: {attribute name: stored value}}`` for cases or documents."""
        col = "case_id" if scope == "case" else "document_id"
        sql = f"""
            SELECT v.{col} AS owner, a.name, v.value FROM attribute_values v
            JOIN attributes a ON a.id = v.attribute_id WHERE a.scope = ? ORDER BY a.position
        """
        out: dict[int, dict[str, str]] = {}
        for owner, name, value in self.db.execute(sql, [scope]):
            out.setdefault(owner, {})[name] = value
        return out

    def import_attributes(self, path: str | Path) -> Changes:
        """Import a CSV/XLSX table: first column names a case (or document), others attributes.

        Rows naming an existing document but no case set document attributes; other rows
        create or update cases. Types are inferred per column. One transaction.
        """
        path = Path(path)
        rows = read_table(path)
        if len(rows) < 2:
            raise ImportFailed(f"{path.name} has no data rows (a header row and one row per case)")
        header = [str(h).strip() for h in rows[0]]
        if not header or not header[0] or len(header) < 2:
            raise ImportFailed(
                f"{path.name}: the first row must name the case column and attributes"
            )
        names = header[1:]
        if len(set(names)) != len(names) or any(not n for n in names):
            raise ImportFailed(
                f"{path.name}: attribute names in the first row must be unique and non-empty"
            )
        data = [list(r) + [""] * (len(header) - len(r)) for r in rows[1:]]
        types = [infer_type([r[i + 1] for r in data]) for i in range(len(names))]
        documents = {name: doc_id for doc_id, name in self.db.execute(
            "SELECT id, name FROM documents")}  # fmt: skip
        case_names = {r[0] for r in self.db.execute("SELECT name FROM cases")}
        # A row names a document (and no case of that name exists): document attributes.
        doc_rows = (
            all(str(r[0]).strip() in documents for r in data)
            and not any(str(r[0]).strip() in case_names for r in data)
            and bool(documents)
        )
        scope = "document" if doc_rows else "case"
        with self.store.edit() as edit:
            attr_ids: list[int] = []
            for name, type_ in zip(names, types, strict=True):
                row = self.db.execute(
                    "SELECT id FROM attributes WHERE scope = ? AND name = ?", [scope, name]
                ).fetchone()
                attr_ids.append(row[0] if row else self._insert_attribute(name, scope, type_, None))
            kinds = self._attribute_kinds(attr_ids)
            owners = documents if scope == "document" else self._cases_named(data)
            for line, r in enumerate(data, start=2):
                owner_name = str(r[0]).strip()
                if not owner_name:
                    raise ImportFailed(f"{path.name}, row {line}: the first column is empty")
                owner = owners[owner_name]
                try:
                    self._set_row(scope, owner, attr_ids, kinds, r[1:])
                except InvalidValue as e:
                    raise ImportFailed(f"{path.name}, row {line}: {e}") from None
        return edit.changes()

    def _cases_named(self, data: list[list[Any]]) -> dict[str, int]:
        """``{name: case id}`` for the first column of ``data``; missing cases are created."""
        ids = {name: case_id for case_id, name in self.db.execute("SELECT id, name FROM cases")}
        new = list(dict.fromkeys(str(r[0]).strip() for r in data))
        self.db.conn.executemany(
            "INSERT INTO cases (guid, name, memo) VALUES (?, ?, '')",
            [(new_guid(), name) for name in new if name and name not in ids],
        )
        ids.update(
            {name: case_id for case_id, name in self.db.execute("SELECT id, name FROM cases")}
        )
        return ids

    def _attribute_kinds(self, attr_ids: list[int]) -> dict[int, tuple[str, str]]:
        """``{attribute id: (type, name)}``."""
        kinds: dict[int, tuple[str, str]] = {}
        for i in range(0, len(attr_ids), 500):
            chunk = attr_ids[i : i + 500]
            marks = ",".join("?" for _ in chunk)
            for aid, type_, name in self.db.execute(
                f"SELECT id, type, name FROM attributes WHERE id IN ({marks})", chunk
            ):
                kinds[aid] = (type_, name)
        return kinds

    def _set_row(
        self,
        scope: str,
        owner: int,
        attr_ids: list[int],
        kinds: dict[int, tuple[str, str]],
        values: list[Any],
    ) -> None:
        """One row of an attribute table: the owner's values of these attributes replaced
        (an empty cell clears one), in two statements whatever the number of columns."""
        stored = [
            (aid, owner, canonical_value(value, *kinds[aid]))
            for aid, value in zip(attr_ids, values, strict=False)  # a short row leaves the rest
            if value is not None and not (isinstance(value, str) and not value.strip())
        ]
        col = "case_id" if scope == "case" else "document_id"
        for i in range(0, len(attr_ids), 500):
            chunk = attr_ids[i : i + 500]
            marks = ",".join("?" for _ in chunk)
            self.db.execute(
                f"DELETE FROM attribute_values WHERE {col} = ? AND attribute_id IN ({marks})",
                [owner, *chunk],
            )
        self.db.conn.executemany(
            f"INSERT INTO attribute_values (attribute_id, {col}, value) VALUES (?, ?, ?)", stored
        )
