"""Who readers reach: the organisation's contact details in the footer of every page and email."""
from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr

from flask import Flask

ORGANISATION = "SPF Seniorerna"
#: The sender name of every email.
SENDER_NAME = "SPF Seniorerna – Hemtjänstindex"


@dataclass(frozen=True)
class SiteContact:
    """The address replies go to (a person reads it), and the optional phone number and postal address."""

    email: str
    phone: str
    address: str
    website: str


def site_contact(config) -> SiteContact:
    """Return the contact details configured for this installation (MAIL_REPLY_TO, CONTACT_*)."""
    return SiteContact(email=parseaddr(config["MAIL_REPLY_TO"])[1], phone=config["CONTACT_PHONE"],
                       address=config["CONTACT_ADDRESS"], website=config["ORGANISATION_URL"])


def init_app(app: Flask) -> None:
    """Make `site_contact` and `organisation` available to every page and email template."""
    from .links import PRIVACY_PATH

    app.jinja_env.globals.update(site_contact=site_contact(app.config), organisation=ORGANISATION,
                                 privacy_path=PRIVACY_PATH)
