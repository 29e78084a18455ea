"""Checks of the links in something about to be sent: well-formed, https, honest text, no lookalikes.

A **lookalike** (`hti_comms.lookalikes`) is a host that passes for another without being it: a typo, letters
from another alphabet that look the same, or the organisation's name on someone else's domain. Every http(s)
host of a message is compared with

1. the organisation's own domains (`ORGANISATION_DOMAINS`, plus the host of `BASE_URL`), name rule included;
2. the other links of the same message (the suspicious one is the rarer of a pair);
3. every host already used in what went out before: links of sent newsletters and of events that have taken
   place (each domain declares its own in `Domain.link_history`). A host that is itself in that history is
   not compared with it, and a history host that resembles an organisation domain is still reported.

Each link on its own must also be honest: no user name before an @ (`https://spfseniorerna.se@evil.example/`
goes to evil.example), no label mixing alphabets, and link text that shows an address must show the one the
link goes to. Registration links with typos do go out in real circulars, and the reader lands on someone
else's site.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app, has_app_context

from .checks import Finding, error, warning
from .lookalikes import (Resemblance, is_within, lookalike_of, mixes_scripts, normalise_host, readable_host,
                         resemblance)
from .markdown import Link

__all__ = ["check_link", "check_links", "known_domains", "history_hosts", "lookalike_findings", "lookalike_of",
           "normalise_host"]

#: Link texts that say nothing when a screen reader reads the links of a message on their own.
VAGUE_LINK_TEXTS = frozenset({
    "här", "klicka här", "läs här", "klicka", "länk", "länken", "denna länk", "den här länken", "läs mer",
    "mer", "mer info", "mer information", "click here", "here", "read more", "link",
})
#: The organisation's own domains outside an app (the app reads ORGANISATION_DOMAINS, hti_comms.config).
DEFAULT_KNOWN_DOMAINS = ("spfseniorerna.se", "hemtjanstindex.se", "spfseniorerna-se.zoom.us")


def known_domains() -> tuple[str, ...]:
    """Return the organisation's own domains (ORGANISATION_DOMAINS) plus the host of BASE_URL."""
    configured: Sequence[str] = DEFAULT_KNOWN_DOMAINS
    base_host = None
    if has_app_context():
        configured = current_app.config.get("ORGANISATION_DOMAINS") or DEFAULT_KNOWN_DOMAINS
        base_host = urlsplit(current_app.config.get("BASE_URL", "")).hostname
    domains = [d for d in (normalise_host(d) for d in configured) if d]
    if base_host and normalise_host(base_host) not in domains and "." in base_host:
        domains.append(normalise_host(base_host))
    return tuple(domains)


def history_hosts() -> frozenset[str]:
    """Return the hosts of every address the domains say already went out (`Domain.link_history`)."""
    if not has_app_context():
        return frozenset()
    from .domain import registry

    hosts = set()
    for addresses in registry().link_history:
        for url in addresses():
            parts = urlsplit((url or "").strip())
            if parts.scheme in ("http", "https"):
                host = normalise_host(parts.hostname)
                if host:
                    hosts.add(host)
    return frozenset(hosts)


@lru_cache(maxsize=1)
def _address_finder():
    # The same reader the Markdown renderer links bare addresses with: what counts as an address is one rule.
    from linkify_it import LinkifyIt

    return LinkifyIt()


def _addresses_shown(text: str) -> list[str]:
    """Return the hosts a link text shows as addresses ("www.spfseniorerna.se/anmalan" → spfseniorerna.se…)."""
    finder = _address_finder()
    if not text or not finder.test(text):
        return []
    hosts = []
    for match in finder.match(text) or ():
        parts = urlsplit(match.url)
        if parts.scheme in ("http", "https") and normalise_host(parts.hostname):
            hosts.append(normalise_host(parts.hostname))
    return hosts


def _shown(url: str) -> str:
    return url if len(url) <= 80 else url[:77] + "…"


