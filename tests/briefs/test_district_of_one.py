"""A district of one municipality (Gotland) is not "distriktets 1 kommuner" (issue 17), and the figure check still
reads the count it states."""
from __future__ import annotations

from hti_comms.briefs.emails import DISTRICT_DIGEST_TEMPLATE
from hti_comms.briefs.figures import derive, verify_text
from hti_comms.briefs.services import district_context
from hti_comms.delivery.render import render_template_pair
from hti_comms.geo.models import Municipality
from hti_comms.results.ranking import compute_ranking
from tests.briefs.factories import store_year


def test_gotlands_digest_names_its_one_municipality(db):
    store_year(2024, {"0980": "61.0", "0114": "60.0"})
    store_year(2025, {"0980": "62.5", "0114": "59.0"})
    district = db.session.get(Municipality, "0980").district
    digest = district_context(district, compute_ranking(2025))
    html, text = render_template_pair(DISTRICT_DIGEST_TEMPLATE, {"digest": digest}, subject="Gotland",
                                      list_key="lokala-resultat").parts
    for part in (html, text):
        assert "distriktets enda kommun" in part.lower() and "1 kommuner" not in part
        assert verify_text(part, derive(2025), district_id=district.id) == []
    assert "Kommunen i" in html and "Kommunerna i" not in html
    # The count is still checked: a district of one said to have two is refused.
    wrong = text.replace("Här är distriktets enda kommun.", "Här är distriktets 2 kommuner i ordning efter index.")
    assert verify_text(wrong, derive(2025), district_id=district.id) != []
