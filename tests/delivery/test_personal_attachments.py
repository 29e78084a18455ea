"""Personal attachments: one file per send with per-recipient placeholders, filled for each message."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from hti_comms.delivery.mime import build_skeleton
from hti_comms.delivery.models import SendAttachment
from hti_comms.delivery.outbox import Attachment, Recipient, enqueue
from hti_comms.delivery.personal_attachments import fold_ical, placeholder
from hti_comms.delivery.sink import parse
from hti_comms.delivery.worker import deliver_due

from .helpers import sample_spec

MOMENT = datetime(2026, 11, 5, 9, 0, tzinfo=timezone.utc)
LONG = "Välkommen till grundkursen om Hemtjänstindex – en lång rad som måste vikas flera gånger "


def calendar_with_placeholders() -> bytes:
    # Folded the way a calendar library folds: a placeholder may be cut in two by a line fold.
    lines = ["BEGIN:VCALENDAR", "METHOD:REQUEST", "BEGIN:VEVENT", f"UID:{placeholder('fields.uid')}",
             f"ATTENDEE;CN={placeholder('fields.cn')};RSVP=FALSE:mailto:{placeholder('email')}",
             # 12 + 55 octets: the fold after octet 75 cuts the placeholder in two.
             f"DESCRIPTION:{'x' * 55}{placeholder('fields.cancel_url')} {LONG}", "END:VEVENT", "END:VCALENDAR", ""]
    return "\r\n".join(fold_ical(line) for line in lines).encode("utf-8")


def _build(skeleton, email, values):
    return parse(skeleton.build(outbox_id=1, email=email, name="", html="<p>Hej</p>", text="Hej",
                                unsubscribe_url=None, date=MOMENT, values=values))


def test_each_message_gets_its_own_values_in_the_calendar(app):
    data = calendar_with_placeholders()
    assert placeholder("fields.cancel_url").encode() not in data
    assert placeholder("fields.cancel_url").encode() in data.replace(b"\r\n ", b"")
    skeleton = build_skeleton(send_id=7, mail_from="Hemtjänstindex <hti@spfseniorerna.se>", subject="Inbjudan",
                              list_key=None, list_name="", attachments=(
                                  Attachment("inbjudan.ics", "text/calendar; method=REQUEST", data, is_personal=True),
                                  Attachment("program.txt", "text/plain", b"Program: HTIPH[email] stays literal")))
    assert skeleton.keys == {"email", "fields.uid", "fields.cn", "fields.cancel_url"}
    eva = _build(skeleton, "eva@example.se", {"email": "eva@example.se", "fields.uid": "uid-eva@hti",
                                              "fields.cn": '"Ek, Eva"', "fields.cancel_url": "https://x.se/a/EVA"})
    olle = _build(skeleton, "olle@example.se", {"email": "olle@example.se", "fields.uid": "uid-olle@hti",
                                                "fields.cn": "Olle", "fields.cancel_url": "https://x.se/a/OLLE"})
    for message, who in ((eva, "eva"), (olle, "olle")):
        calendars = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        assert len(calendars) == 2 and calendars[0].get_content() == calendars[1].get_content()
        raw = calendars[0].get_payload(decode=True)
        assert all(len(line) <= 75 for line in raw.split(b"\r\n")), raw
        unfolded = raw.replace(b"\r\n ", b"").decode()
        assert f"UID:uid-{who}@hti" in unfolded and f"mailto:{who}@example.se" in unfolded
        assert f"{'x' * 55}https://x.se/a/{who.upper()} {LONG}" in unfolded
        assert "HTIPH[" not in unfolded
        program = next(p for p in message.iter_attachments() if p.get_filename() == "program.txt")
        assert program.get_content() == "Program: HTIPH[email] stays literal"  # not personal: left alone
    assert 'ATTENDEE;CN="Ek, Eva";RSVP=FALSE:mailto:eva@example.se' in \
        next(p for p in eva.walk() if p.get_content_type() == "text/calendar").get_content().replace("\r\n ", "")


def test_a_value_can_never_add_a_line_to_the_file(app):
    skeleton = build_skeleton(send_id=7, mail_from="hti@spfseniorerna.se", subject="Inbjudan", list_key=None,
                              list_name="", attachments=(Attachment("inbjudan.ics", "text/calendar; method=REQUEST",
                                                                    calendar_with_placeholders(), is_personal=True),))
    message = _build(skeleton, "eva@example.se", {"email": "eva@example.se", "fields.uid": "u\r\nATTENDEE:mailto:x@evil",
                                                  "fields.cn": "Eva\nX", "fields.cancel_url": "u\u2028v"})
    text = next(p for p in message.walk() if p.get_content_type() == "text/calendar").get_content()
    lines = text.replace("\r\n ", "").split("\r\n")
    assert sum(line.startswith("ATTENDEE") for line in lines) == 1
    assert "UID:u ATTENDEE:mailto:x@evil" in lines


def test_folding_counts_octets_and_never_splits_a_character():
    line = "DESCRIPTION:" + "åäö€" * 40
    folded = fold_ical(line)
    pieces = folded.split("\r\n")
    assert "".join(p[1:] if i else p for i, p in enumerate(pieces)) == line
    assert all(len(p.encode("utf-8")) <= 75 for p in pieces)
    assert all(p.startswith(" ") for p in pieces[1:])
    assert fold_ical("SHORT:line") == "SHORT:line"


def test_personal_attachments_through_the_outbox_and_worker(app, db, mail_sink):
    attachment = Attachment("inbjudan.ics", "text/calendar; method=REQUEST", calendar_with_placeholders(),
                            is_personal=True)
    enqueue(sample_spec(attachments=(attachment,)), [
        Recipient("eva@example.se", "Eva", fields={"uid": "uid-eva", "cn": "Eva", "cancel_url": "https://x.se/e"}),
        Recipient("olle@example.se", "Olle", fields={"uid": "uid-olle", "cn": "Olle", "cancel_url": "https://x.se/o"}),
    ])
    db.session.commit()
    assert db.session.scalar(select(SendAttachment.is_personal)) is True
    assert deliver_due() == 2
    for message in mail_sink.wait_for(2):
        who = message["To"].addresses[0].addr_spec.split("@")[0]
        calendar = next(message.iter_attachments()).get_content().replace("\r\n ", "")
        assert f"UID:uid-{who}\r\n" in calendar and f"mailto:{who}@example.se" in calendar
