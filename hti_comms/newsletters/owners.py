"""What the newsletters domain's sends are about: a numbered newsletter or circular (its id), a test send of one,
and the confirmation of a named test address."""
from __future__ import annotations

from flask import url_for

from ..delivery.owner import Owner
from ..domain import SendReference
from ..extensions import db

DOMAIN = "newsletters"
NEWSLETTER = "newsletter"
TEST = "newsletter-test"
TRIAL_CONFIRMATION = "trial-address-confirmation"


def newsletter_owner(newsletter_id: int, *, test: bool = False) -> Owner:
    return Owner.of(DOMAIN, TEST if test else NEWSLETTER, newsletter_id)


def describe_owner(owner: Owner) -> SendReference | None:
    """Name the newsletter a send is about, with a link to it."""
    from .models import Newsletter

    if owner.kind == TRIAL_CONFIRMATION:
        return SendReference("Bekräftelse av provadress", url_for("newsletters_admin.index"))
    newsletter = db.session.get(Newsletter, int(owner.key)) if owner.key.isdigit() else None
    if newsletter is None:
        return None
    label = newsletter.label + (" (provutskick)" if owner.kind == TEST else "")
    return SendReference(label, url_for("newsletters_admin.show", newsletter_id=newsletter.id))
