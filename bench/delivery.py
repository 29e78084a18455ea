"""Benchmark: a personalised list email to 100,000 recipients, outbox rows → worker → aiosmtpd sink.

Run: .venv/bin/python bench/delivery.py [--recipients 100000] [--connections 4] [--database-url URL]

The sink runs in its own process and only counts. The same run first measures the raw ceiling: one
prebuilt message sent with smtplib over the same number of connections to the same sink. Then it enqueues
the recipients (bulk insert, the real templates, name + signed unsubscribe/preference links per recipient)
and lets the real worker (in a process of its own, so its peak RSS is its own) send every row.
The last line is `ratio=<r> sent=<n> rss_mb=<m>`.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import smtplib
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


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


def make_app(database_url: str, port: int, connections: int):
    from hti_comms import create_app

    return create_app({"HTI_ENV": "test", "DATABASE_URL": database_url, "BASE_URL": "https://hti.spfseniorerna.se",
                       "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_POOL_SIZE": connections,
                       "SEND_BATCH_SIZE": 1000})


def spec():
    from hti_comms.delivery.outbox import EmailSpec

    return EmailSpec(template="delivery/test", subject="Hemtjänstindex nyhetsbrev #13", kind="newsletter",
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
    print(f"raw client CPU: {(time.process_time() - cpu) / count * 1e6:.0f} µs per message")
    return count / elapsed, len(message)


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
        print(f"worker CPU: {(time.process_time() - cpu) / max(sent, 1) * 1e6:.0f} µs per message", flush=True)
    results.put((sent, elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file in a temporary directory")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="hti-bench-")
    database_url = args.database_url or f"sqlite:///{workdir}/bench.db"

    from hti_comms.delivery.sink import free_port

    context = mp.get_context("spawn")
    port = free_port()
    counter, ready = context.Value("l", 0), context.Event()
    sink = context.Process(target=run_sink, args=(port, counter, ready), daemon=True)
    sink.start()
    ready.wait(30)

    app = make_app(database_url, port, args.connections)
    with app.app_context():
        from flask_migrate import upgrade

        import logging

        logging.getLogger("alembic").setLevel(logging.WARNING)
        upgrade()

    raw_rate, size = raw_baseline(app, port, args.connections, args.recipients)
    raw_received = counter.value
    print(f"raw smtplib:   {raw_rate:9.0f} messages/s  ({args.recipients:,} × {size:,} bytes, "
          f"{args.connections} connections, sink received {raw_received:,})")

    with app.app_context():
        from hti_comms.delivery.outbox import Recipient, enqueue
        from hti_comms.extensions import db

        start = time.perf_counter()
        enqueue(spec(), (Recipient(f"mottagare{n}@example.se", f"Mottagare {n}") for n in range(args.recipients)))
        db.session.commit()
        print(f"enqueue:       {args.recipients / (time.perf_counter() - start):9.0f} rows/s (bulk insert)")
        db.engine.dispose()

    results = context.Queue()
    worker = context.Process(target=run_worker, args=(database_url, port, args.connections, results))
    before = counter.value
    worker.start()
    sent, elapsed, rss_mb = results.get()
    worker.join()
    received = counter.value - before
    rate = sent / elapsed
    print(f"outbox worker: {rate:9.0f} messages/s  ({sent:,} sent in {elapsed:.1f} s, {args.connections} connections)")
    print(f"sink received: {received:,} (expected {args.recipients:,})")
    print(f"worker peak RSS: {rss_mb:.0f} MB   database: {database_url.split(':')[0]}")
    sink.terminate()
    print(f"ratio={rate / raw_rate:.2f} sent={received} rss_mb={rss_mb:.0f}")
    if received != args.recipients:
        sys.exit(1)


if __name__ == "__main__":
    main()
