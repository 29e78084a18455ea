"""Benchmark: 2,000 registrations for one event, then a change of time (target: the 2,000 updates enqueued < 2 s).

Also prints what the calendar invitation costs per message: it is rendered once per event and version with
placeholders, and each message only fills in its attendee, UID and cancel link (compared with building the
whole calendar with icalendar for every person).

Run: .venv/bin/python bench/events.py [--database-url postgresql://postgres@127.0.0.1:5432/test] [--people N]
Without --database-url it uses a fresh SQLite file. With a PostgreSQL URL it creates and drops its own database.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.contacts import database  # noqa: E402
from hti_comms import create_app  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--people", type=int, default=2000)
    args = parser.parse_args()
    url, drop = database(args.database_url)
    try:
        run(url, args.people)
    finally:
        drop()


def _per_call(function, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        function()
    return (time.perf_counter() - started) / repeat


def run(url: str, people: int) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from hti_comms import clock
    from hti_comms.delivery.models import OutboxMessage, Send
    from hti_comms.delivery.personal_attachments import PersonalText
    from hti_comms.events.calendar import invitation
    from hti_comms.events.emails import recipient
    from hti_comms.events.inputs import EventInput, input_for, parse_event
    from hti_comms.events.registration import RegistrationInput, register, registered
    from hti_comms.events.services import create_event, update_event
    from hti_comms.extensions import db

    app = create_app({"HTI_ENV": "test", "DATABASE_URL": url, "BASE_URL": "https://hti.example.se"})
    with app.app_context():
        upgrade()
        clock.set_now(datetime(2025, 10, 1, 7, 0, tzinfo=timezone.utc))
        data, _ = parse_event(EventInput(kind="kurs", title="Grundkurs om Hemtjänstindex", start="2025-11-06 10:00",
                                         end="2025-11-06 11:30", join_url="https://spfseniorerna.zoom.us/j/8123",
                                         speakers="Eva Eriksson, förbundsordförande\nLars Larsson, vetenskaplig ledare",
                                         description="En introduktion till **Hemtjänstindex** för pensionärsråd."))
        event = create_event(data)

        started = time.perf_counter()
        for number in range(people):
            register(event, RegistrationInput(name=f"Person {number}, Exempelkommun", email=f"person{number}@exempel.se",
                                              role="Ledamot i kommunens pensionärsråd", organisation="Exempelkommun"))
        registering = time.perf_counter() - started
        print(f"{people:,} registrations (each with its confirmation enqueued): {registering:.2f} s "
              f"({people / registering:,.0f} per second)")

        changed, _ = parse_event(dataclasses.replace(input_for(event), start="2025-11-13 10:00", end="2025-11-13 11:30"))
        started = time.perf_counter()
        result = update_event(event, changed)
        enqueue_seconds = time.perf_counter() - started
        updates = db.session.scalar(select(func.count()).select_from(OutboxMessage).join(Send)
                                    .where(Send.kind == "event_update"))
        assert updates == people == result.updates_sent, (updates, people, result.updates_sent)
        print(f"change of time: {updates:,} updates enqueued in {enqueue_seconds:.3f} s (target < 2 s)")

        # The invitation: once per event and version, then filled per message.
        render_once = _per_call(lambda: invitation(event), 50)
        template = invitation(event)
        filler = PersonalText(template, "text/calendar; method=REQUEST")
        values = []
        for registration in registered(event):
            row = recipient(registration)
            values.append({"email": row.email, **{f"fields.{k}": v for k, v in row.fields.items()}})
        started = time.perf_counter()
        for value in values:
            filler.fill(value)
        fill_each = (time.perf_counter() - started) / len(values)
        print(f"invitation rendered once per event and version: {render_once * 1000:.2f} ms "
              f"({len(template):,} bytes)")
        print(f"ICS per message (attendee, UID and cancel link filled in): {fill_each * 1e6:.1f} µs")
        print(f"for comparison, the whole calendar built per person: {render_once * 1e6:.0f} µs "
              f"({render_once / fill_each:.0f} times as much)")
        print(f"ICS for all {people:,} updates: {(render_once + fill_each * people) * 1000:.1f} ms "
              f"(per person from scratch: {render_once * people * 1000:.0f} ms)")
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        db.engine.dispose()


if __name__ == "__main__":
    main()
