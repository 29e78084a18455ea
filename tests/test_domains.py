"""One declaration per domain: pages, menu, commands, sweeps, kinds of email and personal data."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from hti_comms.delivery.owner import Owner
from hti_comms import DOMAINS
from hti_comms.domain import Domain, SendReference, describe_owner, load_domains, registry, send_kind_label
from hti_comms.personal_data import Person, erase_person, export_person
from hti_comms.scheduling.sweeps import load_sweeps
from hti_comms.status import LabelledEnum, TransitionError, can_transition, transition
from tests.sample_domain import views as sample


@pytest.fixture
def sample_app(app):
    """The app with the sample domain added after the real ones, the way a new package is added."""
    load_domains(app, ("tests.sample_domain",))
    sample.STORED.clear()
    sample.CALLS.clear()
    return app


def test_every_domain_package_declares_itself():
    import importlib

    for package in DOMAINS:
        domain = importlib.import_module(package).DOMAIN
        assert isinstance(domain, Domain) and domain.package == package


#: Domains without demo data of their own (`Domain.demo_data`), and why. A new domain must either bring demo data for
#: `make run` or say here why it has none.
WITHOUT_DEMO_DATA = {
    "hti_comms.auth": "the demo login is made by `hti init-db --demo` itself",
    "hti_comms.stafflog": "it records what staff do, as they do it",
    "hti_comms.geo": "reference data, loaded by every `hti init-db`",
    "hti_comms.briefs": "briefs are made from the demo results; the letters and bounces demos send two",
    "hti_comms.subscribers": "its contacts come with the demos that use them (publication, letters, bounces)",
    "hti_comms.delivery": "its sends come with the demos that send (letters, bounces)",
    "hti_comms.approvals": "requests arise when staff send to many; the demo sends are small",
    "hti_comms.alerts": "subscriptions are made by the public, with a confirmation by email",
    "hti_comms.yearplan": "it shows the other domains' steps of the demo years",
    "hti_comms.scheduling": "the scheduler of `make run` records its own heartbeat and sweeps",
    "hti_comms.operations": "it keeps only nightly backups, made when BACKUP_DIR is set (not in `make run`)",
}


def test_every_domain_brings_demo_data_or_says_why_not():
    import importlib

    missing = [p for p in DOMAINS if importlib.import_module(p).DOMAIN.demo_data is None and p not in WITHOUT_DEMO_DATA]
    needless = [p for p in WITHOUT_DEMO_DATA if p not in DOMAINS or importlib.import_module(p).DOMAIN.demo_data]
    assert (missing, needless) == ([], [])


def test_a_new_domain_brings_page_menu_command_sweep_kind_and_setup(sample_app, staff_login):
    client = staff_login
    page = client.get("/admin/prov/")
    assert page.status_code == 200 and "Provdomänens sida" in page.get_data(as_text=True)
    assert "Provdomän" in client.get("/admin/").get_data(as_text=True)  # in the staff menu
    result = sample_app.test_cli_runner().invoke(args=["hti", "sample-hello"])
    assert result.exit_code == 0 and "Hej från provdomänen" in result.output
    assert load_sweeps(sample_app)["sample.tick"].every_seconds == 60
    assert send_kind_label("sample_note") == "Provmeddelande"
    assert sample_app.config["SAMPLE_DOMAIN_READY"] is True


def test_unknown_kinds_of_email_get_neutral_swedish_words(app):
    assert send_kind_label("confirmation") == "Bekräftelse av adress"
    assert send_kind_label("no_such_kind") == "Annat utskick"


def test_send_owners_are_described_by_the_domain_that_made_them(sample_app, db, staff_login):
    from hti_comms.delivery.api import sends_for
    from hti_comms.delivery.outbox import EmailSpec, Recipient, enqueue

    assert describe_owner(Owner("sample_domain", "note", "7")) == SendReference("Provmeddelande nummer 7",
                                                                                "/admin/prov/")
    assert describe_owner(Owner("sample_domain", "note", "sju")) is None
    assert describe_owner(Owner("no_such_domain", "note", "7")) is None and describe_owner(None) is None
    send = enqueue(EmailSpec(owner=Owner("sample_domain", "note", "7"), template="delivery/test", subject="Prov",
                             context={"sent_by": "Karin"}, kind="sample_note"), [Recipient("eva@example.se", "Eva")])
    db.session.commit()
    page = staff_login.get(f"/admin/utkorg/{send.id}").get_data(as_text=True)
    assert '<a href="/admin/prov/">Provmeddelande nummer 7</a>' in page
    assert [view.id for view in sends_for(Owner("sample_domain", "note", "7"))] == [send.id]
    assert sends_for(Owner("sample_domain", "note", "8")) == []


def test_personal_data_export_and_erasure_reach_the_new_domain(sample_app):
    sample.STORED["eva@example.se"] = ["anmäld till grundkursen", "en fråga till föreläsarna"]
    person = Person("eva@example.se")

    exported = export_person(person)
    assert exported["provuppgifter"] == ["anmäld till grundkursen", "en fråga till föreläsarna"]
    assert "om" in exported and "exporterad" in exported

    removed = erase_person(person)
    assert removed == {"provuppgifter": 2}
    assert "provuppgifter" not in export_person(person)


def test_erasers_run_in_reverse_order_of_declaration(sample_app):
    order = [label for label, _ in registry().handlers("erase")]
    # The sample domain came last, so its eraser runs first; the contact itself goes last of all.
    sample.STORED["olle@example.se"] = ["x"]
    erase_person(Person("olle@example.se"))
    assert sample.CALLS[0] == "erase"
    assert order[-1] == "provuppgifter" and order.index("kontakt") < order.index("skickat till dig")


def test_two_domains_cannot_declare_the_same_kind_or_be_loaded_twice(sample_app):
    with pytest.raises(ValueError, match="declared twice"):
        load_domains(sample_app, ("tests.sample_domain",))
    clash = Domain(package="tests.clash", send_kinds={"confirmation": "Något annat"})
    with pytest.raises(ValueError, match="send kind 'confirmation'"):
        clash.init_app(sample_app)
    clash = Domain(package="other.sample_domain")
    with pytest.raises(ValueError, match="two domains are named 'sample_domain'"):
        clash.init_app(sample_app)


class Colour(LabelledEnum):
    RED = ("red", "Röd")
    GREEN = ("green", "Grön")
    BLUE = ("blue", "Blå")


COLOUR_TRANSITIONS = {Colour.RED: {Colour.GREEN}, Colour.GREEN: {Colour.BLUE}, Colour.BLUE: set()}


class Lamp:
    status = Colour.RED


def test_labelled_enums_and_the_one_transition_function():
    assert Colour("green") is Colour.GREEN and Colour.GREEN.label == "Grön"
    assert Colour.choices() == [("red", "Röd"), ("green", "Grön"), ("blue", "Blå")]
    lamp = Lamp()
    transition(lamp, Colour.GREEN, COLOUR_TRANSITIONS)
    assert lamp.status is Colour.GREEN
    with pytest.raises(TransitionError, match="från ”Grön” till ”Röd”"):
        transition(lamp, Colour.RED, COLOUR_TRANSITIONS)
    assert lamp.status is Colour.GREEN  # unchanged after a refused change
    assert can_transition(COLOUR_TRANSITIONS, Colour.GREEN, Colour.BLUE)
    assert not can_transition(COLOUR_TRANSITIONS, Colour.BLUE, Colour.RED)


def test_scheduler_once_runs_every_sweep_and_exits(app, runner):
    result = runner.invoke(args=["hti", "scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert "delivery.start_due_sends: klart" in result.output
    assert "subscribers.delete_stale_signups: klart" in result.output


def test_content_checks_and_release_guards_are_asked_through_the_registry(app):
    from datetime import datetime, timezone

    from hti_comms.checks import error
    from hti_comms.domain import Domain
    from hti_comms.release import Content, Hold, check_content, send_hold

    assert check_content(Content("Hej", datetime(2026, 12, 1, tzinfo=timezone.utc))) == []
    assert send_hold(SimpleNamespace(id=None, owner=Owner("tests", "sample"))) is None
    registry().content_checks.append(lambda content: [error("Text", "för tidigt")] if "55,5" in content.text else [])
    registry().release_guards.append(lambda send: Hold("väntar på publiceringen"))
    assert [f.message for f in check_content(Content("Index 55,5", datetime(2026, 12, 1, tzinfo=timezone.utc)))] == [
        "för tidigt"]
    assert send_hold(SimpleNamespace(id=None, owner=Owner("tests", "sample"))).reason == "väntar på publiceringen"
    assert Domain(package="tests.sample_domain").content_checks == ()
