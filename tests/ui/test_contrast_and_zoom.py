"""Highlights keep text readable (WCAG 4.5:1, however many codings overlap) in light, dark and
high-contrast palettes, and the text zooms to 200% without losing any of it."""

from __future__ import annotations

from itertools import combinations_with_replacement

import pytest
from PySide6.QtGui import QColor, QPalette, QTextCursor

from coder.core.project import PALETTE, Project
from coder.ui.views.contrast import MIN_CONTRAST, contrast, luminance, over, safe_wash
from coder.ui.views.document_view import DocumentView
from coder.ui.views.span_index import CodeStyle, is_dark

# (base, text) of the palettes a user may run: Fusion light and dark, GNOME/KDE dark, and
# the high-contrast themes of Windows and GNOME.
PALETTES = {
    "light": ("#ffffff", "#000000"),
    "light grey": ("#f0f0f0", "#202020"),
    "dark": ("#2b2b2b", "#ffffff"),
    "dark grey text": ("#1e1e1e", "#dddddd"),
    "high contrast black": ("#000000", "#ffffff"),
    "high contrast white": ("#ffffff", "#000000"),
    "high contrast yellow": ("#000000", "#ffff00"),
}
COLOURS = [*PALETTE, "#000000", "#ffffff", "#0000ff", "#ff0000", "#ffff00", "#00ff00", "#808080"]


def test_the_contrast_ratio_matches_wcag() -> None:
    assert contrast(QColor("#000000"), QColor("#ffffff")) == pytest.approx(21.0)
    assert contrast(QColor("#777777"), QColor("#ffffff")) == pytest.approx(4.48, abs=0.01)
    assert luminance(QColor("#ffffff")) == pytest.approx(1.0)


@pytest.mark.parametrize("name", sorted(PALETTES))
def test_overlapping_highlights_keep_text_at_4_5_to_1(name: str) -> None:
    base, text = (QColor(c) for c in PALETTES[name])
    dark = luminance(base) < 0.18
    styles = [CodeStyle("c", "c", colour, dark, text) for colour in COLOURS]
    worst = 21.0
    for depth in (1, 2, 3, 5):
        for stack in combinations_with_replacement(styles, depth):
            bg = base
            for style in stack:
                bg = over(style.fill, bg)
            worst = min(worst, contrast(bg, text))
    assert worst >= MIN_CONTRAST, f"{name}: {worst:.2f}"


def test_a_wash_keeps_its_colour_when_it_is_already_safe() -> None:
    blue = QColor("#4E79A7")
    wash = safe_wash(blue, QColor("#000000"), light_base=True, alpha=64)
    assert wash.alpha() == 64
    assert (wash.red(), wash.green(), wash.blue()) != (255, 255, 255)
    assert wash.blue() > wash.red()  # still blue
    assert safe_wash(QColor("#ffffff"), QColor("#000000"), True, 64).name() == "#ffffff"


def test_the_view_takes_the_palette_text_colour(qtbot, tmp_path) -> None:
    path = tmp_path / "p.coder"
    with Project.create(path) as p:
        p.add_document("D", "Some text to code.\n")
        p.add_code("White", color="#ffffff")
    view = DocumentView()
    qtbot.addWidget(view)
    palette = view.palette()
    palette.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#dddddd"))
    view.setPalette(palette)
    with Project.open(path) as project:
        view.set_document(project, project.documents()[0].id)
        assert is_dark(view.palette())
        style = next(iter(view.styles.values()))
        bg = QColor("#1e1e1e")
        for _ in range(4):
            bg = over(style.fill, bg)
        assert contrast(bg, QColor("#dddddd")) >= MIN_CONTRAST
        view.clear_document()


def test_text_zooms_to_200_percent_without_loss(qtbot, tmp_path) -> None:
    text = "Amira: " + " ".join(["We left at night because the leaders lied."] * 30) + "\n"
    path = tmp_path / "p.coder"
    with Project.create(path) as p:
        p.add_document("D", text)
    view = DocumentView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    with Project.open(path) as project:
        view.set_document(project, project.documents()[0].id)
        normal = view.text_size()
        view.set_text_size(normal * 2)
        assert view.text_size() == pytest.approx(normal * 2)
        qtbot.waitUntil(lambda: view.document().documentLayout().documentSize().height() > 0)
        # The lines wrap: nothing runs off the side, and every character is still there.
        assert view.horizontalScrollBar().maximum() == 0
        assert view.toPlainText() == text
        # The end of the text can be brought on screen with the caret.
        view.moveCursor(QTextCursor.MoveOperation.End)
        view.ensureCursorVisible()
        assert view.viewport().rect().contains(view.cursorRect().center())
        view.clear_document()
