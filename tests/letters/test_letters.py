"""Letters for members whose channel is `brev`: a mixed audience splits (email or letter, never both), the PDF
puts each address in the window of a C5/C65 window envelope and keeps the brief's figures and chart, erasure
removes a person's letters, consent and suppression apply, embargoed summaries are never printed."""
from __future__ import annotations

import io

import pypdf
from sqlalchemy import select

from hti_comms.briefs.audiences import council_audience
from hti_comms.briefs.emails import send_local_brief
from hti_comms.delivery.models import OutboxMessage
from hti_comms.delivery.services import suppress
from hti_comms.extensions import db
from hti_comms.letters.models import BatchStatus, Letter, PrintBatch
from hti_comms.letters.services import make_pdf, mark_printed
from hti_comms.personal_data import erase_person
from hti_comms.subscribers.audiences import recipients
from hti_comms.subscribers.directory import unsubscribe_by_staff
from hti_comms.subscribers.gdpr import person_of
from tests.briefs.test_emails import municipality, published_years

BRIEF_LISTS = ("lokala-resultat",)
MM_PER_POINT = 25.4 / 72
#: The window of a C5/C65 window envelope on an A4 letter folded in three (Swedish standard for window
#: envelopes): 20 mm from the left edge, 45 to 90 mm from the top edge, 90 mm wide.
WINDOW_LEFT, WINDOW_RIGHT, WINDOW_TOP, WINDOW_BOTTOM = 20, 110, 45, 90


def council(make_contact, make_letter_member):
    """Two email members, two letter members (one without an email address) and two who must get nothing."""
    make_contact("anna@example.se", name="Anna Epost", list_keys=BRIEF_LISTS)
    make_contact("bo@example.se", name="Bo Epost", list_keys=BRIEF_LISTS)
    make_letter_member("Greta Brevsson", "Storgatan 1", "123 45", "Småstad", list_keys=BRIEF_LISTS)
    make_letter_member("Harald Papper", "Lillgatan 22 B", "543 21", "Storby", email="harald@example.se",
                       list_keys=BRIEF_LISTS)
    gone = make_letter_member("Ivar Avregistrerad", "Vägen 3", "111 22", "Byn", list_keys=BRIEF_LISTS)
    unsubscribe_by_staff(gone, actor="test")
    make_letter_member("Jenny Spärrad", "Gränd 4", "222 33", "Staden", email="jenny@example.se",
                       list_keys=BRIEF_LISTS)
    suppress("jenny@example.se", "complaint")
    db.session.commit()


def send_brief():
    audience = council_audience(municipality("0114"))
    return send_local_brief(municipality("0114"), 2024, recipients(audience), letters_to=audience)


def test_a_mixed_audience_gets_email_or_a_letter_never_both(app, make_contact, make_letter_member):
    published_years()
    council(make_contact, make_letter_member)
    send = send_brief()
    emailed = set(db.session.scalars(select(OutboxMessage.email).where(OutboxMessage.send_id == send.id)))
    assert emailed == {"anna@example.se", "bo@example.se"}
    batch = db.session.scalars(select(PrintBatch)).one()
    assert (batch.send_id, batch.owner_domain, batch.owner_kind, batch.owner_key) == (
        send.id, "briefs", "brief", "2024:0114")
    assert sorted(letter.name for letter in batch.letters) == ["Greta Brevsson", "Harald Papper"]
    assert batch.letter_count == 2 and batch.status is BatchStatus.WAITING
    # Sending again adds no second letter (as no second email) for the same send.
    send_brief()
    assert db.session.scalar(select(PrintBatch.letter_count)) == 2


def _positions(page):
    """Return (text, x mm from the left, y mm from the top) of every piece of text on the page."""
    found = []
    height = float(page.mediabox.height)

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((text.strip(), x * MM_PER_POINT, (height - y) * MM_PER_POINT))
    page.extract_text(visitor_text=visit)
    return found


