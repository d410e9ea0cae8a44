"""Similar passages: BM25 over the project's paragraphs, computed on this computer.

The index holds, per document, each paragraph's word counts (words as in
:mod:`coder.core.query.words`), and an inverted list per word. It is kept up to date one
document at a time: :meth:`SimilarityIndex.refresh` re-reads only documents that are new or
whose text changed (a checksum of the text, checked after the project was written), and drops
deleted ones. A query uses the passage's most distinctive words (at most ``QUERY_TERMS``, by
tf·idf), as "more like this" searches do, and ranks paragraphs by Okapi BM25 (k1 = 1.2,
b = 0.75).
"""

from __future__ import annotations

import math
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coder.core.errors import InvalidValue
from coder.core.query.words import Progress, tokens
from coder.core.text import paragraphs

if TYPE_CHECKING:
    from coder.core.project import Project

K1 = 1.2
B = 0.75
QUERY_TERMS = 32


@dataclass(frozen=True)
class SimilarPassage:
    document_id: int
    document: str
    start: int
    end: int
    text: str
    score: float


class _DocumentIndex:
    __slots__ = ("checksum", "guid", "lengths", "name", "spans", "text")

    def __init__(self, guid: str, name: str, text: str, checksum: int) -> None:
        self.guid, self.name, self.text, self.checksum = guid, name, text, checksum
        self.spans = paragraphs(text)
        self.lengths: list[int] = []


class SimilarityIndex:
    """Paragraphs of every document, ready for BM25 queries."""

    def __init__(self) -> None:
        self._docs: dict[int, _DocumentIndex] = {}
        # word -> {(document id, paragraph index): count}
        self._postings: dict[str, dict[tuple[int, int], int]] = defaultdict(dict)
        self._total_length = 0
        self._paragraphs = 0
        self._seen: tuple[int, int] | None = None
        self._conn: object = None  # the connection the markers were read on (kept: no reuse)
        self.indexed = 0  # documents (re-)indexed so far: what an update cost
        # word -> (paragraph keys, BM25 term weights), made when a query first needs it
        self._weights: dict[str, tuple[list[tuple[int, int]], list[float]]] = {}

    # ------------------------------------------------------------------ keeping it current

    def refresh(self, project: Project, progress: Progress | None = None) -> None:
        """Bring the index up to date with the project (only changed documents are read).
        Stopped midway (``progress`` raising), it stays consistent: the next refresh goes on."""
        # Both counters belong to one connection: another connection is always checked.
        conn = project.db.conn
        marker = (conn.total_changes, project.db.execute("PRAGMA data_version").fetchone()[0])
        if conn is self._conn and marker == self._seen:
            return
        rows = project.db.execute(
            "SELECT d.id, guid, name, t.text FROM documents d "
            "JOIN document_texts t ON t.document_id = d.id"
        ).fetchall()
        current = set()
        for n, (doc_id, guid, name, text) in enumerate(rows):
            if progress is not None:
                progress(n, len(rows), "Indexing paragraphs")
            current.add(doc_id)
            checksum = zlib.crc32(text.encode("utf-8", "surrogatepass"))
            old = self._docs.get(doc_id)
            if old is not None and old.guid == guid and old.checksum == checksum:
                old.name = name
                continue
            self._drop(doc_id)
            self._add(doc_id, _DocumentIndex(guid, name, text, checksum))
        for doc_id in set(self._docs) - current:
            self._drop(doc_id)
        self._seen, self._conn = marker, conn

    def _add(self, doc_id: int, doc: _DocumentIndex) -> None:
        for i, (s, e) in enumerate(doc.spans):
            counts = Counter(tokens(doc.text[s:e]))
            for word, n in counts.items():
                self._postings[word][(doc_id, i)] = n
            length = sum(counts.values())
            doc.lengths.append(length)
            self._total_length += length
        self._paragraphs += len(doc.spans)
        self._docs[doc_id] = doc
        self._weights.clear()
        self.indexed += 1

    def _drop(self, doc_id: int) -> None:
        doc = self._docs.pop(doc_id, None)
        if doc is None:
            return
        for i, (s, e) in enumerate(doc.spans):
            for word in set(tokens(doc.text[s:e])):
                posting = self._postings.get(word)
                if posting is not None:
                    posting.pop((doc_id, i), None)
                    if not posting:
                        del self._postings[word]
        self._total_length -= sum(doc.lengths)
        self._paragraphs -= len(doc.spans)
        self._weights.clear()

    # ------------------------------------------------------------------ queries

    def _idf(self, word: str) -> float:
        df = len(self._postings.get(word, ()))
        n = self._paragraphs
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def _term_weights(self, word: str) -> tuple[list[tuple[int, int]], list[float]]:
        """Each paragraph holding ``word`` and its BM25 term weight (without the idf)."""
        cached = self._weights.get(word)
        if cached is None:
            posting = self._postings.get(word, {})
            avg = self._total_length / self._paragraphs if self._paragraphs else 1.0
            keys = list(posting)
            norm = [K1 * (1 - B + B * self._docs[d].lengths[i] / avg) for d, i in keys]
            weights = [
                tf * (K1 + 1) / (tf + n) for tf, n in zip(posting.values(), norm, strict=True)
            ]
            cached = self._weights[word] = (keys, weights)
        return cached

    def similar(
        self, text: str, top: int = 10, exclude: tuple[int, int, int] | None = None
    ) -> list[SimilarPassage]:
        """The ``top`` paragraphs most like ``text``, best first; ``exclude`` is a passage
        ``(document id, start, end)`` whose own paragraphs are left out."""
        counts = Counter(tokens(text))
        if not counts:
            raise InvalidValue("the passage has no words to compare")
        weighted = sorted(counts, key=lambda w: (-counts[w] * self._idf(w), w))[:QUERY_TERMS]
        scores: dict[tuple[int, int], float] = defaultdict(float)
        for word in weighted:
            keys, weights = self._term_weights(word)
            factor = self._idf(word) * counts[word]
            for key, weight in zip(keys, weights, strict=True):
                scores[key] += factor * weight
        out: list[SimilarPassage] = []
        for (doc_id, i), score in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])):
            doc = self._docs[doc_id]
            s, e = doc.spans[i]
            if exclude is not None and doc_id == exclude[0] and s < exclude[2] and exclude[1] < e:
                continue
            out.append(SimilarPassage(doc_id, doc.name, s, e, doc.text[s:e], round(score, 4)))
            if len(out) >= top:
                break
        return out


def similar_passages(
    project: Project,
    doc_id: int,
    start: int,
    end: int,
    top: int = 10,
    index: SimilarityIndex | None = None,
) -> list[SimilarPassage]:
    """The paragraphs most like ``text[start:end]`` of a document (its own paragraphs left
    out)."""
    text = project.document_text(doc_id)
    if not (0 <= start < end <= len(text)):
        raise InvalidValue(f"passage {start}-{end} is not inside the document (0-{len(text)})")
    if top < 1:
        raise InvalidValue("--top is 1 or more")
    index = index or SimilarityIndex()
    index.refresh(project)
    return index.similar(text[start:end], top, exclude=(doc_id, start, end))
