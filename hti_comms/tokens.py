"""Signed tokens for links in emails (unsubscribe, preferences, confirmations)."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class BadToken(ValueError):
    """The token was tampered with, is for something else, or has expired."""

    def __init__(self, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    # The purpose is the salt: a token made for one thing is never accepted for another.
    return _cached_serializer(current_app.config["SECRET_KEY"], purpose)


@lru_cache(maxsize=64)
def _cached_serializer(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    # Building a serializer costs about as much as signing; bulk email signs two tokens per recipient.
    return URLSafeTimedSerializer(secret_key, salt=f"hti-comms/{purpose}")


def make_token(purpose: str, payload: Any) -> str:
    """Return a URL-safe signed token carrying `payload` (JSON-serialisable)."""
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age_seconds: int | None = None) -> Any:
    """Return the payload of a token made for `purpose`, or raise BadToken."""
    try:
        return _serializer(purpose).loads(token, max_age=max_age_seconds)
    except SignatureExpired:
        raise BadToken(expired=True) from None
    except BadSignature:
        raise BadToken() from None
