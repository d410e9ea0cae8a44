"""Small pieces shared by the docks: filter box and proxy, empty-view hints, remembered
column widths, and questions to the user.

Questions go through module functions (``ask_text``, ``ask_choice``, ``confirm``) so that tests
can answer them without a modal dialog.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QSortFilterProxyModel,
    Qt,
    QTimer,
)
from PySide6.QtGui import QFontMetrics, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from coder.core import settings

if TYPE_CHECKING:
    from coder.core.project import Changes, Project


class ProjectDock(QWidget):
    """A dock of the main window: it shows the open project and follows each edit."""

    def set_project(self, project: Project | None) -> None:
        """Show this project (None: no project is open)."""
        raise NotImplementedError

    def on_changes(self, changes: Changes) -> None:
        """Refresh what an edit changed."""
        raise NotImplementedError


class _SameLookInactive(QObject):
    """Drops the activation events of an item view whose palette looks the same in an active
    and an inactive window (Qt repaints every item view of a window that gains or loses the
    focus, even when nothing would look different)."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVATION and isinstance(obj, QWidget):
            return obj.palette().isEqual(QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive)
        return False


_ACTIVATION = (QEvent.Type.WindowActivate, QEvent.Type.WindowDeactivate)


def no_repaint_on_activation(window: QWidget) -> None:
    """Opening another window (Analysis, Agreement, a dialog) then costs ``window`` no repaint
    of its lists and tables, where the system palette does not dim an inactive window."""
    keep = _SameLookInactive(window)
    for view in window.findChildren(QAbstractItemView):
        view.installEventFilter(keep)


def bring_forward(window: QWidget) -> None:
    """Show a window of its own (or bring it back) above the others, with the keyboard."""
    window.show()
    window.raise_()
    window.activateWindow()


def context_menu_on(view: QAbstractItemView, build: Callable[[QModelIndex], QMenu | None]) -> None:
    """Right-click on ``view`` opens the menu ``build`` makes for the item clicked (none when
    it returns None)."""

    def show(pos: QPoint) -> None:
        menu = build(view.indexAt(pos))
        if menu is not None:
            menu.exec(view.viewport().mapToGlobal(pos))

    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    view.customContextMenuRequested.connect(show)


def filter_box(placeholder: str, accessible_name: str) -> QLineEdit:
    box = QLineEdit()
    box.setPlaceholderText(placeholder)
    box.setClearButtonEnabled(True)
    box.setAccessibleName(accessible_name)
    return box


class ElideDelegate(QStyledItemDelegate):
    """Cuts long text on the left or in the middle (a code path keeps its last part)."""

    def __init__(self, mode: Qt.TextElideMode, parent: Any = None) -> None:
        super().__init__(parent)
        self._mode = mode

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = self._mode


class EmptyHint(QLabel):
    """A hint shown in the middle of an item view while it has no rows."""

    def __init__(self, view: QAbstractItemView, text: str | Callable[[], str]) -> None:
        super().__init__(view.viewport())
        self._view = view
        self._text = text
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.setMargin(16)
        model = view.model()
        for signal in (
            model.rowsInserted,
            model.rowsRemoved,
            model.modelReset,
            model.layoutChanged,
        ):
            signal.connect(self.refresh)
        view.viewport().installEventFilter(self)
        self.refresh()

    def refresh(self, *_: Any) -> None:
        empty = self._view.model().rowCount() == 0
        if empty:
            self.setText(self._text() if callable(self._text) else self._text)
            self.setGeometry(self._view.viewport().rect())
        self.setVisible(empty)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.setGeometry(self._view.viewport().rect())
        return False


