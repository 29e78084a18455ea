"""Public pages: sign-up, confirmation, one-click unsubscribe and the preference centre."""
from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for

from ..extensions import csrf, limiter
from ..geo.services import municipalities_by_code
from ..links import PREFERENCES_PATH, preferences_url, PREFERENCES_PURPOSE, UNSUBSCRIBE_PATH, UNSUBSCRIBE_PURPOSE
from ..tokens import BadToken, read_token
from . import consent
from .confirmation import CONFIRM_PATH
from .forms import ActionForm, PreferencesForm, SignUpForm, as_choices, place_from_choice
from .gdpr import export_contact
from .models import ConsentSource, ContactStatus
from .services import (
    ConfirmResult, PreferenceChange, SignUpRequest, SubscriberError, all_lists, check_confirmation, confirm,
    find_contact, leave_everything, sign_up, unsubscribe, update_preferences,
)

bp = Blueprint("subscribers", __name__)


def _signup_limit() -> str:
    return current_app.config["SIGNUP_RATE_LIMIT"]


def _unsubscribe_limit() -> str:
    return current_app.config["UNSUBSCRIBE_RATE_LIMIT"]


def _municipality_names() -> list[str]:
    return sorted((m.short_name for m in municipalities_by_code().values()), key=str.casefold)


def _list_choices() -> list[tuple[str, str]]:
    return [(m.key, m.name) for m in all_lists()]


def _bad_link(expired: bool = False, status: int = 400):
    return render_template("web/subscribers/bad_link.html", expired=expired), status


@bp.route("/prenumerera", methods=["GET", "POST"])
@limiter.limit(_signup_limit, methods=["POST"])
def signup():
    form = SignUpForm()
    form.lists.choices = as_choices(_list_choices())
    if request.method == "GET":
        form.consent_version.data = consent.CURRENT_VERSION
        form.lists.data = [key for key, _name in _list_choices()[:1]]
    if form.validate_on_submit():
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
            flash(str(exc), "error")
        else:
            # The same page whatever happened, so the answer never tells whether the address was known.
            return redirect(url_for(".thanks"))
    return render_template("web/subscribers/signup.html", form=form, consent_text=consent.current_text(),
                           municipality_names=_municipality_names())


@bp.route("/prenumerera/tack")
def thanks():
    return render_template("web/subscribers/thanks.html")


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
    if result is ConfirmResult.READY:
        return render_template("web/subscribers/confirm.html", contact=contact, form=ActionForm())
    return render_template("web/subscribers/confirmed.html", contact=contact,
                           was_already=result is ConfirmResult.ALREADY_CONFIRMED)


def _signed_payload(purpose: str, token: str) -> dict | None:
    """Return the payload of a link token carrying an address ("e"), or None if it is not genuine."""
    try:
        payload = read_token(purpose, token)
    except BadToken:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("e"), str):
        return None
    return payload


@bp.route(UNSUBSCRIBE_PATH + "<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: mail providers POST here without cookies or a CSRF token; the signed token is the proof.
@limiter.limit(_unsubscribe_limit, methods=["POST"])
def unsubscribe_page(token: str):
    payload = _signed_payload(UNSUBSCRIBE_PURPOSE, token)
    if payload is None:
        return _bad_link()
    email, list_key = payload["e"], payload.get("l")
    list_names = dict(_list_choices())
    if list_key is not None and list_key not in list_names:
        list_key = None
    if request.method == "POST":
        unsubscribe(email, list_key, ip_address=request.remote_addr)
        return render_template("web/subscribers/unsubscribed.html", list_name=list_names.get(list_key),
                               preferences_url=preferences_url(email)), 200
    # A GET only shows the button: link scanners follow GETs and must never unsubscribe anyone.
    return render_template("web/subscribers/unsubscribe.html", list_name=list_names.get(list_key), email=email)


def _preferences_contact(token: str):
    """Return the contact of a preference link, False if they are not (or no longer) stored, None if forged."""
    payload = _signed_payload(PREFERENCES_PURPOSE, token)
    if payload is None:
        return None
    return find_contact(payload["e"]) or False


@bp.route(PREFERENCES_PATH + "<token>", methods=["GET", "POST"])
def preferences(token: str):
    contact = _preferences_contact(token)
    if contact is None:
        return _bad_link()
    if contact is False:
        return render_template("web/subscribers/unknown_person.html"), 404
    form = PreferencesForm(obj=None if request.method == "POST" else contact)
    form.lists.choices = as_choices(_list_choices())
    form.remove.choices = as_choices([(a.id, a.describe()) for a in contact.affiliations])
    if request.method == "GET":
        form.lists.data = sorted(contact.list_keys)
    if form.validate_on_submit():
        new_place = None
        if form.role.data:
            new_place = place_from_choice(form.role.data, form.municipality.data, form.association.data)
        try:
            update_preferences(contact, PreferenceChange(
                name=form.name.data, list_keys=form.lists.data or [], remove_affiliation_ids=form.remove.data or [],
                new_place=new_place, ip_address=request.remote_addr))
        except SubscriberError as exc:
            flash(str(exc), "error")
        else:
            flash("Dina val är sparade.", "success")
            return redirect(url_for(".preferences", token=token))
    return render_template("web/subscribers/preferences.html", form=form, contact=contact, token=token,
                           action_form=ActionForm(), municipality_names=_municipality_names(),
                           is_unsubscribed=contact.status is ContactStatus.UNSUBSCRIBED)


@bp.route(PREFERENCES_PATH + "<token>/avsluta", methods=["POST"])
def leave(token: str):
    contact = _preferences_contact(token)
    if not contact:
        return _bad_link()
    if ActionForm().validate_on_submit():
        leave_everything(contact, source=ConsentSource.PREFERENCES, ip_address=request.remote_addr)
        flash("Du får inga fler utskick från oss. Du kan välja utskick igen här när du vill.", "success")
    return redirect(url_for(".preferences", token=token))


@bp.route(PREFERENCES_PATH + "<token>/mina-uppgifter", methods=["POST"])
def my_data(token: str):
    contact = _preferences_contact(token)
    if not contact:
        return _bad_link()
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".preferences", token=token))
    body = json.dumps(export_contact(contact), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="mina-uppgifter-hemtjanstindex.json"'})
