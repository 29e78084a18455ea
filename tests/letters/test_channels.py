"""A newsletter to a mixed audience: email members get the email, `brev` members a letter, no one both; the staff
pages and the commands show the batch, download its PDF and record it as printed."""
from __future__ import annotations

import io
import json

import pypdf
from sqlalchemy import func, select

from hti_comms.delivery.models import OutboxMessage
from hti_comms.letters.models import BatchStatus, PrintBatch
from hti_comms.letters.services import make_missing_pdfs
from hti_comms.newsletters.checks import check_newsletter
from hti_comms.newsletters.sending import send_now
from hti_comms.extensions import db
from tests.helpers import form_csrf_token
from tests.newsletters.helpers import make_newsletter


def _mixed_readers(make_contact, make_letter_member):
    make_contact("epost1@exempel.se", name="Erik Epost")
    make_contact("epost2@exempel.se", name="Ella Epost")
    make_letter_member("Greta Brevsson", "Storgatan 1", "123 45", "Småstad")
    make_letter_member("Harald Papper", "Lillgatan 2", "543 21", "Storby", email="harald@exempel.se")
    make_letter_member("Olle Utanlista", "Gatan 3", "111 11", "Ort", list_keys=())  # chose no list: nothing
    make_letter_member("Ines Ingenadress", "", "", "")  # brev but no address: counted, no letter


def test_a_newsletter_goes_by_email_or_by_letter_never_both(app, make_contact, make_letter_member):
    _mixed_readers(make_contact, make_letter_member)
    newsletter = make_newsletter()
    send = send_now(newsletter.id, [])
    emailed = set(db.session.scalars(select(OutboxMessage.email).where(OutboxMessage.send_id == send.id)))
    assert emailed == {"epost1@exempel.se", "epost2@exempel.se"}
    batch = db.session.scalars(select(PrintBatch)).one()
    assert (batch.send_id, batch.owner_domain, batch.owner_kind, batch.owner_key) == (
        send.id, "newsletters", "newsletter", str(newsletter.id))
    assert sorted(letter.name for letter in batch.letters) == ["Greta Brevsson", "Harald Papper"]
    assert batch.without_address == 1
    assert not emailed & {"harald@exempel.se"}
    # The letter is the text part's content with its headings; no tracked links, no unsubscribe links.
    assert "<h2>Ny nationell rapport</h2>" in batch.body_html and "Läs sammanfattningen av rapporten" in batch.body_html
    assert "https://spfseniorerna.se/rapport" in batch.body_html and "avregistrera" not in batch.body_html.lower()


def test_staff_download_the_pdf_and_mark_the_batch_printed(app, staff_login, make_contact, make_letter_member):
    _mixed_readers(make_contact, make_letter_member)
    send_now(make_newsletter().id, [])
    batch_id = db.session.scalar(select(PrintBatch.id))
    assert f'href="/admin/brev/{batch_id}"' in staff_login.get("/admin/").get_data(as_text=True)  # the overview
    send_page = staff_login.get(f"/admin/utkorg/{db.session.get(PrintBatch, batch_id).send_id}").get_data(as_text=True)
    assert f'href="/admin/brev/{batch_id}"' in send_page and "2 brev till dem som har valt brev med posten" in send_page
    page = staff_login.get(f"/admin/brev/{batch_id}").get_data(as_text=True)
    assert "PDF:en skapas inom en minut" in page and "Sammanfattningar under embargo skrivs aldrig ut" in page
    assert make_missing_pdfs() == 1 and make_missing_pdfs() == 0  # the sweep, outside any request
    response = staff_login.get(f"/admin/brev/{batch_id}/pdf")
    assert response.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.data)).pages)
    assert "Greta Brevsson" in text and "Harald Papper" in text and "2 brev" in text
    url = f"/admin/brev/{batch_id}"
    staff_login.post(url + "/utskriven", data={"csrf_token": form_csrf_token(staff_login, url)})
    db.session.expire_all()
    batch = db.session.get(PrintBatch, batch_id)
    assert batch.status is BatchStatus.PRINTED and batch.printed_by and batch.printed_at
    page = staff_login.get("/admin/brev/").get_data(as_text=True)
    assert "Utskriven" in page
    assert f'href="/admin/brev/{batch_id}"' not in staff_login.get("/admin/").get_data(as_text=True)


