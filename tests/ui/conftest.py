"""Fixtures for the workbench's models and docks: a small project and a fake window on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coder.core.project import Project
from tests.ui.fake_window import FakeWindow, build_project
from tests.ui.held_keys import release_held_modifiers


@pytest.fixture(autouse=True)
def _no_modifier_held_after() -> Iterator[None]:
    """A test that clicked a key with Shift leaves no Shift held for the next one."""
    yield
    release_held_modifiers()


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    p = build_project(tmp_path / "study.coder")
    try:
        yield p
    finally:
        p.close()


@pytest.fixture
def window(project: Project) -> FakeWindow:
    return FakeWindow(project)
