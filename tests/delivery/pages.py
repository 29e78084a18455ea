"""Staff pages and emails of the delivery domain for the accessibility checks (see tests/a11y/registry.py)."""
from tests.a11y.registry import email, not_a_page, page


def delivered_test_email(data):
    """A test email sent through the real worker to a local sink that keeps it for Testpost (made once)."""
    def make(data_):
        from hti_comms.delivery.services import queue_test_email
        from hti_comms.delivery.sink import DatabaseSink, MemorySink, StoringHandler
        from hti_comms.delivery.worker import deliver_due

        app = data_.app
        sink = MemorySink().start(handler=StoringHandler(DatabaseSink(app).store))
        saved = {key: app.config[key] for key in ("SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY")}
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=sink.port, SMTP_SECURITY="none")
        try:
            send = queue_test_email("mottagare@example.se", name="Maja Mottagare", note="Hälsningar från kansliet",
                                    sent_by="Karin Personal")
            deliver_due()
        finally:
            sink.stop()
            app.config.update(saved)
        return send.id
    return data.get("delivered-test-email", make)


def _sink_message_id(data):
    from sqlalchemy import select

    from hti_comms.delivery.models import SinkMessage
    from hti_comms.extensions import db

    delivered_test_email(data)
    return {"message_id": db.session.scalar(select(SinkMessage.id).order_by(SinkMessage.id.desc()).limit(1))}


def _test_email_send(data):
    from hti_comms.delivery.models import Send
    from hti_comms.extensions import db

    return db.session.get(Send, delivered_test_email(data))


def _submit_empty(page_):
    page_.get_by_role("button", name="Lägg i utkorgen").click()


page("delivery_admin.sends", args=lambda data: delivered_test_email(data) and {})
page("delivery_admin.send_detail", args=lambda data: {"send_id": delivered_test_email(data)})
page("delivery_admin.send_preview", args=lambda data: {"send_id": delivered_test_email(data)})
page("delivery_admin.test_email")
page("delivery_admin.test_email", state="fel", then=_submit_empty)
def _sink_message_with_attachment(data):
    """A registration confirmation with its calendar invitation, kept by the local sink for Testpost (made once)."""
    def make(data_):
        from sqlalchemy import select

        from hti_comms.delivery.models import SinkMessage
        from hti_comms.delivery.sink import DatabaseSink, MemorySink, StoringHandler
        from hti_comms.delivery.worker import deliver_due
        from hti_comms.events.registration import RegistrationInput, register
        from hti_comms.events.services import get_event
        from hti_comms.extensions import db
        from tests.events.pages import _event

        app = data_.app
        event = get_event(_event(data_, "testpost"))
        sink = MemorySink().start(handler=StoringHandler(DatabaseSink(app).store))
        saved = {key: app.config[key] for key in ("SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY")}
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=sink.port, SMTP_SECURITY="none")
        try:
            register(event, RegistrationInput(name="Cecilia Ceder", email="cecilia@example.se"))
            deliver_due()
        finally:
            sink.stop()
            app.config.update(saved)
        return db.session.scalar(select(SinkMessage.id).order_by(SinkMessage.id.desc()).limit(1))
    return {"message_id": data.get("sink-message-with-attachment", make)}


page("testpost_admin.index", args=lambda data: delivered_test_email(data) and {})
page("testpost_admin.message", args=_sink_message_id)
page("testpost_admin.message", state="bilaga", args=_sink_message_with_attachment)
not_a_page("testpost_admin.attachment", "an attachment of a received email, as a download")
not_a_page("delivery_admin.send_status", "JSON for the live counts on the send page")
page("delivery_admin.send_recipients", args=lambda data: {"send_id": delivered_test_email(data)})


def _fill_test_email(page_):
    page_.get_by_label("Skicka till (e-postadress)").fill("mottagare@example.se")
    page_.get_by_role("button", name="Lägg i utkorgen").click()


page("delivery_admin.test_email", state="fråga", then=_fill_test_email)


def _paused_send(data):
    """A send of two with one delivered and the rest paused, so "Fortsätt" asks first (made once)."""
    def make(data_):
        from hti_comms.delivery.outbox import Recipient, enqueue
        from hti_comms.delivery.services import pause_send
        from hti_comms.extensions import db
        from tests.delivery.helpers import sample_spec

        send = enqueue(sample_spec(subject="Pausat provbrev"), [Recipient("forsta@example.se", "Första Mottagare"),
                                                               Recipient("andra@example.se", "Andra Mottagare")])
        db.session.commit()
        pause_send(send.id)
        return send.id
    return data.get("paused-send", make)


page("delivery_admin.resume", args=lambda data: {"send_id": _paused_send(data)})
for endpoint in ("pause", "cancel"):
    not_a_page(f"delivery_admin.{endpoint}", "POST that changes a send and redirects")


def _send_with_unknowns(data):
    """A finished send of three whose first two have an unknown outcome (made once)."""
    def make(data_):
        from sqlalchemy import update

        from hti_comms.delivery.models import OutboxMessage, OutboxStatus, Send, SendStatus
        from hti_comms.delivery.outbox import Recipient, enqueue
        from hti_comms.extensions import db
        from tests.delivery.helpers import sample_spec

        send = enqueue(sample_spec(subject="Provbrev med okänt utfall"),
                       [Recipient("forsta@example.se", "Första Mottagare"), Recipient("andra@example.se", "Andra Mottagare"),
                        Recipient("tredje@example.se", "Tredje Mottagare")])
        db.session.flush()
        db.session.execute(update(OutboxMessage).where(OutboxMessage.send_id == send.id)
                           .values(status=OutboxStatus.SENT))
        db.session.execute(update(OutboxMessage).where(OutboxMessage.send_id == send.id,
                                                       OutboxMessage.email != "tredje@example.se")
                           .values(status=OutboxStatus.UNKNOWN,
                                   last_error="Okänt om brevet kom fram: e-postservern stängde förbindelsen medan vi "
                                              "väntade på serverns svar efter brevets sista rad."))
        db.session.execute(update(Send).where(Send.id == send.id).values(status=SendStatus.DONE))
        db.session.commit()
        return send.id
    return data.get("send-with-unknowns", make)


page("delivery_admin.send_detail", state="okänt utfall", args=lambda data: {"send_id": _send_with_unknowns(data)})
page("delivery_admin.resolve_unknown", args=lambda data: {"send_id": _send_with_unknowns(data),
                                                          "decision": "skicka-igen"})
page("delivery_admin.resolve_unknown", state="räkna som skickade",
     args=lambda data: {"send_id": _send_with_unknowns(data), "decision": "rakna-som-skickade"})
not_a_page("testpost_admin.clear", "POST that empties Testpost and redirects")

email("delivery/test", build=_test_email_send)

not_a_page("delivery_admin.send_preview_html", "the email shown in the preview page's frame (checked as an email)")
not_a_page("testpost_admin.message_html", "a received email shown in the Testpost page's frame")
