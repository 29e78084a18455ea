"""Demo bounces for `make run`: three reports about a demo send, read and acted on as real ones are.

Three pensioners' council members in Habo with invented example.se addresses (names marked "(demo)") get the
latest demo year's result brief, sent as staff send it. Then three reports about it come back, in the standard
formats mail servers use, and go through the one processor every way in feeds (`services.process`): a
permanent failure (the address is suppressed), a full mailbox (counted, one of three) and a spam complaint (the
member is unsubscribed and the address suppressed). The staff page "Studsar" and the contacts' pages show them.
"""
from __future__ import annotations

from email.header import Header
from email.utils import format_datetime

from flask import current_app
from sqlalchemy import select

from .. import clock
from ..briefs.demo_council import demo_member, send_brief_to_demo_council
from ..delivery.services import messages_for
from ..delivery.verp import Verp
from ..extensions import db
from .models import BounceReport
from .services import process

SOURCE = "demo"
MUNICIPALITY = "0643"  # Habo
#: (name, address, what comes back about the circular sent to it).
MEMBERS = (
    ("Harald Studsare (demo)", "harald.studsare@example.se", "hard"),
    ("Siv Fullbrevlåda (demo)", "siv.fullbrevlada@example.se", "soft"),
    ("Klas Klagare (demo)", "klas.klagare@example.se", "complaint"),
)

_DELIVERY_STATUS = """\
From: MAILER-DAEMON@mx.example.se (Mail Delivery System)
To: {verp}
Subject: Undelivered Mail Returned to Sender
Date: {date}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="demo-{n}"

--demo-{n}
Content-Type: text/plain; charset=us-ascii

Demo: your message to {rcpt} could not be delivered.

--demo-{n}
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.se
Arrival-Date: {date}

Final-Recipient: rfc822; {rcpt}
Action: failed
Status: {status}
Diagnostic-Code: smtp; {diagnostic}

--demo-{n}
Content-Type: text/rfc822-headers

Return-Path: <{verp}>
To: {rcpt}
Subject: {subject}

--demo-{n}--
"""

_COMPLAINT = """\
From: feedback@arf.example.se
To: fbl@example.se
Subject: FW: {subject}
Date: {date}
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="demo-{n}"

--demo-{n}
Content-Type: text/plain; charset=us-ascii

Demo: an email abuse report.

--demo-{n}
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: Demo-Feedback/1.0
Version: 1
Original-Mail-From: <{verp}>
Original-Rcpt-To: <{rcpt}>
Arrival-Date: {date}

--demo-{n}
Content-Type: message/rfc822

Return-Path: <{verp}>
To: {rcpt}
Subject: {subject}

Demo.

--demo-{n}--
"""

#: What comes back: (template, status, the receiving server's words).
REPORTS = {
    "hard": (_DELIVERY_STATUS, "5.1.1", "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown"),
    "soft": (_DELIVERY_STATUS, "4.2.2", "452 4.2.2 Mailbox full"),
    "complaint": (_COMPLAINT, "", ""),
}


def report(what: str, *, verp: str, rcpt: str, subject: str, n: int) -> bytes:
    """Return a returned message of the kind `what` about the message sent from `verp` to `rcpt`."""
    template, status, diagnostic = REPORTS[what]
    text = template.format(verp=verp, rcpt=rcpt, subject=Header(subject, "utf-8").encode(), n=n, status=status,
                           diagnostic=diagnostic.format(rcpt=rcpt), date=format_datetime(clock.now()))
    return text.replace("\n", "\r\n").encode("ascii")


def load() -> str | None:
    """Send the demo brief and process the three reports about it; return a line saying so, or None."""
    if db.session.scalar(select(BounceReport.id).limit(1)) is not None:
        return None
    sent = send_brief_to_demo_council(MUNICIPALITY, [demo_member(name, email) for name, email, _what in MEMBERS])
    if sent is None:
        return None
    verp = Verp.from_config(current_app.config)
    for n, (_name, email, what) in enumerate(MEMBERS):
        message = next(m for m in messages_for(email) if m.send_id == sent.send.id)
        process(report(what, verp=verp.envelope_sender(message.outbox_id), rcpt=email, subject=message.subject,
                       n=n), source=SOURCE)
    return (f"DEMODATA: resultatbrevet för {sent.year} till tre demomedlemmar i {sent.municipality.short_name} och "
            "tre svar om det på sidan Studsar: en permanent studs och ett klagomål (båda adresserna spärrade) och en "
            "full brevlåda.")
