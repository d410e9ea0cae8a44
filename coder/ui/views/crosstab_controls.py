"""The crosstab's choice of columns for number and date attributes: each value, groups of about
equal size (halves to fifths), or ranges between limits the user types."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

# (label, grouping, groups)
CHOICES = (
    ("Each value", "values", 0),
    ("Two halves (median split)", "quantiles", 2),
    ("Three groups of equal size", "quantiles", 3),
    ("Four groups (quartiles)", "quantiles", 4),
    ("Five groups (quintiles)", "quantiles", 5),
    ("Ranges between limits…", "ranges", 0),
)


class CrosstabGrouping(QWidget):
    """``changed`` fires when the choice (or the limits, on Enter) change."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setAccessibleName("Group values")
        self.combo.setToolTip("Number and date attributes: a column per value, or in ranges")
        for text, _g, _n in CHOICES:
            self.combo.addItem(text)
        self.limits = QLineEdit()
        self.limits.setAccessibleName("Range limits")
        self.limits.setPlaceholderText("limits: 30, 40, 50")
        self.limits.setToolTip(
            "The ranges below, between and above these limits: 30, 40, 50 gives < 30, 30–39, "
            "40–49 and ≥ 50 (dates as 2020-01-01); press Enter to apply"
        )
        self.limits.setVisible(False)
        label = QLabel("&Group:")
        label.setBuddy(self.combo)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(label)
        layout.addWidget(self.combo)
        layout.addWidget(self.limits)
        self.combo.currentIndexChanged.connect(self._choice_changed)
        self.limits.returnPressed.connect(self.changed)
        self.set_attribute_type(None)

    def set_attribute_type(self, type_: str | None) -> None:
        """Ranges are offered for number and date attributes only."""
        ranged = type_ in ("number", "date")
        self.setEnabled(ranged)
        self.limits.setPlaceholderText(
            "limits: 2020-01-01, 2022-01-01" if type_ == "date" else "limits: 30, 40, 50"
        )
        if not ranged and self.combo.currentIndex() != 0:
            self.combo.blockSignals(True)
            self.combo.setCurrentIndex(0)
            self.combo.blockSignals(False)
            self.limits.setVisible(False)

    def choice(self) -> tuple[str, int, tuple[str, ...]]:
        """(grouping, number of groups, limits), as ``value_groups.grouped`` takes them."""
        _label, grouping, groups = CHOICES[self.combo.currentIndex()]
        limits = tuple(v.strip() for v in self.limits.text().split(",") if v.strip())
        if grouping == "ranges" and not limits:
            return ("values", 0, ())  # nothing typed yet: each value
        return (grouping, groups, limits)

    def _choice_changed(self, _index: int) -> None:
        ranges = CHOICES[self.combo.currentIndex()][1] == "ranges"
        self.limits.setVisible(ranges)
        if ranges:
            self.limits.setFocus()
        self.changed.emit()
