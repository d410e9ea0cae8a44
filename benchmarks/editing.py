"""Editing a coded transcript: one character typed, in the core and in the window.

The core row is the service alone (text, every passage after the edit moved, the full-text
index, the undo step, a durable commit); the window row is a key typed in Edit transcript:
the same write, the undo stack, the view moving its codings, turns and paragraphs, the docks,
and the repaint. Its note splits the window thread's CPU time per key into the core's write
and the rest (the window's part: undo step, view, docks, repaint).
"""

from __future__ import annotations

import statistics
import time
from typing import TYPE_CHECKING

from benchmarks import corpus
from benchmarks.timing import Result, measure

if TYPE_CHECKING:
    from benchmarks.measure import Context


def edit_text(ctx: Context) -> list[Result]:
    return edit_text_core(ctx) + edit_text_window(ctx)


def edit_text_core(ctx: Context) -> list[Result]:
    """Type one character into the middle of a coded transcript: its text block rewritten and
    re-indexed, the passages anchored in it moved, the blocks after it (with every coding,
    annotation and turn in them) moved, the undo step recorded."""
    from benchmarks.measure import DOCUMENT
    from coder.core import editing
    from coder.core.project import Project

    out = []
    for factor in ctx.sizes([1, 3, 10], [10]):
        spec = DOCUMENT[factor]
        path = corpus.working_copy(spec, ctx.folder("edit"))
        with Project.open(path) as project:
            doc_id = project.documents()[0].id
            middle = len(project.document_text(doc_id)) // 2
            positions = iter(range(middle, middle + 10_000, 97))

            def run(_):
                at = next(positions)
                editing.edit_text(project, doc_id, at, at, "x")

            samples = measure(run, ctx.runs(15, 7))
        out.append(
            Result(
                "edit_text",
                "Edit one character of a coded transcript (core service, durable commit)",
                f"{spec.chars_per_document:,} chars, {spec.codings:,} codings",
                samples,
                target=0.020 if factor == 10 else None,
                note="codings, turns and search index moved; no repaint",
            )
        )
    return out


def edit_text_window(ctx: Context) -> list[Result]:
    """Type one character in the middle of the shown transcript in Edit transcript, until the
    view has repainted."""
    from benchmarks import gui
    from benchmarks.measure import DOCUMENT, WINDOW
    from coder.core import editing
    from coder.ui.features.transcript import editor_of
    from coder.ui.main_window import MainWindow

    gui.app()
    out = []
    for factor in ctx.sizes([1, 10], [10]):
        spec = DOCUMENT[factor]
        path = corpus.working_copy(spec, ctx.folder("edit-window"))
        window = MainWindow()
        window.show()
        window.showNormal()
        window.resize(*WINDOW)
        assert window.open_project(path)
        project = window.project
        assert project is not None
        window.show_document(project.documents()[0].id)
        view = window.view
        while view.loading:
            gui.settle()
        middle = len(view.text) // 2
        view.select_cp(middle, middle)
        view.centerCursor()
        editor_of(window).enter()
        gui.settle()
        watch = gui.PaintWatch(view, view.viewport())
        late = []
        # The window thread's CPU time per key, and the core's share of it (the write).
        thread_cpu: list[float] = []
        core_cpu: list[float] = []
        write = editing.edit_text

        def timed_write(*args, **kwargs):
            c0 = time.thread_time()
            try:
                return write(*args, **kwargs)
            finally:
                core_cpu.append(time.thread_time() - c0)

        def setup():
            gui.settle()
            return watch.paints

        def run(since):
            c0 = time.thread_time()
            view.textCursor().insertText("x")  # what a key press does in the text control
            if not watch.wait(since, timeout=30):
                late.append(1)
            thread_cpu.append(time.thread_time() - c0)

        editing.edit_text = timed_write
        try:
            samples = measure(run, ctx.runs(9, 5), setup)
        finally:
            editing.edit_text = write
        split = "no write seen"
        if core_cpu:
            core, total = statistics.median(core_cpu), statistics.median(thread_cpu)
            split = f"CPU: core {core * 1e3:.0f} ms + window {(total - core) * 1e3:.0f} ms"
        doc_id = view.doc_id
        assert doc_id is not None and view.text == project.document_text(doc_id)
        window.close_project()
        window.close()
        window.deleteLater()
        gui.settle()
        out.append(
            Result(
                "edit_text",
                "Type one character in Edit transcript (write, undo step, view follows, repaint)",
                f"{corpus._human(spec.characters)} chars, {spec.codings:,} codings",
                samples,
                target=0.070 if factor == 10 else None,
                note=("no paint seen; " if late else "")
                + split
                + ("; target 20 ms core + 50 ms window" if factor == 10 else ""),
            )
        )
    return out
