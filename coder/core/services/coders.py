"""Coders: the people who code, each coding and memo naming one."""

from __future__ import annotations

from coder.core import settings
from coder.core.changes import Changes
from coder.core.errors import InvalidValue, NotFound
from coder.core.model import Coder
from coder.core.store import Store, new_guid


class CoderService:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db

    def coders(self) -> list[Coder]:
        return [Coder(**r) for r in self.db.query("SELECT * FROM coders ORDER BY name")]

    def coder_names(self) -> dict[int, str]:
        """``{coder id: name}`` of every coder."""
        return dict(self.db.execute("SELECT id, name FROM coders").fetchall())

    def find_coder(self, name: str) -> Coder:
        rows = list(self.db.query("SELECT * FROM coders WHERE name = ?", [name]))
        if not rows:
            known = ", ".join(c.name for c in self.coders()) or "none yet"
            raise NotFound(f"no coder named '{name}' (coders: {known})")
        return Coder(**rows[0])

    def ensure_coder(self, name: str | None) -> int:
        """The id of the coder named ``name`` (None: this user's coder name), created if new."""
        name = (name or settings.coder_name()).strip()
        if not name:
            raise InvalidValue("a coder needs a name")
        row = self.db.execute("SELECT id FROM coders WHERE name = ?", [name]).fetchone()
        if row:
            return row[0]
        with self.store.edit():
            return self.store.insert("coders", {"guid": new_guid(), "name": name})

    def add_coder(self, name: str, guid: str | None = None) -> Changes:
        with self.store.edit() as edit:
            if self.db.execute("SELECT 1 FROM coders WHERE name = ?", [name]).fetchone():
                raise InvalidValue(f"a coder named '{name}' already exists")
            self.store.insert("coders", {"guid": guid or new_guid(), "name": name})
        return edit.changes()
