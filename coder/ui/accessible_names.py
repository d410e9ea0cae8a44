"""Names for the widgets Qt builds inside others, so that a screen reader can say each one.

A filter field's clear button, a combo box's list and a tool bar's » button are made by Qt
without a name; screen readers then say "button" or "list". The main window's are named as it
first paints; from then on one filter on the application names each such widget when it is
first polished or shown, from the widget it belongs to
("Clear Filter codes", "All coders choices", "More Case actions"); the field of an editable
combo box takes the box's name; a button with only an icon takes its tooltip. Names set by the
code are never replaced.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLineEdit,
    QToolBar,
    QWidget,
)

_TAGS = re.compile(r"<[^>]+>")


def _ancestor(widget: QWidget, kind: type, levels: int = 3) -> QWidget | None:
    parent = widget.parentWidget()
    for _ in range(levels):
        if parent is None:
            return None
        if isinstance(parent, kind):
            return parent
        parent = parent.parentWidget()
    return None


def _said(widget: QWidget) -> str:
    """What a screen reader calls ``widget`` now."""
    if widget.accessibleName():
        return widget.accessibleName()
    if isinstance(widget, QLineEdit):
        return widget.placeholderText().rstrip("…. ")
    if isinstance(widget, QComboBox):
        return widget.currentText()
    if isinstance(widget, QToolBar):
        return widget.windowTitle()
    return ""


def name_for(widget: QWidget) -> str:
    """A name for a widget that has none ("" when it needs none or none can be found)."""
    if isinstance(widget, QAbstractButton):
        if widget.objectName() == "qt_toolbar_ext_button":
            bar = _ancestor(widget, QToolBar, 1)
            owner = _said(bar) if bar is not None else ""
            return f"More {owner}".strip() if owner else "More actions"
        owner_edit = _ancestor(widget, QLineEdit, 1)
        if owner_edit is not None:
            return f"Clear {_said(owner_edit)}".strip()
        if not widget.text():
            return _TAGS.sub("", widget.toolTip()).strip()
        return ""
    if isinstance(widget, QLineEdit):
        combo = _ancestor(widget, QComboBox, 1)  # the field of an editable combo box
        if combo is not None and combo.accessibleName():
            return combo.accessibleName()
        return ""
    if isinstance(widget, QAbstractItemView):
        combo = _ancestor(widget, QComboBox)
        if combo is not None:
            return f"{_said(combo)} choices".strip()
    return ""


class AccessibleNames(QObject):
    """Names every unnamed widget that :func:`name_for` knows, as it appears."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Polish, QEvent.Type.Show) and isinstance(watched, QWidget):
            if not watched.accessibleName():
                name = name_for(watched)
                if name:
                    watched.setAccessibleName(name)
        return False


def install(window: QWidget) -> None:
    """Name the widgets of ``window`` now, and the application's widgets as they appear
    (the filter once per application).

    The window calls this as it paints its first frame: a filter on the whole application
    sees every event, and the thousands of a window's start would cost it a hundredth of a
    second, to name widgets that one walk names as well."""
    name_all(window)
    app = QApplication.instance()
    if app is None or app.property("coderAccessibleNames"):
        return
    namer = AccessibleNames(app)
    app.installEventFilter(namer)
    app.setProperty("coderAccessibleNames", True)


def name_all(root: QWidget) -> None:
    """Name every unnamed widget inside ``root`` that :func:`name_for` knows."""
    for widget in root.findChildren(QWidget):
        if not widget.accessibleName():
            name = name_for(widget)
            if name:
                widget.setAccessibleName(name)
