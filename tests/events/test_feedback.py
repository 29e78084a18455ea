"""Feedback: the personal link names one person (another's link or a forged one shows nothing), one answer per
person changeable for a week, anonymous answers unnamed, the results page's counts and average, the CSV."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

from hti_comms import clock
from hti_comms.events import attendance, feedback
from hti_comms.events.afterlinks import CERTIFICATE_PURPOSE, FEEDBACK_PATH, FEEDBACK_PURPOSE
from hti_comms.events.attendance_models import Feedback
from hti_comms.events.models import Registration
from hti_comms.tokens import make_personal_token
from tests.helpers import form_csrf_token

from . import attendance_samples as samples
from .test_attendance import course  # noqa: F401 - the fixture


def _link(registration, purpose=FEEDBACK_PURPOSE) -> str:
    return FEEDBACK_PATH + make_personal_token(purpose, registration.key, None)


def _person(db, email) -> Registration:
    return db.session.query(Registration).filter_by(email=email).one()


def _answer(client, url, **values):
    return client.post(url, data={"csrf_token": form_csrf_token(client, url), **values})


def test_one_answer_per_person_changeable_for_a_week(app, db, client, staff_login, course):  # noqa: F811
    attendance.import_attendance(course, samples.PLAIN.encode(), "narvaro.csv")
    db.session.commit()
    anna, cecilia = _person(db, "anna@example.se"), _person(db, "cecilia@example.se")

    # Only people who came can answer, and only through a feedback link of their own.
    assert client.get(_link(cecilia)).status_code == 404
    assert client.get(_link(anna, CERTIFICATE_PURPOSE)).status_code == 404
    assert client.get(FEEDBACK_PATH + "forged").status_code == 404
    url = _link(anna)
    page = client.get(url).get_data(True)
    assert "Hur nöjd är du med kursen?" in page and "Hur användbart är det du lärde dig?" in page

    missing = _answer(client, url, q0="5", comment="")
    assert missing.status_code == 400 and "Välj ett svar från 1 till 5." in missing.get_data(True)
    assert db.session.query(Feedback).count() == 0

    assert _answer(client, url, q0="4", q1="5", comment="Bra!").status_code == 200
    clock.set_now(clock.now() + timedelta(days=6))
    changed = _answer(client, url, q0="5", q1="5", comment="Mycket bra, tack.", anonymous="1")
    assert "Tack för dina svar" in changed.get_data(True)
    (answer,) = db.session.query(Feedback).all()
    assert (answer.grades, answer.comment, answer.anonymous) == ([5, 5], "Mycket bra, tack.", True)

    token = form_csrf_token(client, url)
    clock.set_now(clock.now() + timedelta(days=2))
    late = client.post(url, data={"csrf_token": token, "q0": "1", "q1": "1", "comment": ""})
    assert "kan inte ändras längre" in late.get_data(True)
    db.session.expire_all()
    assert db.session.query(Feedback).one().grades == [5, 5]

    results = staff_login.get(f"/admin/evenemang/{course.id}/utvardering").get_data(True)
    assert "Mycket bra, tack." in results and "– Anonym" in results and "Anna Andersson" not in results
    rows = list(csv.reader(io.StringIO(
        staff_login.get(f"/admin/evenemang/{course.id}/utvardering.csv").get_data().decode("utf-8-sig")),
        delimiter=";"))
    assert rows[0][:4] == ["Namn", "E-post", "Hur nöjd är du med kursen?", "Hur användbart är det du lärde dig?"]
    assert rows[1][:5] == ["Anonym", "", "5", "5", "Mycket bra, tack."]


def test_counts_average_and_own_questions(app, db, course):  # noqa: F811
    attendance.import_attendance(course, samples.ZOOM_WEBINAR.encode(), "zoom.csv")
    for line in attendance.unknown_attendees(course):
        attendance.add_walk_in(line)
    feedback.set_questions(course, ["Hur nöjd är du?", "Var tempot lagom?", "Skulle du rekommendera kursen?"])
    people = [r for r in db.session.query(Registration).filter_by(event_id=course.id) if r.attended]
    assert len(people) == 3
    for person, grades in zip(people, ([5, 4, 5], [4, 4, 5], [3, 2, 5])):
        feedback.save_answer(person, grades, "", anonymous=False)
    db.session.commit()
    first, second, third = feedback.results(course)
    assert first.text == "Hur nöjd är du?"
    assert first.counts == {1: 0, 2: 0, 3: 1, 4: 1, 5: 1} and first.average == 4.0
    assert second.average == 3.3 and third.counts[5] == 3
    try:
        feedback.set_questions(course, ["En fråga", "En annan"])
    except feedback.FeedbackError as exc:
        assert "redan svarat" in str(exc)
    else:
        raise AssertionError("the questions changed after answers came in")
