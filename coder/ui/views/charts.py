"""Charts in the window, painted with QPainter: horizontal bars and a co-occurrence heat map.

A chart keeps the numbers it shows: ``as_text()`` gives them as tab-separated lines (its context
menu copies them), the accessible description says what it shows, and hovering a bar or a cell
names its value. ``save_image(path)`` writes a PNG at print resolution or an SVG, always dark on
white whatever the window's theme. Painting is a few hundred rectangles and labels (well under a
millisecond per bar or cell), so it needs no thread of its own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QHelpEvent,
    QImage,
    QImageWriter,
    QPainter,
    QPalette,
)
from PySide6.QtWidgets import QToolTip, QWidget

PRINT_DPI = 200
FALLBACK_COLOR = "#4C72B0"
# ColorBrewer YlOrRd, light to dark: more passages, darker cell.
HEAT = (
    "#ffffcc",
    "#ffeda0",
    "#fed976",
    "#feb24c",
    "#fd8d3c",
    "#fc4e2a",
    "#e31a1c",
    "#bd0026",
    "#800026",
)
DIAGONAL = "#e8e8e8"


def heat_color(fraction: float) -> QColor:
    """The heat map's colour for a value at ``fraction`` (0..1) of the largest."""
    x = min(max(fraction, 0.0), 1.0) * (len(HEAT) - 1)
    i = min(int(x), len(HEAT) - 2)
    a, b, t = QColor(HEAT[i]), QColor(HEAT[i + 1]), x - i
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * t,
        a.greenF() + (b.greenF() - a.greenF()) * t,
        a.blueF() + (b.blueF() - a.blueF()) * t,
    )


def nice_step(top: float, ticks: int = 5) -> float:
    """A round tick step (1, 2 or 5 times a power of ten): about ``ticks`` ticks up to ``top``."""
    if top <= 0:
        return 1.0
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * power:
            return m * power
    return 10 * power


def fit_label(fm: QFontMetricsF, label: str, width: float) -> str:
    """``label`` if it fits in ``width``, else its last path part ("Parent/Child" -> "Child"),
    cut at the end if even that is too long."""
    if fm.horizontalAdvance(label) <= width:
        return label
    leaf = label.rsplit("/", 1)[-1]
    return fm.elidedText(leaf, Qt.TextElideMode.ElideRight, width)


