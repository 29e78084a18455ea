"""Public pages: sign-up, confirmation and one-click unsubscribe (the preference centre: `preference_views`)."""
from __future__ import annotations

import math
import time

from flask import (
    Blueprint, current_app, flash, make_response, redirect, render_template, request, session, url_for,
)

from ..extensions import csrf, limiter
from ..geo.services import municipalities_by_code
from ..links import UNSUBSCRIBE_PATH, UNSUBSCRIBE_PURPOSE
from . import consent
from .confirmation import CONFIRM_PATH
from .forms import ActionForm, SignUpForm, as_choices, place_from_choice
from .places import PlaceDirectory, as_sentence, check_place_parts
from .personal_links import LinkState, OpenedLink, open_link, send_preferences_link
from .services import SubscriberError, all_lists, unsubscribe
from .signup import ConfirmResult, SignUpRequest, check_confirmation, confirm, lists_to_add, sign_up

bp = Blueprint("subscribers", __name__)

#: The session key of the address last typed on the sign-up form, repeated on the thank-you page.
SIGNED_UP_ADDRESS = "signed_up_address"


def _signup_limit() -> str:
    return current_app.config["SIGNUP_RATE_LIMIT"]


def _unsubscribe_limit() -> str:
    return current_app.config["UNSUBSCRIBE_RATE_LIMIT"]


def _link_email_limit() -> str:
    return current_app.config["LINK_EMAIL_RATE_LIMIT"]


def _municipality_names() -> list[str]:
    return sorted((m.short_name for m in municipalities_by_code().values()), key=str.casefold)


def _list_choices() -> list[tuple[str, str]]:
    return [(m.key, m.name) for m in all_lists()]


def _bad_link(expired: bool = False, status: int = 400):
    return render_template("web/subscribers/bad_link.html", expired=expired), status


def _signup_attempt_limit() -> str:
    return current_app.config["SIGNUP_ATTEMPT_RATE_LIMIT"]


def _signed_up(response) -> bool:
    """Whether a post to the sign-up form was accepted (it then redirects to the thank-you page).

    Only accepted sign-ups count toward SIGNUP_RATE_LIMIT: a person correcting mistakes is never locked out.
    """
    return response.status_code == 302


def _minutes_in_words(minutes: int) -> str:
    return "en minut" if minutes == 1 else f"{minutes} minuter"


def _too_many_sign_ups(limit):
    """The sign-up form again, with what was typed, saying how long to wait (answer 429)."""
    minutes = max(1, math.ceil((limit.window[0] - time.time()) / 60))  # window[0]: when the limit resets
    form = _signup_form()
    return make_response(_signup_page(form, wait=_minutes_in_words(minutes)), 429)


def _signup_form() -> SignUpForm:
    form = SignUpForm()
    form.lists.choices = as_choices(_list_choices())
    return form


def _signup_page(form: SignUpForm, wait: str | None = None) -> str:
    return render_template("web/subscribers/signup.html", form=form, consent_text=consent.current_text(),
                           municipality_names=_municipality_names(), wait=wait)


def _check_place(form) -> bool:
    """Add every problem with the chosen role's place to the field it is about; return whether there were none.

    Run together with the form's own checks, so that every mistake is shown at once.
    """
    if not form.role.data or form.role.errors:
        return True
    _values, problems = check_place_parts(
        place_from_choice(form.role.data, form.municipality.data, form.association.data), PlaceDirectory())
    for part, problem in problems:
        getattr(form, part).errors.append(as_sentence(problem))
    return not problems


@bp.errorhandler(429)
def too_many_requests(error):
    """A limit's own page (the sign-up form with what was typed) when it made one, else the common one."""
    if getattr(error, "response", None) is not None:
        return error.response
    from .. import ERROR_PAGES

    title, message = ERROR_PAGES[429]
    return render_template("web/errors/error.html", title=title, message=message), 429


@bp.route("/prenumerera", methods=["GET", "POST"])
@limiter.limit(_signup_limit, methods=["POST"], deduct_when=_signed_up, on_breach=_too_many_sign_ups)
@limiter.limit(_signup_attempt_limit, methods=["POST"], on_breach=_too_many_sign_ups)
def signup():
    form = _signup_form()
    if request.method == "GET":
        form.consent_version.data = consent.CURRENT_VERSION
        form.lists.data = [key for key, _name in _list_choices()[:1]]
    if request.method == "POST":
        is_valid = form.validate_on_submit()
        if _check_place(form) and is_valid:
            # The thank-you page repeats the address as typed, whatever happens next (never what is on file).
            session[SIGNED_UP_ADDRESS] = form.email.data
            if form.website.data:
                # A robot filled in the hidden field: answer exactly as for a person, store nothing.
                return redirect(url_for(".thanks"))
            version = form.consent_version.data if form.consent_version.data in consent.CONSENT_TEXTS \
                else consent.CURRENT_VERSION
            try:
                sign_up(SignUpRequest(
                    name=form.name.data, email=form.email.data, list_keys=form.lists.data,
                    place=place_from_choice(form.role.data, form.municipality.data, form.association.data),
                    ip_address=request.remote_addr, text_version=version))
            except SubscriberError as exc:
                session.pop(SIGNED_UP_ADDRESS, None)
                flash(str(exc), "error")
            else:
                # The same page whatever happened, so the answer never tells whether the address was known.
                return redirect(url_for(".thanks"))
    return _signup_page(form)


