"""The audience "Pensionärsråd utan någon som gått grundkursen": council members of every municipality whose
council has no one who attended a basic course in the window, on any list, for the next invitation.

An ordinary saved audience (`subscribers.audiences`) with the condition `without_basic_course_years`, resolved
when the invitation is sent: a council whose member attends a course in the meantime drops out by itself.
"""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..subscribers.audiences import Criteria, save_audience
from ..subscribers.models import Audience, MailingList, Role

AUDIENCE_NAME = "Pensionärsråd utan någon som gått grundkursen"


def save_untrained_audience(years: int) -> Audience:
    """Save (or bring up to date) the audience and return it."""
    lists = tuple(db.session.scalars(select(MailingList.key).order_by(MailingList.position)))
    existing = db.session.scalar(select(Audience).where(Audience.name == AUDIENCE_NAME))
    criteria = Criteria(list_keys=lists, roles=(Role.COUNCIL_MEMBER.value,), without_basic_course_years=years)
    span = "i år" if years == 0 else f"i år eller de {years} senaste åren" if years > 1 else "i år eller förra året"
    return save_audience(existing, AUDIENCE_NAME, "Ledamöter i pensionärsråd och seniorråd i kommuner där ingen i "
                                                  f"rådet har gått en grundkurs {span}.", criteria)
