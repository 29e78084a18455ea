"""Staff pages: the list, writing a newsletter or circular and its sections (with a live Markdown preview)."""
from __future__ import annotations

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import undefer

from ..auth.roles import Role
from ..staff import needs
from ..extensions import db
from ..markdown import render_markdown
from ..staff import staff_blueprint
from ..subscribers.forms import ActionForm, as_choices
from .audience import audience_choices, letter_count, list_choices, recipient_count
from .forms import NewForm, NewsletterForm, SectionForm
from .images import ImageError
from .models import (
    Newsletter, NewsletterKind, Section, SectionImage, can_delete, can_edit, can_schedule, can_unschedule,
)
from .audience import chosen_audiences
from .sections import SectionDataError, kind_choices, section_kind
from .services import (
    NewsletterError, NewsletterFields, SectionFields, add_section, all_newsletters, create_newsletter, definite,
    delete_newsletter, delete_section, move_section, update_newsletter,
    update_section,
)

bp = staff_blueprint("newsletters_admin", __name__, "/nyhetsbrev")


def newsletter_or_404(newsletter_id: int) -> Newsletter:
    return db.session.get(Newsletter, newsletter_id) or abort(404)


def _section_or_404(newsletter: Newsletter, section_id: int) -> Section:
    section = db.session.get(Section, section_id)
    if section is None or section.newsletter_id != newsletter.id:
        abort(404)
    return section


@bp.route("/")
def index():
    return render_template("web/newsletters/admin/index.html", newsletters=all_newsletters())


@bp.route("/nytt/<kind>", methods=["GET", "POST"])
@needs(Role.REDAKTOR, "Skapade ett nyhetsbrev eller cirkulär", get=True)
def new(kind: str):
    try:
        newsletter_kind = NewsletterKind(kind)
    except ValueError:
        abort(404)
    form = NewForm()
    if form.validate_on_submit():
        newsletter = create_newsletter(newsletter_kind, form.subject.data, created_by=current_user.email)
        flash(f"{definite(newsletter)} är skapat som utkast. Fyll i resten och lägg till avsnitt.", "success")
        return redirect(url_for(".show", newsletter_id=newsletter.id))
    return render_template("web/newsletters/admin/new.html", form=form, kind=newsletter_kind)


@bp.route("/<int:newsletter_id>")
def show(newsletter_id: int):
    from .admin_send import results

    newsletter = newsletter_or_404(newsletter_id)
    return render_template("web/newsletters/admin/show.html", newsletter=newsletter, action_form=ActionForm(),
                           can_edit=can_edit(newsletter), can_delete=can_delete(newsletter),
                           can_schedule=can_schedule(newsletter), can_unschedule=can_unschedule(newsletter),
                           recipients=recipient_count(newsletter) if can_schedule(newsletter) else None,
                           letters=letter_count(newsletter) if can_schedule(newsletter) else 0,
                           results=results(newsletter), section_kinds=kind_choices(),
                           kind_labels=dict(kind_choices()),
                           list_name=dict(list_choices()).get(newsletter.list_key, newsletter.list_key),
                           audience_names=[a.name for a in chosen_audiences(newsletter)[0]])


def _fill_choices(form: NewsletterForm) -> None:
    form.list_key.choices = as_choices(list_choices())
    form.audiences.choices = as_choices(audience_choices())


@bp.route("/<int:newsletter_id>/redigera", methods=["GET", "POST"])
@needs(Role.REDAKTOR, "Ändrade ett nyhetsbrev eller cirkulär", get=True)
def edit(newsletter_id: int):
    newsletter = newsletter_or_404(newsletter_id)
    if not can_edit(newsletter):
        flash("Det här utskicket har redan börjat skickas och kan inte ändras.", "error")
        return redirect(url_for(".show", newsletter_id=newsletter.id))
    form = NewsletterForm(obj=newsletter)
    _fill_choices(form)
    if request.method == "GET":
        form.audiences.data = list(newsletter.audience_ids or [])
        form.topics.data = newsletter.topics or ""
    if form.validate_on_submit():
        fields = NewsletterFields(
            subject=form.subject.data, number=form.number.data, topics=form.topics.data or "",
            intro=form.intro.data or "", list_key=form.list_key.data, audience_ids=form.audiences.data or [],
            heading=form.heading.data or "", addressee=form.addressee.data or "", letter_date=form.letter_date.data,
            forward_note=form.forward_note.data or "", forward_url=form.forward_url.data or "",
            signature_name=form.signature_name.data or "", signature_title=form.signature_title.data or "")
        try:
            note = update_newsletter(newsletter, fields)
        except NewsletterError as exc:
            flash(str(exc), "error")
        else:
            flash(note or "Ändringarna är sparade.", "error" if note else "success")
            return redirect(url_for(".show", newsletter_id=newsletter.id))
    return render_template("web/newsletters/admin/edit.html", form=form, newsletter=newsletter)


@bp.post("/<int:newsletter_id>/ta-bort")
@needs(Role.REDAKTOR, "Tog bort ett utkast")
def delete(newsletter_id: int):
    newsletter = newsletter_or_404(newsletter_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        delete_newsletter(newsletter)
    except NewsletterError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".show", newsletter_id=newsletter_id))
    flash("Utkastet är borttaget.", "success")
    return redirect(url_for(".index"))


