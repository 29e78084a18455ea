"""A person who did everything, exported and then erased: nothing of them stays in any text of any table.

The person signs up and confirms, registers for a course, orders the report package for their municipality on the
public form (an invoice reference with their name), confirms and is approved, opens the embargoed summary's web
version, gets the access email and through its personal link proposes a measure for the municipality's action plan
(signed with their name), gets newsletters, asks for their data by email, bounces, and is named in a contact
file staff staged. Before the erasure `hti export-contact` must show every record of it, and every table that
holds something of them must be declared in the personal-data registry; after the erasure a search of every
text, JSON and binary column of every table (from the SQLAlchemy metadata, so a new table cannot be forgotten)
for their address (any case, as typed in Unicode and as stored in punycode) and their name finds nothing.
"""
from __future__ import annotations

import json
import re
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from sqlalchemy import JSON, Enum, LargeBinary, String, Text, func, select

from hti_comms import clock
from hti_comms.delivery.sink import DatabaseSink, MemorySink, StoringHandler
from hti_comms.delivery.worker import deliver_due
from hti_comms.domain import registry
from hti_comms.extensions import db as _db
from hti_comms.personal_data import PSEUDONYM_PREFIX, Person
from hti_comms.publication.models import AuditAction, Order, OrderContact
from hti_comms.publication.audit import EMBARGO_KINDS, kind as audit_kind
from hti_comms.stafflog.models import LogEntry as AuditEntry
from hti_comms.scheduling.sweeps import run_all_once
from hti_comms.subscribers.imports.run import stage_import
from hti_comms.subscribers.models import Contact, LegalBasis
from tests.events.helpers import make_event
from tests.helpers import form_csrf_token
from tests.publication.helpers import PUBLISHED_AT, RELEASE_AT, results_for_2025

NAME = "Eva Öberg"
TYPED = "Eva.Ek@Exämpel.se"
STORED = "eva.ek@xn--exmpel-cua.se"
SHOWN = "eva.ek@exämpel.se"
#: What must not be found anywhere after the erasure, compared case-insensitively.
TRACES = (STORED, SHOWN, NAME)
INVOICE_REFERENCE = f"Att. {NAME.upper()}, {SHOWN.upper()}"
NEWSLETTER = "## Nytt om Hemtjänstindex\n\nHär är höstens nyheter.\n"


# --- searching every table ------------------------------------------------------------------------------------

