"""The staff log: one row per action (who, what, which object, when, from where), none for a form sent back with
mistakes, search by person, kind and date, a CSV whose formulas are escaped, and rows older than the retention
period deleted by the scheduler."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import func, select

from hti_comms import clock
from hti_comms.scheduling.sweeps import run_all_once
from hti_comms.stafflog.models import LogEntry
from hti_comms.stafflog.services import record
from tests.helpers import form_csrf_token


def _rows(kind: str | None = None) -> list[LogEntry]:
    query = select(LogEntry).order_by(LogEntry.id)
    from hti_comms.extensions import db

    return list(db.session.scalars(query.where(LogEntry.kind == kind) if kind else query))


def test_one_row_per_action_and_none_for_a_form_with_mistakes(app, db, staff_login, staff_user):
    staff_login.environ_base["REMOTE_ADDR"] = "192.0.2.44"
    [login] = _rows("auth.login")
    assert login.actor == staff_user.email and login.staff_user_id == staff_user.id

    token = form_csrf_token(staff_login, "/admin/distrikt/")
    assert staff_login.post("/admin/distrikt/", data={"csrf_token": token, "name": ""}).status_code in (200, 400)
    assert _rows("geo_admin.districts") == []
    assert staff_login.post("/admin/distrikt/", data={"csrf_token": token, "name": "Nya distriktet"}
                            ).status_code == 302
    [created] = _rows("geo_admin.districts")
    assert (created.actor, created.action, created.address) == (staff_user.email, "Lade till ett distrikt",
                                                                "192.0.2.44")
    # An action that writes its own row (here an embargo event: setting the publication) gets no second one.
    clock.set_now(clock.now())
    staff_login.post("/admin/publicering/2031/tid", data={"csrf_token": token, "published_date": "2031-12-04", "published_time": "07:00", "notify": "no"})
    assert [entry.kind for entry in _rows()][-1:] == ["publication.publication_set"]
    assert len([e for e in _rows() if e.kind.startswith("publication_admin")]) == 0


def test_search_by_person_kind_and_date_and_export_escapes_formulas(app, db, staff_login):
    record("test.kind", "Provade", actor="anna@spf.example", detail="=HYPERLINK(\"https://ond.example\")")
    clock.set_now(clock.now() - timedelta(days=40))
    record("test.kind", "Provade", actor="bo@spf.example", detail="+46 8 123")
    clock.reset()
    db.session.commit()

    page = staff_login.get("/admin/logg/?person=anna&kind=test.kind").get_data(as_text=True)
    assert "anna@spf.example" in page and "bo@spf.example" not in page
    since = clock.to_stockholm(clock.now() - timedelta(days=2)).date()
    assert "bo@spf.example" not in staff_login.get(f"/admin/logg/?since={since}").get_data(as_text=True)

    exported = staff_login.get("/admin/logg/logg.csv?kind=test.kind")
    rows = list(csv.reader(io.StringIO(exported.get_data().decode("utf-8-sig")), delimiter=";"))
    details = [row[5] for row in rows[1:]]
    assert details == ["'+46 8 123", "'=HYPERLINK(\"https://ond.example\")"]  # oldest first, never a formula


def test_rows_older_than_the_retention_period_are_deleted(app, db):
    app.config["STAFF_LOG_RETENTION_YEARS"] = 3
    clock.set_now(clock.now() - timedelta(days=3 * 366))
    record("test.old", "Gammalt", actor="anna@spf.example")
    clock.reset()
    record("test.new", "Nytt", actor="anna@spf.example")
    db.session.commit()
    run_all_once()
    assert [entry.kind for entry in _rows()] == ["test.new"]
    assert db.session.scalar(select(func.count()).select_from(LogEntry)) == 1
