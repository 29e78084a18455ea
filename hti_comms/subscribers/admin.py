"""Staff pages: contacts (search, add, edit, history, export, erase) and audiences with their live size."""
from __future__ import annotations

from ..auth.roles import Role as StaffRole
from ..staff import needs
import json

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..addresses import display_address, is_same_address
from ..staff import staff_blueprint
from ..delivery.services import messages_for
from ..extensions import db
from ..results.publication import is_public
from ..formatting import format_integer
from ..geo.models import County, District, Municipality
from ..results.models import SUB_INDICES
from ..results.ranking import available_years
from ..results.selection import ResultRuleKind
from .audiences import (AudienceError, Criteria, MunicipalityNameError, all_audiences, audience_sizes, delete_audience,
                        save_audience, sizes_in_words)
from .directory import (
    ContactDetails, add_contact, add_contact_affiliation, remove_contact_affiliation, search_contacts,
    unsubscribe_by_staff, update_contact,
)
from .forms import (
    STATUS_CHOICES, ActionForm, AffiliationForm, AudienceForm, ContactForm, NewContactForm, as_choices,
    place_from_choice,
)
from .gdpr import erase_contact, export_contact
from .models import Audience, Contact, LegalBasis, Role
from .postal import PostalError, postal_from_form
from .services import SubscriberError, all_lists, count_by_status

bp = staff_blueprint("subscribers_admin", __name__, "/kontakter")

def _places():
    """Return the choices for place filters: counties, districts and municipalities."""
    counties = db.session.scalars(select(County).order_by(County.name)).all()
    districts = db.session.scalars(select(District).order_by(District.name)).all()
    municipalities = db.session.scalars(select(Municipality).order_by(Municipality.short_name)).all()
    return counties, districts, municipalities


def _list_choices():
    return [(m.key, m.name) for m in all_lists()]


def _role_choices():
    return [(r.value, r.label) for r in Role]


@bp.route("/")
def contacts():
    try:
        criteria = Criteria.from_multidict(request.args)
    except AudienceError as exc:
        flash(str(exc), "error")
        criteria = Criteria()
    text = request.args.get("q", "")[:200]
    status = request.args.get("status", "")
    result = search_contacts(criteria, text, status, request.args.get("sida", 1, type=int))
    counties, districts, municipalities = _places()
    return render_template("web/subscribers/admin/contacts.html", result=result, criteria=criteria, text=text,
                           status=status, status_choices=STATUS_CHOICES, lists=_list_choices(),
                           roles=_role_choices(), counties=counties, districts=districts,
                           municipalities=municipalities, total_text=format_integer(result.total),
                           status_counts=count_by_status())


@bp.route("/ny", methods=["GET", "POST"])
@needs(StaffRole.REDAKTOR, "Lade till en kontakt", get=True)
def new_contact():
    form = NewContactForm()
    form.lists.choices = as_choices(_list_choices())
    if form.validate_on_submit():
        place = place_from_choice(form.role.data, form.municipality.data, form.association.data) \
            if form.role.data else None
        try:
            contact = add_contact(
                ContactDetails(form.email.data or "", form.name.data, form.phone.data or "", form.lists.data or [],
                               postal_from_form(form)),
                LegalBasis(form.legal_basis.data), place, actor=current_user.email)
        except (SubscriberError, PostalError) as exc:
            flash(str(exc), "error")
        else:
            flash(f"{display_address(contact.email) if contact.email else contact.name} är tillagd.", "success")
            return redirect(url_for(".contact", contact_id=contact.id))
    return render_template("web/subscribers/admin/new_contact.html", form=form,
                           municipality_names=[m.short_name for m in _places()[2]])


def _contact_or_404(contact_id: int) -> Contact:
    return db.session.get(Contact, contact_id) or abort(404)


def _affiliation_form() -> AffiliationForm:
    form = AffiliationForm(prefix="uppdrag")
    form.district_id.choices = as_choices([("", "Samma som kommunens")] + [(d.id, d.name) for d in _places()[1]])
    return form


