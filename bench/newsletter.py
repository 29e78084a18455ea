"""Benchmark: a newsletter with five sections and an inline image to 100,000 recipients, the real path.

Run: .venv/bin/python bench/newsletter.py [--recipients 100000] [--connections 4] [--database-url URL]

Set-up (not timed): 100,000 confirmed contacts on the newsletter list, written in bulk, and a newsletter with
five Markdown sections, links and one inline PNG. Then, as in bench/delivery.py, the raw ceiling: the same
newsletter message (built once, inline image included) sent with smtplib over the same connections to the same
aiosmtpd sink, which runs in its own process and only counts.

Timed: "send" is `hti newsletter send ID`'s path — the pre-send checks, the schedule, and the start (claim,
checks again, render, resolve the audience in SQL, enqueue one row per recipient, commit). It prints the time
from "send" to the last row enqueued (target < 5 s). Then the real worker, in its own process, sends every
row; the last line is `enqueue_s=<s> ratio=<r> sent=<n>` (ratio target ≥ 0.8).
"""
from __future__ import annotations

import argparse
import io
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from delivery import make_app, run_worker, start_sink  # noqa: E402  (bench/delivery.py, same directory)

SECTIONS = [
    ("Ny nationell rapport om hemtjänsten", "Socialstyrelsen har publicerat en ny rapport om **kontinuiteten** i "
     "hemtjänsten: hur många olika personer en äldre träffar under två veckor.\n\nSkillnaderna mellan kommunerna "
     "är stora, och rapporten visar [statistiken kommun för kommun](https://www.socialstyrelsen.se/statistik).",
     "https://spfseniorerna.se/hemtjanstindex/rapport", "Läs sammanfattningen av rapporten"),
    ("Förbeställ rapportpaketet nu", "Kommuner som förbeställer rapportpaketet får\n\n- en sammanfattning av sitt "
     "resultat 24 timmar före publiceringen,\n- analysverktyget med de nya siffrorna,\n- sin skriftliga analys i "
     "den ordning beställningarna kom in.", "https://spfseniorerna.se/hemtjanstindex/rapportpaket",
     "Beställ rapportpaketet för din kommun"),
    ("Så arbetar Habo med sitt resultat", "Habo analyserade de fyra delindexen och tog fram en handlingsplan "
     "tillsammans med pensionärsrådet. *Information* och *biståndshandläggning* kom först.", "", ""),
    ("Från Järvaveckan", "Vi samtalade om hemtjänstens kvalitet med politiker från flera partier. Läs "
     "[referatet från samtalet](https://spfseniorerna.se/hemtjanstindex/jarva).", "", ""),
    ("Grundkurs i november", "En digital grundkurs om Hemtjänstindex för dig med uppdrag i pensionärsråd, "
     "torsdag kl. 10.00–11.30.", "https://spfseniorerna.se/hemtjanstindex/grundkurs",
     "Anmäl dig till grundkursen"),
]


