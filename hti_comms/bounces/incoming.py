"""One message that came back, as every way in hands it to the processor (a module of its own, without the
database, so the bounce inbox's SMTP process can spool messages without loading the app)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Incoming:
    """One message that came back, and the envelope recipients it arrived for (when known)."""

    raw: bytes
    envelope_to: tuple[str, ...] = ()
