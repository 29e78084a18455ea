"""The VERP envelope sender: each message's return path names its outbox row, so a bounce finds it.

Every message goes out with the envelope sender `BOUNCE_LOCAL_PART+<token>@BOUNCE_DOMAIN`. The token is the
outbox row's id and an HMAC of it with the app's secret key: nothing is stored per message (sending 100,000
messages writes no extra column or index), a token cannot be made up for a row without the key (a forged
report naming someone else's row is refused), and it holds no address. Lower-case letters and digits only,
because some relays fold the case of a local part. Keys in `SECRET_KEY_FALLBACKS` are still accepted, so
rotating the key does not orphan the bounces of mail already sent.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

_PURPOSE = b"hti-verp:"
#: 80 bits of signature: guessing one is hopeless, and the local part stays short.
_SIGNATURE_BYTES = 10


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if not number:
            return text


def _signature(key: bytes, outbox_id: int) -> str:
    digest = hmac.digest(key, _PURPOSE + str(outbox_id).encode("ascii"), hashlib.sha256)[:_SIGNATURE_BYTES]
    return base64.b32encode(digest).decode("ascii").lower()


def _key(secret: str | bytes) -> bytes:
    return secret.encode("utf-8") if isinstance(secret, str) else secret


@dataclass(frozen=True)
class Verp:
    """Makes and reads the envelope senders of one configuration."""

    local_part: str
    domain: str
    keys: tuple[bytes, ...]  # the current key last, as in hti_comms.tokens

    @classmethod
    def from_config(cls, config: Mapping) -> Verp:
        secrets = (*config.get("SECRET_KEY_FALLBACKS", ()), config["SECRET_KEY"])
        return cls(config["BOUNCE_LOCAL_PART"], config["BOUNCE_DOMAIN"], tuple(_key(s) for s in secrets))

    def token(self, outbox_id: int) -> str:
        return f"{_base36(outbox_id)}-{_signature(self.keys[-1], outbox_id)}"

    def envelope_sender(self, outbox_id: int) -> str:
        """Return the envelope sender (MAIL FROM) of the outbox row's message."""
        return f"{self.local_part}+{self.token(outbox_id)}@{self.domain}"

    def is_bounce_address(self, address: str) -> bool:
        """Return whether `address` is one of ours (any token, genuine or not): the bounce inbox accepts it."""
        local, _, domain = address.strip().strip("<>").lower().rpartition("@")
        base, plus, _token = local.partition("+")
        return domain == self.domain and base == self.local_part and bool(plus)

    def outbox_id(self, address_or_token: str) -> int | None:
        """Return the outbox row a VERP address or token names, or None when it is not a genuine one of ours."""
        text = address_or_token.strip().strip("<>").lower()
        if "@" in text:
            if not self.is_bounce_address(text):
                return None
            text = text.rpartition("@")[0].partition("+")[2]
        number, dash, signature = text.partition("-")
        if not dash or not number.isalnum() or not number.isascii() or len(number) > 12:
            return None
        try:
            outbox_id = int(number, 36)
        except ValueError:
            return None
        if any(hmac.compare_digest(_signature(key, outbox_id), signature) for key in self.keys):
            return outbox_id
        return None
