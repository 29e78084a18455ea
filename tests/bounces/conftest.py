"""Messages really sent through the outbox to a real SMTP sink, and real-format reports about them."""
from __future__ import annotations

from pathlib import Path

import pytest

from hti_comms.delivery.owner import Owner
from hti_comms.delivery.outbox import EmailSpec, Recipient, enqueue
from hti_comms.delivery.worker import deliver_due
from hti_comms.extensions import db

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str, **values: str) -> bytes:
    """Return the sample report `name` with {verp}, {rcpt} and the other placeholders filled."""
    text = (SAMPLES / name).read_text("utf-8")
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text.replace("\n", "\r\n").encode("utf-8")


@pytest.fixture
def sent(app, mail_sink, make_contact):
    """Return a function that sends list mail to confirmed contacts; it returns {address: envelope sender}."""

    def send(*addresses: str, list_key: str = "nyhetsbrev", reference: str = "prov:1") -> dict[str, str]:
        for address in addresses:
            make_contact(address, list_keys=("nyhetsbrev", "kurser"))
        spec = EmailSpec(owner=Owner("tests", "sample"), template="delivery/test", subject="Nyhetsbrev", kind="test", list_key=list_key,
                         context={"sent_by": "Karin", "note": "", "list_name": "Nyhetsbrev"}, reference=reference)
        before = len(mail_sink.raw_messages)
        enqueue(spec, [Recipient(address) for address in addresses])
        db.session.commit()
        deliver_due()
        mail_sink.wait_for(before + len(addresses))
        return {to: mail_from for mail_from, (to,) in mail_sink.envelopes}
    return send


@pytest.fixture
def receive(app, runner, tmp_path):
    """Return a function that runs `hti bounces receive` on messages (written to files); returns the result."""
    counter = iter(range(10_000))

    def run(*messages: bytes):
        names = []
        for raw in messages:
            path = tmp_path / f"rapport{next(counter)}.eml"
            path.write_bytes(raw)
            names.append(str(path))
        return runner.invoke(args=["hti", "bounces", "receive", *names])
    return run


@pytest.fixture
def show(runner):
    """Return a function that runs `hti suppression show EMAIL --format json` and returns the parsed record."""
    import json

    def run(email: str) -> dict:
        result = runner.invoke(args=["hti", "suppression", "show", email, "--format", "json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)
    return run
