"""The addresses of the alerts' pages and the personal links in their emails (signed by `hti_comms.tokens`).

A link names the subscriber by their opaque link key, never the address. The confirmation link works
`SUBSCRIBERS_CONFIRM_DAYS`; the way out (List-Unsubscribe, RFC 8058) works until the person has left.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app

from ..links import personal_url

#: The alerts' own list key: the outbox's list mail with its one-click way out, and nothing else.
ALERT_LIST_KEY = "min-kommun"
CONFIRM_PURPOSE = "alert-confirm"
#: Public pages: the form, the confirmation link, the one-click way out (the last is `Domain.unsubscribe_paths`).
SIGNUP_PATH = "/min-kommun"
CONFIRM_PATH = "/min-kommun/bekrafta/"
LEAVE_PATH = "/min-kommun/avsluta/"


def confirmation_url(link_key: str) -> str:
    max_age = timedelta(days=current_app.config["SUBSCRIBERS_CONFIRM_DAYS"])
    return personal_url(CONFIRM_PATH, CONFIRM_PURPOSE, link_key, max_age)
