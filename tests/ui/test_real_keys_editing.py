"""Editing a transcript with real keys on a real X server: Ctrl+Shift+E, typing over a misspelt
speaker label, Ctrl+Z, Escape; the project read back from its file after each step."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from coder.core.project import Project
from coder.core.text import detect_turns
from tests.xserver import Desktop, wait_for, xvfb

pytestmark = pytest.mark.x11

TEXT = (
    "Interviewer: Why did you leave?\n"
    "Amria: I think the flood came at night.\n"
    "Interviewer: And then?\n"
    "Amira: Then I packed my bag.\n"
    "Interviewer: Why?\n"
    "Amira: Fear.\n"
)
FLOOD = TEXT.index("the flood came")


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "keys.coder"
    with Project.create(path) as p:
        doc = p.add_document("Interview", TEXT, turns=detect_turns(TEXT)).created("documents")[0]
        code = p.add_code("Flood").created("codes")[0]
        p.apply_code(doc, code, FLOOD, FLOOD + len("the flood came"), coder="Maria")
    return path


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[Desktop]:
    data = tmp_path / "userdata"
    data.mkdir()
    (data / "settings.json").write_text(json.dumps({"coder_name": "Maria"}), encoding="utf-8")
    with xvfb(1366, 768) as display:
        desk = Desktop(display, data)
        try:
            yield desk
        finally:
            desk.close()


def state(path: Path) -> tuple[str, list[tuple[int, int]], list[tuple[str, int]]]:
    with Project.open(path, read_only=True) as p:
        doc = p.find_document("Interview")
        return (
            p.document_text(doc.id),
            [(c.start, c.end) for c in p.codings(doc.id)],
            [(t.speaker or "", t.start) for t in p.turns(doc.id)],
        )


def test_fix_a_speaker_label_with_real_keys_then_undo(desktop: Desktop, project_path: Path) -> None:
    proc = desktop.coder(str(project_path))
    desktop.window("keys — Coder")
    label = TEXT.index("Amria")
    desktop.key("ctrl+shift+e")  # Edit → Edit transcript
    # Second line, after "Am": select "ri" and type "ir" over it.
    desktop.key("ctrl+Home", "Down", "Right", "Right", "shift+Right", "shift+Right")
    desktop.key("i", "r")
    fixed = TEXT.replace("Amria", "Amira", 1)
    wait_for(lambda: state(project_path)[0] == fixed or None, "the label typed over")
    text, codings, turns = state(project_path)
    assert codings == [(FLOOD, FLOOD + len("the flood came"))]
    assert ("Amira", label) in turns
    # Two Backspaces at the end of that line.
    desktop.key("ctrl+Home", "Down", "End", "BackSpace", "BackSpace")
    wait_for(
        lambda: state(project_path)[0] == fixed.replace("at night.", "at nigh", 1) or None,
        "two characters deleted with Backspace",
    )
    desktop.key("ctrl+z")  # the window's undo: both Backspaces, one step
    wait_for(lambda: state(project_path)[0] == fixed or None, "Ctrl+Z undoes the deletion")
    desktop.key("ctrl+z")
    wait_for(lambda: state(project_path)[0] == TEXT or None, "Ctrl+Z undoes the label fix")
    assert ("Amira", label) not in state(project_path)[2]
    desktop.key("Escape", "1")  # out of the mode, 1 codes again (nothing selected: nothing)
    desktop.key("ctrl+q")
    assert proc.wait(timeout=120) == 0
    stderr = desktop.close()
    assert "Traceback" not in stderr, stderr
    assert state(project_path)[0] == TEXT
