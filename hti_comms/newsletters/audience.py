"""Who a newsletter goes to: everyone on its list, narrowed to its saved audiences, resolved in one query."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Select, false, func, or_, select

from ..delivery import api as delivery
from ..delivery.api import Recipient
from ..formatting import format_integer
from ..extensions import db
from ..subscribers.audiences import Criteria, contact_condition, recipients_query
from ..subscribers.models import Audience, Channel, Contact, MailingList
from .models import Newsletter


def chosen_audiences(newsletter: Newsletter) -> tuple[list[Audience], list[int]]:
    """Return the newsletter's saved audiences that exist, and the ids of those that were deleted."""
    ids = [int(i) for i in newsletter.audience_ids or []]
    found = {a.id: a for a in db.session.scalars(select(Audience).where(Audience.id.in_(ids)))} if ids else {}
    return [found[i] for i in ids if i in found], [i for i in ids if i not in found]


def result_selections(audiences: list[Audience]) -> tuple[tuple[str, int], ...]:
    """Return (audience name, year) for each year whose index results choose an audience's members."""
    return tuple((a.name, year) for a in audiences for year in Criteria.of(a).result_years)


def newsletter_recipients_query(newsletter: Newsletter, channel: Channel = Channel.EMAIL) -> Select:
    """Return the SELECT of (id, email, name, link key) of confirmed, unsuppressed contacts on the newsletter's list who
    are in at least one of its audiences (or everyone on the list when it has none), reached by `channel`."""
    query = recipients_query(Criteria(list_keys=(newsletter.list_key,)), channel)
    audiences, _missing = chosen_audiences(newsletter)
    if audiences:
        query = query.where(or_(*[contact_condition(Criteria.of(a)) for a in audiences]))
    elif newsletter.audience_ids:
        # Every chosen audience was deleted: reach nobody rather than the whole list.
        query = query.where(false())
    return query


def recipient_count(newsletter: Newsletter) -> int:
    query = newsletter_recipients_query(newsletter)
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def letter_count(newsletter: Newsletter) -> int:
    """Return how many members the newsletter reaches by letter (channel `brev`) now."""
    query = newsletter_recipients_query(newsletter, Channel.LETTER)
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def skipped_count(newsletter: Newsletter) -> int:
    """Return how many confirmed contacts the newsletter would reach but skips, their address being suppressed
    (a bounce or a complaint): staff see it before sending."""
    from ..delivery.services import suppressed_emails_query
    from ..subscribers.models import ContactStatus

    query = select(func.count()).select_from(Contact).where(
        Contact.status == ContactStatus.CONFIRMED, contact_condition(Criteria(list_keys=(newsletter.list_key,))),
        Contact.email.in_(suppressed_emails_query()))
    audiences, _missing = chosen_audiences(newsletter)
    if audiences:
        query = query.where(or_(*[contact_condition(Criteria.of(a)) for a in audiences]))
    elif newsletter.audience_ids:
        return 0
    return db.session.scalar(query) or 0


def recipients(newsletter: Newsletter) -> Iterator[Recipient]:
    """Yield the recipients for `delivery.outbox.enqueue`, read from the database as they are used."""
    result = db.session.execute(newsletter_recipients_query(newsletter).order_by(Contact.id)
                                .execution_options(yield_per=5000))
    for contact_id, email, name, link_key in result:
        yield Recipient(email, name, contact_id, link_key=link_key)


def letter_contact_ids(newsletter: Newsletter) -> list[int]:
    """Return the contacts the newsletter reaches by letter (channel `brev`), for `letters.services.collect`."""
    return list(db.session.scalars(newsletter_recipients_query(newsletter, Channel.LETTER)
                                   .with_only_columns(Contact.id).order_by(Contact.id)))


def first_recipients(newsletter: Newsletter, limit: int = 50) -> list[tuple[int, str, str, str | None]]:
    """Return some recipients to preview as (id, email, name, link key)."""
    return list(db.session.execute(newsletter_recipients_query(newsletter).order_by(Contact.id).limit(limit)))


def find_recipient(newsletter: Newsletter, email: str) -> tuple[int, str, str, str | None] | None:
    """Return the recipient with this address if the newsletter reaches them."""
    return db.session.execute(newsletter_recipients_query(newsletter)
                              .where(Contact.email == email.strip().lower())).first()


def names_sentence(newsletter: Newsletter, total: int, shown: int = 5) -> str:
    """Return who gets it in words: "Eva Ek, Olle Ox och Bo Berg", or the first few "och 12 345 till"."""
    names = [name or email for _id, email, name, _key in first_recipients(newsletter, shown)] if total else []
    if not names:
        return ""
    rest = total - len(names)
    if rest > 0:
        return f"{', '.join(names)} och {format_integer(rest)} till"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} och {names[-1]}"


#: Recipients per page on the recipient list.
PAGE_SIZE = 100


@dataclass(frozen=True)
class RecipientRow:
    name: str
    email: str
    contact_id: int | None
    #: What happened to the message (outbox status) once the newsletter has started; None before.
    outcome: str | None = None


@dataclass(frozen=True)
class RecipientPage:
    rows: list[RecipientRow]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def recipient_page(newsletter: Newsletter, page: int = 1) -> RecipientPage:
    """Return one page of who gets the newsletter now, or, once it has started, who it went to and how it went."""
    if newsletter.send_id is not None:
        total = delivery.counts(send_id=newsletter.send_id)["total"]
        page = min(max(1, page), max(1, -(-total // PAGE_SIZE)))
        rows = [RecipientRow(name or "", email, contact_id, status.label) for name, email, contact_id, status
                in delivery.recipients_of(newsletter.send_id, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)]
        return RecipientPage(rows, total, page)
    query = newsletter_recipients_query(newsletter).with_only_columns(Contact.name, Contact.email, Contact.id) \
        .order_by(Contact.id)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    page = min(max(1, page), max(1, -(-total // PAGE_SIZE)))
    result = db.session.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    rows = [RecipientRow(row.name or "", row.email, row[2], None) for row in result]
    return RecipientPage(rows, total, page)


def list_choices() -> list[tuple[str, str]]:
    return [(m.key, m.name) for m in db.session.scalars(select(MailingList).order_by(MailingList.position))]


def audience_choices() -> list[tuple[int, str]]:
    return [(a.id, a.name) for a in db.session.scalars(select(Audience).order_by(Audience.name))]
