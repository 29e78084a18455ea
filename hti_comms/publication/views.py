"""Public pages: the order form (/bestall), confirming a contact, the web version of an embargoed summary."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from sqlalchemy import select

from .. import clock
from ..extensions import db, limiter
from ..formatting import format_datetime
from ..geo.models import Municipality
from ..subscribers.forms import as_choices
from . import audit
from .forms import ActionForm, OrderForm
from .links import CONFIRM_PATH, SUMMARY_PATH, read_summary_token
from .models import AuditAction, Order, OrderContact, OrderSource, SummaryOpening
from .moments import known_years, moments
from .contacts import confirm_contact, contact_for_confirmation
from .entitlement import entitled_contacts
from .orders import ContactInput, OrderError, OrderInput, create_order, queue_position

bp = Blueprint("publication", __name__)

#: The session key of the order this visitor just placed, for the thank-you page.
ORDERED = "publication_ordered"


def _order_limit() -> str:
    return current_app.config["SIGNUP_RATE_LIMIT"]


def open_year():
    """Return the Moments of the year that takes orders now (publication ahead, ordering open), or None."""
    now = clock.now()
    for year in sorted(known_years()):
        steps = moments(year)
        if steps.published_at is not None and not steps.is_published(now) and steps.is_ordering_open(now):
            return steps
    return None


def _municipality_choices() -> list:
    municipalities = db.session.scalars(select(Municipality).order_by(Municipality.short_name))
    return as_choices([("", "Välj kommun")] + [(m.code, m.short_name) for m in municipalities])


def _place_error(form: OrderForm, message: str) -> None:
    """Put an order error next to the field it names; anything else becomes a message at the top."""
    targets = (("Kommun", form.municipality), ("Kontaktperson 1", form.email), ("Kontaktperson 2", form.second_email),
               ("Kontaktperson:", form.email), ("Fakturareferens", form.invoice_reference))
    for prefix, target in targets:
        if message.startswith(prefix):
            target.errors = [*target.errors, message.split(": ", 1)[-1] if ": " in message else message]
            return
    flash(message, "error")


@bp.route("/bestall", methods=["GET", "POST"])
@limiter.limit(_order_limit, methods=["POST"])
def order():
    steps = open_year()
    form = OrderForm()
    form.municipality.choices = _municipality_choices()
    if steps is not None and form.validate_on_submit():
        session.pop(ORDERED, None)
        if form.website.data:
            return redirect(url_for(".thanks"))
        try:
            order, _position = create_order(OrderInput(
                year=steps.year, municipality=form.municipality.data,
                contacts=(ContactInput(form.email.data, form.name.data),
                          ContactInput(form.second_email.data or "", form.second_name.data or "")),
                invoice_reference=form.invoice_reference.data, source=OrderSource.FORM, actor=audit.FORM,
                ip_address=request.remote_addr))
        except OrderError as exc:
            db.session.rollback()
            _place_error(form, str(exc))
        else:
            session[ORDERED] = order.id  # the thank-you page repeats what the receipt says, for this visitor only
            return redirect(url_for(".thanks"))
    return render_template("web/publication/order.html", form=form, steps=steps,
                           closes=format_datetime(steps.orders_close_at) if steps else None,
                           publishes=format_datetime(steps.published_at) if steps else None)


@bp.route("/bestall/tack")
def thanks():
    """Thanks, with what the receipt email says: the municipality, when the order came in, and its place in the
    queue once it has one (an order from the form gets it when someone entitled stands behind it)."""
    order = db.session.get(Order, session[ORDERED]) if isinstance(session.get(ORDERED), int) else None
    return render_template("web/publication/thanks.html", order=order,
                           received=format_datetime(order.received_at) if order else None,
                           position=queue_position(order) if order is not None and order.is_live else None)


@bp.route(CONFIRM_PATH + "<token>", methods=["GET", "POST"])
def confirm(token: str):
    # Opening the link (as mail scanners do) only shows the button; pressing it confirms.
    order_contact = contact_for_confirmation(token)
    if order_contact is None:
        return render_template("web/publication/bad_link.html"), 404
    confirmed_now = False
    if request.method == "POST" and ActionForm().validate_on_submit():
        confirmed_now = order_contact.confirmed_at is None
        confirm_contact(order_contact, ip_address=request.remote_addr)
    order = order_contact.order
    return render_template("web/publication/confirm.html", order_contact=order_contact, form=ActionForm(),
                           order=order, confirmed_now=confirmed_now,
                           position=queue_position(order) if order.is_live else None)


@bp.route(SUMMARY_PATH + "<token>")
def summary(token: str):
    """The web version of a summary: only for its recipient, only their municipality, only from the release on."""
    read = read_summary_token(token)
    if read is None:
        abort(404)
    key, year, code = read
    order_contact = db.session.scalar(select(OrderContact).where(OrderContact.key == key))
    if order_contact is None:
        abort(404)
    order = order_contact.order
    if order.year != year or order.municipality_code != code or order_contact not in entitled_contacts(order):
        abort(404)
    steps = moments(year)
    if not steps.is_embargo_released():
        abort(404)
    from .summaries import summary_context

    context = summary_context(year, code)
    db.session.add(SummaryOpening(order_contact_id=order_contact.id, opened_at=clock.now()))
    audit.record(year, AuditAction.SUMMARY_OPENED, actor=order_contact.contact.email, municipality_code=code)
    db.session.commit()
    response = current_app.make_response(render_template(
        "web/publication/summary.html", summary=context, is_embargoed=not steps.is_published(), year=year))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.after_request
def no_store_for_personal_pages(response):
    """Personal pages (a summary under embargo, a confirmation) are never kept by a browser or a proxy."""
    if request.path.startswith((SUMMARY_PATH, CONFIRM_PATH)):
        response.headers["Cache-Control"] = "no-store"
    return response
