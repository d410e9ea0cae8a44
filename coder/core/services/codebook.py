"""The codebook: a hierarchy of codes (and categories, which are never applied)."""

from __future__ import annotations

import re
from typing import Any, Literal

from coder.core.changes import Changes
from coder.core.errors import Ambiguous, InvalidValue, NotFound
from coder.core.model import Code, CodeNode
from coder.core.store import Store, new_guid, now

PALETTE = (
    "#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948",
    "#B07AA1", "#FF9DA7", "#9C755F", "#8CD17D", "#499894", "#D37295",
)  # fmt: skip
_COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")


def pick_color(siblings: list[str], parent: str | None = None) -> str:
    """A colour for a new code: the first of :data:`PALETTE` that none of its siblings (nor its
    parent) has, so codes side by side are told apart; when all are taken, the least used."""
    taken = [c.upper() for c in siblings]
    free = [c for c in PALETTE if c not in taken and c != (parent or "").upper()]
    if free:
        return free[0]
    return min(PALETTE, key=lambda c: (taken.count(c), c == (parent or "").upper()))


def normalise_color(color: str) -> str:
    if not isinstance(color, str) or not _COLOR_RE.match(color.strip()):
        raise InvalidValue(f"'{color}' is not a colour: use the form #RRGGBB, e.g. #E15759")
    return color.strip().upper()


