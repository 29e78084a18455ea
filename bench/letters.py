"""Benchmark: a print batch of 1,000 letters (a local brief with its chart and table) rendered to one PDF.

Run with `.venv/bin/python bench/letters.py [COUNT]`. Loads the demo results into a temporary SQLite database of
its own, adds COUNT (default 1,000) council members of one municipality whose channel is `brev`, sends the
municipality's brief (which collects the letters), then renders the batch's PDF as the sweep or
`hti letters pdf` does, in a process of its own so its peak memory is its own. Prints the seconds and the peak
memory (target: under 60 s and under 500 MB).
"""
from __future__ import annotations

import io
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HTI_ENV", "development")

MUNICIPALITY = "0114"


def prepare(url: str, count: int) -> int:
    """Migrate, load the demo results, add the letter members and send the brief; return the batch id."""
    from flask_migrate import upgrade

    from hti_comms import clock, create_app
    from hti_comms.briefs.audiences import BRIEF_LIST_KEY, council_audience
    from hti_comms.briefs.emails import send_local_brief
    from hti_comms.extensions import db
    from hti_comms.geo.models import Municipality
    from hti_comms.geo.services import load_reference_data
    from hti_comms.letters.models import PrintBatch
    from hti_comms.results.services import load_demo_results
    from hti_comms.subscribers.bulk import insert_rows
    from hti_comms.subscribers.models import (
        Affiliation, Channel, Contact, ContactStatus, CouncilName, MailingList, Role, Subscription,
    )
    from hti_comms.subscribers.services import ensure_default_lists
    from hti_comms.tokens import new_subject_key

    app = create_app({"DATABASE_URL": url})
    with app.app_context():
        upgrade(x_arg="quiet=1")
        load_reference_data()
        year = load_demo_results()[-1]
        ensure_default_lists()
        moment = clock.now()
        insert_rows(Contact.__table__, [
            {"email": None, "link_key": new_subject_key(), "name": f"Medlem Nummer {n}", "phone": "", "language": "sv",
             "status": ContactStatus.CONFIRMED, "created_at": moment, "status_changed_at": moment,
             "confirmed_at": moment, "channel": Channel.LETTER, "postal_name": "",
             "street_address": f"Storgatan {n % 97 + 1}", "postcode": f"{11000 + n:05d}"[:3] + " " + f"{n % 100:02d}",
             "town": "Upplands Väsby"} for n in range(count)])
        ids = list(db.session.scalars(db.select(Contact.id)))
        list_id = db.session.scalar(db.select(MailingList.id).where(MailingList.key == BRIEF_LIST_KEY))
        insert_rows(Affiliation.__table__, [{"contact_id": i, "role": Role.COUNCIL_MEMBER,
                                             "council_name": CouncilName.PENSIONARSRAD, "municipality_code": MUNICIPALITY,
                                             "district_id": None, "association_name": ""} for i in ids])
        insert_rows(Subscription.__table__, [{"contact_id": i, "list_id": list_id, "created_at": moment} for i in ids])
        db.session.commit()
        municipality = db.session.get(Municipality, MUNICIPALITY)
        audience = council_audience(municipality)
        start = time.perf_counter()
        send_local_brief(municipality, year, [], letters_to=audience)
        print(f"Brief sent to {count:,} letter members (letters collected): {time.perf_counter() - start:.2f} s")
        return db.session.scalar(db.select(PrintBatch.id))


def render(url: str, batch_id: int, results) -> None:
    """In a process of its own: render and keep the batch's PDF; put (seconds, pages, bytes, peak RSS MB)."""
    import pypdf

    from hti_comms import create_app
    from hti_comms.extensions import db
    from hti_comms.letters.models import PrintBatch
    from hti_comms.letters.services import make_pdf

    app = create_app({"DATABASE_URL": url})
    with app.app_context():
        start = time.perf_counter()
        pdf = make_pdf(db.session.get(PrintBatch, batch_id))
        elapsed = time.perf_counter() - start
        pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
        results.put((elapsed, pages, len(pdf), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{directory}/bench.db"
        batch_id = prepare(url, count)
        context = multiprocessing.get_context("spawn")
        results = context.Queue()
        process = context.Process(target=render, args=(url, batch_id, results))
        process.start()
        elapsed, pages, size, peak = results.get(timeout=1800)
        process.join()
        print(f"PDF of a print batch of {count:,} letters: {elapsed:.1f} s, {pages:,} pages, "
              f"{size / 1024 / 1024:.1f} MB ({'within' if elapsed < 60 else 'OVER'} the 60 s target)")
        print(f"Peak memory of the rendering process: {peak:.0f} MB "
              f"({'within' if peak < 500 else 'OVER'} the 500 MB target)")


if __name__ == "__main__":
    main()
