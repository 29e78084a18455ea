"""Read authored text the way a reader does: every number in any form, and every place named in any inflection.

Staff (or someone who took over a staff account) write newsletters freely, so unlike `briefs.figure_reading`,
which reads the product's own sentences, this reader expects any way of writing a figure:

* a number with a decimal comma or point or in words: "97,9", "97.9", "97,90", "97 komma 9", "97 point 9",
  "nittiosju komma nio"; with an ordinary, non-breaking or thin space, in full-width digits (NFKC);
* a place in a ranking: "plats 3", "nr 3", "3:e", "3:a plats", "3rd", "tredje plats", "trea", "3 av 290";
* a whole number next to index wording ("index 98") — other whole numbers say nothing by themselves;

and leaves out what only looks like a figure: years, dates ("4 december", "4/12", "2025-12-04"), clock times
("kl. 10.00–11.30"), phone numbers ("08-701 30 00"), web and email addresses.

Places are found by name in any inflection and case: "Stockholm", "Stockholms", "STOCKHOLMS", "Skånes",
"Borås" (whose genitive is the same), "Malmo" for Malmö, "Upplands Bro" for Upplands-Bro. A few names are
also everyday words ("vara", "mark", "berg"): those count only when written with a capital letter.
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from decimal import Decimal

_FOLD = str.maketrans("åäöéèüáàÅÄÖÉÈÜÁÀ", "aaoeeuaaAAOEEUAA")
#: Places whose name is also an everyday word (folded): named only with a capital letter.
EVERYDAY_WORD_NAMES = frozenset({"vara", "mark", "berg", "lund", "boden", "ale", "are", "ange", "mala", "salem"})

_UNITS = {"noll": 0, "ett": 1, "en": 1, "tva": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7, "atta": 8,
          "nio": 9}
_TEENS = {"tio": 10, "elva": 11, "tolv": 12, "tretton": 13, "fjorton": 14, "femton": 15, "sexton": 16,
          "sjutton": 17, "arton": 18, "nitton": 19}
_TENS = {"tjugo": 20, "trettio": 30, "fyrtio": 40, "femtio": 50, "sextio": 60, "sjuttio": 70, "attio": 80,
         "nittio": 90}
_EN_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
             "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
             "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
            "ninety": 90}


def _number_words() -> dict[str, int]:
    words = {**_UNITS, **_TEENS, **_TENS, "hundra": 100, "etthundra": 100, **_EN_UNITS, **_EN_TENS,
             "hundred": 100}
    for ten, value in _TENS.items():
        for unit, unit_value in _UNITS.items():
            if unit_value:
                words[ten + unit] = value + unit_value
    for ten, value in _EN_TENS.items():
        for unit, unit_value in _EN_UNITS.items():
            if 0 < unit_value < 10:
                words[f"{ten}-{unit}"] = words[f"{ten} {unit}"] = value + unit_value
    return words


NUMBER_WORDS = _number_words()
#: Ordinal words (folded) and the place they name; they count with a ranking word after them ("tredje plats").
ORDINALS = {word: n for n, word in enumerate((
    "forsta", "andra", "tredje", "fjarde", "femte", "sjatte", "sjunde", "attonde", "nionde", "tionde", "elfte",
    "tolfte", "trettonde", "fjortonde", "femtonde", "sextonde", "sjuttonde", "artonde", "nittonde", "tjugonde"),
    start=1)}
ORDINALS.update({word: n for n, word in enumerate((
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"), start=1)})
#: Places said as a noun on their own ("Stockholm blev trea").
PLACE_NOUNS = {"etta": 1, "tvaa": 2, "trea": 3}
_RANK_WORDS = r"plats\w*|placer\w*|rank\w*|nummer|nr|position\w*|place[ds]?|topp\w*"
_INDEX_WORDS = r"index\w*|delindex\w*|poang\w*|varde\w*|score\w*"
_MONTHS = (r"januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december|jan|feb|mar|"
           r"apr|jun|jul|aug|sep|sept|okt|nov|dec|january|february|march|june|july|october")

_MASKS = re.compile("|".join((
    r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+",                      # addresses
    r"\bkl\.?\s*\d{1,2}(?:[.:]\d{2})?(?:\s*[–-]\s*\d{1,2}(?:[.:]\d{2})?)?",        # clock times
    r"\b\d{1,2}[.:]\d{2}\s*[–-]\s*\d{1,2}[.:]\d{2}\b",
    r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\b\d{1,2}\.\d{1,2}\.\d{2,4}\b",  # dates
    rf"\b\d{{1,2}}(?::[ea])?\s+(?:{_MONTHS})\b",
    r"(?<![\d,.])(?:\+\d{1,3}[\s-]?)?\(?0\d{1,3}\)?[\s-]?\d{2,4}(?:[\s-]\d{2,4}){1,3}(?![\d,])",  # phones
    r"\b(?:19|20)\d\d\b",                                                        # years
)), re.IGNORECASE)
_SPACES = re.compile(r"[\u00a0\u202f\u2009\u2007]")
_WORD_NUMBER = "|".join(sorted((re.escape(w) for w in NUMBER_WORDS), key=len, reverse=True))
_DIGIT_WORDS = "|".join(sorted((re.escape(w) for w, v in NUMBER_WORDS.items() if v < 10), key=len, reverse=True))
_NUMBER = re.compile(
    rf"(?<![\w,.])(?:(?P<whole>\d{{1,3}})|(?P<whole_word>{_WORD_NUMBER}))"
    rf"(?:(?:(?P<mark>[,.])|\s+(?:komma|point|punkt)\s+)(?P<fraction>\d{{1,3}}|(?:(?:{_DIGIT_WORDS})\s?)+))?"
    rf"(?P<suffix>:[ea]|st|nd|rd|th)?(?![\w]|[,.]\d)",
    re.IGNORECASE)
_ORDINAL = re.compile(rf"\b(?P<word>{'|'.join(ORDINALS)})(?:\s+(?:{_RANK_WORDS})|(?:{_RANK_WORDS}))\b"
                      rf"|\b(?P<noun>{'|'.join(PLACE_NOUNS)})\b", re.IGNORECASE)
_RANK_NEAR = re.compile(rf"\b(?:{_RANK_WORDS})\b|\|\s*av\s+\d+", re.IGNORECASE)
_ISSUE = re.compile(r"\b(?:nyhetsbrev|brev|cirkular|newsletter)\w*\s*(?:#|nummer|nr\.?|no\.?)?\s*$", re.IGNORECASE)
_INDEX_NEAR = re.compile(rf"\b(?:{_INDEX_WORDS})\b", re.IGNORECASE)
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Return `text` in lower case without Swedish diacritics, character for character (offsets stay)."""
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text.translate(_FOLD))


