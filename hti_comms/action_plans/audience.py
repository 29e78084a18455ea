"""The audience "Kommuner utan registrerad åtgärdsplan <år>": municipal officials (a report-package contact is one
too) of every municipality without a registered plan for the year, on any list, for a reminder newsletter.

It is an ordinary saved audience (`subscribers.audiences`) with the condition `without_action_plan_year`, so it is
resolved when the newsletter is sent: a municipality that registers a plan in the meantime drops out by itself.
"""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..subscribers.audiences import Criteria, save_audience
from ..subscribers.models import Audience, MailingList, Role


def audience_name(year: int) -> str:
    return f"Kommuner utan registrerad åtgärdsplan {year}"


def save_without_plan_audience(year: int) -> Audience:
    """Save (or bring up to date) the year's audience and return it."""
    lists = tuple(db.session.scalars(select(MailingList.key).order_by(MailingList.position)))
    name = audience_name(year)
    existing = db.session.scalar(select(Audience).where(Audience.name == name))
    criteria = Criteria(list_keys=lists, roles=(Role.MUNICIPAL_OFFICIAL.value,), without_action_plan_year=year)
    return save_audience(existing, name, "Tjänstepersoner och kontaktpersoner för rapportpaketet i kommuner som inte "
                                         f"har registrerat någon åtgärdsplan för Hemtjänstindex {year}.", criteria)
