"""Contacts, affiliations (role × place), lists, subscriptions, consent history, audiences and erasures.

The tables of a contact import are in `imports.models`.
"""
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..dbtypes import UTCDateTime
from ..extensions import db
from ..tokens import new_subject_key
from ..geo.models import District, Municipality
from ..status import LabelledEnum


def _enum(enum_class) -> Enum:
    # Stored as the lower-case value in a plain string column: portable and readable in SQL.
    return Enum(enum_class, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e],
                validate_strings=True)


class ContactStatus(LabelledEnum):
    PENDING = ("pending", "Ej bekräftad")
    CONFIRMED = ("confirmed", "Bekräftad")
    UNSUBSCRIBED = ("unsubscribed", "Avregistrerad")


#: Allowed status changes. Leaving is always possible; coming back after leaving needs a new consent.
CONTACT_TRANSITIONS: dict[ContactStatus, frozenset[ContactStatus]] = {
    ContactStatus.PENDING: frozenset({ContactStatus.CONFIRMED, ContactStatus.UNSUBSCRIBED}),
    ContactStatus.CONFIRMED: frozenset({ContactStatus.UNSUBSCRIBED}),
    ContactStatus.UNSUBSCRIBED: frozenset({ContactStatus.PENDING, ContactStatus.CONFIRMED}),
}


class Channel(LabelledEnum):
    """How a contact wants what they are sent: by email, or as a printed letter by post."""

    EMAIL = ("e-post", "E-post")
    LETTER = ("brev", "Brev med posten")


class Role(LabelledEnum):
    COUNCIL_MEMBER = ("council_member", "Ledamot i pensionärsråd eller seniorråd")
    DISTRICT_CHAIR = ("district_chair", "Ordförande i SPF-distrikt")
    DISTRICT_OFFICER = ("district_officer", "Funktionär i SPF-distrikt")
    ASSOCIATION_CHAIR = ("association_chair", "Ordförande i SPF-förening")
    ASSOCIATION_OFFICER = ("association_officer", "Funktionär i SPF-förening")
    MUNICIPAL_OFFICIAL = ("municipal_official", "Tjänsteperson i kommunen")
    SPF_STAFF = ("spf_staff", "Personal på SPF Seniorerna")
    #: No assignment: a member of SPF Seniorerna, or a relative of someone with home care. The municipality is
    #: kept when they give one (their own), never required.
    MEMBER_OR_RELATIVE = ("member_or_relative", "Medlem eller anhörig")

    @property
    def keeps_municipality(self) -> bool:
        """Return whether the role's place includes a municipality (required or, for a member, when given)."""
        return self.needs_municipality or self is Role.MEMBER_OR_RELATIVE

    @property
    def needs_municipality(self) -> bool:
        return self in (Role.COUNCIL_MEMBER, Role.MUNICIPAL_OFFICIAL, Role.ASSOCIATION_CHAIR, Role.ASSOCIATION_OFFICER)

    @property
    def needs_district(self) -> bool:
        return self in (Role.DISTRICT_CHAIR, Role.DISTRICT_OFFICER)

    @property
    def needs_association(self) -> bool:
        return self in (Role.ASSOCIATION_CHAIR, Role.ASSOCIATION_OFFICER)


class CouncilName(LabelledEnum):
    """What the municipality calls its council; both names occur and people recognise their own."""

    PENSIONARSRAD = ("pensionarsrad", "pensionärsråd")
    SENIORRAD = ("seniorrad", "seniorråd")


class ConsentSource(LabelledEnum):
    FORM = ("form", "Anmälningsformulär")
    IMPORT = ("import", "Import")
    STAFF = ("staff", "Personal")
    PREFERENCES = ("preferences", "Inställningssidan")
    UNSUBSCRIBE_LINK = ("unsubscribe_link", "Avregistreringslänk")
    EMAIL_LINK = ("email_link", "Bekräftelselänk i e-post")
    #: A mailbox provider's feedback report: the person marked our mail as spam (hti_comms.bounces).
    FEEDBACK_REPORT = ("feedback_report", "Anmälde brev som skräppost")


class ConsentAction(LabelledEnum):
    SIGNED_UP = ("signed_up", "Anmälde sig")
    CONFIRMED = ("confirmed", "Bekräftade sin adress")
    LISTS_CHANGED = ("lists_changed", "Ändrade listor")
    UNSUBSCRIBED = ("unsubscribed", "Avregistrerade sig")
    IMPORTED = ("imported", "Importerades")
    ADDED_BY_STAFF = ("added_by_staff", "Lades till av personal")


class LegalBasis(LabelledEnum):
    """Why an imported or staff-added contact may be emailed."""

    CONSENT_GIVEN = ("consent_given", "Samtycke redan lämnat på annat sätt")
    NEEDS_OPT_IN = ("needs_opt_in", "Behöver bekräfta själv (bekräftelsemejl skickas)")


class MailingList(db.Model):
    """A topic people subscribe to."""

    __tablename__ = "mailing_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Machine name used in links and List-Id headers, e.g. "nyhetsbrev".
    key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(default=0)


