"""Checks of the links in something about to be sent: well-formed, https, descriptive text, no lookalikes.

A **lookalike** is a host a small edit away — one letter changed, two neighbours swapped, one added or one
removed — from a known domain (KNOWN_LINK_DOMAINS, the organisation's own by default) or from the host of
another link in the same message. Registration links with such typos do go out in real circulars, and the
reader lands on someone else's site. The comparison is made per host label as well, so that a typo inside a
vanity subdomain (`spfsenioerna.zoom.us` next to `spfseniorerna.zoom.us`) is caught. A host that *is* a known
domain, or a subdomain of one, is never flagged, and short labels (under four letters) are not compared, since
unrelated short names are often one letter apart (`scb.se`, `skr.se`).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

import idna
from flask import current_app, has_app_context
from rapidfuzz.distance import OSA

from .checks import Finding, error, warning
from .markdown import Link

#: Link texts that say nothing when a screen reader reads the links of a message on their own.
VAGUE_LINK_TEXTS = frozenset({
    "här", "klicka här", "läs här", "klicka", "länk", "länken", "denna länk", "den här länken", "läs mer",
    "mer", "mer info", "mer information", "click here", "here", "read more", "link",
})
#: The organisation's own domains, used when KNOWN_LINK_DOMAINS is not set.
DEFAULT_KNOWN_DOMAINS = ("spfseniorerna.se", "hemtjanstindex.se")
#: Labels shorter than this are never compared: short unrelated names are often one letter apart.
MIN_LABEL_LENGTH = 4


def known_domains() -> tuple[str, ...]:
    """Return the configured known domains (KNOWN_LINK_DOMAINS) plus the host of BASE_URL."""
    configured: Iterable[str] = DEFAULT_KNOWN_DOMAINS
    base_host = None
    if has_app_context():
        configured = current_app.config.get("KNOWN_LINK_DOMAINS") or DEFAULT_KNOWN_DOMAINS
        base_host = urlsplit(current_app.config.get("BASE_URL", "")).hostname
    domains = [d for d in (normalise_host(d) for d in configured) if d]
    if base_host and normalise_host(base_host) not in domains and "." in base_host:
        domains.append(normalise_host(base_host))
    return tuple(domains)


def normalise_host(host: str | None) -> str:
    """Return a host in lower-case ASCII (punycode) without a trailing dot, or "" when it is not a valid host."""
    host = (host or "").strip().rstrip(".").lower()
    if not host:
        return ""
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        return ""


def _is_within(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def _one_edit(a: str, b: str) -> bool:
    """Return whether `a` and `b` differ by exactly one change, swap, insertion or deletion."""
    return a != b and OSA.distance(a, b, score_cutoff=1) == 1


def lookalike_of(host: str, other: str) -> bool:
    """Return whether `host` looks like `other` without being it (or a subdomain of it, or its parent)."""
    if _is_within(host, other) or _is_within(other, host):
        return False
    mine, theirs = host.split("."), other.split(".")
    # Align from the right: "www.spfsenirerna.se" is compared with "spfseniorerna.se" label by label.
    width = min(len(mine), len(theirs))
    tail_mine, tail_theirs = mine[-width:], theirs[-width:]
    differing = [(a, b) for a, b in zip(tail_mine, tail_theirs) if a != b]
    if len(differing) == 1:
        a, b = differing[0]
        is_top_level = tail_mine[-1] == a
        long_enough = max(len(a), len(b)) >= MIN_LABEL_LENGTH
        rest_long_enough = any(len(label) >= MIN_LABEL_LENGTH for label in tail_mine if label != a)
        if _one_edit(a, b) and (long_enough or (is_top_level and rest_long_enough)):
            return True
    # A label of this host one edit from the distinctive name of the other ("spfsenioerna.zoom.us" and
    # "spfseniorerna.se"): the distinctive name is the label before the other's top-level domain.
    if len(theirs) >= 2:
        name = theirs[-2]
        if len(name) >= MIN_LABEL_LENGTH and any(_one_edit(label, name) for label in mine[:-1]):
            return True
    return False


def check_link(link: Link, field: str) -> list[Finding]:
    """Return the findings about one link on its own: form, scheme, host and link text."""
    findings: list[Finding] = []
    url = link.url.strip()
    shown = url if len(url) <= 80 else url[:77] + "…"
    parts = urlsplit(url)
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
    elif parts.scheme == "http":
        findings.append(warning(field, f"Länken ”{shown}” använder http, inte https. Kontrollera om sidan finns "
                                       "med https."))
    text = " ".join(link.text.split()).strip(" .:!").lower()
    if text in VAGUE_LINK_TEXTS:
        findings.append(warning(field, f"Länktexten ”{link.text.strip()}” säger inte vart länken leder. "
                                       "Skärmläsare läser länkar var för sig: skriv vad läsaren hittar där."))
    elif not text and parts.scheme != "mailto":
        findings.append(warning(field, f"Länken ”{shown}” har ingen text."))
    return findings


def lookalike_findings(links: Sequence[tuple[str, Link]], known: Sequence[str] | None = None) -> list[Finding]:
    """Return an error for every host that looks like a known domain or like another link's host.

    `links` are (field, link) pairs of one message; each suspicious host is reported once, naming its likely
    intended twin (a known domain, or the host that occurs more often in the message).
    """
    known = tuple(known) if known is not None else known_domains()
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
    findings: list[Finding] = []
    reported: set[str] = set()
    for field, host in hosts:
        if host in reported or any(_is_within(host, domain) for domain in known):
            continue
        # The likely twin is another link of the same message when there is one (it names the whole host,
        # vanity subdomain included); otherwise a known domain.
        # The suspicious one is the rarer of the pair; with a tie, the one found later in the text.
        candidates = [other for other in counts if other != host and other not in reported
                      and lookalike_of(host, other)
                      and (counts[other], -first_seen[other]) > (counts[host], -first_seen[host])]
        twin = max(candidates, key=lambda other: counts[other], default=None)
        source = "en annan länk i samma utskick"
        if twin is None:
            twin = next((domain for domain in known if lookalike_of(host, domain)), None)
            source = "en känd adress"
        if twin is not None:
            reported.add(host)
            findings.append(error(field, f"Adressen ”{_readable(host)}” liknar ”{_readable(twin)}” ({source}) "
                                         "men är inte samma. Stavfel i länkar leder läsaren till fel webbplats: "
                                         f"kontrollera om det ska vara {_readable(twin)}."))
    return findings


def check_links(links: Sequence[tuple[str, Link]], known: Sequence[str] | None = None) -> list[Finding]:
    """Return every finding about the links of one message: each link on its own, then lookalikes."""
    findings: list[Finding] = []
    for field, link in links:
        findings.extend(check_link(link, field))
    findings.extend(lookalike_findings(links, known))
    return findings


def _readable(host: str) -> str:
    try:
        return idna.decode(host) if "xn--" in host else host
    except idna.IDNAError:
        return host
