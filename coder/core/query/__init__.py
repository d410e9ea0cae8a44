"""Analysis queries: SQL in, dataclasses out. Nothing here writes.

Vocabulary used throughout:

- a *unit* is what is counted: a document, or a case. A coding belongs to the case of its
  document and to every case whose case selection overlaps it.
- *within* says when two codings "meet": ``"passage"`` (their passages overlap),
  ``"paragraph"`` (they touch the same paragraph, :func:`coder.core.text.paragraphs`) or
  ``"turn"`` (the same speaker turn).
- :class:`Filters` narrows any query to some documents, groups, cases, attribute values,
  coders or speakers; ``None`` means "no restriction".
- ``include_children`` lets a parent code count its sub-codes' codings too; results then
  name the sub-codes folded in (``FrequencyRow.included``).
"""

from __future__ import annotations

from coder.core.query.frequencies import (
    CodeMatrix,
    Crosstab,
    CrosstabRow,
    FrequencyRow,
    FrequencyTable,
    UnitRef,
    code_matrix,
    crosstab,
    frequencies,
    frequencies_by_attribute,
)
from coder.core.query.retrieval import (
    CodeRef,
    Cooccurrence,
    Passage,
    SpeakerRow,
    SpeakerTable,
    cooccurrence,
    cooccurrence_passages,
    retrieve,
    speaker_breakdown,
)
from coder.core.query.scope import (
    MODES,
    NO_FILTERS,
    NO_SPEAKER,
    WITHIN,
    CodingRow,
    Filters,
    Sources,
    cases_not_analysed,
    codings_in_scope,
    documents_in_scope,
    find_attribute,
    percent,
    with_filters,
)

__all__ = [
    "CodeMatrix",
    "CodeRef",
    "CodingRow",
    "Cooccurrence",
    "Crosstab",
    "CrosstabRow",
    "Filters",
    "FrequencyRow",
    "FrequencyTable",
    "MODES",
    "NO_FILTERS",
    "NO_SPEAKER",
    "Passage",
    "Sources",
    "SpeakerRow",
    "SpeakerTable",
    "UnitRef",
    "WITHIN",
    "cases_not_analysed",
    "code_matrix",
    "codings_in_scope",
    "cooccurrence",
    "cooccurrence_passages",
    "crosstab",
    "documents_in_scope",
    "find_attribute",
    "frequencies",
    "frequencies_by_attribute",
    "percent",
    "retrieve",
    "speaker_breakdown",
    "with_filters",
]
