"""The per-user settings file: what is set is kept, and setting what is already so writes
nothing (each write is a durable write of the whole file, some on every start)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder.core import files, settings


def test_a_value_already_set_is_not_written_again(monkeypatch: pytest.MonkeyPatch) -> None:
    writes: list[Path] = []
    real = files.write_text

    def write_text(path: Path, text: str) -> None:
        writes.append(path)
        real(path, text)

    monkeypatch.setattr(files, "write_text", write_text)
    settings.add_recent_project("/projects/Fieldwork.coder")
    settings.set_value("text_size", 12)
    assert len(writes) == 2
    settings.add_recent_project("/projects/Fieldwork.coder")  # already the most recent
    settings.set_value("text_size", 12)
    assert len(writes) == 2
    settings.set_value("text_size", 13)
    assert settings.get("text_size") == 13 and len(writes) == 3
    assert settings.recent_projects() == [str(Path("/projects/Fieldwork.coder").resolve())]
