"""Public pages: the web archive (/nyhetsbrev), its Atom feed, archived images, and the click counter (/l/…).

A newsletter that states a figure of a year not public yet stays out of the archive, its page, its images and
the feed until the publication: the release rules (`hti_comms.release.check_content`) are asked about what was
sent, at the moment of each request, so it appears by itself when the year becomes public.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template
from sqlalchemy import select
from sqlalchemy.orm import undefer

from .. import clock
from ..extensions import db
from ..release import Content, check_content
from .clicks import follow
from .feed import atom_feed
from .models import Newsletter, NewsletterStatus, Section, SectionImage, is_public

bp = Blueprint("newsletters", __name__)

PUBLIC = (NewsletterStatus.SENDING, NewsletterStatus.SENT)


def archived_text(newsletter: Newsletter) -> str:
    """Return everything the archive shows of a newsletter, as plain text."""
    archive = newsletter.archive or {}
    texts = [newsletter.subject, archive.get("title"), archive.get("heading"), archive.get("topics"),
             archive.get("addressee"), archive.get("date_text"), archive.get("intro_text")]
    for section in archive.get("sections") or ():
        texts += [section.get("title"), section.get("text"), (section.get("image") or {}).get("alt"),
                  (section.get("link") or {}).get("text")]
    texts += [(archive.get("forward") or {}).get("note"), *(archive.get("signature") or {}).values()]
    return "\n".join(t for t in texts if t)


def is_held(newsletter: Newsletter) -> bool:
    """Return whether what was sent may not be public yet (it states a figure of a year not yet published)."""
    content = Content(text=archived_text(newsletter), send_at=clock.now(), kind="archive")
    return any(finding.is_error for finding in check_content(content))


def published() -> list[Newsletter]:
    """Return every newsletter and circular that has gone out and may be public, newest first."""
    return [newsletter for newsletter in db.session.scalars(
        select(Newsletter).options(undefer(Newsletter.archive))
        .where(Newsletter.status.in_(PUBLIC), Newsletter.started_at.is_not(None))
        .order_by(Newsletter.started_at.desc(), Newsletter.id.desc())) if not is_held(newsletter)]


@bp.route("/nyhetsbrev")
def archive_index():
    return render_template("web/newsletters/archive_index.html", newsletters=published())


@bp.route("/nyhetsbrev/<int:newsletter_id>")
def archive_page(newsletter_id: int):
    newsletter = db.session.get(Newsletter, newsletter_id, options=[undefer(Newsletter.archive)])
    if newsletter is None:
        abort(404)
    if newsletter.status is NewsletterStatus.CANCELLED and newsletter.archive is not None:
        return render_template("web/newsletters/withdrawn.html", newsletter=newsletter), 410
    if not is_public(newsletter) or is_held(newsletter):
        abort(404)
    return render_template("web/newsletters/archive_page.html", newsletter=newsletter, content=newsletter.archive)


@bp.route("/nyhetsbrev/atom.xml")
def feed():
    return Response(atom_feed(published()), mimetype="application/atom+xml")


@bp.route("/nyhetsbrev/bild/<int:image_id>")
def image(image_id: int):
    """Serve an image of a newsletter that has gone out (drafts' images stay on the staff side)."""
    row = db.session.execute(
        select(SectionImage, Newsletter).options(undefer(SectionImage.data), undefer(Newsletter.archive))
        .join(Section, Section.id == SectionImage.section_id).join(Newsletter, Newsletter.id == Section.newsletter_id)
        .where(SectionImage.id == image_id)).first()
    if row is None or row[1].status not in PUBLIC or is_held(row[1]):
        abort(404)
    return Response(row[0].data, mimetype=row[0].content_type,
                    headers={"Cache-Control": "public, max-age=86400"})


@bp.route("/l/<token>")
def click(token: str):
    url = follow(token)
    if url is None:
        abort(404)
    return redirect(url, code=302)


@bp.route("/provadress/<token>", methods=["GET", "POST"])
def confirm_trial_address(token: str):
    """The owner of a named test address confirms it with a button (opening the link changes nothing)."""
    from flask import request

    from ..subscribers.forms import ActionForm
    from .trial_addresses import confirm, trial_for

    trial = trial_for(token)
    if trial is None:
        return render_template("web/newsletters/trial_confirm.html", trial=None), 404
    if request.method == "POST" and ActionForm().validate_on_submit():
        confirm(trial)
    return render_template("web/newsletters/trial_confirm.html", trial=trial, form=ActionForm())
