"""The Memos view: every memo listed (project, free, document, code, case, coding memos and
annotations), searched, created, edited, linked and deleted, each change one undo step; and
the notes column of retrieved passages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coder.core import settings
from coder.core.project import Project
from coder.ui.main_window import MainWindow
from coder.ui.models.codings import NOTES
from coder.ui.views.memos_dock import MemosDock
from tests.ui.recording_window import shown as shown_document
from tests.ui.recording_window import stack

TEXT = "Amira: We left at night.\nInterviewer: Why?\nAmira: Because the leaders lied to us.\n"
LIED = (TEXT.index("leaders lied"), TEXT.index("leaders lied") + len("leaders lied"))


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "memos.coder"
    with Project.create(path) as p:
        doc = p.add_document("Amira", TEXT, case="Amira").created("documents")[0]
        p.set_document_fields(doc, memo="Recorded in Lyon")
        code = p.add_code("Corruption", memo="Keep apart from greed").created("codes")[0]
        p.update_case(p.find_case("Amira").id, memo="Returned in 2019")
        coding = p.apply_code(doc, code, *LIED, coder="Sam").created("codings")[0]
        p.set_coding_memo(coding, "Said twice")
        p.add_annotation(doc, 0, 5, "Pseudonym", coder="Sam")
        p.set_project_memo("Why people leave")
        memo = p.add_memo("Trust", "Leaders and trust", coder="Sam").created("memos")[0]
        p.link_memo(memo, code_id=code)
    return path


@pytest.fixture
def window(qtbot, project_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    settings.set_value("coder_name", "Maria")
    win = MainWindow()
    qtbot.addWidget(win)
    monkeypatch.setattr(win, "confirm", lambda q, yes="OK": True)
    monkeypatch.setattr(win, "show_error", lambda m: pytest.fail(m))
    win.show()
    qtbot.waitExposed(win)
    assert win.open_project(project_path)
    yield win
    win.close_project()


def dock(window: MainWindow) -> MemosDock:
    memos = window.memos_dock
    assert isinstance(memos, MemosDock)
    return memos


def shown(memos: MemosDock) -> list[tuple[str, str]]:
    proxy = memos.proxy
    return [(proxy.index(r, 0).data(), proxy.index(r, 1).data()) for r in range(proxy.rowCount())]


def test_every_memo_is_listed_by_kind(window: MainWindow) -> None:
    assert shown(dock(window)) == [
        ("Project memo", "Project memo"),
        ("Memo", "Trust"),
        ("Document memo", "Amira"),
        ("Code memo", "Corruption"),
        ("Case memo", "Amira"),
        ("Coding memo", "'Corruption' — Sam in Amira: “leaders lied”"),
        ("Annotation", "Amira: “Amira”"),
    ]


def test_search_and_kind_filter(window: MainWindow) -> None:
    memos = dock(window)
    memos.search.setText("LEADERS trust")
    assert shown(memos) == [("Memo", "Trust")]
    memos.search.clear()
    memos.kind.setCurrentIndex(memos.kind.findData("annotation"))
    assert [t for _k, t in shown(memos)] == ["Amira: “Amira”"]


def test_editing_a_memo_is_one_undo_step_and_leaving_it_saves(
    window: MainWindow, project_path: Path
) -> None:
    memos = dock(window)
    assert memos.select(("code", 1))
    assert memos.text.toPlainText() == "Keep apart from greed"
    memos.text.setPlainText("Keep apart from greed and theft")
    assert memos.save_button.isEnabled()
    assert memos.select(("memo", 1))  # choosing another memo saves the edit
    with Project.open(project_path, read_only=True) as p:
        assert p.code(1).memo == "Keep apart from greed and theft"
    assert stack(window).undoText() == "Edit memo of code 'Corruption'"
    window.trigger("edit.undo")
    with Project.open(project_path, read_only=True) as p:
        assert p.code(1).memo == "Keep apart from greed"


def test_new_memo_with_title_text_author_and_link(window: MainWindow, project_path: Path) -> None:
    memos = dock(window)
    memos.new_memo()
    assert memos.current is not None and memos.current.author == "Maria"
    memos.title.setText("Second thoughts")
    memos.text.setPlainText("Check the dates")
    assert memos.save()
    assert memos.link(memos.current.id, "document_id", 1, "'Amira'")
    with Project.open(project_path, read_only=True) as p:
        memo = next(m for m in p.memos() if m.title == "Second thoughts")
        assert (memo.text, memo.author) == ("Check the dates", "Maria")
        assert [link.document_id for link in p.memo_links(memo.id)] == [1]
    assert "Linked to: Document: Amira" in memos.info.text()
    assert stack(window).undoText() == "Link memo 'Second thoughts' to 'Amira'"


def test_deleting_an_annotation_and_clearing_a_memo(window: MainWindow, project_path: Path) -> None:
    memos = dock(window)
    memos.select(("annotation", 1))
    assert memos.delete_button.text() == "Delete"
    memos.delete_current()
    memos.select(("document", 1))
    assert memos.delete_button.text() == "Clear"
    memos.delete_current()
    with Project.open(project_path, read_only=True) as p:
        assert p.annotations() == [] and p.document(1).memo == ""
    assert ("Annotation", "Amira: “Amira”") not in shown(memos)
    window.trigger("edit.undo")
    window.trigger("edit.undo")
    assert ("Annotation", "Amira: “Amira”") in shown(memos)


def test_show_passage_opens_it_in_the_text(window: MainWindow) -> None:
    memos = dock(window)
    memos.select(("coding", 1))
    memos.show_current()
    assert window.view.selection_cp() == LIED


def test_a_coding_memo_from_the_text_appears_in_the_list(window: MainWindow) -> None:
    from coder.ui.features import coding

    assert window.project is not None
    code = window.project.find_code("Corruption").id
    coding.apply_code(window, code, passage=(shown_document(window), 0, 5))
    mine = max(window.view.spans)
    window.push("memo", lambda p: p.set_coding_memo(mine, "Her chosen name"))
    assert ("Coding memo", "'Corruption' — Maria in Amira: “Amira”") in shown(dock(window))


def test_retrieved_passages_show_memos_and_annotations(window: MainWindow) -> None:
    retrieval = window.retrieval_dock
    assert window.project is not None
    retrieval.show_codes([window.project.find_code("Corruption").id])
    index = retrieval.proxy.index(0, NOTES)
    assert index.data() == "Memo: Said twice"
    window.push("note", lambda p: p.add_annotation(1, LIED[0], LIED[1] + 3, "Check", coder="Maria"))
    assert retrieval.proxy.index(0, NOTES).data() == "Memo: Said twice · Annotation (Maria): Check"


def test_memos_model_passes_the_model_tester(qtmodeltester, window: MainWindow) -> None:
    memos = dock(window)
    qtmodeltester.check(memos.model)
    memos.search.setText("Amira")
    qtmodeltester.check(memos.proxy)


def test_closing_the_project_keeps_what_was_typed(window: MainWindow, project_path: Path) -> None:
    memos = dock(window)
    memos.select(("memo", 1))
    memos.text.setFocus()
    memos.text.setPlainText("Leaders and trust, and letters")  # still in the editor
    window.close_project()
    with Project.open(project_path, read_only=True) as p:
        assert p.memos()[0].text == "Leaders and trust, and letters"
