"""Every memo of a project in one list: the project memo, free memos, the memos of documents,
codes, cases and codings, and annotations (notes anchored to a passage).

The Memos view lists, searches and edits them all in one place; :func:`memo_entries` reads
them, :func:`memo_entry` re-reads one after an edit, and :func:`set_memo_text` writes one
through the project's services (one undo step each).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from coder.core.errors import NotFound

if TYPE_CHECKING:
    from coder.core.project import Changes, Project

# Kinds, in the order the view sorts them by default.
KINDS = ("project", "memo", "document", "code", "case", "coding", "annotation")
KIND_LABELS = {
    "project": "Project memo",
    "memo": "Memo",
    "document": "Document memo",
    "code": "Code memo",
    "case": "Case memo",
    "coding": "Coding memo",
    "annotation": "Annotation",
}
EXCERPT = 60


@dataclass(frozen=True)
class MemoEntry:
    """One memo: ``key`` = (kind, id) identifies it (id 0 for the project memo)."""

    kind: str
    id: int
    title: str
    text: str
    author: str = ""
    created: str = ""
    modified: str = ""
    document_id: int | None = None  # codings and annotations: where the passage is
    start: int | None = None
    end: int | None = None
    links: tuple[str, ...] = ()  # free memos: "Code: Family pull", "Document: Amira"…

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.id)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """A passage on one line, cut at a word near ``limit`` characters."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,.;:") + "…"


def _links(project: Project) -> dict[int, tuple[str, ...]]:
    names = {
        "document_id": {d.id: d.name for d in project.documents()},
        "code_id": {c.id: c.path for c in project.codes()},
        "case_id": {c.id: c.name for c in project.cases()},
    }
    labels = {"document_id": "Document", "code_id": "Code", "case_id": "Case"}
    out: dict[int, list[str]] = {}
    for link in project.memo_links():
        for column, label in labels.items():
            target = getattr(link, column)
            if target is not None:
                out.setdefault(link.memo_id, []).append(
                    f"{label}: {names[column].get(target, '?')}"
                )
        if link.coding_id is not None:
            out.setdefault(link.memo_id, []).append(f"Coding {link.coding_id}")
    return {k: tuple(v) for k, v in out.items()}


def _coding_entries(project: Project, where: str, params: list) -> list[MemoEntry]:
    """The codings with memos that ``where`` (on the codings table, ``t``) picks.

    The codings are filtered before anything is joined to them: driven by the documents or
    codes, SQLite would walk every coding of the project through the text blocks to find the
    few with a memo. Excerpts are cut from each document's text, read once."""
    sql = f"""
        WITH t AS MATERIALIZED (
            SELECT id, document_id, block_id, code_id, coder_id, start_offset, end_offset, memo,
                   created_at FROM codings t WHERE {where})
        SELECT t.id, t.document_id, b.start + t.start_offset AS start,
               b.start + t.end_offset AS "end", t.memo, t.created_at,
               ifnull(k.name, '') AS coder, c.name AS code, d.name AS document
        FROM t JOIN text_blocks b ON b.id = t.block_id JOIN codes c ON c.id = t.code_id
        JOIN documents d ON d.id = t.document_id LEFT JOIN coders k ON k.id = t.coder_id
        ORDER BY d.name COLLATE NOCASE, start, t.id
    """
    texts: dict[int, str] = {}
    entries = []
    for r in project.db.query(sql, params):
        doc_id, start, end = r["document_id"], r["start"], r["end"]
        if doc_id not in texts:
            texts[doc_id] = project.document_text(doc_id)
        passage = texts[doc_id][start : min(end, start + EXCERPT * 2)]
        entries.append(
            MemoEntry(
                "coding",
                r["id"],
                f"'{r['code']}' — {r['coder'] or 'unknown coder'} in {r['document']}: "
                f"“{excerpt(passage)}”",
                r["memo"],
                r["coder"],
                r["created_at"],
                r["created_at"],
                doc_id,
                start,
                end,
            )  # fmt: skip
        )
    return entries


def _annotation_entries(project: Project, annotation_id: int | None = None) -> list[MemoEntry]:
    texts: dict[int, str] = {}
    out = []
    for a in project.annotations():
        if annotation_id is not None and a.id != annotation_id:
            continue
        if a.document_id not in texts:
            texts[a.document_id] = project.document_text(a.document_id)
        doc = project.document(a.document_id).name
        passage = excerpt(texts[a.document_id][a.start : a.end])
        out.append(
            MemoEntry(
                "annotation",
                a.id,
                f"{doc}: “{passage}”",
                a.text,
                a.coder,
                a.created_at,
                a.modified_at,
                a.document_id,
                a.start,
                a.end,
            )  # fmt: skip
        )
    return out


def memo_entries(project: Project) -> list[MemoEntry]:
    """Every memo with text (and every free memo and annotation, even empty ones)."""
    entries: list[MemoEntry] = []
    project_memo = project.memo
    if project_memo.strip():
        entries.append(MemoEntry("project", 0, "Project memo", project_memo))
    links = _links(project)
    for m in project.memos():
        entries.append(
            MemoEntry(
                "memo",
                m.id,
                m.title,
                m.text,
                m.author,
                m.created_at,
                m.modified_at,
                links=links.get(m.id, ()),
            )  # fmt: skip
        )
    for d in project.documents():
        if d.memo.strip():
            entries.append(MemoEntry("document", d.id, d.name, d.memo, created=d.imported_at))
    for c in project.codes():
        if c.memo.strip():
            entries.append(MemoEntry("code", c.id, c.path, c.memo, created=c.created_at))
    for case in project.cases():
        if case.memo.strip():
            entries.append(MemoEntry("case", case.id, case.name, case.memo))
    entries += _coding_entries(project, "memo != ''", [])
    entries += _annotation_entries(project)
    return entries


def memo_entry(project: Project, kind: str, key: int) -> MemoEntry | None:
    """One memo as :func:`memo_entries` lists it; None when it is gone or has no text left
    (a free memo or an annotation is listed even when empty)."""
    if kind == "coding":
        found = _coding_entries(project, "id = ? AND memo != ''", [key])
        return found[0] if found else None
    if kind == "annotation":
        found = _annotation_entries(project, key)
        return found[0] if found else None
    if kind == "memo":
        for m in project.memos():
            if m.id == key:
                return MemoEntry(
                    "memo", m.id, m.title, m.text, m.author, m.created_at, m.modified_at,
                    links=_links(project).get(m.id, ()),
                )  # fmt: skip
        return None
    for entry in memo_entries(project):
        if entry.key == (kind, key):
            return entry
    return None


def set_memo_text(project: Project, kind: str, key: int, text: str) -> Changes:
    """Write a memo's text through the service that owns it (one transaction)."""
    if kind == "project":
        return project.set_project_memo(text)
    if kind == "memo":
        return project.update_memo(key, text=text)
    if kind == "document":
        return project.set_document_fields(key, memo=text)
    if kind == "code":
        return project.update_code(key, memo=text)
    if kind == "case":
        return project.update_case(key, memo=text)
    if kind == "coding":
        return project.set_coding_memo(key, text)
    if kind == "annotation":
        return project.update_annotation(key, text=text)
    raise NotFound(f"no memo of kind '{kind}'")
