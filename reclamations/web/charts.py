"""The dashboard's charts, drawn on the server as SVG with matplotlib (the charting library of
the Python world): readable at a glance, no script in the page, every figure also in the
table beside it."""

from __future__ import annotations

import io
from collections.abc import Sequence

INK = "#1d2330"
BAR = "#2a6f97"
GRID = "#d5d9e0"


def bars(labels: Sequence[str], values: Sequence[float], unit: str, horizontal: bool) -> bytes:
    """A bar chart, each bar labelled with its value."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    matplotlib.rcParams.update(
        {"svg.hashsalt": "reclamations", "font.family": "DejaVu Sans", "font.size": 10}
    )
    height = 0.45 * len(labels) + 1 if horizontal else 3.2
    figure, axes = pyplot.subplots(figsize=(7.5, max(2.0, height)))
    try:
        positions = range(len(labels))
        drawn = (axes.barh if horizontal else axes.bar)(positions, values, color=BAR)
        shown = [f"{v:g}".replace(".", ",") + unit for v in values]  # "33,3 %": French
        axes.bar_label(drawn, labels=shown, padding=3, color=INK)
        if horizontal:
            axes.set_yticks(list(positions), labels=list(labels))
            axes.invert_yaxis()
            axes.xaxis.set_visible(False)
        else:
            axes.set_xticks(list(positions), labels=list(labels))
            axes.yaxis.set_visible(False)
        for side in ("top", "right", "left" if not horizontal else "bottom"):
            axes.spines[side].set_visible(False)
        axes.spines["left" if horizontal else "bottom"].set_color(GRID)
        axes.tick_params(colors=INK, length=0)
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
        return out.getvalue()
    finally:
        pyplot.close(figure)
