"""The Explore dock and the auto-code dialog: word list → KWIC → code; preview → Code."""

from __future__ import annotations

import re

from PySide6.QtCore import QItemSelectionModel, Qt

from coder.ui.dialogs.autocode_dialog import AutocodeDialog
from coder.ui.models.explore import RowRole, SortRole
from coder.ui.views.explore_dock import ExploreDock


def _codings(project, code_id: int) -> list[tuple[int, int, int]]:
    return sorted((c.document_id, c.start, c.end) for c in project.codings(code_ids=[code_id]))


def test_word_list_kwic_and_code_all(qtbot, window, project) -> None:
    dock = window.add(ExploreDock(window))
    qtbot.addWidget(dock)
    dock.stop_box.setCurrentIndex(0)
    dock.min_length.setValue(1)
    dock.count_words()
    qtbot.waitUntil(lambda: dock.words_computed == 1)
    words = {w.word: w.count for w in dock.words_model._rows}
    top = dock.words_model.index(0, 1).data(SortRole)
    assert top == max(words.values())  # sorted by count, most frequent first
    assert words["promises"] == 2 and words["the"] >= 4
    dock.word_filter.setText("PROMI")  # the filter ignores case
    assert [dock.words_model.index(r, 0).data() for r in range(dock.words_model.rowCount())] == [
        "promises"
    ]
    dock.word_filter.setText("")
    assert dock.words_model.rowCount() == len(words)
    # Through the selection model: QTableView.selectRow reads the application's keyboard
    # modifiers, and a Shift left over from an earlier test's key clicks would extend instead.
    dock.words_view.selectionModel().select(
        dock.words_model.index(0, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    chosen = dock.words_model.index(0, 0).data()
    dock.words_view.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # by word: the row moves
    shown = [dock.words_model.index(r, 0).data() for r in range(dock.words_model.rowCount())]
    assert shown == sorted(shown)
    selected = dock.words_view.selectionModel().selectedRows()
    assert [i.data() for i in selected] == [chosen]  # and stays selected
    assert dock.show_kwic("promises")
    qtbot.waitUntil(lambda: dock.kwic_computed == 1)  # found off the GUI thread
    rows = dock.kwic_rows(selected=False)
    assert [r.term for r in rows] == ["promises", "promises"]
    # Sorting by the word after the keyword orders by that word.
    dock.kwic_view.sortByColumn(4, Qt.SortOrder.AscendingOrder)
    after = [dock.kwic_model.index(r, 0).data(RowRole).right for r in range(2)]
    first = [re.findall(r"\w+", a.lower())[0] for a in after]  # punctuation before it ignored
    assert first == sorted(first)
    dock.kwic_view.sortByColumn(2, Qt.SortOrder.AscendingOrder)  # by the word before
    lefts = [dock.kwic_model.index(r, 0).data(RowRole).left for r in range(2)]
    last = [re.findall(r"\w+", b.lower())[-1] for b in lefts]
    assert last == sorted(last)
    dock.word_filter.setText("the promises")
    qtbot.keyClick(dock.word_filter, Qt.Key.Key_Return)  # Enter: the typed phrase in context
    qtbot.waitUntil(lambda: dock.kwic_computed == 2)
    assert sorted(r.term for r in dock.kwic_rows(selected=False)) == [
        "The promises",
        "the promises",
    ]
    dock.word_filter.setText("")
    assert dock.show_kwic("promises")
    qtbot.waitUntil(lambda: dock.kwic_computed == 3)
    code = project.find_code("Time").id
    before = len(_codings(project, code))
    assert dock.code_rows(code, rows)
    assert len(_codings(project, code)) == before + 2
    assert window.undo_texts()[-1] == "Code 2 hits of 'promises' with 'Time'"
    window.undo_stack.undo()
    assert len(_codings(project, code)) == before


def test_words_and_kwic_of_one_codes_passages(qtbot, window, project) -> None:
    dock = window.add(ExploreDock(window))
    qtbot.addWidget(dock)
    dock.stop_box.setCurrentIndex(0)
    dock.min_length.setValue(1)
    code = project.find_code("Time")
    doc = project.find_document("Field notes").id
    text = project.document_text(doc)
    start = text.index("The promises")
    window.push("code", lambda: project.apply_code(doc, code.id, start, start + 12, coder="x"))
    dock.scope_box.setCurrentIndex(dock.scope_box.findData(code.id))  # counts again at once
    qtbot.waitUntil(lambda: dock.words_computed == 1)
    in_passages = {w.word: w.count for w in dock.words_model._rows}
    coded = [project.document_text(c.document_id)[c.start : c.end] for c in project.codings()]
    coded = [t for c, t in zip(project.codings(), coded, strict=True) if c.code_id == code.id]
    assert in_passages["promises"] == sum(t.lower().split().count("promises") for t in coded)
    assert dock.show_kwic("promises")
    qtbot.waitUntil(lambda: dock.kwic_computed == 1)
    rows = dock.kwic_rows(selected=False)
    assert len(rows) == in_passages["promises"]
    assert all(r.document_id == doc for r in rows)


def test_similar_lists_paragraphs_and_codes_one(qtbot, window, project) -> None:
    dock = window.add(ExploreDock(window))
    qtbot.addWidget(dock)
    doc = project.find_document("Field notes").id
    text = project.document_text(doc)
    start = text.index("The promises")
    dock.find_similar(doc, start, start + 12)
    qtbot.waitUntil(lambda: dock.similar_model.rowCount() > 0)
    best = dock.similar_rows()[0]
    assert best.document == "Interview Ana" and "promises" in best.text
    code = project.find_code("Time").id
    assert not dock.code_similar_last.isEnabled()  # no code used yet, none selected
    assert dock.code_similar_rows(code)
    assert (best.document_id, best.start, best.end) in _codings(project, code)
    window.recent_codes = [project.find_code("Family").id]
    window.on_changes(window.changes[-1])
    assert dock.code_similar_last.text() == "Code with 'Family'"
    dock.code_similar_last.click()  # one click: the best paragraph, with the last code used
    family = _codings(project, project.find_code("Family").id)
    assert (best.document_id, best.start, best.end) in family


def _preview(qtbot, dialog: AutocodeDialog) -> None:
    done = dialog.previews
    assert dialog.preview()
    qtbot.waitUntil(lambda: dialog.previews == done + 1)  # planned off the GUI thread


def test_autocode_dialog_previews_then_codes_in_one_step(qtbot, window, project) -> None:
    dialog = AutocodeDialog(window, project, "promises")
    qtbot.addWidget(dialog)
    dialog.code.setCurrentText("Promises")
    dialog.unit.setCurrentIndex(dialog.unit.findData("sentence"))
    assert not dialog.code_button.isEnabled()
    _preview(qtbot, dialog)
    plan = dialog.plan
    assert plan is not None and dialog.model.rowCount() == len(plan.codings) == 2
    assert dialog.per_document.rowCount() == 2 and dialog.code_button.isEnabled()
    assert "new code 'Promises'" in dialog.summary.text()
    assert project.db.execute("SELECT count(*) FROM codes WHERE name='Promises'").fetchone()[0] == 0
    dialog.pattern.setText("promise*")
    assert not dialog.code_button.isEnabled()  # a changed form needs a new preview
    assert dialog.model.rowCount() == 0
    _preview(qtbot, dialog)
    assert dialog.apply()
    code = project.find_code("Promises").id
    assert [project.document_text(d)[s:e] for d, s, e in _codings(project, code)] == [
        "Ana: I left because the promises were empty.",
        "The promises again.",
    ]
    assert window.undo_texts()[-1] == "Auto-code 2 passages with 'Promises'"
    window.undo_stack.undo()
    assert project.db.execute("SELECT count(*) FROM codes WHERE name='Promises'").fetchone()[0] == 0
    dialog2 = AutocodeDialog(window, project)
    qtbot.addWidget(dialog2)
    dialog2.kind.setCurrentIndex(dialog2.kind.findData("regex"))
    dialog2.pattern.setText("(")
    dialog2.code.setCurrentText("X")
    _preview(qtbot, dialog2)
    assert dialog2.plan is None and "regular expression" in dialog2.summary.text()
    assert not dialog2.code_button.isEnabled() and window.errors == []


def test_autocode_dialog_completes_speakers_and_codes_their_turns(qtbot, window, project) -> None:
    dialog = AutocodeDialog(window, project)
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("speaker"))
    assert dialog.pattern.completer() is dialog.speakers
    assert dialog.speaker_list == ["Ana", "Ben", "Interviewer"]
    assert "Ana" in dialog.pattern.placeholderText()
    dialog.pattern.setText("ben")
    dialog.code.setCurrentText("Ben's turns")
    dialog.unit.setCurrentIndex(dialog.unit.findData("turn"))
    _preview(qtbot, dialog)
    plan = dialog.plan
    assert plan is not None
    turns = [t for d in project.documents() for t in project.turn_spans(d.id) if t.speaker == "Ben"]
    assert [(c.start, c.end) for c in plan.codings] == [(t.start, t.end) for t in turns]
    dialog.kind.setCurrentIndex(dialog.kind.findData("search"))
    assert dialog.pattern.completer() is None


def test_autocode_dialog_codes_a_dictionary(qtbot, window, project, tmp_path) -> None:
    path = tmp_path / "terms.csv"
    path.write_text("code,term,type\nMoney/Debt,money,search\nFamily,brother,search\n")
    dialog = AutocodeDialog(window, project)
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("dictionary"))
    assert not dialog.code.isEnabled()
    dialog.pattern.setText(str(path))
    _preview(qtbot, dialog)
    plan = dialog.plan
    assert plan is not None
    assert sorted(c.code for c in plan.codings) == ["Family", "Reasons/Money/Debt"]
    # Family exists; Money is the code Reasons/Money
    assert "A new code 'Reasons/Money/Debt'" in dialog.summary.text()
    assert dialog.apply()
    assert window.undo_texts()[-1] == "Auto-code 2 passages with 2 codes"
    assert project.find_code("Reasons/Money/Debt").name == "Debt"
    window.undo_stack.undo()
    assert project.db.execute("SELECT count(*) FROM codes WHERE name='Debt'").fetchone()[0] == 0


