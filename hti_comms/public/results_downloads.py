"""The public results as files: CSV, JSON, the Atom feed and the sitemap, on the results blueprint.

Each answers through `results._public_response`, so a year not yet public is a 404 here too.
"""
from __future__ import annotations

import json
from datetime import datetime

from flask import current_app, render_template, url_for

from ..exports import CSV_MIMETYPE, Figure, csv_document
from ..formatting import counted, format_number
from ..results.cache import cached_ranking
from ..results.models import MEASURES, SUB_INDICES
from ..results.ranking import YearRanking
from .results import _public_response, _ranking_or_404, _shows_change, _state_or_404, bp


def _csv_rows(ranking: YearRanking, shows_change: bool) -> tuple[list[str], list[list]]:
    """Return the CSV download's header and rows: every figure as a number (hti_comms.exports)."""
    header = ["Plats", "Kommunkod", "Kommun", "Län", "Index"]
    for _name, label in SUB_INDICES:
        header += [label, f"{label}, plats"]
    if shows_change:
        header += [f"Index {ranking.previous_year}", "Förändring (enheter)", "Förändring (placeringar)"]
    rows = []
    for e in ranking.entries:
        row = [e.rank, e.municipality_code, e.municipality_name, e.county_name, e.index]
        for name, _label in SUB_INDICES:
            row += [e.values[name], e.ranks[name]]
        if shows_change:
            row += [e.previous_index, Figure(e.index_change, signed=True), e.rank_change]
        rows.append(row)
    rows.append([None, None, "Riksgenomsnitt", None, ranking.national_average]
                + [v for name, _label in SUB_INDICES for v in (ranking.national_averages[name], None)])
    return header, rows


@bp.route("/resultat/<int:year>.csv")
def ranking_csv(year: int):
    state, ranking = _ranking_or_404(year)

    def make() -> bytes:
        return csv_document(*_csv_rows(ranking, _shows_change(state, ranking)))

    demo = "-demodata" if ranking.is_demo else ""
    return _public_response(state, ("csv", year), make, CSV_MIMETYPE,
                            {"Content-Disposition": f'attachment; filename="hemtjanstindex-{year}{demo}.csv"'})


def _json_number(value) -> float | None:
    return None if value is None else float(value)


@bp.route("/api/resultat/<int:year>.json")
def ranking_json(year: int):
    state, ranking = _ranking_or_404(year)

    def make() -> str:
        shows_change = _shows_change(state, ranking)
        document = {
            "year": year,
            "is_demo": ranking.is_demo,
            "published_at": ranking.published_at.isoformat(),
            "ranked_count": ranking.ranked_count,
            "national_averages": {name: _json_number(ranking.national_averages[name]) for name, _l in MEASURES},
            "municipalities": [{
                "municipality_code": e.municipality_code,
                "municipality_name": e.municipality_name,
                "county_code": e.county_code,
                "county_name": e.county_name,
                "rank": e.rank,
                "index": _json_number(e.index),
                "sub_indices": {name: {"value": _json_number(e.values[name]), "rank": e.ranks[name]}
                                for name, _label in SUB_INDICES},
                "county_rank": e.county_rank,
                "previous_index": _json_number(e.previous_index) if shows_change else None,
                "rank_change": e.rank_change if shows_change else None,
                "url": _absolute(".municipality", year=year, code=e.municipality_code),
            } for e in ranking.entries],
        }
        return json.dumps(document, ensure_ascii=False, separators=(",", ":"))

    return _public_response(state, ("json", year), make, "application/json",
                            {"Access-Control-Allow-Origin": "*"})


def _absolute(endpoint: str, **values) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


@bp.route("/resultat/atom.xml")
def feed():
    state = _state_or_404()

    def make() -> bytes:
        from feedgen.feed import FeedGenerator

        feed = FeedGenerator()
        feed.id(_absolute(".archive"))
        feed.title("Hemtjänstindex: publicerade resultat")
        feed.subtitle("Resultaten av Hemtjänstindex, SPF Seniorernas granskning av hemtjänsten i Sveriges kommuner.")
        feed.author({"name": "SPF Seniorerna"})
        feed.link(href=_absolute(".archive"), rel="alternate")
        feed.link(href=_absolute(".feed"), rel="self")
        feed.language("sv")
        rankings = [r for r in (cached_ranking(y, state) for y in sorted(state.public_years)) if r]
        feed.updated(rankings[-1].published_at if rankings else datetime(2022, 11, 1, tzinfo=state.at.tzinfo))
        for ranking in rankings:  # feedgen lists the last added first
            entry = feed.add_entry()
            url = _absolute(".ranking", year=ranking.year)
            entry.id(url)
            entry.link(href=url)
            entry.title(f"Hemtjänstindex {ranking.year}" + (" (demodata)" if ranking.is_demo else ""))
            entry.published(ranking.published_at)
            entry.updated(ranking.published_at)
            entry.summary(f"Rankningen av {counted(ranking.ranked_count, 'kommun', 'kommuner')}. "
                          f"Riksgenomsnittet är {format_number(ranking.national_average)}.")
        return feed.atom_str(pretty=True)

    return _public_response(state, ("atom",), make, "application/atom+xml")


@bp.route("/sitemap.xml")
def sitemap():
    state = _state_or_404()

    def make() -> str:
        urls = [_absolute("public.home"), _absolute(".archive")]
        for year in state.public_years:
            ranking = cached_ranking(year, state)
            urls.append(_absolute(".ranking", year=year))
            urls.extend(_absolute(".municipality", year=year, code=e.municipality_code) for e in ranking.entries)
        return render_template("web/public/results/sitemap.xml", urls=urls)

    return _public_response(state, ("sitemap",), make, "application/xml")