class CodebookService:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db

    def codes(self) -> list[Code]:
        """All codes in codebook order (depth first), each with its path and depth."""
        rows = [dict(r) for r in self.db.query("SELECT * FROM codes ORDER BY position, name, id")]
        children: dict[int | None, list[dict]] = {}
        for r in rows:
            children.setdefault(r["parent_id"], []).append(r)
        out: list[Code] = []
        seen: set[int] = set()

        def walk(parent: int | None, prefix: str, depth: int) -> None:
            for r in children.get(parent, []):
                if r["id"] in seen:
                    continue
                seen.add(r["id"])
                path = f"{prefix}/{r['name']}" if prefix else r["name"]
                r["codable"] = bool(r["codable"])
                out.append(Code(**r, path=path, depth=depth))
                walk(r["id"], path, depth + 1)

        walk(None, "", 0)
        return out

    def code_tree(self) -> list[CodeNode]:
        nodes: dict[int, CodeNode] = {}
        roots: list[CodeNode] = []
        for code in self.codes():
            node = CodeNode(code)
            nodes[code.id] = node
            if code.parent_id is None:
                roots.append(node)
            else:
                nodes[code.parent_id].children.append(node)
        return roots

    def code(self, code_id: int) -> Code:
        for c in self.codes():
            if c.id == code_id:
                return c
        raise NotFound(f"no code with id {code_id}")

    def find_code(self, name_or_path: str) -> Code:
        """A code by its name when unique in the codebook, or by its path ``Parent/Child``."""
        codes = self.codes()
        by_path = [c for c in codes if c.path == name_or_path]
        if len(by_path) == 1:
            return by_path[0]
        if len(by_path) > 1:
            # A name with "/" in it: 'x/y' at the top level and 'y' under 'x' share a path.
            by_id = {c.id: c for c in codes}
            chains = []
            for c in by_path:
                names: list[str] = []
                up: Code | None = c
                while up is not None:
                    names.insert(0, f"'{up.name}'")
                    up = by_id.get(up.parent_id) if up.parent_id is not None else None
                chains.append(" under ".join(reversed(names)))
            raise Ambiguous(
                f"code path '{name_or_path}' is ambiguous: it names {' and '.join(chains)}; "
                "rename the code whose name contains '/'"
            )
        by_name = [c for c in codes if c.name == name_or_path]
        if not by_name:
            by_name = [c for c in codes if c.name.casefold() == name_or_path.casefold()]
        if len(by_name) == 1:
            return by_name[0]
        if len(by_name) > 1:
            paths = ", ".join(c.path for c in by_name)
            raise Ambiguous(f"code name '{name_or_path}' is ambiguous; use a path: {paths}")
        raise NotFound(f"no code named '{name_or_path}'")

    def find_top_level_code(self, name: str) -> Code | None:
        """The top-level code of this name (ASCII letters in any case), or None."""
        row = self.db.execute(
            "SELECT id FROM codes WHERE parent_id IS NULL AND name = ? COLLATE NOCASE", [name]
        ).fetchone()
        return self.code(row[0]) if row else None

    def descendants(self, code_id: int) -> list[int]:
        sql = """
            WITH RECURSIVE sub(id) AS (
                SELECT id FROM codes WHERE parent_id = ?
                UNION ALL SELECT c.id FROM codes c JOIN sub ON c.parent_id = sub.id
            ) SELECT id FROM sub
        """
        return [r[0] for r in self.db.execute(sql, [code_id])]

    def _check_sibling_name(self, name: str, parent_id: int | None, exclude: int | None) -> None:
        clash = self.db.execute(
            "SELECT 1 FROM codes WHERE ifnull(parent_id, 0) = ifnull(?, 0) AND name = ? "
            "AND id <> ifnull(?, -1)",
            [parent_id, name, exclude],
        ).fetchone()
        if clash:
            where = "at the top level" if parent_id is None else "under the same parent"
            raise InvalidValue(f"a code named '{name}' already exists {where}")

    @staticmethod
    def _clean_code_name(name: str) -> str:
        name = " ".join(name.split()) if isinstance(name, str) else ""
        if not name:
            raise InvalidValue("a code needs a name")
        return name

    def add_code(
        self,
        name: str,
        parent_id: int | None = None,
        color: str | None = None,
        definition: str = "",
        inclusion: str = "",
        exclusion: str = "",
        example: str = "",
        memo: str = "",
        position: int | None = None,
        guid: str | None = None,
        codable: bool = True,
    ) -> Changes:
        """Create a code (last among its siblings unless ``position`` is given); with
        ``codable=False`` a category, which groups codes and is never applied."""
        name = self._clean_code_name(name)
        with self.store.edit() as edit:
            if parent_id is not None and self.store.row("codes", parent_id) is None:
                raise NotFound(f"no parent code with id {parent_id}")
            self._check_sibling_name(name, parent_id, None)
            if color is None:
                color = pick_color(*self._family_colors(parent_id))
            color = normalise_color(color)
            siblings = self._siblings(parent_id)
            if position is None or position > len(siblings):
                position = len(siblings)
            self._renumber(parent_id, insert_at=position)
            self.store.insert(
                "codes",
                {
                    "guid": guid or new_guid(),
                    "name": name,
                    "parent_id": parent_id,
                    "position": position,
                    "color": color,
                    "definition": definition,
                    "inclusion": inclusion,
                    "exclusion": exclusion,
                    "example": example,
                    "memo": memo,
                    "created_at": now(),
                    "codable": 1 if codable else 0,
                },
            )
        return edit.changes()

    def _renumber(
        self, parent_id: int | None, insert_at: int | None = None, skip: int | None = None
    ) -> None:
        """Number siblings 0..n-1 in order, leaving a gap at ``insert_at``."""
        ids = [
            r[0]
            for r in self.db.execute(
                "SELECT id FROM codes WHERE ifnull(parent_id, 0) = ifnull(?, 0) "
                "ORDER BY position, name, id",
                [parent_id],
            )
            if r[0] != skip
        ]
        for i, cid in enumerate(ids):
            pos = i + 1 if insert_at is not None and i >= insert_at else i
            self.db.execute("UPDATE codes SET position = ? WHERE id = ?", [pos, cid])

    def update_code(self, code_id: int, **fields: Any) -> Changes:
        """Rename, recolour, or edit definition, inclusion, exclusion, example and memo; or make
        the code a category (``codable=False``: it groups codes and is never applied)."""
        allowed = {
            "name", "color", "definition", "inclusion", "exclusion", "example", "memo", "codable",
        }  # fmt: skip
        unknown = set(fields) - allowed
        if unknown:
            raise InvalidValue(f"unknown code field(s): {', '.join(sorted(unknown))}")
        with self.store.edit() as edit:
            row = self.store.row("codes", code_id)
            if row is None:
                raise NotFound(f"no code with id {code_id}")
            if "name" in fields:
                fields["name"] = self._clean_code_name(fields["name"])
                self._check_sibling_name(fields["name"], row["parent_id"], code_id)
            if "color" in fields:
                fields["color"] = normalise_color(fields["color"])
            if "codable" in fields:
                fields["codable"] = 1 if fields["codable"] else 0
                if (
                    not fields["codable"]
                    and self.db.execute(
                        "SELECT 1 FROM codings WHERE code_id = ? LIMIT 1", [code_id]
                    ).fetchone()
                ):
                    raise InvalidValue(
                        f"'{row['name']}' has codings: a category cannot hold codings "
                        "(move them to another code first)"
                    )
            if fields:
                self.store.update("codes", code_id, fields)
        return edit.changes()

    def move_code(
        self, code_id: int, parent_id: int | None, position: int | None = None
    ) -> Changes:
        """Move a code under another parent (None: top level) at a sibling position."""
        with self.store.edit() as edit:
            row = self.store.row("codes", code_id)
            if row is None:
                raise NotFound(f"no code with id {code_id}")
            if parent_id is not None:
                if parent_id == code_id or parent_id in self.descendants(code_id):
                    raise InvalidValue(f"cannot move '{row['name']}' under itself")
                if self.store.row("codes", parent_id) is None:
                    raise NotFound(f"no code with id {parent_id}")
            self._check_sibling_name(row["name"], parent_id, code_id)
            count = len([s for s in self._siblings(parent_id) if s != code_id])
            if position is None or position > count:
                position = count
            self._renumber(row["parent_id"], skip=code_id)
            self.db.execute(
                "UPDATE codes SET parent_id = NULL, position = -1 WHERE id = ?", [code_id]
            )
            self._renumber(parent_id, insert_at=position, skip=code_id)
            self.db.execute(
                "UPDATE codes SET parent_id = ?, position = ? WHERE id = ?",
                [parent_id, position, code_id],
            )
        return edit.changes()

    def _family_colors(self, parent_id: int | None) -> tuple[list[str], str | None]:
        """The colours of the codes under ``parent_id``, and the parent's own."""
        siblings = [
            r[0]
            for r in self.db.execute(
                "SELECT color FROM codes WHERE ifnull(parent_id, 0) = ifnull(?, 0)", [parent_id]
            )
        ]
        parent = self.store.row("codes", parent_id) if parent_id is not None else None
        return siblings, parent["color"] if parent else None

    def _siblings(self, parent_id: int | None) -> list[int]:
        return [
            r[0]
            for r in self.db.execute(
                "SELECT id FROM codes WHERE ifnull(parent_id, 0) = ifnull(?, 0)", [parent_id]
            )
        ]

    def unique_sibling_name(self, name: str, parent_id: int | None) -> str:
        taken = {
            r[0]
            for r in self.db.execute(
                "SELECT name FROM codes WHERE ifnull(parent_id, 0) = ifnull(?, 0)", [parent_id]
            )
        }
        if name not in taken:
            return name
        n = 2
        while f"{name} ({n})" in taken:
            n += 1
        return f"{name} ({n})"

    def _move_children_up(self, code_id: int, new_parent: int | None) -> None:
        children = list(
            self.db.query("SELECT * FROM codes WHERE parent_id = ? ORDER BY position, name, id",
                          [code_id])
        )  # fmt: skip
        for child in children:
            name = self.unique_sibling_name(child["name"], new_parent)
            self.db.execute(
                "UPDATE codes SET parent_id = ?, name = ?, position = ? WHERE id = ?",
                [new_parent, name, 1_000_000 + child["position"], child["id"]],
            )

    def delete_code(
        self, code_id: int, children: Literal["delete", "move_up"] | None = None
    ) -> Changes:
        """Delete a code and its codings. A code with sub-codes needs ``children``:
        ``"delete"`` deletes them (and their codings), ``"move_up"`` gives them the
        deleted code's parent (renamed "name (2)" if a sibling already has the name)."""
        with self.store.edit() as edit:
            row = self.store.row("codes", code_id)
            if row is None:
                raise NotFound(f"no code with id {code_id}")
            descendants = self.descendants(code_id)
            if descendants and children not in ("delete", "move_up"):
                raise InvalidValue(
                    f"code '{row['name']}' has sub-codes: choose to delete them or move them up"
                )
            doomed = [code_id]
            if children == "move_up":
                self._move_children_up(code_id, row["parent_id"])
            else:
                doomed += descendants
            marks = ",".join("?" for _ in doomed)
            self.db.execute(f"DELETE FROM codings WHERE code_id IN ({marks})", doomed)
            self.db.execute(f"DELETE FROM codes WHERE id IN ({marks})", doomed)
            self._renumber(row["parent_id"])
        return edit.changes()

    def merge_codes(self, source_id: int, target_id: int) -> Changes:
        """Merge ``source`` into ``target``: its codings and sub-codes move, then it is deleted.

        A coding that would duplicate one of the target's (same passage and coder) is dropped.
        """
        if source_id == target_id:
            raise InvalidValue("cannot merge a code into itself")
        with self.store.edit() as edit:
            src = self.store.row("codes", source_id)
            if src is None or self.store.row("codes", target_id) is None:
                raise NotFound("both codes of a merge must exist")
            if target_id in self.descendants(source_id):
                raise InvalidValue("cannot merge a code into one of its own sub-codes")
            # A memo linked to both codes keeps one link, to the target.
            self.db.execute(
                "UPDATE OR IGNORE memo_links SET code_id = ? WHERE code_id = ?",
                [target_id, source_id],
            )
            self.db.execute("DELETE FROM memo_links WHERE code_id = ?", [source_id])
            self.db.execute(
                """DELETE FROM codings WHERE id IN (
                       SELECT s.id FROM codings_at s JOIN codings_at t
                       ON t.document_id = s.document_id AND t.start = s.start
                       AND t."end" = s."end" AND t.coder_id = s.coder_id
                       WHERE s.code_id = ? AND t.code_id = ?)""",
                [source_id, target_id],
            )
            self.db.execute(
                "UPDATE codings SET code_id = ? WHERE code_id = ?", [target_id, source_id]
            )
            self._move_children_up(source_id, target_id)
            self._renumber(target_id)
            self.db.execute("DELETE FROM codes WHERE id = ?", [source_id])
            self._renumber(src["parent_id"])
        return edit.changes()

    def check_codable(self, code_id: int) -> None:
        row = self.db.execute("SELECT name, codable FROM codes WHERE id = ?", [code_id]).fetchone()
        if row is None:
            raise NotFound(f"no code with id {code_id}")
        if not row[1]:
            raise InvalidValue(
                f"'{row[0]}' is a category: it groups codes and cannot be applied to text"
            )