@bp.post("/<int:newsletter_id>/kopiera")
@needs(Role.REDAKTOR, "Kopierade ett nyhetsbrev")
def duplicate(newsletter_id: int):
    """Copy the newsletter or circular as a new draft (one button), whatever state the original is in."""
    from .copies import copy_newsletter

    newsletter = newsletter_or_404(newsletter_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    copy = copy_newsletter(newsletter, created_by=getattr(current_user, "email", ""))
    db.session.commit()
    flash(f"Kopian är sparad som utkast: {copy.label}.", "success")
    return redirect(url_for(".show", newsletter_id=copy.id))


# --- sections ------------------------------------------------------------------------------------------------

def _section_fields(form: SectionForm, kind_key: str, section: Section | None) -> SectionFields:
    kind = section_kind(kind_key)
    data = section.data if section is not None else {}
    if kind is not None and kind.read_form is not None:
        data = kind.read_form(request.form)
    upload = form.image.data
    image = (upload.read(), upload.filename) if upload is not None and getattr(upload, "filename", "") else None
    return SectionFields(title=form.title.data, body=form.body.data or "", kind=kind_key, data=data,
                         link_url=form.link_url.data or "", link_text=form.link_text.data or "",
                         image_alt=form.image_alt.data or "", image_upload=image,
                         remove_image=bool(form.remove_image.data))


@bp.route("/<int:newsletter_id>/avsnitt/nytt/<kind_key>", methods=["GET", "POST"])
@bp.route("/<int:newsletter_id>/avsnitt/<int:section_id>", methods=["GET", "POST"])
@needs(Role.REDAKTOR, "Sparade ett avsnitt", get=True)
def section(newsletter_id: int, section_id: int | None = None, kind_key: str | None = None):
    newsletter = newsletter_or_404(newsletter_id)
    current = _section_or_404(newsletter, section_id) if section_id else None
    kind_key = current.kind if current is not None else kind_key
    kind = section_kind(kind_key)
    if kind is None:
        abort(404)
    if not can_edit(newsletter):
        flash("Det här utskicket har redan börjat skickas och kan inte ändras.", "error")
        return redirect(url_for(".show", newsletter_id=newsletter.id))
    form = SectionForm(obj=current)
    if form.validate_on_submit():
        try:
            fields = _section_fields(form, kind_key, current)
            if current is None:
                current = add_section(newsletter, fields)
                note = None
            else:
                note = update_section(current, fields)
        except (NewsletterError, SectionDataError, ImageError) as exc:
            db.session.rollback()
            # The error summary at the top names the field and links to it.
            target = form.image if isinstance(exc, ImageError) else form.title
            target.errors = [*target.errors, str(exc)]
        else:
            flash(note or "Avsnittet är sparat.", "error" if note else "success")
            return redirect(url_for(".show", newsletter_id=newsletter.id) + f"#avsnitt-{current.id}")
    extra = kind.form_context() if kind.form_context else {}
    return render_template("web/newsletters/admin/section.html", form=form, newsletter=newsletter, section=current,
                           kind=kind, extra=extra)


@bp.post("/<int:newsletter_id>/avsnitt/<int:section_id>/flytta/<direction>")
@needs(Role.REDAKTOR, "Flyttade ett avsnitt")
def move(newsletter_id: int, section_id: int, direction: str):
    newsletter = newsletter_or_404(newsletter_id)
    current = _section_or_404(newsletter, section_id)
    if not ActionForm().validate_on_submit() or direction not in ("upp", "ner"):
        abort(400)
    try:
        move_section(current, -1 if direction == "upp" else 1)
    except NewsletterError as exc:
        flash(str(exc), "error")
    return redirect(url_for(".show", newsletter_id=newsletter.id) + f"#avsnitt-{section_id}")


@bp.post("/<int:newsletter_id>/avsnitt/<int:section_id>/ta-bort")
@needs(Role.REDAKTOR, "Tog bort ett avsnitt")
def remove_section(newsletter_id: int, section_id: int):
    newsletter = newsletter_or_404(newsletter_id)
    current = _section_or_404(newsletter, section_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        delete_section(current)
        flash("Avsnittet är borttaget.", "success")
    except NewsletterError as exc:
        flash(str(exc), "error")
    return redirect(url_for(".show", newsletter_id=newsletter.id))


@bp.route("/<int:newsletter_id>/avsnitt/<int:section_id>/bild")
def section_image(newsletter_id: int, section_id: int):
    newsletter = newsletter_or_404(newsletter_id)
    current = _section_or_404(newsletter, section_id)
    image = db.session.get(SectionImage, current.image.id, options=[undefer(SectionImage.data)]) \
        if current.image else None
    if image is None:
        abort(404)
    return Response(image.data, mimetype=image.content_type, headers={"Cache-Control": "private, no-cache"})


@bp.post("/markdown")
@needs(Role.REDAKTOR, "")  # a preview: changes nothing, not logged
def markdown_preview():
    """Return the sanitised HTML of Markdown typed in a section form (for the live preview)."""
    source = (request.get_json(silent=True) or {}).get("markdown", "")
    if not isinstance(source, str) or len(source) > 50000:
        abort(400)
    rendered = render_markdown(source)
    return jsonify(html=rendered.html, links=[{"url": link.url, "text": link.text} for link in rendered.links])
