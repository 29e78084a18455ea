"""Rendering: escaping, CSS inlining once per send, and premailer never fetching anything."""
from __future__ import annotations

import http.server
import threading

import pytest

from hti_comms.delivery import render
from hti_comms.delivery.encoding import quoted_printable
from hti_comms.delivery.render import inline_css, render_preview, render_template_pair


def test_user_input_is_escaped_in_html_and_plain_in_text(app):
    html, text = render_preview("delivery/test", {"sent_by": "<script>alert(1)</script>", "note": "Tom & Jerry"},
                                subject="Prov", list_key=None, email="eva@example.se", name='Eva <b>"Ek"</b>')
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Hej Eva &lt;b&gt;&#34;Ek&#34;&lt;/b&gt;!" in html
    assert "Tom &amp; Jerry" in html
    assert 'Hej Eva <b>"Ek"</b>!' in text
    assert "<script>alert(1)</script>" in text


def test_lines_with_one_value_and_with_several_are_filled_alike_and_only_the_values_are_escaped():
    rendered = render.RenderedTemplate.from_parts(
        '<p class="a">Hej HTIPH[name]!</p>\n<p>HTIPH[name] &amp; HTIPH[email]</p>\n<p>Ingen</p>\n',
        "Hej HTIPH[name]!\nHTIPH[name] <HTIPH[email]>\nIngen\n")
    values = {"name": 'Eva <b>"Ek"</b>', "email": "eva@example.se"}
    html, text = rendered.fill(values)
    assert html == ('<p class="a">Hej Eva &lt;b&gt;&#34;Ek&#34;&lt;/b&gt;!</p>\n'
                    '<p>Eva &lt;b&gt;&#34;Ek&#34;&lt;/b&gt; &amp; eva@example.se</p>\n<p>Ingen</p>\n')
    assert text == 'Hej Eva <b>"Ek"</b>!\nEva <b>"Ek"</b> <eva@example.se>\nIngen\n'
    assert rendered.fill_encoded(values) == (quoted_printable(html), quoted_printable(text))
    # A value with line breaks of its own is encoded as if the whole text were, CRLF at every line end.
    values["name"] = "Eva\r\nEk\rEkström"
    assert rendered.fill_encoded(values)[1] == quoted_printable(rendered.fill(values)[1]) == (
        b"Hej Eva\r\nEk\r\nEkstr=C3=B6m!\r\nEva\r\nEk\r\nEkstr=C3=B6m <eva@example.se>\r\nIngen\r\n")


def test_css_is_inlined_and_body_text_is_large(app):
    html, _text = render_preview("delivery/test", {"sent_by": "Karin"}, subject="Prov", list_key=None,
                                 email="eva@example.se", name="Eva")
    assert '<p style="font-size:20px' in html
    assert html.startswith("<!DOCTYPE html>")
    assert 'lang="sv"' in html


def test_list_mail_footer_has_personal_unsubscribe_and_preference_links(app):
    html, text = render_preview("delivery/test", {"sent_by": "Karin"}, subject="Prov", list_key="nyhetsbrev",
                                email="Eva@Example.se", name="Eva")
    assert "https://hti.example.se/avregistrera/" in html
    assert "https://hti.example.se/installningar/" in html
    assert "Avregistrera dig här" in html
    assert "https://hti.example.se/avregistrera/" in text
    transactional, _ = render_preview("delivery/test", {"sent_by": "Karin"}, subject="Prov", list_key=None,
                                      email="eva@example.se", name="Eva")
    assert "avregistrera" not in transactional


def test_premailer_runs_once_per_send_not_per_recipient(app, monkeypatch):
    calls = []
    original = render.inline_css
    monkeypatch.setattr(render, "inline_css", lambda html: calls.append(1) or original(html))
    rendered = render_template_pair("delivery/test", {"sent_by": "Karin"}, subject="Prov", list_key=None)
    filled = [rendered.fill({"name": f"Person {n}"})[0] for n in range(50)]
    assert len(calls) == 1
    assert "Hej Person 49!" in filled[49]
    assert "Hej Person 0!" in filled[0]


@pytest.fixture
def counting_http_server():
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"p { color: #ff0000 }")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], requests
    server.shutdown()
    server.server_close()


def test_premailer_never_fetches_urls_or_reads_local_files(counting_http_server, tmp_path):
    port, requests = counting_http_server
    local_css = tmp_path / "secret.css"
    local_css.write_text("p { color: #abcdef }")
    html = f"""<html><head>
      <link rel="stylesheet" href="http://127.0.0.1:{port}/remote.css">
      <link rel="stylesheet" href="{local_css}">
      <link rel="stylesheet" href="file://{local_css}">
      <style>@import url("http://127.0.0.1:{port}/imported.css"); @import "{local_css}";
             p {{ font-size: 20px }}</style>
    </head><body><p>Hej</p></body></html>"""
    out = inline_css(html)
    assert requests == []
    assert "abcdef" not in out and "#ff0000" not in out
    assert "<link" not in out
    assert '<p style="font-size:20px">Hej</p>' in out


def test_premailer_hook_shares_the_parsed_stylesheet_between_sends(app):
    """premailer is pinned to one version in pyproject.toml because SharedRulesPremailer overrides its private
    `_parse_style_rules`; this fails when an upgrade stops calling that hook (renamed, restructured)."""
    from hti_comms.delivery.inlining import SharedRulesPremailer

    SharedRulesPremailer.forget()
    first = render_template_pair("delivery/test", {"sent_by": "Karin"}, subject="Prov", list_key=None)
    second = render_template_pair("delivery/test", {"sent_by": "Sven"}, subject="Nummer två", list_key="nyhetsbrev")
    # Two sends with the one stylesheet of the base layout: premailer asked twice, the rules were made once,
    # and the media queries left in <style> were written out once.
    assert SharedRulesPremailer.calls == {"asked": 2, "parsed": 1, "leftover asked": 2, "leftover serialised": 1}
    for rendered in (first, second):
        assert '<p style="font-size:20px' in rendered.html.fill({"name": "Eva"})
    # What the sharing gives is exactly what premailer alone makes.
    from premailer import Premailer

    from hti_comms.delivery import inlining

    plain = type("PlainPremailer", (Premailer,), {})
    original = inlining.SharedRulesPremailer
    try:
        inlining.SharedRulesPremailer = plain
        unshared = render_template_pair("delivery/test", {"sent_by": "Sven"}, subject="Nummer två",
                                        list_key="nyhetsbrev")
    finally:
        inlining.SharedRulesPremailer = original
    assert unshared.html.fill({"name": "Eva"}) == second.html.fill({"name": "Eva"})
    assert "@media" in second.html.fill({"name": "Eva"}) and "!important" in second.html.fill({"name": "Eva"})
    SharedRulesPremailer.forget()
