"""Pages and emails of the newsletters domain for the accessibility checks (see tests/a11y/registry.py).

The data is what staff handle on a real morning: newsletter #14 with three sections, an inline image and links,
sent to a handful of readers (one address bounced) and clicked; a circular with its addressee line, date and
signature, ready to send; a newsletter scheduled for next week; one paused half-way; one stopped; and a draft
whose checks find errors and warnings and which reaches nobody.
"""
from tests.a11y.registry import email, not_a_page, page

STAFF = "personal@spf.example"
#: The readers on the newsletter list (the bounced address is refused by the sink at RCPT).
READERS = [("birgitta.berg@example.se", "Birgitta Berg", "Habo"), ("lars.lind@example.se", "Lars Lind", "Borås"),
           ("maj.holm@example.se", "Maj Holm", "Kiruna"), ("sven.ek@example.se", "Sven Ek", "Habo"),
           ("ingrid.alm@example.se", "Ingrid Alm", "Malmö"), ("karl.dahl@example.se", "Karl Dahl", "Umeå"),
           ("studsar@example.se", "Gunnel Gran", "Växjö")]
BOUNCING = "studsar@example.se"

SECTIONS = [
    dict(title="Ny nationell rapport om hemtjänsten", body=(
        "Socialstyrelsen har publicerat en ny rapport om **kontinuiteten i hemtjänsten**: hur många olika personer "
        "en äldre träffar under två veckor.\n\nRapporten visar stora skillnader mellan kommunerna. I hälften av "
        "kommunerna träffar en äldre fler än 15 olika personer."),
         link_url="https://spfseniorerna.se/hemtjanstindex/rapport", link_text="Läs sammanfattningen av rapporten",
         image_alt="Omslaget till rapporten: en äldre kvinna och en hemtjänstpersonal vid ett köksbord"),
    dict(title="Förbeställ rapportpaketet nu", body=(
        "Kommuner som förbeställer rapportpaketet får\n\n"
        "- en sammanfattning av sitt eget resultat 24 timmar före publiceringen,\n"
        "- tillgång till analysverktyget med de nya siffrorna när listan publiceras,\n"
        "- sin skriftliga analys i den ordning beställningarna kom in."),
         link_url="https://hemtjanstindex.se/rapportpaket", link_text="Beställ rapportpaketet för din kommun"),
    dict(title="Så arbetar Habo med sitt resultat", body=(
        "Habo analyserade de fyra delindexen och tog fram en handlingsplan för information och "
        "biståndshandläggning tillsammans med pensionärsrådet. Läs [Habos handlingsplan]"
        "(https://spfseniorerna.se/hemtjanstindex/habo) och jämför med din egen kommun.")),
]


