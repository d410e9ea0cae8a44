"""The services, one per aggregate: the only code that writes a project.

Each service owns its tables and is built on the unit of work (:class:`coder.core.store.Store`):
it writes inside ``store.edit()`` and returns the edit's :class:`~coder.core.changes.Changes`.
A service uses other services only through their public methods, passed in when it is built.
"""

from __future__ import annotations

from dataclasses import dataclass

from coder.core.services.cases import CaseService
from coder.core.services.codebook import CodebookService
from coder.core.services.coders import CoderService
from coder.core.services.codings import CodingService
from coder.core.services.documents import DocumentService
from coder.core.services.lengths import TextLengths
from coder.core.services.memos import MemoService
from coder.core.services.pseudonyms import PseudonymService
from coder.core.store import Store


@dataclass(frozen=True)
class Services:
    lengths: TextLengths
    coders: CoderService
    cases: CaseService
    documents: DocumentService
    codebook: CodebookService
    codings: CodingService
    memos: MemoService
    pseudonyms: PseudonymService

    @classmethod
    def on(cls, store: Store) -> Services:
        """The services of one open project, wired together."""
        lengths = TextLengths(store.db)
        coders = CoderService(store)
        cases = CaseService(store, lengths)
        codebook = CodebookService(store)
        return cls(
            lengths=lengths,
            coders=coders,
            cases=cases,
            documents=DocumentService(store, lengths, cases),
            codebook=codebook,
            codings=CodingService(store, lengths, codebook, coders),
            memos=MemoService(store, lengths, coders),
            pseudonyms=PseudonymService(store),
        )