@bp.route("/prenumerera/tack")
def thanks():
    return render_template("web/subscribers/thanks.html", email=session.get(SIGNED_UP_ADDRESS))


@bp.route(CONFIRM_PATH + "<token>", methods=["GET", "POST"])
def confirm_subscription(token: str):
    # Opening the link (GET or HEAD, as mail scanners do with every link) only shows the button; the POST it
    # sends (with the CSRF token of this page) confirms.
    if request.method == "POST" and ActionForm().validate_on_submit():
        result, contact = confirm(token, ip_address=request.remote_addr)
    else:
        result, contact = check_confirmation(token)
    if result in (ConfirmResult.EXPIRED, ConfirmResult.INVALID):
        return _bad_link(expired=result is ConfirmResult.EXPIRED)
    new_lists = lists_to_add(token)
    if result in (ConfirmResult.READY, ConfirmResult.READY_TO_ADD):
        return render_template("web/subscribers/confirm.html", contact=contact, form=ActionForm(),
                               new_lists=new_lists if result is ConfirmResult.READY_TO_ADD else [])
    return render_template("web/subscribers/confirmed.html", contact=contact, new_lists=new_lists,
                           was_already=result is ConfirmResult.ALREADY_CONFIRMED)


def _gone_link():
    return render_template("web/subscribers/link_gone.html"), 404


def _link_page(opened: OpenedLink, resend_endpoint: str, token: str):
    """Return the page for a link that cannot be used (expired, gone, forged), or None when it is valid.

    An expired link offers `resend_endpoint`, which emails a fresh link to the address on file.
    """
    if opened.state is LinkState.VALID:
        return None
    if opened.state is LinkState.EXPIRED:
        return render_template("web/subscribers/link_expired.html",
                               resend_url=url_for(resend_endpoint, token=token)), 410
    if opened.state is LinkState.GONE:
        return _gone_link()
    return _bad_link()


@bp.route(UNSUBSCRIBE_PATH + "<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: mail providers POST here without cookies or a CSRF token; the signed token is the proof.
@limiter.limit(_unsubscribe_limit, methods=["POST"])
def unsubscribe_page(token: str):
    opened = open_link(UNSUBSCRIBE_PURPOSE, token)
    if opened.state is LinkState.INVALID:
        return _bad_link()
    list_key = opened.extra.get("l")
    list_names = dict(_list_choices())
    if list_key not in list_names:
        list_key = None
    contact = opened.contact
    if request.method == "POST":
        # A person erased or moved to a new address gets nothing here any more; the answer is the same.
        if contact is not None:
            unsubscribe(contact.email, list_key, ip_address=request.remote_addr)
        # Never a preference link on this page: unsubscribe links never expire, preference links must. Whoever
        # changes their mind gets a fresh one by email, at the address on file.
        return render_template("web/subscribers/unsubscribed.html", list_name=list_names.get(list_key),
                               resend_url=url_for(".preferences_link_after_unsubscribe", token=token)
                               if contact else None), 200
    if contact is None:
        return _gone_link()
    # A GET only shows the button: link scanners follow GETs and must never unsubscribe anyone.
    return render_template("web/subscribers/unsubscribe.html", list_name=list_names.get(list_key),
                           email=contact.email)


@bp.route(UNSUBSCRIBE_PATH + "<token>/ny-lank", methods=["POST"])
@limiter.limit(_link_email_limit)
def preferences_link_after_unsubscribe(token: str):
    """Email a preference link to the address on file of someone who just unsubscribed and changed their mind."""
    return _send_fresh_link(open_link(UNSUBSCRIBE_PURPOSE, token), send_preferences_link)


def _send_fresh_link(opened: OpenedLink, send):
    """Send a fresh link of a genuine one (valid or expired) to the address on file."""
    if opened.state is LinkState.GONE:
        return _gone_link()
    if opened.state is LinkState.INVALID or not ActionForm().validate_on_submit():
        return _bad_link()
    send(opened.contact)
    return render_template("web/subscribers/link_sent.html")