def _cover_png() -> bytes:
    """A small picture that looks like a report cover (what staff upload), as PNG bytes."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 600), (238, 244, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1200, 120), fill=(11, 61, 107))
    draw.ellipse((140, 220, 420, 500), fill=(201, 120, 60))
    draw.ellipse((700, 200, 1000, 500), fill=(60, 120, 90))
    draw.rectangle((80, 480, 1120, 560), fill=(120, 90, 60))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def readers(data):
    """Confirmed contacts on the newsletter list, council members and chairs across the country (made once)."""
    def make(_data):
        from hti_comms.subscribers.directory import ContactDetails, add_contact
        from hti_comms.subscribers.forms import place_from_choice
        from hti_comms.subscribers.models import LegalBasis

        for address, name, municipality in READERS:
            add_contact(ContactDetails(address, name, "", ["nyhetsbrev", "lokala-resultat"]),
                        LegalBasis.CONSENT_GIVEN, place_from_choice("council_member:pensionarsrad", municipality),
                        actor=STAFF)
        return len(READERS)
    return data.get("newsletter-readers", make)


def _sections(with_image: bool = True):
    from hti_comms.newsletters.services import SectionFields

    fields = [SectionFields(**section) for section in SECTIONS]
    if with_image:
        fields[0].image_upload = (_cover_png(), "rapportomslag.png")
    return fields


def _newsletter(data, key: str, subject: str, number: int, **extra):
    """Create a newsletter with the three sections (made once under `key`); return its id."""
    def make(_data):
        from hti_comms.newsletters.models import NewsletterKind
        from hti_comms.newsletters.services import NewsletterFields, create_newsletter

        readers(data)
        return create_newsletter(NewsletterKind.NEWSLETTER, subject, created_by=STAFF, sections=_sections(),
                                 fields=NewsletterFields(number=number, intro=(
                                     "Här är höstens nyheter om Hemtjänstindex: en ny rapport, rapportpaketet och "
                                     "hur en kommun arbetar med sitt resultat."), **extra)).id
    return data.get(key, make)


def _circular(data, key: str, subject: str, heading: str):
    """Create a circular with its letter parts (made once under `key`); return its id."""
    def make(_data):
        from datetime import date

        from hti_comms.newsletters.models import NewsletterKind
        from hti_comms.newsletters.services import NewsletterFields, SectionFields, create_newsletter

        readers(data)
        sections = [
            SectionFields(title="Grundkurs om Hemtjänstindex, torsdag 6 november", body=(
                "En digital grundkurs för dig med uppdrag i pensionärsråd eller seniorråd, **torsdag 6 november "
                "kl. 10.00–11.30**. Förbundsordföranden och den vetenskapliga ledaren medverkar. Kursen är redan "
                "nästa vecka."), link_url="https://spfseniorerna.se/hemtjanstindex/grundkurs",
                link_text="Anmäl dig till grundkursen"),
            SectionFields(title="Webbinarium före publiceringen, torsdag 27 november", body=(
                "Ett webbinarium kl. 10–12 om hur resultaten tas fram och hur du kan använda dem i rådet."),
                link_url="https://spfseniorerna.se/hemtjanstindex/webbinarium",
                link_text="Anmäl dig till webbinariet"),
            SectionFields(title="Publiceringen tisdag 2 december kl. 07.00", body=(
                "Hemtjänstindex publiceras på webbplatsen. Det blir inget webbinarium den dagen. En vecka senare "
                "visar de kommuner som lyckats bäst hur de arbetar, i en sändning utan anmälan; mer om den "
                "kommer senare.")),
        ]
        return create_newsletter(NewsletterKind.CIRCULAR, subject,
                                 created_by=STAFF, sections=sections, fields=NewsletterFields(
                                     heading=heading, letter_date=date(2025, 10, 28),
                                     intro="Här är höstens tillfällen att lära sig mer om Hemtjänstindex.",
                                     signature_name="Eva Exempel",
                                     signature_title="projektledare för Hemtjänstindex")).id
    return data.get(key, make)


class _RefusingHandler:
    """Keeps every message like the sink, but refuses the bouncing address as a mail server would."""

    def __init__(self, sink):
        from hti_comms.delivery.sink import StoringHandler

        self._storing = StoringHandler(sink.store)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == BOUNCING:
            return "550 5.1.1 Adressen finns inte"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        return await self._storing.handle_DATA(server, session, envelope)


def _deliver(app) -> None:
    """Send what is due through the real worker to a local sink that refuses one address."""
    from hti_comms.delivery.sink import MemorySink
    from hti_comms.delivery.worker import deliver_due

    sink = MemorySink()
    sink.start(handler=_RefusingHandler(sink))
    saved = {key: app.config[key] for key in ("SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=sink.port, SMTP_SECURITY="none")
    try:
        deliver_due()
    finally:
        sink.stop()
        app.config.update(saved)


def _start(newsletter_id: int):
    """Schedule for now and start it as the sweep does; return the newsletter."""
    from hti_comms.extensions import db
    from hti_comms.newsletters.checks import check_newsletter
    from hti_comms.newsletters.models import Newsletter
    from hti_comms.newsletters.sending import schedule, start

    newsletter = db.session.get(Newsletter, newsletter_id)
    schedule(newsletter, None, [f.message for f in check_newsletter(newsletter) if not f.is_error])
    assert start(newsletter_id) is not None, "the newsletter did not start"
    return db.session.get(Newsletter, newsletter_id)


def sent_newsletter(data) -> int:
    """Newsletter #14, sent: delivered to all but one bounced address, its links clicked (made once)."""
    def make(data_):
        from hti_comms.newsletters.clicks import click_url, follow

        newsletter_id = _newsletter(data_, "newsletter-14", "Ny rapport, rapportpaketet och Habos handlingsplan", 14)
        newsletter = _start(newsletter_id)
        _deliver(data_.app)
        for position, clicks in ((0, 5), (1, 3), (2, 1)):
            for _ in range(clicks):
                follow(click_url(newsletter.id, position).rsplit("/", 1)[-1])
        return newsletter_id
    return data.get("sent-newsletter", make)


