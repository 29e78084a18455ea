"""Plain Swedish: find English words, internal codes and unfilled placeholders in what a reader sees."""
from __future__ import annotations

import re

#: English words that have leaked into Swedish pages before, or would if a label were forgotten.
ENGLISH_WORDS = (
    "submit", "preview", "cancel", "save", "delete", "edit", "send", "error", "warning", "success",
    "loading", "search", "login", "logout", "password", "email", "click here", "read more", "confirmation",
    "unsubscribe", "subscribe", "settings", "yes", "none", "null", "undefined", "true", "false", "n/a",
    "test", "draft", "pending", "confirmed", "queued", "failed", "todo", "fixme", "lorem", "ipsum",
    "page", "next", "previous", "home", "download", "upload", "name", "date",
)
#: Left-over template syntax and placeholders: {{ x }}, {% x %}, [namn], %s, {0}, HTIPH[…], XXX.
_PLACEHOLDERS = re.compile(
    r"\{\{|\}\}|\{%|%\}|\[\s*[A-Za-zÅÄÖåäö][\wÅÄÖåäö ,./-]{0,30}\]|%\(?\w*\)?s\b|\{\d\}|HTIPH\[|\bXXX+\b|\bTBD\b"
)


def _word_pattern(words) -> re.Pattern:
    alternatives = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    # Whole words only, and not part of a hyphenated or underscored word, an address or a path.
    return re.compile(rf"(?<![\w@./:-])(?:{alternatives})(?![\w@-]|\.\w)", re.IGNORECASE)


def leaks(text: str, codes=()) -> list[str]:
    """Return every English word, internal code (`codes`: send kinds, status values) or placeholder in `text`."""
    found = []
    codes = [c for c in codes if c]
    for match in _word_pattern((*ENGLISH_WORDS, *codes)).finditer(text):
        found.append(f"”{match.group(0)}” i ”{_around(text, match)}”")
    for match in _PLACEHOLDERS.finditer(text):
        found.append(f"platshållare ”{match.group(0)}” i ”{_around(text, match)}”")
    return found


def _around(text: str, match: re.Match) -> str:
    start, end = max(match.start() - 40, 0), min(match.end() + 40, len(text))
    return " ".join(text[start:end].split())


def internal_codes(app) -> list[str]:
    """Return the internal codes a reader must never see: send kinds and the values of every status enum."""
    from hti_comms.domain import registry
    from hti_comms.status import LabelledEnum

    codes = set(registry(app).send_kinds)

    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    for enum_class in walk(LabelledEnum):
        codes.update(str(member.value) for member in enum_class)
    # Codes that are also plain Swedish words are no leak.
    return sorted(c for c in codes if re.search(r"[_a-z]", c) and c not in SWEDISH_WORDS)


#: Values that happen to be ordinary Swedish (add a word here with a reason if one comes).
SWEDISH_WORDS: set[str] = {
    # The kinds of event are stored as the Swedish words staff type (`hti event create --kind kurs`).
    "kurs", "webbinarium", "publicering",
    # A staff role is stored as its name on the command line (`hti create-staff --role utskick`): a Swedish word.
    "utskick",
    # An action plan's area, horizon and status are stored as the words `hti action-plan add` takes (--area
    # information, --area index for the whole index, --horizon kort, --status planerad).
    "information", "index", "kort", "planerad",
    # A contact's channel is stored as the word the contact import's `kanal` column takes: e-post or brev.
    "e-post", "brev",
}
