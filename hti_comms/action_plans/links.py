"""The personal link to a municipality's action-plan form: one report-package contact, one year, one municipality.

The link names the contact by their order key (never an address), with the year and the municipality, signed
(`hti_comms.tokens`). It works as long as the person stands behind the municipality's live order of that year
(confirmed, approved by staff, not gone: `publication.entitlement`), the same rule as the embargoed summary's web
version; taking them off the order kills it.
"""
from __future__ import annotations

from ..links import absolute
from ..tokens import make_municipality_token, read_municipality_token

PLAN_FORM_PURPOSE = "action-plan-form"
PLAN_FORM_PATH = "/atgardsplan/"


def plan_form_token(contact_key: str, year: int, municipality_code: str) -> str:
    return make_municipality_token(PLAN_FORM_PURPOSE, contact_key, year, municipality_code)


def plan_form_url(contact_key: str, year: int, municipality_code: str) -> str:
    """Return the absolute personal link to the municipality's action-plan form for the year."""
    return absolute(PLAN_FORM_PATH + plan_form_token(contact_key, year, municipality_code))


def read_plan_form_token(token: str) -> tuple[str, int, str] | None:
    """Return (contact key, year, municipality code) of a genuine token, or None."""
    return read_municipality_token(PLAN_FORM_PURPOSE, token)
