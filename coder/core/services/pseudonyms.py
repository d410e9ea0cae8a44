"""The pseudonym list: each original (a name, a place, an e-mail...) and what replaces it.

Two entries may not share an original, whatever its case or normalisation form; a replacement
may not itself contain an original (a pseudonymised text would still name someone). Extra
forms of an original (inflections: "Krakowie", "Krakowa") are matched as originals too.
"""

from __future__ import annotations

from pathlib import Path

from coder.core import files
from coder.core.attributes import read_table
from coder.core.changes import Changes
from coder.core.errors import InvalidValue, NotFound
from coder.core.model import Pseudonym
from coder.core.pseudonymise.matching import Matcher, Rule, folded_key
from coder.core.store import Store, new_guid, now

CATEGORIES = ("person", "place", "organisation", "date", "contact", "other")
EXPORT_COLUMNS = (
    "original",
    "replacement",
    "category",
    "forms",
    "case_sensitive",
    "whole_word",
    "note",
)


class PseudonymService:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db

    # ----------------------------------------------------------------- reads

    def pseudonyms(self) -> list[Pseudonym]:
        """The list, longest original first (the order in which they are matched)."""
        rows = self.db.execute(
            "SELECT id, guid, original, replacement, category, forms, case_sensitive, "
            "whole_word, note FROM pseudonyms"
        ).fetchall()
        items = [
            Pseudonym(
                id=r[0],
                guid=r[1],
                original=r[2],
                replacement=r[3],
                category=r[4],
                forms=tuple(f for f in r[5].split("\n") if f),
                case_sensitive=bool(r[6]),
                whole_word=bool(r[7]),
                note=r[8],
            )
            for r in rows
        ]
        items.sort(key=lambda p: (-len(p.original), p.original.casefold(), p.id))
        return items

    def pseudonym_rules(self) -> list[Rule]:
        """One matching rule per original and per extra form."""
        return [
            Rule(original, p.replacement, p.category, p.case_sensitive, p.whole_word)
            for p in self.pseudonyms()
            for original in (p.original, *p.forms)
        ]

    def pseudonym_matcher(self) -> Matcher:
        return Matcher(self.pseudonym_rules())

    def find_pseudonym(self, original: str) -> Pseudonym:
        key = folded_key(original)
        for p in self.pseudonyms():
            if folded_key(p.original) == key:
                return p
        raise NotFound(f"no pseudonym for '{original}' in the list")

    def dismissed_suggestions(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT text FROM pseudonym_dismissals")}

    # ----------------------------------------------------------------- writes

    def add_pseudonym(
        self,
        original: str,
        replacement: str,
        category: str = "other",
        forms: tuple[str, ...] = (),
        case_sensitive: bool = False,
        whole_word: bool = True,
        note: str = "",
    ) -> Changes:
        """Add an entry to the list (one undo step)."""
        with self.store.edit() as edit:
            self._insert(original, replacement, category, forms, case_sensitive, whole_word, note)
        return edit.changes()

    def remove_pseudonym(self, original: str) -> Changes:
        with self.store.edit() as edit:
            p = self.find_pseudonym(original)
            self.db.execute("DELETE FROM pseudonyms WHERE id = ?", [p.id])
        return edit.changes()

    def dismiss_suggestion(self, text: str, kind: str = "") -> Changes:
        """Do not suggest ``text`` again."""
        with self.store.edit() as edit:
            self.db.execute(
                "INSERT OR IGNORE INTO pseudonym_dismissals (text, kind) VALUES (?, ?)",
                [text, kind],
            )
        return edit.changes()

    def import_pseudonyms(self, path: Path) -> Changes:
        """Add the entries of a CSV or XLSX table: a header row naming at least ``original`` and
        ``replacement`` (other columns as :data:`EXPORT_COLUMNS`), or two to three unnamed
        columns (original, replacement, category). All or nothing, one undo step."""
        if path.suffix.lower() not in (".csv", ".xlsx"):
            raise InvalidValue(f"{path.name}: a pseudonym list is imported from .csv or .xlsx")
        rows = [["" if v is None else str(v).strip() for v in r] for r in read_table(path)]
        if not rows:
            raise InvalidValue(f"{path.name}: the table is empty")
        header = [h.casefold() for h in rows[0]]
        if "original" in header and "replacement" in header:
            columns, rows = header, rows[1:]
        else:
            columns = ["original", "replacement", "category"][: len(rows[0])]
        with self.store.edit() as edit:
            for n, row in enumerate(rows, start=2 if columns is header else 1):
                values = dict(zip(columns, row, strict=False))
                try:
                    self._insert(
                        values.get("original", ""),
                        values.get("replacement", ""),
                        values.get("category", "") or "other",
                        tuple(f.strip() for f in values.get("forms", "").split(";")),
                        _flag(values.get("case_sensitive", ""), False),
                        _flag(values.get("whole_word", ""), True),
                        values.get("note", ""),
                    )
                except InvalidValue as e:
                    raise InvalidValue(f"{path.name}, row {n}: {e}") from None
        return edit.changes()

    def export_pseudonyms(self, path: Path) -> int:
        """Write the list as a CSV (UTF-8 with a BOM, for Excel), readable by its owner only
        (it holds the originals); returns how many entries."""
        items = self.pseudonyms()
        files.write_csv(
            path,
            EXPORT_COLUMNS,
            (
                [
                    p.original,
                    p.replacement,
                    p.category,
                    ";".join(p.forms),
                    "yes" if p.case_sensitive else "no",
                    "yes" if p.whole_word else "no",
                    p.note,
                ]
                for p in items
            ),
            private=True,
        )
        return len(items)

    def _insert(
        self,
        original: str,
        replacement: str,
        category: str,
        forms: tuple[str, ...],
        case_sensitive: bool,
        whole_word: bool,
        note: str,
    ) -> None:
        original = original.strip()
        replacement = replacement.strip()
        category = category.strip().casefold()
        forms = tuple(
            dict.fromkeys(f.strip() for f in forms if f.strip() and f.strip() != original)
        )
        if not original:
            raise InvalidValue("an original cannot be empty")
        if not replacement:
            raise InvalidValue(f"'{original}' needs a replacement that is not empty")
        if category not in CATEGORIES:
            raise InvalidValue(
                f"unknown category '{category}' (use one of: {', '.join(CATEGORIES)})"
            )
        if any("\n" in f or ";" in f for f in forms):
            raise InvalidValue("an extra form cannot contain a line break or ';'")
        taken = {
            folded_key(o): p.original for p in self.pseudonyms() for o in (p.original, *p.forms)
        }
        for o in (original, *forms):
            if folded_key(o) in taken:
                raise InvalidValue(f"'{o}' is already in the list (as '{taken[folded_key(o)]}')")
        rules = self.pseudonym_rules() + [
            Rule(o, replacement, category, case_sensitive, whole_word) for o in (original, *forms)
        ]
        clash = Matcher(rules).contains(replacement)
        if clash is not None:
            raise InvalidValue(
                f"the replacement '{replacement}' contains the original '{clash.rule.original}'"
            )
        added = Matcher(
            [Rule(o, replacement, category, case_sensitive, whole_word) for o in (original, *forms)]
        )
        for p in self.pseudonyms():
            inside = added.contains(p.replacement)
            if inside is not None:
                raise InvalidValue(
                    f"'{inside.rule.original}' occurs in the replacement of '{p.original}'"
                )
        self.db.table("pseudonyms").insert(
            {
                "guid": new_guid(),
                "original": original,
                "replacement": replacement,
                "category": category,
                "forms": "\n".join(forms),
                "case_sensitive": int(case_sensitive),
                "whole_word": int(whole_word),
                "note": note,
                "created_at": now(),
            }
        )


def _flag(value: str, default: bool) -> bool:
    v = value.strip().casefold()
    if not v:
        return default
    if v in ("yes", "y", "true", "1", "x"):
        return True
    if v in ("no", "n", "false", "0"):
        return False
    raise InvalidValue(f"'{value}' is not yes or no")
