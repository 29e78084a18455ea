"""Extra questions at registration: staff write them one a line; the public form asks them (a required one named
beside its field, nothing saved); the answers are in the registrations list and its CSV."""
from __future__ import annotations

import csv
import io

import pytest

from hti_comms import clock
from hti_comms.events.models import Registration
from hti_comms.events.questions import QuestionError, parse_questions
from tests.helpers import form_csrf_token

from .helpers import at, make_event

LINES = ("* val: Vilken tid passar bäst? / förmiddag / eftermiddag\n"
         "kort text: Vilken förening kommer du från?\n"
         "* ja/nej: Vill du ha materialet på papper?")


def test_lines_are_read_and_a_wrong_one_is_named():
    questions = parse_questions(LINES)
    assert [(q.kind, q.required, q.options) for q in questions] == [
        ("choice", True, ("förmiddag", "eftermiddag")), ("text", False, ()), ("yesno", True, ())]
    with pytest.raises(QuestionError, match="Rad 2: skriv minst två alternativ"):
        parse_questions("kort text: Namn?\nval: Bara ett / alternativ")
    with pytest.raises(QuestionError, match="Rad 1: börja med"):
        parse_questions("Vad heter du?")


def test_the_form_asks_and_the_list_and_export_show_the_answers(app, db, client, staff_login):
    clock.set_now(at("2025-10-01T09:00:00+02:00"))
    event = make_event()
    db.session.commit()
    url = f"/admin/evenemang/{event.id}/fragor"
    staff_login.post(url, data={"csrf_token": form_csrf_token(staff_login, url), "questions": LINES})

    page = f"/evenemang/{event.id}"
    html = client.get(page).get_data(True)
    assert "Vilken tid passar bäst?" in html and "Vilken förening kommer du från? (frivilligt)" in html
    base = {"name": "Anna Andersson", "email": "anna@example.se", "role": "Ledamot i kommunens pensionärsråd",
            "organisation": "Habo", "needs": "", "question": "", "website": ""}
    missing = client.post(page, data={"csrf_token": form_csrf_token(client, page), **base, "extra_0": "förmiddag",
                                      "extra_1": "", "extra_2": ""}).get_data(True)
    assert "Svara på frågan ”Vill du ha materialet på papper?”." in missing
    assert db.session.query(Registration).count() == 0

    done = client.post(page, data={"csrf_token": form_csrf_token(client, page), **base, "extra_0": "eftermiddag",
                                   "extra_1": "SPF Habo", "extra_2": "Ja"})
    assert done.status_code == 302
    assert db.session.query(Registration).one().answers == ["eftermiddag", "SPF Habo", "Ja"]

    listed = staff_login.get(f"/admin/evenemang/{event.id}").get_data(True)
    assert "Svar på frågorna vid anmälan" in listed and "SPF Habo" in listed
    rows = list(csv.reader(io.StringIO(staff_login.get(f"/admin/evenemang/{event.id}/anmalda.csv")
                                       .get_data().decode("utf-8-sig")), delimiter=";"))
    assert rows[0][-3:] == ["Vilken tid passar bäst?", "Vilken förening kommer du från?",
                            "Vill du ha materialet på papper?"]
    assert rows[1][-3:] == ["eftermiddag", "SPF Habo", "Ja"]
