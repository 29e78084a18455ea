"""Whether one host looks like another without being it: the rule behind the lookalike-link check.

Hosts are compared in the form a reader sees (Unicode, lower case) and as a **skeleton**: every letter Unicode's
confusables data (UTS #39 `confusables.txt`, read through the `confusable-homoglyphs` package) says looks like
a Latin letter or digit is replaced by it, and letters that look alike share one form, so `spfseniorernа.se`
with a Cyrillic а, its punycode form `xn--spfseniorern-…`, `spfseniorema.se` (rn for m) and
`hemtjanstlndex.se` (l for i) all have the skeleton of the real domain. A host resembles another when

* its skeleton is the other's (the letters differ, the picture does not): **confusable**;
* it is one letter changed, swapped, added or removed from the other, per host label (against the
  organisation's own domains also in the Unicode form and the skeleton; a change of one digit for another is
  not counted: `us02web.zoom.us` and `us06web.zoom.us` are both real);
  the label before the top-level domain of the other may also be matched inside a vanity subdomain
  (`spfsenioerna.zoom.us` next to `spfseniorerna.se`): **typo**;
* with `names=True` (for the organisation's own domains): the host carries the other's name (or a typo or
  confusable of it) where a reader takes it for the owner's: under another top-level domain
  (`spfseniorerna.nu`, `hemtjanstindex.com`), as the part of the host its owner registers
  (`spfseniorerna-login.example`, `spfseniorerna.co.uk`), or with the whole domain in front of someone else's
  (`spfseniorerna.se.evil.example`): **borrowed name**. The name as a vanity subdomain on a platform
  (`spfseniorerna.zoom.us`) is allowed.

A host that *is* the other, a subdomain of it, or its parent is never a lookalike. Short labels (under four
letters) are not compared, since unrelated short names are often one letter apart (`scb.se`, `skr.se`).
"""
from __future__ import annotations

from enum import Enum
from functools import lru_cache

import idna

#: Labels shorter than this are never compared: short unrelated names are often one letter apart.
MIN_LABEL_LENGTH = 4
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _unicode_confusables():
    # Loaded on first use: reading its data takes a tenth of a second, and every process imports this module.
    from confusable_homoglyphs import confusables

    return confusables


class Resemblance(Enum):
    CONFUSABLE = "confusable"
    TYPO = "typo"
    BORROWED_NAME = "borrowed name"


def normalise_host(host: str | None) -> str:
    """Return a host in lower-case ASCII (punycode) without a trailing dot, or "" when it is not a valid host."""
    host = (host or "").strip().rstrip(".").lower()
    if not host:
        return ""
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        return ""


def readable_host(host: str) -> str:
    """Return the host as a reader sees it (Unicode instead of punycode)."""
    try:
        return idna.decode(host) if "xn--" in host else host
    except idna.IDNAError:
        return host


def is_within(host: str, domain: str) -> bool:
    """Return whether `host` is `domain` or a subdomain of it."""
    return host == domain or host.endswith("." + domain)


@lru_cache(maxsize=1)
def _ascii_lookalikes() -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    """Return Unicode's confusables among lower-case ASCII letters and digits as (one form per letter, sequences).

    The first maps every letter or digit to the representative of its group ('1', 'i' and 'l' share one;
    '0' and 'o' another); the second holds the letter sequences that look like one letter (('rn', 'm'),).
    Case is folded first, as hosts are (the data's 'I' → 'l' and '0' → 'O' hold for 'i' and 'o' in a host).
    """
    parent: dict[str, str] = {}

    def root(letter: str) -> str:
        while parent.get(letter, letter) != letter:
            letter = parent[letter]
        return letter

    sequences: set[tuple[str, str]] = set()
    for source, entries in _unicode_confusables().confusables_data.items():
        for entry in entries:
            a, b = source.lower(), entry["c"].lower()
            if a == b or not (set(a) <= _ASCII_ALNUM and set(b) <= _ASCII_ALNUM):
                continue
            if len(a) == 1 and len(b) == 1:
                first, second = sorted((root(a), root(b)))
                if first != second:
                    parent[second] = first
            elif min(len(a), len(b)) == 1:
                sequence, letter = (a, b) if len(a) > 1 else (b, a)
                sequences.add((sequence, letter))
    forms = {letter: root(letter) for letter in _ASCII_ALNUM}
    return forms, tuple(sorted((s, forms[letter]) for s, letter in sequences))


@lru_cache(maxsize=4096)
def _latin_twin(character: str) -> str | None:
    """Return the ASCII letter or digit Unicode says `character` looks like ('а' Cyrillic → 'a'), or None."""
    for entry in _unicode_confusables().confusables_data.get(character, ()):
        twin = entry["c"].lower()
        if len(twin) == 1 and twin in _ASCII_ALNUM:
            return twin
    return None


