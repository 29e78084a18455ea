"""Read every number a Swedish sentence states, with what kind of figure the wording makes it.

The reader knows the phrases our sentences and templates use ("delad plats 12 av 290", "3,4 enheter under
genomsnittet", "ökat med 1,0 enhet", "+1,2 enheter", "tappat en placering", "i nivå med", "oförändrat",
"torsdag 4 december 2025 kl. 07.00", "samtliga 290 kommuner", "distriktets enda kommun") and the number formats of
`hti_comms.formatting` (decimal comma, space, non-breaking or thin space between thousands, the minus sign
"−"). Whatever number it cannot place in such a phrase it still returns, as a plain value or an unknown
integer, so the checker can refuse it: nothing with digits in it passes unread.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser

# Kinds of read figures.
PLACE = "place"          # value: (rank, count, is_shared)
GAP = "gap"              # signed difference from an average, rounded to one decimal ("i nivå med" = 0)
CHANGE = "change"        # signed index change since the previous year, one decimal
UNCHANGED = "unchanged"  # "oförändrat": exactly the same index as the previous year
ALMOST = "almost"        # "i stort sett oförändrat": a change that rounds to 0,0, or between indices written alike
MOVE = "move"            # signed places climbed since the previous year (0 = "samma placering")
YEAR = "year"
MOMENT = "moment"        # value: (weekday, day, month, year or None, hour, minute)
COUNT = "count"          # value: (what, number) for "samtliga N kommuner", "distriktets N kommuner"
VALUE = "value"          # a decimal figure (an index, an average), with `decimals` as written
UNKNOWN = "unknown"      # digits in no phrase we know

WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december")
_SPACE = "[ \u00a0\u202f\u2009]"
_DECIMAL = rf"\d{{1,3}}(?:{_SPACE}\d{{3}})+,\d+|\d+,\d+"
_COUNT_WORD = r"(?:en|\d+)"

_PATTERN = re.compile(
    rf"(?P<moment>\b(?P<weekday>{'|'.join(WEEKDAYS)}) (?P<day>\d{{1,2}}) (?P<month>{'|'.join(MONTHS)})"
    rf"(?: (?P<moment_year>\d{{4}}))? kl\. (?P<hour>\d{{2}})\.(?P<minute>\d{{2}}))"
    rf"|(?P<place>\b(?P<shared>delad )?plats (?P<rank>\d+) av (?P<count>\d+))"
    rf"|(?P<move>\b(?P<move_verb>klättrat|tappat|en klättring med|ett tapp med|upp|ned) "
    rf"(?P<places>{_COUNT_WORD}) placering(?:ar)?\b)"
    rf"|(?P<same>\bsamma (?:placering|plats)\b)"
    rf"|(?P<change>\b(?P<change_verb>ökat|minskat) med (?P<change_amount>{_DECIMAL}) enhet(?:er)?\b)"
    rf"|(?P<signed>(?P<sign>[+\u2212-])(?P<signed_amount>{_DECIMAL}) enhet(?:er)?\b)"
    # "i stort sett oförändrat (index)": about the same (see ALMOST); "oförändrat (index)": the very same index.
    rf"|(?P<almost>\bi stort sett oförändrat\b)"
    rf"|(?P<unchanged>\boförändrat\b)"
    rf"|(?P<gap>(?P<gap_amount>{_DECIMAL}) enhet(?:er)? (?P<direction>över|under)\b)"
    rf"|(?P<level>(?<!eller )\bi nivå med\b)"  # "under eller i nivå med" names no figure
    rf"|(?P<counted>\b(?P<counted_what>samtliga|distriktets) (?:(?P<counted_number>\d+) kommuner?|enda kommun)\b)"
    rf"|(?P<value>{_DECIMAL})"
    rf"|(?P<year>\b(?:19|20)\d\d\b)"
    r"|(?P<unknown>\d+)",
    re.IGNORECASE | re.MULTILINE,
)
_URL = re.compile(r"https?://\S+|HTIPH\[[^\]]*\]|data:[^\s\"')]+")
# A sentence ends at . ! ? before a capital letter or a quotation mark (not in "kl. 07.00" or "55,5").
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ”\"])")


@dataclass(frozen=True)
class ReadFigure:
    kind: str
    value: object
    #: The words as written ("delad plats 12 av 290"), for the message to staff.
    text: str
    decimals: int | None = None


def number(text: str) -> Decimal:
    """Return the Decimal of a Swedish number ('12 345,5', '−1,0')."""
    return Decimal(re.sub(_SPACE, "", text).replace(",", ".").replace("\u2212", "-"))


def _decimals(text: str) -> int:
    return len(text.rsplit(",", 1)[1])


def _count_word(text: str) -> int:
    return 1 if text.lower() == "en" else int(text)


#: A sentence can state a figure only with a digit or one of the phrases without one (see `_PATTERN`: "en
#: placering", "samma plats", "oförändrat", "i nivå med"); most sentences have neither, and this quick look
#: spares them the long pattern.
_MAY_STATE = re.compile(r"\d|en placering|samma (?:placering|plats)|oförändrat|i nivå med|enda kommun", re.IGNORECASE)


#: A municipality's own words about its plan, quoted in a sentence about it ("Inför 2025 planerade Habo att <own
#: words> (Information)." and "… trots planen: vad hände med planen att <own words>?"): they state no figure of
#: the results ("minska till 10 olika personal på 14 dagar"), so they are read as no figures at all.
_OWN_WORDS = re.compile(
    r"(?P<lead>\binför \d{4} planerade .+? att ).+(?P<tail> \((?:information|biståndshandläggning|utförande|"
    r"stöd och utveckling|hela indexet)\))"
    r"|(?P<question>\btrots planen: vad hände med planen att ).+(?P<end>\?)",
    re.IGNORECASE)


def _without_own_words(sentence: str) -> str:
    return _OWN_WORDS.sub(lambda m: f"{m['lead']} … {m['tail']}" if m["lead"] else f"{m['question']} … {m['end']}",
                          sentence)


def read_figures(sentence: str) -> list[ReadFigure]:
    """Return every figure the sentence states, in reading order."""
    if not _MAY_STATE.search(sentence):
        return []
    found = []
    for match in _PATTERN.finditer(_URL.sub(" ", _without_own_words(sentence))):
        group = _top_group(match)
        found.append(_READERS[group](match, match.group(group).strip()))
    return found


def _top_group(match: re.Match) -> str:
    return next(name for name in _TOP_GROUPS if match.group(name) is not None)


def _moment(m, text):
    value = (m["weekday"].lower(), int(m["day"]), MONTHS.index(m["month"].lower()) + 1,
             int(m["moment_year"]) if m["moment_year"] else None, int(m["hour"]), int(m["minute"]))
    return ReadFigure(MOMENT, value, text)


def _move(m, text):
    sign = -1 if m["move_verb"].lower() in ("tappat", "ett tapp med", "ned") else 1
    return ReadFigure(MOVE, sign * _count_word(m["places"]), text)


def _change(m, text):
    sign = -1 if m["change_verb"].lower() == "minskat" else 1
    return ReadFigure(CHANGE, sign * number(m["change_amount"]), text, _decimals(m["change_amount"]))


def _signed(m, text):
    sign = 1 if m["sign"] == "+" else -1
    return ReadFigure(CHANGE, sign * number(m["signed_amount"]), text, _decimals(m["signed_amount"]))


def _gap(m, text):
    sign = 1 if m["direction"].lower() == "över" else -1
    return ReadFigure(GAP, sign * number(m["gap_amount"]), text, _decimals(m["gap_amount"]))


_READERS = {
    "moment": _moment,
    "place": lambda m, t: ReadFigure(PLACE, (int(m["rank"]), int(m["count"]), bool(m["shared"])), t),
    "move": _move,
    "same": lambda m, t: ReadFigure(MOVE, 0, t),
    "change": _change,
    "signed": _signed,
    "almost": lambda m, t: ReadFigure(ALMOST, Decimal(0), t, 1),
    "unchanged": lambda m, t: ReadFigure(UNCHANGED, Decimal(0), t),
    "gap": _gap,
    "level": lambda m, t: ReadFigure(GAP, Decimal(0), t, 1),
    "counted": lambda m, t: ReadFigure(COUNT, (m["counted_what"].lower(), int(m["counted_number"] or 1)), t),
    "value": lambda m, t: ReadFigure(VALUE, number(t), t, _decimals(t)),
    "year": lambda m, t: ReadFigure(YEAR, int(t), t),
    "unknown": lambda m, t: ReadFigure(UNKNOWN, int(t), t),
}
_TOP_GROUPS = tuple(_READERS)


def sentences(line: str) -> list[str]:
    """Return the sentences of a line of text."""
    return [part for part in _SENTENCE_END.split(line) if part.strip()]


class _TextOfHtml(HTMLParser):
    """Collect what a reader of an HTML email sees and hears: text, image descriptions, titles; one line per block."""

    BLOCKS = {"p", "li", "tr", "h1", "h2", "h3", "h4", "div", "br", "caption", "table", "ul", "ol", "blockquote",
              "section", "header", "footer", "title"}
    HIDDEN = {"style", "script", "head"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        if tag in self.BLOCKS:
            self.parts.append("\n")
        for name, value in attrs:
            if name in ("alt", "title", "aria-label") and value:
                self.parts.append(f"\n{value}\n")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        if tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" | ")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def html_text(html: str) -> str:
    """Return the text of an HTML document, one line per paragraph, list item or table row."""
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    lines = (re.sub(r"[ \t\r]+", " ", line).strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)
