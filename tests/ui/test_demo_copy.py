"""The demo keeps your work: its copy lives in the user data folder and in Recent projects,
and File → Save a copy as… writes the open project to a new file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coder.core import settings
from coder.core.project import Project
from coder.ui.features import file as file_feature
from coder.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    win = MainWindow()
    qtbot.addWidget(win)
    win.errors = []  # type: ignore[attr-defined]
    monkeypatch.setattr(win, "show_error", win.errors.append)  # type: ignore[attr-defined]
    yield win
    win.close_project()


def test_the_demo_lives_in_the_user_data_folder_and_keeps_work(
    window: MainWindow, _user_data_dir: Path
) -> None:
    assert file_feature.open_demo(window)
    assert window.project is not None
    path = window.project.path
    assert path == _user_data_dir / "Demo project.coder"
    assert settings.recent_projects()[0] == str(path)
    code = window.project.codes()[0].id
    before = len(window.project.codings())
    window.push("code", lambda p: p.apply_code(window.view.doc_id, code, 0, 3))
    window.close_project()
    assert file_feature.open_demo(window)  # the same copy, with the coding
    assert window.project.path == path and len(window.project.codings()) == before + 1


def test_a_fresh_demo_copy_goes_beside_yours(window: MainWindow, _user_data_dir: Path) -> None:
    assert file_feature.open_demo(window)
    assert file_feature.open_demo(window, fresh=True)
    assert window.project is not None
    assert window.project.path == _user_data_dir / "Demo project 2.coder"
    assert (_user_data_dir / "Demo project.coder").exists()


def test_save_a_copy_writes_a_new_file_and_lists_it(window: MainWindow, tmp_path: Path) -> None:
    assert file_feature.open_demo(window)
    assert window.project is not None
    original = window.project.path
    copy = tmp_path / "My demo work.coder"
    assert file_feature.save_copy(window, copy)
    assert window.project.path == original  # still working in the original
    assert str(copy) in settings.recent_projects()
    assert "Saved a copy" in window.statusBar().currentMessage()
    with Project.open(copy, read_only=True) as p:
        assert len(p.codings()) == len(window.project.codings())
        assert [d.name for d in p.documents()] == [d.name for d in window.project.documents()]
    assert not file_feature.save_copy(window, copy)  # never over an existing file
    assert "already exists" in window.errors[-1]  # type: ignore[attr-defined]
