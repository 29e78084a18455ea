"""The action-plan domain's share of a person's data: the proposals they sent through their personal link.

A proposal is the municipality's, not the person's: an erasure keeps it (staff may have approved it, and the
measure's history names it) but cuts it from the person and puts their pseudonym where its words name them.
"""
from __future__ import annotations

from sqlalchemy import false, or_, select

from ..extensions import db
from ..personal_data import Person, timestamp
from ..subscribers.models import Contact
from .models import PlanSubmission


def _contact_ids(person: Person) -> list[int]:
    ids = set(db.session.scalars(select(Contact.id).where(Contact.email == person.email)))
    return sorted(ids | ({person.contact_id} if person.contact_id else set()))


def _own(person: Person) -> list[PlanSubmission]:
    ids = _contact_ids(person)
    if not ids:
        return []
    return list(db.session.scalars(select(PlanSubmission).where(PlanSubmission.contact_id.in_(ids))
                                   .order_by(PlanSubmission.submitted_at)))


def export(person: Person) -> list[dict]:
    return [{
        "år": s.year,
        "kommun": s.municipality.short_name,
        "delindex": s.area.label,
        "åtgärd": s.text,
        "status": s.status.label,
        "källa": s.source_url,
        "meddelande": s.message,
        "skickat": timestamp(s.submitted_at),
        "granskning": s.review_status.label,
    } for s in _own(person)]


def erase(person: Person) -> int:
    """Cut the person from their proposals and put their pseudonym where any proposal names them (caller's
    transaction); return how many proposals changed."""
    own = {s.id for s in _own(person)}
    columns = (PlanSubmission.text, PlanSubmission.message, PlanSubmission.source_url, PlanSubmission.review_note)
    mentioning = select(PlanSubmission).where(or_(
        PlanSubmission.id.in_(own) if own else false(),
        *(person.may_be_mentioned_in(column, by_name=False) for column in columns)))
    changed = 0
    for submission in db.session.scalars(mentioning):
        by_name = submission.id in own  # a name alone is theirs only in what they sent themselves
        submission.text = person.redact(submission.text, by_name=by_name)[:300]
        submission.message = person.redact(submission.message, by_name=by_name)
        submission.source_url = person.redact(submission.source_url, by_name=by_name)
        submission.review_note = person.redact(submission.review_note, by_name=by_name)
        if by_name:
            submission.contact_id = None
        changed += 1
    db.session.flush()
    return changed
