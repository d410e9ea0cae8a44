"""Names shared by the REFI-QDA project (.qdpx) export and import."""

from __future__ import annotations

import re

from coder.core.progress import Cancelled, Progress

PROJECT_NS = "urn:QDA-XML:project:1.0"
EXTRAS_MEMBER = "coder.json"
EXTRAS_FORMAT = "coder-refi-extras"

_NS = f"{{{PROJECT_NS}}}"
T = {name: _NS + name for name in (
    "Project", "Users", "User", "CodeBook", "Codes", "Code", "Description", "Variables",
    "Variable", "Cases", "Case", "VariableValue", "VariableRef", "TextValue", "BooleanValue",
    "IntegerValue", "FloatValue", "DateValue", "SourceRef", "SelectionRef", "Sources",
    "TextSource", "PlainTextSelection", "Coding", "CodeRef", "NoteRef", "Notes", "Note",
    "PlainTextContent", "Sets", "Set", "MemberSource", "CoderSelectionsMarker",
)}  # fmt: skip
DATETIME_RE = re.compile(r"^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")
MARKER = "CoderSelectionsMarker"
MARKER_BYTES = b"<CoderSelectionsMarker/>"
VAR_TYPES = {"Text": "text", "Boolean": "boolean", "Integer": "number", "Float": "number",
              "Date": "date", "DateTime": "text"}  # fmt: skip


# The one Cancelled exception, under the name REFI imports have always used.
ImportCancelled = Cancelled

__all__ = ["EXTRAS_FORMAT", "EXTRAS_MEMBER", "PROJECT_NS", "T", "ImportCancelled", "Progress"]
