"""Staff pages: set and postpone the publication, the queue with the next in line, delivery out of turn with a
reason, the timeline with a dry run, the audit log and its CSV."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from hti_comms import clock
from hti_comms.extensions import db
from hti_comms.publication.models import Order, OrderStatus
from hti_comms.publication.moments import moments

from .helpers import PUBLISHED_AT, RELEASE_AT, results_for_2025, staff_order


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_postponing_on_the_staff_page_moves_the_steps_and_is_logged(app, staff_login):
    results_for_2025()
    page = staff_login.get("/admin/publicering/2025").get_data(as_text=True)
    assert "torsdag 4 december 2025 kl. 07.00" in page
    # A date and a time field, as on the newsletter's send page; what is not a date is named beside its field.
    assert 'type="date"' in page and 'type="time"' in page
    bad = staff_login.post("/admin/publicering/2025/tid", data={"csrf_token": _csrf(page), "published_date": "imorgon",
                                                                "published_time": "07:00"})
    assert bad.status_code == 400 and "Skriv ett datum, till exempel 2026-12-03." in bad.get_data(as_text=True)
    assert moments(2025).published_at == PUBLISHED_AT
    staff_login.post("/admin/publicering/2025/tid", data={"csrf_token": _csrf(page), "published_date": "2025-12-11",
                                                          "published_time": "07:00", "notify": "no"})
    assert moments(2025).embargo_release_at == RELEASE_AT + timedelta(days=7)
    log = staff_login.get("/admin/publicering/2025/logg").get_data(as_text=True)
    assert "Publiceringen flyttad" in log and "personal@spf.example" in log
    csv = staff_login.get("/admin/publicering/2025/logg.csv")
    assert csv.headers["Content-Type"].startswith("text/csv") and "Publiceringen flyttad" in csv.get_data(as_text=True)


def test_the_queue_shows_next_in_line_and_delivering_out_of_turn_asks_for_a_reason(app, staff_login):
    results_for_2025()
    staff_order("0305", "a@habo.example.se")
    second, _ = staff_order("0114", "b@vasby.example.se")
    page = staff_login.get("/admin/publicering/2025").get_data(as_text=True)
    assert "Nästa på tur:</strong> nummer 1, Håbo" in page
    url = f"/admin/publicering/2025/bestallning/{second.id}/leverera"
    form = staff_login.get(url).get_data(as_text=True)
    assert "inte näst på tur" in form
    refused = staff_login.post(url, data={"csrf_token": _csrf(form), "reason": ""})
    assert refused.status_code == 400 and "Skriv varför" in refused.get_data(as_text=True)
    staff_login.post(url, data={"csrf_token": _csrf(form), "reason": "Brådskande inför fullmäktige."})
    db.session.expire_all()
    order = db.session.get(Order, second.id)
    assert order.status is OrderStatus.DELIVERED and order.out_of_order_reason == "Brådskande inför fullmäktige."


def test_the_timeline_counts_sends_and_the_dry_run_says_who_gets_what(app, staff_login):
    results_for_2025()
    staff_order("0114", "a@vasby.example.se")
    page = staff_login.get("/admin/publicering/2025/tidslinje").get_data(as_text=True)
    for step in ("Beställningen stänger", "Embargot släpps", "Publicering: resultaten blir offentliga",
                 "Tillgångsbrev till kontaktpersonerna"):
        assert step in page
    during = staff_login.get("/admin/publicering/2025/tidslinje?at_date=2025-12-03&at_time=12:00").get_data(as_text=True)
    assert "Upplands Väsby: 1 kontaktperson<" in during and "svarar som om året inte fanns" in during
    assert "1 kommun har fått eller får sin egen sammanfattning" in during  # the noun agrees with the count
    after = staff_login.get("/admin/publicering/2025/tidslinje?at_date=2025-12-04&at_time=07:00").get_data(as_text=True)
    assert "Upplands Väsby: 1" not in after and "Resultatsidorna, listan och filerna för 2025 visas" in after
    assert clock.now() < RELEASE_AT  # a dry run moves nothing


def test_a_contact_from_the_public_form_gets_results_only_after_staff_approve(app, staff_login):
    """Anyone can type any address into /bestall and confirm it; staff approve before results reach them."""
    from hti_comms.publication.models import AuditAction, OrderContact
    from hti_comms.publication.audit import EMBARGO_KINDS, kind as audit_kind
    from hti_comms.stafflog.models import LogEntry as AuditEntry
    from hti_comms.publication.contacts import confirm_contact
    from hti_comms.publication.entitlement import entitled_contacts

    from .helpers import form_order

    results_for_2025()
    order, _position = form_order("0305", "h1@habo.example.se")
    order_contact = db.session.scalar(select(OrderContact))
    confirm_contact(order_contact)
    assert entitled_contacts(order) == []
    page = staff_login.get("/admin/publicering/2025").get_data(as_text=True)
    assert "inte godkänd av personal – får inga resultat" in page
    path = f"/admin/publicering/2025/bestallning/{order.id}/kontakt/{order_contact.id}/godkann"
    assert f'action="{path}"' in page
    assert staff_login.post(path, data={"csrf_token": _csrf(page)}).status_code == 302
    assert entitled_contacts(order) == [order_contact]
    assert order_contact.approved_by == "personal@spf.example"
    assert db.session.scalar(select(AuditEntry.detail).where(AuditEntry.kind == audit_kind(AuditAction.CONTACT_APPROVED))) \
        == "h1@habo.example.se"
    assert "inte godkänd av personal" not in staff_login.get("/admin/publicering/2025").get_data(as_text=True)
