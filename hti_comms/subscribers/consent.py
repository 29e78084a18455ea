"""The consent texts people agree to; every consent stored names the version it was given under."""
from __future__ import annotations

#: Version -> the text shown next to the consent box. Never edit a published text: add a new version.
CONSENT_TEXTS: dict[str, str] = {
    "2026-11": (
        "Jag vill få e-post från SPF Seniorerna om Hemtjänstindex på de listor jag har valt. "
        "SPF Seniorerna sparar mitt namn, min e-postadress, mitt uppdrag och min kommun för att kunna skicka "
        "utskicken, och sparar när och hur jag lämnade mitt samtycke. Jag kan när som helst avsluta via länken "
        "i varje e-brev, och då slutar utskicken direkt. Jag kan också be att få se eller radera mina uppgifter."
    ),
}
CURRENT_VERSION = "2026-11"


def current_text() -> str:
    """Return the consent text shown today."""
    return CONSENT_TEXTS[CURRENT_VERSION]
