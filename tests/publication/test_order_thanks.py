"""Found by a new user's walk-through: the order thank-you page did not repeat what the receipt email gives (the
municipality, when the order came in, its number in the queue once it has one)."""
from __future__ import annotations

import re

from sqlalchemy import select

from hti_comms.delivery.worker import deliver_due
from hti_comms.extensions import db
from hti_comms.publication.contacts import approve_contact
from hti_comms.publication.models import OrderContact

from .helpers import results_for_2025, text_of


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def _order(client, email="eva@vasby.example.se"):
    page = client.get("/bestall").get_data(as_text=True)
    return client.post("/bestall", data={"csrf_token": _csrf(page), "municipality": "0114", "name": "Eva Kommun",
                                         "email": email, "invoice_reference": "Ref 12"}, follow_redirects=True)


def test_the_thank_you_page_repeats_the_receipt_and_the_number_once_there_is_one(app, client, mail_sink):
    results_for_2025()
    thanks = _order(client).get_data(as_text=True)
    deliver_due()
    [receipt] = mail_sink.wait_for(1)
    text = text_of(receipt)
    # The same facts as the receipt: whose order, when it came in, and that the number comes later.
    received = re.search(r"för Hemtjänstindex 2025, (.+?)\.", text).group(1)
    assert f"Vi har tagit emot Upplands Väsbys beställning av rapportpaketet för Hemtjänstindex 2025, {received}." \
           in thanks
    assert "nummer" not in receipt["Subject"] and "i kön." not in thanks.split("Då får beställningen")[0]

    # Staff approve, the contact confirms: the order takes its place, and the page after the button says the
    # number the email gives.
    mail_sink.clear()
    order_contact = db.session.scalar(select(OrderContact))
    approve_contact(order_contact, actor="personal@spf.example")
    url = re.search(r"https://hti\.example\.se(/bestall/bekrafta/\S+)", text).group(1)
    page = client.get(url).get_data(as_text=True)
    confirmed = client.post(url, data={"csrf_token": _csrf(page)}).get_data(as_text=True)
    assert "Beställningen är nummer 1 i kön." in confirmed
    deliver_due()
    [placed] = mail_sink.wait_for(1)
    assert placed["Subject"] == "Er beställning av rapportpaketet 2025 är nummer 1 i kön"
    # And the thank-you page, opened again, says it too.
    assert "Er beställning är nummer 1 i kön." in client.get("/bestall/tack").get_data(as_text=True)

