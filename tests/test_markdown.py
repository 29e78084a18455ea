"""Staff Markdown: rendered, sanitised, with its links and a plain-text version."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest

from hti_comms.markdown import render_markdown, sanitise_html

HOSTILE = [
    "<script>alert('x')</script>",
    "[klicka](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "<a href=\"https://ok.se\" onclick=\"alert(1)\">länk</a>",
    "[länk](JaVaScRiPt:alert(1))",
    "<iframe src=https://evil.example></iframe>",
    "[länk](data:text/html;base64,PHNjcmlwdD4=)",
]


class ElementCollector(HTMLParser):
    """Collect the elements and attributes a browser or mail client would see (text is harmless)."""

    def __init__(self):
        super().__init__()
        self.tags, self.attributes = set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.extend(attrs)


def elements(html: str) -> ElementCollector:
    collector = ElementCollector()
    collector.feed(html)
    return collector


@pytest.mark.parametrize("source", HOSTILE)
def test_nothing_executable_survives(source):
    found = elements(render_markdown(source).html)
    assert found.tags <= {"p", "a"}
    for name, value in found.attributes:
        assert name == "href" and value.startswith(("https:", "http:", "mailto:")), (name, value)


def test_sanitiser_also_cleans_html_built_elsewhere():
    cleaned = sanitise_html('<p onmouseover="x()">Hej <a href="javascript:x()">där</a><script>x()</script></p>')
    assert cleaned == "<p>Hej <a>där</a></p>"


def test_markdown_renders_the_usual_things_and_lists_links():
    result = render_markdown("Det här är **viktigt** och *bra*.\n\n- ett\n- två\n\n"
                             "Läs [rapporten om hemtjänsten](https://spfseniorerna.se/rapport).\n\n## Mellanrubrik")
    assert "<strong>viktigt</strong>" in result.html and "<em>bra</em>" in result.html
    assert "<li>ett</li>" in result.html and "<h4>Mellanrubrik</h4>" in result.html
    assert [(link.url, link.text) for link in result.links] == [
        ("https://spfseniorerna.se/rapport", "rapporten om hemtjänsten")]
    assert "– ett" in result.text and "rapporten om hemtjänsten (https://spfseniorerna.se/rapport)" in result.text


def test_raw_html_is_shown_as_text_not_interpreted():
    result = render_markdown("Skriv <b>så här</b>")
    assert "&lt;b&gt;så här&lt;/b&gt;" in result.html


def test_href_maps_each_link_in_order_and_text_and_links_keep_the_real_addresses():
    source = "Se [rapporten](https://a.se/r) och [kurserna](https://b.se/k) eller [skriv](mailto:x@y.se)."
    seen = []

    def counting(link):
        seen.append((link.url, link.text))
        return f"https://hti.se/l/{len(seen)}"

    result = render_markdown(source, href=counting)
    assert seen == [("https://a.se/r", "rapporten"), ("https://b.se/k", "kurserna"), ("mailto:x@y.se", "skriv")]
    assert 'href="https://hti.se/l/1"' in result.html and 'href="https://hti.se/l/2"' in result.html
    assert "https://a.se/r" not in result.html
    assert "rapporten (https://a.se/r)" in result.text
    assert [link.url for link in result.links] == ["https://a.se/r", "https://b.se/k", "mailto:x@y.se"]


def test_an_href_mapping_cannot_smuggle_a_script_past_the_sanitiser():
    result = render_markdown("[länk](https://a.se)", href=lambda link: "javascript:alert(1)")
    assert "javascript" not in result.html


@pytest.mark.parametrize("url, expected", [
    ("https://spfseniorerna.se/a", "https://spfseniorerna.se/a"), ("  http://a.se  ", "http://a.se"),
    ("mailto:eva@exempel.se", "mailto:eva@exempel.se"), ("javascript:alert(1)", ""), ("JavaScript:x", ""),
    ("data:text/html,<script>", ""), ("https://a.se/\nb", ""), ("", ""), ("/relativ", ""),
])
def test_safe_link_url_lets_only_web_and_mail_addresses_through(url, expected):
    from hti_comms.markdown import safe_link_url

    assert safe_link_url(url) == expected


def test_a_bare_address_on_its_own_line_is_a_link_with_https_and_is_listed():
    # The real circular writes "Länk till anmälan" and the address on a line of its own: every mail program
    # makes it clickable, so it must be a link here too (and so reach the link checks).
    result = render_markdown("Länk till anmälan\nhttps://spfsejiorerna-se.zoom.us/j/123\n\n"
                             "Läs mer på www.spfseniorerna.se eller skriv till eva@spfseniorerna.se.")
    assert [(link.url, link.text) for link in result.links] == [
        ("https://spfsejiorerna-se.zoom.us/j/123", "https://spfsejiorerna-se.zoom.us/j/123"),
        ("https://www.spfseniorerna.se", "www.spfseniorerna.se"),
        ("mailto:eva@spfseniorerna.se", "eva@spfseniorerna.se")]
    assert '<a href="https://spfsejiorerna-se.zoom.us/j/123">' in result.html
    assert '<a href="https://www.spfseniorerna.se">www.spfseniorerna.se</a>' in result.html
    # The plain text says a bare address once, not "address (address)".
    assert "Länk till anmälan\nhttps://spfsejiorerna-se.zoom.us/j/123" in result.text
    assert "www.spfseniorerna.se eller" in result.text and "(https://www.spfseniorerna.se)" not in result.text


def test_a_bare_address_goes_through_the_click_counter_like_any_link():
    result = render_markdown("Anmälan: https://spfseniorerna.se/kurs", href=lambda link: "https://hti.example.se/l/1")
    assert '<a href="https://hti.example.se/l/1">https://spfseniorerna.se/kurs</a>' in result.html
    assert [link.url for link in result.links] == ["https://spfseniorerna.se/kurs"]


def test_numbers_file_names_and_abbreviations_are_not_links():
    result = render_markdown("Index 97.9 kl. 10.00, t.ex. rapport.pdf och 2025.pdf.")
    assert result.links == () and "<a" not in result.html
