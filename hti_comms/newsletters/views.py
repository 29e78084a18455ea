"""Public pages: the web archive (/nyhetsbrev), its Atom feed, archived images, and the click counter (/l/…)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, url_for
from sqlalchemy import select
from sqlalchemy.orm import undefer

from ..extensions import db
from .clicks import follow
from .feed import atom_feed
from .models import Newsletter, NewsletterStatus, Section, SectionImage, is_public

bp = Blueprint("newsletters", __name__)

PUBLIC = (NewsletterStatus.SENDING, NewsletterStatus.SENT)


def published() -> list[Newsletter]:
    """Return every newsletter and circular that has gone out, newest first (with its archive copy)."""
    return list(db.session.scalars(select(Newsletter).options(undefer(Newsletter.archive))
                                   .where(Newsletter.status.in_(PUBLIC), Newsletter.started_at.is_not(None))
                                   .order_by(Newsletter.started_at.desc(), Newsletter.id.desc())))


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
    if not is_public(newsletter):
        abort(404)
    return render_template("web/newsletters/archive_page.html", newsletter=newsletter, content=newsletter.archive)


@bp.route("/nyhetsbrev/atom.xml")
def feed():
    return Response(atom_feed(published()), mimetype="application/atom+xml")


@bp.route("/nyhetsbrev/bild/<int:image_id>")
def image(image_id: int):
    """Serve an image of a newsletter that has gone out (drafts' images stay on the staff side)."""
    row = db.session.execute(
        select(SectionImage, Newsletter.status).options(undefer(SectionImage.data))
        .join(Section, Section.id == SectionImage.section_id).join(Newsletter, Newsletter.id == Section.newsletter_id)
        .where(SectionImage.id == image_id)).first()
    if row is None or row[1] not in PUBLIC:
        abort(404)
    return Response(row[0].data, mimetype=row[0].content_type,
                    headers={"Cache-Control": "public, max-age=86400"})


@bp.route("/l/<token>")
def click(token: str):
    url = follow(token)
    if url is None:
        abort(404)
    return redirect(url, code=302)


def archive_image_src(image: dict) -> str:
    return url_for("newsletters.image", image_id=image["id"])