def _number(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


class _Colors:
    """Text, lines and background: the widget's palette on screen, dark on white in files."""

    def __init__(self, palette: QPalette | None = None) -> None:
        if palette is None:
            self.text, self.base, self.grid = QColor("#222222"), QColor("white"), QColor("#dddddd")
        else:
            self.text = palette.color(QPalette.ColorRole.Text)
            self.base = palette.color(QPalette.ColorRole.Base)
            self.grid = palette.color(QPalette.ColorRole.Mid)
            self.grid.setAlpha(110)
        self.muted = QColor(self.text)
        self.muted.setAlpha(170)


class Chart(QWidget):
    """What both charts share: data as text, copy, save, hover values, painting to any device."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.labels: list[str] = []
        self.setAccessibleName(f"{name} chart")
        self.setMouseTracking(True)
        self.setMinimumSize(220, 160)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        copy = QAction("Copy the numbers", self)
        copy.setToolTip("Copy the charted numbers as tab-separated text")
        copy.triggered.connect(self.copy_data)
        self.addAction(copy)

    # Subclasses: the numbers, their layout and their painting.
    def as_text(self) -> str:
        raise NotImplementedError

    def paint(self, painter: QPainter, rect: QRectF, colors: _Colors) -> None:
        raise NotImplementedError

    def value_at(self, pos: QPointF) -> str | None:
        """What is under the mouse, as a sentence (None over nothing)."""
        return None

    def export_size(self) -> QSize:
        """The chart's size in a file, in points (1/72 inch at 100%; 96 dpi logical pixels)."""
        return QSize(640, 480)

    # -------------------------------------------------------------------------------------------

    def _changed(self) -> None:
        lines = self.as_text().splitlines()
        summary = f"{self.name}: {max(len(lines) - 1, 0)} rows; Copy the numbers from the menu."
        self.setAccessibleDescription(summary)
        self.updateGeometry()
        self.update()

    def copy_data(self) -> None:
        QGuiApplication.clipboard().setText(self.as_text())

    def paintEvent(self, _event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colors = _Colors(self.palette())
        painter.fillRect(self.rect(), colors.base)
        self.paint(painter, QRectF(self.rect()), colors)

    def event(self, event: QEvent) -> bool:
        if isinstance(event, QHelpEvent) and event.type() == QHelpEvent.Type.ToolTip:
            text = self.value_at(QPointF(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def save_image(self, path: str | Path, dpi: int = PRINT_DPI, kind: str = "") -> None:
        """Write the chart as a PNG at ``dpi`` or as an SVG drawing (``kind`` "png" or "svg";
        by default the name's suffix says which); raises OSError."""
        path = Path(path)
        size = self.export_size()
        rect = QRectF(0, 0, size.width(), size.height())
        if (kind or path.suffix.lstrip(".")).lower() == "svg":
            from PySide6.QtSvg import QSvgGenerator

            svg = QSvgGenerator()
            svg.setFileName(str(path))
            svg.setSize(size)
            svg.setViewBox(rect)
            svg.setResolution(96)
            svg.setTitle(self.name)
            svg.setDescription(self.accessibleDescription())
            painter = QPainter()
            if not painter.begin(svg):
                raise OSError(f"cannot write {path}")
            self.paint(painter, rect, _Colors())
            painter.end()
            return
        scale = dpi / 96
        image = QImage(
            math.ceil(size.width() * scale),
            math.ceil(size.height() * scale),
            QImage.Format.Format_RGB32,
        )
        image.fill(QColor("white"))
        painter = QPainter(image)  # at the image's default 96 dpi: fonts as on screen, scaled
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(scale, scale)
        self.paint(painter, rect, _Colors())
        painter.end()
        image.setDotsPerMeterX(round(dpi / 0.0254))  # then say how large to print it
        image.setDotsPerMeterY(round(dpi / 0.0254))
        writer = QImageWriter(str(path), QByteArray(b"png"))
        if not writer.write(image):
            raise OSError(f"cannot write {path}: {writer.errorString()}")

    def _font(self, painter: QPainter | None, points: float) -> QFontMetricsF:
        font = QFont(self.font())
        font.setPointSizeF(points)
        if painter is None:
            return QFontMetricsF(font)
        painter.setFont(font)
        return QFontMetricsF(font, painter.device())

    def _label_width(self, points: float, cap: float) -> float:
        fm = self._font(None, points)
        return min(max((fm.horizontalAdvance(s) for s in self.labels), default=40.0) + 10, cap)


class BarChart(Chart):
    """Horizontal bars, first label on top, each with its value written after it."""

    ROW = 20.0  # pixels per bar when there is room
    MIN_ROW = 11.0

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(name, parent)
        self.values: list[float] = []
        self.colors: list[str] = []
        self.texts: list[str] = []
        self.axis_label = ""
        self.value_name = "Value"
        self._bars: list[QRectF] = []  # where each bar's row was last painted (for hovering)

    def set_data(
        self,
        labels: Sequence[str],
        values: Sequence[float],
        colors: Sequence[str] = (),
        texts: Sequence[str] | None = None,
        axis_label: str = "",
        value_name: str = "Value",
    ) -> None:
        self.labels = list(labels)
        self.values = [float(v) for v in values]
        self.colors = list(colors)
        self.texts = list(texts) if texts is not None else [_number(v) for v in self.values]
        if not len(self.labels) == len(self.values) == len(self.texts):
            raise ValueError("a bar chart needs as many values and texts as labels")
        self.axis_label = axis_label
        self.value_name = value_name
        self._bars = []
        self._changed()

    def clear(self) -> None:
        self.set_data([], [])

    def as_text(self) -> str:
        rows = [f"{label}\t{text}" for label, text in zip(self.labels, self.texts, strict=True)]
        return "\n".join([f"Code\t{self.value_name}", *rows]) + "\n"

    def sizeHint(self) -> QSize:
        return QSize(420, int(len(self.labels) * self.ROW + 70))

    def minimumSizeHint(self) -> QSize:
        return QSize(220, int(min(len(self.labels) * self.MIN_ROW + 60, 400)))

    def export_size(self) -> QSize:
        n = len(self.labels)
        label_w = self._label_width(8.5 if n <= 25 else 7.5, 300)
        return QSize(int(label_w + 460), int(max(n, 3) * 18 + 70))

    def value_at(self, pos: QPointF) -> str | None:
        for i, row in enumerate(self._bars):
            if row.contains(pos):
                return f"{self.labels[i]}: {self.texts[i]}"
        return None

    def paint(self, painter: QPainter, rect: QRectF, colors: _Colors) -> None:
        n = len(self.labels)
        self._bars = []
        fm = self._font(painter, 8.5 if n <= 25 else 7.5)
        if not n:
            painter.setPen(colors.muted)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "No codes to chart")
            return
        bottom_space = fm.height() * (2.6 if self.axis_label else 1.6)
        plot_h = rect.height() - 8 - bottom_space
        row = max(min(self.ROW, plot_h / n), 1.0)
        label_w = min(max(fm.horizontalAdvance(s) for s in self.labels) + 8, rect.width() * 0.4)
        value_w = max(fm.horizontalAdvance(t) for t in self.texts) + 6
        left = rect.left() + label_w + 4
        width = max(rect.right() - 10 - value_w - left, 10.0)
        top_value = max(max(self.values), 0.0)
        step = nice_step(top_value or 1.0)
        scale_top = max(step * math.ceil(top_value / step), step)
        top = rect.top() + 6
        plot_bottom = top + row * n
        # Grid lines and their values
        painter.setPen(colors.grid)
        ticks = int(round(scale_top / step))
        for k in range(ticks + 1):
            x = left + width * k / ticks
            painter.drawLine(QPointF(x, top), QPointF(x, plot_bottom))
        painter.setPen(colors.muted)
        for k in range(ticks + 1):
            x = left + width * k / ticks
            box = QRectF(x - 40, plot_bottom + 2, 80, fm.height())
            painter.drawText(
                box, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, _number(step * k)
            )
        if self.axis_label:
            box = QRectF(left, plot_bottom + 2 + fm.height(), width, fm.height() * 1.2)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, self.axis_label)
        # Bars with their labels and values
        bar_h = max(row * 0.72, 1.0)
        rows = zip(self.labels, self.values, self.texts, strict=True)
        for i, (label, value, text) in enumerate(rows):
            y = top + row * i
            self._bars.append(QRectF(rect.left(), y, rect.width(), row))
            length = width * max(value, 0.0) / scale_top
            bar = QRectF(left, y + (row - bar_h) / 2, length, bar_h)
            color = QColor(self.colors[i] if i < len(self.colors) else "")
            if not color.isValid():
                color = QColor(FALLBACK_COLOR)
            painter.setPen(color.darker(150))
            painter.setBrush(color)
            painter.drawRect(bar)
            if row >= fm.height() * 0.8:
                painter.setPen(colors.text)
                name = fit_label(fm, label, label_w - 8)
                painter.drawText(
                    QRectF(rect.left(), y, label_w, row),
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                    name,
                )
                painter.setPen(colors.muted)
                painter.drawText(
                    QRectF(bar.right() + 4, y, value_w + 6, row),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    text,
                )
        painter.setPen(colors.text)
        painter.drawLine(QPointF(left, top), QPointF(left, plot_bottom))


class HeatMap(Chart):
    """A square matrix of counts between codes; the diagonal (each code alone) is left grey so
    that the pairs stand out."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(name, parent)
        self.counts: list[list[int]] = []
        self.what = "passages"
        self._grid = QRectF()

    def set_data(
        self, labels: Sequence[str], counts: Sequence[Sequence[int]], what: str = "passages"
    ) -> None:
        self.labels = list(labels)
        self.counts = [list(row) for row in counts]
        if len(self.counts) != len(self.labels) or any(len(r) != len(labels) for r in counts):
            raise ValueError("a heat map needs a square matrix, one row per label")
        self.what = what
        self._grid = QRectF()
        self._changed()

    def clear(self) -> None:
        self.set_data([], [])

    def as_text(self) -> str:
        lines = ["\t".join(["Code", *self.labels])]
        pairs = zip(self.labels, self.counts, strict=True)
        lines += ["\t".join([label, *map(str, row)]) for label, row in pairs]
        return "\n".join(lines) + "\n"

    def sizeHint(self) -> QSize:
        side = int(min(len(self.labels) * 16 + 200, 900))
        return QSize(side, side)

    def export_size(self) -> QSize:
        n = len(self.labels)
        label_w = self._label_width(8.0 if n <= 20 else 6.5, 260)
        grid = max(n, 4) * (24 if n <= 20 else 15)
        return QSize(int(label_w + grid + 70), int(label_w + grid + 16))

    def peak(self) -> int:
        n = len(self.labels)
        return max((self.counts[i][j] for i in range(n) for j in range(n) if i != j), default=0)

    def _cell(self, pos: QPointF) -> tuple[int, int] | None:
        n = len(self.labels)
        if not n or not self._grid.contains(pos):
            return None
        size = self._grid.width() / n
        i = int((pos.y() - self._grid.top()) / size)
        j = int((pos.x() - self._grid.left()) / size)
        return (i, j) if 0 <= i < n and 0 <= j < n else None

    def value_at(self, pos: QPointF) -> str | None:
        cell = self._cell(pos)
        if cell is None:
            return None
        i, j = cell
        value = self.counts[i][j]
        if i == j:
            return f"{self.labels[i]}: {value} {self.what} in all"
        return f"{self.labels[i]} and {self.labels[j]}: {value} {self.what}"

    def paint(self, painter: QPainter, rect: QRectF, colors: _Colors) -> None:
        n = len(self.labels)
        self._grid = QRectF()
        fm = self._font(painter, 8.0 if n <= 20 else 6.5)
        if not n:
            painter.setPen(colors.muted)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "No codes to chart")
            return
        # Labels take at most 30% of the shorter side: the grid is what matters.
        label_w = min(
            max(fm.horizontalAdvance(s) for s in self.labels) + 6,
            min(rect.width(), rect.height()) * 0.3,
            260,
        )
        legend_w = 16 + fm.horizontalAdvance(str(self.peak())) + 14
        side = min(rect.width() - label_w - legend_w - 12, rect.height() - label_w - 8)
        size = max(side / n, 1.0)
        grid = QRectF(rect.left() + label_w + 4, rect.top() + label_w + 4, size * n, size * n)
        self._grid = grid
        peak = self.peak()
        painter.setPen(Qt.PenStyle.NoPen)
        for i in range(n):
            for j in range(n):
                value = self.counts[i][j]
                if i == j:
                    color = QColor(DIAGONAL)
                elif value == 0:
                    color = colors.base
                else:
                    color = heat_color(value / peak if peak else 0.0)
                painter.fillRect(
                    QRectF(grid.left() + j * size, grid.top() + i * size, size + 0.5, size + 0.5),
                    color,
                )
        painter.setPen(colors.grid)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(grid)
        if size >= fm.height() and fm.horizontalAdvance(str(peak)) + 3 <= size:
            for i in range(n):
                for j in range(n):
                    value = self.counts[i][j]
                    if i == j or not value:
                        continue
                    dark = peak and value > peak * 0.6
                    painter.setPen(QColor("white") if dark else QColor("#222222"))
                    cell = QRectF(grid.left() + j * size, grid.top() + i * size, size, size)
                    painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, str(value))
        if size >= fm.height() * 0.6:
            painter.setPen(colors.text)
            for i, label in enumerate(self.labels):
                name = fit_label(fm, label, label_w - 6)
                row = QRectF(rect.left(), grid.top() + i * size, label_w, size)
                painter.drawText(
                    row, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, name
                )
                # The same label above its column, written upwards.
                painter.save()
                painter.translate(grid.left() + (i + 0.5) * size, grid.top() - 4)
                painter.rotate(-90)
                painter.drawText(
                    QRectF(0, -size / 2, label_w, size),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    name,
                )
                painter.restore()
        self._legend(
            painter, QRectF(grid.right() + 12, grid.top(), 12, grid.height()), peak, fm, colors
        )

    def _legend(
        self, painter: QPainter, bar: QRectF, peak: int, fm: QFontMetricsF, colors: _Colors
    ) -> None:
        steps = 48
        for k in range(steps):
            part = QRectF(
                bar.left(),
                bar.bottom() - bar.height() * (k + 1) / steps,
                bar.width(),
                bar.height() / steps + 0.5,
            )
            painter.fillRect(part, heat_color((k + 0.5) / steps))
        painter.setPen(colors.grid)
        painter.drawRect(bar)
        painter.setPen(colors.muted)
        painter.drawText(QPointF(bar.right() + 3, bar.top() + fm.ascent()), str(peak))
        painter.drawText(QPointF(bar.right() + 3, bar.bottom()), "0" if peak else "")
