"""Staff pages: the years, the publication moment, the order queue, delivery in order, timeline, dry run, log."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..auth.roles import Role
from ..staff import needs
from ..exports import download
from ..extensions import db
from ..formatting import format_datetime
from ..geo.services import municipalities_by_code, municipality_label
from ..staff import staff_blueprint
from . import audit, second_pair_of_eyes
from .forms import ActionForm, DeliverForm, DryRunForm, PublicationForm, StaffOrderForm
from .models import Order, OrderContact, OrderSource, OrderStatus
from .moments import PublicationError, known_years, moments, wall_clock_moment
from .contacts import approve_contact
from .orders import (ContactInput, OrderError, OrderInput, cancel_order, create_order, mark_delivered, next_in_line,
                     pending_orders, queue, queue_position)
from .timeline import dry_run, timeline
from .views import _municipality_choices

bp = staff_blueprint("publication_admin", __name__, "/publicering", read=Role.PUBLICERING)


def _actor() -> str:
    return getattr(current_user, "email", "") or "personal"


@bp.route("/")
def index():
    years = [(year, moments(year)) for year in known_years()]
    return render_template("web/publication/admin/index.html", years=years, format_datetime=format_datetime)


def _year_page(year: int, *, publication_form=None, order_form=None, status: int = 200):
    from .admin_moment import calendar_events, prepare_publication_form

    steps = moments(year)
    publication_form = prepare_publication_form(publication_form or PublicationForm(), year, steps)
    order_form = order_form or StaffOrderForm()
    order_form.municipality.choices = _municipality_choices()
    entries = queue(year)
    cancelled = list(db.session.scalars(select(Order).where(Order.year == year, Order.status == OrderStatus.CANCELLED)))
    return render_template("web/publication/admin/year.html", year=year, steps=steps, entries=entries,
                           pending=pending_orders(year), cancelled=cancelled, next_entry=next_in_line(year), publication_form=publication_form,
                           order_form=order_form, action_form=ActionForm(), format_datetime=format_datetime,
                           statuses=OrderStatus, calendar=calendar_events(year, steps)), status


@bp.route("/<int:year>")
def year(year: int):
    if not 2000 <= year <= 2100:
        abort(404)
    return _year_page(year)


@bp.route("/ar")
def open_year():
    year_text = request.args.get("year", "").strip()
    if not (year_text.isdigit() and 2000 <= int(year_text) <= 2100):
        flash("År: skriv ett år med fyra siffror, till exempel 2025.", "error")
        return redirect(url_for(".index"))
    return redirect(url_for(".year", year=int(year_text)))


@bp.route("/<int:year>/bestallning", methods=["POST"])
@needs(Role.PUBLICERING, "Lade in en beställning")
def new_order(year: int):
    form = StaffOrderForm()
    form.municipality.choices = _municipality_choices()
    if form.validate_on_submit():
        try:
            order, position = create_order(OrderInput(
                year=year, municipality=form.municipality.data, contacts=(ContactInput(form.email.data, form.name.data),),
                invoice_reference=form.invoice_reference.data or "", source=OrderSource.STAFF, actor=_actor()))
        except OrderError as exc:
            db.session.rollback()
            form.email.errors = [*form.email.errors, str(exc)]
        else:
            flash(f"Beställningen från {order.municipality.short_name} är nummer {position} i kön.", "success")
            return redirect(url_for(".year", year=year))
    return _year_page(year, order_form=form, status=400)


def _order_or_404(year: int, order_id: int) -> Order:
    order = db.session.get(Order, order_id)
    if order is None or order.year != year:
        abort(404)
    return order


@bp.route("/<int:year>/bestallning/<int:order_id>/leverera", methods=["GET", "POST"])
@needs(Role.PUBLICERING, "Markerade en analys som levererad")
def deliver(year: int, order_id: int):
    order = _order_or_404(year, order_id)
    form = DeliverForm()
    first = next_in_line(year)
    out_of_order = first is not None and first.order.id != order.id
    if form.validate_on_submit():
        try:
            mark_delivered(order, actor=_actor(), reason=form.reason.data or "")
        except OrderError as exc:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, str(exc)]
        else:
            flash(f"Analysen till {order.municipality.short_name} är markerad som levererad.", "success")
            return redirect(url_for(".year", year=year))
    return render_template("web/publication/admin/deliver.html", order=order, form=form, first=first,
                           out_of_order=out_of_order), 400 if form.errors else 200


@bp.route("/<int:year>/bestallning/<int:order_id>/makulera", methods=["POST"])
@needs(Role.PUBLICERING, "Makulerade en beställning")
def cancel(year: int, order_id: int):
    order = _order_or_404(year, order_id)
    if ActionForm().validate_on_submit():
        try:
            cancel_order(order, actor=_actor())
        except OrderError as exc:
            flash(str(exc), "error")
        else:
            flash(f"Beställningen från {order.municipality.short_name} är makulerad.", "success")
    return redirect(url_for(".year", year=year))


@bp.route("/<int:year>/bestallning/<int:order_id>/kontakt/<int:contact_id>/godkann", methods=["POST"])
@needs(Role.PUBLICERING, "Godkände en kontaktperson")
def approve(year: int, order_id: int, contact_id: int):
    """Staff vouch that a contact from the public form is the municipality's: only then may results reach them."""
    order = _order_or_404(year, order_id)
    order_contact = db.session.get(OrderContact, contact_id)
    if order_contact is None or order_contact.order_id != order.id:
        abort(404)
    if ActionForm().validate_on_submit() and second_pair_of_eyes.contact_needs_approval(order):
        second_pair_of_eyes.ask_to_approve_contact(order_contact)
        flash(f"Embargot gäller nu, så godkännandet av {order_contact.contact.email} väntar på att en andra person "
              "med rollen Publicering godkänner det.", "success")
    elif ActionForm().validate_on_submit():
        email, name = order_contact.contact.email, order.municipality.short_name
        try:
            approve_contact(order_contact, actor=_actor())
        except OrderError as exc:
            flash(str(exc), "error")
        else:
            flash(f"{email} är godkänd som kontaktperson för {name}." + (
                f" Beställningen är nummer {queue_position(order)} i kön." if order.is_live else
                " Beställningen får sin plats i kön när kontaktpersonen har bekräftat sin adress."), "success")
    return redirect(url_for(".year", year=year))


