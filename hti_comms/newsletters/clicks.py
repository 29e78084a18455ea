"""Click counting: each link of a sent newsletter goes through /l/<token>, where the token names only the
newsletter and the link's number. Nobody's address is in it, and nothing is stored about who clicked."""
from __future__ import annotations

from sqlalchemy import select, update

from ..extensions import db
from ..links import absolute
from ..tokens import BadToken, make_token, read_token
from .models import SentLink

PURPOSE = "newsletter-link"
CLICK_PATH = "/l/"


def click_url(newsletter_id: int, position: int) -> str:
    """Return the counting redirect for link `position` of a newsletter."""
    return absolute(CLICK_PATH + make_token(PURPOSE, [newsletter_id, position]))


def sent_addresses() -> list[str]:
    """Return every address a sent newsletter linked to (`Domain.link_history`, for the lookalike check)."""
    return list(db.session.scalars(select(SentLink.url).distinct()))


def follow(token: str) -> str | None:
    """Count one click on the link the token names and return where it goes, or None for a bad token."""
    try:
        newsletter_id, position = read_token(PURPOSE, token)
    except (BadToken, TypeError, ValueError):
        return None
    where = (SentLink.newsletter_id == newsletter_id, SentLink.position == position)
    url = db.session.scalar(select(SentLink.url).where(*where))
    if url is None:
        return None
    # One UPDATE adding 1: concurrent clicks never lose a count.
    db.session.execute(update(SentLink).where(*where).values(clicks=SentLink.clicks + 1))
    db.session.commit()
    return url
