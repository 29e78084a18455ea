"""The trend chart of a municipality's public page, drawn as SVG on the server (no script, no image request).

The SVG is part of the page, so it is public exactly when the page is; its title and description say what it
shows in words, and the page has the same figures as a table right after it.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

from ..formatting import format_number

WIDTH, HEIGHT = 720, 340
LEFT, RIGHT, TOP, BOTTOM = 70, 30, 30, 60
MUNICIPALITY_COLOUR, AVERAGE_COLOUR, GRID_COLOUR, INK = "#004b87", "#5c5c5c", "#b3b3b3", "#111111"


@dataclass(frozen=True)
class TrendPoint:
    year: int
    index: Decimal | None
    national_average: Decimal


def _scale(points: list[TrendPoint]) -> tuple[int, int]:
    values = [p.index for p in points if p.index is not None] + [p.national_average for p in points]
    low = max(0, int(min(values)) // 10 * 10 - (10 if min(values) % 10 < 3 else 0))
    high = min(100, (int(max(values)) // 10 + 1) * 10)
    return low, max(high, low + 10)


def trend_svg(points: list[TrendPoint], municipality_name: str, chart_id: str = "trenddiagram") -> Markup:
    """Return an SVG line chart of the municipality's index and the national average over the years."""
    low, high = _scale(points)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_width / max(1, len(points) - 1)

    def x(i: int) -> float:
        return LEFT + (i * step if len(points) > 1 else plot_width / 2)

    def y(value: Decimal) -> float:
        return TOP + plot_height * (1 - (float(value) - low) / (high - low))

    title = f"Index för {municipality_name} och riksgenomsnittet, {points[0].year}–{points[-1].year}"
    if len(points) == 1:
        title = f"Index för {municipality_name} och riksgenomsnittet {points[0].year}"
    description = "; ".join(
        f"{p.year}: {municipality_name} {format_number(p.index) if p.index is not None else 'uppgift saknas'}, "
        f"riksgenomsnittet {format_number(p.national_average)}" for p in points) + "."
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-labelledby="{chart_id}-titel {chart_id}-beskrivning" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{chart_id}-titel">{escape(title)}</title>',
             f'<desc id="{chart_id}-beskrivning">{escape(description)}</desc>']
    for tick in range(low, high + 1, 10):
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
                     f'stroke="{GRID_COLOUR}" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 10}" y="{y(tick) + 6:.1f}" text-anchor="end" font-size="18" '
                     f'fill="{INK}" aria-hidden="true">{tick}</text>')
    for i, point in enumerate(points):
        parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 30}" text-anchor="middle" font-size="18" '
                     f'fill="{INK}" aria-hidden="true">{point.year}</text>')
    averages = [(x(i), y(p.national_average)) for i, p in enumerate(points)]
    parts.append(_polyline(averages, AVERAGE_COLOUR, dashed=True))
    own = [(x(i), y(p.index)) for i, p in enumerate(points) if p.index is not None]
    parts.append(_polyline(own, MUNICIPALITY_COLOUR, dashed=False))
    for px, py in averages:
        parts.append(f'<rect x="{px - 5:.1f}" y="{py - 5:.1f}" width="10" height="10" fill="{AVERAGE_COLOUR}"/>')
    for (px, py), point in zip(own, [p for p in points if p.index is not None]):
        parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="7" fill="{MUNICIPALITY_COLOUR}"/>')
        parts.append(f'<text x="{px:.1f}" y="{py - 14:.1f}" text-anchor="middle" font-size="18" font-weight="bold" '
                     f'fill="{MUNICIPALITY_COLOUR}" aria-hidden="true">{format_number(point.index)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _polyline(points: list[tuple[float, float]], colour: str, *, dashed: bool) -> str:
    if len(points) < 2:
        return ""
    coordinates = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
    dash = ' stroke-dasharray="10 6"' if dashed else ""
    return f'<polyline points="{coordinates}" fill="none" stroke="{colour}" stroke-width="4"{dash}/>'
