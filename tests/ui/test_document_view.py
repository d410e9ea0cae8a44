"""The document view: painted highlights, stripes, positions in code points, find."""

from __future__ import annotations

import random

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage, QTextCursor

from coder.core import anchors
from coder.core.project import Project
from coder.ui.views.document_view import PASSAGE_MIME, DocumentView

EMOJI_TEXT = "Family 👩‍👩‍👧 moved from 🇫🇷 to here.\nThe passage we want is here.\n"


def u16(text: str, cp: int) -> int:
    return len(text[:cp].encode("utf-16-le")) // 2


@pytest.fixture
def view(qtbot, fresh_project: Project) -> DocumentView:
    widget = DocumentView()
    widget.resize(700, 500)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _doc(project: Project, text: str) -> int:
    return project.add_document("Doc", text).created("documents")[0]


def test_selection_reports_code_points_after_emoji(
    view: DocumentView, fresh_project: Project
) -> None:
    """A selection after ZWJ emoji and a flag maps to the right code points."""
    doc = _doc(fresh_project, EMOJI_TEXT)
    view.set_document(fresh_project, doc)
    start = EMOJI_TEXT.index("passage")
    end = start + len("passage")
    c = view.textCursor()
    c.setPosition(u16(EMOJI_TEXT, start))
    c.setPosition(u16(EMOJI_TEXT, end), QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(c)
    assert view.selection_cp() == (start, end)
    assert view.text[slice(*view.selection_cp())] == "passage"


def test_selection_never_splits_a_surrogate_pair(
    view: DocumentView, fresh_project: Project
) -> None:
    """A UTF-16 position inside an emoji snaps outwards to whole characters."""
    text = "a😀b"
    view.set_document(fresh_project, _doc(fresh_project, text))
    c = view.textCursor()
    c.setPosition(2)  # between the two halves of 😀
    c.setPosition(3, QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(c)
    assert view.selection_cp() == (1, 2)


def test_codings_are_indexed_and_found_by_position(
    view: DocumentView, fresh_project: Project
) -> None:
    doc = _doc(fresh_project, EMOJI_TEXT)
    code = fresh_project.add_code("Place").created("codes")[0]
    flag = EMOJI_TEXT.index("🇫🇷")
    fresh_project.apply_code(doc, code, flag, flag + 2)
    outer = fresh_project.apply_code(doc, code, 0, 30).created("codings")[0]
    view.set_document(fresh_project, doc)
    inside = view.codings_at(flag)
    assert len(inside) == 2
    assert inside[0].end - inside[0].start == 2  # innermost first
    assert inside[1].id == outer
    assert inside[0].column != inside[1].column  # overlapping codings get separate stripes
    assert view.codings_at(len(EMOJI_TEXT) - 2) == []


def test_interval_query_matches_brute_force(view: DocumentView, fresh_project: Project) -> None:
    """spans_between finds exactly the codings that intersect a range."""
    text = "word " * 2000
    doc = _doc(fresh_project, text)
    code = fresh_project.add_code("C").created("codes")[0]
    rng = random.Random(4)
    for _ in range(300):
        s = rng.randrange(len(text) - 1)
        fresh_project.apply_code(doc, code, s, min(len(text), s + rng.choice([1, 5, 50, 3000])))
    view.set_document(fresh_project, doc)
    for _ in range(200):
        a = rng.randrange(len(text))
        b = a + rng.randrange(0, 400)
        got = {s.id for s in view.spans_between(a, b)}
        want = {s.id for s in view.spans.values() if s.s16 < max(b, a + 1) and s.e16 > a}
        assert got == want


def test_change_updates_only_the_touched_codings(
    view: DocumentView, fresh_project: Project
) -> None:
    """Applying and removing a coding updates the index without reloading the document."""
    doc = _doc(fresh_project, "one two three four\n" * 50)
    code = fresh_project.add_code("C").created("codes")[0]
    view.set_document(fresh_project, doc)
    document_before = view.document()
    revision = view.document().revision()
    changes = fresh_project.apply_code(doc, code, 4, 7)
    view.apply_changes(changes)
    assert [(s.start, s.end) for s in view.spans.values()] == [(4, 7)]
    assert view.document() is document_before and view.document().revision() == revision
    fresh_project.undo(changes)
    view.apply_changes(changes)
    assert view.spans == {}


def test_paints_dense_codings_and_many_blocks_without_crashing(
    view: DocumentView, fresh_project: Project, qtbot
) -> None:
    """Regression (PySide6 6.12.0 highlighter crash): tens of thousands of blocks and codings."""
    lines = [f"Speaker {i % 3}: line {i} of a long transcript" for i in range(30000)]
    text = "\n".join(lines)
    doc = _doc(fresh_project, text)
    code_ids = [fresh_project.add_code(f"Code {i}").created("codes")[0] for i in range(5)]
    rows = []
    rng = random.Random(1)
    for i in range(20000):
        s = rng.randrange(len(text) - 40)
        rows.append((doc, code_ids[i % 5], s, s + rng.randint(1, 120)))
    coder = fresh_project.add_coder("bulk").created("coders")[0]
    with fresh_project.db.atomic():
        anchors.insert(
            fresh_project.db,
            "codings",
            ["guid", "document_id", "code_id", "coder_id", "start", "end", "created_at"],
            [(f"g{i}", d, c, coder, s, e, "") for i, (d, c, s, e) in enumerate(rows)],
        )
    view.set_document(fresh_project, doc)
    qtbot.waitUntil(lambda: not view.loading, timeout=30000)  # a big document fills in
    assert len(view.spans) == 20000
    image = QImage(view.size(), QImage.Format.Format_ARGB32)
    for fraction in (0.0, 0.25, 0.5, 0.75, 1.0):
        bar = view.verticalScrollBar()
        bar.setValue(int(bar.maximum() * fraction))
        view.render(image)
    assert view.stripes._hits  # stripes were painted for the visible codings


def test_highlight_is_painted_in_the_code_colour(
    view: DocumentView, fresh_project: Project
) -> None:
    doc = _doc(fresh_project, "Nothing here. Corruption everywhere.\n")
    code = fresh_project.add_code("Corruption", color="#E15759").created("codes")[0]
    fresh_project.apply_code(doc, code, 0, 13)
    view.set_document(fresh_project, doc)
    image = view.viewport().grab().toImage()
    # Somewhere in the first line the background is tinted red.
    reds = 0
    for x in range(5, 200):
        for y in range(5, 30):
            c = image.pixelColor(x, y)
            if c.red() > c.green() + 30 and c.red() > c.blue() + 30:
                reds += 1
    assert reds > 50


def test_drag_payload_carries_code_points(view: DocumentView, fresh_project: Project) -> None:
    import json

    doc = _doc(fresh_project, EMOJI_TEXT)
    view.set_document(fresh_project, doc)
    start = EMOJI_TEXT.index("passage")
    view.select_cp(start, start + 7)
    mime = view.passage_mime()
    payload = json.loads(bytes(mime.data(PASSAGE_MIME).data()).decode())
    assert payload == {"document_id": doc, "start": start, "end": start + 7}
    assert mime.text() == "passage"


def test_find_counts_and_steps_case_insensitively(
    view: DocumentView, fresh_project: Project
) -> None:
    text = "Trust 🙂 trust TRUST distrust\n"
    view.set_document(fresh_project, _doc(fresh_project, text))
    assert view.find_all("trust") == 4
    view.select_cp(0, 0)
    view.find_step(True)
    assert view.selection_cp() == (0, 5)
    view.find_step(True)
    assert view.text[slice(*view.selection_cp())] == "trust"
    view.find_step(False)
    assert view.selection_cp() == (0, 5)


def test_stripe_click_selects_the_coding(qtbot, view: DocumentView, fresh_project: Project) -> None:
    doc = _doc(fresh_project, "First line.\nSecond line is coded here.\nThird.\n")
    code = fresh_project.add_code("Line").created("codes")[0]
    cid = fresh_project.apply_code(doc, code, 12, 38).created("codings")[0]
    view.set_document(fresh_project, doc)
    view.stripes.repaint()
    rect = next(r for r, i in view.stripes._hits if i == cid)
    qtbot.mouseClick(view.stripes, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert view.selection_cp() == (12, 38)
    assert view.active_coding_id == cid


def test_speaker_turns_show_in_the_gutter(view: DocumentView, fresh_project: Project) -> None:
    from coder.core.text import detect_turns

    text = "Interviewer: Why?\nAmira: Because.\nInterviewer: And?\nAmira: Then.\n"
    doc = fresh_project.add_document("T", text, turns=detect_turns(text)).created("documents")[0]
    view.set_document(fresh_project, doc)
    assert view.gutter.isVisible() and view.gutter.width() > 0
    assert view.speaker_at(text.index("Because")) == "Amira"


def test_coder_filter_and_comparison(view: DocumentView, fresh_project: Project) -> None:
    """Only one coder's codings, or two coders' side by side in separate stripe columns."""
    doc = _doc(fresh_project, "We left because of the money and the lies.\n")
    code = fresh_project.add_code("Money").created("codes")[0]
    fresh_project.apply_code(doc, code, 0, 20, coder="Alex")
    fresh_project.apply_code(doc, code, 5, 30, coder="Sam")
    fresh_project.apply_code(doc, code, 25, 40, coder="Sam")
    alex, sam = (fresh_project.find_coder(n).id for n in ("Alex", "Sam"))
    view.set_document(fresh_project, doc)
    assert len(view.spans) == 3
    view.set_coder_filter({alex})
    assert [s.coder for s in view.spans.values()] == ["Alex"]
    assert view.codings_at(26) == []
    # A new coding by a hidden coder is kept but not shown.
    view.apply_changes(fresh_project.apply_code(doc, code, 1, 3, coder="Sam"))
    assert [s.coder for s in view.spans.values()] == ["Alex"]
    view.set_coder_filter(None, compare=(alex, sam))
    assert len(view.spans) == 4
    alex_cols = {s.column for s in view.spans.values() if s.coder == "Alex"}
    sam_cols = {s.column for s in view.spans.values() if s.coder == "Sam"}
    assert max(alex_cols) < min(sam_cols)
    view.set_coder_filter(None)
    assert len(view.spans) == 4


def test_index_stays_exact_through_random_edits(view: DocumentView, fresh_project: Project) -> None:
    """Adding, resizing and removing codings keeps the interval index equal to a rebuild."""
    text = "abcde fghij " * 400
    doc = _doc(fresh_project, text)
    code = fresh_project.add_code("C").created("codes")[0]
    view.set_document(fresh_project, doc)
    rng = random.Random(9)
    ids: list[int] = []
    for _ in range(150):
        roll = rng.random()
        if roll < 0.5 or not ids:
            s = rng.randrange(len(text) - 1)
            changes = fresh_project.apply_code(
                doc, code, s, min(len(text), s + rng.randint(1, 900))
            )
            ids += changes.created("codings")
        elif roll < 0.75:
            cid = rng.choice(ids)
            s = rng.randrange(len(text) - 1)
            changes = fresh_project.resize_coding(cid, s, min(len(text), s + rng.randint(1, 300)))
        else:
            cid = ids.pop(rng.randrange(len(ids)))
            changes = fresh_project.remove_coding(cid)
        view.apply_changes(changes)
        a = rng.randrange(len(text))
        b = a + rng.randrange(0, 500)
        got = {s.id for s in view.spans_between(a, b)}
        want = {s.id for s in view.spans.values() if s.s16 < max(b, a + 1) and s.e16 > a}
        assert got == want
    assert sorted(view.spans) == sorted(ids)
    # Overlapping codings never share a stripe column.
    spans = sorted(view.spans.values(), key=lambda s: s.s16)
    for i, x in enumerate(spans):
        for y in spans[i + 1 :]:
            if y.s16 >= x.e16:
                break
            assert x.column != y.column


def test_hovering_a_coded_passage_shows_its_codes(
    qtbot, view: DocumentView, fresh_project: Project
) -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    doc = _doc(fresh_project, "The money went to the leaders.\n")
    code = fresh_project.add_code("Money").created("codes")[0]
    fresh_project.apply_code(doc, code, 4, 9, coder="Alex", memo="cash")
    view.set_document(fresh_project, doc)
    c = view.textCursor()
    c.setPosition(6)
    pos = view.cursorRect(c).center()
    event = QHelpEvent(QEvent.Type.ToolTip, pos, view.viewport().mapToGlobal(pos))
    QApplication.sendEvent(view.viewport(), event)
    assert "Money" in QToolTip.text() and "Alex" in QToolTip.text() and "cash" in QToolTip.text()


def test_a_new_coding_repaints_only_its_lines(
    view: DocumentView, fresh_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One coding asks to repaint the lines it touches, not the viewport, and never re-lays
    out. The test counts the update rectangles the view asks for, not the paint events Qt
    delivers (on a busy machine Qt may merge a late expose of the whole window into them)."""
    text = "".join(f"Line {i}: some words about leaving the group.\n" for i in range(200))
    doc = _doc(fresh_project, text)
    code = fresh_project.add_code("Leaving").created("codes")[0]
    view.set_document(fresh_project, doc)
    view.viewport().repaint()
    viewport = view.viewport()
    asked: list[QRect] = []
    original_update = viewport.update

    def update(*args):
        asked.append(QRect(*args) if len(args) == 4 else args[0] if args else viewport.rect())
        return original_update(*args)

    monkeypatch.setattr(viewport, "update", update)
    revision = view.document().revision()
    start = text.index("Line 3:")
    view.apply_changes(fresh_project.apply_code(doc, code, start, start + 10))
    monkeypatch.setattr(viewport, "update", original_update)
    height = viewport.height()
    assert asked and all(r.height() < height / 4 for r in asked), [r.height() for r in asked]
    assert view.document().revision() == revision


def test_deeply_nested_codings_get_one_column_each(
    view: DocumentView, fresh_project: Project
) -> None:
    """Past 48 overlapping codings the column layout switches method; the result is the same."""
    text = "x" * 400
    doc = _doc(fresh_project, text)
    code = fresh_project.add_code("Nest").created("codes")[0]
    for i in range(60):
        fresh_project.apply_code(doc, code, i, 400 - i)
    fresh_project.apply_code(doc, code, 0, 1)  # overlaps only the outermost coding
    view.set_document(fresh_project, doc)
    assert view.columns == 60  # the deepest nesting: greedy layout by start is optimal
    spans = list(view.spans.values())
    for x in spans:
        for y in spans:
            if x is not y and x.s16 < y.e16 and y.s16 < x.e16:
                assert x.column != y.column


def _long_code_lines(view: DocumentView, project: Project) -> tuple[int, int, str]:
    """A document of one-line paragraphs and a code whose stripe label outruns a line."""
    text = "".join(f"Line {i}: some words about leaving the group.\n" for i in range(200))
    doc = _doc(project, text)
    code = project.add_code("Leaving the group behind for good").created("codes")[0]
    return doc, code, text


def test_one_coding_lays_out_and_repaints_only_its_stripe(
    qtbot, view: DocumentView, fresh_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After one coding the margin lays out that coding's stripe alone and asks to repaint a
    band around it (with its label), not the whole margin.

    The test counts what the view asks for (layouts and update rectangles), not the paint
    events Qt delivers: on a busy machine Qt may merge a late expose or activation repaint of
    the whole window into the same paint event, which says nothing about the view.
    """
    doc, code, text = _long_code_lines(view, fresh_project)
    for i in range(0, 64, 8):  # stripes on screen already
        start = text.index(f"Line {i}:")
        fresh_project.apply_code(doc, code, start, start + 30)
    view.set_document(fresh_project, doc)
    view.stripes.repaint()
    assert len(view.stripes._hits) >= 4
    placed = []
    original_place = view.stripes._place

    def spy(lay, span, y_of):
        placed.append(span.id)
        return original_place(lay, span, y_of)

    monkeypatch.setattr(view.stripes, "_place", spy)
    asked: list[QRect] = []
    original_update = view.stripes.update

    def update(*args):
        asked.append(QRect(*args) if len(args) == 4 else args[0] if args else view.stripes.rect())
        return original_update(*args)

    monkeypatch.setattr(view.stripes, "update", update)
    start = text.index("Line 4:")
    changes = fresh_project.apply_code(doc, code, start, start + 10)
    view.apply_changes(changes)
    # What the view asked for while applying the change, and only that.
    monkeypatch.setattr(view.stripes, "update", original_update)
    assert placed == changes.created("codings")  # one stripe laid out, not every one on screen
    height = view.stripes.height()
    assert asked and all(r.height() < height / 2 for r in asked), [r.height() for r in asked]
    # The band holds the new stripe and its label, which runs past its one-line paragraph.
    qtbot.waitUntil(lambda: any(cid == placed[0] for _r, cid in view.stripes._hits))
    bar = next(r for r, cid in view.stripes._hits if cid == placed[0])
    assert any(r.top() <= bar.top() and r.bottom() >= bar.bottom() + 40 for r in asked)


def _screen(widget) -> QImage:
    """What is on screen now (the backing store), without painting anything again."""
    window = widget.window()
    return window.screen().grabWindow(window.winId()).toImage()


def test_partial_repaints_look_like_a_full_repaint(
    qtbot, view: DocumentView, fresh_project: Project
) -> None:
    """Codings added, resized, removed and selected one at a time leave the text and the
    stripes (bars, columns, outlines, labels that now end elsewhere) exactly as painting
    everything again would."""
    doc, code, text = _long_code_lines(view, fresh_project)
    other = fresh_project.add_code("Money", color="#4E79A7").created("codes")[0]
    view.setCursorWidth(0)
    view.set_document(fresh_project, doc)
    view.repaint()
    qtbot.wait(20)
    rng = random.Random(5)
    ids: list[int] = []
    end_of_screen = text.index("Line 30:")
    for step in range(30):
        roll = rng.random()
        if roll < 0.6 or not ids:
            s = rng.randrange(end_of_screen)
            code_id = rng.choice([code, other])
            changes = fresh_project.apply_code(doc, code_id, s, s + rng.randint(5, 200))
            ids += changes.created("codings")
        elif roll < 0.8:
            s = rng.randrange(end_of_screen)
            changes = fresh_project.resize_coding(rng.choice(ids), s, s + rng.randint(5, 120))
        else:
            changes = fresh_project.remove_coding(ids.pop(rng.randrange(len(ids))))
        view.apply_changes(changes)
        if ids and rng.random() < 0.3:  # the selected coding's stripe is outlined
            view.set_active_coding(rng.choice([*ids, None]))
        qtbot.wait(5)  # paints only what the change scheduled
        partial = _screen(view)
        hits = list(view.stripes._hits)
        view._gen += 1  # measure and lay out everything again
        view.viewport().repaint()
        view.stripes.repaint()
        assert _screen(view) == partial, f"step {step}"
        assert view.stripes._hits == hits
