"""Coder as a screen reader meets it: the window started as a user starts it on a real X
server, keys typed through XTEST, and everything read back over AT-SPI with pyatspi, the way
Orca reads it. Nothing here looks inside the process.

``.ci/run`` installs Xvfb, xdotool, at-spi2-core, dbus and python3-pyatspi and sets
``CODER_REQUIRE_ATSPI``, so in CI a missing piece fails these tests instead of skipping them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coder.core.project import Project
from tests.atspi import Reader, accessibility_bus
from tests.xserver import Desktop, wait_for, xvfb

pytestmark = pytest.mark.atspi

LINES = [
    "Interviewer: Why did you leave?",
    "Amira: We left at night because the leaders lied.",
    "Interviewer: And then?",
]
TEXT = "\n".join(LINES) + "\n"
SECOND = len(LINES[0]) + 1  # where the second line starts
# What a user operates (AT-SPI role names): each needs a name a screen reader can say.
INTERACTIVE = {
    "push button", "toggle button", "check box", "radio button", "combo box", "text",
    "password text", "spin button", "slider", "page tab", "list", "tree", "table",
    "tree table", "link", "menu item", "check menu item", "radio menu item", "menu",
    "entry", "tool bar",
}  # fmt: skip


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    path = tmp_path / "reading.coder"
    with Project.create(path) as p:
        p.add_document("Amira", TEXT)
        p.add_code("Leaving")
        p.add_code("Corruption")
        doc, leaving = p.documents()[0].id, p.find_code("Leaving").id
        p.apply_code(doc, leaving, SECOND, SECOND + len(LINES[1]), coder="Sam")
    return path


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[Desktop]:
    data = tmp_path / "userdata"
    data.mkdir()
    # A coder who has used Coder before: no first-start question.
    (data / "settings.json").write_text(json.dumps({"coder_name": "Maria"}), encoding="utf-8")
    with xvfb(1366, 768) as display:
        desk = Desktop(display, data)
        with accessibility_bus(desk):
            try:
                yield desk
            finally:
                desk.close()


def document_text(reader: Reader) -> dict[str, Any] | None:
    node = reader.find("text", "Document text")
    return node if node is not None and node.get("chars") == len(TEXT) else None


def described(reader: Reader, words: str) -> dict[str, Any] | None:
    node = document_text(reader)
    return node if node is not None and words in node["description"] else None


def status_says(reader: Reader, *words: str) -> bool:
    node = next((n for n in reader.tree() if n.get("role") == "status bar"), None)
    return node is not None and all(w in (node.get("description") or "") for w in words)


def is_announcement(event: dict[str, Any], words: tuple[str, ...]) -> bool:
    """An AT-SPI announcement, or a notification shown (what Orca speaks on Linux), that
    says ``words``."""
    if event.get("type", "").startswith("object:announcement"):
        said = event.get("message", "")
    elif event.get("role") == "notification" and event.get("showing"):
        said = event.get("name", "")
    else:
        return False
    return all(w in said for w in words)


def announced(events: Any, reader: Reader, what: str, *words: str) -> str:
    """What was announced naming ``words``; the status bar's description says it too."""
    event = events.wait_for(what, lambda e: is_announcement(e, words))
    assert status_says(reader, *words), f"the status bar does not say {words}"
    return str(event.get("message") or event.get("name"))


def test_a_screen_reader_reads_the_text_the_codings_and_what_coding_did(
    desktop: Desktop, project_path: Path
) -> None:
    proc = desktop.coder(str(project_path))
    desktop.window("reading — Coder")
    reader = Reader(desktop)

    # The document text is readable in full, with the caret where the text starts.
    doc = wait_for(lambda: document_text(reader), "the document text on the AT-SPI bus")
    assert doc["text"] == TEXT
    assert "Not coded" in doc["description"], doc["description"]

    # Every interactive widget on screen has a name.
    tree = reader.tree()
    unnamed = [
        n["path"]
        for n in tree
        if n.get("role") in INTERACTIVE and not n.get("name") and "showing" in n["states"]
    ]
    assert unnamed == [], unnamed

    # The caret moved into the coded passage: the view's description names code and coder.
    desktop.key("ctrl+Home", "Down", "Right", "Right", "Right")
    doc = wait_for(
        lambda: described(reader, "Coded: Leaving (Sam)"), "the codes at the caret described"
    )
    assert doc["caret"] == SECOND + 3

    with reader.listening() as events:
        # Code the first line with quick key 1: the announcement names the code.
        desktop.key("ctrl+Home", "shift+End", "1")
        message = announced(events, reader, "an announcement of the coding", "Coded", "Leaving")
        assert f"{len(LINES[0])} characters" in message
        # W says the codings at the cursor, with their coder.
        desktop.key("w")
        announced(events, reader, "the codings at the cursor", "Leaving, coded by Maria")
        # Alt+Down jumps to the next coded passage and says whose it is.
        desktop.key("alt+Down")
        announced(events, reader, "the next coding", "Leaving, coded by Sam", "2 of 2")
        # Undo says what it undid.
        desktop.key("ctrl+z")
        announced(events, reader, "the undo", "Undone", "Leaving")

    desktop.key("ctrl+q")
    assert proc.wait(timeout=120) == 0
    stderr = desktop.close()
    assert "Traceback" not in stderr, stderr
