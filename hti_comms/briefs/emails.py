"""Brief emails through the outbox: the local result brief per municipality and the district digest.

The send functions take the recipients as an iterable of `Recipient`; choosing them (council members of a
municipality, district chairs) belongs to the subscribers domain's audiences. Every send path calls
`check_release` first, so results never leave before publication except to an embargoed audience.
"""
from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from ..delivery.api import Attachment, EmailSpec, Recipient, SendView, enqueue
from .owners import brief_owner, digest_owner
from ..delivery.render import RenderedTemplate, render_preview, render_template_pair
from ..extensions import db
from ..formatting import format_datetime
from ..geo.models import District, Municipality
from ..letters.content import from_email, from_local_brief
from ..letters.services import collect
from ..subscribers.audiences import Criteria, letter_contact_ids
from . import renderings
from .audiences import BRIEF_LIST_KEY
from .services import brief_context, check_release, district_context
from .talking_points import BriefError, TalkingPoints, build_talking_points, year_ranking

if TYPE_CHECKING:
    from .figures import Mismatch

# The figure checker (.figures, with the sentence reader's patterns) is imported by the functions that check:
# every process builds the app and imports this module with the staff pages, few of them check a brief.

LOCAL_BRIEF_TEMPLATE = "briefs/local_brief"
DISTRICT_DIGEST_TEMPLATE = "briefs/district_digest"


def chart_content_id(points: TalkingPoints) -> str:
    return f"delindex-{points.year}-{points.municipality.code}@hti"


def local_brief_subject(points: TalkingPoints, *, embargoed_audience: bool = False) -> str:
    subject = f"{points.municipality.short_name} i Hemtjänstindex {points.year}"
    return f"Under embargo: {subject}" if embargoed_audience else subject


def local_brief_context(points: TalkingPoints, *, embargoed_audience: bool = False) -> dict:
    """Return the JSON-serialisable context of the local brief email."""
    published_at = points.ranking.published_at
    embargo = None
    if embargoed_audience:
        embargo = format_datetime(published_at) if published_at else "resultaten publiceras"
    return {"brief": brief_context(points), "chart_cid": chart_content_id(points), "embargo": embargo}


def local_brief_spec(points: TalkingPoints, *, embargoed_audience: bool = False,
                     scheduled_at: datetime | None = None, chart_png: bytes | None = None) -> EmailSpec:
    """Return the email of a municipality's result brief, with the bar chart as an inline image."""
    if points.entry is None:
        raise BriefError(f"{points.municipality.short_name} har inget resultat för {points.year}, så det finns "
                         "inget resultatbrev att skicka.")
    chart = Attachment(filename=f"delindex-{points.municipality.code}-{points.year}.png", content_type="image/png",
                       data=chart_png or renderings.chart_png(points),
                       content_id=chart_content_id(points))
    return EmailSpec(
        template=LOCAL_BRIEF_TEMPLATE,
        subject=local_brief_subject(points, embargoed_audience=embargoed_audience),
        context=local_brief_context(points, embargoed_audience=embargoed_audience),
        kind="local_brief_embargoed" if embargoed_audience else "local_brief",
        list_key=BRIEF_LIST_KEY,
        scheduled_at=scheduled_at,
        attachments=(chart,),
        # The embargoed summary and the public brief are two different things sent; each only once per person.
        reference=f"brief:{points.year}:{points.municipality.code}" + (":embargo" if embargoed_audience else ""),
        owner=brief_owner(points.year, points.municipality.code, embargoed=embargoed_audience),
    )


def render_local_brief_html(points: TalkingPoints) -> str:
    """Return the brief email's HTML with the CSS inlined, as the outbox renders it (for the bench)."""
    context = local_brief_context(points)
    rendered = render_template_pair(LOCAL_BRIEF_TEMPLATE, context, subject=local_brief_subject(points),
                                    list_key=BRIEF_LIST_KEY)
    return rendered.html.fill({})


def local_brief_preview(points: TalkingPoints) -> tuple[str, str, str]:
    """Return (subject, html, text) of the municipality's brief as an example recipient gets it.

    The chart and the inlined email come from the kept renderings (made when the data changed); the caller
    commits to keep any it made.
    """
    spec = local_brief_spec(points)
    return spec.subject, *preview_email(spec, renderings.brief_email(spec, points))


def preview_email(spec: EmailSpec, rendered: RenderedTemplate | None = None) -> tuple[str, str]:
    """Return (html, text) of an email as an example recipient gets it, inline images as data URIs."""
    html, text = render_preview(spec.template, spec.context, subject=spec.subject, list_key=spec.list_key,
                                email="mottagare@example.se", name="Exempel Mottagare", rendered=rendered)
    for attachment in spec.attachments:
        if attachment.content_id:
            data_uri = f"data:{attachment.content_type};base64," + base64.b64encode(attachment.data).decode("ascii")
            html = html.replace(f"cid:{attachment.content_id}", data_uri)
    return html, text