def check_link(link: Link, field: str) -> list[Finding]:
    """Return the findings about one link on its own: form, scheme, host, user name and link text."""
    findings: list[Finding] = []
    url = link.url.strip()
    shown = _shown(url)
    parts = urlsplit(url)
    host = ""
    if parts.scheme == "mailto":
        if "@" not in parts.path:
            findings.append(error(field, f"E-postlänken ”{shown}” saknar en adress."))
    elif parts.scheme not in ("http", "https") or not parts.netloc:
        findings.append(error(field, f"Länken ”{shown}” är inte en fullständig webbadress (den ska börja med "
                                     "https://)."))
        return findings
    elif not normalise_host(parts.hostname):
        findings.append(error(field, f"Länken ”{shown}” har ett ogiltigt värdnamn."))
    elif any(c.isspace() or c in '"<>\\' for c in url):
        findings.append(error(field, f"Länken ”{shown}” innehåller mellanslag, citattecken eller andra tecken som "
                                     "inte hör hemma i en webbadress. Kopiera adressen igen från webbläsaren."))
    else:
        host = normalise_host(parts.hostname)
        if "@" in parts.netloc:
            # https://spfseniorerna.se@evil.example/ shows one name and goes to the host after the @.
            findings.append(error(field, f"Länken ”{shown}” har ett @ före webbplatsens namn och leder därför till "
                                         f"{readable_host(host)}, inte till det som står före @. Skriv adressen "
                                         "utan användarnamn."))
        if mixes_scripts(host):
            findings.append(error(field, f"Adressen ”{readable_host(host)}” ({host}) blandar bokstäver från olika "
                                         "alfabet som ser likadana ut, till exempel ett kyrilliskt а bland svenska "
                                         "bokstäver. Sådana adresser används för att lura läsare: kontrollera den."))
        if parts.scheme == "http":
            findings.append(warning(field, f"Länken ”{shown}” använder http, inte https. Kontrollera om sidan finns "
                                           "med https."))
    text = " ".join(link.text.split()).strip(" .:!").lower()
    if text in VAGUE_LINK_TEXTS:
        findings.append(warning(field, f"Länktexten ”{link.text.strip()}” säger inte vart länken leder. "
                                       "Skärmläsare läser länkar var för sig: skriv vad läsaren hittar där."))
    elif not text and parts.scheme != "mailto":
        findings.append(warning(field, f"Länken ”{shown}” har ingen text."))
    if host:
        other = next((shown_host for shown_host in _addresses_shown(link.text)
                      if not (is_within(host, shown_host) or is_within(shown_host, host))), None)
        if other is not None:
            findings.append(error(field, f"Länktexten visar adressen ”{readable_host(other)}”, men länken går till "
                                         f"”{readable_host(host)}”. Läsaren tror sig veta vart länken leder: låt "
                                         "texten visa samma adress som länken, eller skriv med ord vad som finns "
                                         "där."))
    return findings


_SOURCES = {"message": "en annan länk i samma utskick", "known": "en känd adress",
            "history": "en adress i ett tidigare utskick eller evenemang"}


def _message(host: str, twin: str, how: Resemblance, source: str) -> str:
    seen, intended = readable_host(host), readable_host(twin)
    written = f" (skriven {host})" if seen != host else ""
    where = _SOURCES[source]
    if how is Resemblance.CONFUSABLE:
        return (f"Adressen ”{seen}”{written} ser ut som ”{intended}” ({where}) men är skriven med andra tecken, "
                "till exempel bokstäver från ett annat alfabet eller rn i stället för m. Den leder till en annan "
                f"webbplats: kontrollera om det ska vara {intended}.")
    if how is Resemblance.BORROWED_NAME:
        return (f"Adressen ”{seen}”{written} bär namnet i ”{intended}” ({where}) men hör inte till den webbplatsen "
                "(till exempel en annan toppdomän som .nu eller .com). Det kan vara någon annans webbplats: "
                f"kontrollera om det ska vara {intended}.")
    return (f"Adressen ”{seen}”{written} liknar ”{intended}” ({where}) men är inte samma. Stavfel i länkar leder "
            f"läsaren till fel webbplats: kontrollera om det ska vara {intended}.")


def lookalike_findings(links: Sequence[tuple[str, Link]], known: Sequence[str] | None = None,
                       history: Sequence[str] | None = None) -> list[Finding]:
    """Return an error for every host that passes for an organisation domain, another link's host or a host
    used before.

    `links` are (field, link) pairs of one message; each suspicious host is reported once, naming its likely
    intended twin. `known` defaults to `known_domains()`, `history` to `history_hosts()`.
    """
    known = tuple(known) if known is not None else known_domains()
    history_set = frozenset(history) if history is not None else history_hosts()
    hosts: list[tuple[str, str]] = []
    for field, link in links:
        parts = urlsplit(link.url.strip())
        host = normalise_host(parts.hostname) if parts.scheme in ("http", "https") else ""
        if host:
            hosts.append((field, host))
    counts = Counter(host for _field, host in hosts)
    first_seen: dict[str, int] = {}
    for index, (_field, host) in enumerate(hosts):
        first_seen.setdefault(host, index)
    # Hosts used before are compared with unless they are themselves within the organisation's domains.
    earlier = sorted(h for h in history_set if not any(is_within(h, domain) for domain in known))
    findings: list[Finding] = []
    reported: set[str] = set()
    for field, host in hosts:
        if host in reported or any(is_within(host, domain) for domain in known):
            continue
        # The likely twin is another link of the same message when there is one (it names the whole host,
        # vanity subdomain included); then an organisation domain; then a host used before.
        # Within the message the suspicious one is the rarer of the pair; with a tie, the one found later.
        found = None
        candidates = [other for other in counts if other != host and other not in reported
                      and resemblance(host, other) is not None
                      and (counts[other], -first_seen[other]) > (counts[host], -first_seen[host])]
        if candidates:
            twin = max(candidates, key=lambda other: counts[other])
            found = (twin, resemblance(host, twin), "message")
        if found is None:
            found = next(((domain, how, "known") for domain in known
                          if (how := resemblance(host, domain, names=True)) is not None), None)
        if found is None and host not in history_set:
            found = next(((other, how, "history") for other in earlier
                          if (how := resemblance(host, other)) is not None), None)
        if found is not None:
            reported.add(host)
            findings.append(error(field, _message(host, *found)))
    return findings


def check_links(links: Sequence[tuple[str, Link]], known: Sequence[str] | None = None,
                history: Sequence[str] | None = None) -> list[Finding]:
    """Return every finding about the links of one message: each link on its own, then lookalikes."""
    findings: list[Finding] = []
    for field, link in links:
        findings.extend(check_link(link, field))
    findings.extend(lookalike_findings(links, known, history))
    return findings
