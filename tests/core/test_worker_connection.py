"""Worker connections (analysis, loading a document, import, merge) beside the window's own."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from coder.core.project import Project


def test_closing_a_worker_connection_never_locks_out_an_edit(fresh_project: Project) -> None:
    """A worker's connection closes without checkpointing the WAL: a checkpoint takes the write
    lock, and an edit of the window's connection at that moment failed with "database is
    locked" at once (its snapshot was gone, so SQLite does not wait)."""
    doc = fresh_project.add_document("A", "Ana: hello there\n" * 200).created("documents")[0]
    code = fresh_project.add_code("T").created("codes")[0]
    for i in range(40):
        worker = fresh_project.worker_connection()

        def read_and_close(conn: Project = worker) -> None:
            conn.coding_spans(doc)
            conn.close()

        thread = threading.Thread(target=read_and_close)
        thread.start()
        fresh_project.apply_code(doc, code, i, i + 5, coder="ann")  # raised CoderError before
        thread.join()
    assert len(fresh_project.codings(document_id=doc)) == 40


def test_the_documents_read_while_a_worker_imports_are_one_state_of_the_file(
    fresh_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documents are read as rows and text lengths in two queries: a worker's import (or
    removal) committed between them made the document list fail with a KeyError."""
    fresh_project.add_document("A", "Ana: hello\n")
    worker = fresh_project.worker_connection()
    lengths = fresh_project.services.lengths
    real = lengths.lengths
    between: list = []  # what another connection commits between the two reads, once

    def lengths_then_a_commit(ids: Any = None) -> dict[int, int]:
        out = real(ids)
        while between:
            between.pop()()
        return out

    monkeypatch.setattr(lengths, "lengths", lengths_then_a_commit)
    try:
        added = []
        between.append(lambda: added.append(worker.add_document("B", "Bo: hi\n")))
        assert [d.name for d in fresh_project.documents()] == ["A"]  # the state it began in
        assert [d.name for d in fresh_project.documents()] == ["A", "B"]
        [b] = added[0].created("documents")
        between.append(lambda: worker.services.documents.delete_document(b))
        assert fresh_project.documents_by_id([b])[b].characters == len("Bo: hi\n")
        assert fresh_project.documents_by_id([b]) == {}
    finally:
        worker.close()