def send_local_brief(municipality: Municipality, year: int, recipients: Iterable[Recipient], *,
                     embargoed_audience: bool = False, scheduled_at: datetime | None = None,
                     letters_to: Criteria | None = None) -> SendView:
    """Enqueue the municipality's result brief to the recipients and commit; return the send.

    `letters_to`: the audience whose members with the channel `brev` get the brief as a printed letter.
    """
    check_release(year, embargoed_audience=embargoed_audience, at=scheduled_at)
    points = build_talking_points(municipality, year)
    spec = local_brief_spec(points, embargoed_audience=embargoed_audience, scheduled_at=scheduled_at)
    check_local_brief(points, spec)
    send = enqueue(spec, recipients)
    if letters_to is not None:
        collect_letters(spec, send, letters_to)
    db.session.commit()
    return send


def district_digest_spec(district: District, year: int, *, scheduled_at: datetime | None = None) -> EmailSpec:
    """Return the email covering every municipality of a district, ranked within the district."""
    digest = district_context(district, year_ranking(year))
    if not digest["rows"]:
        raise BriefError(f"Ingen kommun i {district.name} har resultat för {year}, så det finns inget "
                         "distriktsbrev att skicka.")
    return EmailSpec(
        template=DISTRICT_DIGEST_TEMPLATE,
        subject=f"{district.name}: kommunerna i Hemtjänstindex {year}",
        context={"digest": digest},
        kind="district_digest",
        list_key=BRIEF_LIST_KEY,
        scheduled_at=scheduled_at,
        reference=f"district-digest:{year}:{district.id}",
        owner=digest_owner(year, district.id),
    )


def send_district_digest(district: District, year: int, recipients: Iterable[Recipient], *,
                         scheduled_at: datetime | None = None, letters_to: Criteria | None = None) -> SendView:
    """Enqueue the district digest to the recipients and commit; return the send.

    A district covers many municipalities, and before publication a municipality's result may only reach
    that municipality, so a digest is never sent under embargo.
    """
    check_release(year, embargoed_audience=False, at=scheduled_at)
    spec = district_digest_spec(district, year, scheduled_at=scheduled_at)
    check_district_digest(district, year, spec)
    send = enqueue(spec, recipients)
    if letters_to is not None:
        collect_letters(spec, send, letters_to)
    db.session.commit()
    return send


def collect_letters(spec: EmailSpec, send: SendView, audience: Criteria) -> None:
    """Add the brief or digest as a printed letter for the audience's members whose channel is `brev`.

    An embargoed summary is never printed: paper cannot be kept inside the municipality or recalled.
    """
    if spec.kind == "local_brief_embargoed":
        return
    content = from_local_brief(spec, spec.attachments[0].data) if spec.kind == "local_brief" else from_email(spec)
    collect(spec.owner, send.id, letter_contact_ids(audience), content)


def local_brief_mismatches(points: TalkingPoints, spec: EmailSpec) -> list[Mismatch]:
    """Return every figure of the brief email (sentences, table, subject, both parts) that disagrees with the results."""
    from .figures import verify_points, verify_text, year_figures

    figures = year_figures(points.year)
    html, text = renderings.brief_email(spec, points).parts
    return verify_points(points, figures) + [
        mismatch for part in (spec.subject, html, text)
        for mismatch in verify_text(part, figures, points.municipality.code)]


def check_local_brief(points: TalkingPoints, spec: EmailSpec) -> None:
    """Raise FigureMismatch unless every figure of the brief email agrees with the stored results."""
    from .figures import FigureMismatch

    mismatches = local_brief_mismatches(points, spec)
    if mismatches:
        raise FigureMismatch(mismatches)


def district_digest_mismatches(district: District, year: int, spec: EmailSpec) -> list[Mismatch]:
    """Return every figure of the district digest that disagrees with the results, sentence by sentence."""
    from .figures import verify_points, verify_text, year_figures

    figures = year_figures(year)
    ranking = year_ranking(year)
    mismatches = [mismatch for municipality in district.municipalities if ranking.entry(municipality.code)
                  for mismatch in verify_points(build_talking_points(municipality, year, ranking), figures)]
    html, text = render_template_pair(spec.template, spec.context, subject=spec.subject, list_key=spec.list_key).parts
    return mismatches + [mismatch for part in (spec.subject, html, text)
                         for mismatch in verify_text(part, figures, district_id=district.id)]


def check_district_digest(district: District, year: int, spec: EmailSpec) -> None:
    """Raise FigureMismatch unless every figure of the district digest agrees with the stored results."""
    from .figures import FigureMismatch

    mismatches = district_digest_mismatches(district, year, spec)
    if mismatches:
        raise FigureMismatch(mismatches)
