"""No value in any email becomes markup: every declared email, with hostile text in every field, as sent.

Each email the accessibility checks declare (`tests/<domain>/pages.py`; `test_coverage.py` keeps that list equal
to `templates/emails/`) is built as its domain builds it; then every string it carries (the subject, every
string in its context, the recipient's name and personal fields) gets hostile text appended, and the message is
rendered and built as the send worker builds it. Its HTML part, read back with the stdlib email parser and an
HTML parser, must hold none of the hostile elements or attributes, and must show the hostile text as text.

Values named `html` or `…_html` hold HTML the domain made from staff Markdown (sanitised by
`hti_comms.markdown`); their hostile text goes through that same renderer, as it would in real use.
No browser: this runs in the normal suite.
"""
from __future__ import annotations

import email
import email.policy
from typing import Any

import pytest
from flask import current_app

from hti_comms import clock
from hti_comms.delivery.mime import build_skeleton
from hti_comms.delivery.models import OutboxMessage, Send
from hti_comms.delivery.outbox import Attachment
from hti_comms.delivery.render import recipient_values, render_template_pair
from hti_comms.extensions import db
from hti_comms.markdown import render_markdown
from tests.a11y.conftest import EMAILS, PageData, demo_app
from tests.markup import HOSTILE, live_markup, shown_text

EXAMPLE_ADDRESS = "mottagare@example.se"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with demo_app(tmp_path_factory.mktemp("email-markup")) as (app, staff_email):
        yield PageData(app, staff_email)


def hostile(value: Any, key: str = "") -> Any:
    """Return `value` with the hostile text appended to every string in it (HTML values as staff write them)."""
    if isinstance(value, dict):
        return {name: hostile(item, name) for name, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [hostile(item, key) for item in value]
    if isinstance(value, str):
        if key == "html" or key.endswith("_html"):
            return value + render_markdown(HOSTILE).html
        return value + HOSTILE
    return value


def _as_built(built) -> dict[str, Any]:
    """Return what an email is made of, from a declaration's Send (its first row) or (EmailSpec, Recipient)."""
    if isinstance(built, Send):
        row = db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.send_id == built.id).order_by(OutboxMessage.id)).first()
        attachments = tuple(Attachment(a.filename, a.content_type, a.data, a.content_id, a.is_personal)
                            for a in built.attachments)
        return {"template": built.template, "context": built.context or {}, "subject": built.subject,
                "list_key": built.list_key, "attachments": attachments, "name": row.name, "fields": row.fields or {}}
    spec, recipient = built
    return {"template": spec.template, "context": dict(spec.context), "subject": spec.subject,
            "list_key": spec.list_key, "attachments": tuple(spec.attachments), "name": recipient.name,
            "fields": dict(recipient.fields)}


def hostile_message(made: dict[str, Any]) -> email.message.EmailMessage:
    """Render and build the email with hostile values as the send worker does; return it parsed."""
    context, subject = hostile(made["context"]), hostile(made["subject"])
    name, fields = hostile(made["name"] or "Eva Ek"), hostile(made["fields"])
    rendered = render_template_pair(made["template"], context, subject=subject, list_key=made["list_key"])
    skeleton = build_skeleton(send_id=1, mail_from=current_app.config["MAIL_FROM"], subject=subject,
                              list_key=made["list_key"], list_name=context.get("list_name") or "Hemtjänstindex",
                              attachments=made["attachments"], reply_to=current_app.config["MAIL_REPLY_TO"])
    keys = rendered.keys | skeleton.keys | ({"unsubscribe_url"} if made["list_key"] else frozenset())
    values = recipient_values(keys, email=EXAMPLE_ADDRESS, name=name, fields=fields, list_key=made["list_key"],
                              link_key="nyckel")
    html_qp, text_qp = rendered.fill_encoded(values)
    raw = skeleton.build_encoded(outbox_id=1, email=EXAMPLE_ADDRESS, name=name, html_qp=html_qp, text_qp=text_qp,
                                 unsubscribe_url=values.get("unsubscribe_url"), date=clock.now(), values=values)
    return email.message_from_bytes(raw, policy=email.policy.default)


@pytest.mark.parametrize("example", [pytest.param(e, id=e.name) for e in EMAILS])
def test_hostile_values_stay_text_in_the_html_part(site, example):
    with site.app.app_context():
        made = site.get(f"email:{example.name}", lambda data: _as_built(example.build(data)))
        message = hostile_message(made)
    html = message.get_body(("html",)).get_content()
    found = live_markup(html)
    assert found == [], f"{example.template}: values became markup in the HTML part: {found}"
    # The hostile text reached the part (at least in the subject), shown as the words that were typed.
    assert HOSTILE in shown_text(html)
    assert HOSTILE in message["Subject"]
