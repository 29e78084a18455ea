"""Benchmark: a personalised list email to 100,000 recipients, outbox rows → worker → aiosmtpd sink.

Run: .venv/bin/python bench/delivery.py [--recipients 100000] [--connections 4] [--database both|sqlite|postgresql]

By default it measures SQLite (a new file) and PostgreSQL (a new database on --postgres-url, dropped
afterwards; skipped with a message when the server does not answer) in one run. The sink runs in its own
process and only counts. For each database the run measures the raw ceiling (one prebuilt message sent with
smtplib over the same number of connections to the same sink), enqueues the recipients (bulk insert, the
real templates, name + signed unsubscribe/preference links per recipient), lets the real worker (in a
process of its own, so its CPU time and peak RSS are its own) send every row, and measures the raw ceiling
again; the ratio is the worker's rate over the mean of the two raw runs, which bracket it in time. The
machine's load average is printed with each figure. The last lines are
`ratio=<r> sent=<n> rss_mb=<m> database=<name>`, one per database.
"""
from __future__ import annotations

from hti_comms.delivery.owner import Owner

import argparse
import multiprocessing as mp
import os
import resource
import smtplib
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def run_sink(port: int, counter, ready) -> None:
    """Count accepted messages (in its own process)."""
    import asyncio

    from aiosmtpd.controller import Controller

    class Counting:
        async def handle_DATA(self, server, session, envelope):
            with counter.get_lock():
                counter.value += 1
            return "250 OK"

    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    try:
        asyncio.run(asyncio.sleep(10**9))
    finally:
        controller.stop()


def start_sink():
    """Quiet the app's logs, start the counting sink in its own process; return (process, port, counter, spawn)."""
    import logging
    import multiprocessing as mp

    from hti_comms.delivery.sink import free_port

    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("hti_comms").setLevel(logging.WARNING)
    context = mp.get_context("spawn")
    port = free_port()
    counter, ready = context.Value("l", 0), context.Event()
    sink = context.Process(target=run_sink, args=(port, counter, ready), daemon=True)
    sink.start()
    ready.wait(30)
    return sink, port, counter, context


def make_app(database_url: str, port: int, connections: int):
    from hti_comms import create_app

    return create_app({"HTI_ENV": "test", "DATABASE_URL": database_url, "BASE_URL": "https://hti.spfseniorerna.se",
                       "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_POOL_SIZE": connections,
                       "SEND_BATCH_SIZE": 1000})


def spec():
    from hti_comms.delivery.outbox import EmailSpec

    return EmailSpec(owner=Owner("bench", "list-mail"), template="delivery/test", subject="Hemtjänstindex nyhetsbrev #13", kind="newsletter",
                     list_key="nyhetsbrev", reference="bench:newsletter:13",
                     context={"sent_by": "SPF Seniorerna", "note": "Förbeställ rapportpaketet nu."})


