"""GDPR: export everything, erase without a trace, delete unconfirmed sign-ups after the retention period."""
import json
from datetime import timedelta

from sqlalchemy import String, Text, func, select

from hti_comms import clock
from hti_comms.delivery.models import OutboxMessage, Send
from hti_comms.delivery.services import suppress
from hti_comms.delivery.worker import deliver_due
from hti_comms.extensions import db as _db
from hti_comms.subscribers.gdpr import delete_stale_signups, erase_contact, export_contact
from hti_comms.subscribers.imports.run import stage_import
from hti_comms.subscribers.models import Contact, Erasure, LegalBasis
from hti_comms.subscribers.services import find_contact
from tests.helpers import form_csrf_token

from .test_signup import SIGNUP, signup_data

ADDRESS = "birgitta.berg@exempel.se"


def rows_mentioning(text: str) -> dict[str, int]:
    """Search every text column of every table for `text` (case-insensitive)."""
    found = {}
    for table in _db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, (String, Text)) or column.type.__class__.__name__ == "JSON":
                count = _db.session.scalar(select(func.count()).select_from(table).where(
                    func.lower(column.cast(Text)).contains(text.lower())))
                if count:
                    found[f"{table.name}.{column.name}"] = count
    return found


def test_export_has_contact_roles_lists_history_and_mail(client, db, lists, mail_sink):
    client.post(SIGNUP, data=signup_data(client), environ_base={"REMOTE_ADDR": "192.0.2.9"})
    deliver_due()
    data = export_contact(find_contact(ADDRESS))
    assert data["kontakt"]["e-post"] == ADDRESS and data["kontakt"]["namn"] == "Birgitta Berg"
    assert data["uppdrag"] == [{"roll": "Ledamot i pensionärsråd eller seniorråd", "råd": "seniorråd",
                                "kommun": "Habo", "kommunkod": "0643", "distrikt": None, "förening": None}]
    assert data["listor"] == ["Hemtjänstindex nyhetsbrev", "Kurser och webbinarier"]
    [event] = data["samtyckeshistorik"]
    assert event["händelse"] == "Anmälde sig" and event["ip-adress"] == "192.0.2.9"
    assert event["samtyckestextens version"] == "2026-11"
    [sent] = data["skickat till dig"]
    assert sent["ämne"] == "Bekräfta din anmälan till Hemtjänstindex" and sent["status"] == "Skickat"
    json.dumps(data)  # JSON-ready


def test_erase_leaves_no_trace_in_any_table_but_counts_stay(client, db, lists, mail_sink):
    client.post(SIGNUP, data=signup_data(client))
    deliver_due()
    suppress(ADDRESS, "hard_bounce")
    db.session.commit()
    stage_import(f"e-post\r\n{ADDRESS}\r\n".encode(), "väntar.csv", LegalBasis.CONSENT_GIVEN, [], actor="test")
    assert rows_mentioning(ADDRESS)  # the search does find the address before erasure
    assert rows_mentioning("Birgitta")
    sends_before = db.session.scalar(select(func.count()).select_from(Send))

    erasure = erase_contact(find_contact(ADDRESS), erased_by="personal@spf.example")

    assert rows_mentioning(ADDRESS) == {}
    assert rows_mentioning("Birgitta") == {}
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert db.session.scalar(select(func.count()).select_from(Send)) == sends_before
    assert erasure.removed["samtyckeshistorik"] == 1 and erasure.removed["skickat till dig"] >= 2
    assert erasure.removed["väntande importer"] == 1 and erasure.removed["kontakt"] == 1
    assert db.session.scalar(select(func.count()).select_from(Erasure)) == 1


def test_staff_export_and_erase_through_the_contact_page(staff_login, db, make_contact):
    contact = make_contact("eva@exempel.se", name="Eva Ek")
    url = f"/admin/kontakter/{contact.id}"
    exported = staff_login.post(url + "/export", data={"csrf_token": form_csrf_token(staff_login, url)})
    assert json.loads(exported.get_data(as_text=True))["kontakt"]["namn"] == "Eva Ek"

    erase_url = url + "/radera"
    # Another address, nothing, or something that is no address at all: nothing is erased.
    for typed in ("fel@exempel.se", "", "   ", "eva@", "eva@exempel.se@", "inte en adress"):
        wrong = staff_login.post(erase_url, data={"csrf_token": form_csrf_token(staff_login, erase_url),
                                                  "confirm_email": typed})
        assert "Skriv kontaktens e-postadress exakt" in wrong.get_data(as_text=True), typed
        assert find_contact("eva@exempel.se") is not None, typed
    done = staff_login.post(erase_url, data={"csrf_token": form_csrf_token(staff_login, erase_url),
                                             "confirm_email": "Eva@Exempel.se"}, follow_redirects=True)
    assert "Personen är raderad." in done.get_data(as_text=True)
    assert rows_mentioning("eva@exempel.se") == {}


def test_unconfirmed_sign_ups_are_deleted_after_30_days(client, db, make_contact, runner):
    client.post(SIGNUP, data=signup_data(client))
    make_contact("bekraftad@exempel.se")
    clock.set_now(clock.now() + timedelta(days=29))
    assert delete_stale_signups() == 0
    clock.set_now(clock.now() + timedelta(days=2))
    client.post(SIGNUP, data=signup_data(client, email="ny@exempel.se"))

    result = runner.invoke(args=["hti", "purge-unconfirmed"])

    assert result.exit_code == 0 and "1 obekräftad anmälan äldre än 30 dagar är raderad." in result.output
    remaining = set(db.session.scalars(select(Contact.email)))
    assert remaining == {"bekraftad@exempel.se", "ny@exempel.se"}
    assert rows_mentioning(ADDRESS) == {}


def test_retention_is_registered_as_a_scheduler_sweep(app):
    from hti_comms.scheduling.sweeps import load_sweeps

    sweep = load_sweeps()["subscribers.delete_stale_signups"]
    assert sweep.every_seconds == 3600