def sent_circular(data) -> int:
    """A circular that has gone out (in the archive; its email is checked)."""
    def make(data_):
        circular_id = _circular(data_, "sent-circular", "Kurser och webbinarium om Hemtjänstindex i höst",
                                "Hemtjänstindex i höst: kurser, webbinarium och publicering")
        _start(circular_id)
        return circular_id
    return data.get("started-circular", make)


def draft_circular(data) -> int:
    """A circular ready to send: no findings, recipients on the list."""
    return _circular(data, "draft-circular", "Vårens kurser om Hemtjänstindex",
                     "Välkommen till vårens kurser om Hemtjänstindex")


def scheduled_newsletter(data) -> int:
    """Newsletter #15, scheduled for next week."""
    def make(data_):
        from datetime import timedelta

        from hti_comms import clock
        from hti_comms.extensions import db
        from hti_comms.newsletters.models import Newsletter
        from hti_comms.newsletters.sending import schedule

        sent_newsletter(data_)  # #15 follows #14
        newsletter_id = _newsletter(data_, "newsletter-15", "Inför publiceringen: så läser du ditt resultat", 15)
        schedule(db.session.get(Newsletter, newsletter_id), clock.now() + timedelta(days=7), [])
        return newsletter_id
    return data.get("scheduled-newsletter", make)


def paused_newsletter(data) -> int:
    """A newsletter that started going out and was paused before any message left."""
    def make(data_):
        from hti_comms.newsletters.sending import pause

        newsletter_id = _newsletter(data_, "newsletter-paused", "Extra nyhetsbrev: frågor till din kommun", 16,
                                    topics="Frågor att ställa till kommunen")
        pause(_start(newsletter_id))
        return newsletter_id
    return data.get("paused-newsletter", make)


def stopped_newsletter(data) -> int:
    """A newsletter staff cancelled while it went out: its archive page says it was stopped."""
    def make(data_):
        from hti_comms.newsletters.sending import cancel

        newsletter_id = _newsletter(data_, "newsletter-stopped", "Fel utskick: stoppat", 17)
        cancel(_start(newsletter_id))
        return newsletter_id
    return data.get("stopped-newsletter", make)


def flawed_newsletter(data) -> int:
    """A draft whose checks find errors and warnings, meant for an audience nobody is in."""
    def make(data_):
        from hti_comms.extensions import db
        from hti_comms.newsletters.models import Newsletter, NewsletterKind
        from hti_comms.newsletters.services import NewsletterFields, SectionFields, create_newsletter
        from hti_comms.subscribers.audiences import Criteria, save_audience

        readers(data_)
        nobody = save_audience(None, "Pensionärsråd i Jämtlands län", "Ingen är med än",
                               Criteria(list_keys=("nyhetsbrev",), roles=("council_member",), county_codes=("23",)))
        sections = [
            SectionFields(title="Anmäl dig till grundkursen", body=(
                "Grundkursen är digital. [Klicka här](http://spfseniorerna.se/kurs) för att anmäla dig, eller "
                "gå med direkt i [mötet](https://spfsenoirerna.se/mote)."), image_alt="",
                image_upload=(_cover_png(), "kurs.png")),
            SectionFields(title="Rapportpaketet", body="Beställ senast i oktober.",
                          link_url="https://hemtjanstindex.se/rapportpaket"),
        ]
        newsletter = create_newsletter(NewsletterKind.NEWSLETTER, "Grundkursen och rapportpaketet", created_by=STAFF,
                                       sections=sections, fields=NewsletterFields(number=18, audience_ids=[nobody.id]))
        db.session.commit()
        assert db.session.get(Newsletter, newsletter.id) is not None
        return newsletter.id
    return data.get("flawed-newsletter", make)


