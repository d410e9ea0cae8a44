"""Retrieved passages as a table model: document, code, speaker, position, coder, context.

Rows come from :func:`coder.core.retrieval.retrieve`. Speaker, paragraph and context are
read lazily, for the rows a view actually shows, from a per-document cache.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field, replace
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from coder.core.project import Changes, Project
from coder.core.retrieval import Passage, retrieve
from coder.core.text import paragraph_index, paragraphs
from coder.ui.models.tree import ROOT, IdTreeModel, touched

PassageRole = Qt.ItemDataRole.UserRole + 1  # the core Passage
DocumentIdRole = Qt.ItemDataRole.UserRole + 2
SpanRole = Qt.ItemDataRole.UserRole + 3  # (start, end)
ContextRole = Qt.ItemDataRole.UserRole + 4  # (before, passage, after)
SortRole = Qt.ItemDataRole.UserRole + 5

COLUMNS = ("Document", "Code", "Speaker", "Position", "Coder", "Passage")
DOCUMENT, CODE, SPEAKER, POSITION, CODER, CONTEXT = range(6)
CONTEXT_CHARS = 60
MAX_PASSAGE_SHOWN = 300  # in the one-line context column; the tooltip shows all


@dataclass
class _DocInfo:
    text: str
    paragraphs: list[tuple[int, int]]
    turns: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, speaker)


@dataclass(frozen=True)
class Query:
    code_ids: tuple[int, ...] = ()
    mode: str = "or"  # "or" | "and"
    include_children: bool = False
    document_id: int | None = None
    case_id: int | None = None
    coder_id: int | None = None


class RetrievedPassagesModel(IdTreeModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._project: Project | None = None
        self._query = Query()
        self._keys: dict[tuple, int] = {}  # passage identity -> row id (stable across refreshes)
        self._docs: dict[int, _DocInfo] = {}
        self._code_paths: dict[int, str] = {}
        self._coders: dict[int, str] = {}

    @property
    def project(self) -> Project | None:
        return self._project

    @property
    def query(self) -> Query:
        return self._query

    def set_project(self, project: Project | None) -> None:
        self._project = project
        self._query = Query()
        self._keys = {}
        self._docs = {}
        self.replace_all(*self._load())

    def set_query(self, query: Query) -> None:
        self._query = query
        self._refresh_names()
        self.sync(*self._load())

    def on_changes(self, changes: Changes) -> None:
        """Refresh precisely: names only, the passages of the documents touched, or all."""
        if self._project is None or not self._query.code_ids:
            return
        for doc_id in changes.documents:
            self._docs.pop(doc_id, None)
        names = bool(changes.codes or changes.ids("coders"))
        rows = bool(changes.codings or changes.documents or changes.cases)
        if names:
            self._refresh_names()
            # Codes that no longer exist drop out of the query.
            codes = tuple(c for c in self._query.code_ids if c in self._code_paths)
            if codes != self._query.code_ids:
                self._query = replace(self._query, code_ids=codes)
                rows = True
            if self._query.include_children and changes.codes:
                rows = True  # a moved code may join or leave the sub-codes read
        if not rows:
            if names:
                self.announce_all()
            return
        if changes.documents or changes.cases or changes.codes:
            self.sync(*self._load())
            if names:
                self.announce_all()
            return
        # Codings only: re-read just the documents they are in, if they concern shown codes.
        if not touched(changes, "codings", "code_id") & self._shown_codes():
            return
        docs = set(touched(changes, "codings", "document_id"))
        if self._query.document_id is not None:
            docs &= {self._query.document_id}
        for doc_id in sorted(docs):
            self._replace_document(doc_id)

    def _replace_document(self, doc_id: int) -> None:
        """Re-read one document's passages and splice them into the rows (rows stay in
        document order, so a document's passages form one run)."""
        rows = self.child_ids(ROOT)
        old_rows = [i for i, node in enumerate(rows) if self.value(node).document_id == doc_id]
        _children, values = self._tree(self._retrieve(doc_id))
        new = _children[ROOT]
        if old_rows:
            start = old_rows[0]
        elif new:
            first = values[new[0]]
            key = (first.document.casefold(), doc_id)
            start = next(
                (i for i, node in enumerate(rows)
                 if (self.value(node).document.casefold(), self.value(node).document_id) > key),
                len(rows),
            )  # fmt: skip
        else:
            return
        self.splice(ROOT, start, [rows[i] for i in old_rows], new, values)

    def _shown_codes(self) -> set[int]:
        """The codes whose codings the query reads (with sub-codes when it includes them)."""
        shown = set(self._query.code_ids)
        if self._query.include_children and self._project is not None:
            children: dict[int, list[int]] = {}
            for code in self._project.codes():
                if code.parent_id is not None:
                    children.setdefault(code.parent_id, []).append(code.id)
            stack = list(shown)
            while stack:
                for child in children.get(stack.pop(), []):
                    if child not in shown:
                        shown.add(child)
                        stack.append(child)
        return shown

    def _refresh_names(self) -> None:
        if self._project is None:
            return
        self._code_paths = {c.id: c.path for c in self._project.codes()}
        self._coders = {c.id: c.name for c in self._project.coders()}

    def passages(self) -> list[Passage]:
        return [self.value(i) for i in self.child_ids(ROOT)]

    def _retrieve(self, document_id: int | None = None) -> list[Passage]:
        q = self._query
        assert self._project is not None
        return retrieve(
            self._project,
            q.code_ids,
            q.mode,
            q.include_children,
            document_id if document_id is not None else q.document_id,
            q.case_id,
            q.coder_id,
        )

    def _load(self) -> tuple[dict[int, list[int]], dict[int, Passage]]:
        if self._project is None or not self._query.code_ids:
            return {ROOT: []}, {}
        if not self._code_paths:
            self._refresh_names()
        return self._tree(self._retrieve())

    def _tree(self, passages: list[Passage]) -> tuple[dict[int, list[int]], dict[int, Passage]]:
        """Rows in document and position order, each with an id stable across refreshes."""
        passages = sorted(
            passages, key=lambda p: (p.document.casefold(), p.document_id, p.start, p.end, p.coding_ids)
        )
        children: dict[int, list[int]] = {ROOT: []}
        values: dict[int, Passage] = {}
        for p in passages:
            key = (p.document_id, p.start, p.end, p.code_ids, p.coding_ids)
            if key not in self._keys:
                self._keys[key] = len(self._keys) + 1
            node = self._keys[key]
            if node in values:  # the same passage twice cannot happen, but never show it twice
                continue
            values[node] = p
            children[ROOT].append(node)
        return children, values

    # ----------------------------------------------------------------- lazy document details

    def _doc(self, doc_id: int) -> _DocInfo:
        info = self._docs.get(doc_id)
        if info is None:
            assert self._project is not None
            text = self._project.document_text(doc_id)
            turns = [(t.start, t.end, t.speaker or "") for t in self._project.turns(doc_id)]
            info = _DocInfo(text, paragraphs(text), turns)
            self._docs[doc_id] = info
        return info

    def speaker(self, p: Passage) -> str:
        turns = self._doc(p.document_id).turns
        i = bisect_right(turns, (p.start, float("inf"), "")) - 1
        if i >= 0 and turns[i][0] <= p.start < max(turns[i][1], turns[i][0] + 1):
            return turns[i][2]
        return ""

    def paragraph(self, p: Passage) -> int | None:
        """1-based number of the paragraph where the passage starts."""
        i = paragraph_index(self._doc(p.document_id).paragraphs, p.start)
        return i + 1 if i is not None else None

    def context(self, p: Passage) -> tuple[str, str, str]:
        text = self._doc(p.document_id).text
        before = text[max(0, p.start - CONTEXT_CHARS) : p.start]
        passage = text[p.start : p.end]
        after = text[p.end : p.end + CONTEXT_CHARS]
        return before, passage, after

    # ----------------------------------------------------------------- Qt's interface

    def columnCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802, E501
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: E501
        if not index.isValid():
            return None
        p: Passage | None = self.value(self.node_id(index))
        if p is None:
            return None
        col = index.column()
        if role == PassageRole:
            return p
        if role == DocumentIdRole:
            return p.document_id
        if role == SpanRole:
            return (p.start, p.end)
        if role == ContextRole:
            return self.context(p)
        if role == Qt.ItemDataRole.DisplayRole:
            if col == DOCUMENT:
                return p.document
            if col == CODE:
                return " + ".join(self._code_paths.get(c, "?") for c in p.code_ids)
            if col == SPEAKER:
                return self.speaker(p)
            if col == POSITION:
                para = self.paragraph(p)
                where = f"¶ {para}, " if para is not None else ""
                return f"{where}{p.start}–{p.end}"
            if col == CODER:
                return ", ".join(sorted((self._coders.get(c, "?") for c in p.coder_ids), key=str.casefold))
            if col == CONTEXT:
                before, passage, after = self.context(p)
                return " ".join(f"…{before}[{passage}]{after}…".split())
        if role == SortRole:
            if col == POSITION:
                return (p.document.casefold(), p.start, p.end)
            value = self.data(index, Qt.ItemDataRole.DisplayRole)
            return value.casefold() if isinstance(value, str) else value
        if role == Qt.ItemDataRole.ToolTipRole and col == CONTEXT:
            passage = self.context(p)[1]
            tip = passage if len(passage) <= 1500 else passage[:1500] + "…"
            return tip + (f"\n\nMemo: {p.memo}" if p.memo else "")
        if role == Qt.ItemDataRole.AccessibleTextRole and col == CONTEXT:
            return f"Passage in {p.document}: {self.context(p)[1][:300]}"
        return None
