"""Charts for the report and the analysis window, drawn with matplotlib's Agg renderer.

Figures are built with ``matplotlib.figure.Figure`` (never pyplot), so no global figure state
is created or leaked; matplotlib is imported on first use only, keeping the command line and
the window's start-up fast.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

PRINT_DPI = 200


def _rgb(color: str, fallback: str = "#4C72B0") -> str:
    color = (color or "").strip()
    if len(color) == 7 and color.startswith("#"):
        return color
    return fallback


def frequency_figure(
    labels: Sequence[str],
    values: Sequence[float],
    colors: Sequence[str] = (),
    xlabel: str = "% of cases",
    width_in: float = 6.3,
    annotate: Sequence[str] | None = None,
    figure: Any = None,
) -> Any:
    """A horizontal bar chart (first label on top) on a new or given matplotlib Figure."""
    from matplotlib.figure import Figure

    n = len(labels)
    height = min(max(1.6, 0.24 * n + 0.9), 8.0)  # at most 8 in: fits a page with its caption
    fig = figure if figure is not None else Figure(figsize=(width_in, height))
    fig.clear()
    ax = fig.add_subplot(111)
    if not n:
        ax.text(0.5, 0.5, "No codes to chart", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    ys = list(range(n))
    bar_colors = [_rgb(colors[i] if i < len(colors) else "") for i in range(n)]
    ax.barh(ys, values, color=bar_colors, edgecolor="#555555", linewidth=0.4, height=0.7)
    ax.set_yticks(ys)
    fontsize = 8 if n <= 25 else 6.5
    ax.set_yticklabels([_short(label) for label in labels], fontsize=fontsize)
    ax.invert_yaxis()
    top = max(values) if values else 0
    ax.set_xlim(0, max(top * 1.15, 1.0))
    ax.set_xlabel(xlabel, fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="x", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    texts = annotate if annotate is not None else [f"{v:.1f}%" for v in values]
    for y, v, t in zip(ys, values, texts):
        ax.text(v + top * 0.01 + 0.1, y, t, va="center", fontsize=fontsize - 0.5, color="#333333")
    # Margins from the longest label rather than tight_layout(), which renders everything
    # once more just to measure it.
    # A figure on screen (given) is resized by the user: lay it out again at each draw.
    if figure is not None:
        fig.set_layout_engine("tight")
        return fig
    longest = max((len(_short(label)) for label in labels), default=4)
    left_in = min(0.15 + longest * fontsize * 0.55 / 72, width_in * 0.45)
    fig.subplots_adjust(
        left=left_in / width_in,
        right=1 - 0.25 / width_in,
        top=1 - 0.12 / height,
        bottom=0.5 / height,
    )
    return fig


def heatmap_figure(
    labels: Sequence[str], counts: Sequence[Sequence[int]], figure: Any = None
) -> Any:
    """A co-occurrence heat map (diagonal left blank so that pairs stand out)."""
    from matplotlib.figure import Figure

    n = len(labels)
    size = min(max(3.0, 0.32 * n + 2.0), 12.0)
    fig = figure if figure is not None else Figure(figsize=(size, size))
    fig.clear()
    ax = fig.add_subplot(111)
    if not n:
        ax.text(0.5, 0.5, "No codes", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    data = [[(counts[i][j] if i != j else 0) for j in range(n)] for i in range(n)]
    image = ax.imshow(data, cmap="YlOrRd", aspect="auto")
    short = [_short(label, 28) for label in labels]
    fontsize = 8 if n <= 20 else 6
    ax.set_xticks(range(n))
    ax.set_xticklabels(short, rotation=60, ha="right", fontsize=fontsize)
    ax.set_yticks(range(n))
    ax.set_yticklabels(short, fontsize=fontsize)
    peak = max((max(row) for row in data), default=0)
    if n <= 20:
        for i in range(n):
            for j in range(n):
                if i != j and data[i][j]:
                    dark = data[i][j] > peak * 0.6
                    ax.text(j, i, str(data[i][j]), ha="center", va="center", fontsize=fontsize - 1,
                            color="white" if dark else "black")  # fmt: skip
    from matplotlib.ticker import MaxNLocator

    bar = fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    bar.locator = MaxNLocator(integer=True)
    bar.update_ticks()
    if figure is not None:
        fig.set_layout_engine("tight")
    else:
        fig.tight_layout()
    return fig


def _short(label: str, limit: int = 40) -> str:
    return label if len(label) <= limit else "…" + label[-(limit - 1) :]


def png_bytes(fig: Any, dpi: int = PRINT_DPI) -> bytes:
    """Render a Figure to PNG bytes with the Agg canvas (no GUI, no pyplot)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)  # attaches itself as the figure's canvas
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
