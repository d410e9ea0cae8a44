"""Bulk edits: many passages coded in one transaction, undone and redone exactly."""

from __future__ import annotations

import pytest

from coder.core.bulk import apply_code_to_spans, run_together
from coder.core.errors import InvalidValue, NotFound


@pytest.fixture
def project(fresh_project):
    fresh_project.add_document("A", "one two three two one")
    fresh_project.add_document("B", "two again")
    fresh_project.add_code("Two")
    return fresh_project


def test_codes_every_span_once_and_undoes_all(project) -> None:
    spans = [(1, 4, 7), (1, 14, 17), (2, 0, 3), (1, 4, 7)]
    changes = apply_code_to_spans(project, 1, spans, coder="kim")
    coded = [(c.document_id, c.start, c.end, c.coder) for c in project.codings()]
    assert sorted(coded) == [(1, 4, 7, "kim"), (1, 14, 17, "kim"), (2, 0, 3, "kim")]
    assert len(changes.created("codings")) == 3
    project.undo(changes)
    assert project.codings() == [] and project.coders() == []
    project.redo(changes)
    assert len(project.codings()) == 3


def test_skips_passages_already_coded_by_the_same_coder(project) -> None:
    project.apply_code(1, 1, 4, 7, coder="kim")
    changes = apply_code_to_spans(project, 1, [(1, 4, 7), (2, 0, 3)], coder="kim")
    assert len(changes.created("codings")) == 1
    other = apply_code_to_spans(project, 1, [(1, 4, 7)], coder="lee")
    assert len(other.created("codings")) == 1  # another coder's coding is its own


def test_a_bad_span_writes_nothing(project) -> None:
    with pytest.raises(InvalidValue):
        apply_code_to_spans(project, 1, [(1, 4, 7), (2, 0, 99)], coder="kim")
    with pytest.raises(NotFound):
        apply_code_to_spans(project, 1, [(7, 0, 1)], coder="kim")
    with pytest.raises(NotFound):
        apply_code_to_spans(project, 9, [(1, 0, 1)], coder="kim")
    assert project.codings() == [] and project.coders() == []


def test_run_together_is_all_or_nothing(project) -> None:
    with pytest.raises(InvalidValue):
        run_together(
            project,
            [
                lambda: project.rename_document(1, "Alpha"),
                lambda: project.rename_document(2, "Alpha"),
            ],
        )
    assert [d.name for d in project.documents()] == ["A", "B"]
    changes = run_together(
        project, [lambda: project.rename_document(1, "Alpha"), lambda: project.add_code("Other")]
    )
    assert [d.name for d in project.documents()] == ["Alpha", "B"]
    project.undo(changes)
    assert [d.name for d in project.documents()] == ["A", "B"] and len(project.codes()) == 1
