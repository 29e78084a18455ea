"""The newsletter section kind "Så jobbar kommunerna": the municipalities whose planned area moved most first, each
with a draft from its plan and the figures; staff edit it, and every number is checked before the send."""
from __future__ import annotations

import lxml.html
import pytest
from werkzeug.datastructures import MultiDict

from hti_comms.action_plans.newsletter_section import candidates, read_choices
from hti_comms.newsletters.checks import check_newsletter
from hti_comms.newsletters.models import Newsletter
from hti_comms.newsletters.render import render_newsletter
from hti_comms.newsletters.sections import SectionDataError, kind_choices
from hti_comms.newsletters.services import SectionFields
from tests.helpers import form_csrf_token
from tests.newsletters.helpers import make_newsletter
from tests.publication.helpers import results_for_2025

from .helpers import add


@pytest.fixture
def plans(app, lists):
    results_for_2025()
    add(2024, "0114", "information", "ta fram en tydligare webbplats med klarspråk")   # +10,0
    add(2024, "0115", "information", "ge tydligare information om avgifterna")          # −4,0
    add(2024, "0305", "utforande", "ge varje person en fast kontaktperson")             # +25,0
    add(2024, "0117", "index", "följa upp resultatet i pensionärsrådet")                # 0


def test_the_municipalities_whose_planned_area_moved_most_come_first_with_a_checked_draft(plans):
    assert ("action_plans", "Så jobbar kommunerna") in kind_choices()
    found = candidates(2025)
    assert [(c.name, c.moved_text) for c in found] == [
        ("Håbo", "ökat med 25,0 enheter"), ("Upplands Väsby", "ökat med 10,0 enheter"),
        ("Vallentuna", "minskat med 4,0 enheter"), ("Österåker", "oförändrat")]
    assert found[0].draft == ("Inför 2025 planerade Håbo att ge varje person en fast kontaktperson (Utförande). "
                              "Sedan dess har delindex Utförande ökat med 25,0 enheter, från 55,0 till 80,0.")


def _section_newsletter(texts: dict[str, str]) -> Newsletter:
    data = read_choices(MultiDict([("plan_year", "2025"), *[("plan_codes", code) for code in texts],
                                   *[(f"plan_text_{code}", text) for code, text in texts.items()]]))
    return make_newsletter(sections=[SectionFields(title="Så jobbar kommunerna", kind="action_plans",
                                                   body="Så arbetar två kommuner med sitt resultat.", data=data)])


def test_the_edited_text_is_sent_and_a_wrong_figure_in_it_stops_the_send(plans):
    draft = {c.code: c.draft for c in candidates(2025)}
    edited = draft["0305"].replace("Inför 2025 planerade Håbo", "Förra året bestämde sig Håbo för det här. Inför "
                                                                "2025 planerade Håbo")
    newsletter = _section_newsletter({"0305": edited, "0114": draft["0114"]})
    text = render_newsletter(newsletter, purpose="preview").plain_text
    assert "Så jobbar Håbo\n\nFörra året bestämde sig Håbo för det här. Inför 2025 planerade Håbo" in text
    assert "Håbo i Hemtjänstindex 2025:\nhttps://hti.example.se/resultat/2025/0305" in text
    assert not [f for f in check_newsletter(newsletter) if f.field.startswith("Så jobbar")]

    wrong = _section_newsletter({"0305": draft["0305"].replace("från 55,0", "från 54,0")})
    [finding] = [f for f in check_newsletter(wrong) if f.field.startswith("Så jobbar")]
    assert finding.is_error and finding.field == "Så jobbar Håbo" and "säger ”54,0”" in finding.message


def test_the_form_needs_a_municipality_and_words_for_each(app):
    with pytest.raises(SectionDataError, match="kryssa för minst en kommun"):
        read_choices(MultiDict([("plan_year", "2025")]))
    with pytest.raises(SectionDataError, match="Så jobbar Håbo: texten är tom"):
        read_choices(MultiDict([("plan_year", "2025"), ("plan_codes", "0305"), ("plan_text_0305", " ")]))


def test_staff_pick_municipalities_on_the_section_page(staff_login, db, plans):
    newsletter = make_newsletter(sections=[])
    url = f"/admin/nyhetsbrev/{newsletter.id}/avsnitt/nytt/action_plans"
    page = staff_login.get(url).get_data(as_text=True)
    form = lxml.html.fromstring(page).xpath("//form[.//input[@name='title']]")[0]
    assert [box.get("value") for box in form.xpath(".//input[@name='plan_codes']")] == ["0305", "0114", "0115",
                                                                                       "0117"]
    values = dict(form.form_values())
    values.update({"title": "Så jobbar kommunerna", "body": "", "plan_codes": ["0305"],
                   "csrf_token": form_csrf_token(staff_login, url)})
    staff_login.post(url, data=values)
    db.session.expire_all()
    [section] = db.session.get(Newsletter, newsletter.id).sections
    assert section.data["municipalities"][0]["code"] == "0305"
    assert section.data["municipalities"][0]["text"].startswith("Inför 2025 planerade Håbo")
