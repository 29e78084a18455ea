"""Staff pages: talking points per municipality with copy buttons, brief previews, the national summary."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for

from ..auth.roles import Role
from ..staff import needs
from ..delivery.confirm import is_confirmed, preview_recipients
from ..security import email_document
from ..staff import staff_blueprint
from ..extensions import db
from ..geo.models import District, Municipality
from ..geo.services import municipalities_by_code
from ..results.ranking import available_years, compute_ranking
from ..delivery.services import send_counts
from ..subscribers.audiences import audience_size, letter_contact_ids, recipients
from .audiences import council_audience, district_audience
from . import renderings
from .emails import (district_digest_mismatches, district_digest_spec, local_brief_mismatches, local_brief_preview,
                     local_brief_spec, preview_email, send_district_digest, send_local_brief)
from .national import build_national_summary
from .services import ReleaseError, check_release, districts, is_published, publication_text
from .talking_points import BriefError, build_talking_points

bp = staff_blueprint("briefs_admin", __name__, "/talpunkter")


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
    from .figures import verify_points

    preview = None
    mismatches = verify_points(points)
    if points.entry is not None:
        subject, _html, text = local_brief_preview(points)
        preview = (subject, url_for(".municipality_email", year=year, code=code), text)
        # The page's own sentences are the talking points; the email adds its table and headings.
        spec = local_brief_spec(points)
        mismatches += [m for m in local_brief_mismatches(points, spec) if m not in mismatches]
    page = render_template("web/briefs/municipality.html", points=points, preview=preview, years=available_years(),
                           figure_mismatches=mismatches,
                           audience_size=audience_size(council_audience(points.municipality)),
                           **_publication(points.ranking))
    db.session.commit()  # keep the chart and email made for this view (nothing else is written here)
    return page


@bp.route("/<int:year>/<code>/brevet.html")
def municipality_email(year: int, code: str):
    points = _points_or_404(year, code)
    if points.entry is None:
        abort(404)
    document = email_document(local_brief_preview(points)[1])
    db.session.commit()  # keep the chart and email made for this view
    return document


def _publication(ranking) -> dict:
    """Return whether the year is public, and the sentence saying when it will be, for the templates."""
    return {"is_published": is_published(ranking), "publication_text": publication_text(ranking)}


@bp.route("/<int:year>/<code>/brief.pdf")
def municipality_pdf(year: int, code: str):
    from .figures import FigureMismatch
    from .pdf import pdf_filename

    points = _points_or_404(year, code)
    try:
        data, filename = renderings.brief_pdf(points), pdf_filename(points)
    except FigureMismatch as error:
        return render_template("web/briefs/figures_refused.html", points=points, error=error,
                               what="Utskriften (PDF)"), 409
    db.session.commit()  # keep the PDF (and chart) made for this download
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/<int:year>/sammanfattning")
def national(year: int):
    ranking = _ranking_or_404(year)
    summary = build_national_summary(year, ranking)
    return render_template("web/briefs/national.html", summary=summary, years=available_years(),
                           **_publication(ranking))


@bp.route("/<int:year>/distrikt/<int:district_id>")
def district(year: int, district_id: int):
    district = db.session.get(District, district_id) or abort(404)
    publication = _publication(_ranking_or_404(year))
    try:
        spec = district_digest_spec(district, year)
    except BriefError as error:
        return render_template("web/briefs/district.html", district=district, year=year, problem=str(error),
                               **publication)
    return render_template("web/briefs/district.html", district=district, year=year,
                           preview=(spec.subject, url_for(".district_email", year=year, district_id=district_id),
                                    preview_email(spec)[1]),
                           figure_mismatches=district_digest_mismatches(district, year, spec),
                           audience_size=audience_size(district_audience(district)), **publication)


@bp.route("/<int:year>/distrikt/<int:district_id>/brevet.html")
def district_email(year: int, district_id: int):
    district = db.session.get(District, district_id) or abort(404)
    _ranking_or_404(year)
    try:
        spec = district_digest_spec(district, year)
    except BriefError:
        abort(404)
    return email_document(preview_email(spec)[0])


@bp.route("/<int:year>/<code>/skicka", methods=["GET", "POST"])
@needs(Role.UTSKICK, "Skickade ett resultatbrev till en kommun", get=True)
def send_municipality(year: int, code: str):
    """Ask first (who gets it, by name), then enqueue the municipality's result brief to its council."""
    municipality = db.session.get(Municipality, code) or abort(404)
    back = url_for(".municipality", year=year, code=code)
    audience = council_audience(municipality)
    return _send(lambda people: send_local_brief(municipality, year, people, letters_to=audience), audience,
                 f"Resultatbrevet för {municipality.short_name}", f"pensionärsrådet i {municipality.short_name}",
                 back, year, f"Lokalt resultatbrev: {municipality.short_name} {year}")


@bp.route("/<int:year>/distrikt/<int:district_id>/skicka", methods=["GET", "POST"])
@needs(Role.UTSKICK, "Skickade ett distriktsbrev", get=True)
def send_district(year: int, district_id: int):
    """Ask first (who gets it, by name), then enqueue the district digest to its chairs and officials."""
    district = db.session.get(District, district_id) or abort(404)
    back = url_for(".district", year=year, district_id=district_id)
    audience = district_audience(district)
    return _send(lambda people: send_district_digest(district, year, people, letters_to=audience), audience,
                 f"Distriktsbrevet för {district.name}", f"ordförande och funktionärer i {district.name}",
                 back, year, f"Distriktsbrev: {district.name} {year}")


def _send(send, audience, what: str, who: str, back: str, year: int, title: str):
    """Show who gets the brief and ask; on the confirmed post enqueue it to the audience resolved now.

    Nothing is sent before the year is published or to nobody: the pages disable their button then, and this
    view says why if it is reached anyway.
    """
    from .figures import FigureMismatch

    people = recipients(audience)
    if not people and not letter_contact_ids(audience):
        flash(f"{what} skickades inte: ingen bekräftad mottagare bland {who} prenumererar på Lokala resultat.",
              "error")
        return redirect(back)
    try:
        check_release(year, embargoed_audience=False)
    except ReleaseError as error:
        flash(f"{what} skickades inte. {error}", "error")
        return redirect(back)
    if not is_confirmed():
        return render_template("web/admin/send_confirm.html", preview=preview_recipients(people), back_url=back,
                               what=f"{title}, till {who} som prenumererar på Lokala resultat. Den som redan "
                                    "har fått brevet får det inte en gång till.")
    try:
        sent = send(people)
    except (ReleaseError, BriefError) as error:
        flash(f"{what} skickades inte. {error}", "error")
        return redirect(back)
    except FigureMismatch as error:
        db.session.rollback()  # nothing of a refused send is kept
        flash(f"{what} skickades inte, eftersom siffrorna i brevet inte stämmer med resultaten. {error.summary}",
              "error")
        return redirect(back)
    total = send_counts(sent.id)["total"]
    flash(f"{what} ligger i utkorgen till {total} mottagare och skickas nu. Den som redan fått brevet får det "
          "inte en gång till.", "success")
    return redirect(back)
