"""Every public form, over HTTP: a direction character (U+202E) typed into any of its fields is refused with a
Swedish message beside that field, and nothing is stored. A new public POST route must be declared here."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import lxml.html
import pytest
from markupsafe import escape
from sqlalchemy import func, select

from hti_comms.extensions import db
from hti_comms.forms import DIRECTION_MESSAGE
from tests.conftest import TEST_PASSWORD


@dataclass(frozen=True)
class PublicForm:
    #: Prepare the data the page needs; return the page's path.
    setup: Callable
    #: Values that make the form valid, over what the page itself fills in.
    valid: dict


def _signup(request):
    request.getfixturevalue("lists")
    return "/prenumerera"


def _order(request):
    from tests.publication.helpers import results_for_2025

    results_for_2025()
    return "/bestall"


def _event(request):
    from hti_comms import clock
    from tests.events.helpers import STOCKHOLM_NOW, at, make_event

    clock.set_now(at(STOCKHOLM_NOW))
    return f"/evenemang/{make_event().id}"


def _feedback(request):
    """Anna came to the course of 6 November (the attendance report says so); the page is her feedback link."""
    from hti_comms import clock
    from hti_comms.events import attendance
    from hti_comms.events.afterlinks import FEEDBACK_PATH, FEEDBACK_PURPOSE
    from hti_comms.extensions import db
    from hti_comms.tokens import make_personal_token
    from tests.events import attendance_samples as samples
    from tests.events.helpers import at, make_event, sign_up

    clock.set_now(at("2025-11-01T09:00:00+01:00"))
    event = make_event()
    anna = sign_up(event, "Anna Andersson", "anna@example.se").registration
    db.session.commit()
    clock.set_now(at("2025-11-07T09:00:00+01:00"))
    attendance.import_attendance(event, samples.PLAIN.encode(), "narvaro.csv")
    db.session.commit()
    return FEEDBACK_PATH + make_personal_token(FEEDBACK_PURPOSE, anna.key, None)


def _preferences(request):
    from urllib.parse import urlsplit

    from hti_comms.links import preferences_url

    contact = request.getfixturevalue("make_contact")("eva@exempel.se", name="Eva Ek")
    return urlsplit(preferences_url(contact.link_key)).path


def _action_plan(request):
    """The personal link of a report-package contact to the municipality's action-plan form, with one measure."""
    from urllib.parse import urlsplit

    from hti_comms.action_plans.links import plan_form_url
    from hti_comms.action_plans.register import MeasureInput, add_measure
    from tests.publication.helpers import results_for_2025, staff_order

    results_for_2025()
    order, _position = staff_order("0114", "eva@vasby.example.se")
    add_measure(2025, "0114", MeasureInput("information", "förbättra informationen"), actor="test")
    return urlsplit(plan_form_url(order.contacts[0].key, 2025, "0114")).path
def _alerts(request):
    request.getfixturevalue("lists")
    return "/min-kommun"


def _login(request):
    request.getfixturevalue("staff_user")
    return "/logga-in"


def _half_logged_in(request, *, enrolled: bool) -> str:
    """A client whose password step is done: the code step (enrolled) or setting up a second factor (not)."""
    from hti_comms.auth.roles import Role
    from tests.helpers import form_csrf_token, make_staff

    client = request.getfixturevalue("client")
    user = make_staff("kod@spf.example", roles=[Role.UTSKICK], second_factor=enrolled)
    client.post("/logga-in", data={"email": user.email, "password": TEST_PASSWORD,
                                   "csrf_token": form_csrf_token(client, "/logga-in")})
    return "/logga-in/kod" if enrolled else "/logga-in/tvastegs"


