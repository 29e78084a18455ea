"""Read and check a contact file: what each line would create, update or skip, and why. No writes here."""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from ..extensions import db
from ..geo.models import County, District, Municipality
from ..geo.services import normalise_name
from ..tabular import TableError, normalise_header, read_table
from .bulk import cyclic_gc_paused
from .forms import ASSOCIATION_MAX, NAME_MAX, PHONE_MAX
from .models import (
    Affiliation, Contact, ContactStatus, CouncilName, LegalBasis, MailingList, Role, Subscription,
)

#: Field -> the column names (as folded by tabular.normalise_header) that mean it.
COLUMNS = {
    "email": ("e_post", "epost", "e_postadress", "epostadress", "email", "e_mail", "mejl", "mail"),
    "name": ("namn", "name", "fullstandigt_namn", "for_och_efternamn"),
    "role": ("roll", "uppdrag", "role"),
    "municipality": ("kommun", "kommunkod", "kommunnamn", "municipality"),
    "lists": ("listor", "lista", "lists", "prenumerationer"),
    "phone": ("telefon", "telefonnummer", "mobil", "phone"),
    "association": ("forening", "foreningens_namn", "spf_forening", "association"),
    "district": ("distrikt", "spf_distrikt", "district"),
}
COUNCIL_WORDS = {"pensionarsrad": CouncilName.PENSIONARSRAD, "seniorrad": CouncilName.SENIORRAD}
#: Folded words in the role column -> role (council names are matched separately, by the word they contain).
ROLE_WORDS = {
    "distriktsordforande": Role.DISTRICT_CHAIR, "ordforande_distrikt": Role.DISTRICT_CHAIR,
    "ordforande_i_distrikt": Role.DISTRICT_CHAIR, "ordforande_i_spf_distrikt": Role.DISTRICT_CHAIR,
    "distriktsfunktionar": Role.DISTRICT_OFFICER, "funktionar_distrikt": Role.DISTRICT_OFFICER,
    "funktionar_i_spf_distrikt": Role.DISTRICT_OFFICER,
    "foreningsordforande": Role.ASSOCIATION_CHAIR, "ordforande_forening": Role.ASSOCIATION_CHAIR,
    "ordforande_i_spf_forening": Role.ASSOCIATION_CHAIR, "ordforande": Role.ASSOCIATION_CHAIR,
    "foreningsfunktionar": Role.ASSOCIATION_OFFICER, "funktionar_forening": Role.ASSOCIATION_OFFICER,
    "funktionar_i_spf_forening": Role.ASSOCIATION_OFFICER,
    "tjansteperson": Role.MUNICIPAL_OFFICIAL, "tjansteperson_i_kommunen": Role.MUNICIPAL_OFFICIAL,
    "kommunal_tjansteperson": Role.MUNICIPAL_OFFICIAL, "tjansteman": Role.MUNICIPAL_OFFICIAL,
    "kommuntjansteman": Role.MUNICIPAL_OFFICIAL,
    "personal": Role.SPF_STAFF, "spf_personal": Role.SPF_STAFF, "personal_pa_spf_seniorerna": Role.SPF_STAFF,
} | {role.value: role for role in Role}
LIST_SEPARATORS = (";", "|", "/")
QUERY_CHUNK = 2000
#: A plain ASCII local part (RFC 5322 dot-atom), which email-validator always accepts as it is.
_PLAIN_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


class LineAction(enum.Enum):
    CREATE = "create"
    UPDATE = "update"
    MERGE = "merge"
    SKIP = "skip"
    INVALID = "invalid"

    @property
    def label(self) -> str:
        return {"create": "Läggs till", "update": "Uppdateras", "merge": "Slås ihop", "skip": "Hoppas över",
                "invalid": "Fel"}[self.value]


@dataclass
class LineReport:
    line: int
    email: str
    action: LineAction
    reasons: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"Rad {self.line}"
        if self.email:
            text += f" ({self.email})"
        return f"{text}: {self.action.label.lower()}" + (f" – {'; '.join(self.reasons)}" if self.reasons else "")


@dataclass(frozen=True)
class AffiliationValues:
    role: Role
    council_name: CouncilName | None
    municipality_code: str | None
    district_id: int | None
    association_name: str

    @property
    def key(self) -> tuple:
        return (self.role, self.municipality_code, self.district_id, self.association_name.casefold())


@dataclass
class Existing:
    id: int
    status: ContactStatus
    name: str
    affiliation_keys: set[tuple] = field(default_factory=set)
    list_ids: set[int] = field(default_factory=set)


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


