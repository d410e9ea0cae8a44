"""The report's agreement tables leave room for every header word and figure, measured with the
real glyphs of DejaVu Sans (the font LibreOffice falls back to where Calibri is missing)."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from PySide6.QtGui import QFont, QFontDatabase, QFontMetricsF

from coder.core.export.report import ReportOptions, write_report
from coder.core.project import Project

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CM_PER_POINT = 2.54 / 72
CELL_MARGINS_CM = 2 * 0.19  # Word's default left and right cell margins

TEXT = "\n".join(f"Paragraph {i} about money, work and support." for i in range(12))


def _width_cm(text: str, bold: bool) -> float:
    font = QFont("DejaVu Sans")
    font.setPixelSize(950)  # 9.5 pt, scaled by 100 for precision
    font.setBold(bold)
    return QFontMetricsF(font).horizontalAdvance(text) / 100 * CM_PER_POINT


@pytest.mark.parametrize("coders", [("ann", "bob"), ("ann", "bob", "cat")])
def test_no_header_word_or_figure_is_broken(qapp, tmp_path: Path, coders) -> None:
    if "DejaVu Sans" not in QFontDatabase.families():
        pytest.skip("DejaVu Sans is not installed")
    project = Project.create(tmp_path / "t.coder")
    project.add_document("D", TEXT)
    for name in ("Money", "Work", "Support"):
        project.add_code(name)
    code_ids = [project.find_code(name).id for name in ("Money", "Work", "Support")]
    doc_id = project.find_document("D").id
    line = len(TEXT.splitlines()[0]) + 1
    for n, coder in enumerate(coders):
        for k, code in enumerate(code_ids):
            start = line * ((n + 2 * k) % 12)
            project.apply_code(doc_id, code, start, start + 9, coder=coder)
    out = tmp_path / "r.docx"
    coder_ids = tuple(project.find_coder(c).id for c in coders)
    write_report(project, out, ReportOptions(coders=coder_ids))
    project.close()
    tables = []
    for table in docx.Document(str(out)).tables:
        head = [c.text for c in table.rows[0].cells]
        if head[0] == "Code" and head[1] in ("Units", "% agree"):
            grid = [int(g.get(f"{W}w")) / 567 for g in table._tbl.tblGrid.iter(f"{W}gridCol")]
            tables.append(([[c.text for c in r.cells] for r in table.rows], grid))
    assert len(tables) == 2
    for rows, grid in tables:
        assert sum(grid) == pytest.approx(16.0, abs=0.05)  # the A4 text width
        for col in range(1, len(grid)):
            words = [_width_cm(w, bold=True) for w in rows[0][col].split()]
            figures = [_width_cm(r[col], bold=False) for r in rows[1:]]
            assert grid[col] >= max(words + figures) + CELL_MARGINS_CM, (rows[0][col], grid[col])
