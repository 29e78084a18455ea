"""The one rule for email addresses: every form, importer, command and the outbox use it.

An address is stored and sent in ASCII: the domain as punycode (`anna@xn--exmpel-cua.se`), the whole address in
lower case. It is shown with the domain in Unicode (`anna@exämpel.se`). Letters such as å, ä, ö before the @
need SMTPUTF8 all the way to the reader's mail server; unless SMTP_UTF8 is switched on, they are refused at
entry with a Swedish message, so that nothing is accepted that can never be sent.
"""
from __future__ import annotations

import re
from functools import lru_cache

import idna
from flask import current_app, has_app_context

MAX_LENGTH = 254
#: A plain ASCII local part (RFC 5322 dot-atom), which email-validator accepts as it is, in any setting.
_PLAIN_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")


class InvalidAddress(ValueError):
    """An address that cannot be accepted; the message is Swedish and names the address."""


def _smtputf8_allowed() -> bool:
    return has_app_context() and bool(current_app.config.get("SMTP_UTF8"))


def normalise_address(text: str | None) -> str:
    """Return the address as it is stored and sent (ASCII domain, lower case), or raise InvalidAddress."""
    raw = (text or "").strip()
    if not raw:
        raise InvalidAddress("E-postadressen saknas.")
    local, at, domain = raw.rpartition("@")
    if at and len(raw) <= MAX_LENGTH and len(local) <= 64 and _PLAIN_LOCAL_PART.match(local):
        # The common case, fast (a contact file has 100,000 addresses at a few domains): email-validator's
        # verdict on a plain local part never changes, and on a domain it is the same for every address there.
        ascii_domain = _ascii_domain(domain)
        if ascii_domain is not None and len(local) + 1 + len(ascii_domain) <= MAX_LENGTH:
            return f"{local.lower()}@{ascii_domain}"
    shown = raw if raw.isprintable() else repr(raw)[1:-1]
    if len(raw) > MAX_LENGTH:
        raise InvalidAddress(f"E-postadressen är för lång (högst {MAX_LENGTH} tecken).")
    allow_utf8 = _smtputf8_allowed()
    from email_validator import EmailNotValidError, validate_email  # loaded when first needed, not at start-up

    try:
        result = validate_email(raw, check_deliverability=False, allow_smtputf8=allow_utf8)
    except EmailNotValidError as exc:
        local = raw.rpartition("@")[0]
        if local and not local.isascii() and not allow_utf8:
            raise InvalidAddress(
                f"”{shown}” går inte att skicka e-post till: bokstäver som å, ä och ö före @ fungerar inte i "
                "alla e-postsystem. Kontrollera adressen med mottagaren.") from None
        raise InvalidAddress(f"”{shown}” är ingen giltig e-postadress.") from exc
    # With SMTPUTF8 the local part may stay Unicode; the domain is stored in ASCII all the same.
    address = (result.ascii_email or f"{result.local_part}@{result.ascii_domain}").lower()
    if len(address) > MAX_LENGTH:
        raise InvalidAddress(f"E-postadressen är för lång (högst {MAX_LENGTH} tecken).")
    return address


@lru_cache(maxsize=4096)
def _ascii_domain(domain: str) -> str | None:
    """Return the domain as stored (punycode, lower case) if email-validator accepts it, else None."""
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email("x@" + domain, check_deliverability=False).ascii_domain.lower()
    except EmailNotValidError:
        return None


def is_same_address(typed: str, stored: str) -> bool:
    """Return whether what someone typed is the stored address, however it is written."""
    try:
        return normalise_address(typed) == stored
    except InvalidAddress:
        return False


def lookup_form(text: str | None) -> str:
    """Return the stored form of an address given from outside (a bounce report, a staff search, a command), to
    look it up: as normalise_address makes it when valid, else trimmed and in lower case (an address that was
    never valid is not stored, so it simply finds nothing)."""
    try:
        return normalise_address(text)
    except InvalidAddress:
        return (text or "").strip().lower()


def search_form(text: str) -> str:
    """Return a search text as it would appear in stored addresses ("exämpel" → "xn--exmpel-cua"), lower case."""
    text = (text or "").strip().lower()
    if text.isascii():
        return text
    local, at, domain = text.rpartition("@")
    labels = []
    for label in domain.split("."):
        try:
            labels.append(idna.encode(label, uts46=True).decode("ascii") if label else label)
        except idna.IDNAError:
            return text
    return f"{local}{at}{'.'.join(labels)}"


def display_address(stored: str) -> str:
    """Return a stored address with its domain in Unicode, for pages and exports (punycode is unreadable)."""
    local, at, domain = (stored or "").rpartition("@")
    if not at or "xn--" not in domain:
        return stored
    try:
        return f"{local}@{idna.decode(domain)}"
    except idna.IDNAError:
        return stored


class AddressValidator:
    """A WTForms validator applying this rule, so a form shows the Swedish message beside the field.

    The field keeps what the person typed (shown again if the form has other errors); services store
    `normalise_address(field.data)`.
    """

    def __init__(self, hint: str = ""):
        self.hint = hint

    def __call__(self, form, field) -> None:
        from wtforms.validators import StopValidation

        if not field.data:
            return
        try:
            normalise_address(field.data)
        except InvalidAddress as exc:
            raise StopValidation(" ".join(filter(None, (str(exc), self.hint)))) from None
