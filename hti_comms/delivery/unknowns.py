"""Messages whose delivery is unknown, and what staff decide about them: all of a send's at once.

A message is unknown when the whole of it, final dot included, was handed to the mail server and then no reply
came (the connection was reset or closed, or the wait ran out). The server may have kept it or not; nobody can
tell from here. It is never sent again by itself, and its send never reads as simply "Klart" while any is
undecided. Staff decide for all of a send's unknown messages together: count them as sent (whoever did not get
one gets none), or send them again (whoever did get one gets it twice).
"""
from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select, update

from .. import clock
from ..extensions import db
from ..formatting import format_integer
from .models import OutboxMessage, OutboxStatus, Send, SendStatus, transition
from .services import DeliveryError, get_send, send_counts


class Decision:
    """What staff can decide about a send's unknown messages (the value is the word in the address)."""

    COUNT_AS_SENT = "rakna-som-skickade"
    SEND_AGAIN = "skicka-igen"
    ALL = (COUNT_AS_SENT, SEND_AGAIN)


def status_text(send: Send, counts: Mapping[str, int]) -> str:
    """Return the send's status as staff read it: 'Klart', or 'Klart – 20 med okänt utfall' while any is undecided."""
    unknown = counts.get("unknown", 0)
    if unknown:
        return f"{send.status.label} – {format_integer(unknown)} med okänt utfall"
    return send.status.label


def send_status_text(send_id: int) -> str:
    """Return `status_text` of the send with this id (for other domains, which know their send by its id)."""
    return status_text(get_send(send_id), send_counts(send_id))


def unknown_messages(send_id: int):
    """Return a SELECT of the send's messages whose delivery is unknown, in the order they were enqueued."""
    return (select(OutboxMessage).where(OutboxMessage.send_id == send_id, OutboxMessage.status == OutboxStatus.UNKNOWN)
            .order_by(OutboxMessage.id))


def unknown_count(send_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.send_id == send_id, OutboxMessage.status == OutboxStatus.UNKNOWN)) or 0


def resolve_unknowns(send_id: int, decision: str, *, expected: int | None = None) -> int:
    """Count every unknown message of the send as sent, or queue every one to be sent again; return how many.

    `expected`: how many the person deciding was shown; when the decision would touch another number (a worker
    recorded more meanwhile), nothing changes and a `DeliveryError` says so: nobody decides about messages they
    have not seen.
    """
    if decision not in Decision.ALL:
        raise ValueError(f"unknown decision {decision!r}")
    send = get_send(send_id)
    if decision == Decision.SEND_AGAIN and send.status is SendStatus.CANCELLED:
        raise DeliveryError("Utskicket är avbrutet, så inget i det skickas igen. Räkna breven som skickade, eller "
                            "skicka ett nytt utskick.")
    unknown = (OutboxMessage.send_id == send_id, OutboxMessage.status == OutboxStatus.UNKNOWN)
    if decision == Decision.COUNT_AS_SENT:
        values = {"status": OutboxStatus.SENT, "sent_at": clock.now(), "retry_after": None}
    else:
        values = {"status": OutboxStatus.QUEUED, "retry_after": None}
    count = db.session.execute(update(OutboxMessage).where(*unknown).values(**values)
                               .execution_options(synchronize_session=False)).rowcount
    if count == 0 or (expected is not None and count != expected):
        db.session.rollback()
        if count == 0:
            raise DeliveryError("Utskicket har inga brev med okänt utfall.")
        raise DeliveryError(f"Antalet brev med okänt utfall har ändrats från {format_integer(expected)} till "
                            f"{format_integer(count)}. Titta på dem igen och bestäm sedan.")
    if decision == Decision.SEND_AGAIN and send.status is SendStatus.DONE:
        transition(send, SendStatus.SENDING)
        send.finished_at = None
    db.session.commit()
    return count
