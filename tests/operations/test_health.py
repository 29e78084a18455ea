"""GET /healthz answers 200 with JSON, or 503 naming what is wrong; GET /metrics in Prometheus' text format,
open from 127.0.0.1 and otherwise only with METRICS_TOKEN."""
from __future__ import annotations

from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from hti_comms import clock
from hti_comms.scheduling.models import ProcessClock, SchedulerState
from tests.delivery.helpers import enqueue_people
from tests.public.conftest import PUBLICATION, YEAR, years  # noqa: F401 - the fixture

NOW = PUBLICATION - timedelta(hours=3)


def heartbeat(db, seconds_ago: float) -> None:
    state = db.session.get(SchedulerState, "main") or SchedulerState(name="main")
    state.holder, state.heartbeat_at = "server:1:abc", clock.now() - timedelta(seconds=seconds_ago)
    db.session.add(state)
    db.session.commit()


def worker_seen(db, seconds_ago: float, process: str = "server:42") -> None:
    db.session.merge(ProcessClock(process=process, role="utskicksprocessen", host="server", offset_seconds=0.0,
                                  measured_at=clock.now() - timedelta(seconds=seconds_ago)))
    db.session.commit()


def test_healthz_turns_503_when_the_scheduler_heartbeat_is_older_than_a_minute_and_back(app, db, client):
    clock.stop_at(NOW)
    heartbeat(db, 5)
    worker_seen(db, 20)
    response = client.get("/healthz")
    assert response.status_code == 200, response.json
    assert response.json["status"] == "ok" and response.json["problems"] == []
    assert response.json["database_reachable"] is True
    assert response.json["scheduler_heartbeat_age_seconds"] == 5.0
    assert response.json["workers_seen_last_minute"] == 1
    assert response.json["oldest_due_outbox_age_seconds"] is None
    assert response.headers["Cache-Control"] == "no-store"

    clock.stop_at(NOW + timedelta(seconds=70))  # the scheduler stopped 75 seconds ago
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["scheduler_heartbeat_age_seconds"] == 75.0
    assert response.json["problems"] == ["Schemaläggaren har inte hörts av på 75 sekunder (gränsen är 60)."]

    heartbeat(db, 1)  # it runs again
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["problems"] == []


def test_healthz_names_a_scheduler_never_started_and_mail_waiting_without_a_worker(app, db, client):
    clock.stop_at(NOW)
    enqueue_people(4)
    clock.stop_at(NOW + timedelta(minutes=3))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["oldest_due_outbox_age_seconds"] == 180.0
    assert response.json["workers_seen_last_minute"] == 0
    assert response.json["problems"] == [
        "Schemaläggaren har aldrig hörts av (hti scheduler körs inte).",
        "Brev väntar på att skickas, men ingen utskicksprocess har hörts av den senaste minuten "
        "(hti send-worker körs inte)."]
    heartbeat(db, 0)
    worker_seen(db, 100)  # measured a minute and a half ago: that worker is gone
    assert client.get("/healthz").json["workers_seen_last_minute"] == 0
    worker_seen(db, 30, process="server:43")
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["workers_seen_last_minute"] == 1


def metrics(response) -> dict:
    """Return {(name, labels as a sorted tuple): value} of a /metrics answer."""
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for sample in family.samples}


def test_metrics_from_this_machine_in_prometheus_format(app, db, client):
    clock.stop_at(NOW)
    heartbeat(db, 12)
    enqueue_people(3)
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    figures = metrics(response)
    assert figures[("hti_outbox_rows", (("state", "queued"),))] == 3
    assert figures[("hti_outbox_rows", (("state", "sent"),))] == 0
    assert figures[("hti_scheduler_heartbeat_age_seconds", ())] == 12
    assert figures[("hti_suppressed_addresses", (("reason", "hard_bounce"),))] == 0


def test_metrics_count_public_pages_and_those_answered_by_the_replay_layer(app, db, client, years):
    clock.set_now(PUBLICATION + timedelta(hours=1))
    before = metrics(client.get("/metrics"))
    for _ in range(3):
        assert client.get(f"/resultat/{YEAR}").status_code == 200
    after = metrics(client.get("/metrics"))

    def grew(who: str) -> float:
        key = ("hti_public_pages_total", (("answered_by", who),))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("flask") == 1 and grew("replay") == 2


def test_metrics_are_refused_from_another_address_without_the_token(app, client):
    elsewhere = {"REMOTE_ADDR": "192.0.2.7"}
    response = client.get("/metrics", environ_base=elsewhere)
    assert response.status_code == 403
    assert "METRICS_TOKEN" in response.get_data(as_text=True)
    assert "hti_outbox_rows" not in response.get_data(as_text=True)

    app.config["METRICS_TOKEN"] = "en-lång-hemlig-nyckel-för-prometheus"
    assert client.get("/metrics", environ_base=elsewhere,
                      headers={"Authorization": "Bearer fel-nyckel"}).status_code == 403
    allowed = client.get("/metrics", environ_base=elsewhere,
                         headers={"Authorization": "Bearer en-lång-hemlig-nyckel-för-prometheus"})
    assert allowed.status_code == 200 and "hti_outbox_rows" in allowed.get_data(as_text=True)
    # A proxy on this machine, without TRUSTED_PROXIES, makes every visitor look local: its header tells.
    assert client.get("/metrics", headers={"X-Forwarded-For": "198.51.100.3"}).status_code == 403


def test_metrics_show_how_long_each_sweep_last_took(app, db, client):
    from hti_comms.scheduling.scheduler import SingleInstanceLock
    from hti_comms.scheduling.sweeps import run_sweep

    assert run_sweep("operations.nightly_backup")
    lock = SingleInstanceLock("server:1:abc", 60)
    assert lock.try_acquire()
    try:
        assert lock.heartbeat()  # the scheduler writes the durations with its heartbeat
    finally:
        lock.release()
    figures = metrics(client.get("/metrics"))
    seconds = figures[("hti_sweep_duration_seconds", (("sweep", "operations.nightly_backup"),))]
    assert 0 <= seconds < 60


def test_healthz_is_503_when_the_database_does_not_answer():
    from hti_comms import create_app

    unreachable = create_app({"HTI_ENV": "test", "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/ingen"})
    response = unreachable.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database_reachable"] is False
    assert response.json["problems"] == ["Databasen svarar inte."]
