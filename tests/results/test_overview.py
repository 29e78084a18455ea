"""The staff overview as the year's dashboard: a countdown to the next step, what waits for someone, the next
sends and events, the latest results; each block declared by its domain."""
from __future__ import annotations

from datetime import timedelta

from hti_comms import clock
from hti_comms.delivery.services import pause_send, queue_test_email, suppress
from hti_comms.extensions import db
from tests.events.helpers import make_event
from tests.publication.helpers import PUBLISHED_AT, form_order, results_for_2025


def _overview(client) -> str:
    page = client.get("/admin/")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_an_empty_year_says_what_to_do_first(app, staff_login):
    page = _overview(staff_login)
    assert "Ingen publicering är inlagd." in page and "Inget väntar på någon just nu." in page
    assert "Inga resultat är importerade ännu." in page


def test_the_dashboard_counts_down_and_lists_what_waits_and_what_comes(app, staff_login):
    results_for_2025()  # the clock a month before the publication
    form_order("0305", "h1@habo.example.se")  # from the public form: its contact waits for staff
    paused = queue_test_email("prov@exempel.se", scheduled_at=clock.now() + timedelta(days=1))
    pause_send(paused.id)
    for number in range(3):  # three bounces this week, none the week before
        suppress(f"borta{number}@exempel.se", "hard_bounce", "550 okänd mottagare")
    db.session.commit()
    queue_test_email("senare@exempel.se", scheduled_at=clock.now() + timedelta(days=2))
    make_event(start="2025-11-20 10:00", end="2025-11-20 11:30")

    page = _overview(staff_login)
    sections = [page.index(heading) for heading in ("Nästa steg", "Väntar på någon",
                                                    "Kommande utskick och evenemang", "Senaste resultaten")]
    assert sections == sorted(sections)
    # The countdown: the next step of the 2025 cycle is the course in two weeks, then the embargo release.
    assert "Om två veckor:</strong> Kurs: Grundkurs om Hemtjänstindex – torsdag 20 november 2025 kl. 10.00." in page
    assert "<li>onsdag 3 december 2025 kl. 07.00: Embargot släpps" in page
    assert "Publicering 2025</a>: 1 kontaktperson att godkänna (Håbo)" in page
    assert "Pausade utskick" in page and "(pausat av personal)" in page
    assert "3 adresser studsade den senaste veckan, mot 0 veckan före" in page
    assert "Schemalagda utskick" in page and "Provbrev från Hemtjänstindex" in page
    assert "Nästa evenemang" in page and "Grundkurs om Hemtjänstindex" in page
    assert "Rankning 2025" in page and "Årsplan 2025</a>:" in page

    clock.set_now(PUBLISHED_AT + timedelta(days=1))
    after = _overview(staff_login)
    assert "Embargot släpps" not in after.split("Väntar på någon")[0]
