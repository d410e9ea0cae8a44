"""Tables sorted by a header click really sort (Qt cannot order the Python tuples their sort
role gives, and used to leave the rows as they were)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from coder.ui.models.codings import POSITION
from coder.ui.views.retrieval_dock import RetrievalDock
from tests.ui.fake_window import FakeWindow


def test_retrieved_passages_sort_by_position(qtbot, project, window: FakeWindow) -> None:
    dock = RetrievalDock(window)
    qtbot.addWidget(dock)
    dock.show_codes([c.id for c in project.codes()])
    dock.view.sortByColumn(POSITION, Qt.SortOrder.DescendingOrder)
    shown = [(p.document, p.start) for p in dock.passages()]
    assert shown == sorted(shown, key=lambda d: (d[0].casefold(), d[1]), reverse=True)
    assert len(shown) == 5
