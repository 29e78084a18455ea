"""The newsletters domain's block on the staff overview: the next newsletters and circulars to go out."""
from __future__ import annotations

from sqlalchemy import select

from ..domain import OverviewPart
from ..extensions import db
from .models import Newsletter, NewsletterStatus


def next_newsletters() -> OverviewPart | None:
    scheduled = list(db.session.scalars(select(Newsletter).where(Newsletter.status == NewsletterStatus.SCHEDULED)
                                        .order_by(Newsletter.scheduled_at).limit(5)))
    sending = list(db.session.scalars(select(Newsletter).where(Newsletter.status == NewsletterStatus.SENDING)))
    if not (scheduled or sending):
        return None
    return OverviewPart("coming", "web/newsletters/_overview.html", {"scheduled": scheduled, "sending": sending},
                        order=10)
