"""What a send is about: the domain that made it, the kind of thing, and that thing's key.

Every send carries its owner in indexed columns (`Send.owner_domain`, `owner_kind`, `owner_key`), so a domain
finds its sends by owner (`delivery.api.sends_for`) and never by parsing a reference string.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Owner:
    """The thing a send is about, e.g. Owner("newsletters", "newsletter", "14")."""

    #: The domain's name (`Domain.name`, the package's last part: "newsletters", "publication").
    domain: str
    #: What kind of thing within the domain ("newsletter", "embargo-summary").
    kind: str
    #: Its key within the kind ("14", "2025:0114"); "" when the kind has one thing only.
    key: str = ""

    @classmethod
    def of(cls, domain: str, kind: str, *parts: object) -> Owner:
        """Return the owner whose key is made of `parts` (a year and a municipality code: "2025:0114")."""
        return cls(domain, kind, ":".join(str(part) for part in parts))

    @property
    def parts(self) -> tuple[str, ...]:
        """The parts `of` joined into the key (("2025", "0114")); () for an empty key."""
        return tuple(self.key.split(":")) if self.key else ()

    def __post_init__(self) -> None:
        for name in ("domain", "kind"):
            if not getattr(self, name):
                raise ValueError(f"an owner needs a {name}")
        if len(self.domain) > 40 or len(self.kind) > 50 or len(self.key) > 100:
            raise ValueError("an owner's domain, kind or key is too long")
