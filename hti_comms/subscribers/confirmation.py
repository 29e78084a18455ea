"""The signed link that confirms an address (double opt-in)."""
from __future__ import annotations

from ..clock import now
from ..links import absolute
from ..tokens import make_token

CONFIRM_PURPOSE = "confirm-subscription"
CONFIRM_PATH = "/bekrafta/"


def confirmation_token(contact_id: int, email: str) -> str:
    # The issue time travels inside the signed payload so that expiry follows the application clock.
    return make_token(CONFIRM_PURPOSE, {"e": email, "c": contact_id, "t": int(now().timestamp())})


def confirmation_url(contact_id: int, email: str) -> str:
    return absolute(CONFIRM_PATH + confirmation_token(contact_id, email))
