"""A text in blocks: cut after newlines, joined exactly, read block by block like a str."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from coder.core import blocks
from coder.core.project import Project

TEXTS = st.lists(st.sampled_from(["a", "bb ", "\n", "é", "😀", "line\n"]), max_size=60).map("".join)


@given(TEXTS, st.integers(1, 12))
def test_split_cuts_after_newlines_and_joins_back(text: str, size: int) -> None:
    parts = blocks.split(text, size)
    assert "".join(parts) == text
    assert all(p.endswith("\n") for p in parts[:-1])
    assert all(len(p) >= size for p in parts[:-1])


FOLDER = Path(tempfile.mkdtemp())


@settings(max_examples=40, deadline=None)
@given(TEXTS, st.integers(0, 70), st.integers(0, 70), st.sampled_from(["\n", "a", "b"]))
def test_block_text_reads_like_the_str(text: str, i: int, j: int, sub: str) -> None:
    path = FOLDER / "t.coder"
    path.unlink(missing_ok=True)
    old, blocks.SIZE = blocks.SIZE, 5
    try:
        with Project.create(path) as p:
            doc = p.add_document("D", text).created("documents")[0]
            read = blocks.BlockText(p.db, doc)
            assert len(read) == len(text)
            assert read[i:j] == text[i:j] and read[:] == text
            if i < len(text):
                assert read[i] == text[i] and read[-1] == text[-1]
            assert read.find(sub, i, j) == text.find(sub, i, j)
            assert read.rfind(sub, i, j) == text.rfind(sub, i, j)
            assert read.find(sub, i) == text.find(sub, i)
    finally:
        blocks.SIZE = old
