"""Who an email is from and where replies go: the organisation's name, and a mailbox a person reads."""
import pytest

from hti_comms.config import ConfigError, build_config
from hti_comms.delivery.services import queue_test_email
from hti_comms.delivery.worker import deliver_due


def test_mail_comes_from_spf_seniorerna_and_replies_go_to_a_person(app, db, mail_sink):
    app.config["MAIL_REPLY_TO"] = "Karin Ek <karin.ek@spfseniorerna.se>"
    queue_test_email("eva@example.se", name="Eva Ek", sent_by="Karin")
    assert deliver_due() == 1
    [message] = mail_sink.wait_for(1)
    assert str(message["From"]) == "SPF Seniorerna – Hemtjänstindex <hemtjanstindex@spfseniorerna.se>"
    assert str(message["Reply-To"]) == "Karin Ek <karin.ek@spfseniorerna.se>"
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    # The footer names the address replies reach, and says why the reader gets the message.
    for part in (html, text):
        assert "hemtjanstindex@spfseniorerna.se" in part
        assert "Du får det här brevet för att Karin på SPF Seniorerna skickade ett provbrev" in part


def test_reply_to_defaults_to_the_sender_and_must_be_an_address():
    config = build_config({"HTI_ENV": "test"})
    assert config["MAIL_REPLY_TO"] == "hemtjanstindex@spfseniorerna.se"
    assert build_config({"HTI_ENV": "test", "MAIL_REPLY_TO": "karin.ek@spfseniorerna.se"})["MAIL_REPLY_TO"] \
        == "karin.ek@spfseniorerna.se"
    with pytest.raises(ConfigError, match="MAIL_REPLY_TO 'Karin' is not an email address"):
        build_config({"HTI_ENV": "test", "MAIL_REPLY_TO": "Karin"})
