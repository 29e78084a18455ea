"""Signed tokens: the one place where the links in emails are signed and checked.

Two kinds, both signed with the app's keys (`SECRET_KEY`, plus `SECRET_KEY_FALLBACKS` still accepted so that
keys can be rotated without breaking links already sent):

* **Personal tokens** (`make_personal_token` / `read_personal_token`) name an opaque, random key of whom the
  link is about (`Contact.link_key`; an event registration's key later), never an address, and carry their
  own expiry. Rotating the subject's key kills every link made for it. A domain that sends a personal link
  uses these two functions and never itsdangerous itself.
* **Timed tokens** (`make_token` / `read_token`) carry any small JSON payload and are checked against a
  maximum age when read (the confirmation link, and the unsubscribe links mailed before personal tokens).

The purpose is part of the signature: a token made for one thing is never accepted for another. Expiry follows
the application clock (`hti_comms.clock`), so demos and tests can move time.
"""
from __future__ import annotations

import base64
import hmac
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeSerializer, URLSafeTimedSerializer

from . import clock

#: Payload keys a personal token uses itself; a domain's extra values take other (short) names.
_SUBJECT, _EXPIRES = "s", "x"


class BadToken(ValueError):
    """The token was tampered with, is for something else, or has expired.

    For an expired personal token `subject` says whom it was made for (the signature was genuine), so that a
    page can offer to send a fresh link to the address on file.
    """

    def __init__(self, expired: bool = False, subject: str | None = None):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired
        self.subject = subject


@dataclass(frozen=True)
class PersonalToken:
    """What a genuine, unexpired personal token says."""

    subject: str
    extra: dict[str, Any] = field(default_factory=dict)
    expires_at: datetime | None = None


def new_subject_key() -> str:
    """Return a fresh random key to name a person in links (22 URL-safe characters, 128 bits)."""
    return secrets.token_urlsafe(16)


def signing_keys() -> tuple[str, ...]:
    """Return the keys tokens are checked with, oldest first; the last one (SECRET_KEY) signs."""
    config = current_app._get_current_object().config  # not through the proxy: read for every token
    return (*config.get("SECRET_KEY_FALLBACKS", ()), config["SECRET_KEY"])