def test_words_of_one_codes_passages_follow_its_codings(qtbot, window, project) -> None:
    """Counted within a code, the word list counts again when that code's passages change:
    a figure shown is never one of before an edit."""
    dock = window.add(ExploreDock(window))
    qtbot.addWidget(dock)
    dock.set_shown(True)
    dock.stop_box.setCurrentIndex(0)
    dock.min_length.setValue(1)
    code = project.find_code("Time")
    doc = project.find_document("Field notes").id
    dock.scope_box.setCurrentIndex(dock.scope_box.findData(code.id))
    qtbot.waitUntil(lambda: dock.words_computed == 1)
    before = {w.word: w.count for w in dock.words_model._rows}.get("promises", 0)
    text = project.document_text(doc)
    start = text.index("The promises")
    window.push("code", lambda: project.apply_code(doc, code.id, start, start + 12, coder="x"))
    qtbot.waitUntil(lambda: dock.words_computed == 2)
    after = {w.word: w.count for w in dock.words_model._rows}
    assert after["promises"] == before + 1


def test_rows_in_context_follow_an_edited_text_once_typing_pauses(qtbot, window, project) -> None:
    dock = window.add(ExploreDock(window))
    qtbot.addWidget(dock)
    assert dock.show_kwic("promises")
    qtbot.waitUntil(lambda: dock.kwic_computed == 1)
    before = dock.kwic_model.rowCount()
    doc = project.find_document("Field notes").id
    for i, ch in enumerate(" promises"):  # typed key by key: searched again once keys pause
        at = len(project.document_text(doc)) - 1
        window.push(f"type {i}", lambda at=at, ch=ch: project.edit_text(doc, at, at, ch))
    assert dock.kwic_computed == 1  # not during the typing
    qtbot.waitUntil(lambda: dock.kwic_model.rowCount() == before + 1)
