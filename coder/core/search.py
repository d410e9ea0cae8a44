"""Full-text search over document text (FTS5), with keyword-in-context hits."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from coder.core.errors import InvalidValue
from coder.core.model import SearchHit

if TYPE_CHECKING:
    from coder.core.project import Project

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


def _pattern(query: str) -> re.Pattern[str]:
    alternatives = []
    for raw in query.split():
        words = _WORD_RE.findall(raw)
        if not words:
            continue
        body = r"\W+".join(re.escape(w) for w in words)
        tail = r"\w*" if raw.endswith("*") else r"(?!\w)"
        alternatives.append(r"(?<!\w)" + body + tail)
    return re.compile("|".join(alternatives), re.IGNORECASE)


def search(project: Project, query: str, limit: int = 200, context: int = 40) -> list[SearchHit]:
    """Documents matching every word of ``query``; each occurrence is one hit."""
    fts = _fts_query(query)
    if not fts:
        raise InvalidValue("search for at least one word")
    rows = project.db.execute(
        "SELECT d.id, d.name, d.text FROM documents_fts f JOIN documents d ON d.rowid = f.rowid "
        "WHERE documents_fts MATCH ? ORDER BY rank",
        [fts],
    ).fetchall()
    pattern = _pattern(query)
    hits: list[SearchHit] = []
    for doc_id, name, text in rows:
        for m in pattern.finditer(text):
            s, e = m.span()
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
