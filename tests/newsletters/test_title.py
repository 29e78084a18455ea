"""A newsletter's number is added by itself: the form says so, the checks warn when the subject repeats it, and
no page doubles it ("Nyhetsbrev #14: Hemtjänstindex nyhetsbrev #14: …", issue 17)."""
from __future__ import annotations

import pytest

from hti_comms.newsletters.checks import check_newsletter
from hti_comms.newsletters.models import NewsletterKind
from hti_comms.newsletters.sending import send_now

from .helpers import make_newsletter

TYPED = "Hemtjänstindex nyhetsbrev #14: Ny rapport och rapportpaketet"


@pytest.fixture
def reader(make_contact):
    return make_contact("lasare@exempel.se")


def _number_warnings(newsletter) -> list[str]:
    return [f.message for f in check_newsletter(newsletter) if not f.is_error and f.field == "Ämnesrad"]


@pytest.mark.parametrize("subject", [TYPED, "Nyhetsbrev 14 – Ny rapport", "Ny rapport (nyhetsbrev nr 14)",
                                     "#14: Ny rapport"])
def test_a_subject_that_repeats_the_number_is_a_warning(app, reader, subject):
    newsletter = make_newsletter(subject=subject, number=14)
    [warning] = _number_warnings(newsletter)
    assert "Numret läggs till av sig självt" in warning and "Hemtjänstindex nyhetsbrev #14" in warning


def test_a_plain_subject_and_a_circular_get_no_such_warning(app, reader):
    assert _number_warnings(make_newsletter(subject="Ny rapport och rapportpaketet", number=14)) == []
    assert _number_warnings(make_newsletter(subject="Se 2025 års resultat", number=14)) == []
    assert _number_warnings(make_newsletter(subject="Nyhetsbrev 2025: årets resultat", number=14)) == []
    circular = make_newsletter(subject="Inbjudan #2", kind=NewsletterKind.CIRCULAR)
    assert [f for f in check_newsletter(circular) if "Numret" in f.message] == []


def test_no_page_doubles_the_number(app, client, staff_login, reader):
    newsletter = make_newsletter(subject=TYPED, number=14)
    assert newsletter.label == "Nyhetsbrev #14: Ny rapport och rapportpaketet"
    listing = staff_login.get("/admin/nyhetsbrev/").get_data(as_text=True)
    assert "Nyhetsbrev #14: Ny rapport och rapportpaketet" in listing and TYPED not in listing
    # Another number than its own is shown as typed, so the mistake stays visible (and the check warns).
    assert make_newsletter(subject="Nyhetsbrev #13: Gammalt", number=15).label == "Nyhetsbrev #15: Nyhetsbrev #13: Gammalt"

    warnings = [f.message for f in check_newsletter(newsletter) if not f.is_error]
    send_now(newsletter.id, warnings)
    for page in (client.get("/nyhetsbrev").get_data(as_text=True),
                 client.get("/nyhetsbrev/atom.xml").get_data(as_text=True)):
        assert "Hemtjänstindex nyhetsbrev #14: Ny rapport och rapportpaketet" in page
        assert "#14: hemtjänstindex nyhetsbrev #14" not in page.lower(), page


def test_the_form_says_the_number_is_added(app, staff_login):
    new = staff_login.get("/admin/nyhetsbrev/nytt/newsletter").get_data(as_text=True)
    assert "Numret läggs till av sig självt" in new
    newsletter = make_newsletter(number=14)
    edit = staff_login.get(f"/admin/nyhetsbrev/{newsletter.id}/redigera").get_data(as_text=True)
    assert "Numret läggs till av sig självt" in edit
