"""Full-text search over document text (FTS5), with keyword-in-context hits."""

from __future__ import annotations

import re
from collections.abc import Iterator

from coder.core.errors import InvalidValue
from coder.core.model import SearchHit
from coder.core.store import Store

_WORD_RE = re.compile(r"\w+", re.UNICODE)


def _fts_query(query: str) -> str:
    """Quote each word so user text is never parsed as FTS syntax; a trailing * keeps prefix."""
    terms = []
    for raw in query.split():
        prefix = raw.endswith("*")
        words = _WORD_RE.findall(raw)
        if not words:
            continue
        phrase = " ".join(words)
        terms.append(f'"{phrase}"' + ("*" if prefix else ""))
    return " ".join(terms)


def _patterns(query: str) -> list[re.Pattern[str]]:
    r"""One case-insensitive pattern per query word (or hyphenated/quoted word group).

    There is no leading ``(?<!\w)`` and no alternation: each pattern starts with its literal
    word, so ``re`` skips ahead to candidate letters; :func:`_spans` merges them and checks the
    word start. Together that is 3-5x faster over long texts than one ``(?<!\w)a|(?<!\w)b``.
    """
    patterns = []
    for raw in query.split():
        words = _WORD_RE.findall(raw)
        if not words:
            continue
        body = r"\W+".join(re.escape(w) for w in words)
        tail = r"\w*" if raw.endswith("*") else r"(?!\w)"
        patterns.append(re.compile(body + tail, re.IGNORECASE))
    return patterns


def _spans(patterns: list[re.Pattern[str]], text: str) -> Iterator[tuple[int, int]]:
    r"""Non-overlapping matches of any of ``patterns`` that start a word, left to right: exactly
    what ``finditer`` of ``(?<!\w)p1|(?<!\w)p2|...`` finds (at one position the first pattern
    wins; ``\w`` is str.isalnum() or "_")."""
    searches = [p.search for p in patterns]
    ahead: list[re.Match[str] | None] = [None] * len(searches)  # next match of each, if known
    done = [False] * len(searches)
    pos = 0
    while True:
        best = None
        for i, search in enumerate(searches):
            if done[i]:
                continue
            m = ahead[i]
            if m is None or m.start() < pos:
                m = ahead[i] = search(text, pos)
                if m is None:
                    done[i] = True
                    continue
            if best is None or m.start() < best.start():
                best = m
        if best is None:
            return
        s, e = best.span()
        if s and (text[s - 1].isalnum() or text[s - 1] == "_"):
            pos = s + 1
            continue
        yield s, e
        pos = e if e > s else s + 1


def search(project: Store, query: str, limit: int = 200, context: int = 40) -> list[SearchHit]:
    """Documents matching every word of ``query``; each occurrence is one hit."""
    fts = _fts_query(query)
    if not fts:
        raise InvalidValue("search for at least one word")
    # Texts are read one document at a time: a common word fills the hits from the first few.
    rows = project.db.execute(
        "SELECT d.id, d.name, d.text FROM documents_fts f JOIN documents d ON d.rowid = f.rowid "
        "WHERE documents_fts MATCH ? ORDER BY rank",
        [fts],
    )
    patterns = _patterns(query)
    hits: list[SearchHit] = []
    for doc_id, name, text in rows:
        for s, e in _spans(patterns, text):
            hits.append(
                SearchHit(
                    document_id=doc_id,
                    document=name,
                    start=s,
                    end=e,
                    before=text[max(0, s - context) : s],
                    match=text[s:e],
                    after=text[e : e + context],
                )
            )
            if len(hits) >= limit:
                return hits
    return hits