def _texts(value) -> list[str]:
    """Return the texts a stored value holds: a string, JSON (decoded), or bytes (and a message's decoded parts)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (bytes, memoryview)):
        data = bytes(value)
        texts = [data.decode("utf-8", errors="replace")]
        if b"MIME-Version:" in data[:4000]:
            message = message_from_bytes(data, policy=policy.default)
            texts += [str(v) for v in message.values()]
            texts += [part.get_content() for part in message.walk()
                      if part.get_content_maintype() == "text" and not part.is_multipart()]
        return texts
    return [json.dumps(value, ensure_ascii=False)]


def _is_text_column(column) -> bool:
    # An Enum is a String to SQLAlchemy, but holds only the values the code defines.
    return isinstance(column.type, (String, Text, JSON, LargeBinary)) and not isinstance(column.type, Enum)


def places_holding(*needles: str) -> dict[str, int]:
    """Return "table.column" -> rows of every text, JSON or binary column that holds one of `needles` (any case)."""
    wanted = [n.casefold() for n in needles]
    found: dict[str, int] = {}
    for table in _db.metadata.sorted_tables:
        columns = [c for c in table.columns if _is_text_column(c)]
        if not columns:
            continue
        for row in _db.session.execute(select(*columns)):
            for column, value in zip(columns, row):
                if any(w in text.casefold() for text in _texts(value) for w in wanted):
                    key = f"{table.name}.{column.name}"
                    found[key] = found.get(key, 0) + 1
    return found


def test_the_search_finds_a_trace_in_any_case_in_json_and_in_a_kept_message(app, db, lists):
    from hti_comms.delivery.models import SinkMessage

    db.session.add(SinkMessage(received_at=clock.now(), mail_from="a@b.se", recipients="x@y.se", subject="Hej",
                               raw="MIME-Version: 1.0\r\nTo: =?utf-8?q?Eva_=C3=96berg?= <x@y.se>\r\n\r\nHej\r\n"
                               .encode()))
    db.session.commit()
    assert places_holding("EVA ÖBERG") == {"sink_message.raw": 1}


def test_a_person_is_found_in_any_case_and_form_as_whole_words_and_replaced_by_their_pseudonym():
    person = Person(STORED, name=NAME, pseudonym="Raderad person 3F9A2C")
    assert person.mentions("Ring EVA ÖBERG") and person.mentions(f"<{SHOWN.upper()}>") and person.mentions(STORED)
    assert not person.mentions("Eva Öbergsson") and not person.mentions(f"x{STORED}")
    assert not person.mentions(f"Ring {NAME}", by_name=False)
    assert person.redact(f"Ring EVA ÖBERG på {SHOWN.upper()}.") == "Ring Raderad person 3F9A2C på Raderad person 3F9A2C."
    assert person.redact_data({"ref": [f"Att. {NAME}"], "n": 2}) == {"ref": ["Att. Raderad person 3F9A2C"], "n": 2}
    with pytest.raises(ValueError):
        Person(STORED).redact(STORED)  # only an erasure redacts, and it always brings a pseudonym


def test_the_database_finds_every_row_that_may_mention_the_person_text_and_json(app, db):
    from hti_comms.delivery.models import Send, SendStatus

    person = Person(STORED, name=NAME)
    texts = {"name in capitals": "Att. EVA ÖBERG", "shown address": SHOWN.upper(), "stored address": STORED,
             "someone else": "Att. Eva Ek"}
    for label, text in texts.items():
        db.session.add(Send(reference=label, owner_domain="tests", owner_kind="sample", kind="test", template="delivery/test", subject=text,
                            context={"invoice_reference": text}, status=SendStatus.DONE, scheduled_at=clock.now(),
                            created_at=clock.now()))
    db.session.commit()
    for column in (Send.subject, Send.context):
        found = set(db.session.scalars(select(Send.reference).where(person.may_be_mentioned_in(column))))
        assert found == {"name in capitals", "shown address", "stored address"}, column
        by_address = set(db.session.scalars(select(Send.reference).where(
            person.may_be_mentioned_in(column, by_name=False))))
        assert by_address == {"shown address", "stored address"}, column


# --- the person's day ---------------------------------------------------------------------------------------

class Inbox:
    """A real SMTP server that can refuse the person's address, keeping every message for the test."""

    def __init__(self, app):
        self.memory = MemorySink()
        self.refused: set[str] = set()
        inbox = self

        class Handler(StoringHandler):
            async def handle_RCPT(self, server, session, envelope, address, options):
                if address.lower() in inbox.refused:
                    return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
                envelope.rcpt_tos.append(address)
                return "250 OK"

        self.memory.start(handler=Handler(self.memory.store))
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=self.memory.port, SMTP_SECURITY="none",
                          SMTP_USERNAME=None, SMTP_PASSWORD=None)

    def deliver(self) -> list[EmailMessage]:
        """Send what is due; return the messages that arrived by it."""
        before = len(self.memory.raw_messages)
        sent = deliver_due()
        return self.memory.wait_for(before + sent)[before:] if sent else []


def _link(messages: list[EmailMessage], path: str) -> str:
    for message in messages:
        match = re.search(rf"https://hti\.example\.se({re.escape(path)}\S+)", message.get_body(("plain",)).get_content())
        if match:
            return match.group(1)
    raise AssertionError(f"no {path} link in {[m['Subject'] for m in messages]}")


def _press(client, url: str, *, form_on: str | None = None, **data) -> None:
    """Send the form at `url` (or a button on the page `form_on`) as a browser does."""
    response = client.post(url, data={"csrf_token": form_csrf_token(client, form_on or url), **data})
    assert response.status_code in (200, 302), (url, response.status_code)


def _newsletter(runner, tmp_path, subject: str) -> None:
    source = tmp_path / "brev.md"
    source.write_text(NEWSLETTER, encoding="utf-8")
    created = runner.invoke(args=["hti", "newsletter", "create", "--subject", subject, "--markdown", str(source),
                                  "--audience", "nyhetsbrev"])
    assert created.exit_code == 0, created.output
    newsletter_id = re.findall(r"\d+", created.output.strip().splitlines()[-1])[-1]
    sent = runner.invoke(args=["hti", "newsletter", "send", newsletter_id, "--accept-warnings"])
    assert sent.exit_code == 0, sent.output


