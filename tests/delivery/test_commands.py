"""Commands: sending now with a progress bar, the mail sink process, DKIM, and `make run` with all four processes."""
from __future__ import annotations

import os
import signal
import subprocess
import urllib.request

import dkim
import pytest
from sqlalchemy import select

from hti_comms.config import ConfigError, build_config
from hti_comms.delivery.models import SinkMessage
from hti_comms.delivery.sink import free_port
from hti_comms.delivery.worker import deliver_due
from tests.processes import PROJECT_ROOT, FlaskProcess, wait_until

from .helpers import enqueue_people, sample_spec


def test_deliver_command_shows_progress_and_sends(app, db, runner, mail_sink):
    enqueue_people(25)
    result = runner.invoke(args=["hti", "deliver"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Skickar")  # the progress bar (drawn in full only on a terminal)
    assert "25 av 25 brev skickades." in result.output
    assert runner.invoke(args=["hti", "deliver"]).output.strip() == "Inga brev väntar på att skickas."


def test_send_test_email_command_refuses_a_bad_address(app, runner):
    result = runner.invoke(args=["hti", "send-test-email", "inte-en-adress"])
    assert result.exit_code != 0 and "”inte-en-adress” är ingen giltig e-postadress." in result.output


def test_delivery_settings_are_validated():
    with pytest.raises(ConfigError, match="SMTP_POOL_SIZE must be at least 1"):
        build_config({"HTI_ENV": "test", "SMTP_POOL_SIZE": "0"})
    with pytest.raises(ConfigError, match="also set DKIM_SELECTOR and DKIM_DOMAIN"):
        build_config({"HTI_ENV": "test", "DKIM_PRIVATE_KEY_PATH": "/tmp/key.pem"})
    assert build_config({"HTI_ENV": "test", "SMTP_RATE_PER_SECOND": "12.5"})["SMTP_RATE_PER_SECOND"] == 12.5


def test_dkim_signature_covers_the_list_headers_and_verifies(app, db, mail_sink, tmp_path):
    key_path = tmp_path / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-traditional", "-out", str(key_path), "2048"], check=True,
                   capture_output=True)
    public = subprocess.run(["openssl", "rsa", "-in", str(key_path), "-pubout", "-outform", "DER"], check=True,
                            capture_output=True).stdout
    app.config.update(DKIM_PRIVATE_KEY_PATH=str(key_path), DKIM_SELECTOR="hti", DKIM_DOMAIN="spfseniorerna.se")
    enqueue_people(1, sample_spec(list_key="nyhetsbrev"))
    deliver_due()
    mail_sink.wait_for(1)
    raw = mail_sink.raw_messages[0]
    signature = raw.split(b"\r\n\r\n", 1)[0].decode()
    assert signature.startswith("DKIM-Signature:")
    signed = signature.split(" h=", 1)[1].split(";", 1)[0].replace("\r\n", "").replace(" ", "").lower().split(":")
    assert {"list-unsubscribe", "list-unsubscribe-post", "list-id", "from", "subject"} <= set(signed)

    import base64

    def dns(name, timeout=5):
        assert name == b"hti._domainkey.spfseniorerna.se."
        return b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)

    assert dkim.verify(raw, dnsfunc=dns)
    tampered = raw.replace(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click", b"List-Unsubscribe-Post: nej")
    assert not dkim.verify(tampered, dnsfunc=dns)


@pytest.mark.slow
def test_mail_sink_process_keeps_messages_for_testpost(app, db, tmp_path):
    port = free_port()
    sink = FlaskProcess(["hti", "mail-sink", "--port", str(port)], app.config["SQLALCHEMY_DATABASE_URI"],
                        tmp_path / "sink.log")
    try:
        wait_until(lambda: "Testposten tar emot e-post" in sink.output, message="the sink to listen")
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
        enqueue_people(2)
        assert deliver_due() == 2
        wait_until(lambda: db.session.rollback() or len(db.session.scalars(select(SinkMessage)).all()) == 2,
                   message="both messages stored")
    finally:
        assert sink.stop() == 0
    stored = db.session.scalars(select(SinkMessage).order_by(SinkMessage.recipients)).all()
    assert [(m.recipients, m.subject) for m in stored] == [("person0@example.se", "Provbrev"),
                                                           ("person1@example.se", "Provbrev")]
    assert "Testposten har stannat" in sink.output


@pytest.mark.slow
def test_make_run_starts_everything_and_stops_on_sigterm(tmp_path):
    port, sink_port = free_port(), free_port()
    database = tmp_path / "run.db"
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{database}")
    env.pop("HTI_ENV", None)
    log = (tmp_path / "run.log").open("w")
    process = subprocess.Popen(["make", "run", f"PORT={port}", f"SINK_PORT={sink_port}"], cwd=PROJECT_ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    output = lambda: (tmp_path / "run.log").read_text()  # noqa: E731
    try:
        def login_page():
            try:
                return urllib.request.urlopen(f"http://127.0.0.1:{port}/logga-in", timeout=2).status == 200
            except OSError:
                return False

        wait_until(login_page, timeout=90, interval=0.3, message="the web app")
        assert "Lösenord:" in output()
        # A message goes through outbox → worker → sink, end to end.
        queue = FlaskProcess(["hti", "send-test-email", "eva@example.se"], f"sqlite:///{database}",
                             tmp_path / "queue.log", HTI_ENV="development")
        queue.process.wait(timeout=60)
        queue.stop()
        import sqlite3

        def arrived():  # the demo data's own mail (the bounces demo's brief to example.se) goes to the sink too
            with sqlite3.connect(database) as connection:
                return connection.execute("select recipients, subject from sink_message "
                                          "where recipients = 'eva@example.se'").fetchall()

        [(_to, subject)] = wait_until(arrived, timeout=30, message="the test email in the sink")
        assert subject == "Provbrev från Hemtjänstindex", subject
        for name in ("[testpost]", "[schema  ]", "[utskick ]", "[webb    ]"):
            assert name in output()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        finally:
            log.close()
    leftovers = subprocess.run(["pgrep", "-g", str(process.pid)], capture_output=True, text=True).stdout.split()
    assert leftovers == [], output()
    with sqlite3.connect(database) as connection:
        assert connection.execute("select status from outbox_message where email = 'eva@example.se'"
                                  ).fetchall() == [("sent",)]
        # Nothing of the demo data's mail went anywhere but the local sink.
        assert connection.execute("select count(*) from outbox_message where email not like '%@example.se'"
                                  ).fetchone() == (0,)
