"""Rows a worker has just claimed but must not send: list mail to a suppressed address, and recipients a
recipient guard refuses (`hti_comms.release.refused_recipients`). Both are settled in the claim's transaction."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from sqlalchemy import select, update

from ..extensions import db
from ..release import Addressee, has_recipient_guards, refused_recipients_of
from .models import OutboxMessage, OutboxStatus, Send, Suppression
from .pool import PreparedSend
from .sendview import SendView, views_where

OUTBOX = OutboxMessage.__table__
SUPPRESSION = Suppression.__table__


def drop_suppressed(rows, prepared: dict[int, PreparedSend | str], token: str):
    """Mark list mail to suppressed addresses `suppressed`; return the other rows (`token`: the claim's)."""
    list_sends = [send_id for send_id, send in prepared.items()
                  if isinstance(send, PreparedSend) and send.list_key is not None]
    if not list_sends:
        return rows
    # The claim's rows joined to the suppressions where they are: a few parameters however many rows were
    # claimed, where a list of their addresses would be a thousand.
    blocked = set(db.session.scalars(
        select(OUTBOX.c.id).join(SUPPRESSION, SUPPRESSION.c.email == OUTBOX.c.email)
        .where(OUTBOX.c.send_id.in_(list_sends), OUTBOX.c.status == OutboxStatus.SENDING,
               OUTBOX.c.claim_token == token)))
    if not blocked:
        return rows
    db.session.execute(update(OUTBOX).where(OUTBOX.c.id.in_(blocked))
                       .values(status=OutboxStatus.SUPPRESSED, claim_token=None, lease_until=None))
    return [r for r in rows if r.id not in blocked]


def drop_refused(rows, broken: dict[int, str], views: Mapping[int, SendView] | None = None):
    """Cancel, with the reason (shown to staff), the rows whose recipient a recipient guard refuses now; return
    the rest. Asked at every claim, so someone who stopped being entitled after the send was queued gets nothing.
    `views`: the claimed sends as the worker read them in this transaction (others are read here).
    """
    if not rows or not has_recipient_guards():
        return rows
    by_send: dict[int, list] = defaultdict(list)
    for row in rows:
        if row.send_id not in broken:
            by_send[row.send_id].append(row)
    views = dict(views or {})
    missing = [send_id for send_id in by_send if send_id not in views]
    if missing:
        views.update((send.id, send) for send in views_where(Send.id.in_(missing)))
    asked = [(views[send_id], {row.id: Addressee(row.email, row.contact_id) for row in send_rows})
             for send_id, send_rows in by_send.items()]
    refusals = refused_recipients_of([(send, list(addressees.values())) for send, addressees in asked])
    by_reason: dict[str, list[int]] = defaultdict(list)
    for (_send, addressees), refused in zip(asked, refusals, strict=True):
        if not refused:
            continue  # most sends refuse nobody: their rows are not looked at again
        for row_id, addressee in addressees.items():
            if addressee in refused:
                by_reason[refused[addressee]].append(row_id)
    if not by_reason:
        return rows
    for reason, ids in by_reason.items():
        db.session.execute(update(OUTBOX).where(OUTBOX.c.id.in_(ids))
                           .values(status=OutboxStatus.CANCELLED, last_error=reason, claim_token=None,
                                   lease_until=None, retry_after=None))
    cancelled = {row_id for ids in by_reason.values() for row_id in ids}
    return [row for row in rows if row.id not in cancelled]
