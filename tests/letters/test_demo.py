"""The demo letters of `make run`: members who chose letters by post, and a print batch of their letters."""
import io

import pypdf
from sqlalchemy import select

from hti_comms.delivery.services import send_counts
from hti_comms.letters.demo import load
from hti_comms.letters.models import BatchStatus, PrintBatch
from hti_comms.letters.services import make_missing_pdfs
from hti_comms.results.services import load_demo_results
from hti_comms.subscribers.models import Channel, Contact


def test_demo_letters_are_a_batch_for_marked_members_ready_to_download(app, db, lists, staff_login):
    year = load_demo_results()[-1]
    line = load()
    assert line.startswith("DEMODATA: 3 medlemmar i pensionärsrådet i Upplands Väsby") and str(year) in line
    assert load() is None  # once
    members = db.session.scalars(select(Contact).order_by(Contact.id)).all()
    assert [(c.channel, c.email) for c in members] == [(Channel.LETTER, None)] * 3
    assert all(c.name.endswith("(demo)") and c.street_address and c.postcode and c.town for c in members)

    batch = db.session.scalars(select(PrintBatch)).one()
    assert (batch.status, batch.letter_count, batch.without_address) == (BatchStatus.WAITING, 3, 0)
    assert batch.title == f"Upplands Väsby i Hemtjänstindex {year}"
    assert send_counts(batch.send_id)["total"] == 0  # the council has no one by email: no message queued
    assert make_missing_pdfs() == 1  # what the scheduler's sweep does within a minute of `make run`
    pages = pypdf.PdfReader(io.BytesIO(batch.pdf)).pages[1:]  # after the cover, three pages a letter
    for member, first_page in zip(members, pages[::len(pages) // 3]):
        text = first_page.extract_text()
        # Each letter carries its own member's address, and no one else's.
        assert [m.name for m in members if m.name in text] == [member.name]
        assert member.street_address in text and f"{member.postcode} {member.town}" in text

    page = staff_login.get(f"/admin/brev/{batch.id}").get_data(as_text=True)
    assert "Ladda ned PDF:en (3 brev och ett försättsblad)" in page and "Markera som utskriven" in page
    download = staff_login.get(f"/admin/brev/{batch.id}/pdf")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
