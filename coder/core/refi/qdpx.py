"""REFI-QDA projects (.qdpx): export a whole project, import one (new or merged by GUID).

Export writes a zip with ``project.qde`` (valid against the REFI-QDA Project.xsd) and each
document's text as ``sources/<GUID>.txt`` (UTF-8, no BOM, LF line ends), referenced as
``plainTextPath="internal://<GUID>.txt"``. How Coder's objects are written:

- coders -> ``Users/User``; codes -> ``CodeBook`` (see :mod:`coder.core.refi.qdc` for the
  description format; categories are ``isCodable="false"``); documents ->
  ``Sources/TextSource`` (creationDateTime = when it was imported);
- each coding -> one ``PlainTextSelection`` (startPosition/endPosition in code points, end
  exclusive, as Coder stores them) holding one ``Coding`` with its ``CodeRef``, creating user and
  date; the coding's memo is a ``Note`` referenced from the ``Coding`` and the selection's
  ``Description``;
- each annotation -> a ``PlainTextSelection`` with no ``Coding``: its text as the
  ``Description`` and as a ``Note`` it refers to;
- cases -> ``Cases/Case`` (memo as its ``Description``) with ``SourceRef`` for their documents
  and ``SelectionRef`` for passages linked to them (written as uncoded selections);
- attributes -> ``Variables`` (text -> Text, number -> Integer or Float, date -> Date,
  yes/no -> Boolean) with typed ``VariableValue``s on cases and sources;
- memos -> ``Notes`` (each with its author and date): the project memo (``NoteRef`` on the
  project), document, code and coding memos (``NoteRef`` on their owner; also the owner's
  ``Description``, the only place some tools read), free memos (notes nothing refers to, their
  text in ``sources/<GUID>.txt``);
- document groups -> ``Sets`` with ``MemberSource``s.
- What REFI-QDA has no place for goes in a small ``coder.json`` member that other tools
  ignore: each document's speaker turns (with subtitle times), original file name and format,
  each attribute's scope and the links from memos to what they discuss. Without it (files from
  other tools) speaker turns are detected from the text as at any import.

Import reads defensively:

- Positions: each source document's positions are read the way the exporting tool counts
  them (the project's ``origin``; a BOM is never counted), unless the passages show clearly
  that another reading is meant; see :mod:`coder.core.refi.positions`. The positions are then
  mapped through normalisation (BOM dropped, CRLF -> LF), so ``text[start:end]`` is the passage
  the other tool showed. Coder's own files are read as written. Positions past the end are
  clamped, with a warning.
- Paths: ``<name>.qde`` instead of ``project.qde``; ``plainTextPath``/``richTextPath`` as
  ``internal://``, ``relative://``, ``absolute://`` or a bare name are looked up inside the
  archive only: Coder never reads other files a stranger's project names (such sources are
  skipped and reported). Text given only as .docx/.pdf/.odt/.rtf (or an empty .txt next to
  one, as NVivo writes) is read with Coder's importers; a source with no text at all is kept
  empty, with a warning. Picture, audio and video sources, links, graphs, code sets and codes
  linked to cases are skipped and reported.
- Merging (by GUID, case-insensitive, braces ignored): codes as in :mod:`coder.core.refi.qdc`;
  coders, cases and attributes by GUID, else by name (attributes per scope); a document with
  the same GUID and the same text is the same document (new codings are added to it); the
  same GUID with different text is reported and skipped with its codings, never overwritten;
  likewise a coding or memo whose GUID is taken by a different one. Memos are appended, never
  replaced. A document name already taken becomes ``name (2)``. A second case for a document
  becomes a case passage spanning the whole text. A note on an uncoded passage (a selection with
  a ``Description`` or ``NoteRef`` and no ``Coding``, or a QualCoder note holding a passage) is
  an annotation, merged by GUID. Codes with ``isCodable="false"`` stay categories.
- Everything is written in one transaction (``project.edit()``): one undo step; a failure
  changes nothing. Anything hostile or broken raises ExchangeError before anything is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from coder.core.refi.qdc import ImportResult
from coder.core.refi.qdpx_apply import apply_qdpx
from coder.core.refi.qdpx_export import ExportResult, export_qdpx, project_xml
from coder.core.refi.qdpx_names import PROJECT_NS, ImportCancelled
from coder.core.refi.qdpx_read import QdpxContent, read_qdpx
from coder.core.refi.safe import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    from coder.core.project import Project

__all__ = [
    "PROJECT_NS",
    "ExportResult",
    "ImportCancelled",
    "QdpxContent",
    "apply_qdpx",
    "export_qdpx",
    "import_qdpx",
    "project_xml",
    "read_qdpx",
]


def import_qdpx(
    project: Project, path: str | Path, dotted_hierarchy: bool = False,
    limits: Limits = DEFAULT_LIMITS, speakers: str = "auto",
) -> ImportResult:  # fmt: skip
    """Import a .qdpx into the project (see the module docstring); one undo step."""
    content = read_qdpx(path, limits, speakers=speakers)
    return apply_qdpx(project, content, dotted_hierarchy)