# Room kept free on the screen's height: a task bar (about 40 px, when the screen's
# available area still counts it) and the window's title bar (about 32 px).
SCREEN_MARGIN = 72


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Size a window or dialog at most ``width`` × ``height``, and small enough to fit the
    screen it is on with its title bar (1366 × 768 laptops included)."""
    screen = window.screen()
    if screen is not None:
        avail = screen.availableGeometry()
        width = min(width, avail.width() - 16)
        height = min(height, avail.height() - SCREEN_MARGIN)
    window.resize(width, height)


def choose_columns(header: QHeaderView, fixed: int = 0) -> None:
    """A right-click on the header shows or hides its columns (all but ``fixed``)."""
    header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def menu(pos: QPoint) -> None:
        model = header.model()
        choices = QMenu(header)
        for col in range(model.columnCount()):
            if col == fixed:
                continue
            title = str(model.headerData(col, Qt.Orientation.Horizontal))
            act = choices.addAction(f"Show {title}")
            act.setCheckable(True)
            act.setChecked(not header.isSectionHidden(col))
            act.toggled.connect(partial(lambda c, on: header.setSectionHidden(c, not on), col))
        choices.exec(header.mapToGlobal(pos))
        choices.deleteLater()

    header.customContextMenuRequested.connect(menu)


def remember_header(header: QHeaderView, key: str) -> None:
    """Restore a view's column widths and order, and save them (per user) when they change."""
    name = f"header:{key}"
    stored = settings.get(name)
    if isinstance(stored, str) and stored:
        header.restoreState(QByteArray.fromBase64(stored.encode("ascii")))
    timer = QTimer(header)
    timer.setSingleShot(True)
    timer.setInterval(500)  # one write after a drag of the column edge, not one per pixel

    def save() -> None:
        settings.set_value(name, bytes(header.saveState().toBase64().data()).decode("ascii"))

    timer.timeout.connect(save)
    header.sectionResized.connect(lambda *_: timer.start())
    header.sectionMoved.connect(lambda *_: timer.start())
    header.sortIndicatorChanged.connect(lambda *_: timer.start())


class ValueSortProxy(QSortFilterProxyModel):
    """Sorts by the sort role's Python values: tuples such as (empty last, number) compare as
    Python compares them (Qt cannot order Python objects, and would leave the rows as they
    are)."""

    def lessThan(
        self, left: QModelIndex | QPersistentModelIndex, right: QModelIndex | QPersistentModelIndex
    ) -> bool:
        a, b = left.data(self.sortRole()), right.data(self.sortRole())
        try:
            return bool(a < b)
        except TypeError:
            return str(a) < str(b)


class TreeFilterProxy(QSortFilterProxyModel):
    """Case-insensitive filter (all columns, or one) that keeps the ancestors of matches visible."""

    def __init__(self, parent: Any = None, sort_role: int | None = None, column: int = -1) -> None:
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(column)
        self.setAutoAcceptChildRows(False)
        if sort_role is not None:
            self.setSortRole(sort_role)

    def set_filter(self, text: str) -> None:
        self.setFilterFixedString(text.strip())


def confirm(parent: QWidget | None, title: str, text: str) -> bool:
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


def ask_text(parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
    value, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
    return value if ok else None


def ask_choice(
    parent: QWidget | None,
    title: str,
    label: str,
    items: list[str],
    editable: bool = False,
    current: int = 0,
) -> str | None:
    """One of ``items`` (or, when ``editable``, any text typed); None when cancelled."""
    value, ok = QInputDialog.getItem(parent, title, label, items, current, editable)
    return value if ok else None


def ask_buttons(parent: QWidget | None, title: str, text: str, buttons: list[str]) -> str | None:
    """The label of the button pressed (None for Cancel)."""
    box = QMessageBox(parent)
    box.setWindowTitle(title)
    box.setText(text)
    box.setIcon(QMessageBox.Icon.Question)
    made = [(box.addButton(label, QMessageBox.ButtonRole.AcceptRole), label) for label in buttons]
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    return next((label for button, label in made if button == clicked), None)


# Columns are sized from their text (not by asking the view to measure every cell), up to this.
MAX_COLUMN = 320
# A change of more rows than this (a merge, a big import, their undo) is caught up with in
# slices: each dock on its own turn of the event loop, reading in bulk on a worker.
BULK_ROWS = 2_000


def fit_columns(
    view: QTableView, headers: Sequence[str], rows: Sequence[Sequence[str]], first: int = 160
) -> None:
    """Size each column to its widest text (header included), up to MAX_COLUMN; the first
    column (code names) gets at least ``first`` pixels. Much faster than
    resizeColumnsToContents, which asks the delegate for every cell's size hint."""
    fm = QFontMetrics(view.font())
    bold = QFontMetrics(view.horizontalHeader().font())
    header = view.horizontalHeader()
    widths: dict[str, int] = {}

    def width(text: str) -> int:
        w = widths.get(text)
        if w is None:
            w = widths[text] = fm.horizontalAdvance(text)
        return w

    for c, title in enumerate(headers):
        column = [width(row[c]) for row in rows if c < len(row)]
        best = max([bold.horizontalAdvance(title) + 24, *(w + 14 for w in column)])
        if c == 0:
            best = max(best, first)
        header.resizeSection(c, min(best, MAX_COLUMN))
