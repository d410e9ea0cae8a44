"""The Word report a researcher can paste into a paper.

:func:`write_report` writes it; :class:`ReportOptions` says what goes in. The modules:
``build`` (the sections in order), ``quote_section`` and ``quotes`` (quotes, passages,
quotation marks, attributions), ``tables`` (summary, per coder, matrix, crosstab, cases),
``sections`` (agreement, co-occurrence, memos, codebook), ``chart`` (native Word charts),
``wordml`` (WordprocessingML strings), ``document`` (package, styles, contents, saving).

Importing this package is cheap: the writing modules (python-docx, lxml) load on first use of
:func:`write_report` or :func:`check_options`, so the report dialog opens without them and the
window imports them in the worker that writes the report.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coder.core.export.report.build import check_options, write_report
    from coder.core.export.report.options import ReportOptions, ReportResult

__all__ = ["ReportOptions", "ReportResult", "check_options", "write_report"]

_WHERE = {
    "check_options": "build",
    "write_report": "build",
    "ReportOptions": "options",
    "ReportResult": "options",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
