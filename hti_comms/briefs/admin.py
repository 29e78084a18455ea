"""Staff pages: talking points per municipality with copy buttons, brief previews, the national summary."""
from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, url_for

from ..admin import staff_blueprint
from ..extensions import db
from ..geo.models import District, Municipality
from ..geo.services import municipalities_by_code
from ..results.ranking import available_years, compute_ranking
from .emails import district_digest_spec, local_brief_spec, preview_email
from .national import build_national_summary
from .pdf import brief_pdf, pdf_filename
from .services import districts
from .talking_points import BriefError, build_talking_points

bp = staff_blueprint("briefs_admin", __name__, "/talepunkter")


def _ranking_or_404(year: int):
    return compute_ranking(year) or abort(404)


def _points_or_404(year: int, code: str):
    municipality = db.session.get(Municipality, code) or abort(404)
    return build_talking_points(municipality, year, _ranking_or_404(year))


@bp.route("/")
def index():
    years = available_years()
    year = request.args.get("year", type=int) or (years[0] if years else None)
    code = request.args.get("kommun")
    if year and code:
        return redirect(url_for(".municipality", year=year, code=code))
    municipalities = sorted(municipalities_by_code().values(), key=lambda m: m.short_name)
    return render_template("web/briefs/index.html", years=years, year=year, municipalities=municipalities,
                           districts=districts())


@bp.route("/<int:year>/<code>")
def municipality(year: int, code: str):
    points = _points_or_404(year, code)
    preview = None
    if points.entry is not None:
        spec = local_brief_spec(points)
        preview = (spec.subject, *preview_email(spec))
    return render_template("web/briefs/municipality.html", points=points, preview=preview, years=available_years())


@bp.route("/<int:year>/<code>/brief.pdf")
def municipality_pdf(year: int, code: str):
    points = _points_or_404(year, code)
    return Response(brief_pdf(points), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{pdf_filename(points)}"'})


@bp.route("/<int:year>/sammanfattning")
def national(year: int):
    summary = build_national_summary(year, _ranking_or_404(year))
    return render_template("web/briefs/national.html", summary=summary, years=available_years())


@bp.route("/<int:year>/distrikt/<int:district_id>")
def district(year: int, district_id: int):
    district = db.session.get(District, district_id) or abort(404)
    _ranking_or_404(year)
    try:
        spec = district_digest_spec(district, year)
    except BriefError as error:
        return render_template("web/briefs/district.html", district=district, year=year, problem=str(error))
    return render_template("web/briefs/district.html", district=district, year=year,
                           preview=(spec.subject, *preview_email(spec)))
