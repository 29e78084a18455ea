"""Ask for, grant and withdraw a second person's approval; hold what waits for one.

- A send to more than APPROVAL_THRESHOLD recipients, started by a staff member on the web, waits for a second person
  with the role utskick (`hold_unapproved_send`, a release guard the delivery worker asks; newsletters, which put
  nothing in the outbox until they start, ask `newsletter_may_start`).
- A late move of the publication moment and a contact approved during the embargo wait for a second person with
  the role publicering; approving them carries out the action (`approvals.kinds`).

The one who asked can never approve their own request, and two people pressing "Godkänn" at once give one approval:
the request changes from waiting to approved with one conditional UPDATE. A scheduled send not approved by its time
is not sent: it waits, and says so, until someone approves it (knowing it will then go at once).
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app, has_request_context
from sqlalchemy import select, update

from .. import clock
from ..auth.models import StaffRole, StaffUser
from ..auth.roles import Role
from ..extensions import db
from ..release import Hold, ManySendGuard
from ..stafflog.services import record
from .models import ApprovalRequest, ApprovalStatus

#: Kinds of send never held: test sends go to staff only, and the requests to approvers must reach them.
EXEMPT_KINDS = ("approval_request",)


class ApprovalError(ValueError):
    """Why an approval cannot be given (Swedish)."""


def threshold() -> int:
    return current_app.config["APPROVAL_THRESHOLD"]


def needs_approval(recipients: int) -> bool:
    """Return whether a send to this many recipients waits for a second person."""
    return recipients > threshold()


_KEYS = ("send_id", "newsletter_id", "order_contact_id", "year")


def _same_object(kind: str, keys: dict):
    return [ApprovalRequest.kind == kind, *(getattr(ApprovalRequest, name) == value for name, value in keys.items())]


def latest(kind: str, **keys) -> ApprovalRequest | None:
    """Return the newest request (any status) about one object: latest("newsletter", newsletter_id=12)."""
    return db.session.scalars(select(ApprovalRequest).where(*_same_object(kind, keys))
                              .order_by(ApprovalRequest.id.desc()).limit(1)).first()


def withdraw(kind: str, *, note: str = "", **keys) -> int:
    """Withdraw every waiting or approved request about one object (it changed, or went away); caller commits."""
    return db.session.execute(
        update(ApprovalRequest).where(*_same_object(kind, keys), ApprovalRequest.status.in_(
            (ApprovalStatus.WAITING, ApprovalStatus.APPROVED)))
        .values(status=ApprovalStatus.WITHDRAWN, note=note).execution_options(synchronize_session=False)).rowcount


def ask(kind: str, role: Role, *, requested_by: StaffUser, title: str, audience: str = "",
        recipient_count: int | None = None, due_at: datetime | None = None, payload: dict | None = None,
        version: str = "", **keys) -> ApprovalRequest:
    """Ask those who can approve (in the caller's transaction): a new waiting request replaces older ones."""
    withdraw(kind, note="Ersatt av en ny begäran.", **keys)
    request = ApprovalRequest(kind=kind, role=role, status=ApprovalStatus.WAITING, requested_by_id=requested_by.id,
                              requested_at=clock.now(), title=title[:300], audience=audience,
                              recipient_count=recipient_count, due_at=due_at, payload=payload or {},
                              version=version, note="", **keys)
    db.session.add(request)
    db.session.flush()
    record("approvals.ask", "Bad om godkännande", actor=requested_by, target=f"begäran {request.id}: {title}"[:300])
    _tell_approvers(request, requested_by)
    return request


def reopen(kind: str, *, note: str, **keys) -> None:
    """Put an approved request back to waiting (what it covered changed) and tell the approvers again."""
    request = latest(kind, **keys)
    if request is None or request.status is not ApprovalStatus.APPROVED:
        return
    request.status, request.decided_by_id, request.decided_at, request.note = \
        ApprovalStatus.WAITING, None, None, note
    _tell_approvers(request, request.requested_by)


def approvers(request: ApprovalRequest) -> list[StaffUser]:
    """Return the enabled staff members who may approve the request (the role, or administrator; not the asker)."""
    people = db.session.scalars(select(StaffUser).join(StaffRole).where(
        StaffUser.is_enabled.is_(True), StaffUser.id != request.requested_by_id,
        StaffRole.role.in_((request.role, Role.ADMINISTRATOR))).distinct().order_by(StaffUser.email))
    return list(people)


def _tell_approvers(request: ApprovalRequest, requested_by: StaffUser) -> None:
    from ..delivery.api import EmailSpec, Owner, Recipient, enqueue
    from ..links import absolute

    people = approvers(request)
    if not people:
        return
    spec = EmailSpec(template="approvals/request", subject=f"Godkänn: {request.title}"[:300],
                     context={"title": request.title, "requested_by": requested_by.display_name,
                              "role": request.role.label, "audience": request.audience,
                              "recipients": request.recipient_count, "url": absolute(f"/admin/godkannanden/{request.id}")},
                     kind="approval_request", owner=Owner.of("approvals", "request", request.id))
    enqueue(spec, [Recipient(person.email, person.display_name) for person in people])


def approve(request_id: int, approver: StaffUser, *, seen_version: str | None = None) -> ApprovalRequest:
    """Approve a waiting request and carry out what it was for; commit. ApprovalError says why not."""
    from .kinds import KINDS

    request = db.session.get(ApprovalRequest, request_id)
    if request is None:
        raise ApprovalError("Begäran finns inte.")
    if request.requested_by_id == approver.id:
        raise ApprovalError("Du kan inte godkänna din egen begäran. En annan person med rollen "
                            f"{request.role.label} behöver göra det.")
    if not approver.may(request.role):
        raise ApprovalError(f"Bara den som har rollen {request.role.label} kan godkänna det här.")
    kind = KINDS[request.kind]
    version = kind.version(request)
    if seen_version is not None and version != seen_version:
        raise ApprovalError("Innehållet har ändrats sedan du öppnade sidan. Läs igenom det igen och godkänn sedan.")
    # Two people pressing at once: the first UPDATE wins, the second changes nothing.
    won = db.session.execute(
        update(ApprovalRequest).where(ApprovalRequest.id == request.id,
                                      ApprovalRequest.status == ApprovalStatus.WAITING,
                                      ApprovalRequest.requested_by_id != approver.id)
        .values(status=ApprovalStatus.APPROVED, decided_by_id=approver.id, decided_at=clock.now(), version=version)
        .execution_options(synchronize_session=False)).rowcount == 1
    if not won:
        db.session.rollback()
        db.session.refresh(request)
        if request.status is ApprovalStatus.APPROVED:
            raise ApprovalError(f"{request.decided_by.display_name} har redan godkänt det här.")
        raise ApprovalError("Begäran är återtagen och kan inte godkännas längre.")
    db.session.refresh(request)
    try:
        kind.carry_out(request, approver)
    except ApprovalError:
        db.session.rollback()
        raise
    record("approvals.approve", "Godkände", actor=approver, target=f"begäran {request.id}: {request.title}"[:300])
    db.session.commit()
    return request


def withdraw_own(request_id: int, staff: StaffUser) -> None:
    """Withdraw a waiting request (the one who asked, or an administrator); commit."""
    request = db.session.get(ApprovalRequest, request_id)
    if request is None or request.status is not ApprovalStatus.WAITING:
        raise ApprovalError("Begäran väntar inte längre.")
    if request.requested_by_id != staff.id and not staff.may(Role.ADMINISTRATOR):
        raise ApprovalError("Bara den som bad om godkännandet kan ta tillbaka det.")
    request.status, request.note = ApprovalStatus.WITHDRAWN, f"Återtagen av {staff.display_name}."
    from .kinds import KINDS

    KINDS[request.kind].on_withdrawn(request)
    db.session.commit()


def waiting() -> list[ApprovalRequest]:
    return list(db.session.scalars(select(ApprovalRequest).where(ApprovalRequest.status == ApprovalStatus.WAITING)
                                   .order_by(ApprovalRequest.requested_at)))


def recent(limit: int = 30) -> list[ApprovalRequest]:
    return list(db.session.scalars(select(ApprovalRequest).where(ApprovalRequest.status != ApprovalStatus.WAITING)
                                   .order_by(ApprovalRequest.id.desc()).limit(limit)))


# --- Sends ----------------------------------------------------------------------------------------------------------

def after_enqueue(send, added: int) -> None:
    """`Domain.send_hooks`: a send a staff member started on the web, to more than the threshold, waits for approval."""
    from flask_login import current_user

    if not (has_request_context() and current_user and current_user.is_authenticated):
        return  # the command line (the operator), the scheduler and the public forms are not held
    if added <= threshold() or send.kind in EXEMPT_KINDS or send.kind.endswith("_test"):
        return
    if latest("send", send_id=send.id) is not None:
        return
    from ..domain import describe_owner, send_kind_label

    described = describe_owner(send.owner)
    ask("send", Role.UTSKICK, requested_by=current_user._get_current_object(),
        title=f"{send_kind_label(send.kind)}: {send.subject}",
        audience=described.label if described else send_kind_label(send.kind), recipient_count=added,
        due_at=clock.as_utc(send.scheduled_at) if clock.as_utc(send.scheduled_at) > clock.now() else None,
        send_id=send.id)


def hold_unapproved_sends(sends) -> list[Hold | None]:
    """Release guard (`ManySendGuard`): a send waiting for a second person does not go, whatever its time.

    The latest request about each send decides; one query answers for every send the worker asks about.
    """
    ids = [send.id for send in sends if getattr(send, "id", None) is not None]
    latest: dict[int, ApprovalStatus] = {}
    for start in range(0, len(ids), _ID_CHUNK):
        rows = db.session.execute(
            select(ApprovalRequest.send_id, ApprovalRequest.status)
            .where(ApprovalRequest.kind == "send", ApprovalRequest.send_id.in_(ids[start:start + _ID_CHUNK]))
            .order_by(ApprovalRequest.id))
        latest.update((send_id, status) for send_id, status in rows)  # in id order: the latest request wins
    return [_send_hold(latest.get(getattr(send, "id", None))) for send in sends]


def _send_hold(status: ApprovalStatus | None) -> Hold | None:
    if status is ApprovalStatus.WAITING:
        return Hold("Väntar på att en andra person med rollen Utskick godkänner utskicket.")
    if status is ApprovalStatus.WITHDRAWN:
        return Hold("Begäran om godkännande är tillbakatagen; utskicket skickas inte.")
    return None


#: The release guard the approvals domain declares (asked about one send, or about all running sends at once).
hold_unapproved_send = ManySendGuard(hold_unapproved_sends)
#: Send ids per IN (…) list.
_ID_CHUNK = 500


def newsletter_may_start(newsletter) -> bool:
    """Return whether a due newsletter may start: no approval needed, or approved for exactly this content."""
    from ..newsletters.services import content_digest

    request = latest("newsletter", newsletter_id=newsletter.id)
    if request is None or request.status is ApprovalStatus.WITHDRAWN:
        return True
    return request.status is ApprovalStatus.APPROVED and request.version == content_digest(newsletter)


def overdue(request: ApprovalRequest) -> bool:
    """Return whether a scheduled send's time passed while it waited (it goes at once if approved now)."""
    return request.is_waiting and request.due_at is not None and clock.as_utc(request.due_at) <= clock.now()
