"""The printable A4 brief per municipality (WeasyPrint), for council meetings.

WeasyPrint is imported inside `brief_pdf`: importing it takes about half a second and parses its default
stylesheets, which only the processes that make a PDF should pay for.
"""
from __future__ import annotations

import base64
import logging

from flask import render_template

from ..config import PROJECT_ROOT
from .charts import sub_index_chart
from .figures import check_figures
from .services import brief_context, is_published, publication_text
from .talking_points import TalkingPoints

# WeasyPrint and fontTools log every stylesheet and font subset at INFO (WeasyPrint already while it is being
# imported); a batch of 290 PDFs would drown the log. Set before the first import, so it holds for that too.
for noisy in ("fontTools", "weasyprint", "weasyprint.progress"):
    logging.getLogger(noisy).setLevel(logging.WARNING)


def brief_pdf(points: TalkingPoints, chart_png: bytes | None = None) -> bytes:
    """Return the printable brief of one municipality as a PDF."""
    from weasyprint import HTML

    if chart_png is None and points.entry is not None:
        chart_png = sub_index_chart(points.sub_indices, points.municipality.short_name)
    chart_src = "data:image/png;base64," + base64.b64encode(chart_png).decode("ascii") if chart_png else None
    html = render_template("pdf/briefs/local_brief.html", brief=brief_context(points), chart_src=chart_src,
                           is_published=is_published(points.ranking), publication_text=publication_text(points.ranking))
    # What is printed under the organisation's name is checked as printed, table and headings included.
    check_figures(points.year, points.municipality.code, [html])
    # PDF/UA: tagged, with the title and language of the document, so screen readers can read it.
    return HTML(string=html, base_url=str(PROJECT_ROOT)).write_pdf(pdf_variant="pdf/ua-1")


def pdf_filename(points: TalkingPoints) -> str:
    """Return e.g. 'hemtjanstindex-2024-0114.pdf'."""
    return f"hemtjanstindex-{points.year}-{points.municipality.code}.pdf"
