"""MIME: structure, encodings, line lengths, list headers and header injection, parsed back with the stdlib."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from hti_comms.delivery.mime import build_skeleton
from hti_comms.delivery.outbox import Attachment
from hti_comms.delivery.sink import parse
from hti_comms.links import UNSUBSCRIBE_PURPOSE
from hti_comms.tokens import read_personal_token

MOMENT = datetime(2026, 11, 5, 9, 0, tzinfo=timezone.utc)
ICS = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:Grundkurs\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"


def build(*, subject="Hej", name="Eva Ek", email="eva@example.se", html="<p>Hej</p>", text="Hej",
          list_key=None, attachments=(), unsubscribe_url=None) -> bytes:
    skeleton = build_skeleton(send_id=7, mail_from="Hemtjänstindex <hti@spfseniorerna.se>", subject=subject,
                              list_key=list_key, list_name="Hemtjänstindex nyhetsbrev", attachments=attachments)
    return skeleton.build(outbox_id=42, email=email, name=name, html=html, text=text,
                          unsubscribe_url=unsubscribe_url, date=MOMENT)


def assert_wire_format(raw: bytes) -> None:
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert b"\r" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    raw.decode("ascii")  # 8-bit data never goes on the wire unencoded


def test_alternative_parts_with_long_lines_and_swedish_text():
    long_html = "<p>" + "å" * 3000 + "</p>" + "<td>x</td>" * 500
    raw = build(subject="Välkommen till grundkursen – torsdag 7 november", name="Åsa Öberg",
                html=long_html, text="Hej Åsa!\n" + "ä" * 2000)
    assert_wire_format(raw)
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    message = parse(raw)
    assert message.get_content_type() == "multipart/alternative"
    assert message["Subject"] == "Välkommen till grundkursen – torsdag 7 november"
    assert message["To"].addresses[0].display_name == "Åsa Öberg"
    assert message["To"].addresses[0].addr_spec == "eva@example.se"
    assert message["From"].addresses[0].display_name == "Hemtjänstindex"
    assert message["Message-ID"] == "<hti.7.42@spfseniorerna.se>"
    assert message["Date"].datetime == MOMENT
    assert message.get_body(("html",)).get_content().replace("\r\n", "\n") == long_html
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == "Hej Åsa!\n" + "ä" * 2000
    assert message.defects == []


def test_attachments_inline_images_and_calendar_method():
    raw = build(html='<p><img src="cid:logo@hti" alt="SPF:s logotyp"></p>', attachments=(
        Attachment("logo.png", "image/png", b"\x89PNG fake", content_id="logo@hti"),
        Attachment("inbjudan.ics", "text/calendar; method=REQUEST", ICS),
        Attachment("Sammanfattning Åre.pdf", "application/pdf", b"%PDF-1.7 " + bytes(range(256)) * 20),
    ))
    assert_wire_format(raw)
    message = parse(raw)
    assert message.get_content_type() == "multipart/mixed"
    types = [part.get_content_type() for part in message.walk()]
    assert types == ["multipart/mixed", "multipart/alternative", "text/plain", "multipart/related", "text/html",
                     "image/png", "text/calendar", "text/calendar", "application/pdf"]
    calendar = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_content().replace("\r\n", "\n") == ICS.decode().replace("\r\n", "\n")
    image = next(p for p in message.walk() if p.get_content_type() == "image/png")
    assert image["Content-ID"] == "<logo@hti>"
    assert image.get_content() == b"\x89PNG fake"
    pdf = next(p for p in message.walk() if p.get_content_type() == "application/pdf")
    assert pdf.get_filename() == "Sammanfattning Åre.pdf"
    assert pdf.get_content() == b"%PDF-1.7 " + bytes(range(256)) * 20


def test_list_mail_headers(app):
    from hti_comms.links import unsubscribe_url

    url = unsubscribe_url("Ab12Cd34Ef56Gh78Ij90Kl", "nyhetsbrev")
    message = parse(build(list_key="nyhetsbrev", unsubscribe_url=url))
    assert message["List-Unsubscribe"] == f"<{url}>"
    assert url.startswith("https://hti.example.se/avregistrera/")
    token = read_personal_token(UNSUBSCRIBE_PURPOSE, url.rsplit("/", 1)[1])
    assert (token.subject, token.extra, token.expires_at) == ("Ab12Cd34Ef56Gh78Ij90Kl", {"l": "nyhetsbrev"}, None)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Id"] == "Hemtjänstindex nyhetsbrev <nyhetsbrev.spfseniorerna.se>"
    assert parse(build())["List-Unsubscribe"] is None


@pytest.mark.parametrize("evil", [
    "Hej\r\nBcc: evil@attacker.example",
    "Hej\nBcc: evil@attacker.example",
    "Hej\rBcc: evil@attacker.example",
    "Hej\u2028Bcc: evil@attacker.example",
    "=?utf-8?q?Hej=0D=0ABcc:_evil@attacker.example?=",
    "=?utf-8?b?SGVqDQpCY2M6IGV2aWxAYXR0YWNrZXIuZXhhbXBsZQ==?=",
])
def test_header_injection_is_impossible(evil):
    raw = build(subject=evil, name=evil)
    assert_wire_format(raw)
    message = parse(raw)
    assert message["Bcc"] is None
    assert message.get_all("To") and len(message.get_all("To")) == 1
    for value in (str(message["Subject"]), message["To"].addresses[0].display_name):
        assert "\r" not in value and "\n" not in value
        assert "Bcc: evil@attacker.example" in value or "Bcc:_evil" in value or "SGVq" in value
    assert message["To"].addresses[0].addr_spec == "eva@example.se"


@pytest.mark.parametrize("subject", [
    "Embargo till 12 juni 2025 kl. 08.00 – Ale kommuns resultat i Hemtjänstindex 2025",
    "å" * 200,
    "x" * 70 + "é",
    "Grattis 🎉 " * 12 + "från oss",
])
def test_long_swedish_subjects_and_names_are_folded_and_read_back_literally(subject):
    raw = build(subject=subject, name=subject[:20])
    assert_wire_format(raw)
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert max(len(line) for line in head.split(b"\r\n") if not line.startswith(b"To:")) <= 78
    message = parse(raw)
    assert message["Subject"] == subject
    assert message["To"].addresses[0].display_name == subject[:20].strip()
    assert message.defects == []
