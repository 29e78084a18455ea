"""Benchmark: import a generated 100,000-row contact CSV (target ≤ 10 s) and resolve an audience (target ≤ 1 s).

Run: .venv/bin/python bench/contacts.py [--database-url postgresql://postgres@127.0.0.1:5432/test] [--rows N]
Without --database-url it uses a fresh SQLite file. With a PostgreSQL URL it creates and drops its own database.
"""
from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from hti_comms import create_app  # noqa: E402
from hti_comms.config import normalise_database_url  # noqa: E402

ROLES = ["pensionärsråd", "seniorråd", "föreningsordförande", "distriktsordförande", "tjänsteperson", "personal"]
LISTS = ["nyhetsbrev", "kurser", "lokala-resultat", "nyhetsbrev, kurser", "kurser, lokala-resultat", ""]


def generate_csv(rows: int, municipalities: list[tuple[str, str]], seed: int = 4) -> bytes:
    """Return a semicolon CSV as Excel writes it, with a few duplicates like real lists have."""
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Namn", "E-post", "Roll", "Kommun", "Listor", "Förening"])
    for number in range(rows):
        code, name = rng.choice(municipalities)
        role = rng.choice(ROLES)
        # Every 50th row repeats an earlier address in other case: it must be merged, not doubled.
        person = rng.randrange(number) if number and number % 50 == 0 else number
        email = f"Person{person}@Exempel{person % 97}.se"
        writer.writerow([f"Person {person}", email, role, name if number % 2 else code, rng.choice(LISTS),
                         f"SPF {name}" if role == "föreningsordförande" else ""])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def database(url: str | None):
    if url is None:
        path = Path(tempfile.mkdtemp()) / "bench.db"
        return f"sqlite:///{path}", lambda: None
    admin = normalise_database_url(url)
    name = f"hti_bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()
    return make_url(admin).set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    url, drop = database(args.database_url)
    try:
        run(url, args.rows)
    finally:
        drop()


def run(url: str, rows: int) -> None:
    from flask_migrate import upgrade

    from hti_comms.extensions import db
    from hti_comms.geo.services import load_reference_data, municipalities_by_code
    from hti_comms.subscribers.audiences import Criteria, audience_size, resolve
    from hti_comms.subscribers.imports.run import cancel_import, preview_page, stage_import
    from hti_comms.subscribers.imports.store import import_contacts
    from hti_comms.subscribers.models import LegalBasis
    from hti_comms.subscribers.imports.models import LineAction
    from hti_comms.subscribers.services import ensure_default_lists

    app = create_app({"HTI_ENV": "test", "DATABASE_URL": url})
    with app.app_context():
        upgrade()
        load_reference_data()
        ensure_default_lists()
        municipalities = [(m.code, m.short_name) for m in municipalities_by_code().values()]
        data = generate_csv(rows, municipalities)

        # Staff upload: the file is planned once and its preview stored; every view of it is then a query.
        started = time.perf_counter()
        staged = stage_import(data, "bench.csv", LegalBasis.CONSENT_GIVEN, ["nyhetsbrev"], actor="bench")
        stage_seconds = time.perf_counter() - started
        db.session.expire_all()
        started = time.perf_counter()
        last_page = preview_page(staged, LineAction.CREATE, 10**6)
        preview_seconds = time.perf_counter() - started
        cancel_import(staged.id)

        started = time.perf_counter()
        plan, result = import_contacts(data, "bench.csv", LegalBasis.CONSENT_GIVEN, ["nyhetsbrev"], actor="bench")
        import_seconds = time.perf_counter() - started

        audience = Criteria(list_keys=("kurser",), roles=("council_member",), county_codes=("14", "01"))
        db.session.expire_all()
        started = time.perf_counter()
        members = resolve(audience)
        resolve_seconds = time.perf_counter() - started
        started = time.perf_counter()
        everyone = resolve(Criteria(list_keys=("nyhetsbrev", "kurser", "lokala-resultat")))
        broad_seconds = time.perf_counter() - started
        size = audience_size(audience)

    backend = make_url(url).get_backend_name()
    print(f"backend: {backend}")
    print(f"import of {rows:,} rows ({result.created:,} contacts, {result.merged:,} merged duplicates): "
          f"{import_seconds:.2f} s (target ≤ 10 s)")
    print(f"staff upload: plan once and store the preview of {rows:,} lines: {stage_seconds:.2f} s")
    print(f"showing a stored preview page (page {last_page.page:,} of {last_page.pages:,}): "
          f"{preview_seconds * 1000:.0f} ms (the file used to be planned again on every view)")
    print(f"audience 'kurser × council members × Stockholm + Västra Götaland' ({len(members):,} recipients): "
          f"{resolve_seconds:.3f} s (target ≤ 1 s)")
    print(f"audience 'every list' ({len(everyone):,} recipients): {broad_seconds:.3f} s (target ≤ 1 s)")
    assert size == len(members) and len(plan.lines) == rows


if __name__ == "__main__":
    main()
