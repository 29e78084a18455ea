"""STARTTLS, implicit TLS and authentication against real aiosmtpd servers with a test certificate."""
from __future__ import annotations

import ssl
import subprocess

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select

from hti_comms.delivery.models import OutboxMessage, OutboxStatus, Send, SendStatus
from hti_comms.delivery.services import resume_send
from hti_comms.delivery.sink import SINK_HOST, MemorySink
from hti_comms.delivery.worker import deliver_due

from .helpers import enqueue_people


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, trusted by this test run only (SSL_CERT_FILE)."""
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return key, cert


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"hti", b"hemligt")
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def tls_server(app, certificate, monkeypatch):
    key, cert = certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the worker verifies the server like any other
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    servers = []

    def start(**options):
        sink = MemorySink().start(**options)
        servers.append(sink)
        app.config.update(SMTP_HOST=SINK_HOST, SMTP_PORT=sink.port)
        return sink

    yield context, start
    for sink in servers:
        sink.stop()


def start_starttls_with_login(app, tls_server, password: str) -> MemorySink:
    context, start = tls_server
    sink = start(tls_context=context, require_starttls=True, auth_required=True, authenticator=authenticate)
    app.config.update(SMTP_SECURITY="starttls", SMTP_USERNAME="hti", SMTP_PASSWORD=password)
    return sink


def test_starttls_with_login(app, db, tls_server):
    sink = start_starttls_with_login(app, tls_server, "hemligt")
    enqueue_people(2)
    assert deliver_due() == 2
    assert len(sink.wait_for(2)) == 2


def test_wrong_password_pauses_the_send_and_keeps_every_row_waiting(app, db, tls_server):
    sink = start_starttls_with_login(app, tls_server, "fel")
    send_id = enqueue_people(3)
    assert deliver_due() == 0
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert {(row.status, row.attempts) for row in rows} == {(OutboxStatus.QUEUED, 0)}
    assert any(row.last_error and row.last_error.startswith("SMTP-inloggningen misslyckades: 535") for row in rows)
    send = db.session.get(Send, send_id)
    assert send.status is SendStatus.PAUSED and "535" in send.pause_reason
    assert sink.raw_messages == []

    app.config["SMTP_PASSWORD"] = "hemligt"  # staff fix the login, then resume
    resume_send(send_id)
    assert deliver_due() == 3
    assert len(sink.wait_for(3)) == 3


def test_implicit_tls(app, db, tls_server):
    context, start = tls_server
    sink = start(ssl_context=context)
    app.config.update(SMTP_SECURITY="ssl")
    enqueue_people(1)
    assert deliver_due() == 1
    assert len(sink.wait_for(1)) == 1
