"""The front door: every public page has the same menu (Resultat, Evenemang, Nyhetsbrev, Beställ rapportpaketet,
Prenumerera), the current section marked; staff pages keep the staff menu."""
from __future__ import annotations

import lxml.html
import pytest

MENU = [("Resultat", "/resultat"), ("Evenemang", "/evenemang"), ("Nyhetsbrev", "/nyhetsbrev"),
        ("Beställ rapportpaketet", "/bestall"), ("Prenumerera", "/prenumerera")]


def _menu(html: str):
    document = lxml.html.fromstring(html)
    [nav] = document.xpath("//nav[@aria-label='Huvudmeny']")
    return [(a.text_content().strip(), a.get("href"), a.get("aria-current")) for a in nav.xpath(".//a")]


@pytest.mark.parametrize("path,current", [
    ("/", None), ("/resultat", "Resultat"), ("/evenemang", "Evenemang"), ("/nyhetsbrev", "Nyhetsbrev"),
    ("/bestall", "Beställ rapportpaketet"), ("/prenumerera", "Prenumerera"), ("/min-kommun", None),
    ("/integritet", None), ("/finns-inte", None), ("/logga-in", None)])
def test_every_public_page_has_the_menu(client, lists, path, current):
    response = client.get(path)
    links = _menu(response.get_data(as_text=True))
    assert [(label, href) for label, href, _ in links] == MENU, path
    assert [label for label, _href, mark in links if mark == "page"] == ([current] if current else []), path


def test_staff_pages_have_the_staff_menu_instead(staff_login):
    document = lxml.html.fromstring(staff_login.get("/admin/").get_data(as_text=True))
    assert document.xpath("//nav[@aria-label='Personalmeny']") and not document.xpath("//nav[@aria-label='Huvudmeny']")
