"""Swedish presentation of numbers, dates and times (Babel, Europe/Stockholm)."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from . import clock
from .clock import to_stockholm

LOCALE = "sv_SE"
MINUS = "\u2212"


# Babel is imported on first use: its date module reads the system's time zone when imported (about 10 ms of the
# start of every process, most of which never formats a date).
def babel_format_date(*args, **kwargs) -> str:
    """Babel's `format_date`."""
    from babel.dates import format_date

    return format_date(*args, **kwargs)


def babel_format_decimal(*args, **kwargs) -> str:
    """Babel's `format_decimal`."""
    from babel.numbers import format_decimal

    return format_decimal(*args, **kwargs)


def round_half_up(value, digits: int = 1) -> Decimal:
    """Round the way a reader expects (2,25 → 2,3), not banker's rounding."""
    quantum = Decimal(1).scaleb(-digits)
    return Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def format_number(value, digits: int = 1) -> str:
    """Return e.g. '55,5' or '12 345,0' (Swedish decimal comma and thousands space)."""
    if value is None:
        return "–"
    return _format_rounded(str(round_half_up(value, digits)), digits)


@lru_cache(maxsize=8192)
def _format_rounded(rounded: str, digits: int) -> str:
    """Format a rounded number given as its exact text ('-0.0' stays apart from '0.0'): Babel takes about
    60 µs a number, and a summary or a page of results writes the same few hundred figures again and again."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    text = babel_format_decimal(Decimal(rounded), format=pattern, locale=LOCALE, decimal_quantization=False)
    return text.replace("-", MINUS)


def format_integer(value) -> str:
    """Return e.g. '12 345'."""
    return format_number(value, 0)


def format_signed(value, digits: int = 1) -> str:
    """Return a change with its sign: '+2,4', '−1,0', '0,0'."""
    if value is None:
        return "–"
    rounded = round_half_up(value, digits)
    text = format_number(abs(rounded), digits)
    if rounded > 0:
        return "+" + text
    if rounded < 0:
        return MINUS + text
    return text


def format_datetime(moment: datetime) -> str:
    """Return e.g. 'torsdag 7 november 2024 kl. 10.00' in Stockholm time."""
    local = to_stockholm(moment)
    return f"{babel_format_date(local.date(), 'EEEE d MMMM y', locale=LOCALE)} kl. {local:%H.%M}"


def format_date(value: date | datetime) -> str:
    """Return e.g. 'torsdag 7 november 2024'."""
    if isinstance(value, datetime):
        value = to_stockholm(value).date()
    return babel_format_date(value, "EEEE d MMMM y", locale=LOCALE)


def format_day(value: date | datetime) -> str:
    """Return e.g. '7 november 2024' (a date in running text, without the weekday)."""
    if isinstance(value, datetime):
        value = to_stockholm(value).date()
    return babel_format_date(value, "d MMMM y", locale=LOCALE)


def format_time(moment: datetime) -> str:
    """Return e.g. '10.00' in Stockholm time."""
    return f"{to_stockholm(moment):%H.%M}"


def format_span(start: datetime, end: datetime, now: datetime | None = None) -> str:
    """Return e.g. 'torsdag 7 november kl. 10.00–11.30' in Stockholm time.

    The year is added when it is not the current year (as of `now`, default the application clock); a span
    over two days names both; a span that starts and ends at the same moment is one time.
    """
    first, last = to_stockholm(start), to_stockholm(end)
    this_year = to_stockholm(now or clock.now()).year
    pattern = "EEEE d MMMM" if first.year == this_year and last.year == this_year else "EEEE d MMMM y"
    day = babel_format_date(first.date(), pattern, locale=LOCALE)
    if last <= first:
        return f"{day} kl. {first:%H.%M}"
    if last.date() == first.date():
        return f"{day} kl. {first:%H.%M}–{last:%H.%M}"
    return f"{day} kl. {first:%H.%M} – {babel_format_date(last.date(), pattern, locale=LOCALE)} kl. {last:%H.%M}"


#: Numbers as Swedish words, for phrases such as "om tre veckor".
NUMBER_WORDS = {2: "två", 3: "tre", 4: "fyra", 5: "fem", 6: "sex", 7: "sju", 8: "åtta", 9: "nio", 10: "tio",
                11: "elva", 12: "tolv"}
WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")


def counted(number: int, singular: str, plural: str) -> str:
    """Return a number with its noun in agreement: '1 kommun', '0 rader', '12 345 kontaktpersoner'.

    The one owner of count + noun: every count staff or readers see goes through it (the template filter
    `counted`), so no text says "1 kommuner". Pass whole phrases when an adjective agrees too
    (`counted(n, "ny kontakt", "nya kontakter")`).
    """
    return f"{format_integer(number)} {singular if number == 1 else plural}"


def genitive(name: str) -> str:
    """Return the genitive of a name: 'Lunds', 'Upplands Väsbys', but 'Borås' and 'Västerås' unchanged.

    Swedish adds no -s to a name that already ends in s, x or z.
    """
    return name if name[-1:].lower() in ("s", "x", "z") else f"{name}s"


def labelled(label: str, message: str) -> str:
    """Return 'Label: message', but no colon after a label that already ends a sentence or has one.

    A label such as "Jag vill få e-post från SPF Seniorerna." is followed by its message with a space only.
    """
    label = label.rstrip()
    if label.endswith((".", "?", "!", ":")):
        return f"{label} {message}"
    return f"{label}: {message}"


def _count(number: int, singular: str, plural: str, one: str = "en") -> str:
    if number == 1:
        return f"{one} {singular}"
    return f"{NUMBER_WORDS.get(number, str(number))} {plural}"


def relative_phrase(moment: datetime, now: datetime | None = None) -> str:
    """Return how far away a moment is, the way Swedes say it: 'i morgon', 'på torsdag', 'nästa vecka'.

    Computed on Stockholm calendar days as of `now` (default: the application clock, so a phrase in an email
    is computed when the email is rendered). Weeks are ISO weeks (Monday first): on a Wednesday, the Thursday
    of the following week is 'nästa vecka', and the Thursday of this week 'i morgon'. Past moments get the
    matching phrases ('i går', 'i måndags', 'förra veckan', 'för tre veckor sedan').
    """
    today = to_stockholm(now or clock.now()).date()
    day = to_stockholm(moment).date()
    days = (day - today).days
    near = {0: "i dag", 1: "i morgon", 2: "i övermorgon", -1: "i går", -2: "i förrgår"}
    if days in near:
        return near[days]
    weeks = ((day - timedelta(days=day.weekday())) - (today - timedelta(days=today.weekday()))).days // 7
    months = (day.year - today.year) * 12 + day.month - today.month
    weekday = WEEKDAYS[day.weekday()]
    if days > 0:
        if weeks == 0:
            return f"på {weekday}"
        if weeks == 1:
            return "nästa vecka"
        if weeks <= 6 or months == 0:
            return f"om {_count(weeks, 'vecka', 'veckor')}"
        if months == 1:
            return "nästa månad"
        if months < 12:
            return f"om {_count(months, 'månad', 'månader')}"
        return f"om {_count(months // 12, 'år', 'år', one='ett')}"
    if weeks == 0:
        return f"i {weekday}s"
    if weeks == -1:
        return "förra veckan"
    if weeks >= -6 or months == 0:
        return f"för {_count(-weeks, 'vecka', 'veckor')} sedan"
    if months == -1:
        return "förra månaden"
    if months > -12:
        return f"för {_count(-months, 'månad', 'månader')} sedan"
    return f"för {_count(-months // 12, 'år', 'år', one='ett')} sedan"


def register_filters(app) -> None:
    """Make the formatters available in every template."""
    from .addresses import display_address

    app.jinja_env.filters.update(
        address=display_address,
        number=format_number,
        integer=format_integer,
        signed=format_signed,
        datetime_sv=format_datetime,
        date_sv=format_date,
        day_sv=format_day,
        time_sv=format_time,
        span_sv=format_span,
        relative_sv=relative_phrase,
        counted=counted,
        genitive=genitive,
        labelled=labelled,
    )
