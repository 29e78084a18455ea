
from hti_comms.delivery.owner import Owner
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
        from hti_comms.subscribers.signup import SignUpRequest, sign_up

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


def _contact_key(data) -> str:
    from hti_comms.extensions import db
    from hti_comms.subscribers.models import Contact

    return db.session.get(Contact, confirmed_contact(data)).link_key


def _personal_token(purpose: str, key: str, **extra) -> dict:
    from datetime import timedelta

    from hti_comms.tokens import make_personal_token

    return {"token": make_personal_token(purpose, key, timedelta(days=1), **extra)}


def _preferences_token(data):
    from hti_comms.links import PREFERENCES_PURPOSE

    return _personal_token(PREFERENCES_PURPOSE, _contact_key(data))


def _unknown_person_token(data):
    from hti_comms.links import PREFERENCES_PURPOSE
    from hti_comms.tokens import new_subject_key

    return _personal_token(PREFERENCES_PURPOSE, new_subject_key())


def _expired_preferences_token(data):
    from datetime import timedelta

    from hti_comms.links import PREFERENCES_PURPOSE
    from hti_comms.tokens import make_personal_token

    return {"token": make_personal_token(PREFERENCES_PURPOSE, _contact_key(data), timedelta(seconds=-60))}


def _new_lists_token(data):
    from hti_comms.subscribers.confirmation import confirmation_token

    from hti_comms.extensions import db
    from hti_comms.subscribers.models import Contact

    return {"token": confirmation_token(db.session.get(Contact, confirmed_contact(data)).link_key, ["lokala-resultat"])}


def _new_lists_email(data):
    """A confirmed person of their own (pages here change Anna's lists) signs up again for one more list."""
    from hti_comms.subscribers.directory import ContactDetails, add_contact
    from hti_comms.subscribers.forms import place_from_choice
    from hti_comms.subscribers.models import LegalBasis
    from hti_comms.subscribers.signup import SignUpRequest, sign_up

    address = "bertil.berg@example.se"
    data.get("bertil", lambda _data: add_contact(
        ContactDetails(address, "Bertil Berg", "", ["nyhetsbrev"]), LegalBasis.CONSENT_GIVEN,
        place_from_choice("council_member:pensionarsrad", "Habo"), actor="personal@spf.example").id)
    sign_up(SignUpRequest(name="Bertil Berg", email=address, list_keys=["nyhetsbrev", "lokala-resultat"],
                          place=place_from_choice("council_member:pensionarsrad", "Habo")))
    send = send_of("subscribers/already_subscribed", address)
    assert send.subject.startswith("Bekräfta att du vill få fler utskick"), send.subject
    return send


def _unsubscribe_token(data):
    from hti_comms.links import UNSUBSCRIBE_PURPOSE
    from hti_comms.tokens import make_personal_token

    return {"token": make_personal_token(UNSUBSCRIBE_PURPOSE, _contact_key(data), None, l="kurser")}


def _data_export_token(data):
    from hti_comms.links import DATA_EXPORT_PURPOSE

    return _personal_token(DATA_EXPORT_PURPOSE, _contact_key(data))


def _confirm_token(data):
    from hti_comms.subscribers.confirmation import confirmation_token

    from hti_comms.extensions import db
    from hti_comms.subscribers.models import Contact

    return {"token": confirmation_token(db.session.get(Contact, signed_up_contact(data)).link_key)}


def _audience_id(data):
    def make(_data):
        from hti_comms.subscribers.audiences import Criteria, save_audience

        return save_audience(None, "Pensionärsråd i Jönköpings län", "Alla råd i länet",
                             Criteria(list_keys=("lokala-resultat",), county_codes=("06",))).id
    return {"audience_id": data.get("audience", make)}


def _staged_import_id(data):
    def make(_data):
        from hti_comms.subscribers.imports.run import stage_import
        from hti_comms.subscribers.models import LegalBasis

        rows = ["namn;e-post;roll;kommun;listor;förening",
                "Bo Berg;bo.berg@example.se;pensionärsråd;Habo;nyhetsbrev;",
                "Eva Ek;eva(at)example.se;seniorråd;Borås;;",
                "Cecilia Ceder;cecilia@example.se;föreningsordförande;Habo;kurser;SPF Habo"]
        return stage_import("\r\n".join(rows).encode(), "kontakter.csv", LegalBasis.NEEDS_OPT_IN,
                            ["nyhetsbrev"], actor="personal@spf.example").id
    return {"import_id": data.get("staged-import", make)}


def _press(button_name):
    def then(page_):
        page_.get_by_role("button", name=button_name).click()
    return then


def _already_subscribed(data):
    from hti_comms.subscribers.forms import place_from_choice
    from hti_comms.subscribers.signup import SignUpRequest, sign_up

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
page("subscribers.confirm_subscription", state="fler-utskick", args=_new_lists_token)
page("subscribers.confirm_subscription", state="fler-utskick-klart", args=_new_lists_token, then=_press("Bekräfta"))
page("subscribers.unsubscribe_page", args=_unsubscribe_token)
page("subscribers.unsubscribe_page", state="avregistrerad", args=_unsubscribe_token,
     then=_press("Avsluta"))
page("subscribers.preferences", args=_preferences_token)
page("subscribers.preferences", state="okänd-person", args=_unknown_person_token)
page("subscribers.preferences", state="utgången-länk", args=_expired_preferences_token)
page("subscribers.data_export", args=_data_export_token)
not_a_page("subscribers.data_export_file", "the reader's data as a JSON download beside the readable page")
not_a_page("subscribers.leave", "POST that ends every send and redirects to the preferences")
for endpoint in ("my_data", "new_preferences_link", "new_data_export_link", "preferences_link_after_unsubscribe"):
    not_a_page(f"subscribers.{endpoint}", "POST that emails a fresh link to the address on file and shows link_sent")

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
email("subscribers/already_subscribed", state="fler-utskick", build=_new_lists_email)


def _fresh_link_email(send_link, template):
    def build(data):
        from hti_comms.extensions import db
        from hti_comms.subscribers.models import Contact

        send_link(db.session.get(Contact, confirmed_contact(data)))
        return send_of(template, CONFIRMED)
    return build


def _send_preferences_link(contact):
    from hti_comms.subscribers.personal_links import send_preferences_link

    send_preferences_link(contact)


def _send_data_export_link(contact):
    from hti_comms.subscribers.personal_links import send_data_export_link

    send_data_export_link(contact)


email("subscribers/preferences_link", build=_fresh_link_email(_send_preferences_link, "subscribers/preferences_link"))
email("subscribers/data_export_link", build=_fresh_link_email(_send_data_export_link, "subscribers/data_export_link"))


def _welcome_email(data):
    """The welcome with the preference link, as a confirmation sends it."""
    from hti_comms.delivery.outbox import EmailSpec, Recipient

    return (EmailSpec(owner=Owner("tests", "sample"), template="subscribers/welcome", subject="Välkommen till utskicken från Hemtjänstindex",
                      context={"link_days": 90}, kind="welcome"),
            Recipient("birgitta.berg@example.se", "Birgitta Berg",
                      fields={"lists": "Hemtjänstindex nyhetsbrev, Kurser och webbinarier"}))


email("subscribers/welcome", build=_welcome_email)
