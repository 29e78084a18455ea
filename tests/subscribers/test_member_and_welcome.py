"""Found by a new user's walk-through: /prenumerera offers a member or a relative no choice, and a new subscriber
got no welcome email with the link to their choices."""
from __future__ import annotations

import re

from sqlalchemy import select

from hti_comms.delivery.worker import deliver_due
from hti_comms.subscribers.models import Contact, ContactStatus, Role
from tests.helpers import form_csrf_token
from tests.publication.helpers import html_of, text_of
from tests.subscribers.test_signup import SIGNUP, signup_data


def test_a_member_or_relative_signs_up_without_an_assignment(client, db, lists):
    page = client.get(SIGNUP).get_data(as_text=True)
    assert '<option value="member_or_relative">Medlem eller anhörig (inget uppdrag)</option>' in page
    response = client.post(SIGNUP, data=signup_data(client, role="member_or_relative", municipality=""))
    assert response.status_code == 302
    [affiliation] = db.session.scalar(select(Contact)).affiliations
    assert (affiliation.role, affiliation.municipality_code, affiliation.describe()) == \
        (Role.MEMBER_OR_RELATIVE, None, "Medlem eller anhörig")


def test_a_member_who_gives_a_municipality_keeps_it(client, db, lists):
    client.post(SIGNUP, data=signup_data(client, email="anhorig@exempel.se", role="member_or_relative",
                                         municipality="Habo"))
    [affiliation] = db.session.scalar(select(Contact)).affiliations
    assert affiliation.municipality_code == "0643" and affiliation.describe() == "Medlem eller anhörig, Habo"


def test_confirming_brings_a_welcome_email_with_the_preference_link(client, db, lists, mail_sink):
    client.post(SIGNUP, data=signup_data(client))
    deliver_due()
    [confirmation] = mail_sink.wait_for(1)
    url = re.search(r"https://hti\.example\.se(/bekrafta/\S+)", text_of(confirmation)).group(1)
    mail_sink.clear()
    token = form_csrf_token(client, url)
    client.post(url, data={"csrf_token": token})
    assert db.session.scalar(select(Contact)).status is ContactStatus.CONFIRMED
    assert deliver_due() == 1
    [welcome] = mail_sink.wait_for(1)
    assert welcome["Subject"] == "Välkommen till utskicken från Hemtjänstindex"
    text = text_of(welcome)
    assert "Hemtjänstindex nyhetsbrev" in text and "Kurser och webbinarier" in text
    preferences = re.search(r"https://hti\.example\.se(/installningar/\S+)", text).group(1)
    assert preferences in html_of(welcome)
    page = client.get(preferences)
    assert page.status_code == 200 and "Birgitta Berg" in page.get_data(as_text=True)
    # Confirming again (the page reloaded, the button pressed twice) welcomes nobody twice.
    assert client.post(url, data={"csrf_token": token}).status_code == 200
    assert deliver_due() == 0