@bp.route("/<int:year>/tidslinje")
def timeline_page(year: int):
    from .contradictions import contradictions

    form = DryRunForm(request.args)
    result = None
    if request.args.get("at_date") is not None and form.validate():
        try:
            result = dry_run(year, wall_clock_moment(form.at_date.data, form.at_time.data, "Tidpunkt"))
        except PublicationError as exc:
            form.at_time.errors = [*form.at_time.errors, str(exc).split(": ", 1)[-1]]
    return render_template("web/publication/admin/timeline.html", year=year, steps=timeline(year), form=form,
                           result=result, format_datetime=format_datetime, warnings=contradictions(year))


@bp.route("/<int:year>/logg")
def log(year: int):
    entries = audit.entries(year)
    municipalities = municipalities_by_code()
    # Staff read names: "Lund (1281)", not the bare code (a code no longer in the reference data stays as it is).
    places = {entry.municipality_code: municipality_label(municipalities[entry.municipality_code])
              if entry.municipality_code in municipalities else entry.municipality_code
              for entry in entries if entry.municipality_code}
    return render_template("web/publication/admin/log.html", year=year, entries=entries, places=places,
                           format_datetime=format_datetime)


@bp.route("/<int:year>/logg.csv")
def log_csv(year: int):
    return download(audit.as_csv(year), f"embargologg-{year}.csv", {"Cache-Control": "no-store"})
