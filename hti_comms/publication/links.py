"""The personal links of the publication domain: confirming an order contact, the summary's web version."""
from __future__ import annotations

from ..links import absolute
from ..tokens import make_municipality_token, read_municipality_token

SUMMARY_PURPOSE = "embargo-summary"
SUMMARY_PATH = "/sammanfattning/"
CONFIRM_PATH = "/bestall/bekrafta/"


def summary_token(contact_key: str, year: int, municipality_code: str) -> str:
    """Return the token of one contact's summary link: their key, the year and their municipality, signed."""
    return make_municipality_token(SUMMARY_PURPOSE, contact_key, year, municipality_code)


def summary_url(contact_key: str, year: int, municipality_code: str) -> str:
    return absolute(SUMMARY_PATH + summary_token(contact_key, year, municipality_code))


def read_summary_token(token: str) -> tuple[str, int, str] | None:
    """Return (contact key, year, municipality code) of a genuine summary token, or None."""
    return read_municipality_token(SUMMARY_PURPOSE, token)


def confirm_url(token: str) -> str:
    return absolute(CONFIRM_PATH + token)
