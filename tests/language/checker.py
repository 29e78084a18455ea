"""The language check: what is wrong with a generated Swedish text, said so that the fix is obvious.

It reports
- a doubled word or phrase ("plats plats", "Se sändningen: Se sändningen:", "nyhetsbrev #14: Hemtjänstindex
  nyhetsbrev #14"),
- an unfilled placeholder or bracket ("{{ namn }}", "[kommun]", "None", "{0}", an empty "()"),
- doubled or misplaced punctuation ("SPF Seniorerna.: Du behöver", "ord ,"),
- the number 1 with a plural noun or participle ("1 kommuner", "1 kontaktpersoner", "1 anmälda"),
- a word that is not Swedish (Debian's hunspell-sv, plus the project's words and the 290 municipality names;
  see `dictionary`),
- and, given the year and the municipality or district a text is about, every figure the figure check
  (`hti_comms.briefs.figures`) disagrees with.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from html import unescape

from .dictionary import is_word

_HTML = re.compile(r"</?[a-zA-Z][^>]*>")
#: Addresses and placeholders for per-recipient values (filled in when sent) are not prose.
_NOT_PROSE = re.compile(r"(?:https?|webcal)://\S+|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b|HTIPH\[[^\]]*\]|\b[\w-]+\.(?:se|nu|com|ics|csv|pdf)\b")
_WORD = re.compile(r"[A-Za-zÅÄÖåäöÉéÜü]+(?:-[A-Za-zÅÄÖåäöÉéÜü]+)*")
#: A word or number, for pairs said twice close together ("nyhetsbrev #14: Hemtjänstindex nyhetsbrev #14").
_TOKEN = re.compile(r"\w+(?:[,.]\d+)*")
#: How many words may stand between a pair of words and its repeat.
_REPEAT_WINDOW = 2
#: A run of one to four words said twice in a row within a line, with only punctuation between.
_DOUBLED = re.compile(r"(?<![\w-])((?:\w+[^\w\n]+){0,3}\w+)[^\w\n]+\1(?![\w-])", re.IGNORECASE)
_PLACEHOLDER = re.compile(
    r"\{\{|\}\}|\{%|%\}|[{}\[\]]|%\(?\w*\)?s\b|\bNone\b|\bnan\b|\bundefined\b|\(\s*\)|\bXXX+\b|\bTBD\b|\bHTIPH\b")
_PUNCTUATION = re.compile(r"(?<!\.)\.\.(?!\.)|[.!?][,:;]|[,:;][,:;.!?]|[^\S\n][,.:;!?](?!\d)")
#: The number 1 standing alone (not in 21, 1,0, −1, 12 345 or a date such as 1/12).
_ONE = re.compile(r"(?<![\d,.:/\u2212+-])(?<!\d[ \u00a0\u202f\u2009])\b1[ \u00a0]+([a-zåäö]+)\b")
#: Plural endings of nouns (kommuner, rader, veckor, kommunerna, kommuners) and of participles (uppdaterade).
_PLURAL_ENDING = re.compile(r"(?:ar|er|or|ars|ers|ors|arna|erna|orna|ade)$")
#: Plural adjectives and participles with no telltale ending, and singular words that end like plurals.
PLURAL_WORDS = {"anmälda", "nya", "bekräftade", "obekräftade", "alla", "flera", "många", "inställda", "avbokade",
                "stoppade", "skickade", "väntande"}
SINGULAR_WORDS = {"januari", "februari", "september", "oktober", "november", "december", "nummer", "meter",
                  "kilometer", "liter", "vecka", "timme", "dag", "gång", "per", "av", "eller", "och", "för", "under",
                  "över"}


@dataclass(frozen=True)
class Problem:
    where: str
    what: str
    text: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what} i ”{self.text}”"


def _around(text: str, start: int, end: int) -> str:
    return " ".join(text[max(start - 50, 0):min(end + 50, len(text))].split())


@lru_cache(maxsize=64)
def plain(text: str) -> str:
    """Return what a reader sees of a text (HTML becomes its text, one line per block); the last few are kept, as
    the language and the figure check read the same text one after the other."""
    return html_lines(text) if _HTML.search(text) else text


_HIDDEN = re.compile(r"<(head|style|script)\b.*?</\1\s*>|<!--.*?-->|<![^>]*>", re.DOTALL | re.IGNORECASE)
#: The block elements of `figure_reading.html_text`, and the terms and descriptions of a list (staff pages).
_BLOCK = {"p", "li", "tr", "h1", "h2", "h3", "h4", "div", "br", "caption", "table", "ul", "ol", "blockquote",
          "section", "header", "footer", "title", "dt", "dd"}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_SPOKEN_ATTRIBUTE = re.compile(r'\s(?:alt|title|aria-label)="([^"]+)"')
_SPACES = re.compile(r"[ \t\r]+")


def html_lines(html: str) -> str:
    """Return the text of an HTML document the way `briefs.figure_reading.html_text` does (one line per block,
    " | " after a table cell, image descriptions and titles on lines of their own), with regular expressions:
    the HTML parser is ten times slower, and the language check reads thousands of emails."""
    def tag(match: re.Match) -> str:
        closing, name, attributes = match.group(1), match.group(2).lower(), match.group(3)
        spoken = "" if closing else "".join(f"\n{value}\n" for value in _SPOKEN_ATTRIBUTE.findall(attributes))
        if name in _BLOCK:
            return "\n" + spoken
        if closing and name in ("td", "th"):
            return " | "
        return spoken

    text = _SPACES.sub(" ", unescape(_TAG.sub(tag, _HIDDEN.sub("", html))))
    return "\n".join(line for line in (line.strip() for line in text.split("\n")) if line)


def language_problems(text: str, where: str = "") -> list[Problem]:
    """Return every language problem in a plain or HTML text (not the figures: see `figure_problems`).

    Every rule looks within one line, so each line is checked once per process: the 290 municipalities' texts
    share most lines, and lines that differ only in their numbers share a verdict (numbers other than a lone 1
    are read alike).
    """
    shown = plain(text)
    problems = []
    for line, key in zip(shown.split("\n"), _NUMBER.sub(_same_number, shown).split("\n")):
        if _has_problems(key):
            problems += [Problem(where, what, context) for what, context in _line_problems(line)]
    return problems


_NUMBER = re.compile(r"\d+(?:[,.]\d+)*")


def _same_number(match: re.Match) -> str:
    return match.group(0) if match.group(0) == "1" else re.sub(r"\d", "2", match.group(0))


@lru_cache(maxsize=None)
def _has_problems(line: str) -> bool:
    return bool(_line_problems(line))


def _line_problems(line: str) -> list[tuple[str, str]]:
    """Return (what, where in the line) for every problem of one line of what a reader sees."""
    shown = _NOT_PROSE.sub("§", line)
    problems = []
    for match in _DOUBLED.finditer(shown):
        if re.search(r"[^\W\d]", match.group(1)):  # a repeated number (a value equal to its average) is no error
            problems.append((f"dubbla ord ”{match.group(0)}”", _around(shown, *match.span())))
    problems += [(f"upprepat ”{pair}”", " ".join(shown.split())) for pair in _repeated_pairs(shown)]
    for match in _PLACEHOLDER.finditer(shown):
        problems.append((f"ifylld mall saknas eller parentes ”{match.group(0)}”", _around(shown, *match.span())))
    for match in _PUNCTUATION.finditer(shown):
        problems.append((f"skiljetecken ”{match.group(0).strip()}”", _around(shown, *match.span())))
    for match in _ONE.finditer(shown):
        word = match.group(1)
        if word not in SINGULAR_WORDS and (word in PLURAL_WORDS or _PLURAL_ENDING.search(word)):
            problems.append((f"1 med plural ”{match.group(0)}”", _around(shown, *match.span())))
    for match in _WORD.finditer(shown):
        if not is_word(match.group(0)):
            problems.append((f"okänt ord ”{match.group(0)}”", _around(shown, *match.span())))
    return problems


def _repeated_pairs(line: str) -> list[str]:
    """Return each pair of words, the first a word (not a number), said again with at most a couple of words between.

    "1,0 enhet över genomsnittet; +1,0 enhet" states two figures that happen to be equal; "nyhetsbrev 14" twice in
    one line says one thing twice.
    """
    tokens = [token.lower() for token in _TOKEN.findall(line)]
    found = []
    for i in range(len(tokens) - 1):
        pair = (tokens[i], tokens[i + 1])
        if not re.search(r"[^\W\d]", pair[0]):
            continue
        for j in range(i + 2, min(i + 3 + _REPEAT_WINDOW, len(tokens) - 1)):
            if (tokens[j], tokens[j + 1]) == pair:
                found.append(" ".join(pair))
    return found


def figure_problems(text: str, figures, *, municipality_code: str | None = None, district_id: int | None = None,
                    where: str = "", memo: dict | None = None) -> list[Problem]:
    """Return every figure of the text the figure check disagrees with (`figures`: `briefs.figures.derive(year)`)."""
    from hti_comms.briefs.figures import verify_text

    return [Problem(where, "siffra som inte stämmer", mismatch.message)
            for mismatch in verify_text(plain(text), figures, municipality_code, district_id=district_id, memo=memo)]