class Contact(db.Model):
    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Trimmed and lower-cased; one contact per address. None for someone who gets letters by post only.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    #: Opaque random key that names the person in the links we email (never the address). A new one is drawn
    #: whenever the address changes, so every link sent to the old address stops working.
    link_key: Mapped[str] = mapped_column(String(32), unique=True, default=new_subject_key)
    name: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    language: Mapped[str] = mapped_column(String(5), default="sv")
    status: Mapped[ContactStatus] = mapped_column(_enum(ContactStatus), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: When the status last changed; unconfirmed sign-ups are deleted a while after this.
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When a sign-up's confirmation (or "you already get our mail") email was last queued: signing up again
    #: within the hour sends nothing more (`CONFIRMATION_RESEND_MINUTES`).
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: How newsletters, circulars and briefs reach them: email, or a printed letter (`hti_comms.letters`).
    channel: Mapped[Channel] = mapped_column(_enum(Channel), default=Channel.EMAIL, server_default="e-post")
    #: The postal address a letter is sent to; the name on the envelope defaults to `name`.
    postal_name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    street_address: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: Five digits written "123 45".
    postcode: Mapped[str] = mapped_column(String(6), default="", server_default="")
    town: Mapped[str] = mapped_column(String(80), default="", server_default="")

    affiliations: Mapped[list["Affiliation"]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", passive_deletes=True, order_by="Affiliation.id")
    subscriptions: Mapped[list["Subscription"]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", passive_deletes=True)
    consent_events: Mapped[list["ConsentEvent"]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ConsentEvent.created_at.desc(), ConsentEvent.id.desc()")

    @property
    def list_keys(self) -> set[str]:
        return {s.mailing_list.key for s in self.subscriptions}

    @validates("email")
    def _rotate_links_on_new_address(self, _key: str, email: str) -> str:
        if self.email is not None and email != self.email:
            self.rotate_link_key()
        return email

    @property
    def has_postal_address(self) -> bool:
        return bool(self.street_address and self.postcode and self.town)

    @property
    def address_lines(self) -> list[str]:
        """Return the lines of the postal address as written on an envelope."""
        return [self.postal_name or self.name, self.street_address, f"{self.postcode} {self.town}".strip()]

    def rotate_link_key(self) -> None:
        """Draw a new link key: every link emailed to this person before stops working."""
        self.link_key = new_subject_key()

    def __repr__(self) -> str:
        return f"<Contact {self.id} {self.status.value}>"


class Affiliation(db.Model):
    """One role a contact has, with its place (municipality, district or association)."""

    __tablename__ = "contact_affiliation"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role), index=True)
    #: For council members: whether their municipality calls it pensionärsråd or seniorråd.
    council_name: Mapped[CouncilName | None] = mapped_column(_enum(CouncilName))
    #: The municipality of a council, an association or an official.
    municipality_code: Mapped[str | None] = mapped_column(ForeignKey("municipality.code"), index=True)
    #: The district of a district chair or officer.
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id", ondelete="SET NULL"), index=True)
    association_name: Mapped[str] = mapped_column(String(160), default="")

    contact: Mapped[Contact] = relationship(back_populates="affiliations")
    municipality: Mapped[Municipality | None] = relationship()
    district: Mapped[District | None] = relationship()

    def describe(self) -> str:
        """Return e.g. 'Ledamot i seniorråd, Habo' in Swedish."""
        if self.role is Role.COUNCIL_MEMBER and self.council_name is not None:
            role = f"Ledamot i {self.council_name.label}"
        else:
            role = self.role.label
        places = []
        if self.association_name:
            places.append(self.association_name)
        if self.municipality is not None:
            places.append(self.municipality.short_name)
        if self.district is not None:
            places.append(self.district.name)
        return ", ".join([role, *places])


class Subscription(db.Model):
    __tablename__ = "subscription"
    __table_args__ = (Index("ix_subscription_list_contact", "list_id", "contact_id"),)

    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("mailing_list.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    contact: Mapped[Contact] = relationship(back_populates="subscriptions")
    mailing_list: Mapped[MailingList] = relationship()


class ConsentEvent(db.Model):
    """One thing a person (or staff on their behalf) did about their consent; the history staff see."""

    __tablename__ = "consent_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id", ondelete="CASCADE"), index=True)
    action: Mapped[ConsentAction] = mapped_column(_enum(ConsentAction))
    source: Mapped[ConsentSource] = mapped_column(_enum(ConsentSource))
    #: Version of the consent text the person saw (see subscribers.consent).
    text_version: Mapped[str | None] = mapped_column(String(20))
    legal_basis: Mapped[LegalBasis | None] = mapped_column(_enum(LegalBasis))
    #: Keys of the lists the person is on after this event.
    list_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Address the form was sent from (sign-ups and link clicks only).
    ip_address: Mapped[str | None] = mapped_column(String(45))
    #: Staff member who acted, or the import's file name.
    actor: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    contact: Mapped[Contact] = relationship(back_populates="consent_events")


class Audience(db.Model):
    """A saved selection: lists × roles × municipalities × counties × districts, resolved at send time."""

    __tablename__ = "audience"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    #: Each is a list of keys; an empty list means "no restriction" (lists: at least one is required).
    list_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    municipality_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    county_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    district_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    #: An index-result condition (results.selection.ResultRule as a dict), or None.
    result_rule: Mapped[dict | None] = mapped_column(JSON)
    #: Only contacts whose municipality (of the same affiliation) has no registered action plan for this index
    #: year (hti_comms.action_plans), or None.
    without_action_plan_year: Mapped[int | None] = mapped_column()
    #: Only council members whose municipality's council has no one who attended a basic course this year or in
    #: this many years before (hti_comms.events.councils), or None.
    without_basic_course_years: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Erasure(db.Model):
    """That a person was erased, when and by whom; nothing that identifies them."""

    __tablename__ = "contact_erasure"

    id: Mapped[int] = mapped_column(primary_key=True)
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime())
    erased_by: Mapped[str] = mapped_column(String(255), default="")
    #: Anonymous counts of what was removed per heading, e.g. {"samtyckeshistorik": 3, "skickat till dig": 12}.
    removed: Mapped[dict] = mapped_column(JSON, default=dict)
