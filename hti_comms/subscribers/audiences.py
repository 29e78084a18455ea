"""Selections of contacts (lists × roles × municipalities × counties × districts × index results), each resolved
by one query."""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import and_, exists, false, func, or_, select, true
from sqlalchemy.orm import aliased

from ..clock import now
from ..delivery.api import Recipient
from ..delivery.services import suppressed_emails_query
from ..extensions import db
from ..formatting import format_integer
from ..inputs import optional_whole_number
from ..geo.models import District, Municipality
from ..results.selection import ResultRule, ResultRuleError, ResultRuleKind, municipality_codes_query
from .models import Affiliation, Audience, Channel, Contact, ContactStatus, MailingList, Role, Subscription


class AudienceError(ValueError):
    """A Swedish message about an audience that cannot be saved."""


class MunicipalityNameError(AudienceError):
    """A municipality typed in the searchable field that is not one of the 290 (the message names it)."""


def municipality_codes_from_names(text: str) -> tuple[str, ...]:
    """Return the codes of the municipalities typed as names or codes, separated by commas ("Habo, 0114").

    The geo domain's index owns the rule (code or name, "Malmö stad" as "Malmö"); every unknown one is named.
    """
    from ..geo.services import MunicipalityIndex

    parts = [part.strip() for part in (text or "").replace(";", ",").split(",") if part.strip()]
    if not parts:
        return ()
    index = MunicipalityIndex()
    codes, unknown = [], []
    for part in parts:
        found = index.find(part)
        if found is None:
            unknown.append(f"”{part}”")
        elif found.code not in codes:
            codes.append(found.code)
    if unknown:
        raise MunicipalityNameError(
            f"Kommun: {' och '.join(unknown)} finns inte bland Sveriges 290 kommuner. Skriv namnet som i "
            "förslagen, till exempel Habo, eller kommunkoden, till exempel 0643.")
    return tuple(codes)


@dataclass(frozen=True)
class Criteria:
    """Within one dimension any value matches; across dimensions all must match; empty = no restriction."""

    list_keys: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    municipality_codes: tuple[str, ...] = ()
    county_codes: tuple[str, ...] = ()
    district_ids: tuple[int, ...] = ()
    #: Only contacts whose municipality (of the same affiliation) meets a condition on its index result.
    result_rule: ResultRule | None = None
    #: Only contacts whose municipality (of the same affiliation) has no registered action plan for this year.
    without_action_plan_year: int | None = None
    #: Only council members of municipalities whose council has no one who took the basic course this year or in
    #: this many years before.
    without_basic_course_years: int | None = None

    @classmethod
    def of(cls, audience: Audience) -> "Criteria":
        return cls(tuple(audience.list_keys), tuple(audience.roles), tuple(audience.municipality_codes),
                   tuple(audience.county_codes), tuple(int(d) for d in audience.district_ids),
                   ResultRule.from_dict(audience.result_rule), audience.without_action_plan_year,
                   audience.without_basic_course_years)

    @classmethod
    def from_multidict(cls, args) -> "Criteria":
        """Read criteria from query arguments or form data (repeated keys: lists, roles, …)."""
        def values(name):
            return tuple(v for v in args.getlist(name) if v)
        typed = municipality_codes_from_names(args.get("municipality_names", ""))
        chosen = values("municipalities")
        return cls(values("lists"), tuple(r for r in values("roles") if r in {x.value for x in Role}),
                   chosen + tuple(code for code in typed if code not in chosen), values("counties"),
                   tuple(d for d in map(optional_whole_number, values("districts")) if d is not None),
                   result_rule_from(args), optional_whole_number(args.get("without_action_plan_year") or None),
                   optional_whole_number(args.get("without_basic_course_years") or None))

    @property
    def result_years(self) -> tuple[int, ...]:
        """Return the years whose index results choose who is in the audience (none without a result rule)."""
        return self.result_rule.years if self.result_rule is not None else ()

    @property
    def has_place(self) -> bool:
        return bool(self.municipality_codes or self.county_codes or self.district_ids or self.result_rule
                    or self.without_action_plan_year or self.without_basic_course_years is not None)