@bp.route("/<int:contact_id>", methods=["GET", "POST"])
@needs(StaffRole.REDAKTOR, "Ändrade en kontakt")
def contact(contact_id: int):
    contact = _contact_or_404(contact_id)
    form = ContactForm(obj=contact)
    form.lists.choices = as_choices(_list_choices())
    if request.method == "GET":
        form.email.data = display_address(contact.email) if contact.email else ""
        form.lists.data = sorted(contact.list_keys)
        form.channel.data = contact.channel.value
    if form.validate_on_submit():
        try:
            update_contact(contact, ContactDetails(form.email.data or "", form.name.data, form.phone.data or "",
                                                   form.lists.data or [], postal_from_form(form)), actor=current_user.email)
        except (SubscriberError, PostalError) as exc:
            flash(str(exc), "error")
        else:
            flash("Ändringarna är sparade.", "success")
            return redirect(url_for(".contact", contact_id=contact.id))
    return render_template("web/subscribers/admin/contact.html", contact=contact, form=form,
                           affiliation_form=_affiliation_form(), action_form=ActionForm(),
                           sent=messages_for(contact.email) if contact.email else [], list_names=dict(_list_choices()),
                           municipality_names=[m.short_name for m in _places()[2]])


@bp.route("/<int:contact_id>/uppdrag", methods=["POST"])
@needs(StaffRole.REDAKTOR, "Lade till ett uppdrag")
def add_affiliation(contact_id: int):
    contact = _contact_or_404(contact_id)
    form = _affiliation_form()
    if form.validate_on_submit():
        try:
            added = add_contact_affiliation(contact, place_from_choice(
                form.role.data, form.municipality.data, form.association.data, form.district_id.data))
        except SubscriberError as exc:
            flash(str(exc), "error")
        else:
            flash("Uppdraget är tillagt." if added else "Kontakten har redan det uppdraget.", "success")
    else:
        for errors in form.errors.values():
            flash(" ".join(errors), "error")
    return redirect(url_for(".contact", contact_id=contact.id))


@bp.route("/<int:contact_id>/uppdrag/<int:affiliation_id>/ta-bort", methods=["POST"])
@needs(StaffRole.REDAKTOR, "Tog bort ett uppdrag")
def remove_affiliation(contact_id: int, affiliation_id: int):
    contact = _contact_or_404(contact_id)
    if ActionForm().validate_on_submit():
        remove_contact_affiliation(contact, affiliation_id)
        flash("Uppdraget är borttaget.", "success")
    return redirect(url_for(".contact", contact_id=contact.id))


@bp.route("/<int:contact_id>/avregistrera", methods=["POST"])
@needs(StaffRole.REDAKTOR, "Avregistrerade en kontakt")
def unsubscribe(contact_id: int):
    contact = _contact_or_404(contact_id)
    if ActionForm().validate_on_submit():
        unsubscribe_by_staff(contact, actor=current_user.email)
        flash(f"{display_address(contact.email)} får inga fler utskick.", "success")
    return redirect(url_for(".contact", contact_id=contact.id))