def a_person_does_everything(app, public, staff, runner, tmp_path) -> Inbox:
    inbox = Inbox(app)
    results_for_2025()  # 2025 is published Thursday 4 December 07.00; the clock stands a month before

    # Signs up for newsletters and courses, and confirms with the button.
    _press(public, "/prenumerera", name=NAME, email=TYPED, role="council_member:pensionarsrad",
           municipality="Upplands Väsby", association="", lists=["nyhetsbrev", "kurser"], consent="y",
           consent_version="2026-11", website="")
    _press(public, _link(inbox.deliver(), "/bekrafta/"))

    # Asks for their municipality's result at the publication moment ("Min kommun"), and confirms with the button.
    _press(public, "/min-kommun", email=TYPED, municipalities="Upplands Väsby", website="")
    _press(public, _link(inbox.deliver(), "/min-kommun/bekrafta/"))

    # Staff name their address as a test address for newsletters; they confirm it too.
    _press(staff, "/admin/nyhetsbrev/provadresser", email=TYPED, name=NAME)
    _press(public, _link(inbox.deliver(), "/provadress/"))

    # Registers for a course, with a question that names them.
    event = make_event()
    _press(public, f"/evenemang/{event.id}", name=NAME, email=TYPED, role="Ledamot i kommunens pensionärsråd",
           organisation="Upplands Väsby", needs="Textning", question=f"Jag, {NAME}, undrar hur vi jämför oss.")
    inbox.deliver()

    # Orders the report package on the public form as the municipality's contact, confirms, and staff approve.
    _press(public, "/bestall", municipality="0114", name=NAME, email=TYPED, invoice_reference=INVOICE_REFERENCE)
    _press(public, _link(inbox.deliver(), "/bestall/bekrafta/"))
    order = _db.session.scalar(select(Order))
    order_contact = _db.session.scalar(select(OrderContact))
    _press(staff, f"/admin/publicering/2025/bestallning/{order.id}/kontakt/{order_contact.id}/godkann",
           form_on="/admin/publicering/2025")

    # The embargoed summary arrives 24 hours before publication; they open its web version twice.
    clock.set_now(RELEASE_AT)
    run_all_once()
    summary = _link(inbox.deliver(), "/sammanfattning/")
    for _ in range(2):
        assert public.get(summary).status_code == 200

    # Publication: the access email and their municipality's result; then a newsletter, from whose footer they ask
    # for their data by email.
    clock.set_now(PUBLISHED_AT)
    run_all_once()
    access = inbox.deliver()
    assert any(m["Subject"] == "Upplands Väsby i Hemtjänstindex 2025" for m in access)
    # Through the personal link in the access email they tell what the municipality does, signing with their name.
    _press(public, _link(access, "/atgardsplan/"), measure="", area="information", horizon="kort", status="pagar",
           text="ta fram en tydligare webbplats", status_since="", source_url="", message=f"Hälsningar, {NAME}")
    _newsletter(runner, tmp_path, "Nytt om Hemtjänstindex")
    preferences = _link(inbox.deliver(), "/installningar/")
    _press(public, preferences + "/mina-uppgifter", form_on=preferences)
    assert public.get(_link(inbox.deliver(), "/mina-uppgifter/")).status_code == 200

    # Their mailbox is closed: the next newsletter bounces, and the address goes on the suppression list.
    inbox.refused.add(STORED)
    _newsletter(runner, tmp_path, "Mer om Hemtjänstindex")
    deliver_due()

    # Staff stage a council's contact file that names them, and the development sink kept copies of their mail.
    stage_import(f"namn;e-post\r\n{NAME};{SHOWN}\r\n".encode(), "rådet.csv", LegalBasis.CONSENT_GIVEN, [],
                 actor="personal@spf.example")
    kept = DatabaseSink(app)
    for (mail_from, recipients), raw in zip(inbox.memory.envelopes, inbox.memory.raw_messages):
        kept.store(mail_from, recipients, raw)
    return inbox


@pytest.fixture
def public(app):
    client = app.test_client()
    client.environ_base.update({"wsgi.url_scheme": "https", "HTTP_REFERER": "https://localhost/"})
    return client


