"""One owner for a contact's postal address and channel: read, checked and normalised the same way on the staff
contact page and in the contact import (Swedish messages name the field)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .models import Channel, Contact

_POSTCODE = re.compile(r"^(\d{3})\s?(\d{2})$")
#: What staff may write in the import's `kanal` column, and the channel it means.
CHANNEL_WORDS = {"e-post": Channel.EMAIL, "epost": Channel.EMAIL, "mejl": Channel.EMAIL, "brev": Channel.LETTER,
                 "post": Channel.LETTER}


class PostalError(ValueError):
    """A Swedish message naming the field that is wrong."""


@dataclass(frozen=True)
class PostalDetails:
    channel: Channel = Channel.EMAIL
    postal_name: str = ""
    street_address: str = ""
    postcode: str = ""
    town: str = ""


def parse_channel(text: str | None) -> Channel:
    """Return the channel written as "e-post" or "brev" (empty: e-post); raise PostalError otherwise."""
    word = (text or "").strip().lower()
    if not word:
        return Channel.EMAIL
    if word not in CHANNEL_WORDS:
        raise PostalError(f"kanal: ”{text.strip()}” är inget sätt att få utskick. Skriv e-post eller brev.")
    return CHANNEL_WORDS[word]


def checked_postal(channel: Channel, postal_name: str, street: str, postcode: str, town: str,
                   has_email: bool) -> PostalDetails:
    """Return the details trimmed and the postcode written "123 45"; raise PostalError naming the field."""
    street, town, postal_name = " ".join(street.split()), " ".join(town.split()), " ".join(postal_name.split())
    postcode = postcode.strip()
    if postcode:
        match = _POSTCODE.match(postcode)
        if match is None:
            raise PostalError(f"postnummer: ”{postcode}” är inget postnummer. Skriv fem siffror, till exempel 123 45.")
        postcode = f"{match.group(1)} {match.group(2)}"
    given = {"adress": street, "postnummer": postcode, "ort": town}
    if any(given.values()) or channel is Channel.LETTER:
        missing = [name for name, value in given.items() if not value]
        if missing:
            reason = "brev skickas med posten" if channel is Channel.LETTER else "adressen är ofullständig"
            words = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " och " + missing[-1]
            raise PostalError(f"{missing[0]}: fyll i {words} – {reason}.")
    if channel is Channel.EMAIL and not has_email:
        raise PostalError("e-postadress: skriv en e-postadress, eller välj brev som sätt att få utskick.")
    if len(street) > 200 or len(town) > 80 or len(postal_name) > 120:
        raise PostalError("adress: för lång. Högst 200 tecken för gatuadressen och 80 för orten.")
    return PostalDetails(channel, postal_name, street, postcode, town)


def apply_postal(contact: Contact, details: PostalDetails) -> None:
    contact.channel = details.channel
    contact.postal_name = details.postal_name
    contact.street_address, contact.postcode, contact.town = details.street_address, details.postcode, details.town


def postal_from_form(form) -> PostalDetails:
    """Return the channel and postal address of the staff contact form, checked (PostalError names the field)."""
    return checked_postal(Channel(form.channel.data), form.postal_name.data or "", form.street_address.data or "",
                          form.postcode.data or "", form.town.data or "", has_email=bool(form.email.data))
