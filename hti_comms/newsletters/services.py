"""Writing newsletters and circulars: create, change, sections, images, delete. Each function commits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from .. import clock
from ..extensions import db
from ..links import absolute
from ..status import transition
from .images import prepare_image
from .models import (
    DEFAULT_LIST_KEY, NEWSLETTER_TRANSITIONS, Newsletter, NewsletterKind, NewsletterStatus, Section, SectionImage,
    can_delete, can_edit,
)
from .render import FORWARD_NOTE, SIGNUP_PATH

DEFAULT_ADDRESSEE = ("Till alla med uppdrag i pensionärsråd/seniorråd samt ordföranden i distrikt och "
                     "föreningar")


class NewsletterError(ValueError):
    """Something staff asked for that cannot be done; the message is Swedish."""


@dataclass
class NewsletterFields:
    """What staff can change on a newsletter (None = leave as it is)."""

    subject: str | None = None
    number: int | None = None
    heading: str | None = None
    #: "" = make the topics line from the section titles.
    topics: str | None = None
    intro: str | None = None
    list_key: str | None = None
    audience_ids: list[int] | None = None
    addressee: str | None = None
    letter_date: date | None = None
    forward_note: str | None = None
    forward_url: str | None = None
    signature_name: str | None = None
    signature_title: str | None = None


@dataclass
class SectionFields:
    title: str = ""
    body: str = ""
    kind: str = "text"
    data: dict | None = None
    link_url: str = ""
    link_text: str = ""
    image_alt: str = ""
    #: A new image as uploaded: (bytes, file name); checked before anything is changed.
    image_upload: tuple[bytes, str] | None = None
    remove_image: bool = False


def get_newsletter(newsletter_id: int) -> Newsletter:
    newsletter = db.session.get(Newsletter, newsletter_id)
    if newsletter is None:
        raise NewsletterError(f"Det finns inget nyhetsbrev med id {newsletter_id}.")
    return newsletter


def proposed_number() -> int:
    """Return the number after the highest one used by a newsletter that was not cancelled (1 for the first)."""
    highest = db.session.scalar(select(func.max(Newsletter.number)).where(
        Newsletter.kind == NewsletterKind.NEWSLETTER, Newsletter.status != NewsletterStatus.CANCELLED))
    return (highest or 0) + 1


def create_newsletter(kind: NewsletterKind, subject: str, *, created_by: str = "", is_demo: bool = False,
                      fields: NewsletterFields | None = None, sections: list[SectionFields] = ()) -> Newsletter:
    """Create a draft with sensible defaults (the next number, the newsletter list, a circular's letter parts)."""
    now = clock.now()
    newsletter = Newsletter(kind=kind, status=NewsletterStatus.DRAFT, subject=" ".join(subject.split()),
                            list_key=DEFAULT_LIST_KEY, audience_ids=[], confirmed_warnings=[], created_by=created_by,
                            created_at=now, updated_at=now, is_demo=is_demo, heading="", intro="",
                            addressee="", forward_note="", forward_url="", signature_name="", signature_title="")
    if kind is NewsletterKind.NEWSLETTER:
        newsletter.number = proposed_number()
    else:
        newsletter.heading = newsletter.subject
        newsletter.addressee = DEFAULT_ADDRESSEE
        newsletter.letter_date = clock.to_stockholm(now).date()
        newsletter.forward_note = FORWARD_NOTE
        newsletter.forward_url = absolute(SIGNUP_PATH)
    _apply(newsletter, fields or NewsletterFields())
    # Every image is checked before anything is added: a bad one leaves no newsletter behind.
    images = [_image_of(section) for section in sections]
    db.session.add(newsletter)
    for position, (section_fields, image) in enumerate(zip(sections, images)):
        section = _new_section(position, section_fields)
        newsletter.sections.append(section)
        _replace_image(section, image, False)
    db.session.commit()
    return newsletter


def definite(newsletter: Newsletter) -> str:
    """Return "Nyhetsbrevet" or "Cirkuläret"."""
    return "Cirkuläret" if newsletter.is_circular else "Nyhetsbrevet"


def _guard(newsletter: Newsletter) -> None:
    if not can_edit(newsletter):
        raise NewsletterError(f"{definite(newsletter)} har redan börjat skickas och kan inte ändras.")


def _apply(newsletter: Newsletter, fields: NewsletterFields) -> None:
    for name in ("subject", "heading", "addressee", "forward_note", "forward_url", "signature_name",
                 "signature_title"):
        value = getattr(fields, name)
        if value is not None:
            setattr(newsletter, name, " ".join(value.split()))
    if fields.intro is not None:
        newsletter.intro = fields.intro.replace("\r\n", "\n").strip()
    if fields.topics is not None:
        newsletter.topics = " ".join(fields.topics.split()) or None
    if fields.number is not None:
        if fields.number < 1:
            raise NewsletterError("Numret ska vara 1 eller högre.")
        newsletter.number = fields.number
    if fields.list_key is not None:
        newsletter.list_key = fields.list_key
    if fields.audience_ids is not None:
        newsletter.audience_ids = [int(i) for i in dict.fromkeys(fields.audience_ids)]
    if fields.letter_date is not None:
        newsletter.letter_date = fields.letter_date


def update_newsletter(newsletter: Newsletter, fields: NewsletterFields) -> str | None:
    """Change a draft or scheduled newsletter; return a Swedish note when a scheduled one had to stop."""
    _guard(newsletter)
    _apply(newsletter, fields)
    return _touch(newsletter)


def content_digest(newsletter: Newsletter) -> str:
    """Return a digest of everything the recipients read and who they are: what a second person's approval covers."""
    import hashlib
    import json

    fields = {name: getattr(newsletter, name) for name in (
        "kind", "number", "subject", "heading", "addressee", "intro", "topics", "forward_note", "forward_url",
        "signature_name", "signature_title", "list_key", "audience_ids", "letter_date")}
    fields["sections"] = [[section.kind, section.title, section.body, section.data, section.link_url,
                           section.link_text, section.image_alt, section.image.id if section.image else None]
                          for section in newsletter.sections]
    return hashlib.sha256(json.dumps(fields, default=str, sort_keys=True).encode()).hexdigest()


def _touch(newsletter: Newsletter) -> str | None:
    """Record a change and commit; a scheduled newsletter stays scheduled only if it still passes its checks.

    An approval of a scheduled newsletter covered what it said then: a change sends it back for approval.
    """
    newsletter.updated_at = clock.now()
    note = None
    if newsletter.status is NewsletterStatus.SCHEDULED:
        from ..approvals.services import reopen

        db.session.flush()
        reopen("newsletter", note="Ändrat efter godkännandet", newsletter_id=newsletter.id)
        from .checks import blocking, check_newsletter

        db.session.flush()
        stopped = blocking(check_newsletter(newsletter, newsletter.scheduled_at), newsletter.confirmed_warnings)
        if stopped:
            transition(newsletter, NewsletterStatus.DRAFT, NEWSLETTER_TRANSITIONS)
            note = ("Ändringen är sparad, men utskicket är inte längre schemalagt: kontrollen hittade "
                    f"{len(stopped)} sak(er) att åtgärda eller bekräfta. Kontrollera och schemalägg igen.")
    db.session.commit()
    return note


def _new_section(position: int, fields: SectionFields) -> Section:
    section = Section(position=position)
    _apply_section(section, fields)
    return section


def _apply_section(section: Section, fields: SectionFields) -> None:
    section.kind = fields.kind
    section.title = " ".join(fields.title.split())
    section.body = fields.body.replace("\r\n", "\n").strip()
    section.data = dict(fields.data or {})
    section.link_url = fields.link_url.strip()
    section.link_text = " ".join(fields.link_text.split())
    section.image_alt = " ".join(fields.image_alt.split())


def _image_of(fields: SectionFields) -> SectionImage | None:
    """Return the uploaded image ready to store, or raise ImageError before anything has changed."""
    if fields.image_upload is None:
        return None
    data, content_type, name, width, height = prepare_image(*fields.image_upload)
    return SectionImage(filename=name, content_type=content_type, width=width, height=height, data=data,
                        created_at=clock.now())


def _replace_image(section: Section, image: SectionImage | None, remove: bool) -> None:
    if (image is not None or remove) and section.image is not None:
        db.session.delete(section.image)
        db.session.flush()
        section.image = None
    if image is not None:
        section.image = image


def add_section(newsletter: Newsletter, fields: SectionFields) -> Section:
    """Add a section (with its image, if any) at the end; all of it or nothing."""
    _guard(newsletter)
    image = _image_of(fields)
    section = _new_section(len(newsletter.sections), fields)
    newsletter.sections.append(section)
    _replace_image(section, image, False)
    _touch(newsletter)
    return section


def update_section(section: Section, fields: SectionFields) -> str | None:
    """Change a section (and its image); all of it or nothing. Return a note as update_newsletter does."""
    _guard(section.newsletter)
    image = _image_of(fields)
    _apply_section(section, fields)
    _replace_image(section, image, fields.remove_image)
    return _touch(section.newsletter)


def move_section(section: Section, step: int) -> None:
    """Move a section up (-1) or down (+1)."""
    newsletter = section.newsletter
    _guard(newsletter)
    sections = list(newsletter.sections)
    index = sections.index(section)
    target = index + step
    if 0 <= target < len(sections):
        sections[index], sections[target] = sections[target], sections[index]
        _renumber(sections)
    _touch(newsletter)


def delete_section(section: Section) -> None:
    newsletter = section.newsletter
    _guard(newsletter)
    newsletter.sections.remove(section)
    _renumber(newsletter.sections)
    _touch(newsletter)


def _renumber(sections) -> None:
    for position, section in enumerate(sections):
        section.position = position


def set_section_image(section: Section, data: bytes, filename: str, alt: str | None = None) -> SectionImage:
    """Store (or replace) the section's image; raises ImageError for a file that is not a usable image."""
    _guard(section.newsletter)
    _replace_image(section, _image_of(SectionFields(image_upload=(data, filename))), False)
    if alt is not None:
        section.image_alt = " ".join(alt.split())
    _touch(section.newsletter)
    return section.image


def delete_newsletter(newsletter: Newsletter) -> None:
    if not can_delete(newsletter):
        raise NewsletterError("Bara utkast kan tas bort. Ångra schemaläggningen först.")
    db.session.delete(newsletter)
    db.session.commit()


def all_newsletters() -> list[Newsletter]:
    return list(db.session.scalars(select(Newsletter).order_by(Newsletter.created_at.desc(), Newsletter.id.desc())))
