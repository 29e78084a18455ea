"""Which councils have taken the basic course: a council whose member attended two years ago counts, one whose
member only registered (or attended another kind of course, or too long ago) does not; the county summary."""
from __future__ import annotations

import json

from hti_comms import clock
from hti_comms.events import attendance, councils

from .helpers import at, make_event, sign_up


def _held(db, start: str, *, basic=True, came=(), registered=()):
    """A course held on `start`'s day (Stockholm) with the given people registered, `came` attending."""
    day = start[:10]
    clock.set_now(at(f"{day}T08:00:00+01:00"))
    event = make_event(start=f"{day} 10:00", end=f"{day} 11:30")
    event.is_basic_course = basic
    for name, email, role, organisation in (*came, *registered):
        sign_up(event, name, email, role=role, organisation=organisation)
    db.session.commit()
    clock.set_now(at(f"{day}T12:00:00+01:00"))
    rows = "E-post;Minuter\n" + "".join(f"{email};90\n" for _n, email, _r, _o in came)
    attendance.import_attendance(event, rows.encode(), "narvaro.csv")
    db.session.commit()
    return event


COUNCIL = "Ledamot i kommunens pensionärsråd"


def test_a_council_whose_member_attended_two_years_ago_counts(app, db, runner, make_contact):
    # Karin is in the register as a council member in Habo; she registered without naming her municipality.
    make_contact("karin@example.se", municipality="Habo", name="Karin Ek")
    _held(db, "2023-03-14", came=[("Karin Ek", "karin@example.se", "Annat", "")])
    # Olle names Upplands Väsby on the form; Per only registered; Lisa's course was no basic course.
    _held(db, "2025-02-11", came=[("Olle Ny", "olle@example.se", COUNCIL, "Upplands Väsby")],
          registered=[("Per Sten", "per@example.se", COUNCIL, "Vallentuna")])
    _held(db, "2025-04-08", basic=False, came=[("Lisa Berg", "lisa@example.se", COUNCIL, "Täby")])
    # Anders attended in 2019: too long ago.
    _held(db, "2019-05-07", came=[("Anders Ås", "anders@example.se", COUNCIL, "Solna")])
    clock.set_now(at("2025-10-01T09:00:00+02:00"))

    trained = councils.trained_people(years=2)
    assert {code: [name for name, _day in people] for code, people in trained.items()} == {
        "0643": ["Karin Ek"], "0114": ["Olle Ny"]}
    assert "0643" not in councils.trained_people(years=1)  # 2023 is outside this year and last
    untrained = councils.untrained_codes(years=2)
    assert len(untrained) == 290 - 2 and "0643" not in untrained and "0115" in untrained

    result = runner.invoke(args=["hti", "event", "councils", "--years", "2", "--format", "json"])
    data = json.loads(result.output)
    habo = next(m for m in data["municipalities"] if m["code"] == "0643")
    assert habo["trained"] is True and habo["people"] == [{"name": "Karin Ek", "day": "2023-03-14"}]
    assert len(data["municipalities"]) == 290
    stockholm = next(c for c in data["counties"] if c["name"] == "Stockholms län")
    assert stockholm["trained"] == 1 and stockholm["total"] == 26
    text = runner.invoke(args=["hti", "event", "councils", "--years", "2"]).output
    assert text.strip().splitlines()[-1] == "2 av 290 kommuners pensionärsråd har någon som gått grundkursen."


def test_the_audience_reaches_council_members_of_untrained_municipalities(app, db, staff_login, make_contact):
    from hti_comms.subscribers.audiences import Criteria, resolve
    from hti_comms.subscribers.models import Audience
    from tests.helpers import form_csrf_token

    make_contact("karin@example.se", municipality="Habo", name="Karin Ek")
    make_contact("gun@example.se", municipality="Habo", name="Gun Al")
    make_contact("sven@example.se", municipality="Solna", name="Sven Lind")
    make_contact("tina@example.se", role="municipal_official", municipality="Solna", name="Tina Tjänst")
    _held(db, "2024-03-12", came=[("Karin Ek", "karin@example.se", COUNCIL, "Habo")])
    clock.set_now(at("2025-10-01T09:00:00+02:00"))

    page = staff_login.get("/admin/evenemang/grundkursen?ar=1").get_data(True)
    assert "1 av 290</strong> kommuners råd" in page and "Karin Ek (tisdag 12 mars 2024)" in page
    staff_login.post("/admin/evenemang/grundkursen/malgrupp?ar=1",
                     data={"csrf_token": form_csrf_token(staff_login, "/admin/evenemang/grundkursen")})
    audience = db.session.query(Audience).filter_by(name="Pensionärsråd utan någon som gått grundkursen").one()
    # Habo's council has Karin; Solna's council member is invited, not Solna's official.
    assert [m.email for m in resolve(Criteria.of(audience))] == ["sven@example.se"]
    assert audience.without_basic_course_years == 1
    assert sorted(m.email for m in resolve(Criteria(list_keys=("nyhetsbrev",), roles=("council_member",),
                                                    without_basic_course_years=0))) == [
        "gun@example.se", "karin@example.se", "sven@example.se"]  # nobody attended this year


def test_the_same_figure_is_in_the_year_plan(app, db, staff_login, make_contact):
    make_contact("karin@example.se", municipality="Habo", name="Karin Ek")
    _held(db, "2024-03-12", came=[("Karin Ek", "karin@example.se", COUNCIL, "Habo")])
    clock.set_now(at("2025-10-01T09:00:00+02:00"))
    assert councils.trained_count(3, 2025) == (1, 290)
    assert councils.trained_count(3, 2030) == (0, 290)
    page = staff_login.get("/admin/arsplan/2025").get_data(True)
    assert "Grundkursen: <strong>1 av 290</strong> kommuners pensionärsråd" in page