class _ClockSigner(TimestampSigner):
    """Timestamps from the application clock, so a moved clock ages timed tokens too."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


@lru_cache(maxsize=64)
def _timed_serializer(keys: tuple[str, ...], purpose: str) -> URLSafeTimedSerializer:
    # Building a serializer costs about as much as signing; bulk email signs tokens for every recipient.
    return URLSafeTimedSerializer(list(keys), salt=f"hti-comms/{purpose}", signer=_ClockSigner)


@lru_cache(maxsize=64)
def _personal_serializer(keys: tuple[str, ...], purpose: str) -> URLSafeSerializer:
    # A salt of its own: a personal token never reads as a timed token of the same purpose, or back.
    return URLSafeSerializer(list(keys), salt=f"hti-comms/personal/{purpose}")


@lru_cache(maxsize=128)
def _signing(serializer: URLSafeSerializer) -> tuple[hmac.HMAC, bytes]:
    # The library derives the key (from the newest of the keys) and knows the format; only the per-token work
    # is done by hand below, from an HMAC keyed once here (by the digest's name, so OpenSSL computes it).
    signer = serializer.make_signer()
    sep = signer.sep if isinstance(signer.sep, bytes) else signer.sep.encode("ascii")
    return hmac.new(signer.derive_key(), digestmod=signer.digest_method().name), sep


@lru_cache(maxsize=64)
def _personal_signing(keys: tuple[str, ...], purpose: str) -> tuple[hmac.HMAC, bytes]:
    # One cache look-up per token instead of two.
    return _signing(_personal_serializer(keys, purpose))


def _signature(keyed: hmac.HMAC, value: bytes) -> bytes:
    mac = keyed.copy()  # the keyed state is shared by every token of its purpose
    mac.update(value)
    return _base64(mac.digest())


def _base64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


#: As itsdangerous writes JSON: compact, non-ASCII kept as UTF-8. Made once: json.dumps with options makes an
#: encoder per call, a third of the cost of a personal token.
_COMPACT_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _compact_json(payload: Any) -> bytes:
    return _COMPACT_JSON.encode(payload).encode("utf-8")


def make_token(purpose: str, payload: Any) -> str:
    """Return a URL-safe signed token carrying `payload` (JSON-serialisable) and the time it was made.

    The same token itsdangerous' URLSafeTimedSerializer makes (and reads back in read_token), without its
    per-call overhead: bulk email signs tokens for every recipient.
    """
    keyed, sep = _signing(_timed_serializer(signing_keys(), purpose))
    timestamp = int(clock.now().timestamp())
    value = _base64(_compact_json(payload)) + sep + _base64(timestamp.to_bytes(8, "big").lstrip(b"\x00"))
    return (value + sep + _signature(keyed, value)).decode("ascii")


def read_token(purpose: str, token: str, max_age_seconds: int | None = None) -> Any:
    """Return the payload of a timed token made for `purpose`, or raise BadToken."""
    try:
        return _timed_serializer(signing_keys(), purpose).loads(token, max_age=max_age_seconds)
    except SignatureExpired:
        raise BadToken(expired=True) from None
    except BadSignature:
        raise BadToken() from None


def make_personal_token(purpose: str, subject: str, max_age: timedelta | None, **extra: Any) -> str:
    """Return a token for a link about `subject` (an opaque key), valid for `max_age` (None: until revoked).

    `extra` holds small JSON values the page needs besides the subject (e.g. `l="nyhetsbrev"`).
    """
    if not subject:
        raise ValueError("a personal token needs a subject key")
    payload: dict[str, Any] = {_SUBJECT: subject, **extra}
    if max_age is not None:
        payload[_EXPIRES] = int((clock.now() + max_age).timestamp())
    # What URLSafeSerializer.dumps makes (read back by read_personal_token), at a fraction of its cost: the send
    # worker signs two of these for every recipient of a list email.
    keyed, sep = _personal_signing(signing_keys(), purpose)
    value = _base64(_compact_json(payload))
    return (value + sep + _signature(keyed, value)).decode("ascii")


def read_personal_token(purpose: str, token: str) -> PersonalToken:
    """Return what a personal token made for `purpose` says, or raise BadToken (`expired` with its subject)."""
    try:
        payload = _personal_serializer(signing_keys(), purpose).loads(token)
    except BadSignature:
        raise BadToken() from None
    if not isinstance(payload, dict) or not isinstance(payload.get(_SUBJECT), str):
        raise BadToken()
    subject = payload.pop(_SUBJECT)
    expires = payload.pop(_EXPIRES, None)
    expires_at = None
    if expires is not None:
        if not isinstance(expires, int):
            raise BadToken()
        expires_at = datetime.fromtimestamp(expires, timezone.utc)
        if clock.now() >= expires_at:
            raise BadToken(expired=True, subject=subject)
    return PersonalToken(subject=subject, extra=payload, expires_at=expires_at)


def make_municipality_token(purpose: str, contact_key: str, year: int, municipality_code: str) -> str:
    """Return a personal token naming an order contact, a year and a municipality (it never expires by itself)."""
    return make_personal_token(purpose, contact_key, None, y=year, m=municipality_code)


def read_municipality_token(purpose: str, token: str) -> tuple[str, int, str] | None:
    """Return (contact key, year, municipality code) of a genuine token made for `purpose`, or None."""
    try:
        read = read_personal_token(purpose, token)
    except BadToken:
        return None
    year, code = read.extra.get("y"), read.extra.get("m")
    if not isinstance(year, int) or not isinstance(code, str):
        return None
    return read.subject, year, code