def test_the_pdf_shows_each_address_in_the_window_and_keeps_the_brief_s_figures_and_chart(
        app, make_contact, make_letter_member):
    published_years()
    council(make_contact, make_letter_member)
    send_brief()
    batch = db.session.scalars(select(PrintBatch)).one()
    reader = pypdf.PdfReader(io.BytesIO(make_pdf(batch)))
    cover = reader.pages[0].extract_text()
    assert "Utskriftsomgång" in cover and "2 brev" in cover and f"Utskick nr {batch.send_id}" in cover
    letter_pages = reader.pages[1:]
    per_letter = len(letter_pages) // 2
    assert per_letter >= 1 and len(letter_pages) == 2 * per_letter
    expected = {"Greta Brevsson": ["Storgatan 1", "123 45 Småstad"],
                "Harald Papper": ["Lillgatan 22 B", "543 21 Storby"]}
    for first in (letter_pages[0], letter_pages[per_letter]):
        positions = _positions(first)
        name = next(n for n in expected if any(n == t for t, _x, _y in positions))
        for line in [name, *expected[name]]:
            (x, y), = [(x, y) for t, x, y in positions if t == line]
            assert WINDOW_LEFT <= x <= WINDOW_RIGHT - 30 and WINDOW_TOP <= y <= WINDOW_BOTTOM, (line, x, y)
        text = first.extract_text()
        assert "SPF Seniorerna" in text and "Box 22574" in text  # the return address
        assert "3 december 2024" in text  # the date in words (the send's day, Stockholm time)
        assert f"Sida 1 av {per_letter}" in text
    whole = "\n".join(page.extract_text() for page in letter_pages[:per_letter])
    for figure in ["72,5", "71,4", "plats 2 av 4", "Delindex jämfört med genomsnittet", "Biståndshandläggning"]:
        assert figure in whole
    assert any(page.images for page in letter_pages[:per_letter])  # the bar chart
    assert "avregistrera" not in whole.lower()  # no web-only elements


def test_erasure_removes_a_person_s_letters_from_unprinted_batches(app, make_contact, make_letter_member):
    published_years()
    council(make_contact, make_letter_member)
    send_brief()
    batch = db.session.scalars(select(PrintBatch)).one()
    make_pdf(batch)
    greta = db.session.scalars(select(Letter).where(Letter.name == "Greta Brevsson")).one()
    from hti_comms.subscribers.models import Contact

    erase_person(person_of(db.session.get(Contact, greta.contact_id)))
    db.session.commit()
    db.session.expire_all()
    batch = db.session.scalars(select(PrintBatch)).one()
    assert [letter.name for letter in batch.letters] == ["Harald Papper"]
    assert batch.letter_count == 1 and batch.pdf is None  # made again without her
    assert "Greta" not in "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(make_pdf(batch))).pages)


def test_marking_a_batch_printed_records_who_and_when(app, make_contact, make_letter_member):
    published_years()
    council(make_contact, make_letter_member)
    send_brief()
    batch = db.session.scalars(select(PrintBatch)).one()
    mark_printed(batch, "personal@spf.example")
    assert batch.status is BatchStatus.PRINTED and batch.printed_by == "personal@spf.example"
    assert batch.printed_at is not None


def test_an_embargoed_summary_is_never_printed(app, make_contact, make_letter_member):
    published_years()
    council(make_contact, make_letter_member)
    audience = council_audience(municipality("0114"))
    send_local_brief(municipality("0114"), 2024, recipients(audience), embargoed_audience=True, letters_to=audience)
    assert db.session.scalars(select(PrintBatch)).all() == []


def test_the_staff_pages_say_that_embargoed_summaries_are_never_printed(staff_login):
    page = staff_login.get("/admin/publicering/2025").get_data(as_text=True)
    assert "De skrivs aldrig ut som\n     brev" in page
    assert "Sammanfattningar under embargo skrivs aldrig ut" in staff_login.get("/admin/brev/").get_data(as_text=True)


def test_a_district_digest_is_printed_for_district_chairs_with_letters(app, lists):
    from hti_comms.briefs.audiences import district_audience
    from hti_comms.briefs.emails import send_district_digest
    from hti_comms.geo.models import District
    from hti_comms.subscribers.directory import ContactDetails, add_contact
    from hti_comms.subscribers.forms import place_from_choice
    from hti_comms.subscribers.models import Channel, LegalBasis
    from hti_comms.subscribers.postal import PostalDetails

    published_years()
    stockholm = db.session.scalar(select(District).where(District.county_code == "01"))
    add_contact(ContactDetails("", "Dora Distrikt", "", list(BRIEF_LISTS),
                               PostalDetails(Channel.LETTER, "", "Distriktsvägen 5", "116 20", "Stockholm")),
                LegalBasis.CONSENT_GIVEN, place_from_choice("district_chair", "", district_id=stockholm.id),
                actor="test")
    audience = district_audience(stockholm)
    send = send_district_digest(stockholm, 2024, recipients(audience), letters_to=audience)
    batch = db.session.scalars(select(PrintBatch)).one()
    assert (batch.send_id, batch.owner_kind, batch.owner_key) == (send.id, "district-digest", f"2024:{stockholm.id}")
    assert [letter.name for letter in batch.letters] == ["Dora Distrikt"]
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(make_pdf(batch))).pages)
    assert "Kommun för kommun" in text and "Upplands Väsby" in text and "72,5" in text
