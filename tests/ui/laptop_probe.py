"""Run by test_laptop_screen on a real X server: open the demo in the window as a user does on
first start, measure the layout, open every window and dialog, print what was measured as JSON.

Modal dialogs are measured and closed from a timer (they block the script otherwise).
"""

from __future__ import annotations

import json
import sys

from PySide6.QtCore import QModelIndex, QTimer
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QTreeView, QWidget

from coder.ui.app import make_application

# Actions that open a window or a dialog (file dialogs are left out: the platform draws them).
OPENERS = (
    "analysis.frequencies", "team.agreement", "view.cases_sheet", "help.guide",
    "help.shortcuts", "edit.preferences", "file.export_report", "file.restore_backup",
    "team.coders", "view.coders_compare",
)  # fmt: skip


def unreadable(view: QTreeView, column: int = 0) -> list[str]:
    """Names cut short in the view without a tooltip that holds them in full."""
    model = view.model()
    out: list[str] = []

    def walk(parent: QModelIndex) -> None:
        for row in range(model.rowCount(parent)):
            index = model.index(row, column, parent)
            text = str(index.data() or "")
            rect = view.visualRect(index)
            needed = QFontMetrics(view.font()).horizontalAdvance(text)
            tip = str(index.data(3) or "")  # Qt.ToolTipRole
            if needed > rect.width() - 4 and text not in tip:
                out.append(text)
            walk(index)

    walk(QModelIndex())
    return out


def size_of(widget: QWidget) -> dict:
    hint = widget.minimumSizeHint()
    return {
        "title": widget.windowTitle(),
        "width": widget.width(),
        "height": widget.height(),
        "min_width": hint.width(),
        "min_height": hint.height(),
    }


def main() -> None:
    app = make_application(sys.argv[:1])
    from coder.ui.features import file as file_feature
    from coder.ui.main_window import MainWindow

    window = MainWindow()
    window.show()
    assert file_feature.open_demo(window)
    report: dict = {"screen": [window.screen().availableGeometry().width(),
                               window.screen().availableGeometry().height()]}  # fmt: skip
    windows: list[dict] = []

    def measure_layout() -> None:
        report["window"] = [window.width(), window.height()]
        report["text"] = window.work_tabs.width()
        report["documents_cut"] = unreadable(window.documents_dock.view)
        report["codes_cut"] = unreadable(window.codebook_dock.view)

    def close_modal() -> None:
        modal = QApplication.activeModalWidget()
        if modal is not None:
            windows.append(size_of(modal))
            modal.close()

    def open_all() -> None:
        for action_id in OPENERS:
            timer = QTimer()
            timer.setSingleShot(True)
            timer.timeout.connect(close_modal)
            timer.start(300)
            before = {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}
            window.trigger(action_id)
            QApplication.processEvents()
            for w in QApplication.topLevelWidgets():
                if w.isVisible() and id(w) not in before and w is not window:
                    windows.append(size_of(w))
                    w.close()
        report["windows"] = windows
        print(json.dumps(report), flush=True)
        window.close()
        app.quit()

    QTimer.singleShot(500, measure_layout)
    QTimer.singleShot(800, open_all)
    app.exec()


if __name__ == "__main__":
    main()
