"""The Word report a researcher can paste into a paper.

:func:`write_report` writes it; :class:`ReportOptions` says what goes in. The modules:
``build`` (the sections in order), ``quote_section`` and ``quotes`` (quotes, passages,
quotation marks, attributions), ``tables`` (summary, per coder, matrix, crosstab, cases),
``sections`` (agreement, co-occurrence, memos, codebook), ``chart`` (native Word charts),
``wordml`` (WordprocessingML strings), ``document`` (package, styles, contents, saving).
"""

from coder.core.export.report.build import check_options, write_report
from coder.core.export.report.options import ReportOptions, ReportResult

__all__ = ["ReportOptions", "ReportResult", "check_options", "write_report"]
