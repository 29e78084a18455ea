"""Pages and emails of the subscribers domain for the accessibility checks (see tests/a11y/registry.py)."""
from tests.a11y.registry import email, not_a_page, page

CONFIRMED = "anna.andersson@example.se"
SIGNED_UP = "greta.gran@example.se"


def confirmed_contact(data):
    """A confirmed contact on two lists with a council assignment (made once)."""
    def make(_data):
        from hti_comms.subscribers.directory import ContactDetails, add_contact
        from hti_comms.subscribers.forms import place_from_choice
        from hti_comms.subscribers.models import LegalBasis

        return add_contact(ContactDetails(CONFIRMED, "Anna Andersson", "070-123 45 67", ["nyhetsbrev", "kurser"]),
                           LegalBasis.CONSENT_GIVEN, place_from_choice("council_member:pensionarsrad", "Habo"),
                           actor="personal@spf.example").id
    return data.get("confirmed-contact", make)


def signed_up_contact(data):
    """A person who signed up on the public form and has not confirmed yet (made once)."""
    def make(_data):
        from hti_comms.subscribers.forms import place_from_choice
        from hti_comms.subscribers.services import SignUpRequest, sign_up

        outcome = sign_up(SignUpRequest(name="Greta Gran", email=SIGNED_UP, list_keys=["nyhetsbrev", "lokala-resultat"],
                                        place=place_from_choice("council_member:seniorrad", "Borås")))
        return outcome.contact.id
    return data.get("signed-up-contact", make)


def send_of(template: str, email_address: str, *, kind: str | None = None):
    """Return the newest send of `template` that has a row to `email_address`."""
    from sqlalchemy import select

    from hti_comms.delivery.models import OutboxMessage, Send
    from hti_comms.extensions import db

    query = select(Send).join(OutboxMessage, OutboxMessage.send_id == Send.id).where(
        Send.template == template, OutboxMessage.email == email_address)
    if kind:
        query = query.where(Send.kind == kind)
    return db.session.scalars(query.order_by(Send.id.desc())).first()


def _preferences_token(data):
    from hti_comms.links import PREFERENCES_PURPOSE
    from hti_comms.tokens import make_token

    confirmed_contact(data)
    return {"token": make_token(PREFERENCES_PURPOSE, {"e": CONFIRMED})}


def _unknown_person_token(data):
    from hti_comms.links import PREFERENCES_PURPOSE
    from hti_comms.tokens import make_token

    return {"token": make_token(PREFERENCES_PURPOSE, {"e": "finns.inte@example.se"})}


def _unsubscribe_token(data):
    from hti_comms.links import unsubscribe_token

    confirmed_contact(data)
    return {"token": unsubscribe_token(CONFIRMED, "kurser")}


def _confirm_token(data):
    from hti_comms.subscribers.confirmation import confirmation_token

    return {"token": confirmation_token(signed_up_contact(data), SIGNED_UP)}


def _audience_id(data):
    def make(_data):
        from hti_comms.subscribers.audiences import Criteria, save_audience

        return save_audience(None, "Pensionärsråd i Jönköpings län", "Alla råd i länet",
                             Criteria(list_keys=("lokala-resultat",), county_codes=("06",))).id
    return {"audience_id": data.get("audience", make)}


def _staged_import_id(data):
    def make(_data):
        from hti_comms.subscribers.imports import stage_import
        from hti_comms.subscribers.models import LegalBasis

        rows = ["namn;e-post;roll;kommun;listor;förening",
                "Bo Berg;bo.berg@example.se;pensionärsråd;Habo;nyhetsbrev;",
                "Eva Ek;eva(at)example.se;seniorråd;Borås;;",
                "Cecilia Ceder;cecilia@example.se;föreningsordförande;Habo;kurser;SPF Habo"]
        staged, _plan = stage_import("\r\n".join(rows).encode(), "kontakter.csv", LegalBasis.NEEDS_OPT_IN,
                                     ["nyhetsbrev"], actor="personal@spf.example")
        return staged.id
    return {"import_id": data.get("staged-import", make)}


def _press(button_name):
    def then(page_):
        page_.get_by_role("button", name=button_name).click()
    return then


def _already_subscribed(data):
    from hti_comms.subscribers.forms import place_from_choice
    from hti_comms.subscribers.services import SignUpRequest, sign_up

    confirmed_contact(data)
    sign_up(SignUpRequest(name="Anna Andersson", email=CONFIRMED, list_keys=["nyhetsbrev"],
                          place=place_from_choice("council_member:pensionarsrad", "Habo")))
    return send_of("subscribers/already_subscribed", CONFIRMED)


def _import_confirmation(data):
    from hti_comms.subscribers.directory import ContactDetails, add_contact
    from hti_comms.subscribers.models import LegalBasis

    add_contact(ContactDetails("olle.opt-in@example.se", "Olle Ohlsson", "", ["nyhetsbrev"]),
                LegalBasis.NEEDS_OPT_IN, None, actor="personal@spf.example")
    return send_of("subscribers/confirm", "olle.opt-in@example.se")


# Public pages
page("subscribers.signup")
page("subscribers.signup", state="fel", then=_press("Anmäl mig"))
page("subscribers.thanks")
page("subscribers.confirm_subscription", args=_confirm_token)
page("subscribers.confirm_subscription", state="ogiltig-länk", args={"token": "förfalskad"})
page("subscribers.unsubscribe_page", args=_unsubscribe_token)
page("subscribers.unsubscribe_page", state="avregistrerad", args=_unsubscribe_token,
     then=_press("Avsluta"))
page("subscribers.preferences", args=_preferences_token)
page("subscribers.preferences", state="okänd-person", args=_unknown_person_token)
not_a_page("subscribers.leave", "POST that ends every send and redirects to the preferences")
not_a_page("subscribers.my_data", "the reader's data as a JSON download (issue 7 makes it a readable page)")

# Staff pages
page("subscribers_admin.contacts")
page("subscribers_admin.contact", args=lambda data: {"contact_id": confirmed_contact(data)})
page("subscribers_admin.new_contact")
page("subscribers_admin.erase", args=lambda data: {"contact_id": confirmed_contact(data)})
page("subscribers_admin.audiences")
page("subscribers_admin.audience")
page("subscribers_admin.audience", state="sparad", args=_audience_id)
page("subscribers_admin.import_contacts")
page("subscribers_admin.import_preview", args=_staged_import_id)
not_a_page("subscribers_admin.audience_size_json", "JSON for the audience form's live count")
for endpoint in ("add_affiliation", "remove_affiliation", "unsubscribe", "remove_audience", "import_commit",
                 "import_discard"):
    not_a_page(f"subscribers_admin.{endpoint}", "POST that changes the contact or import and redirects")
not_a_page("subscribers_admin.export", "a contact's data as a JSON download")

# Emails
email("subscribers/confirm", build=lambda data: signed_up_contact(data) and send_of("subscribers/confirm", SIGNED_UP))
email("subscribers/confirm", state="import", build=_import_confirmation)
email("subscribers/already_subscribed", build=_already_subscribed)
