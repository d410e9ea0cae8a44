"""Edit → Edit transcript and Edit → Find & Replace, driven with keys like a researcher.

Every check reads the project file back through a second connection and compares the view
(text, codings) with it: what the window shows is what is stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication

from coder.core.project import Project
from coder.core.text import detect_turns, paragraphs
from coder.core.textedit import map_end, map_start
from coder.ui.dialogs.replace_dialog import ReplaceDialog
from coder.ui.features.transcript import TranscriptEditor, editor_of
from coder.ui.views import document_load as load
from tests.ui.recording_window import RecordingWindow, project_of, stack

TEXT = (
    "Interviewer: Why did you leave?\n"
    "Amria: I think teh flood came at night 👩‍👩‍👧. teh water rose.\n"
    "Interviewer: And then?\n"
    "Amira: Then I packed my bag.\n"
    "Interviewer: Why?\n"
    "Amira: Fear.\n"
)


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "study.coder"
    with Project.create(path) as p:
        doc = p.add_document("Amira", TEXT, turns=detect_turns(TEXT)).created("documents")[0]
        p.add_document("Second", "Also teh rain, not tehran.\n")
        flood = p.add_code("Flood").created("codes")[0]
        night = p.add_code("Night").created("codes")[0]
        p.apply_code(doc, flood, TEXT.index("teh flood"), TEXT.index("teh flood") + 9)
        p.apply_code(doc, night, TEXT.index("flood came"), TEXT.index(" 👩"))
        p.apply_code(doc, night, TEXT.index("Then I"), TEXT.index("bag") + 3)
    return path


@pytest.fixture
def window(qtbot, project_path: Path) -> Iterator[RecordingWindow]:
    from coder.core import settings

    settings.set_value("coder_name", "Maria")
    win = RecordingWindow()
    win.resize(1366, 768)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    assert win.open_project(project_path)
    win.show_document(project_of(win).find_document("Amira").id)
    yield win
    win.close_project()


def stored(path: Path, name: str = "Amira") -> tuple[str, list[tuple[str, int, int]], list]:
    """The text, codings (code, start, end) and turns (speaker, start) the file holds."""
    with Project.open(path, read_only=True) as p:
        doc = p.find_document(name)
        codings = sorted((c.code_path, c.start, c.end) for c in p.codings(doc.id))
        turns = [(t.speaker, t.start) for t in p.turns(doc.id)]
        return p.document_text(doc.id), codings, turns


def shown(window: RecordingWindow) -> tuple[str, list[tuple[str, int, int]]]:
    """The view's text and codings, as the file's are given (and its control's text)."""
    view = window.view
    assert view.toPlainText() == view.text
    names = {s.id: s.path for s in project_of(window).codes()} if window.project else {}
    spans = sorted((names[s.code_id], s.start, s.end) for s in view.spans.values())
    for s in view.spans.values():
        assert (s.s16, s.e16) == (view.pm.to_utf16(s.start), view.pm.to_utf16(s.end))
    # Turns and paragraphs, moved in place, are those the file and the text give.
    assert view.doc_id is not None
    assert view.turns == load.turns_of(project_of(window).turn_spans(view.doc_id), view.pm)
    view.paragraph_of(0)
    assert view._paragraphs == paragraphs(view.text)
    return view.text, spans


def caret(window: RecordingWindow, cp: int, end: int | None = None) -> None:
    view = window.view
    c = view.textCursor()
    c.setPosition(view.pm.to_utf16(cp))
    if end is not None:
        c.setPosition(view.pm.to_utf16(end), QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(c)
    view.setFocus()


def editor(window: RecordingWindow) -> TranscriptEditor:
    window.trigger("edit.transcript")
    ed = editor_of(window)
    assert ed.active and ed.banner.isVisible()
    assert "Editing the text of “Amira”" in ed.banner.label.text()
    return ed


def test_typing_fixes_a_typo_codings_follow_and_a_word_is_one_undo_step(
    qtbot, window: RecordingWindow, project_path: Path
) -> None:
    ed = editor(window)
    view = window.view
    at = TEXT.index("teh flood")
    before_text, before_codings, _turns = stored(project_path)
    caret(window, at, at + 3)
    qtbot.keyClicks(view, "the")  # replaces the selected word, key by key
    expected = TEXT.replace("teh flood", "the flood", 1)
    text, codings, _turns = stored(project_path)
    assert text == expected
    # "teh flood" keeps its whole word; the others are unchanged (same length).
    assert codings == before_codings
    assert shown(window) == (text, codings)
    assert stack(window).count() == 1  # the word typed: one undo step
    assert "coding" in window.statusBar().currentMessage()
    # A space and a new word: a second step; the coding does not take in the insertion at
    # its end ("flood| came" is inside "flood came", so that one grows).
    caret(window, expected.index(" came"))
    qtbot.keyClicks(view, " big")
    text, codings, _turns = stored(project_path)
    assert text == expected.replace("flood came", "flood big came")
    assert stack(window).count() == 2
    assert shown(window) == (text, codings)
    night = [c for c in codings if c[0] == "Night"][0]
    assert text[night[1] : night[2]] == "flood big came at night"
    # Backspace four times takes the word back: one step again.
    for _ in range(4):
        qtbot.keyClick(view, Qt.Key.Key_Backspace)
    assert stored(project_path)[0] == expected
    assert stack(window).count() == 3
    # Ctrl+Z (the window's undo, not the text control's) takes back one word at a time.
    for left in (2, 1, 0):
        qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert stack(window).index() == left
    assert stored(project_path)[:2] == (before_text, before_codings)
    assert shown(window) == (before_text, before_codings)
    assert "Undone" in window.statusBar().currentMessage()
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert not ed.active and not ed.banner.isVisible() and view.isReadOnly()


def test_digits_type_in_the_mode_and_code_outside_it(
    qtbot, window: RecordingWindow, project_path: Path
) -> None:
    ed = editor(window)
    at = TEXT.index("my bag")
    caret(window, at)
    qtbot.keyClicks(window.view, "1 ")
    assert stored(project_path)[0] == TEXT[:at] + "1 " + TEXT[at:]
    assert len(stored(project_path)[1]) == 3  # no coding was made by the quick key
    ed.leave()
    assert window.view.key_actions  # the quick keys act again


def test_deleting_a_whole_coded_passage_removes_the_coding_and_undo_brings_it_back(
    qtbot, window: RecordingWindow, project_path: Path
) -> None:
    editor(window)
    a, b = TEXT.index("Then I"), TEXT.index("bag") + 3
    with Project.open(project_path, read_only=True) as p:
        guids = sorted(c.guid for c in p.codings())
    caret(window, a, b)
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    text, codings, _turns = stored(project_path)
    assert text == TEXT[:a] + TEXT[b:]
    assert len(codings) == 2 and shown(window) == (text, codings)
    assert "1 coding removed" in window.statusBar().currentMessage()
    stack(window).undo()
    with Project.open(project_path, read_only=True) as p:
        assert sorted(c.guid for c in p.codings()) == guids
    assert shown(window) == stored(project_path)[:2]


def test_fixing_a_misspelt_speaker_label_gives_the_line_its_turn(
    qtbot, window: RecordingWindow, project_path: Path
) -> None:
    editor(window)
    _text, _codings, turns = stored(project_path)
    at = TEXT.index("Amria")
    assert ("Amira", TEXT.index("Amira")) in turns and all(s != "Amria" for s, _ in turns)
    caret(window, at + 2, at + 4)
    qtbot.keyClicks(window.view, "ir")
    text, _codings, turns = stored(project_path)
    assert text.startswith(TEXT[:at] + "Amira: I think")
    assert ("Amira", at) in turns and all(s != "Amria" for s, _ in turns)
    assert window.view.speaker_at(at + 10) == "Amira"


def test_the_mode_is_refused_for_a_read_only_project(qtbot, project_path: Path) -> None:
    win = RecordingWindow()
    qtbot.addWidget(win)
    win.show()
    assert win.open_project(project_path, read_only=True)
    win.show_document(project_of(win).find_document("Amira").id)
    win.trigger("edit.transcript")
    assert not editor_of(win).active and win.view.isReadOnly()
    assert win.errors and "read-only" in win.errors[-1]
    win.close_project()


def test_random_keys_keep_the_view_and_the_file_equal(
    qtbot, window: RecordingWindow, project_path: Path
) -> None:
    """Typing, deleting and replacing selections anywhere (around an emoji and at coding
    edges too): after each key the view shows exactly what the file holds, and the codings
    are where the rule puts them; undoing everything gives back the start."""
    import random

    rng = random.Random(19)
    editor(window)
    view = window.view
    start = stored(project_path)[:2]
    for _ in range(60):
        text, codings = shown(window)
        a = rng.randrange(len(text) + 1)
        b = min(len(text), a + rng.choice([0, 0, 1, 3]))
        caret(window, a, b)
        key = rng.choice(["x", "Ü", " ", "backspace", "delete", "return"])
        if b == a and key in ("backspace", "delete"):
            key = "y"
        old = view.text
        if key == "backspace":
            qtbot.keyClick(view, Qt.Key.Key_Backspace)
        elif key == "delete":
            qtbot.keyClick(view, Qt.Key.Key_Delete)
        elif key == "return":
            qtbot.keyClick(view, Qt.Key.Key_Return)
        else:
            qtbot.keyClicks(view, key)
        now, now_codings, _turns = stored(project_path)
        assert shown(window) == (now, now_codings)
        if b > a:  # a selection replaced: check the rule on this one edit
            t = {"backspace": "", "delete": "", "return": "\n"}.get(key, key)
            assert now == old[:a] + t + old[b:]
            want = sorted(
                (name, map_start(s, a, b, len(t)), map_end(e, a, b, len(t)))
                for name, s, e in codings
            )
            assert now_codings == [c for c in want if c[2] > c[1]]
    while stack(window).canUndo():
        stack(window).undo()
    assert stored(project_path)[:2] == start
    assert shown(window) == start


def test_find_and_replace_previews_every_change_then_replaces_in_one_step(
    qtbot, window: RecordingWindow, project_path: Path
) -> None:
    window.trigger("edit.replace")
    dialog = window.findChild(ReplaceDialog)
    assert isinstance(dialog, ReplaceDialog)
    dialog.find_edit.setText("teh")
    dialog.replace_edit.setText("the")
    dialog.show_preview()
    # Whole words: "tehran" is left alone; three occurrences in two documents.
    assert dialog.tree.topLevelItemCount() == 2
    assert "3 occurrences in 2 documents" in dialog.summary.text()
    amira = dialog.tree.topLevelItem(0)
    assert amira is not None and amira.childCount() == 2
    first = amira.child(0)
    assert first is not None and "[teh → the]" in first.text(0)
    # Nothing is written by the preview, nor by Enter in a field (which keeps the dialog).
    qtbot.keyClick(dialog.replace_edit, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.tree.topLevelItemCount() == 2
    assert stored(project_path)[0] == TEXT
    # Same length: no coding changes; a longer replacement grows the coding that holds it.
    dialog.replace_edit.setText("the muddy")
    dialog.show_preview()
    first = dialog.tree.topLevelItem(0).child(0)  # type: ignore[union-attr]
    assert first is not None and first.childCount() == 1
    assert "Flood" in first.child(0).text(0) and "grows by 6" in first.child(0).text(0)  # type: ignore[union-attr]
    # Leave the second occurrence of "Amira" out, then replace.
    second = dialog.tree.topLevelItem(0).child(1)  # type: ignore[union-attr]
    assert second is not None
    second.setCheckState(0, Qt.CheckState.Unchecked)
    assert dialog.apply.text() == "&Replace 2"
    before = stack(window).count()
    dialog.apply.click()
    assert stack(window).count() == before + 1
    assert dialog.summary.text().startswith("Done: replace “teh” with “the muddy” (2 in 2")
    text, codings, _turns = stored(project_path)
    assert text == TEXT.replace("teh flood", "the muddy flood", 1)
    assert stored(project_path, "Second")[0] == "Also the muddy rain, not tehran.\n"
    flood = [c for c in codings if c[0] == "Flood"][0]
    assert text[flood[1] : flood[2]] == "the muddy flood"
    assert shown(window) == (text, codings)
    stack(window).undo()
    assert stored(project_path)[0] == TEXT
    assert stored(project_path, "Second")[0] == "Also teh rain, not tehran.\n"
    assert shown(window)[0] == TEXT
    dialog.close()


def test_an_annotation_after_the_edit_moves_in_the_memos_list_too(
    qtbot, window: RecordingWindow, project_path: Path
) -> None:
    project = project_of(window)
    doc = project.find_document("Amira").id
    at = TEXT.index("my bag")
    window.push("Annotate", lambda: project.add_annotation(doc, at, at + 6, "Her bag"))
    editor(window)
    caret(window, TEXT.index("teh"))
    qtbot.keyClicks(window.view, "oh ")
    entry = [e for e in window.memos_dock.model.entries() if e.kind == "annotation"][0]
    assert (entry.start, entry.end) == (at + 3, at + 9)
    assert window.view.text[entry.start : entry.end] == "my bag"


def test_a_keystroke_repaints_the_lines_it_changed_not_the_screen(
    qtbot, window: RecordingWindow, project_path: Path
) -> None:
    """Counting paints: a letter typed inside a line repaints that line's block (its codings
    moved with the text there), and the screen below it keeps its paint."""
    editor(window)
    view = window.view
    rects: list[QRect] = []

    class Counter(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                rects.append(event.rect())
            return False

    counter = Counter()
    view.viewport().installEventFilter(counter)
    at = TEXT.index("teh water")
    caret(window, at)
    qtbot.wait(50)
    QApplication.processEvents()
    rects.clear()
    qtbot.keyClicks(view, "x")
    qtbot.waitUntil(lambda: bool(rects))
    for _ in range(3):
        QApplication.processEvents()
    block = view.document().findBlock(view.pm.to_utf16(at))
    line = view.blockBoundingGeometry(block).translated(view.contentOffset())
    # Within the edited paragraph's block: nothing above it, nothing below it.
    assert rects and all(
        line.top() - 2 <= r.top() and r.bottom() < line.bottom() + 8 for r in rects
    )
    assert shown(window) == stored(project_path)[:2]


def test_an_emoji_typed_over_moves_the_codings_after_it_in_qt_units(
    qtbot, window: RecordingWindow, project_path: Path
) -> None:
    """One character for one: the code points stay, but an emoji is two UTF-16 units and a
    letter one, so the codings after it move on screen by one unit."""
    editor(window)
    view = window.view
    at = TEXT.index("👩")
    caret(window, at, at + 1)
    qtbot.keyClicks(view, "x")
    text, codings, _turns = stored(project_path)
    assert text == TEXT.replace("👩", "x", 1)
    assert shown(window) == (text, codings)


def test_a_keystroke_maps_only_the_codings_around_it(qtbot, tmp_path: Path, monkeypatch) -> None:
    """Counting work: of 400 codings, a letter typed mid-text maps by the rule only those
    around it; those after it shift in one pass, those before it are left alone."""
    from coder.ui.views import text_follow

    lines = [f"Ana: line {i} of the talk and some more words here" for i in range(300)]
    text = "\n".join(lines)
    path = tmp_path / "long.coder"
    with Project.create(path) as p:
        doc = p.add_document("Long", text, turns=detect_turns(text)).created("documents")[0]
        code = p.add_code("Theme").created("codes")[0]
        for i in range(400):
            start = (i * 397) % (len(text) - 60)
            p.apply_code(doc, code, start, start + 5 + i % 30, coder="ann")
    win = RecordingWindow()
    win.resize(1366, 768)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    assert win.open_project(path)
    win.show_document(doc)
    qtbot.waitUntil(lambda: not win.view.loading)
    win.trigger("edit.transcript")
    mapped: list[int] = []
    rule = text_follow._map

    def counted(span, *args):
        mapped.append(span.id)
        return rule(span, *args)

    monkeypatch.setattr(text_follow, "_map", counted)
    inside = min(win.view.spans.values(), key=lambda s: abs(s.start - len(text) // 2))
    at = (inside.start + inside.end) // 2  # in a coding, mid-text
    caret(win, at)
    qtbot.keyClicks(win.view, "x")
    assert project_of(win).document_text(doc) == text[:at] + "x" + text[at:]
    assert 0 < len(mapped) <= 12, len(mapped)
    assert sorted((s.start, s.end) for s in win.view.spans.values()) == sorted(
        (c.start, c.end) for c in project_of(win).codings(document_id=doc)
    )
    win.close_project()


def test_a_keystroke_reads_no_list_again_for_the_codings_it_moved(
    qtbot, window: RecordingWindow, project_path: Path, monkeypatch
) -> None:
    """Counting work: a letter typed re-anchors every coding of its text block, so they come
    back in the change; the view has moved them by the rule, so it reads none of them again,
    the memos list reads only the memos of the edited text (not every memo of the project),
    and the codebook recounts no code (a coding only moved counts for nothing)."""
    from coder.ui.models import memos as memos_model
    from coder.ui.views import memos_dock

    project = project_of(window)
    doc = project.find_document("Amira").id
    night = min((c for c in project.codings(doc) if c.code_path == "Night"), key=lambda c: c.start)
    window.push("Memo", lambda: project.set_coding_memo(night.id, "At night"))
    editor(window)
    view = window.view
    work: dict[str, list] = {"memo lists": [], "counts": [], "spans read": [], "reread": []}
    seen = []

    def counting(name, real):
        def call(*args, **kwargs):
            work[name].append(args)
            return real(*args, **kwargs)

        return call

    full_list = counting("memo lists", memos_model.memo_entries)
    monkeypatch.setattr(memos_model, "memo_entries", full_list)
    monkeypatch.setattr(memos_dock, "memo_entries", full_list)
    codings = project.services.codings
    monkeypatch.setattr(codings, "code_counts", counting("counts", codings.code_counts))
    monkeypatch.setattr(codings, "coding_spans", counting("spans read", codings.coding_spans))
    monkeypatch.setattr(view, "update_codings", counting("reread", view.update_codings))
    apply = view.apply_changes

    def applying(changes) -> None:
        seen.append(changes)
        apply(changes)

    monkeypatch.setattr(view, "apply_changes", applying)
    caret(window, TEXT.index("teh flood"))
    qtbot.keyClicks(view, "x")
    assert len(seen) == 1 and len(seen[0].codings) == 3  # every coding of the block came back
    assert work["memo lists"] == [] and work["counts"] == [] and work["reread"] == []
    # The codings the change moved, read once to check the view put them where the file has.
    assert [sorted(ids) for _doc, ids in work["spans read"]] == [sorted(seen[0].codings)]
    entry = next(e for e in window.memos_dock.model.entries() if e.key == ("coding", night.id))
    assert (entry.start, entry.end) == (night.start + 1, night.end + 1)
    assert shown(window) == stored(project_path)[:2]