def _newsletter_args(which):
    return lambda data: {"newsletter_id": which(data)}


def _section_args(data):
    from hti_comms.extensions import db
    from hti_comms.newsletters.models import Newsletter

    newsletter = db.session.get(Newsletter, _newsletter(data, "section-draft", "Rapportpaketet och hösten", 19))
    return {"newsletter_id": newsletter.id, "section_id": newsletter.sections[0].id}


def _new_section_args(data):
    return {"newsletter_id": draft_circular(data), "kind_key": "text"}


def _press(name):
    def then(page_):
        with page_.expect_navigation(wait_until="load"):
            page_.get_by_role("button", name=name).click()
    return then


def _clear_and_press(label, button):
    def then(page_):
        page_.get_by_label(label, exact=True).fill("")
        _press(button)(page_)
    return then


def _review(page_):
    """Go on to the confirmation, accepting the warnings (the test site's own links are http)."""
    accept = page_.get_by_label("Jag har läst varningarna och vill skicka ändå")
    if accept.count():
        accept.check()
    _press("Gå vidare")(page_)


def _later_without_date(page_):
    page_.get_by_label("Vid en viss tid").check()
    _press("Gå vidare")(page_)


def _untick_all(page_):
    for box in page_.locator("input[type=checkbox]").all():
        box.uncheck()
    _press("Skicka provet")(page_)


def _newsletter_send(data):
    from hti_comms.delivery.models import Send
    from hti_comms.extensions import db
    from hti_comms.newsletters.models import Newsletter

    return db.session.get(Send, db.session.get(Newsletter, sent_newsletter(data)).send_id)


def _circular_send(data):
    from hti_comms.delivery.models import Send
    from hti_comms.extensions import db
    from hti_comms.newsletters.models import Newsletter

    return db.session.get(Send, db.session.get(Newsletter, sent_circular(data)).send_id)


# Public pages: the web archive
page("newsletters.archive_index", args=lambda data: sent_newsletter(data) and sent_circular(data) and {})
page("newsletters.archive_page", args=_newsletter_args(sent_newsletter))
page("newsletters.archive_page", state="cirkulär", args=_newsletter_args(sent_circular))
page("newsletters.archive_page", state="stoppat", args=_newsletter_args(stopped_newsletter))
not_a_page("newsletters.feed", "the archive as an Atom feed (XML)")
not_a_page("newsletters.image", "an image file of a sent newsletter")
not_a_page("newsletters.click", "counts a click and redirects to the link")

# Staff pages
page("newsletters_admin.index", args=lambda data: (sent_newsletter(data), scheduled_newsletter(data),
                                                   draft_circular(data)) and {})
page("newsletters_admin.new", args={"kind": "newsletter"})
page("newsletters_admin.new", state="cirkulär", args={"kind": "circular"})
page("newsletters_admin.new", state="fel", args={"kind": "newsletter"}, then=_press("Skapa utkastet"))
page("newsletters_admin.show", args=_newsletter_args(draft_circular))
page("newsletters_admin.show", state="skickat", args=_newsletter_args(sent_newsletter))
page("newsletters_admin.show", state="schemalagt", args=_newsletter_args(scheduled_newsletter))
page("newsletters_admin.show", state="pausat", args=_newsletter_args(paused_newsletter))
page("newsletters_admin.show", state="fel-i-kontrollen", args=_newsletter_args(flawed_newsletter))
page("newsletters_admin.edit", args=_newsletter_args(flawed_newsletter))
page("newsletters_admin.edit", state="cirkulär", args=_newsletter_args(draft_circular))
page("newsletters_admin.edit", state="fel", args=_newsletter_args(draft_circular),
     then=_clear_and_press("Ämnesrad", "Spara"))