def raw_baseline(app, port: int, connections: int, count: int) -> float:
    """Send one prebuilt message `count` times over `connections` smtplib connections; return messages/s."""
    from hti_comms.delivery.mime import build_skeleton
    from hti_comms.delivery.render import recipient_values, render_template_pair

    with app.app_context():
        s = spec()
        rendered = render_template_pair(s.template, s.context, subject=s.subject, list_key=s.list_key)
        values = recipient_values(rendered.keys | {"unsubscribe_url"}, email="eva@example.se", name="Eva Ek",
                                  fields={}, list_key=s.list_key)
        html, text = rendered.fill(values)
        skeleton = build_skeleton(send_id=1, mail_from=app.config["MAIL_FROM"], subject=s.subject,
                                  list_key=s.list_key, list_name="Hemtjänstindex", attachments=())
        message = skeleton.build(outbox_id=1, email="eva@example.se", name="Eva Ek", html=html, text=text,
                                 unsubscribe_url=values["unsubscribe_url"], date=time_now())
    shares = [count // connections + (1 if n < count % connections else 0) for n in range(connections)]

    def send(share: int) -> None:
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for _ in range(share):
                smtp.sendmail(skeleton.envelope_from, ["eva@example.se"], message)

    threads = [threading.Thread(target=send, args=(share,)) for share in shares]
    cpu = time.process_time()
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    return count / elapsed, len(message), (time.process_time() - cpu) / count * 1e6


def time_now():
    from hti_comms import clock

    return clock.now()


def run_worker(database_url: str, port: int, connections: int, results) -> None:
    """The worker, in its own process: send every due row and report time, count and peak RSS."""
    import logging

    logging.disable(logging.WARNING)
    app = make_app(database_url, port, connections)
    with app.app_context():
        from hti_comms.delivery.worker import Worker

        worker = Worker(app)
        cpu = time.process_time()
        start = time.perf_counter()
        try:
            sent = worker.drain()
        finally:
            worker.close()
        elapsed = time.perf_counter() - start
        worker_cpu = (time.process_time() - cpu) / max(sent, 1) * 1e6
    results.put((sent, elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, worker_cpu))


def measure(database_url: str, port: int, counter, context, args) -> dict:
    """Run raw ceiling, enqueue and worker against one database; return the figures."""
    figures = {"database": database_url.split(":")[0].split("+")[0], "load_start": os.getloadavg()[0]}
    app = make_app(database_url, port, args.connections)
    with app.app_context():
        import logging

        from flask_migrate import upgrade

        logging.getLogger("alembic").setLevel(logging.WARNING)
        upgrade()

    raw_before, size, raw_cpu = raw_baseline(app, port, args.connections, args.recipients)
    print(f"[{figures['database']}] raw smtplib:   {raw_before:9.0f} messages/s  ({args.recipients:,} × {size:,} bytes, "
          f"{args.connections} connections, {raw_cpu:.0f} µs CPU per message)", flush=True)

    with app.app_context():
        from hti_comms.delivery.outbox import Recipient, enqueue
        from hti_comms.extensions import db

        start = time.perf_counter()
        enqueue(spec(), (Recipient(f"mottagare{n}@example.se", f"Mottagare {n}") for n in range(args.recipients)))
        db.session.commit()
        figures["enqueue"] = args.recipients / (time.perf_counter() - start)
        db.engine.dispose()

    results = context.Queue()
    worker = context.Process(target=run_worker, args=(database_url, port, args.connections, results))
    before = counter.value
    worker.start()
    sent, elapsed, rss_mb, worker_cpu = results.get()
    worker.join()
    figures["received"] = counter.value - before
    figures["worker"] = sent / elapsed
    print(f"[{figures['database']}] outbox worker: {figures['worker']:9.0f} messages/s  ({sent:,} sent in "
          f"{elapsed:.1f} s, {worker_cpu:.0f} µs CPU per message)", flush=True)
    # The raw ceiling again, right after: the machine's load drifts, and the two runs bracket the worker's.
    raw_after, _size, _cpu = raw_baseline(app, port, args.connections, args.recipients)
    print(f"[{figures['database']}] raw smtplib:   {raw_after:9.0f} messages/s  (again, after the worker)", flush=True)
    figures.update(raw=(raw_before + raw_after) / 2, raw_before=raw_before, raw_after=raw_after, rss_mb=rss_mb,
                   worker_cpu=worker_cpu, raw_cpu=raw_cpu, elapsed=elapsed, load_end=os.getloadavg()[0])
    figures["ratio"] = figures["worker"] / figures["raw"]
    return figures


@contextmanager
def postgres_database(admin_url: str):
    """Yield the URL of a new, empty PostgreSQL database (dropped afterwards), or None if none answers."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    from hti_comms.config import normalise_database_url

    admin_url = normalise_database_url(admin_url)
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
    except OperationalError as exc:
        print(f"PostgreSQL does not answer at {make_url(admin_url).render_as_string()} "
              f"({exc.orig.__class__.__name__}); measuring SQLite only")
        engine.dispose()
        yield None
        return
    name = f"hti_bench_{uuid.uuid4().hex[:10]}"
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--database", choices=("both", "sqlite", "postgresql"), default="both")
    parser.add_argument("--database-url", default=None,
                        help="measure this (empty) database only, instead of new SQLite and PostgreSQL ones")
    parser.add_argument("--postgres-url", default=os.environ.get("HTI_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
                        help="server to create the PostgreSQL benchmark database on (default %(default)s)")
    args = parser.parse_args()

    from hti_comms.delivery.sink import free_port

    context = mp.get_context("spawn")
    port = free_port()
    counter, ready = context.Value("l", 0), context.Event()
    sink = context.Process(target=run_sink, args=(port, counter, ready), daemon=True)
    sink.start()
    ready.wait(30)

    measured = []
    try:
        if args.database_url:
            measured.append(measure(args.database_url, port, counter, context, args))
        else:
            if args.database in ("both", "sqlite"):
                workdir = tempfile.mkdtemp(prefix="hti-bench-")
                measured.append(measure(f"sqlite:///{workdir}/bench.db", port, counter, context, args))
            if args.database in ("both", "postgresql"):
                with postgres_database(args.postgres_url) as url:
                    if url is not None:
                        measured.append(measure(url, port, counter, context, args))
    finally:
        sink.terminate()

    print()
    print(f"{'database':<11} {'raw msg/s':>10} {'worker msg/s':>13} {'ratio':>6} {'worker µs/msg':>14} "
          f"{'raw µs/msg':>11} {'RSS MB':>7} {'enqueue rows/s':>15} {'load avg':>11}")
    for f in measured:
        print(f"{f['database']:<11} {f['raw']:>10,.0f} {f['worker']:>13,.0f} {f['ratio']:>6.2f} {f['worker_cpu']:>14.0f} "
              f"{f['raw_cpu']:>11.0f} {f['rss_mb']:>7.0f} {f['enqueue']:>15,.0f} "
              f"{f['load_start']:>5.1f}→{f['load_end']:<5.1f}")
    for f in measured:
        print(f"ratio={f['ratio']:.2f} sent={f['received']} rss_mb={f['rss_mb']:.0f} database={f['database']}")
    if any(f["received"] != args.recipients for f in measured):
        sys.exit(1)


if __name__ == "__main__":
    main()
