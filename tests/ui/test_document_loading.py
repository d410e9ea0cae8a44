"""A big document opens without freezing the window: the start of its text and the codings
there at once, the rest of the text a slice per turn of the event loop, every coding read off
the GUI thread. Counted, not timed: which statements the window's connection runs, which thread
reads what, how much text is set before the event loop runs again."""

from __future__ import annotations

import random
import threading

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from coder.core.project import Project
from coder.ui.views import document_load
from coder.ui.views.document_view import DocumentView

# Small sizes so the tests stay quick: the same paths as a 3M-character transcript.
FIRST, SLICE, FIRST_CODINGS = 2_000, 3_000, 1_000


@pytest.fixture(autouse=True)
def small_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(document_load, "SYNC_CHARS", 5_000)
    monkeypatch.setattr(document_load, "SYNC_CODINGS", 100)
    monkeypatch.setattr(document_load, "FIRST_CHARS", FIRST)
    monkeypatch.setattr(document_load, "SLICE_CHARS", SLICE)
    monkeypatch.setattr(document_load, "FIRST_CODINGS_CHARS", FIRST_CODINGS)


@pytest.fixture
def view(qtbot) -> DocumentView:
    widget = DocumentView()
    widget.resize(700, 500)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _big(project: Project, n_codings: int = 400) -> tuple[int, str]:
    """A transcript of about 20,000 characters (emoji included) with ``n_codings`` codings."""
    lines = [f"{('Ana', 'Ben')[i % 2]}: line {i} of the talk 😀 and more words" for i in range(450)]
    text = "\n".join(lines)
    from coder.core.text import detect_turns

    doc = project.add_document("Long", text, turns=detect_turns(text)).created("documents")[0]
    code = project.add_code("Theme").created("codes")[0]
    rng = random.Random(3)
    for _ in range(n_codings):
        s = rng.randrange(len(text) - 50)
        project.apply_code(doc, code, s, s + rng.randint(5, 40), coder="ann")
    return doc, text


def test_big_document_shows_its_start_at_once_and_the_rest_soon(qtbot, view, fresh_project):
    doc, text = _big(fresh_project)
    loaded: list[bool] = []
    view.documentLoaded.connect(lambda: loaded.append(True))
    view.set_document(fresh_project, doc)
    # At once: the start of the text, the codings starting in its first stretch.
    assert view.loading
    shown = view.document().toPlainText()
    assert len(shown) <= FIRST and text.startswith(shown)
    assert view.spans and all(s.start < FIRST_CODINGS for s in view.spans.values())
    qtbot.waitUntil(lambda: not view.loading, timeout=20000)
    assert loaded == [True]
    assert view.document().toPlainText() == text
    every = {c.id for c in fresh_project.codings(document_id=doc)}
    assert set(view.spans) == every
    assert view.speakers == ("Ana", "Ben") and view.paragraph_of(len(text) - 3) == 449
    # Stripe columns as a synchronous load would give them.
    synchronous = DocumentView()
    qtbot.addWidget(synchronous)
    document_load.SYNC_CHARS = document_load.SYNC_CODINGS = 10**9
    synchronous.set_document(fresh_project, doc)
    assert {k: s.column for k, s in view.spans.items()} == {
        k: s.column for k, s in synchronous.spans.items()
    }


def test_the_window_reads_only_the_first_stretch_and_sets_little_text(view, fresh_project, qtbot):
    """Counting work: the GUI connection reads the codings of one stretch; a worker thread reads
    them all; each turn of the event loop appends one slice of text."""
    doc, text = _big(fresh_project)
    statements: list[str] = []
    fresh_project.db.conn.set_trace_callback(statements.append)
    threads: list[bool] = []
    original = document_load.read_all

    def read_all(*args, **kwargs):
        threads.append(threading.current_thread() is threading.main_thread())
        return original(*args, **kwargs)

    document_load.read_all = read_all
    try:
        slices: list[int] = []
        view.document().contentsChange.connect(lambda _pos, _removed, added: slices.append(added))
        view.set_document(fresh_project, doc)
        qtbot.waitUntil(lambda: not view.loading, timeout=20000)
    finally:
        document_load.read_all = original
        fresh_project.db.conn.set_trace_callback(None)
    codings = [s for s in statements if "FROM codings" in s or "JOIN codings" in s]
    assert codings and all("start_offset <" in s or "count(*)" in s for s in codings), codings
    assert threads == [False]  # every coding read once, off the GUI thread
    appended = slices[1:]  # after the first setPlainText
    assert appended and max(appended) <= SLICE + 200