@bp.route("/<int:contact_id>/export", methods=["POST"])
@needs(StaffRole.REDAKTOR, "Hämtade en persons uppgifter")
def export(contact_id: int):
    contact = _contact_or_404(contact_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".contact", contact_id=contact.id))
    body = json.dumps(export_contact(contact), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="kontakt-{contact.id}.json"'})


@bp.route("/<int:contact_id>/radera", methods=["GET", "POST"])
@needs(StaffRole.ADMINISTRATOR, "Raderade en persons uppgifter", get=True)
def erase(contact_id: int):
    contact = _contact_or_404(contact_id)
    form = ActionForm()
    if form.validate_on_submit():
        typed = request.form.get("confirm_email", "")  # someone with letters only is confirmed by their name
        if not (is_same_address(typed, contact.email) if contact.email else " ".join(typed.split()) == contact.name):
            flash("Skriv kontaktens e-postadress exakt för att bekräfta raderingen.", "error")
        else:
            erase_contact(contact, erased_by=current_user.email)
            flash("Personen är raderad. Inga personuppgifter finns kvar; antal utskick finns kvar i statistiken.",
                  "success")
            return redirect(url_for(".contacts"))
    return render_template("web/subscribers/admin/erase.html", contact=contact, form=form)


# --- Audiences ---------------------------------------------------------------------------------------------------

def _audience_form(audience: Audience | None) -> AudienceForm:
    form = AudienceForm(obj=audience)
    counties, districts, municipalities = _places()
    form.lists.choices = as_choices(_list_choices())
    form.roles.choices = as_choices(_role_choices())
    form.counties.choices = as_choices([(c.code, c.name) for c in counties])
    form.districts.choices = as_choices([(str(d.id), d.name) for d in districts])
    form.municipalities.choices = as_choices([(m.code, m.short_name) for m in municipalities])
    form.result_kind.choices = as_choices([("", "Inget villkor på resultaten")] + ResultRuleKind.choices())
    form.result_year.choices = as_choices([(str(year), str(year)) for year in available_years()])
    form.result_sub_index.choices = as_choices([("", "Välj delindex")] + list(SUB_INDICES))
    form.without_action_plan_year.choices = as_choices(
        [("", "Inget villkor på åtgärdsplaner")] + [(str(year), str(year)) for year in available_years()])
    if audience is not None and request.method == "GET":
        form.lists.data = audience.list_keys
        form.roles.data = audience.roles
        form.counties.data = audience.county_codes
        form.districts.data = [str(d) for d in audience.district_ids]
        form.municipalities.data = audience.municipality_codes
        rule = audience.result_rule or {}
        form.result_kind.data = rule.get("kind", "")
        form.result_year.data = str(rule.get("year", ""))
        form.result_places.data = str(rule.get("places") or "")
        form.result_sub_index.data = rule.get("sub_index") or ""
        form.without_action_plan_year.data = str(audience.without_action_plan_year or "")
        years = audience.without_basic_course_years
        form.without_basic_course_years.data = "" if years is None else str(years)
    return form


@bp.route("/malgrupper")
def audiences():
    rows = [(a, sum(audience_sizes(Criteria.of(a)))) for a in all_audiences()]
    return render_template("web/subscribers/admin/audiences.html", rows=rows)


@bp.route("/malgrupper/ny", methods=["GET", "POST"])
@bp.route("/malgrupper/<int:audience_id>", methods=["GET", "POST"])
@needs(StaffRole.REDAKTOR, "Sparade en målgrupp", get=True)
def audience(audience_id: int | None = None):
    audience = db.session.get(Audience, audience_id) or abort(404) if audience_id else None
    form = _audience_form(audience)
    municipality_error = None
    try:
        criteria = Criteria.from_multidict(request.form) if request.method == "POST" else \
            (Criteria.of(audience) if audience else Criteria())
    except MunicipalityNameError as exc:
        criteria = None
        municipality_error = str(exc)
        flash(str(exc), "error")
    except AudienceError as exc:
        criteria = None
        form.result_kind.errors = [str(exc)]
        flash(str(exc), "error")
    if criteria is not None and form.validate_on_submit():
        try:
            audience = save_audience(audience, form.name.data, form.description.data or "", criteria)
        except AudienceError as exc:
            flash(str(exc), "error")
        else:
            flash(f"Målgruppen ”{audience.name}” är sparad.", "success")
            for year in (y for y in criteria.result_years if not is_public(y)):
                # Staff may prepare it; the checks before a send refuse it until the publication.
                flash(f"Målgruppen väljer mottagare efter resultaten i Hemtjänstindex {year}, som inte är "
                      "publicerade ännu. Den kan inte användas för utskick före publiceringen: det skulle avslöja "
                      "resultaten för mottagarna.", "info")
            return redirect(url_for(".audience", audience_id=audience.id))
    size_text = sizes_in_words(audience_sizes(criteria)) if criteria is not None else "–"
    names = {m.code: m.short_name for m in _places()[2]}
    chosen = criteria.municipality_codes if criteria is not None else tuple(request.form.getlist("municipalities"))
    return render_template("web/subscribers/admin/audience.html", form=form, audience=audience,
                           size_text=size_text, action_form=ActionForm(),
                           chosen_municipalities=[(code, names[code]) for code in chosen if code in names],
                           municipality_names=sorted(names.values()), municipality_error=municipality_error,
                           typed_municipalities=request.form.get("municipality_names", "") if municipality_error
                           else "")


@bp.route("/malgrupper/storlek")
def audience_size_json():
    """Return the live size of the selection in the audience form (called by the form as it changes)."""
    try:
        sizes = audience_sizes(Criteria.from_multidict(request.args))
    except AudienceError as exc:
        return jsonify({"count": None, "text": str(exc)})
    return jsonify({"count": sum(sizes), "text": sizes_in_words(sizes)})


@bp.route("/malgrupper/<int:audience_id>/ta-bort", methods=["POST"])
@needs(StaffRole.REDAKTOR, "Tog bort en målgrupp")
def remove_audience(audience_id: int):
    audience = db.session.get(Audience, audience_id) or abort(404)
    if ActionForm().validate_on_submit():
        delete_audience(audience)
        flash(f"Målgruppen ”{audience.name}” är borttagen.", "success")
    return redirect(url_for(".audiences"))