#: Every public POST route with fields people type into, and how to fill it in correctly.
TEXT_FORMS = {
    "subscribers.signup": PublicForm(_signup, {
        "name": "Birgitta Berg", "email": "birgitta@exempel.se", "role": "council_member:seniorrad",
        "municipality": "Habo", "association": "", "lists": ["nyhetsbrev"], "consent": "y"}),
    "publication.order": PublicForm(_order, {
        "municipality": "0114", "name": "Eva Kommun", "email": "eva@vasby.example.se",
        "second_name": "", "second_email": "", "invoice_reference": "Ref 12"}),
    "events.event_page": PublicForm(_event, {
        "name": "Anna Andersson", "email": "anna@example.se", "role": "Ledamot i kommunens pensionärsråd",
        "organisation": "Upplands Väsby", "needs": "Textning", "question": "Hur räknas indexet?"}),
    "subscribers.preferences": PublicForm(_preferences, {
        "name": "Eva Ek", "role": "", "municipality": "", "association": ""}),
    "action_plans.plan_form": PublicForm(_action_plan, {
        "measure": "", "area": "utforande", "text": "ge varje person en fast kontaktperson", "horizon": "kort",
        "status": "planerad", "status_since": "", "source_url": "https://www.vasby.example.se/plan",
        "message": "Hälsningar från Eva"}),
    "events.feedback_form": PublicForm(_feedback, {"q0": "4", "q1": "5", "comment": "Bra kurs, tack."}),
    "alerts.signup": PublicForm(_alerts, {"email": "eva@exempel.se", "municipalities": "Habo, Mullsjö"}),
    "auth.login": PublicForm(_login, {"email": "personal@spf.example", "password": TEST_PASSWORD}),
    "auth.forgotten_password": PublicForm(_login, {"email": "personal@spf.example"}),
    "auth.second_step": PublicForm(lambda request: _half_logged_in(request, enrolled=True), {"code": "123456"}),
    "auth.enrol": PublicForm(lambda request: _half_logged_in(request, enrolled=False), {"code": "123456"}),
}
#: Public POST routes without a field people type text into (a button, or passwords only, which are never shown).
WITHOUT_TEXT = {
    "subscribers.unsubscribe_page": "a button (and RFC 8058 one-click unsubscribe)",
    "subscribers.preferences_link_after_unsubscribe": "a button that emails a link",
    "subscribers.confirm_subscription": "a button",
    "subscribers.leave": "a button",
    "subscribers.my_data": "a button that emails a link",
    "subscribers.new_preferences_link": "a button that emails a link",
    "subscribers.new_data_export_link": "a button that emails a link",
    "publication.confirm": "a button",
    "events.cancel": "a button",
    "auth.logout": "a button",
    "alerts.confirm_page": "a button",
    "alerts.leave_page": "a button (and RFC 8058 one-click unsubscribe)",
    "newsletters.confirm_trial_address": "a button",
    "auth.reset_password": "passwords only",
    "auth.invitation": "passwords only",
    "account.second_factor_page": "the code from the app (staff)",
    "account.password": "passwords only (staff)",
}
TYPED = ("text", "email", "search", "tel", "url")


def test_every_public_post_route_is_declared(app):
    routes = {rule.endpoint for rule in app.url_map.iter_rules()
              if "POST" in rule.methods and not rule.rule.startswith("/admin")}
    missing = sorted(routes - set(TEXT_FORMS) - set(WITHOUT_TEXT))
    assert missing == [], f"declare these in tests/test_public_forms.py (TEXT_FORMS or WITHOUT_TEXT): {missing}"
    assert sorted((set(TEXT_FORMS) | set(WITHOUT_TEXT)) - routes) == []


def _rows() -> dict[str, int]:
    """Return the number of rows of every table that has any (a failure then names the table written to)."""
    counts = {table.name: db.session.scalar(select(func.count()).select_from(table))
              for table in db.metadata.sorted_tables}
    return {name: count for name, count in counts.items() if count}


def _form_on(page: str):
    document = lxml.html.fromstring(page)
    forms = [form for form in document.forms if (form.method or "").upper() == "POST"
             and form.xpath(".//input[@name='csrf_token']") and form.xpath(".//button[@type='submit' or not(@type)]")]
    return forms[0]


def _typed_fields(form) -> dict[str, str]:
    """Return {name: label} of the fields people type text into."""
    found = {}
    for element in form.inputs:
        kind = element.get("type", "text") if element.tag == "input" else element.tag
        if kind in (*TYPED, "textarea") and element.get("name"):
            label = form.xpath(f".//label[@for='{element.get('id')}']")
            found[element.get("name")] = label[0].text_content().strip() if label else element.get("name")
    return found


@pytest.mark.parametrize("endpoint", sorted(TEXT_FORMS))
def test_a_direction_character_in_any_field_is_refused_beside_it_and_nothing_is_stored(app, client, request,
                                                                                      endpoint):
    declared = TEXT_FORMS[endpoint]
    path = declared.setup(request)
    db.session.commit()
    fields = _typed_fields(_form_on(client.get(path).get_data(as_text=True)))
    assert fields, f"{endpoint}: no text field found on {path}"
    assert set(fields) - {"website"} <= set(declared.valid), f"{endpoint}: fill in {set(fields) - set(declared.valid)}"
    for number, (name, label) in enumerate(fields.items()):
        client.environ_base["REMOTE_ADDR"] = f"192.0.2.{150 + number}"  # each post within the form's rate limit
        form = _form_on(client.get(path).get_data(as_text=True))
        values = dict(form.form_values())
        values.update(declared.valid)
        value = values.get(name) or "Anna"
        values[name] = value[:2] + "\u202e" + value[2:]  # "An‮na", "ev‮a@vasby.example.se"
        before = _rows()
        response = client.post(path, data=values)
        page = response.get_data(as_text=True)
        assert response.status_code in (200, 400), f"{endpoint}, {name}: answered {response.status_code}"
        assert f"{escape(label.split(' (måste')[0])}" in page, f"{endpoint}, {name}"
        assert str(escape(DIRECTION_MESSAGE)) in page, f"{endpoint}, {name}: no message about the character"
        db.session.expire_all()
        assert _rows() == before, f"{endpoint}, {name}: something was stored"
