"""Public pages: ask for the result by email, confirm with a button, leave with one click (RFC 8058)."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for

from ..extensions import csrf, limiter
from ..geo.services import find_municipality, municipalities_by_code
from ..links import UNSUBSCRIBE_PURPOSE
from ..tokens import BadToken, read_personal_token
from .forms import ActionForm, AlertForm
from .links import ALERT_LIST_KEY, CONFIRM_PATH, LEAVE_PATH, SIGNUP_PATH
from .services import (AlertError, Request, confirm, followed_municipalities, leave, municipality_codes, request_alerts,
                       subscriber_by_link_key, subscriber_for_confirmation, waiting_municipalities)

bp = Blueprint("alerts", __name__)

#: The session key of the address and municipalities last asked for, repeated on the thank-you page.
ASKED = "alerts_asked"


def _signup_limit() -> str:
    return current_app.config["SIGNUP_RATE_LIMIT"]


def _unsubscribe_limit() -> str:
    return current_app.config["UNSUBSCRIBE_RATE_LIMIT"]


def _municipality_names() -> list[str]:
    return sorted((m.short_name for m in municipalities_by_code().values()), key=str.casefold)


def _next_publication():
    from ..publication.moments import next_publication

    return next_publication()


def _check_municipalities(form: AlertForm) -> bool:
    """Check the municipalities typed together with the form's own checks, so every mistake shows at once."""
    if not form.municipalities.data or form.municipalities.errors:
        return True  # empty or already refused (a direction character): the form's own message says it
    try:
        municipality_codes(form.municipalities.data)
    except AlertError as error:
        form.municipalities.errors = [*form.municipalities.errors, str(error).split(": ", 1)[-1]]
        return False
    return True


def _place_error(form: AlertForm, message: str) -> None:
    target = form.municipalities if message.startswith("Kommun") else form.email
    target.errors = [*target.errors, message.split(": ", 1)[-1]]


@bp.route(SIGNUP_PATH, methods=["GET", "POST"])
@limiter.limit(_signup_limit, methods=["POST"])
def signup():
    form = AlertForm()
    if request.method == "GET":
        chosen = find_municipality(request.args.get("kommun", ""))
        if chosen is not None:
            form.municipalities.data = chosen.short_name
    is_valid = form.validate_on_submit()
    if form.is_submitted() and _check_municipalities(form) and is_valid:
        session[ASKED] = form.email.data
        if form.website.data:
            return redirect(url_for(".thanks"))  # a robot: the same answer, nothing stored
        try:
            request_alerts(Request(form.email.data, form.municipalities.data, request.remote_addr))
        except AlertError as error:
            session.pop(ASKED, None)
            _place_error(form, str(error))
        else:
            return redirect(url_for(".thanks"))
    return render_template("web/alerts/signup.html", form=form, municipality_names=_municipality_names(),
                           next_publication=_next_publication()), 400 if form.errors else 200


@bp.route(SIGNUP_PATH + "/tack")
def thanks():
    return render_template("web/alerts/thanks.html", email=session.get(ASKED))


@bp.route(CONFIRM_PATH + "<token>", methods=["GET", "POST"])
def confirm_page(token: str):
    # Opening the link (as mail scanners do with every link) only shows the button; pressing it confirms.
    subscriber, expired = subscriber_for_confirmation(token)
    if subscriber is None:
        return render_template("web/alerts/bad_link.html", expired=expired), 404
    if request.method == "POST" and ActionForm().validate_on_submit():
        confirm(subscriber)
        return render_template("web/alerts/confirmed.html", municipalities=followed_municipalities(subscriber),
                               next_publication=_next_publication())
    waiting = waiting_municipalities(subscriber)
    if not waiting:
        return render_template("web/alerts/confirmed.html", municipalities=followed_municipalities(subscriber),
                               next_publication=_next_publication())
    return render_template("web/alerts/confirm.html", subscriber=subscriber, municipalities=waiting,
                           form=ActionForm())


@bp.route(LEAVE_PATH + "<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: mail providers POST here without cookies or a CSRF token; the signed token is the proof.
@limiter.limit(_unsubscribe_limit, methods=["POST"])
def leave_page(token: str):
    try:
        link = read_personal_token(UNSUBSCRIBE_PURPOSE, token)
    except BadToken:
        return render_template("web/alerts/bad_link.html", expired=False), 404
    subscriber = subscriber_by_link_key(link.subject) if link.extra.get("l") == ALERT_LIST_KEY else None
    if request.method == "POST":
        # Someone who already left gets the same answer: nothing about them is left to remove.
        if subscriber is not None:
            leave(subscriber)
        return render_template("web/alerts/left.html")
    if subscriber is None:
        return render_template("web/alerts/left.html", already=True)
    # A GET only shows the button: link scanners follow every link and must never end anything.
    return render_template("web/alerts/leave.html", email=subscriber.email,
                           municipalities=followed_municipalities(subscriber))
