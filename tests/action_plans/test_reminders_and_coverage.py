"""The reminder after ACTION_PLAN_REMINDER_MONTHS, coverage per county, and the audience of municipalities without a
registered plan."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from hti_comms import clock
from hti_comms.action_plans.reminders import add_months, reminder_at
from hti_comms.delivery.models import OutboxMessage, Send
from hti_comms.delivery.worker import deliver_due
from hti_comms.scheduling.sweeps import run_all_once
from hti_comms.subscribers.audiences import Criteria, resolve
from hti_comms.subscribers.models import Audience
from tests.helpers import form_csrf_token
from tests.publication.helpers import PUBLISHED_AT, results_for_2025, staff_order, text_of, to_of

from .helpers import add


def test_months_are_added_in_stockholm_wall_clock_time_across_daylight_saving_and_month_ends():
    december = datetime(2025, 12, 4, 6, 0, tzinfo=timezone.utc)  # 07.00 winter time
    assert add_months(december, 6) == datetime(2026, 6, 4, 5, 0, tzinfo=timezone.utc)  # 07.00 summer time
    assert add_months(datetime(2025, 8, 31, 10, 0, tzinfo=timezone.utc), 6) == \
        datetime(2026, 2, 28, 11, 0, tzinfo=timezone.utc)
    assert add_months(december, 13) == datetime(2027, 1, 4, 6, 0, tzinfo=timezone.utc)


@pytest.fixture
def ordered(app):
    app.config["ACTION_PLAN_REMINDER_MONTHS"] = 6
    results_for_2025()
    staff_order("0114", "eva@vasby.example.se")
    staff_order("0115", "vera@vallentuna.example.se", "olle@vallentuna.example.se")
    add(2025, "0114", "information", "ta fram en tydligare webbplats med klarspråk", status="pagar")


def _reminders(db) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).join(Send).where(
        Send.kind == "action_plan_reminder"))


def test_the_reminder_goes_once_after_the_set_months_with_each_contacts_link(client, db, mail_sink, ordered):
    due = reminder_at(2025)
    assert due == datetime(2026, 6, 4, 5, 0, tzinfo=timezone.utc)
    clock.set_now(PUBLISHED_AT)
    run_all_once()
    clock.set_now(due - timedelta(minutes=1))
    run_all_once()
    assert _reminders(db) == 0
    clock.set_now(due + timedelta(days=2))  # the scheduler was down: it catches up
    run_all_once()
    run_all_once()  # and safe to run twice
    assert _reminders(db) == 3
    messages = [m for m in mail_sink.wait_for(deliver_due()) if "Hur går arbetet" in m["Subject"]]
    by_address = {to_of(m): text_of(m) for m in messages}
    assert set(by_address) == {"eva@vasby.example.se", "vera@vallentuna.example.se", "olle@vallentuna.example.se"}
    eva = by_address["eva@vasby.example.se"]
    assert "Information: ta fram en tydligare webbplats med klarspråk (pågår)" in eva
    assert "Resultatsidan visar ännu inga åtgärder" in by_address["vera@vallentuna.example.se"]
    links = {address: re.search(r"https://hti\.example\.se/atgardsplan/\S+", text).group(0)
             for address, text in by_address.items()}
    assert len(set(links.values())) == 3
    page = client.get(urlsplit(links["vera@vallentuna.example.se"]).path).get_data(as_text=True)
    assert "Vallentunas arbete med resultatet 2025" in page


def test_a_reminder_long_overdue_is_not_sent(db, ordered):
    clock.set_now(reminder_at(2025) + timedelta(days=45))
    run_all_once()
    assert _reminders(db) == 0


def test_coverage_counts_the_290_per_county_and_the_audience_reaches_officials_of_the_rest(staff_login, db, ordered,
                                                                                          make_contact):
    add(2025, "0180", "utforande", "ge varje person en fast kontaktperson")
    add(2024, "0115", "information", "ge tydligare information om avgifterna")  # another year: not a 2025 plan
    page = staff_login.get("/admin/atgardsplaner/2025").get_data(as_text=True)
    assert "<strong>2 av 290</strong> kommuner har en registrerad åtgärdsplan för 2025." in page
    stockholm = re.search(r"<th scope=\"row\">Stockholms län</th><td class=\"num\">(\d+)</td><td class=\"num\">(\d+)",
                          page)
    assert stockholm.groups() == ("2", "26")
    assert "288 kommuner saknar en registrerad plan för 2025." in page

    make_contact("tjanste@vallentuna.example.se", role="municipal_official", municipality="Vallentuna")
    make_contact("tjanste@vasby.example.se", role="municipal_official", municipality="Upplands Väsby")
    make_contact("rad@vallentuna.example.se", role="council_member:pensionarsrad", municipality="Vallentuna")
    url = "/admin/atgardsplaner/2025/malgrupp"
    response = staff_login.post(url, data={"csrf_token": form_csrf_token(staff_login, "/admin/atgardsplaner/2025")})
    assert response.status_code == 302
    audience = db.session.scalar(select(Audience))
    assert audience.name == "Kommuner utan registrerad åtgärdsplan 2025"
    assert [m.email for m in resolve(Criteria.of(audience))] == ["tjanste@vallentuna.example.se"]
    # Saved again from the audience page, the condition stays; a plan registered since takes the municipality out.
    edit = f"/admin/kontakter/malgrupper/{audience.id}"
    page = staff_login.get(edit).get_data(as_text=True)
    assert '<option selected value="2025">2025</option>' in page
    add(2025, "0115", "index", "följa upp resultatet i pensionärsrådet")
    assert resolve(Criteria.of(audience)) == []
