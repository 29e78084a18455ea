"""The bar chart of the four sub-indices against the national average, drawn server-side as PNG.

matplotlib is imported inside the function: it takes most of a second to import, and most processes (the send
worker, the mail sink, every `hti` command) never draw a chart. The figure is drawn on its own Agg canvas,
without pyplot, so no global backend is chosen and nothing needs a display.
"""
from __future__ import annotations

import io
from collections.abc import Sequence

from ..formatting import format_number
from .talking_points import SubIndexFigure

MUNICIPALITY_COLOUR = "#004b87"  # the site's accent blue
AVERAGE_COLOUR = "#9a9a9a"
BAR_HEIGHT = 0.38


def sub_index_chart(figures: Sequence[SubIndexFigure], municipality_name: str, *, dpi: int = 110) -> bytes:
    """Return a PNG of each sub-index of the municipality next to the national average."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    figure = Figure(figsize=(7.2, 4.2), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    labels = [f.label for f in figures]
    positions = list(range(len(figures)))[::-1]  # first sub-index at the top
    for position, item in zip(positions, figures):
        if item.value is not None:
            bar = axes.barh(position + BAR_HEIGHT / 2, float(item.value), BAR_HEIGHT, color=MUNICIPALITY_COLOUR)
            axes.bar_label(bar, labels=[format_number(item.value)], padding=4, fontsize=11)
        else:
            axes.text(1, position + BAR_HEIGHT / 2, "uppgift saknas", va="center", fontsize=11, style="italic")
        if item.national_average is not None:
            bar = axes.barh(position - BAR_HEIGHT / 2, float(item.national_average), BAR_HEIGHT, color=AVERAGE_COLOUR)
            axes.bar_label(bar, labels=[format_number(item.national_average)], padding=4, fontsize=11)
    axes.set_yticks(positions, labels, fontsize=12)
    axes.set_xlim(0, 110)
    axes.set_xticks([0, 20, 40, 60, 80, 100])
    axes.tick_params(axis="x", labelsize=10)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    handles = [Patch(color=MUNICIPALITY_COLOUR, label=municipality_name),
               Patch(color=AVERAGE_COLOUR, label="Genomsnitt för samtliga kommuner")]
    axes.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.45, 1.0), ncol=2, frameon=False, fontsize=11)
    # Fixed margins fit the longest label (Biståndshandläggning); tight_layout would draw the figure twice.
    figure.subplots_adjust(left=0.29, right=0.97, top=0.86, bottom=0.08)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
