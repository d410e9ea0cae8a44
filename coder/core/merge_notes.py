"""Merging annotations, memos, memo links and the project memo from another project (see
:mod:`coder.core.merge` for the matching rules)."""

from __future__ import annotations

from typing import Any

from coder.core.merge_base import MergerBase
from coder.core.merge_report import short


class NotesMerger(MergerBase):
    """Annotations, memos and their links; runs after documents, codes, codings and cases."""

    # ------------------------------------------------------------- annotations and memos

    def merge_annotations(self) -> None:
        """Annotations by GUID, else by identical (document, start, end, text)."""
        mine = self._mine("SELECT * FROM annotations_at")
        by_guid = {r["guid"].lower(): r for r in mine}
        contents = {(r["document_id"], r["start"], r["end"], r["text"]) for r in mine}
        lengths = dict(self.db.execute("SELECT id, length FROM documents"))
        for row in self._rows("SELECT * FROM annotations_at ORDER BY id"):
            doc, coder = self.documents.get(row["document_id"]), self.coders.get(row["coder_id"])
            if doc is None or coder is None or not 0 <= row["start"] < row["end"] <= lengths[doc]:
                continue  # a dangling row in their file
            if row["document_id"] in self.other_text:
                continue  # anchored in another text
            mapped = {**row, "document_id": doc, "coder_id": coder}
            match = by_guid.get(row["guid"].lower())
            if match is not None:
                self._reconcile_annotation(match, mapped)
                continue
            key = (doc, row["start"], row["end"], row["text"])
            if key in contents:
                self.report.matched["annotations by content"] += 1
                continue
            mapped["id"] = self._insert("annotations", mapped)
            by_guid[row["guid"].lower()] = mapped
            contents.add(key)

    def _reconcile_annotation(self, mine: dict[str, Any], theirs: dict[str, Any]) -> None:
        doc = self._value("SELECT name FROM documents WHERE id = ?", [mine["document_id"]], "?")
        item = f"annotation in {short(doc)} at {mine['start']}-{mine['end']}"
        if mine["document_id"] != theirs["document_id"]:
            note = "annotations never move between documents"
            self._conflict("annotation", item, "document", str(mine["document_id"]),
                           str(theirs["document_id"]), note=note, kept="mine")  # fmt: skip
            return
        before = (mine["start"], mine["end"], mine["text"])
        if (mine["start"], mine["end"]) != (theirs["start"], theirs["end"]) and self._conflict(
            "annotation", item, "passage", f"{mine['start']}-{mine['end']}",
            f"{theirs['start']}-{theirs['end']}",
        ):  # fmt: skip
            self._update(
                "annotations", mine["id"], {"start": theirs["start"], "end": theirs["end"]}
            )
        self._reconcile_text("annotations", "annotation", item, mine, theirs, ["text"])
        now_row = self.db.execute(
            'SELECT start, "end", text FROM annotations_at WHERE id = ?', [mine["id"]]
        ).fetchone()
        if tuple(now_row) != before:
            stamp = max(mine["modified_at"], theirs["modified_at"])
            self._update("annotations", mine["id"], {"modified_at": stamp})

    def merge_memos(self) -> None:
        mine = self._mine("SELECT * FROM memos")
        by_guid = {r["guid"]: r for r in mine}
        contents = {(r["title"], r["text"]): r for r in mine}
        for row in self._rows("SELECT * FROM memos ORDER BY id"):
            match = by_guid.get(row["guid"])
            if match is None:
                if (row["title"], row["text"]) in contents:
                    self.memos[row["id"]] = contents[(row["title"], row["text"])]["id"]
                    self.report.matched["memos by content"] += 1
                    continue
                author = self.coders.get(row["coder_id"]) if row["coder_id"] else None
                new_id = self._insert("memos", {**row, "coder_id": author})
                self.memos[row["id"]] = new_id
                by_guid[row["guid"]] = contents[(row["title"], row["text"])] = {
                    **row, "id": new_id, "coder_id": author,
                }  # fmt: skip
                continue
            self.memos[row["id"]] = match["id"]
            if match["coder_id"] is None and row["coder_id"] in self.coders:
                self._update("memos", match["id"], {"coder_id": self.coders[row["coder_id"]]})
                self.report.filled += 1
            item = short(match["title"] or "(untitled)")
            before = (match["title"], match["text"])
            self._reconcile_text("memos", "memo", item, match, row, ["title", "text"])
            row_now = self.db.execute("SELECT title, text FROM memos WHERE id = ?", [match["id"]])
            after = tuple(row_now.fetchone())
            if after != before:
                self.db.execute(
                    "UPDATE memos SET modified_at = ? WHERE id = ?",
                    [max(match["modified_at"], row["modified_at"]), match["id"]],
                )

    def merge_memo_links(self) -> None:
        """Links from memos to documents, codes, codings and cases, by what they link."""
        targets = {"document_id": self.documents, "code_id": self.codes,
                   "coding_id": self.codings, "case_id": self.cases}  # fmt: skip
        for row in self._rows("SELECT * FROM memo_links ORDER BY id"):
            memo = self.memos.get(row["memo_id"])
            ((column, their_id),) = [(c, row[c]) for c in targets if row[c] is not None]
            target = targets[column].get(their_id)
            if memo is None or target is None:
                continue
            cur = self.db.execute(
                f"INSERT OR IGNORE INTO memo_links (memo_id, {column}) VALUES (?, ?)",
                [memo, target],
            )
            if cur.rowcount:
                self.report.added["memo_links"] += 1

    def merge_project_memo(self) -> None:
        theirs = self.theirs.execute("SELECT value FROM meta WHERE key = 'memo'").fetchone()
        if not theirs or not theirs[0]:
            return
        found = self.db.execute("SELECT value FROM meta WHERE key = 'memo'").fetchone()
        mine = found[0] if found else ""
        if mine == theirs[0]:
            return
        if mine:
            if not self._conflict("project memo", "", "text", mine, theirs[0]):
                return
        else:
            self.report.filled += 1
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES ('memo', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [theirs[0]],
        )
