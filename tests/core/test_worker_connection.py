"""Worker connections (analysis, loading a document, import, merge) beside the window's own."""

from __future__ import annotations

import threading

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