def test_the_commands_list_the_batches_and_write_the_pdf(app, runner, tmp_path, make_contact, make_letter_member):
    _mixed_readers(make_contact, make_letter_member)
    send = send_now(make_newsletter().id, [])
    batch_id = db.session.scalar(select(PrintBatch.id))
    listed = runner.invoke(args=["hti", "letters", "list", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.output) == [{"id": batch_id, "send": send.id, "count": 2, "status": "waiting"}]
    assert "2 brev" in runner.invoke(args=["hti", "letters", "list"]).output
    out = tmp_path / "brev.pdf"
    written = runner.invoke(args=["hti", "letters", "pdf", str(batch_id), "--out", str(out)])
    assert written.exit_code == 0, written.output
    assert len(pypdf.PdfReader(out).pages) >= 3
    missing = runner.invoke(args=["hti", "letters", "pdf", "999", "--out", str(out)])
    assert missing.exit_code != 0 and "Det finns ingen utskriftsomgång med nummer 999." in missing.output


def test_a_newsletter_to_readers_who_all_chose_letters_can_be_sent(app, staff_login, make_letter_member):
    """Every reader on the list chose `brev`: nobody gets email, yet the newsletter is not refused as having no
    recipients; staff see how many get a letter before sending, and the print batch holds their letters."""
    make_letter_member("Greta Brevsson", "Storgatan 1", "123 45", "Småstad")
    make_letter_member("Harald Papper", "Lillgatan 2", "543 21", "Storby", email="harald@exempel.se")
    newsletter = make_newsletter()
    assert not [f for f in check_newsletter(newsletter, None) if f.is_error]
    show = staff_login.get(f"/admin/nyhetsbrev/{newsletter.id}").get_data(as_text=True)
    assert "Ingen får brevet" not in show
    assert "<strong>0</strong> med e-post och <strong>2</strong> med brev på papper" in show
    page = staff_login.get(f"/admin/nyhetsbrev/{newsletter.id}/skicka").get_data(as_text=True)
    assert "med e-post och <strong>2</strong> med brev på papper just nu" in page
    assert "ingen får brevet" not in page and "utskriftsbunt" in page
    send = send_now(newsletter.id, [])
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.send_id == send.id)) == 0
    batch = db.session.scalars(select(PrintBatch)).one()
    assert sorted(letter.name for letter in batch.letters) == ["Greta Brevsson", "Harald Papper"]


def test_a_newsletter_that_reaches_nobody_by_either_channel_is_still_refused(app, make_letter_member):
    make_letter_member("Olle Utanlista", "Gatan 3", "111 11", "Ort", list_keys=())
    errors = [f for f in check_newsletter(make_newsletter(), None) if f.is_error]
    assert any("Ingen får brevet" in str(f) for f in errors)


def test_an_audience_s_size_counts_those_who_get_letters(app, staff_login, make_contact, make_letter_member):
    _mixed_readers(make_contact, make_letter_member)
    size = staff_login.get("/admin/kontakter/malgrupper/storlek", query_string={"lists": "nyhetsbrev"}).get_json()
    # Erik, Ella (email), Greta, Harald (letters) and Ines (letters, no address yet: counted, as a newsletter does).
    assert size == {"count": 5, "text": "5 mottagare just nu: 2 med e-post och 3 med brev på papper"}


def test_the_newsletter_commands_count_letters_besides_emails(app, runner, make_contact, make_letter_member):
    _mixed_readers(make_contact, make_letter_member)
    newsletter = make_newsletter()

    status = runner.invoke(args=["hti", "newsletter", "status", str(newsletter.id)])
    assert "Mottagare just nu: 5 (2 med e-post och 3 med brev på papper)" in status.output, status.output
    check = runner.invoke(args=["hti", "newsletter", "check", str(newsletter.id)])
    assert "5 mottagare just nu: 2 med e-post och 3 med brev på papper." in check.output, check.output
    send = runner.invoke(args=["hti", "newsletter", "send", str(newsletter.id), "--accept-warnings"])
    assert send.exit_code == 0, send.output
    assert "skickas nu till 2 mottagare med e-post och 3 med brev på papper." in send.output
    batch = db.session.scalars(select(PrintBatch)).one()
    assert batch.letter_count + batch.without_address == 3
