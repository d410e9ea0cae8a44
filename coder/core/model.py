"""Frozen dataclasses (and named tuples where there are very many) returned by every read; the
core never hands out rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


@dataclass(frozen=True)
class Document:
    id: int
    guid: str
    name: str
    characters: int
    source_name: str
    source_format: str
    imported_at: str
    memo: str
    group: str
    case_id: int | None
    case: str | None = None
    codings: int = 0


@dataclass(frozen=True)
class DocumentRef:
    """A document's id and name, for lists that need no more."""

    id: int
    name: str


@dataclass(frozen=True)
class Turn:
    id: int
    document_id: int
    speaker: str | None
    start: int
    end: int
    time_start: float | None = None
    time_end: float | None = None


@dataclass(frozen=True)
class Code:
    id: int
    guid: str
    name: str
    parent_id: int | None
    position: int
    color: str
    definition: str = ""
    inclusion: str = ""
    exclusion: str = ""
    example: str = ""
    memo: str = ""
    path: str = ""
    depth: int = 0
    created_at: str = ""
    codable: bool = True  # False: a category, which groups codes and is never applied


@dataclass(frozen=True)
class CodeNode:
    """A code with its children, in codebook order."""

    code: Code
    children: list[CodeNode] = field(default_factory=list)


@dataclass(frozen=True)
class Coder:
    id: int
    guid: str
    name: str


@dataclass(frozen=True)
class Coding:
    id: int
    guid: str
    document_id: int
    code_id: int
    coder_id: int
    start: int
    end: int
    created_at: str
    memo: str = ""
    document: str = ""
    code_path: str = ""
    coder: str = ""
    color: str = ""


class CodingSpan(NamedTuple):
    """A coding as the document view draws it: where it is, its code and coder.

    A named tuple, not a dataclass: a document shows up to tens of thousands of them, and a
    tuple is built three times faster.
    """

    id: int
    code_id: int
    coder_id: int
    start: int
    end: int
    memo: str = ""


class CodingColumns(NamedTuple):
    """Every coding of a document as columns, in text order: what the document view reads
    when it opens a long transcript (one list per field rather than a tuple per coding)."""

    ids: list[int]
    code_ids: list[int]
    coder_ids: list[int]
    starts: list[int]
    ends: list[int]
    memos: list[str]


class TurnColumns(NamedTuple):
    """Every speaker turn of a document as columns, in text order (turns with a speaker)."""

    speakers: list[str]
    starts: list[int]
    ends: list[int]
    time_starts: list[float | None]


class TurnSpan(NamedTuple):
    """A speaker turn as the document view and the analyses read it (a named tuple, built
    in C: a long transcript has tens of thousands)."""

    speaker: str | None
    start: int
    end: int
    time_start: float | None = None
    time_end: float | None = None


@dataclass(frozen=True)
class CodeCount:
    """How many codings a code has, in how many documents."""

    codings: int
    documents: int


@dataclass(frozen=True)
class Case:
    id: int
    guid: str
    name: str
    memo: str
    documents: int = 0


@dataclass(frozen=True)
class CaseSelection:
    id: int
    case_id: int
    document_id: int
    start: int
    end: int


@dataclass(frozen=True)
class Attribute:
    id: int
    guid: str
    name: str
    scope: str  # "case" | "document"
    type: str  # "text" | "number" | "date" | "boolean"
    position: int = 0


@dataclass(frozen=True)
class Memo:
    id: int
    guid: str
    title: str
    text: str
    created_at: str
    modified_at: str
    coder_id: int | None = None
    author: str = ""  # the coder who wrote it ("" when unknown)


@dataclass(frozen=True)
class MemoLink:
    """A memo's link to one document, code, coding or case (exactly one id is set)."""

    id: int
    memo_id: int
    document_id: int | None = None
    code_id: int | None = None
    coding_id: int | None = None
    case_id: int | None = None


@dataclass(frozen=True)
class Annotation:
    """A note anchored to a passage of a document, without a code."""

    id: int
    guid: str
    document_id: int
    coder_id: int
    start: int
    end: int
    text: str
    created_at: str
    modified_at: str
    coder: str = ""


@dataclass(frozen=True)
class SearchHit:
    document_id: int
    document: str
    start: int
    end: int
    before: str
    match: str
    after: str


@dataclass(frozen=True)
class Pseudonym:
    """An entry of the pseudonym list: an original (and its extra forms) and its replacement."""

    id: int
    guid: str
    original: str
    replacement: str
    category: str
    forms: tuple[str, ...]
    case_sensitive: bool
    whole_word: bool
    note: str