class Lookup:
    """Reference data for checking rows, read once per file (never one query per row)."""

    def __init__(self, default_list_keys: list[str]):
        municipalities = list(db.session.scalars(select(Municipality)))
        self.by_code = {m.code: m for m in municipalities}
        self.by_name: dict[str, Municipality] = {}
        for m in municipalities:
            self.by_name.setdefault(normalise_name(m.short_name), m)
            self.by_name.setdefault(normalise_name(m.name), m)
        self.districts: dict[str, int] = {}
        for district in db.session.scalars(select(District)):
            self.districts[normalise_name(district.name)] = district.id
        for county in db.session.scalars(select(County)):
            default = next((d for d in db.session.scalars(select(District).where(District.county_code == county.code))), None)
            if default is not None:
                self.districts.setdefault(normalise_name(county.name), default.id)
                self.districts.setdefault(normalise_name(county.short_name), default.id)
        self.lists = list(db.session.scalars(select(MailingList)))
        self.lists_by_word: dict[str, MailingList] = {}
        for mailing_list in self.lists:
            self.lists_by_word[normalise_header(mailing_list.key)] = mailing_list
            self.lists_by_word[normalise_header(mailing_list.name)] = mailing_list
        self.default_list_ids = {m.id for m in self.lists if m.key in set(default_list_keys)}
        # Files repeat the same few values in thousands of rows; each distinct value is worked out once.
        self._municipalities: dict[str, Municipality | None] = {}
        self._domains: dict[str, str | None] = {}
        self.roles: dict[str, tuple[Role, CouncilName | None] | None] = {}
        self.list_cells: dict[str, tuple[set[int], list[str]]] = {}

    def municipality(self, text: str) -> Municipality | None:
        if text not in self._municipalities:
            stripped = text.strip()
            if stripped.isdigit() and len(stripped) in (3, 4):
                self._municipalities[text] = self.by_code.get(stripped.zfill(4))
            else:
                self._municipalities[text] = self.by_name.get(normalise_name(stripped))
        return self._municipalities[text]

    def role(self, text: str) -> tuple[Role, CouncilName | None] | None:
        if text not in self.roles:
            self.roles[text] = parse_role(text)
        return self.roles[text]

    def lists_in(self, text: str) -> tuple[set[int], list[str]]:
        """Return the ids of the lists named in a "listor" cell, and problems with unknown names."""
        if text not in self.list_cells:
            ids, problems = set(), []
            cell = text
            for separator in LIST_SEPARATORS:
                cell = cell.replace(separator, ",")
            for word in filter(None, (w.strip() for w in cell.split(","))):
                mailing_list = self.lists_by_word.get(normalise_header(word))
                if mailing_list is None:
                    names = ", ".join(m.key for m in self.lists)
                    problems.append(f"listan ”{word}” finns inte (listorna heter {names})")
                else:
                    ids.add(mailing_list.id)
            self.list_cells[text] = (ids, problems)
        ids, problems = self.list_cells[text]
        return set(ids), list(problems)

    def email(self, text: str) -> str:
        """Return the address normalised by email-validator (no network), or raise EmailNotValidError."""
        local, at, domain = text.rpartition("@")
        if at and len(local) <= 64 and _PLAIN_LOCAL_PART.fullmatch(local):
            # email-validator's verdict on the domain is the same for every address at it: ask once.
            if domain not in self._domains:
                try:
                    self._domains[domain] = validate_email("x@" + domain, check_deliverability=False).domain
                except EmailNotValidError:
                    self._domains[domain] = None
            normalised_domain = self._domains[domain]
            if normalised_domain is not None and len(local) + 1 + len(normalised_domain) <= 254:
                return f"{local}@{normalised_domain}".lower()
        return validate_email(text, check_deliverability=False).normalized.lower()


def _column_map(columns: list[str]) -> dict[str, str]:
    found = {}
    for field_name, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in columns:
                found[field_name] = alias
                break
    return found


def parse_role(text: str) -> tuple[Role, CouncilName | None] | None:
    folded = normalise_header(text)
    for word, council in COUNCIL_WORDS.items():
        if word in folded:
            return Role.COUNCIL_MEMBER, council
    role = ROLE_WORDS.get(folded)
    return (role, None) if role else None


