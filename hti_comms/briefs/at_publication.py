"""Local briefs and district digests sent by themselves at the publication moment, when staff chose so for a year.

Staff choose per year (`schedule`, the staff page, `hti brief schedule --year Y --at-publication`). Nothing is put
in the outbox ahead of time: the sweep `briefs.at_publication` reads the year's publication moment every time it
runs (so a postponement moves the sending, and nothing goes a second early), and once the moment has passed it
goes through every municipality and district: each brief is built, its figures are checked against the stored
results (`briefs.figures`), and it is enqueued to its audience resolved then, one municipality at a time with a
commit after each (a running send worker starts at once). A brief whose figures disagree is held, recorded with
the reason for staff, and the rest go on. A send's reference names the year and the municipality or district, so
a second run (a crash in the middle, `hti scheduler --once` beside the scheduler, a brief sent by hand earlier)
adds only the people who do not have it yet.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from .. import clock
from ..delivery import api as delivery
from .owners import BRIEF, DIGEST, DOMAIN as OWNER_DOMAIN, brief_keys, digest_keys
from ..extensions import db
from ..formatting import format_datetime
from ..geo.models import District, Municipality
from ..publication.moments import publication_moment
from ..results.publication import is_released
from ..steps import DONE, FAILED, RUNNING, WAITING, Step
from ..subscribers.audiences import letter_contact_ids, recipients
from .audiences import council_audience, district_audience
from .models import PublicationSending

log = logging.getLogger(__name__)

#: What `--kind` and the staff form offer, and which sends each choice makes.
KINDS = {"local": (True, False), "district": (False, True), "both": (True, True)}


class ScheduleError(ValueError):
    """A Swedish message about a choice that cannot be saved."""


@dataclass(frozen=True)
class Outcome:
    """What one pass at publication did: messages added, and briefs held because their figures disagreed."""

    added: int = 0
    held: int = 0


def choice(year: int) -> PublicationSending | None:
    return db.session.get(PublicationSending, year)


def schedule(year: int, kind: str, *, actor: str) -> PublicationSending:
    """Choose that `year`'s briefs of `kind` ("local", "district" or "both") go out at the publication; commit.

    Refused once the results are public: what goes to every council at once is then sent by hand, after a look.
    """
    if kind not in KINDS:
        raise ScheduleError(f"Sort: ”{kind}” finns inte. Välj local, district eller both.")
    if not 2000 <= year <= 2100:
        raise ScheduleError(f"År: {year} är inget rimligt indexår.")
    moment = publication_moment(year)
    if is_released(moment):
        raise ScheduleError(f"Resultaten för {year} publicerades {format_datetime(moment)}. Skicka breven från "
                            "sidan Talpunkter i stället, så ser du vilka som får dem innan de går.")
    send_local, send_district = KINDS[kind]
    row = choice(year)
    if row is None:
        row = PublicationSending(year=year, held=[])
        db.session.add(row)
    row.send_local, row.send_district = send_local, send_district
    row.chosen_by, row.chosen_at, row.done_at, row.held = actor, clock.now(), None, []
    db.session.commit()
    return row


def unschedule(year: int) -> bool:
    """Take back the choice before the publication; commit. Return whether there was one to take back."""
    row = choice(year)
    if row is None or row.done_at is not None:
        return False
    db.session.delete(row)
    db.session.commit()
    return True


def what(row: PublicationSending) -> str:
    """Return 'lokala resultatbrev och distriktsbrev' (what the choice sends) in Swedish."""
    parts = (["lokala resultatbrev"] if row.send_local else []) + (["distriktsbrev"] if row.send_district else [])
    return " och ".join(parts)


def send_due() -> int:
    """Sweep: send every chosen year whose publication moment has passed and that is not done; return messages."""
    added = 0
    for row in list(db.session.scalars(select(PublicationSending).where(PublicationSending.done_at.is_(None)))):
        moment = publication_moment(row.year)
        if is_released(moment):
            added += send_at_publication(row.year).added
    return added


def send_at_publication(year: int) -> Outcome:
    """Build, check and enqueue every chosen brief of `year` (one commit per brief); return what it did."""
    from .emails import check_district_digest, check_local_brief, district_digest_spec, local_brief_spec
    from .figures import FigureMismatch
    from ..delivery.api import enqueue
    from .talking_points import BriefError, build_talking_points, year_ranking

    row = choice(year)
    moment = publication_moment(year)
    if row is None or row.done_at is not None or not is_released(moment):
        return Outcome()
    try:
        ranking = year_ranking(year)
    except BriefError as error:
        _hold(row, "all", "", "", str(error))
        db.session.commit()
        return Outcome(held=1)
    added = held = 0
    if row.send_local:
        municipalities = {m.code: m for m in db.session.scalars(select(Municipality))}
        for entry in ranking.entries:
            municipality = municipalities[entry.municipality_code]
            audience = council_audience(municipality)
            people = recipients(audience)
            if not people and not letter_contact_ids(audience):
                continue
            points = build_talking_points(municipality, year, ranking)
            spec = local_brief_spec(points, scheduled_at=moment)
            try:
                check_local_brief(points, spec)
            except FigureMismatch as error:
                held += _hold(row, "local", municipality.code, municipality.short_name, error.summary)
                db.session.commit()
                continue
            added += _enqueued(enqueue, spec, people, audience)
            db.session.commit()
    if row.send_district:
        for district in db.session.scalars(select(District).order_by(District.name)):
            audience = district_audience(district)
            people = recipients(audience)
            if not people and not letter_contact_ids(audience):
                continue
            try:
                spec = district_digest_spec(district, year, scheduled_at=moment)
                check_district_digest(district, year, spec)
            except BriefError:
                continue  # no municipality of the district has results this year: nothing to send
            except FigureMismatch as error:
                held += _hold(row, "district", str(district.id), district.name, error.summary)
                db.session.commit()
                continue
            added += _enqueued(enqueue, spec, people, audience)
            db.session.commit()
    row.done_at = clock.now()
    db.session.commit()
    return Outcome(added, held)


def _enqueued(enqueue, spec, people, audience) -> int:
    from .emails import collect_letters

    before = delivery.counts(spec.owner)["total"]
    collect_letters(spec, enqueue(spec, people), audience)
    return delivery.counts(spec.owner)["total"] - before


def _hold(row: PublicationSending, kind: str, target: str, name: str, reason: str) -> int:
    """Record a brief held back (once per brief); log it. Return 1 when it was new."""
    if any(item["kind"] == kind and item["target"] == target for item in row.held or []):
        return 0
    row.held = [*(row.held or []), {"kind": kind, "target": target, "name": name, "reason": reason}]
    log.error("Brief %s %s %s held at publication: %s", kind, target, row.year, reason)
    return 1


# --- what staff see ------------------------------------------------------------------------------------------

def counts(year: int) -> dict[str, dict[str, int]]:
    """Return {"local": {...}, "district": {...}}: messages waiting, sent and failed of the year's briefs."""
    found = {}
    for bucket, kind, keys in (("local", BRIEF, brief_keys(year)), ("district", DIGEST, digest_keys(year))):
        grouped = delivery.progress(delivery.counts(domain=OWNER_DOMAIN, kind=kind, keys=keys))
        found[bucket] = {label: grouped[label] for label in ("väntar", "skickade", "misslyckade")}
    return found


