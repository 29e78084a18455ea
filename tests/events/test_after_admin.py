"""The staff page after a course: upload the report (another day's is held back), confirm a name match, add a
walk-in, preview both follow-up emails and send them once."""
from __future__ import annotations

import io

from sqlalchemy import func, select

from hti_comms.delivery.models import OutboxMessage
from hti_comms.events.models import Registration
from tests.helpers import form_csrf_token

from . import attendance_samples as samples
from .test_attendance import course  # noqa: F401 - the fixture


def _upload(client, url, data: bytes, name: str, **extra):
    return client.post(url, data={"csrf_token": form_csrf_token(client, url), "file": (io.BytesIO(data), name),
                                  **extra}, content_type="multipart/form-data", follow_redirects=True)


def test_import_confirm_add_and_follow_up_from_the_staff_pages(db, staff_login, course):  # noqa: F811
    url = f"/admin/evenemang/{course.id}/efter"
    assert "Efter kursen: närvaro och tack" in staff_login.get(f"/admin/evenemang/{course.id}").get_data(True)

    held = _upload(staff_login, url, samples.OTHER_EVENT.encode(), "mars.csv").get_data(True)
    assert "onsdag 12 mars 2025" in held and "Inget sparades" in held
    assert db.session.query(Registration).filter_by(email="anna@example.se").one().attended is None

    page = _upload(staff_login, url, samples.ZOOM_WEBINAR.encode(), "zoom.csv").get_data(True)
    assert "Närvaron är inläst: 1 deltog, 2 uteblev, 2 okända." in page
    assert "Samma person som anmälda bertil@kommun.example" in page
    token = form_csrf_token(staff_login, url)
    from hti_comms.events.attendance_models import Attendee

    bertil = db.session.query(Attendee).filter_by(email="bertil.berg@privat.example").one()
    gustav = db.session.query(Attendee).filter_by(email="gustav@example.se").one()
    staff_login.post(f"{url}/okand/{bertil.id}", data={"csrf_token": token, "what": "match"})
    done = staff_login.post(f"{url}/okand/{gustav.id}", data={"csrf_token": token, "what": "add"},
                            follow_redirects=True).get_data(True)
    assert "Gustav Gran är tillagd som anmäld och deltagare" in done
    db.session.expire_all()
    attended = {r.email: r.attended for r in db.session.query(Registration).filter_by(event_id=course.id)}
    assert attended == {"anna@example.se": True, "bertil@kommun.example": True, "cecilia@example.se": False,
                        "david@example.se": False, "gustav@example.se": True}

    follow = f"/admin/evenemang/{course.id}/efter/uppfoljning"
    form = {"csrf_token": form_csrf_token(staff_login, follow),
            "recording_url": "https://www.spfseniorerna.se/inspelningar/grundkurs", "material_urls": ""}
    preview = staff_login.post(follow, data=form).get_data(True)
    assert "Tack för att du deltog: Grundkurs om Hemtjänstindex" in preview
    assert "Vi saknade dig: Grundkurs om Hemtjänstindex" in preview
    assert "Skicka till 4 mottagare" in preview
    before = db.session.scalar(select(func.count(OutboxMessage.id)))
    for _press in range(2):
        sent = staff_login.post(follow, data={**form, "confirmed": "1"}, follow_redirects=True).get_data(True)
        assert "Tacket ligger i utkorgen till 3 som deltog" in sent
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == before + 4


def test_a_file_without_addresses_is_refused_on_the_page(staff_login, course):  # noqa: F811
    page = _upload(staff_login, f"/admin/evenemang/{course.id}/efter", b"Namn\nAnna\n", "fel.csv").get_data(True)
    assert "Inget sparades. Filen har ingen kolumn med e-postadresser" in page
