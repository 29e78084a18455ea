"""Benchmark: the embargo release for 290 ordering municipalities × 4 contacts (target < 2.5 s to the last message).

In the minutes before the release the scheduler's sweep builds each ordering municipality's own summary (talking
points, render, figure check) and keeps it (`publication.prepared`); the benchmark runs that sweep once five
minutes before the release, as the scheduler would, and prints its time. At the release moment the sweep
enqueues the kept summaries (one send per municipality, a personal link per contact); a send worker that is
already running (its own process) sends them through the release guard to an aiosmtpd sink in its own process
that only counts. The figure is the wall-clock time from the release sweep's start to the last message accepted
by the sink. `--cold` skips the preparation (a scheduler started at the release moment builds everything then).

Run: .venv/bin/python bench/embargo_release.py [--database-url postgresql://…] [--contacts 4]
Without --database-url it uses a new SQLite file in a temporary directory.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from delivery import start_sink  # noqa: E402  (bench/delivery.py, same directory)


def make_app(database_url: str, port: int, fake_now: str | None = None):
    from hti_comms import create_app

    return create_app({"HTI_ENV": "test", "DATABASE_URL": database_url, "BASE_URL": "https://hti.spfseniorerna.se",
                       "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_POOL_SIZE": 4, "SEND_BATCH_SIZE": 1000,
                       "HTI_FAKE_NOW": fake_now})


def run_worker(database_url: str, port: int, fake_now: str, ready, go, stop, results, profile: str | None = None) -> None:
    """A send worker already running when the sends become due: from then on it looks for due mail every 50 ms
    (as `hti deliver --forever` does, at its poll interval) until told to stop; puts (sent, peak RSS in MB, CPU
    seconds of the process and SQL statements it ran from the release on: figures the machine's load changes far
    less than the wall-clock time). `profile`: a file for the cProfile statistics of the worker's database thread
    from the release on."""
    import logging
    import resource

    from sqlalchemy import event

    logging.disable(logging.WARNING)
    app = make_app(database_url, port, fake_now)
    sent = 0
    statements = [0]
    with app.app_context():
        from hti_comms.delivery.worker import Worker
        from hti_comms.extensions import db

        worker = Worker(app)
        event.listen(db.engine, "before_cursor_execute",
                     lambda *_args: statements.__setitem__(0, statements[0] + 1))
        ready.set()
        while not go.is_set():
            # Polling before the release, as a worker that has been running does: by the release its mappers are
            # configured and its statements compiled (a first poll costs a third of a second).
            worker.drain()
            go.wait(0.05)
        cpu, statements[0] = time.process_time(), 0
        profiler = cProfile.Profile() if profile else None
        if profiler is not None:
            profiler.enable()
        try:
            while not stop.is_set():
                before = worker.sent
                worker.drain()
                if worker.sent == before:
                    stop.wait(0.05)
        finally:
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(profile)
            sent = worker.sent
            cpu = time.process_time() - cpu
            worker.close()
    results.put((sent, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, cpu, statements[0]))


def set_up(contacts_each: int):
    """Reference data, demo results, and an order with confirmed contacts for every municipality; return the
    year and its publication moment. The clock stands a day before the embargo release."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from hti_comms import clock
    from hti_comms.extensions import db
    from hti_comms.geo.models import Municipality
    from hti_comms.geo.services import load_reference_data
    from hti_comms.publication.models import Order, OrderSource, OrderStatus
    from hti_comms.publication.moments import moments
    from hti_comms.publication.contacts import add_contact
    from hti_comms.results.services import load_demo_results

    upgrade()
    load_reference_data()
    db.session.commit()
    year = load_demo_results()[-1]
    published_at = moments(year).published_at
    clock.set_now(published_at - timedelta(days=2))
    codes = sorted(db.session.scalars(select(Municipality.code)))
    for sequence, code in enumerate(codes, start=1):
        order = Order(year=year, municipality_code=code, received_at=clock.now(), sequence=sequence,
                      status=OrderStatus.RECEIVED, source=OrderSource.STAFF)
        db.session.add(order)
        db.session.flush()
        for number in range(contacts_each):
            add_contact(order, f"kontakt{number}.{code}@kommun.example.se", f"Kontakt {number}", confirmed=True,
                        actor="bench")
    db.session.commit()
    return year, published_at, len(codes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--contacts", type=int, default=4)
    parser.add_argument("--cold", action="store_true", help="no preparation before the release")
    parser.add_argument("--profile", metavar="FILE", help="write the cProfile statistics of the worker's database "
                        "thread from the release on (FILE) and of the release sweep (FILE.sweep), and print the 25 "
                        "costliest functions of each")
    args = parser.parse_args()
    database_url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='hti-bench-')}/bench.db"

    sink, port, counter, context = start_sink()

    app = make_app(database_url, port)
    with app.app_context():
        from hti_comms import clock
        from hti_comms.extensions import db

        started = time.perf_counter()
        year, published_at, municipalities = set_up(args.contacts)
        expected = municipalities * args.contacts
        print(f"set-up: {municipalities} orders × {args.contacts} contacts for {year} in "
              f"{time.perf_counter() - started:.1f} s")
        release = published_at - timedelta(hours=24)
        db.engine.dispose()

    ready, go, stop, results = context.Event(), context.Event(), context.Event(), context.Queue()
    worker = context.Process(target=run_worker,
                             args=(database_url, port, release.isoformat(), ready, go, stop, results, args.profile))
    worker.start()
    ready.wait(60)

    with app.app_context():
        from hti_comms.scheduling.sweeps import run_sweep

        prepared_in = None
        if not args.cold:
            clock.set_now(release - timedelta(minutes=5))
            start = time.perf_counter()
            if not run_sweep("publication.release_summaries"):
                sys.exit("the preparing sweep failed")
            prepared_in = time.perf_counter() - start
        clock.set_now(release)
        before = counter.value
        load_start = os.getloadavg()[0]
        start = time.perf_counter()  # the embargo release moment
        go.set()  # the worker is polling; the sweep commits each municipality's summary as it is made
        sweep_profiler = cProfile.Profile() if args.profile else None
        if sweep_profiler is not None:
            sweep_profiler.enable()
        sweep_cpu = time.process_time()
        if not run_sweep("publication.release_summaries"):
            sys.exit("the release sweep failed")
        swept = time.perf_counter() - start
        sweep_cpu = time.process_time() - sweep_cpu
        if sweep_profiler is not None:
            sweep_profiler.disable()
            sweep_profiler.dump_stats(f"{args.profile}.sweep")
        while counter.value - before < expected and time.perf_counter() - start < 120:
            time.sleep(0.002)
        total = time.perf_counter() - start
    stop.set()
    sent, _peak, worker_cpu, statements = results.get(timeout=120)
    worker.join()
    received = counter.value - before
    sink.terminate()
    if prepared_in is not None:
        print(f"five minutes before the release: {municipalities} summaries built and kept in {prepared_in:.2f} s")
    print(f"release sweep ({municipalities} summaries {'built and ' if args.cold else ''}enqueued): {swept:.2f} s "
          f"({sweep_cpu:.2f} s CPU)")
    print(f"send worker from the release on: {worker_cpu:.2f} s CPU, {statements:,} SQL statements")
    print(f"embargo release → last message accepted by the sink: {total:.2f} s (target < 2.5 s, load average "
          f"{load_start:.1f} → {os.getloadavg()[0]:.1f}); "
          f"{received:,} received, {sent:,} sent by the worker, expected {expected:,}; "
          f"database: {database_url.split(':')[0]}")
    if args.profile:
        import pstats

        for name, path in (("send worker", args.profile), ("release sweep", f"{args.profile}.sweep")):
            print(f"--- {name} ({path}) ---")
            pstats.Stats(path).sort_stats("cumulative").print_stats(25)
    if received != expected:
        sys.exit(1)


if __name__ == "__main__":
    main()
