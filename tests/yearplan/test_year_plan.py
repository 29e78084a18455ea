"""The year plan: the whole cycle with states and what is missing, next year's copy (same weekday of the
corresponding ISO week, shown before saving), and one-button copies of an event and a newsletter."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from hti_comms import clock
from hti_comms.events.models import Event
from hti_comms.extensions import db
from hti_comms.newsletters.models import Newsletter, NewsletterKind, NewsletterStatus
from hti_comms.newsletters.sending import schedule
from hti_comms.newsletters.services import NewsletterFields, SectionFields, create_newsletter
from hti_comms.publication.moments import moments, parse_wall_clock, set_publication
from hti_comms.scheduling.localtime import stockholm_to_utc
from hti_comms.yearplan.cycle import moment_next_year, same_weekday_next_year
from tests.events.helpers import make_event
from tests.helpers import form_csrf_token


@pytest.mark.parametrize("day,expected", [
    (date(2024, 11, 7), date(2025, 11, 6)),    # the example: Thursday, week 45
    (date(2024, 12, 5), date(2025, 12, 4)),    # publication Thursday, week 49
    (date(2026, 12, 31), date(2027, 12, 30)),  # week 53 of 2026 → week 52 (2027 has no week 53)
    (date(2025, 12, 29), date(2027, 1, 4)),    # Monday of ISO 2026's week 1 → Monday of 2027's week 1
])
def test_a_date_moves_to_the_same_weekday_of_the_corresponding_week(day, expected):
    moved = same_weekday_next_year(day)
    assert moved == expected and moved.isoweekday() == day.isoweekday()


def test_a_time_keeps_its_stockholm_wall_clock_across_daylight_saving():
    # 10.00 on Thursday 27 March 2025 (winter time) → Thursday 26 March 2026 10.00 (still winter time) and
    # 10.00 on Thursday 3 April 2025 (summer time) → 2 April 2026 10.00 summer time.
    for local, expected in ((datetime(2025, 3, 27, 10), datetime(2026, 3, 26, 10)),
                            (datetime(2025, 4, 3, 10), datetime(2026, 4, 2, 10))):
        moved = moment_next_year(stockholm_to_utc(local))
        assert clock.to_stockholm(moved).replace(tzinfo=None) == expected


@pytest.fixture
def year_2024(app, make_contact):
    """The 2024 cycle: publication Thursday 5 December 07.00, a basic course on Thursday 7 November 10.00 with no
    invitation, a webinar invited to by a scheduled circular, a webcast without its stream link, a newsletter
    draft; the clock on 1 October 2024."""
    clock.set_now(datetime(2024, 10, 1, 8, 0, tzinfo=timezone.utc))
    set_publication(2024, parse_wall_clock("2024-12-05 07:00"), actor="test")
    db.session.commit()
    course = make_event(title="Grundkurs i Hemtjänstindex 2024", start="2024-11-07 10:00", end="2024-11-07 11:30")
    webinar = make_event(kind="webbinarium", title="Webbinarium före publiceringen", start="2024-11-28 10:00",
                         end="2024-11-28 12:00")
    make_event(kind="webbsandning", title="Vinnarna berättar", start="2024-12-12 10:00", end="2024-12-12 11:00",
               registration="none", join_url="", speakers="")
    make_contact("ledamot@exempel.se", list_keys=("nyhetsbrev",))
    circular = create_newsletter(NewsletterKind.CIRCULAR, "Inbjudan till webbinariet 2024",
                                 fields=NewsletterFields(signature_name="Anna Projektledare"), sections=[
        SectionFields(title="Kommande evenemang", kind="events", body="Välkommen!",
                      data={"event_ids": [webinar.id]})])
    from hti_comms.newsletters.checks import check_newsletter

    send_at = stockholm_to_utc(datetime(2024, 10, 24, 9, 0))
    findings = check_newsletter(circular, send_at)
    assert not [f for f in findings if f.is_error], [str(f) for f in findings]
    schedule(circular, send_at, sorted({f.message for f in findings}))
    create_newsletter(NewsletterKind.NEWSLETTER, "Hemtjänstindex 2024 är här")
    return course, webinar


def test_the_plan_shows_the_whole_cycle_with_states_and_what_is_missing(year_2024, staff_login):
    page = staff_login.get("/admin/arsplan/2024").get_data(as_text=True)
    plan = page[page.index('<ol class="year-plan">'):]
    order = ["Cirkulär: Inbjudan till webbinariet 2024", "Kurs: Grundkurs i Hemtjänstindex 2024",
             "Webbinarium: Webbinarium före publiceringen", "Embargot släpps", "Beställningen stänger",
             "Publicering: resultaten blir offentliga",
             "Lokala resultatbrev och distriktsbrev vid publiceringen", "Min kommun: resultatet med e-post",
             "Webbsändning: Vinnarna berättar"]
    positions = [plan.index(title) for title in order]
    assert positions == sorted(positions)
    assert "Ingen inbjudan schemalagd till kursen ”Grundkurs i Hemtjänstindex 2024”." in page
    assert "Ingen inbjudan schemalagd till webbinariet" not in page  # the circular invites to it
    assert "Länk till sändningen saknas till ”Vinnarna berättar”." in page
    assert "Publiceringen 2024 finns inte i kalendern" in page
    assert "Breven skickas inte av sig själva" in page
    assert "Nyhetsbrev #1: Hemtjänstindex 2024 är här är inte schemalagt." in page
    assert "Schemalagt" in page  # the circular's state


def test_next_year_is_shown_for_review_and_saved_only_when_asked(year_2024, staff_login):
    url = "/admin/arsplan/2024/nasta-ar"
    events_before = db.session.scalar(select(func.count()).select_from(Event))
    review = staff_login.get(url).get_data(as_text=True)
    assert "Grundkurs i Hemtjänstindex 2025" in review
    assert "torsdag 7 november 2024 kl. 10.00" in review and "torsdag 6 november 2025 kl. 10.00" in review
    assert "torsdag 4 december 2025 kl. 07.00" in review  # the publication, proposed the same way
    assert db.session.scalar(select(func.count()).select_from(Event)) == events_before  # nothing saved yet
    keys = re.findall(r'name="item" value="([^"]+)"', review)
    saved = staff_login.post(url, data={"csrf_token": form_csrf_token(staff_login, url), "item": keys})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/admin/arsplan/2025")

    course = db.session.scalar(select(Event).where(Event.title == "Grundkurs i Hemtjänstindex 2025"))
    local = clock.to_stockholm(course.starts_at)
    assert (local.date(), local.strftime("%H:%M"), course.join_url) == (date(2025, 11, 6), "10:00", "")
    assert moments(2025).published_at == stockholm_to_utc(datetime(2025, 12, 4, 7, 0))
    [linked] = db.session.scalars(select(Event).where(Event.publication_year == 2025))
    assert linked.starts_at == moments(2025).published_at
    circular = db.session.scalar(select(Newsletter).where(Newsletter.subject == "Inbjudan till webbinariet 2025"))
    assert circular.status is NewsletterStatus.DRAFT and circular.planned_on == date(2025, 10, 23)
    webinar = db.session.scalar(select(Event).where(Event.title == "Webbinarium före publiceringen",
                                                    Event.starts_at > datetime(2025, 1, 1, tzinfo=timezone.utc)))
    assert circular.sections[0].data["event_ids"] == [webinar.id]  # the section points at the copy

    # Pressing again makes nothing twice.
    again = staff_login.get(url).get_data(as_text=True)
    assert 'name="item"' not in again and "Finns redan" in again
    plan = staff_login.get("/admin/arsplan/2025").get_data(as_text=True)
    assert "Grundkurs i Hemtjänstindex 2025" in plan and "Möteslänk saknas" in plan


def test_one_button_copies_an_event_or_a_newsletter(year_2024, staff_login):
    course, _webinar = year_2024
    page = f"/admin/evenemang/{course.id}"
    copied = staff_login.post(f"{page}/kopiera", data={"csrf_token": form_csrf_token(staff_login, page)})
    assert copied.status_code == 302 and copied.headers["Location"].endswith("/andra")
    copy = db.session.scalar(select(Event).where(Event.title == "Grundkurs i Hemtjänstindex 2024 (kopia)"))
    assert [s.name for s in copy.speakers] == [s.name for s in course.speakers] and copy.join_url == ""
    circular = db.session.scalar(select(Newsletter).where(Newsletter.kind == NewsletterKind.CIRCULAR))
    page = f"/admin/nyhetsbrev/{circular.id}"
    copied = staff_login.post(f"{page}/kopiera", data={"csrf_token": form_csrf_token(staff_login, page)})
    assert copied.status_code == 302
    drafts = list(db.session.scalars(select(Newsletter).where(Newsletter.subject == circular.subject,
                                                              Newsletter.status == NewsletterStatus.DRAFT)))
    assert len(drafts) == 1 and drafts[0].sections[0].data == circular.sections[0].data