def held_sentences(row: PublicationSending) -> list[str]:
    """Return one Swedish sentence per brief held back, naming it and why."""
    sentences = []
    for item in row.held or []:
        what_ = {"local": f"Resultatbrevet för {item['name']}", "district": f"Distriktsbrevet för {item['name']}"}.get(
            item["kind"], "Inga brev")
        sentences.append(f"{what_} skickades inte: {item['reason']}")
    return sentences


def year_steps(year: int) -> list[Step]:
    """The step "Lokala resultat vid publiceringen" of `year` (for the timeline and the year plan)."""
    row = choice(year)
    moment = publication_moment(year)
    page = ("briefs_admin.at_publication", {"year": year})
    if row is None:
        return [Step("Lokala resultatbrev och distriktsbrev vid publiceringen", moment, "Inte valt",
                     problems=["Breven skickas inte av sig själva: välj ”Skicka lokala resultat vid publiceringen”."],
                     page=page, kind="send")]
    numbers = counts(year)
    shown = {}
    if row.send_local:
        shown.update({f"resultatbrev {label}": n for label, n in numbers["local"].items()})
    if row.send_district:
        shown.update({f"distriktsbrev {label}": n for label, n in numbers["district"].items()})
    held = held_sentences(row)
    if held:
        shown["brev stoppade: siffrorna stämmer inte"] = len(held)
    if not is_released(moment):
        state = WAITING
    elif row.done_at is None:
        state = RUNNING
    elif held or any(numbers[k]["misslyckade"] for k in numbers):
        state = FAILED
    elif any(numbers[k]["väntar"] for k in numbers):
        state = RUNNING
    else:
        state = DONE
    title = f"{what(row)[:1].upper()}{what(row)[1:]} vid publiceringen"
    return [Step(title, moment, state, shown, problems=held, page=page, kind="send",
                 note=f"Valt av {row.chosen_by or 'personal'} {format_datetime(row.chosen_at)}.")]


def summary(year: int) -> str:
    """Return one line for a command: what is chosen for `year` and when it goes."""
    row = choice(year)
    moment = publication_moment(year)
    if row is None:
        return f"Inga brev skickas av sig själva vid publiceringen {year}."
    when = format_datetime(moment) if moment else "när publiceringstiden är satt"
    return f"{what(row)[:1].upper()}{what(row)[1:]} för {year} skickas av sig själva vid publiceringen, {when}."
