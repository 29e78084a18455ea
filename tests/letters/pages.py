"""Staff pages of the letters domain for the accessibility checks (see tests/a11y/registry.py)."""
from tests.a11y.registry import not_a_page, page


def _batch_id(data):
    """Make a print batch with one letter (once) and return its id."""
    def make(_data):
        from hti_comms import clock
        from hti_comms.delivery.owner import Owner
        from hti_comms.extensions import db
        from hti_comms.letters.content import LetterContent
        from hti_comms.letters.services import collect
        from hti_comms.subscribers.models import Channel, Contact, ContactStatus

        contact = Contact(email=None, name="Greta Brev", status=ContactStatus.CONFIRMED, created_at=clock.now(),
                          status_changed_at=clock.now(), channel=Channel.LETTER, street_address="Storgatan 1",
                          postcode="123 45", town="Småstad")
        db.session.add(contact)
        db.session.flush()
        batch = collect(Owner("newsletters", "newsletter", "1"), 1, [contact.id],
                        LetterContent("Nyhetsbrev", "<h1>Nyhetsbrev</h1><p>Hej.</p>"))
        db.session.commit()
        return batch.id
    return data.get("print-batch", make)


page("letters_admin.batches")
page("letters_admin.batch", args=lambda data: {"batch_id": _batch_id(data)})
not_a_page("letters_admin.pdf", "the batch's PDF to print (tests/letters/test_pdf.py reads it back)")
not_a_page("letters_admin.printed", "a POST that records the batch as printed and redirects")