def result_rule_from(args) -> ResultRule | None:
    """Read the index-result condition of the audience form (result_kind, result_year, result_places,
    result_sub_index); None when no kind is chosen. Raises AudienceError naming the field."""
    kind = (args.get("result_kind") or "").strip()
    if not kind:
        return None
    try:
        places = (args.get("result_places") or "").strip()
        year = (args.get("result_year") or "").strip()
        if not year.isdigit():
            raise AudienceError("Resultat: välj ett år.")
        if places and not places.isdigit():
            raise AudienceError("Resultat: antal platser ska vara ett heltal, till exempel 20.")
        return ResultRule(int(year), ResultRuleKind(kind), int(places) if places else None,
                          (args.get("result_sub_index") or "").strip() or None)
    except AudienceError:
        raise
    except ResultRuleError as exc:
        raise AudienceError(f"Resultat: {exc}") from None
    except ValueError:
        raise AudienceError("Resultat: välj ett av villkoren i listan.") from None


def contact_condition(criteria: Criteria):
    """Return a SQL condition on Contact matching the criteria (lists, and role with place on ONE affiliation)."""
    conditions = []
    if criteria.list_keys:
        conditions.append(exists().where(
            Subscription.contact_id == Contact.id,
            Subscription.list_id.in_(select(MailingList.id).where(MailingList.key.in_(criteria.list_keys)))))
    if criteria.roles or criteria.has_place:
        place = aliased(Municipality)
        district = aliased(District)
        # Role and place must hold for the same affiliation: "council member in Västra Götaland" must not
        # match a council member in Stockholm who is also an official in Borås.
        affiliation_conditions = [Affiliation.contact_id == Contact.id]
        if criteria.roles:
            affiliation_conditions.append(Affiliation.role.in_([Role(r) for r in criteria.roles]))
        if criteria.municipality_codes:
            affiliation_conditions.append(Affiliation.municipality_code.in_(criteria.municipality_codes))
        if criteria.county_codes:
            affiliation_conditions.append(or_(place.county_code.in_(criteria.county_codes),
                                              district.county_code.in_(criteria.county_codes)))
        if criteria.district_ids:
            affiliation_conditions.append(or_(place.district_id.in_(criteria.district_ids),
                                              Affiliation.district_id.in_(criteria.district_ids)))
        if criteria.result_rule is not None:
            # The municipalities come from one query over the year's results, never a loop per contact.
            affiliation_conditions.append(
                Affiliation.municipality_code.in_(municipality_codes_query(criteria.result_rule)))
        if criteria.without_action_plan_year is not None:
            from ..action_plans.coverage import plan_codes_query  # the register's owner says who has a plan

            affiliation_conditions += [Affiliation.municipality_code.is_not(None), Affiliation.municipality_code.not_in(
                plan_codes_query(criteria.without_action_plan_year))]
        if criteria.without_basic_course_years is not None:
            from ..events.councils import untrained_codes  # the events domain knows who attended

            affiliation_conditions += [Affiliation.role == Role.COUNCIL_MEMBER, Affiliation.municipality_code.in_(
                untrained_codes(criteria.without_basic_course_years))]
        subquery = (select(Affiliation.id)
                    .outerjoin(place, place.code == Affiliation.municipality_code)
                    .outerjoin(district, district.id == Affiliation.district_id)
                    .where(and_(*affiliation_conditions)))
        conditions.append(subquery.exists())
    return and_(True, *conditions)


