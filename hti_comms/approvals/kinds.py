"""What each kind of approval request is about: what the approver sees, what the approval covers, what it does.

- "send": a send in the outbox (its stored rendering is the preview); approving lets the worker send it.
- "newsletter": a scheduled newsletter (its preview as the first recipient gets it); approving lets it start at its
  time (or at once, when the time has passed), as long as its content is what was approved.
- "publication_moment": a new publication moment less than 72 hours before the embargo release; approving sets it.
- "order_contact": a municipality's contact approved during the embargo; approving approves the contact.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from flask import url_for

from ..extensions import db
from .models import ApprovalRequest


@dataclass(frozen=True)
class Kind:
    label: str
    #: The page staff look at (the preview of the email, the year's publication page), or None.
    preview: Callable[[ApprovalRequest], str | None]
    #: Whether the preview is an email shown in a frame (the same the recipients get).
    is_email: bool
    #: What the approval covers now (a digest of the content); "" when nothing can change under it.
    version: Callable[[ApprovalRequest], str]
    #: Carry out what was approved, in the approver's transaction (ApprovalError when it cannot be done).
    carry_out: Callable[[ApprovalRequest, object], None]
    #: Undo what waited when the request is taken back (cancel the send, unschedule the newsletter).
    on_withdrawn: Callable[[ApprovalRequest], None] = lambda _request: None


def _nothing(_request, _approver=None) -> str:
    return ""


def _newsletter_version(request: ApprovalRequest) -> str:
    from ..newsletters.models import Newsletter
    from ..newsletters.services import content_digest

    newsletter = db.session.get(Newsletter, request.newsletter_id)
    return content_digest(newsletter) if newsletter is not None else ""


def _set_moment(request: ApprovalRequest, approver) -> None:
    from ..publication.moments import PublicationError, moments, set_orders_close, set_publication
    from .services import ApprovalError

    actor = f"{approver.email} (godkände ändringen som {request.requested_by.email} bad om)"
    try:
        set_publication(request.year, datetime.fromisoformat(request.payload["published_at"]), actor=actor,
                        notify_registered=bool(request.payload.get("notify_registered")))
        close = request.payload.get("orders_close_at")
        close_at = datetime.fromisoformat(close) if close else None
        if close_at != moments(request.year).explicit_orders_close_at:
            set_orders_close(request.year, close_at, actor=actor)
    except PublicationError as exc:
        raise ApprovalError(str(exc)) from None


def _approve_contact(request: ApprovalRequest, approver) -> None:
    from ..publication.contacts import approve_contact
    from ..publication.models import OrderContact
    from ..publication.orders import OrderError
    from .services import ApprovalError

    order_contact = db.session.get(OrderContact, request.order_contact_id)
    if order_contact is None:
        raise ApprovalError("Kontaktpersonen finns inte längre på beställningen.")
    try:
        approve_contact(order_contact, actor=f"{approver.email} (godkände på begäran av {request.requested_by.email})")
    except OrderError as exc:
        raise ApprovalError(str(exc)) from None


def _cancel_send(request: ApprovalRequest) -> None:
    from ..delivery.services import DeliveryError, cancel_send

    try:
        cancel_send(request.send_id)
    except DeliveryError:
        pass  # already cancelled or finished


def _unschedule(request: ApprovalRequest) -> None:
    from ..newsletters.models import Newsletter, can_unschedule
    from ..newsletters.sending import unschedule

    newsletter = db.session.get(Newsletter, request.newsletter_id)
    if newsletter is not None and can_unschedule(newsletter):
        unschedule(newsletter, withdraw_approval=False)


KINDS = {
    "send": Kind("Utskick", lambda r: url_for("delivery_admin.send_preview_html", send_id=r.send_id), True,
                 _nothing, _nothing, _cancel_send),
    "newsletter": Kind("Nyhetsbrev eller cirkulär",
                       lambda r: url_for("newsletters_admin.preview_html", newsletter_id=r.newsletter_id), True,
                       _newsletter_version, _nothing, _unschedule),
    "publication_moment": Kind("Ny publiceringstid", lambda r: url_for("publication_admin.year", year=r.year), False,
                               _nothing, _set_moment),
    "order_contact": Kind("Kontaktperson under embargot", lambda r: url_for("publication_admin.year", year=r.year),
                          False, _nothing, _approve_contact),
}
