"""The one rule for email addresses: every form, importer, command and the outbox use it.

An address is stored and sent in ASCII: the domain as punycode (`anna@xn--exmpel-cua.se`), the whole address in
lower case. It is shown with the domain in Unicode (`anna@exämpel.se`). Letters such as å, ä, ö before the @
need SMTPUTF8 all the way to the reader's mail server; unless SMTP_UTF8 is switched on, they are refused at
entry with a Swedish message, so that nothing is accepted that can never be sent.
"""
from __future__ import annotations

import idna
from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_app_context

MAX_LENGTH = 254


class InvalidAddress(ValueError):
    """An address that cannot be accepted; the message is Swedish and names the address."""


def _smtputf8_allowed() -> bool:
    return has_app_context() and bool(current_app.config.get("SMTP_UTF8"))


def normalise_address(text: str | None) -> str:
    """Return the address as it is stored and sent (ASCII domain, lower case), or raise InvalidAddress."""
    raw = (text or "").strip()
    if not raw:
        raise InvalidAddress("E-postadressen saknas.")
    shown = raw if raw.isprintable() else repr(raw)[1:-1]
    if len(raw) > MAX_LENGTH:
        raise InvalidAddress(f"E-postadressen är för lång (högst {MAX_LENGTH} tecken).")
    allow_utf8 = _smtputf8_allowed()
    try:
        result = validate_email(raw, check_deliverability=False, allow_smtputf8=allow_utf8)
    except EmailNotValidError as exc:
        local = raw.rpartition("@")[0]
        if local and not local.isascii() and not allow_utf8:
            raise InvalidAddress(
                f"”{shown}” går inte att skicka e-post till: bokstäver som å, ä och ö före @ fungerar inte i "
                "alla e-postsystem. Kontrollera adressen med mottagaren.") from None
        raise InvalidAddress(f"”{shown}” är ingen giltig e-postadress.") from exc
    address = (result.ascii_email or result.normalized).lower()
    if len(address) > MAX_LENGTH:
        raise InvalidAddress(f"E-postadressen är för lång (högst {MAX_LENGTH} tecken).")
    return address


def is_valid_address(text: str | None) -> bool:
    """Return whether `text` passes normalise_address."""
    try:
        normalise_address(text)
    except InvalidAddress:
        return False
    return True


def display_address(stored: str) -> str:
    """Return a stored address with its domain in Unicode, for pages and exports (punycode is unreadable)."""
    local, at, domain = (stored or "").rpartition("@")
    if not at or "xn--" not in domain:
        return stored
    try:
        return f"{local}@{idna.decode(domain)}"
    except idna.IDNAError:
        return stored