def recipients_query(criteria: Criteria, channel: Channel = Channel.EMAIL):
    """Return the SELECT of (id, email, name, link key) of everyone the audience reaches now by `channel`.

    Mail goes only to people who chose a list, so criteria without a list reach nobody (not everyone). Each
    contact has one channel, so the email and the letter half of an audience never overlap; the same consent
    and suppression rules choose both (a suppressed address gets no letter either).
    """
    if channel is Channel.EMAIL:
        reachable = and_(Contact.email.is_not(None), Contact.email.not_in(suppressed_emails_query()))
    else:
        reachable = or_(Contact.email.is_(None), Contact.email.not_in(suppressed_emails_query()))
    return (select(Contact.id, Contact.email, Contact.name, Contact.link_key)
            .where(Contact.status == ContactStatus.CONFIRMED, Contact.channel == channel, contact_condition(criteria),
                   reachable, true() if criteria.list_keys else false()))


def letter_contact_ids(criteria: Criteria) -> list[int]:
    """Return the contacts the audience reaches by letter (channel `brev`), for `letters.services.collect`."""
    return list(db.session.scalars(recipients_query(criteria, Channel.LETTER).with_only_columns(Contact.id)
                                   .order_by(Contact.id)))


class Member(NamedTuple):
    contact_id: int
    email: str
    name: str
    link_key: str | None = None


def resolve(criteria: Criteria) -> list[Member]:
    """Return everyone the criteria reach at this moment, in one query."""
    rows = db.session.execute(recipients_query(criteria).order_by(Contact.id))
    return [Member(*row) for row in rows]


def recipients(criteria: Criteria) -> list[Recipient]:
    """Return the audience as delivery recipients, ready for `delivery.outbox.enqueue`."""
    return [Recipient(m.email, m.name, m.contact_id, link_key=m.link_key) for m in resolve(criteria)]


def audience_size(criteria: Criteria, channel: Channel = Channel.EMAIL) -> int:
    """Return how many the audience reaches now by `channel` (by email unless told)."""
    return db.session.scalar(select(func.count()).select_from(recipients_query(criteria, channel).subquery())) or 0


def audience_sizes(criteria: Criteria) -> tuple[int, int]:
    """Return how many the audience reaches now by email and by letter (newsletters, circulars, briefs and digests
    go by letter to those who chose `brev`)."""
    return audience_size(criteria), audience_size(criteria, Channel.LETTER)


def sizes_in_words(sizes: tuple[int, int]) -> str:
    """Return `audience_sizes` in words for staff: "12 mottagare just nu: 10 med e-post och 2 med brev på papper"."""
    email, letters = sizes
    if not letters:
        return f"{format_integer(email)} mottagare just nu"
    return (f"{format_integer(email + letters)} mottagare just nu: {format_integer(email)} med e-post och "
            f"{format_integer(letters)} med brev på papper")


def save_audience(audience: Audience | None, name: str, description: str, criteria: Criteria) -> Audience:
    """Create or update a saved audience."""
    name = " ".join(name.split())
    if not name:
        raise AudienceError("Målgruppen måste ha ett namn.")
    if not criteria.list_keys:
        raise AudienceError("Välj minst en lista: utskick går bara till dem som har valt att få dem.")
    clash = db.session.scalar(select(Audience).where(Audience.name == name))
    if clash is not None and clash is not audience:
        raise AudienceError(f"Det finns redan en målgrupp som heter ”{name}”.")
    if audience is None:
        audience = Audience(created_at=now())
        db.session.add(audience)
    audience.name = name[:120]
    audience.description = description.strip()[:500]
    audience.list_keys = list(criteria.list_keys)
    audience.roles = list(criteria.roles)
    audience.municipality_codes = list(criteria.municipality_codes)
    audience.county_codes = list(criteria.county_codes)
    audience.district_ids = list(criteria.district_ids)
    audience.result_rule = criteria.result_rule.to_dict() if criteria.result_rule else None
    audience.without_action_plan_year = criteria.without_action_plan_year
    audience.without_basic_course_years = criteria.without_basic_course_years
    audience.updated_at = now()
    db.session.commit()
    return audience


def all_audiences() -> list[Audience]:
    return list(db.session.scalars(select(Audience).order_by(Audience.name)))


def delete_audience(audience: Audience) -> None:
    db.session.delete(audience)
    db.session.commit()