def _check_line(values: dict[str, str], lookup: Lookup) -> tuple[str, str, str, AffiliationValues | None, set[int], list[str]]:
    """Return (email, name, phone, affiliation, list ids, problems) for one row."""
    problems: list[str] = []
    raw_email = values.get("email", "").strip()
    email = ""
    if not raw_email:
        problems.append("e-postadress saknas")
    else:
        try:
            email = lookup.email(raw_email)
        except EmailNotValidError:
            email = raw_email.lower()
            problems.append(f"”{raw_email}” är ingen giltig e-postadress")
    name = " ".join(values.get("name", "").split())
    phone = values.get("phone", "").strip()
    association = " ".join(values.get("association", "").split())
    for text, limit, what in ((name, NAME_MAX, "namnet"), (phone, PHONE_MAX, "telefonnumret"),
                              (association, ASSOCIATION_MAX, "föreningens namn")):
        if len(text) > limit:
            problems.append(f"{what} är längre än {limit} tecken")

    municipality = None
    municipality_text = values.get("municipality", "").strip()
    if municipality_text:
        municipality = lookup.municipality(municipality_text)
        if municipality is None:
            problems.append(f"kommunen ”{municipality_text}” finns inte bland Sveriges 290 kommuner")

    affiliation = None
    role_text = values.get("role", "").strip()
    if role_text:
        parsed = lookup.role(role_text)
        if parsed is None:
            problems.append(f"rollen ”{role_text}” känns inte igen (t.ex. pensionärsråd, seniorråd, "
                            "föreningsordförande, distriktsordförande, tjänsteperson, personal)")
        else:
            role, council = parsed
            district_id = None
            if role.needs_district:
                district_text = values.get("district", "").strip()
                if district_text:
                    district_id = lookup.districts.get(normalise_name(district_text))
                    if district_id is None:
                        problems.append(f"distriktet ”{district_text}” finns inte")
                elif municipality is not None:
                    district_id = municipality.district_id
                elif not municipality_text:
                    problems.append("ange distrikt eller kommun för uppdraget i distriktet")
            if role.needs_municipality and not municipality_text:
                problems.append(f"kommun saknas för rollen ”{role_text}”")
            if role.needs_association and not association:
                problems.append("föreningens namn saknas (kolumnen ”förening”)")
            affiliation = AffiliationValues(
                role=role, council_name=council or (CouncilName.PENSIONARSRAD if role is Role.COUNCIL_MEMBER else None),
                municipality_code=municipality.code if municipality is not None and role.needs_municipality else None,
                district_id=district_id, association_name=association if role.needs_association else "")
    elif municipality_text:
        problems.append("kommun är angiven men inte vilken roll personen har")

    lists_text = values.get("lists", "").strip()
    if lists_text:
        list_ids, list_problems = lookup.lists_in(lists_text)
        problems.extend(list_problems)
    else:
        list_ids = set(lookup.default_list_ids)
    return email, name, phone, affiliation, list_ids, problems


def _load_existing(emails: list[str]) -> dict[str, Existing]:
    """Return what is stored about the addresses in the file, a few thousand at a time."""
    existing: dict[str, Existing] = {}
    for start in range(0, len(emails), QUERY_CHUNK):
        chunk = emails[start:start + QUERY_CHUNK]
        for id_, email, status, name in db.session.execute(
                select(Contact.id, Contact.email, Contact.status, Contact.name).where(Contact.email.in_(chunk))):
            existing[email] = Existing(id_, status, name)
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
    columns = _column_map(table.columns)
    if "email" not in columns:
        plan.problems.append("Rad 1: filen saknar en kolumn för e-postadress (kalla den ”e-post”). Kolumnerna kan "
                             "heta: namn, e-post, roll, kommun, listor, telefon, förening, distrikt.")
        return plan
    if not table.rows:
        plan.problems.append("Filen innehåller inga rader med kontakter.")
        return plan
    lookup = Lookup(default_list_keys)
    plan.lists_by_id = {m.id: m for m in lookup.lists}

    for row in table.rows:
        values = {field_name: row.values.get(column, "") for field_name, column in columns.items()}
        email, name, phone, affiliation, list_ids, problems = _check_line(values, lookup)
        if problems:
            plan.lines.append(LineReport(row.line, email, LineAction.INVALID, problems))
            continue
        planned = plan.contacts.get(email)
        if planned is not None:
            plan.lines.append(LineReport(row.line, email, LineAction.MERGE,
                                         [f"samma adress som rad {planned.first_line}; uppgifterna slås ihop"]))
            planned.name = name or planned.name
            planned.phone = phone or planned.phone
        else:
            planned = PlannedContact(email=email, name=name, phone=phone, first_line=row.line)
            plan.contacts[email] = planned
            plan.lines.append(LineReport(row.line, email, LineAction.CREATE))
        if affiliation is not None:
            planned.affiliations.setdefault(affiliation.key, affiliation)
        planned.list_ids |= list_ids

    existing = _load_existing(list(plan.contacts))
    first_lines = {line.line: line for line in plan.lines}
    for planned in plan.contacts.values():
        planned.existing = existing.get(planned.email)
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
    if existing.status is ContactStatus.PENDING and plan.basis is LegalBasis.CONSENT_GIVEN:
        changes.append("bekräftas (samtycke lämnat på annat sätt)")
    return changes