def test_an_edit_while_loading_is_not_lost(qtbot, view, fresh_project):
    doc, text = _big(fresh_project)
    view.set_document(fresh_project, doc)
    assert view.loading
    code = fresh_project.find_code("Theme").id
    changes = fresh_project.apply_code(doc, code, 10, 30, coder="ann")
    view.apply_changes(changes)
    new = changes.created("codings")[0]
    assert new in view.spans  # in the part already shown
    qtbot.waitUntil(lambda: not view.loading, timeout=20000)
    assert new in view.spans and len(view.spans) == len(fresh_project.codings(document_id=doc))


def test_a_passage_far_in_is_shown_at_once(qtbot, view, fresh_project):
    """Jumping to a passage near the end while the text is still arriving appends the rest
    first, so the selection is the passage."""
    doc, text = _big(fresh_project)
    view.set_document(fresh_project, doc)
    start = text.rindex("line 440")
    view.select_cp(start, start + 8)
    assert view.text[slice(*view.selection_cp())] == "line 440"
    assert view.document().toPlainText() == text
    # The codings around it are shown at once too, before every coding has been read.
    assert view.loading
    near = {
        c.id
        for c in fresh_project.codings(document_id=doc)
        if c.end > start - 500 and c.start < start + 500
    }
    assert near and near <= set(view.spans)
    qtbot.waitUntil(lambda: not view.loading, timeout=20000)


def test_another_document_cancels_the_reading(qtbot, view, fresh_project):
    doc, _text = _big(fresh_project)
    small = fresh_project.add_document("Short", "Ana: hello\nBen: hi\n").created("documents")[0]
    view.set_document(fresh_project, doc)
    first = view.loader.task
    view.set_document(fresh_project, small)
    assert not view.loading and view.document().toPlainText() == "Ana: hello\nBen: hi\n"
    qtbot.waitUntil(lambda: first.finished, timeout=20000)  # its late result is dropped
    assert view.doc_id == small and view.spans == {}


def test_the_text_on_screen_is_painted_once(qtbot, view, fresh_project, monkeypatch):
    """Counting paints: appending the rest of the text below the screen, and every coding
    arriving where the screen already showed the codings of the first stretch, paint the text
    no more (the scroll bar grows; the stripes may narrow for more columns)."""
    doc, text = _big(fresh_project)
    first_paint = threading.Event()  # the codings arrive only once the screen is painted
    original = document_load.read_all

    def read_all(*args, **kwargs):
        first_paint.wait(20)
        return original(*args, **kwargs)

    monkeypatch.setattr(document_load, "read_all", read_all)
    view.resize(700, 120)  # the lines on screen lie in the first stretch
    paints: list[int] = []

    class Counter(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                paints.append(1)
            return False

    counter = Counter()
    view.viewport().installEventFilter(counter)
    maximum = view.verticalScrollBar().maximum()
    view.set_document(fresh_project, doc)
    qtbot.waitUntil(lambda: bool(paints), timeout=20000)
    assert view.loading and view.visible_range()[1] < FIRST_CODINGS
    paints.clear()
    first_paint.set()
    qtbot.waitUntil(lambda: not view.loading, timeout=20000)
    for _ in range(3):
        QApplication.processEvents()
    assert view.document().toPlainText() == text
    assert len(view.spans) == len(fresh_project.codings(document_id=doc))
    assert paints == []
    assert view.verticalScrollBar().maximum() > maximum  # the whole text can be scrolled to
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
    qtbot.waitUntil(lambda: bool(paints), timeout=20000)
    assert view.visible_range()[1] >= view.document().characterCount() - 1
