"""Public pages behind a personal link: the preference centre and everything stored about a person.

They add to the public `subscribers` blueprint of `views` (declared in the domain's `routes`).
"""
from __future__ import annotations

import json

from flask import Response, flash, redirect, render_template, request, url_for

from ..extensions import limiter
from ..links import DATA_EXPORT_PATH, DATA_EXPORT_PURPOSE, PREFERENCES_PATH, PREFERENCES_PURPOSE
from ..personal_data import readable_export
from .forms import ActionForm, PreferencesForm, as_choices, place_from_choice
from .gdpr import export_contact
from .models import ConsentSource, ContactStatus
from .personal_links import open_link, send_data_export_link, send_preferences_link
from .services import PreferenceChange, SubscriberError, leave_everything, update_preferences
from .views import (
    _check_place, _link_email_limit, _link_page, _list_choices, _municipality_names, _send_fresh_link, bp,
)


@bp.route(PREFERENCES_PATH + "<token>", methods=["GET", "POST"])
def preferences(token: str):
    opened = open_link(PREFERENCES_PURPOSE, token)
    unusable = _link_page(opened, ".new_preferences_link", token)
    if unusable:
        return unusable
    contact = opened.contact
    form = PreferencesForm(obj=None if request.method == "POST" else contact)
    form.lists.choices = as_choices(_list_choices())
    form.keep.choices = as_choices([(a.id, a.describe()) for a in contact.affiliations])
    if request.method == "GET":
        form.lists.data = sorted(contact.list_keys)
        form.keep.data = [a.id for a in contact.affiliations]
    is_valid = form.validate_on_submit()
    if request.method == "POST" and _check_place(form) and is_valid:
        new_place = None
        if form.role.data:
            new_place = place_from_choice(form.role.data, form.municipality.data, form.association.data)
        try:
            update_preferences(contact, PreferenceChange(
                name=form.name.data, list_keys=form.lists.data or [], remove_affiliation_ids=[a.id for a in contact.affiliations if a.id not in (form.keep.data or [])],
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
    opened = open_link(PREFERENCES_PURPOSE, token)
    unusable = _link_page(opened, ".new_preferences_link", token)
    if unusable:
        return unusable
    if ActionForm().validate_on_submit():
        leave_everything(opened.contact, source=ConsentSource.PREFERENCES, ip_address=request.remote_addr)
        flash("Du får inga fler utskick från oss. Du kan välja utskick igen här när du vill.", "success")
    return redirect(url_for(".preferences", token=token))


@bp.route(PREFERENCES_PATH + "<token>/mina-uppgifter", methods=["POST"])
@limiter.limit(_link_email_limit)
def my_data(token: str):
    """Email a short-lived link to everything stored, to the address on file (never a download here)."""
    opened = open_link(PREFERENCES_PURPOSE, token)
    unusable = _link_page(opened, ".new_preferences_link", token)
    if unusable:
        return unusable
    if ActionForm().validate_on_submit():
        valid_for = send_data_export_link(opened.contact)
        flash(f"Vi har skickat en länk till din e-postadress. Öppna den inom {valid_for} för att se allt vi har "
              "sparat om dig.", "success")
    return redirect(url_for(".preferences", token=token))


@bp.route(PREFERENCES_PATH + "<token>/ny-lank", methods=["POST"])
@limiter.limit(_link_email_limit)
def new_preferences_link(token: str):
    """Email a fresh preference link to the address on file of an expired (but genuine) link."""
    return _send_fresh_link(open_link(PREFERENCES_PURPOSE, token), send_preferences_link)


# --- Everything stored about a person, behind a short-lived link sent to the address on file -----------------------

@bp.route(DATA_EXPORT_PATH + "<token>")
def data_export(token: str):
    opened = open_link(DATA_EXPORT_PURPOSE, token)
    unusable = _link_page(opened, ".new_data_export_link", token)
    if unusable:
        return unusable
    return render_template("web/subscribers/my_data.html", data=readable_export(export_contact(opened.contact)),
                           token=token)


@bp.route(DATA_EXPORT_PATH + "<token>/fil")
def data_export_file(token: str):
    opened = open_link(DATA_EXPORT_PURPOSE, token)
    unusable = _link_page(opened, ".new_data_export_link", token)
    if unusable:
        return unusable
    body = json.dumps(export_contact(opened.contact), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="mina-uppgifter-hemtjanstindex.json"'})


@bp.route(DATA_EXPORT_PATH + "<token>/ny-lank", methods=["POST"])
@limiter.limit(_link_email_limit)
def new_data_export_link(token: str):
    """Email a fresh data-export link to the address on file of an expired (but genuine) link."""
    return _send_fresh_link(open_link(DATA_EXPORT_PURPOSE, token), send_data_export_link)