page("newsletters_admin.section", args=_section_args)
page("newsletters_admin.section", state="nytt", args=_new_section_args)
page("newsletters_admin.section", state="fel", args=_new_section_args, then=_press("Spara avsnittet"))
page("newsletters_admin.preview", args=_newsletter_args(draft_circular))
page("newsletters_admin.preview", state="fel-i-kontrollen", args=_newsletter_args(flawed_newsletter))
page("newsletters_admin.test_send", args=_newsletter_args(draft_circular))
page("newsletters_admin.test_send", state="fel", args=_newsletter_args(draft_circular), then=_untick_all)
page("newsletters_admin.send", args=_newsletter_args(draft_circular))
page("newsletters_admin.send", state="bekräfta", args=_newsletter_args(draft_circular), then=_review)
page("newsletters_admin.send", state="fel", args=_newsletter_args(draft_circular), then=_later_without_date)
page("newsletters_admin.send", state="fel-i-kontrollen", args=_newsletter_args(flawed_newsletter))
page("newsletters_admin.recipients", args=_newsletter_args(draft_circular))
page("newsletters_admin.recipients", state="skickat", args=_newsletter_args(sent_newsletter))
# The newsletter's send in the outbox: its kind and what it is, in words.
page("delivery_admin.send_detail", state="nyhetsbrev", args=lambda data: {"send_id": _newsletter_send(data).id})
not_a_page("newsletters_admin.preview_html", "the email shown in the preview page's frames (checked as an email)")
not_a_page("newsletters_admin.section_image", "a section's image file for the section form")
not_a_page("newsletters_admin.markdown_preview", "JSON for the section form's live Markdown preview")
for endpoint in ("delete", "move", "remove_section", "unschedule_view", "pause_view", "resume_view", "cancel_view"):
    not_a_page(f"newsletters_admin.{endpoint}", "POST that changes the newsletter and redirects to its page")

# Emails
email("newsletters/newsletter", build=_newsletter_send)
email("newsletters/circular", build=_circular_send)


def _trial_addresses(data):
    """One named test address confirmed by its owner and one still waiting (made once)."""
    def make(_data):
        from hti_comms.newsletters.trial_addresses import add_trial_address, confirm

        confirm(add_trial_address("mobilen@example.se", "Karins mobil", added_by=STAFF))
        return add_trial_address("kollega@example.se", "", added_by=STAFF).key
    return data.get("newsletters:trial-addresses", make)


def _trial_confirm_args(data):
    from hti_comms.newsletters.trial_addresses import CONFIRM_PURPOSE
    from hti_comms.tokens import make_personal_token

    return {"token": make_personal_token(CONFIRM_PURPOSE, _trial_addresses(data), None)}


def _trial_email(data):
    from sqlalchemy import select

    from hti_comms.delivery.models import Send
    from hti_comms.extensions import db

    _trial_addresses(data)
    return db.session.scalar(select(Send).where(Send.kind == "trial_address_confirmation").order_by(Send.id.desc()))


page("newsletters_admin.trial_addresses", args=lambda data: _trial_addresses(data) and {})
page("newsletters.confirm_trial_address", args=_trial_confirm_args)
not_a_page("newsletters_admin.duplicate", "a POST that copies the newsletter and redirects to the copy")
not_a_page("newsletters_admin.remove_trial_address", "a POST that redirects to the test addresses")
email("newsletters/trial_confirm", build=_trial_email)