def image_bytes() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 300), (11, 61, 107))
    draw = ImageDraw.Draw(image)
    for x in range(0, 600, 40):
        draw.rectangle([x, 150 - x // 4, x + 30, 300], fill=(255, 191, 71))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def add_recipients(count: int) -> None:
    """Write `count` confirmed contacts on the newsletter list in bulk (set-up, not timed)."""
    from sqlalchemy import insert, select

    from hti_comms import clock
    from hti_comms.extensions import db
    from hti_comms.subscribers.models import Contact, ContactStatus, MailingList, Subscription
    from hti_comms.subscribers.services import ensure_default_lists
    from hti_comms.tokens import new_subject_key

    ensure_default_lists()
    list_id = db.session.scalar(select(MailingList.id).where(MailingList.key == "nyhetsbrev"))
    now = clock.now()
    chunk = 10_000
    for start in range(0, count, chunk):
        rows = [{"id": n + 1, "email": f"mottagare{n}@example.se", "name": f"Mottagare {n}", "phone": "",
                 "language": "sv", "status": ContactStatus.CONFIRMED, "created_at": now, "status_changed_at": now,
                 "confirmed_at": now, "link_key": new_subject_key()} for n in range(start, min(count, start + chunk))]
        db.session.execute(insert(Contact), rows)
        db.session.execute(insert(Subscription), [{"contact_id": row["id"], "list_id": list_id, "created_at": now}
                                                  for row in rows])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy import text

        db.session.execute(text("SELECT setval('contact_id_seq', (SELECT max(id) FROM contact))"))
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def make_newsletter() -> int:
    from hti_comms.newsletters.models import NewsletterKind
    from hti_comms.newsletters.services import SectionFields, create_newsletter, set_section_image

    newsletter = create_newsletter(NewsletterKind.NEWSLETTER, "Hemtjänstindex nyhetsbrev: rapporten och paketet",
                                   sections=[SectionFields(title=t, body=b, link_url=u, link_text=lt)
                                             for t, b, u, lt in SECTIONS])
    set_section_image(newsletter.sections[0], image_bytes(), "rapport.png", alt="Diagram ur rapporten")
    return newsletter.id


def raw_baseline(app, newsletter_id: int, port: int, connections: int, count: int) -> tuple[float, int]:
    """Send the newsletter's own message, built once, `count` times with smtplib; return (messages/s, size)."""
    import smtplib

    from hti_comms import clock
    from hti_comms.delivery.mime import build_skeleton
    from hti_comms.delivery.render import recipient_values, render_template_pair
    from hti_comms.extensions import db
    from hti_comms.newsletters.models import Newsletter
    from hti_comms.newsletters.render import email_image_src, render_newsletter, template_name
    from hti_comms.newsletters.sending import _attachments

    with app.app_context():
        newsletter = db.session.get(Newsletter, newsletter_id)
        context = render_newsletter(newsletter, purpose="send", image_src=email_image_src).context
        db.session.rollback()
        rendered = render_template_pair(template_name(newsletter), context, subject=newsletter.subject,
                                        list_key=newsletter.list_key)
        values = recipient_values(rendered.keys | {"unsubscribe_url"}, email="eva@example.se", name="Eva Ek",
                                  fields={}, list_key=newsletter.list_key)
        html, text = rendered.fill(values)
        skeleton = build_skeleton(send_id=1, mail_from=app.config["MAIL_FROM"], subject=newsletter.subject,
                                  list_key=newsletter.list_key, list_name="Hemtjänstindex nyhetsbrev",
                                  attachments=_attachments(newsletter))
        message = skeleton.build(outbox_id=1, email="eva@example.se", name="Eva Ek", html=html, text=text,
                                 unsubscribe_url=values["unsubscribe_url"], date=clock.now())
    shares = [count // connections + (1 if n < count % connections else 0) for n in range(connections)]

    def send(share: int) -> None:
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for _ in range(share):
                smtp.sendmail(skeleton.envelope_from, ["eva@example.se"], message)

    threads = [threading.Thread(target=send, args=(share,)) for share in shares]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return count / (time.perf_counter() - start), len(message)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file in a temporary directory")
    args = parser.parse_args()
    database_url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='hti-bench-')}/bench.db"

    sink, port, counter, context = start_sink()

    app = make_app(database_url, port, args.connections)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        started = time.perf_counter()
        add_recipients(args.recipients)
        newsletter_id = make_newsletter()
        print(f"set-up:        {args.recipients:,} contacts and the newsletter in {time.perf_counter() - started:.1f} s")

    raw_rate, size = raw_baseline(app, newsletter_id, port, args.connections, args.recipients)
    print(f"raw smtplib:   {raw_rate:9.0f} messages/s  ({args.recipients:,} × {size:,} bytes with the inline image, "
          f"{args.connections} connections)")

    with app.app_context():
        from hti_comms.checks import has_errors
        from hti_comms.delivery.services import send_counts
        from hti_comms.extensions import db
        from hti_comms.newsletters.checks import check_newsletter
        from hti_comms.newsletters.models import Newsletter
        from hti_comms.newsletters.sending import send_now

        start = time.perf_counter()  # "send"
        findings = check_newsletter(db.session.get(Newsletter, newsletter_id))
        if has_errors(findings):
            sys.exit("the benchmark newsletter does not pass its checks: " + "; ".join(map(str, findings)))
        send = send_now(newsletter_id, [f.message for f in findings])
        enqueue_seconds = time.perf_counter() - start
        rows = send_counts(send.id)["queued"]
        print(f"send → last row enqueued: {enqueue_seconds:.2f} s  ({rows:,} rows, checks run twice, "
              "audience resolved in SQL)")
        db.engine.dispose()

    results = context.Queue()
    worker = context.Process(target=run_worker, args=(database_url, port, args.connections, results))
    before = counter.value
    worker.start()
    sent, elapsed, rss_mb, _worker_cpu = results.get()
    worker.join()
    received = counter.value - before
    rate = sent / elapsed
    print(f"outbox worker: {rate:9.0f} messages/s  ({sent:,} sent in {elapsed:.1f} s)")
    print(f"sink received: {received:,} (expected {args.recipients:,}); worker peak RSS {rss_mb:.0f} MB; "
          f"database: {database_url.split(':')[0]}")
    sink.terminate()
    print(f"enqueue_s={enqueue_seconds:.2f} ratio={rate / raw_rate:.2f} sent={received}")
    if received != args.recipients:
        sys.exit(1)


if __name__ == "__main__":
    main()
