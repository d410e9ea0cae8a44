"""Announcements: have screen readers say what just happened ("Coded 14 characters with
'Leaving'", "3 matches").

An announcement is an accessibility event where screen readers listen for one: on Windows and
macOS Qt's ``QAccessibleAnnouncementEvent`` (a UI Automation notification, an NSAccessibility
announcement). On Linux, Orca before version 46 ignores AT-SPI announcements, so there a
:class:`Notice` of the window (AT-SPI role "notification") is shown anew with each message,
which every Orca speaks.
"""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QAccessibleWidget, QWidget

NOTIFY = sys.platform.startswith("linux")  # announce by a notification (see the docstring)


class Notice(QWidget):
    """A notification of no size in the status bar, shown anew with each message; its
    accessible name is the message."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(0, 0)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAccessibleName("")

    def say(self, message: str) -> None:
        # Named while shown: Qt tells the name change to screen readers only then.
        self.setAccessibleName(message)
        self.hide()
        self.show()


# Qt's accessibility cache owns (and deletes) the interfaces the factory makes; they are kept
# here too so that Python never frees one first (a deleted one is dropped the next time).
_interfaces: list[QAccessibleWidget] = []


def _notice_interface(_key: str, obj: Any) -> QAccessibleWidget | None:
    if not isinstance(obj, Notice):
        return None
    import shiboken6

    _interfaces[:] = [i for i in _interfaces if shiboken6.Shiboken.isValid(i)]
    iface = QAccessibleWidget(obj, QAccessible.Role.Notification)
    _interfaces.append(iface)
    return iface


_factory_installed = False


def install_notice_role() -> None:
    """Give :class:`Notice` widgets the notification role (once per process)."""
    global _factory_installed
    if not _factory_installed:
        QAccessible.installFactory(_notice_interface)
        _factory_installed = True


def announce(widget: QWidget, message: str, assertive: bool = False) -> None:
    """Have screen readers say ``message`` (politely: after what they are saying)."""
    if not message:
        return
    notice = widget.window().findChild(Notice) if NOTIFY else None
    if notice is not None:
        notice.say(message)
        return
    event = QAccessibleAnnouncementEvent(widget, message)
    if assertive:
        event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive)
    QAccessible.updateAccessibility(event)


class LaterAnnouncer(QTimer):
    """Announces a text once it has stopped changing for a moment (a count that follows
    typing is said once, not at every key)."""

    def __init__(self, widget: QWidget, text: Any, msecs: int = 500) -> None:
        super().__init__(widget)
        self.widget = widget
        self.text = text  # a callable giving the text to say
        self.setSingleShot(True)
        self.setInterval(msecs)
        self.timeout.connect(lambda: announce(self.widget, self.text()))
