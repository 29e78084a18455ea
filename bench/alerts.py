"""Benchmark: "Min kommun kl. 07.00" for 50,000 subscribers over all 290 municipalities (target < 60 s).

At the publication moment the scheduler's sweep (`alerts.at_publication`) builds each municipality's short result
(talking points from one ranking, rendered once, every figure checked) and enqueues it to all its followers with
bulk inserts, committing after each municipality; a send worker that is already running (its own process, polling)
sends them through the release guard to an aiosmtpd sink in its own process that only counts. Printed: the sweep's
time, the time from the publication moment to the last message accepted by the sink, the worker's peak memory,
and, for comparison, what enqueueing the same alerts as one send with the figures in each recipient's fields
costs (the other way it could be built).

Run: .venv/bin/python bench/alerts.py [--database-url postgresql://…] [--subscribers 50000]
Without --database-url it uses a new SQLite file in a temporary directory.
"""
from __future__ import annotations

from hti_comms.delivery.owner import Owner

import argparse
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from delivery import start_sink  # noqa: E402  (bench/delivery.py, same directory)
from embargo_release import make_app, run_worker  # noqa: E402


def set_up(subscribers: int) -> tuple[int, object]:
    """Reference data, demo results, and `subscribers` confirmed followers spread over the 290 municipalities (the
    larger ones followed more, every one by someone); written with Core inserts. Return (year, moment)."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from hti_comms import clock
    from hti_comms.alerts.models import AlertMunicipality, AlertStatus, AlertSubscriber
    from hti_comms.extensions import db
    from hti_comms.geo.models import Municipality
    from hti_comms.geo.services import load_reference_data
    from hti_comms.publication.moments import moments
    from hti_comms.results.services import load_demo_results
    from hti_comms.tokens import new_subject_key

    upgrade()
    load_reference_data()
    db.session.commit()
    year = load_demo_results()[-1]
    published_at = moments(year).published_at
    confirmed_at = published_at - timedelta(days=30)
    clock.set_now(published_at - timedelta(days=1))
    codes = sorted(db.session.scalars(select(Municipality.code)))
    rng = random.Random(22)
    weights = [1 / (rank + 10) for rank in range(len(codes))]
    chosen = codes + rng.choices(codes, weights=weights, k=subscribers - len(codes))
    for start in range(0, subscribers, 5000):
        people = [{"email": f"foljare{n}@exempel.se", "link_key": new_subject_key(), "status": AlertStatus.CONFIRMED,
                   "created_at": confirmed_at, "confirmed_at": confirmed_at}
                  for n in range(start, min(subscribers, start + 5000))]
        db.session.execute(insert(AlertSubscriber.__table__), people)
        ids = dict(db.session.execute(select(AlertSubscriber.email, AlertSubscriber.id).where(
            AlertSubscriber.email.in_([p["email"] for p in people]))).all())
        db.session.execute(insert(AlertMunicipality.__table__), [
            {"subscriber_id": ids[p["email"]], "municipality_code": chosen[start + i], "created_at": confirmed_at,
             "confirmed_at": confirmed_at} for i, p in enumerate(people)])
        db.session.commit()
    return year, published_at


def per_recipient_enqueue(year: int, published_at) -> float:
    """Time the other design: one send for everyone, each recipient's figures in its fields (rolled back)."""
    from hti_comms import clock
    from hti_comms.alerts.publication import followers
    from hti_comms.briefs.talking_points import build_talking_points, year_ranking
    from hti_comms.delivery.outbox import EmailSpec, Recipient, enqueue
    from hti_comms.extensions import db
    from hti_comms.geo.services import municipalities_by_code

    clock.set_now(published_at)
    start = time.perf_counter()
    ranking = year_ranking(year)
    municipalities = municipalities_by_code()
    texts = {}
    people = []
    for code, recipients in followers(published_at).items():
        if code not in texts:
            points = build_talking_points(municipalities[code], year, ranking)
            texts[code] = {"index_sentence": " ".join(points.texts("index")),
                           "change_sentence": " ".join(points.texts("trend")),
                           "results_url": f"https://hti.spfseniorerna.se/resultat/{year}/{code}"}
        people += [Recipient(r.email, "", fields=texts[code], link_key=r.link_key) for r in recipients]
    enqueue(EmailSpec(owner=Owner("bench", "list-mail"), template="delivery/test", subject="Jämförelse", context={"sent_by": "bench", "note": ""},
                      kind="test", reference="bench-per-recipient"), people)
    db.session.flush()
    elapsed = time.perf_counter() - start
    db.session.rollback()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--subscribers", type=int, default=50_000)
    args = parser.parse_args()
    database_url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='hti-bench-')}/bench.db"

    sink, port, counter, context = start_sink()

    app = make_app(database_url, port)
    with app.app_context():
        from hti_comms import clock
        from hti_comms.extensions import db

        started = time.perf_counter()
        year, published_at = set_up(args.subscribers)
        print(f"set-up: {args.subscribers:,} confirmed subscribers over 290 municipalities for {year} in "
              f"{time.perf_counter() - started:.1f} s")
        db.engine.dispose()

    ready, go, stop, results = context.Event(), context.Event(), context.Event(), context.Queue()
    worker = context.Process(target=run_worker,
                             args=(database_url, port, published_at.isoformat(), ready, go, stop, results))
    worker.start()
    ready.wait(60)

    with app.app_context():
        from hti_comms.scheduling.sweeps import run_sweep

        clock.set_now(published_at)
        start = time.perf_counter()  # the publication moment
        go.set()  # the worker is polling; the sweep commits each municipality's alert as it is made
        if not run_sweep("alerts.at_publication"):
            sys.exit("the alerts sweep failed")
        swept = time.perf_counter() - start
        while counter.value < args.subscribers and time.perf_counter() - start < 600:
            time.sleep(0.002)
        total = time.perf_counter() - start
        stop.set()
        sent, peak = results.get(timeout=120)
        worker.join()
        compared = per_recipient_enqueue(year, published_at)
        db.engine.dispose()
    sink.terminate()
    print(f"sweep (290 alerts built, checked and enqueued to {args.subscribers:,}): {swept:.2f} s")
    print(f"publication moment → last message accepted by the sink: {total:.2f} s (target < 60 s); "
          f"{counter.value:,} received, {sent:,} sent by the worker; worker peak RSS {peak:.0f} MB; "
          f"database: {database_url.split(':')[0]}")
    print(f"for comparison, one send with each recipient's figures in its fields: {compared:.2f} s to enqueue")
    if counter.value != args.subscribers:
        sys.exit(1)


if __name__ == "__main__":
    main()
