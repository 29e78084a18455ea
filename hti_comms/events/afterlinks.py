"""The personal links of the follow-up: the feedback form and the course certificate.

Each names the registration by its random key (never the address or id), signed for its own purpose, so a
feedback link cannot be used as a cancel link or the other way round.
"""
from __future__ import annotations

from ..links import personal_url
from ..tokens import BadToken, read_personal_token

FEEDBACK_PURPOSE = "event-feedback"
CERTIFICATE_PURPOSE = "event-certificate"
FEEDBACK_PATH = "/evenemang/utvardering/"
CERTIFICATE_PATH = "/evenemang/intyg/"
#: The outbox recipient fields the thank-you email fills in per person.
FEEDBACK_FIELD, CERTIFICATE_FIELD = "feedback_url", "certificate_url"


def feedback_url(registration_key: str) -> str:
    return personal_url(FEEDBACK_PATH, FEEDBACK_PURPOSE, registration_key, None)


def certificate_url(registration_key: str) -> str:
    return personal_url(CERTIFICATE_PATH, CERTIFICATE_PURPOSE, registration_key, None)


def read_link(purpose: str, token: str) -> str | None:
    """Return the registration key inside a feedback or certificate link, or None when it is not genuine."""
    try:
        return read_personal_token(purpose, token).subject
    except BadToken:
        return None
