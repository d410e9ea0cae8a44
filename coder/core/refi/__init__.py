"""REFI-QDA exchange: codebooks (.qdc) and whole projects (.qdpx), lossless and safe.

``export_qdc`` / ``export_qdpx`` write files valid against the REFI-QDA 1.5 schemas;
``import_qdc`` / ``import_qdpx`` merge a file into an open project in one transaction (one undo
step) and return an :class:`ImportResult` (changes, counts, what was skipped and why). Reading
is split from writing (``read_qdc``/``read_qdpx`` touch no project, so a GUI can read in a
worker thread; ``apply_codebook``/``apply_qdpx`` then write). Untrusted files are read with
:mod:`coder.core.refi.safe`; anything hostile or broken raises ExchangeError and changes nothing.
"""

from __future__ import annotations

from coder.core.refi.qdc import (
    Codebook,
    ImportResult,
    apply_codebook,
    codebook_xml,
    export_qdc,
    format_description,
    import_qdc,
    parse_description,
    read_qdc,
)
from coder.core.refi.qdpx import (
    ExportResult,
    ImportCancelled,
    QdpxContent,
    apply_qdpx,
    export_qdpx,
    import_qdpx,
    project_xml,
    read_qdpx,
)
from coder.core.refi.safe import Limits, SafeArchive, parse_xml

__all__ = [
    "Codebook",
    "ExportResult",
    "ImportCancelled",
    "ImportResult",
    "Limits",
    "QdpxContent",
    "SafeArchive",
    "apply_codebook",
    "apply_qdpx",
    "codebook_xml",
    "export_qdc",
    "export_qdpx",
    "format_description",
    "import_qdc",
    "import_qdpx",
    "parse_description",
    "parse_xml",
    "project_xml",
    "read_qdc",
    "read_qdpx",
]
