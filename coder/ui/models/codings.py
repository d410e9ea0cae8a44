"""Retrieved passages as a table model: document, code, speaker, position, coder, notes
(the codings' memos and the annotations on the passage), context.

Rows come from :func:`coder.core.query.retrieve` (the engine of the analysis window and the
report too), reading through one :class:`coder.core.query.Sources` kept while the project
is unchanged, so a refresh after one coding re-reads one document's codings only.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from coder.core.model import Annotation
from coder.core.project import Changes, Project
from coder.ui.models.table import row_header
from coder.ui.models.tree import ROOT, IdTreeModel, touched

if TYPE_CHECKING:
    from coder.core.query import Filters, Passage, Sources

# The analysis queries are imported when passages are first asked for: the window starts
# without them.
PassageRole = Qt.ItemDataRole.UserRole + 1  # the core Passage
DocumentIdRole = Qt.ItemDataRole.UserRole + 2
SpanRole = Qt.ItemDataRole.UserRole + 3  # (start, end)
ContextRole = Qt.ItemDataRole.UserRole + 4  # (before, passage, after)
SortRole = Qt.ItemDataRole.UserRole + 5

COLUMNS = ("Document", "Code", "Speaker", "Position", "Coder", "Notes", "Passage")
DOCUMENT, CODE, SPEAKER, POSITION, CODER, NOTES, CONTEXT = range(7)
NOTES_SHOWN = 120  # characters of notes in the column; the tooltip shows them all
CONTEXT_CHARS = 60
MAX_PASSAGE_SHOWN = 300  # in the one-line context column; the tooltip shows all


@dataclass(frozen=True)
class Query:
    """What the dock shows. ``mode`` and ``within`` mean what they mean for
    :func:`coder.core.query.retrieve`: ``"not"`` keeps the first code's codings that do not
    meet (``within``) a coding of the others."""

    code_ids: tuple[int, ...] = ()
    mode: str = "or"  # "or" | "and" | "not"
    include_children: bool = False
    document_id: int | None = None
    case_id: int | None = None
    coder_id: int | None = None
    within: str = "passage"  # "passage" | "paragraph" | "turn" (AND and NOT)


class RetrievedPassagesModel(IdTreeModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._project: Project | None = None
        self._query = Query()
        self._keys: dict[tuple, int] = {}  # passage identity -> row id (stable across refreshes)
        self._sources: Sources | None = None
        self._code_paths: dict[int, str] = {}
        self._annotations: dict[int, list[Annotation]] = {}  # by document, read when shown

    @property
    def project(self) -> Project | None:
        return self._project

    @property
    def query(self) -> Query:
        return self._query

    def set_project(self, project: Project | None) -> None:
        self._project = project
        self._annotations = {}
        self._query = Query()
        self._keys = {}
        self._sources = None
        self.replace_all(*self._load())

    def set_query(self, query: Query) -> None:
        self._query = query
        self._refresh_names()
        self.sync(*self._load())

    def on_changes(self, changes: Changes) -> None:
        """Refresh precisely: names only, the passages of the documents touched, or all."""
        if self._project is None:
            return
        if changes.annotations:
            self._annotations = {}
            self.announce_all()  # the notes column
        if changes.documents or changes.cases:
            self._sources = None  # texts, turns, names or case links may have changed
        elif changes.codes and self._sources is not None:
            self._sources.forget_codes()
        if not self._query.code_ids:
            return
        names = bool(changes.codes)
        # Passages carry their coders' names: a changed coder (not a new one) is read again.
        coders = bool(changes.ids("coders") - set(changes.created("coders")))
        rows = bool(changes.codings or changes.documents or changes.cases or coders)
        if names:
            old_paths = self._code_paths
            self._refresh_names()
            if any(old_paths.get(c) != self._code_paths.get(c) for c in self._shown_codes()):
                rows = True  # passages carry their codes' paths
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
        if changes.documents or changes.cases or changes.codes or coders:
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
        document order, so a document's passages form one run, found by bisection)."""
        assert self._project is not None
        rows = self._children[ROOT]
        _children, values = self._tree(self._retrieve(doc_id))
        new = _children[ROOT]
        if new:
            name = values[new[0]].document
        else:
            found = self._project.document_refs([doc_id])
            if not found:
                return
            name = found[0].name
        value = self.value

        def order(node: int) -> tuple[str, int]:
            return value(node).document.casefold(), value(node).document_id

        start = bisect_left(rows, (name.casefold(), doc_id), key=order)
        end = start
        while end < len(rows) and value(rows[end]).document_id == doc_id:
            end += 1
        if end == start and not new:
            return
        self.splice(ROOT, start, rows[start:end], new, values)

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
        self._code_paths = {c.id: c.path for c in self.sources().codes()}

    def sources(self) -> Sources:
        """What retrieval has read of the project (kept until documents or cases change)."""
        assert self._project is not None
        if self._sources is None:
            from coder.core.query import Sources

            self._sources = Sources(self._project)
        return self._sources

    def passages(self) -> list[Passage]:
        return [self.value(i) for i in self.child_ids(ROOT)]

    def filters(self, document_id: int | None = None) -> Filters:
        """The query's document, case and coder choices (narrowed to one document if given)."""
        q = self._query
        docs = None if q.document_id is None else {q.document_id}
        if document_id is not None:
            docs = {document_id} if docs is None else docs & {document_id}
        from coder.core.query import Filters

        return Filters(
            documents=None if docs is None else frozenset(docs),
            cases=frozenset([q.case_id]) if q.case_id is not None else None,
            coders=frozenset([q.coder_id]) if q.coder_id is not None else None,
        )

    def _retrieve(self, document_id: int | None = None) -> list[Passage]:
        q = self._query
        assert self._project is not None
        within = q.within if q.mode != "or" else "passage"  # OR lists codings one by one
        from coder.core.query import retrieve

        return retrieve(
            self._project,
            list(q.code_ids),
            q.mode,
            within,
            filters=self.filters(document_id),
            context=CONTEXT_CHARS,
            include_children=q.include_children,
            sources=self.sources(),
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
            passages,
            key=lambda p: (p.document.casefold(), p.document_id, p.start, p.end, p.coding_ids),
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

    # ----------------------------------------------------------------- passage details

    def speaker(self, p: Passage) -> str:
        """The speaker of the turn covering most of the passage ("" for none)."""
        return p.speaker

    def paragraph(self, p: Passage) -> int | None:
        """1-based number of the paragraph where the passage starts."""
        return p.paragraph

    def context(self, p: Passage) -> tuple[str, str, str]:
        """Text before the passage (within its paragraphs), the passage, text after it."""
        return p.before, p.text, p.after

    def notes(self, p: Passage) -> list[str]:
        """The memos of the codings behind the passage, then the annotations on it."""
        out = [f"Memo: {line}" for line in p.memo.splitlines() if line.strip()]
        project = self._project
        if project is not None:
            if p.document_id not in self._annotations:
                self._annotations[p.document_id] = project.annotations(p.document_id)
            out += [
                f"Annotation ({a.coder}): {a.text}"
                for a in self._annotations[p.document_id]
                if a.start < p.end and a.end > p.start
            ]
        return out

    # ----------------------------------------------------------------- Qt's interface

    def columnCount(self, parent: Any = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return row_header(self, section)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
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
                return ", ".join(sorted(p.coders, key=str.casefold))
            if col == NOTES:
                shown = " · ".join(" ".join(n.split()) for n in self.notes(p))
                return shown if len(shown) <= NOTES_SHOWN else shown[: NOTES_SHOWN - 1] + "…"
            if col == CONTEXT:
                before, passage, after = self.context(p)
                return " ".join(f"…{before}[{passage}]{after}…".split())
        if role == SortRole:
            if col == POSITION:
                return (p.document.casefold(), p.start, p.end)
            value = self.data(index, Qt.ItemDataRole.DisplayRole)
            return value.casefold() if isinstance(value, str) else value
        if role == Qt.ItemDataRole.ToolTipRole and col == NOTES:
            return "\n\n".join(self.notes(p)) or None
        if role == Qt.ItemDataRole.ToolTipRole and col == CONTEXT:
            passage = self.context(p)[1]
            tip = passage if len(passage) <= 1500 else passage[:1500] + "…"
            return tip + (f"\n\nMemo: {p.memo}" if p.memo else "")
        if role == Qt.ItemDataRole.AccessibleTextRole and col == CONTEXT:
            return f"Passage in {p.document}: {self.context(p)[1][:300]}"
        return None