@lru_cache(maxsize=4096)
def skeleton(text: str) -> str:
    """Return what `text` (a host or a label, Unicode or punycode) looks like, as one ASCII-ish form."""
    forms, sequences = _ascii_lookalikes()
    letters = []
    for character in readable_host(text).lower():
        if not character.isascii():
            character = _latin_twin(character) or character
        letters.append(forms.get(character, character))
    result = "".join(letters)
    for sequence, letter in sequences:
        result = result.replace("".join(forms.get(c, c) for c in sequence), letter)
    return result


def mixes_scripts(host: str) -> bool:
    """Return whether a label of the host mixes alphabets with letters that pass for Latin ones (Cyrillic а)."""
    return any(_unicode_confusables().is_dangerous(label, preferred_aliases=["latin"])
               for label in readable_host(host).split("."))


@lru_cache(maxsize=1)
def _edit_distance():
    """Return rapidfuzz's OSA distance, loaded on the first comparison rather than in every process's start-up."""
    from rapidfuzz.distance import OSA

    return OSA.distance


def _one_edit(a: str, b: str) -> bool:
    """Return whether `a` and `b` differ by one change, swap, insertion or deletion (not one digit for another)."""
    if a == b or _edit_distance()(a, b, score_cutoff=1) != 1:
        return False
    if len(a) == len(b):
        differing = [(x, y) for x, y in zip(a, b) if x != y]
        if len(differing) == 1 and all(c.isdigit() for c in differing[0]):
            return False
    return True


def _labels_one_edit(host: str, other: str) -> bool:
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


def _alike(a: str, b: str) -> bool:
    return a == b or skeleton(a) == skeleton(b) or _one_edit(skeleton(a), skeleton(b))


def _borrows_name(host: str, other: str) -> bool:
    """Return whether `host` carries the name of the domain `other` where a reader takes it for the owner's."""
    mine = readable_host(host).split(".")
    theirs = readable_host(other).split(".")
    if theirs[0] == "www":
        theirs = theirs[1:]
    if len(theirs) < 2 or len(mine) < 2 or len(theirs[0]) < MIN_LABEL_LENGTH:
        return False
    name, suffix = theirs[0], theirs[1:]
    # The same name under another top-level domain: spfseniorerna.nu, hemtjanstindex.com.
    body = theirs[:-1]
    if len(mine) - 1 >= len(body) and _alike(".".join(mine[:-1][-len(body):]), ".".join(body)):
        return True
    for position, label in enumerate(mine[:-1]):
        if not any(_alike(part, name) for part in (label, *label.split("-")) if part):
            continue
        rest = mine[position + 1:]
        # The name as the part of the host its owner registers (spfseniorerna.co.uk, spfseniorerna-login.com)
        # rather than a vanity subdomain on a platform (spfseniorerna.zoom.us, which stays allowed) ...
        if len(rest) == 1 or all(len(label) <= 3 for label in rest):
            return True
        # ... or the whole domain in front of someone else's: spfseniorerna.se.evil.example.
        if len(rest) > len(suffix) and _alike(".".join(rest[:len(suffix)]), ".".join(suffix)):
            return True
    return False


def resemblance(host: str, other: str, *, names: bool = False) -> Resemblance | None:
    """Return how `host` passes for `other` without being it (see the module docstring), or None.

    Both are normalised hosts (`normalise_host`). `names=True` also looks for the other's name anywhere in the
    host, which is right for the organisation's own domains only.
    """
    if not host or not other or is_within(host, other) or is_within(other, host):
        return None
    host_text, other_text = readable_host(host), readable_host(other)
    if skeleton(host_text) == skeleton(other_text):
        return Resemblance.CONFUSABLE
    if _labels_one_edit(host, other):
        return Resemblance.TYPO
    if not names:
        return None
    # Against the organisation's own domains a typo also counts as the reader sees it: hemtjänstindex.se, and
    # spfsenlorerna.se (l for i). Between other sites that would flag real neighbours such as habo.se and
    # håbo.se, two municipalities.
    if _labels_one_edit(host_text, other_text) or _labels_one_edit(skeleton(host_text), skeleton(other_text)):
        return Resemblance.TYPO
    if _borrows_name(host, other):
        return Resemblance.BORROWED_NAME
    return None


def lookalike_of(host: str, other: str) -> bool:
    """Return whether `host` looks like `other` without being it (or a subdomain of it, or its parent)."""
    return resemblance(normalise_host(host), normalise_host(other)) is not None