def normalise(text: str) -> str:
    """Return the text as read: NFKC (full-width digits, ligatures), ordinary spaces, "−" as "-"."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text or "")).replace("\u2212", "-")


@dataclass(frozen=True)
class WrittenNumber:
    """A number as written in the text, with what its wording makes it."""

    value: Decimal
    #: Digits after the decimal mark as written (0 for a whole number).
    decimals: int
    text: str
    start: int
    end: int
    #: Said as a place in a ranking ("plats 3", "3:e", "tredje plats").
    is_place: bool = False
    #: A whole number with index wording next to it ("index 98").
    is_index: bool = False


def _word_value(word: str) -> int:
    return NUMBER_WORDS[fold(" ".join(word.split()))]


def read_numbers(text: str) -> list[WrittenNumber]:
    """Return every number of a normalised text that may state a figure, in reading order."""
    folded = fold(_MASKS.sub(lambda m: " " * len(m.group()), text))
    found = []
    for match in _NUMBER.finditer(folded):
        whole = int(match["whole"]) if match["whole"] else _word_value(match["whole_word"])
        fraction = match["fraction"]
        if fraction and not fraction.isdigit():
            fraction = "".join(str(_word_value(w)) for w in fraction.split())
        if match["whole_word"] and not fraction:
            if whole <= 1:  # "en", "ett": an article far more often than a figure
                continue
        value = Decimal(f"{whole}.{fraction}") if fraction else Decimal(whole)
        before, after = folded[max(0, match.start() - 30):match.start()], folded[match.end():match.end() + 30]
        if before.split()[-1:] == ["av"]:
            continue  # "plats 3 av 290": how many were ranked, not a figure of a place
        near = " ".join(before.split()[-3:]) + " | " + " ".join(after.split()[:3])
        if _ISSUE.search(before):
            continue  # "nyhetsbrev #14", "cirkulär nr 3": the letter's own number
        is_place = bool(match["suffix"]) or (not fraction and _RANK_NEAR.search(near) is not None)
        is_index = not fraction and not is_place and _INDEX_NEAR.search(near) is not None
        found.append(WrittenNumber(value, len(fraction or ""), text[match.start():match.end()], match.start(),
                                   match.end(), is_place, is_index))
    for match in _ORDINAL.finditer(folded):
        word = match["word"] or match["noun"]
        value = ORDINALS.get(word.lower()) or PLACE_NOUNS[word.lower()]
        found.append(WrittenNumber(Decimal(value), 0, text[match.start():match.end()], match.start(), match.end(),
                                   is_place=True))
    return sorted(found, key=lambda n: n.start)


@dataclass(frozen=True)
class NamedPlace:
    #: The name as listed (folded, one space between words): what callers look the place up by.
    key: str
    start: int
    end: int


class PlaceNames:
    """Finds the places of a list of names in a text, in any inflection and case."""

    def __init__(self, names):
        keys = {" ".join(fold(name).replace("-", " ").split()) for name in names if name and name.strip()}
        alternatives = sorted(keys, key=len, reverse=True)
        body = "|".join(r"[\s-]+".join(re.escape(word) for word in key.split()) for key in alternatives)
        self._pattern = re.compile(rf"(?<!\w)(?P<name>{body})(?:s|:s|'s|’s)?(?!\w)") if body else None

    def find(self, text: str) -> list[NamedPlace]:
        """Return every place named in a normalised text."""
        if self._pattern is None:
            return []
        found = []
        for match in self._pattern.finditer(fold(text)):
            key = " ".join(match["name"].replace("-", " ").split())
            if key in EVERYDAY_WORD_NAMES and not text[match.start()].isupper():
                continue
            found.append(NamedPlace(key, match.start(), match.end()))
        return found


class Distances:
    """Words and sentences between two places in a text."""

    def __init__(self, text: str):
        self._words = [m.start() for m in _WORD.finditer(text)]
        self._sentence_ends = [m.start() for m in re.finditer(r"[.!?](?=\s+[A-ZÅÄÖ\"”])|\n\s*\n", text)]

    def words_between(self, a: int, b: int) -> int:
        low, high = sorted((a, b))
        return max(0, bisect_left(self._words, high) - bisect_left(self._words, low) - 1)

    def same_sentence(self, a: int, b: int) -> bool:
        low, high = sorted((a, b))
        return bisect_left(self._sentence_ends, low) == bisect_left(self._sentence_ends, high)
