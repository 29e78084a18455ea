"""The public results: archive, ranking and municipality pages (CSV, JSON, feed and sitemap: `results_downloads`).

Every request first reads the publication state (one small query) and judges it against the application
clock; a year that is not public yet answers exactly as a year that does not exist: the same 404 page with
`Cache-Control: no-store` (added to every 404 by `setup`). Only then may a kept ranking or a kept page be used,
so no cache can show a year early. Pages of public years may be cached by browsers and proxies, but never
beyond the next known publication moment, when the archive, the year links and the trends change.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Hashable

from flask import Blueprint, Response, abort, current_app, render_template, request, session

from ..extensions import db
from ..geo.models import Municipality
from ..geo.services import parse_municipality_code
from ..results.cache import cached_ranking
from ..results.models import SUB_INDICES
from ..results.publication import PublicationState, publication_state
from ..results.ranking import YearRanking
from ..results.table import COLUMNS, counties, table_view, view_arguments
from .charts import TrendPoint, trend_svg
from .pagecache import KeptPage, page_cache
from .replay import install as install_replay
from .replay import mark_replayable
from .services import link_rows

bp = Blueprint("public_results", __name__)

#: The longest browsers and proxies may keep a public results page (a re-import is not announced beforehand).
PUBLIC_MAX_AGE = 300


def _state_or_404(year: int | None = None) -> PublicationState:
    """Return the publication state now; 404 (as for a year without results) unless `year` is public."""
    state = publication_state()
    if year is not None and not state.is_public(year):
        abort(404)
    return state


def _ranking_or_404(year: int) -> tuple[PublicationState, YearRanking]:
    state = _state_or_404(year)
    ranking = cached_ranking(year, state)
    if ranking is None:
        abort(404)
    return state, ranking


def _cache_control(state: PublicationState) -> str:
    max_age = PUBLIC_MAX_AGE
    if state.next_change_at is not None:
        max_age = min(max_age, int((state.next_change_at - state.at).total_seconds()))
    return f"public, max-age={max(0, max_age)}"


def _public_response(state: PublicationState, key: Hashable, make: Callable[[], bytes | str], mimetype: str,
                     headers: dict | None = None, replayable: bool = True) -> Response:
    """Return the page under `key` (made once per publication state), with public cache headers.

    `replayable`: the response depends on nothing but the address and the publication state, so the layer in
    front of Flask (`replay`) may answer the next request for the same address under the same state with it.
    """
    def make_page() -> KeptPage:
        body = make()
        return KeptPage.of(body.encode("utf-8") if isinstance(body, str) else body)

    if session.get("_flashes"):
        page = make_page()  # a message for this visitor only: never kept for the next one
    else:
        page = page_cache().get_or_make((key, state.public_version, current_app.config["BASE_URL"]), make_page)
        if replayable:
            mark_replayable(state)
    headers = {**(headers or {}), "Cache-Control": _cache_control(state), "Vary": "Accept-Encoding"}
    if page.gzipped is not None and "gzip" in request.headers.get("Accept-Encoding", ""):
        # Compressed once when kept: a 290 kB ranking goes out as about a tenth, at no cost per request.
        headers["Content-Encoding"] = "gzip"
        return Response(page.gzipped, mimetype=mimetype, headers=headers)
    return Response(page.body, mimetype=mimetype, headers=headers)


def _shows_change(state: PublicationState, ranking: YearRanking) -> bool:
    """Return whether change figures may be shown: they reveal the previous year, which must be public too."""
    return ranking.previous_year is not None and state.is_public(ranking.previous_year)


@bp.route("/resultat")
def archive():
    from ..publication.moments import next_publication

    state = _state_or_404()
    upcoming = next_publication(state.at)
    announced = (upcoming.year, upcoming.published_at.isoformat()) if upcoming else None

    def make() -> str:
        years = [cached_ranking(year, state) for year in state.public_years]
        return render_template("web/public/results/archive.html", rankings=[r for r in years if r],
                               next_publication=upcoming)

    # Not replayable: the next publication's date (a planned moment, before the year's results exist) is read
    # here on every request, and a moved date must show at once.
    return _public_response(state, ("archive", announced), make, "text/html", replayable=False)


@bp.route("/resultat/<int:year>")
def ranking(year: int):
    state, ranking = _ranking_or_404(year)
    shows_change = _shows_change(state, ranking)
    args = request.args
    if not shows_change and args.get("sortera") == "forandring":
        # The order of the changes would tell the previous year's figures, which are not public.
        args = {name: value for name, value in args.items() if name != "sortera"}
    search, county_code, sort, order = view_arguments(args)
    key = ("ranking", year, search, county_code, sort.key, order)

    def make() -> str:
        view = table_view(ranking, args)
        return render_template("web/public/results/ranking.html", ranking=ranking, view=view, columns=COLUMNS,
                               sub_indices=SUB_INDICES, counties=counties(ranking), years=state.public_years,
                               shows_change=shows_change)

    return _public_response(state, key, make, "text/html")


def _trend(state: PublicationState, year: int, code: str) -> list[TrendPoint]:
    points = []
    for public_year in sorted(y for y in state.public_years if y <= year):
        ranking = cached_ranking(public_year, state)
        if ranking is not None:
            entry = ranking.entry(code)
            points.append(TrendPoint(public_year, entry.index if entry else None, ranking.national_average))
    return points


@bp.route("/resultat/<int:year>/<code>")
def municipality(year: int, code: str):
    from ..action_plans.public import plan_version

    state, ranking = _ranking_or_404(year)
    entry = ranking.entry(code) if parse_municipality_code(code) == code else None
    if entry is None:
        abort(404)
    links = link_rows(year, code)
    key = ("municipality", year, code, links, plan_version(year, code))

    def make() -> str:
        from ..action_plans.followup import is_plan_question
        from ..action_plans.public import public_plan
        from ..briefs.talking_points import build_talking_points

        points = build_talking_points(db.session.get(Municipality, code), year, ranking)
        shows_change = _shows_change(state, ranking)
        hidden = set() if shows_change else {"trend"}
        earlier = points.earlier_plan
        if earlier is not None and not state.is_public(earlier.plan_year):
            hidden.add("plan")  # the earlier figures it states are not public
        if _figures_disagree(points):
            hidden |= {"demo", "index", "trend", "plan", "sub_index", "county", "missing"}
        trend = _trend(state, year, code)
        return render_template(
            "web/public/results/municipality.html", ranking=ranking, entry=entry, trend=trend,
            links=[{"title": title, "url": url} for _id, title, url in links],
            chart=trend_svg(trend, entry.municipality_name), shows_change=shows_change,
            facts=[p.text for p in points.points if p.kind in ("demo", "index", "trend", "sub_index", "county",
                                                                  "missing") and p.kind not in hidden],
            plan=public_plan(year, code), earlier_plan_year=earlier.plan_year if earlier else None,
            followup=[] if "plan" in hidden else points.texts("plan"),
            questions=[text for text in points.texts("question")
                       if "plan" not in hidden or not is_plan_question(text)],
            sub_indices=points.sub_indices, years=state.public_years)

    # Replayable: the follow-up links and the plan are staff's to change at any moment, and every change raises the
    # public content version, which is part of the publication state the replay layer compares.
    return _public_response(state, key, make, "text/html")


def _figures_disagree(points) -> bool:
    """Re-derive every figure of the generated sentences from the stored results; on a disagreement the page
    leaves the sentences out (the table and chart still show the stored figures) and the error is logged. The
    staff talking-points page of the municipality shows the disagreement in full."""
    from ..briefs.figures import verify_points

    mismatches = verify_points(points)
    if mismatches:
        logging.getLogger(__name__).error(
            "Public page of %s %s shown without its sentences: %s", points.municipality.code, points.year,
            " ".join(m.message for m in mismatches))
    return bool(mismatches)


def no_store_on_404(response: Response) -> Response:
    """Make every 404 uncacheable, so a year not yet public answers exactly as any address that does not exist."""
    if response.status_code == 404:
        response.headers["Cache-Control"] = "no-store"
    return response


def setup(app) -> None:
    from .content_version import install

    install()
    app.after_request(no_store_on_404)
    install_replay(app, _cache_control)
