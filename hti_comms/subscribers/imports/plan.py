"""Plan a contact file: what each line would create, update, merge or skip, and why. No writes here."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import select

from ...addresses import display_address
from ...extensions import db
from ...geo.models import District
from ...tabular import TableError, read_table
from ..bulk import cyclic_gc_paused
from ..models import Affiliation, Contact, ContactStatus, LegalBasis, MailingList, Subscription
from .models import LineAction
from ..places import AffiliationValues
from .parse import MISSING_EMAIL_COLUMN, Lookup, column_map, letter_key, parse_line
from ..postal import PostalDetails

QUERY_CHUNK = 2000


@dataclass
class LineReport:
    line: int
    email: str
    action: LineAction
    reasons: list[str] = field(default_factory=list)
    #: What the line was understood to say: "Anna Andersson · Ledamot i pensionärsråd, Habo · Nyhetsbrev".
    understood: str = ""

    def __str__(self) -> str:
        text = f"Rad {self.line}"
        if self.email:
            text += f" ({display_address(self.email)})"
        return f"{text}: {self.action.label.lower()}" + (f" – {'; '.join(self.reasons)}" if self.reasons else "")


@dataclass
class Existing:
    id: int
    status: ContactStatus
    name: str
    affiliation_keys: set[tuple] = field(default_factory=set)
    list_ids: set[int] = field(default_factory=set)
    postal: PostalDetails | None = None


@dataclass
class PlannedContact:
    email: str
    name: str
    phone: str
    first_line: int
    affiliations: dict[tuple, AffiliationValues] = field(default_factory=dict)
    list_ids: set[int] = field(default_factory=set)
    existing: Existing | None = None
    skip_reason: str | None = None
    postal: PostalDetails | None = None

    @property
    def key(self) -> str:
        """Return the address, or for someone with letters only their name and postal address."""
        return self.email or letter_key(self.name, self.postal)

    def new_affiliations(self) -> list[AffiliationValues]:
        have = self.existing.affiliation_keys if self.existing else set()
        return [a for key, a in self.affiliations.items() if key not in have]

    def new_list_ids(self) -> set[int]:
        return self.list_ids - (self.existing.list_ids if self.existing else set())


@dataclass
class ImportPlan:
    basis: LegalBasis
    lines: list[LineReport] = field(default_factory=list)
    contacts: dict[str, PlannedContact] = field(default_factory=dict)
    #: Problems with the file as a whole (cannot be read, no e-mail column).
    problems: list[str] = field(default_factory=list)
    lists_by_id: dict[int, MailingList] = field(default_factory=dict)

    def count(self, action: LineAction) -> int:
        return sum(1 for line in self.lines if line.action is action)

    @property
    def invalid_lines(self) -> list[LineReport]:
        return [line for line in self.lines if line.action is LineAction.INVALID]

    @property
    def to_write(self) -> list[PlannedContact]:
        return [c for c in self.contacts.values() if c.skip_reason is None]

    @property
    def can_commit(self) -> bool:
        return not self.problems and bool(self.to_write)


def _load_existing(keys: list[str]) -> dict[str, Existing]:
    """Return what is stored about the people in the file (by address, or by name and postal address for those
    with letters only), a few thousand at a time."""
    existing: dict[str, Existing] = {}
    columns = (Contact.id, Contact.email, Contact.status, Contact.name, Contact.channel, Contact.postal_name,
               Contact.street_address, Contact.postcode, Contact.town)
    emails = [key for key in keys if not key.startswith("brev:")]
    wanted_letters = set(keys) - set(emails)
    queries = [select(*columns).where(Contact.email.in_(emails[start:start + QUERY_CHUNK]))
               for start in range(0, len(emails), QUERY_CHUNK)]
    if wanted_letters:
        queries.append(select(*columns).where(Contact.email.is_(None)))
    for query in queries:
        for id_, email, status, name, *postal in db.session.execute(query):
            key = email or letter_key(name, PostalDetails(*postal))
            if email or key in wanted_letters:
                existing[key] = Existing(id_, status, name, postal=PostalDetails(*postal))
    by_id = {e.id: e for e in existing.values()}
    ids = list(by_id)
    for start in range(0, len(ids), QUERY_CHUNK):
        chunk = ids[start:start + QUERY_CHUNK]
        for contact_id, role, municipality_code, district_id, association in db.session.execute(
                select(Affiliation.contact_id, Affiliation.role, Affiliation.municipality_code,
                       Affiliation.district_id, Affiliation.association_name)
                .where(Affiliation.contact_id.in_(chunk))):
            by_id[contact_id].affiliation_keys.add((role, municipality_code, district_id, association.casefold()))
        for contact_id, list_id in db.session.execute(
                select(Subscription.contact_id, Subscription.list_id).where(Subscription.contact_id.in_(chunk))):
            by_id[contact_id].list_ids.add(list_id)
    return existing


def plan_import(data: bytes, filename: str, basis: LegalBasis, default_list_keys: list[str]) -> ImportPlan:
    """Check every line of a contact file and decide what each would do."""
    with cyclic_gc_paused():
        return _plan(data, filename, basis, default_list_keys)


def _plan(data: bytes, filename: str, basis: LegalBasis, default_list_keys: list[str]) -> ImportPlan:
    plan = ImportPlan(basis=basis)
    try:
        table = read_table(data, filename)
    except TableError as exc:
        plan.problems.append(str(exc))
        return plan
    columns = column_map(table.columns)
    if "email" not in columns:
        plan.problems.append(MISSING_EMAIL_COLUMN)
        return plan
    if not table.rows:
        plan.problems.append("Filen innehåller inga rader med kontakter.")
        return plan
    lookup = Lookup(default_list_keys)
    plan.lists_by_id = {m.id: m for m in lookup.lists}
    understand = _Understanding(lookup, plan.lists_by_id)

    for row in table.rows:
        values = {field_name: row.values.get(column, "") for field_name, column in columns.items()}
        parsed = parse_line(values, lookup)
        email, name, phone = parsed.email, parsed.name, parsed.phone
        if not email and not parsed.problems and basis is not LegalBasis.CONSENT_GIVEN:
            parsed.problems.append("e-postadress saknas – den som bara får brev kan inte bekräfta själv, så importera "
                                   "med samtycke redan lämnat")
        if parsed.problems:
            plan.lines.append(LineReport(row.line, email, LineAction.INVALID, parsed.problems))
            continue
        key = email or letter_key(name, parsed.postal)
        planned = plan.contacts.get(key)
        understood = understand(parsed)
        if planned is not None:
            plan.lines.append(LineReport(row.line, email, LineAction.MERGE,
                                         [f"samma adress som rad {planned.first_line}; uppgifterna slås ihop"],
                                         understood))
            planned.name = name or planned.name
            planned.phone = phone or planned.phone
        else:
            planned = PlannedContact(email=email, name=name, phone=phone, first_line=row.line, postal=parsed.postal)
            plan.contacts[key] = planned
            plan.lines.append(LineReport(row.line, email, LineAction.CREATE, understood=understood))
        planned.postal = parsed.postal or planned.postal
        if parsed.affiliation is not None:
            planned.affiliations.setdefault(parsed.affiliation.key, parsed.affiliation)
        planned.list_ids |= parsed.list_ids

    existing = _load_existing(list(plan.contacts))
    first_lines = {line.line: line for line in plan.lines}
    for planned in plan.contacts.values():
        planned.existing = existing.get(planned.key)
        report = first_lines[planned.first_line]
        if planned.existing is None:
            continue
        if planned.existing.status is ContactStatus.UNSUBSCRIBED:
            planned.skip_reason = "personen har själv avregistrerat sig och läggs inte till igen"
        else:
            changes = _describe_changes(planned, plan)
            if not changes:
                planned.skip_reason = "finns redan med samma uppgifter"
            else:
                report.action = LineAction.UPDATE
                report.reasons = changes
        if planned.skip_reason:
            report.action = LineAction.SKIP
            report.reasons = [planned.skip_reason]
    return plan


class _Understanding:
    """Say in words what a checked line holds (name, role, place, lists); each distinct value worked out once."""

    def __init__(self, lookup, lists_by_id: dict[int, MailingList]):
        self.municipalities = lookup.places.municipalities.by_code
        self.districts = {d.id: d.name for d in db.session.scalars(select(District))}
        self.lists_by_id = lists_by_id
        self._places: dict[tuple, str] = {}
        self._lists: dict[frozenset, str] = {}

    def __call__(self, parsed) -> str:
        parts = [parsed.name or "(inget namn)"]
        if parsed.affiliation is not None:
            parts.append(self.place(parsed.affiliation))
        else:
            parts.append("inget uppdrag")
        parts.append(self.lists(frozenset(parsed.list_ids)))
        return " · ".join(parts)

    def place(self, affiliation) -> str:
        key = (affiliation.role, affiliation.council_name, affiliation.municipality_code, affiliation.district_id,
               affiliation.association_name)
        if key not in self._places:
            words = [f"Ledamot i {affiliation.council_name.label}" if affiliation.council_name is not None
                     else affiliation.role.label]
            municipality = self.municipalities.get(affiliation.municipality_code or "")
            if municipality is not None:
                words.append(municipality.short_name)
            if affiliation.district_id is not None and affiliation.district_id in self.districts:
                words.append(self.districts[affiliation.district_id])
            if affiliation.association_name:
                words.append(affiliation.association_name)
            self._places[key] = ", ".join(words)
        return self._places[key]

    def lists(self, list_ids: frozenset) -> str:
        if list_ids not in self._lists:
            names = sorted(self.lists_by_id[i].name for i in list_ids if i in self.lists_by_id)
            self._lists[list_ids] = ("listor: " + ", ".join(names)) if names else "inga listor"
        return self._lists[list_ids]


def _describe_changes(planned: PlannedContact, plan: ImportPlan) -> list[str]:
    existing = planned.existing
    changes = []
    if planned.name and planned.name != existing.name:
        changes.append(f"namnet blir ”{planned.name}”")
    if planned.new_affiliations():
        changes.append(f"{len(planned.new_affiliations())} nytt uppdrag")
    new_lists = planned.new_list_ids()
    if new_lists:
        changes.append("läggs till på " + ", ".join(sorted(plan.lists_by_id[i].name for i in new_lists)))
    if planned.postal is not None and replace(planned.postal, postal_name=existing.postal.postal_name) != existing.postal:
        changes.append(f"får utskick som {planned.postal.channel.label.lower()}"
                       + (f", adress {planned.postal.street_address}, {planned.postal.postcode} {planned.postal.town}"
                          if planned.postal.street_address else ""))
    if existing.status is ContactStatus.PENDING and plan.basis is LegalBasis.CONSENT_GIVEN:
        changes.append("bekräftas (samtycke lämnat på annat sätt)")
    return changes
