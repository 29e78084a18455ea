"""The privacy page says what every domain keeps about a person, with the retention the code really uses."""
from html import unescape

from hti_comms.domain import registry


def _page(client) -> str:
    response = client.get("/integritet")
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def test_every_kind_of_personal_data_a_domain_keeps_is_explained(app, client):
    declared = registry(app).personal_data
    assert declared
    missing = [f"{domain.package}: {item.label}" for domain, item in declared if not item.privacy.strip()]
    assert not missing, ("Say on the privacy page what is kept, why and for how long: give PersonalData(..., "
                         f"privacy=\"…\") for {missing}")
    html = _page(client)
    for _domain, item in declared:
        assert item.privacy.format(**app.config).split(" – ")[0] in html


def test_retention_and_erasure_follow_the_settings(app, client):
    app.config.update(SUBSCRIBERS_UNCONFIRMED_RETENTION_DAYS=45, SUBSCRIBERS_CONFIRM_DAYS=3)
    html = _page(client)
    assert "En anmälan som inte bekräftas raderas helt efter 45 dagar." in html
    assert "Länken i bekräftelsebrevet fungerar i 3 dagar." in html
    assert "En anmälan som aldrig bekräftas raderas efter 45 dagar." in html  # the subscribers domain's own text
    assert 'href="mailto:hemtjanstindex@spfseniorerna.se"' in html
    assert "Vill du att vi raderar allt om dig?" in html


def test_every_page_links_to_the_privacy_page_and_has_an_icon(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/integritet"' in html and 'rel="icon"' in html
    with client.get("/favicon.ico") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/vnd.microsoft.icon"
        assert icon.data[:4] == b"\0\0\1\0"  # the ICO signature
