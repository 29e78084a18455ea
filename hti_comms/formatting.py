"""Swedish presentation of numbers, dates and times (Babel, Europe/Stockholm)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal as babel_format_decimal

from .clock import to_stockholm

LOCALE = "sv_SE"
MINUS = "\u2212"


def round_half_up(value, digits: int = 1) -> Decimal:
    """Round the way a reader expects (2,25 → 2,3), not banker's rounding."""
    quantum = Decimal(1).scaleb(-digits)
    return Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def format_number(value, digits: int = 1) -> str:
    """Return e.g. '55,5' or '12 345,0' (Swedish decimal comma and thousands space)."""
    if value is None:
        return "–"
    rounded = round_half_up(value, digits)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    text = babel_format_decimal(rounded, format=pattern, locale=LOCALE, decimal_quantization=False)
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


def format_time(moment: datetime) -> str:
    """Return e.g. '10.00' in Stockholm time."""
    return f"{to_stockholm(moment):%H.%M}"


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
        time_sv=format_time,
    )
