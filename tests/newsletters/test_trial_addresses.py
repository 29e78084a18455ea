"""Test sends went only to staff logins: now also to a few named test addresses, each confirmed once by its owner."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hti_comms.delivery.models import OutboxMessage
from hti_comms.delivery.worker import deliver_due
from hti_comms.extensions import db
from hti_comms.newsletters.models import TrialAddress
from hti_comms.newsletters.sending import send_test
from hti_comms.newsletters.services import NewsletterError
from hti_comms.newsletters.trial_addresses import MAX_TRIAL_ADDRESSES, add_trial_address
from tests.helpers import form_csrf_token
from tests.publication.helpers import text_of

from .helpers import make_newsletter

PAGE = "/admin/nyhetsbrev/provadresser"


def test_a_named_address_gets_tests_only_once_its_owner_confirmed(app, staff_login, client, mail_sink):
    newsletter = make_newsletter()
    added = staff_login.post(PAGE, data={"csrf_token": form_csrf_token(staff_login, PAGE),
                                         "email": "Mobilen@Exempel.se", "name": "Karins mobil"})
    assert added.status_code == 302
    with pytest.raises(NewsletterError, match="bekräftad provadress"):
        send_test(newsletter, ["mobilen@exempel.se"])  # not before its owner says yes
    test_page = staff_login.get(f"/admin/nyhetsbrev/{newsletter.id}/prov").get_data(as_text=True)
    assert 'value="mobilen@exempel.se"' not in test_page

    assert deliver_due() == 1
    [message] = mail_sink.wait_for(1)
    assert message["Subject"] == "Vill du få provutskick från Hemtjänstindex?"
    url = re.search(r"https://hti\.example\.se(/provadress/\S+)", text_of(message)).group(1)
    assert "Bekräfta" in client.get(url).get_data(as_text=True)  # opening the link confirms nothing
    assert db.session.scalar(select(TrialAddress)).confirmed_at is None
    client.post(url, data={"csrf_token": form_csrf_token(client, url)})
    db.session.expire_all()
    assert db.session.scalar(select(TrialAddress)).confirmed_at is not None

    assert "Karins mobil &lt;mobilen@exempel.se&gt;" in staff_login.get(
        f"/admin/nyhetsbrev/{newsletter.id}/prov").get_data(as_text=True)
    send = send_test(newsletter, ["mobilen@exempel.se", "personal@spf.example"])
    assert sorted(db.session.scalars(select(OutboxMessage.email).where(OutboxMessage.send_id == send.id))) == \
        ["mobilen@exempel.se", "personal@spf.example"]


def test_only_a_few_and_never_a_staff_login_twice(app, staff_user):
    for number in range(MAX_TRIAL_ADDRESSES):
        add_trial_address(f"prov{number}@exempel.se", "", added_by="test")
    with pytest.raises(NewsletterError, match=f"högst {MAX_TRIAL_ADDRESSES} provadresser"):
        add_trial_address("en.till@exempel.se", "", added_by="test")
    with pytest.raises(NewsletterError, match="personalinloggning"):
        add_trial_address(staff_user.email, "", added_by="test")
