"""The bar chart of the four sub-indices against the national average, drawn server-side as PNG.

Drawn for a phone first: 4 inches wide, each area's name on its own line above its two bars, and every text
at least `MIN_FONT_POINTS`, so that on a 360 px screen, where the image is shown about 320 px wide, no text is
smaller than 14 px. The average's bars are hatched as well as grey, so the two bars differ by more than colour,
and the same figures are always given as a table next to the image.

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
AVERAGE_COLOUR = "#6b6b6b"
AVERAGE_HATCH = "///"
#: Width of the figure; with DPI this is the PNG's width in pixels (4 × 110 = 440 px).
WIDTH_INCHES = 4.0
DPI = 110
#: The smallest text in the chart, in points (13 pt at 110 dpi is 19.9 px in the PNG, 14.4 px at 320 px wide).
MIN_FONT_POINTS = 13
LABEL_FONT_POINTS = 14
BAR_HEIGHT = 0.34


def chart_figure(figures: Sequence[SubIndexFigure], municipality_name: str, *, dpi: int = DPI):
    """Return the matplotlib Figure of the chart (for `sub_index_chart` and for measuring its text)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    group = 1.5  # vertical room per area: its name and two bars
    height = 1.2 + group * len(figures) * 0.62
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.04, 0.1, 0.8, 0.9 - 1.0 / height))
    for number, item in enumerate(figures):
        top = -number * group
        axes.text(0, top + 0.05, item.label, fontsize=LABEL_FONT_POINTS, fontweight="bold", va="bottom")
        bars = ((top - 0.25, item.value, MUNICIPALITY_COLOUR, None),
                (top - 0.25 - BAR_HEIGHT - 0.06, item.national_average, AVERAGE_COLOUR, AVERAGE_HATCH))
        for position, value, colour, hatch in bars:
            if value is None:
                axes.text(1, position, "uppgift saknas", va="center", fontsize=MIN_FONT_POINTS, style="italic")
                continue
            bar = axes.barh(position, float(value), BAR_HEIGHT, color=colour, hatch=hatch, edgecolor="white",
                            linewidth=0)
            axes.bar_label(bar, labels=[format_number(value)], padding=4, fontsize=MIN_FONT_POINTS)
    axes.set_xlim(0, 100)
    axes.set_ylim(-group * (len(figures) - 1) - 0.75, 0.55)
    axes.set_yticks([])
    axes.set_xticks([0, 50, 100])
    axes.tick_params(axis="x", labelsize=MIN_FONT_POINTS)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    handles = [Patch(facecolor=MUNICIPALITY_COLOUR, label=municipality_name),
               Patch(facecolor=AVERAGE_COLOUR, hatch=AVERAGE_HATCH, edgecolor="white",
                     label="Genomsnitt för samtliga kommuner")]
    figure.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.02, 0.995), ncol=1, frameon=False,
                  fontsize=MIN_FONT_POINTS, handlelength=1.6)
    return figure


def sub_index_chart(figures: Sequence[SubIndexFigure], municipality_name: str, *, dpi: int = DPI) -> bytes:
    """Return a PNG of each sub-index of the municipality next to the national average."""
    figure = chart_figure(figures, municipality_name, dpi=dpi)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