@pytest.fixture
def person(app, db, lists, public, staff_login, runner, tmp_path):
    inbox = a_person_does_everything(app, public, staff_login, runner, tmp_path)
    yield inbox
    inbox.memory.stop()


def _declared_tables() -> dict[str, list[str]]:
    """Return table -> the labels of the personal data declared in it."""
    tables: dict[str, list[str]] = {}
    for _domain, item in registry().personal_data:
        for table in item.tables:
            tables.setdefault(table, []).append(item.label)
    return tables


def test_every_table_that_holds_the_person_is_declared_and_exported(app, db, runner, person):
    holding = places_holding(*TRACES)
    assert holding, "the search must find the person before the erasure"
    declared = _declared_tables()
    undeclared = sorted({place.split(".")[0] for place in holding} - set(declared))
    assert not undeclared, (f"These tables hold a person's data but no domain declares them: {undeclared}. Add the "
                            "table to `tables=` of the PersonalData (in the domain's Domain) that exports and "
                            "erases it.")

    result = runner.invoke(args=["hti", "export-contact", TYPED])
    assert result.exit_code == 0, result.output
    exported = json.loads(result.output)
    for table in {place.split(".")[0] for place in holding}:
        assert any(exported.get(label) for label in declared[table]), \
            f"{table} holds the person, but the export has nothing under {declared[table]}"

    # What the attack found missing: the bounce, the audit log's rows about them, the invoice reference.
    [bounce] = exported["spärrlista"]
    assert bounce["orsak"] == "E-post till adressen gick inte fram" and STORED in bounce["svar från mottagaren"]
    opened = [entry for entry in exported["embargologgen"] if entry["händelse"] == "Sammanfattning öppnad"]
    assert len(opened) == 2 and all(entry["vem"] == STORED for entry in opened)
    assert {entry["händelse"] for entry in exported["embargologgen"]} >= {
        "Beställning mottagen", "Kontaktperson tillagd", "Kontaktperson bekräftad", "Kontaktperson godkänd av personal"}
    assert exported["min kommun kl. 07.00"]["kommuner"][0]["kommun"] == "Upplands Väsby"
    assert exported["provadresser"][0]["e-post"] == STORED
    [order] = exported["beställningar av rapportpaket"]
    assert order["fakturareferens"] == INVOICE_REFERENCE
    [proposal] = exported["förslag till kommunens åtgärdsplan"]
    assert proposal["meddelande"] == f"Hälsningar, {NAME}" and proposal["granskning"] == "Väntar på granskning"
    assert exported["väntande importer"][0]["fil"] == "rådet.csv"


def test_erasure_leaves_nothing_of_the_person_and_the_audit_log_keeps_a_pseudonym(app, db, staff_login, person):
    audit_rows = db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.kind.in_(EMBARGO_KINDS)))
    contact = db.session.scalar(select(Contact).where(Contact.email == STORED))
    url = f"/admin/kontakter/{contact.id}/radera"
    done = staff_login.post(url, data={"csrf_token": form_csrf_token(staff_login, url), "confirm_email": TYPED},
                            follow_redirects=True)
    assert "Personen är raderad." in done.get_data(as_text=True)
    db.session.expire_all()

    assert places_holding(*TRACES) == {}
    # The embargo audit is evidence of who saw what: every row stays, the person in them one reference.
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.kind.in_(EMBARGO_KINDS))) == audit_rows
    opened = list(db.session.scalars(select(AuditEntry).where(AuditEntry.kind == audit_kind(AuditAction.SUMMARY_OPENED))))
    assert len(opened) == 2
    (actor,) = {entry.actor for entry in opened}
    assert actor.startswith(PSEUDONYM_PREFIX)
    confirmed = db.session.scalar(select(AuditEntry).where(AuditEntry.kind == audit_kind(AuditAction.CONTACT_CONFIRMED)))
    assert confirmed.actor == actor and actor in confirmed.detail
    privacy = staff_login.get("/integritet").get_data(as_text=True)
    assert "ersätts med en kod" in privacy


def test_every_declared_table_exists(app):
    tables = {table.name for table in _db.metadata.sorted_tables}
    stale = {table: labels for table, labels in _declared_tables().items() if table not in tables}
    assert not stale, f"Personal data declared in tables that do not exist: {stale}"
