from datetime import date, datetime, timezone
from decimal import Decimal

from hti_comms.formatting import format_date, format_datetime, format_integer, format_number, format_signed

NBSP = "\u00a0"


def test_decimal_comma_and_one_decimal():
    assert format_number(Decimal("55.5")) == "55,5"
    assert format_number(Decimal("62.34")) == "62,3"
    assert format_number(60) == "60,0"


def test_rounds_half_up_like_a_reader_expects():
    assert format_number(Decimal("2.25")) == "2,3"
    assert format_number(Decimal("58.85")) == "58,9"


def test_thousands_separator_is_a_space():
    assert format_integer(12345) == f"12{NBSP}345"
    assert format_number(Decimal("12345.67")) == f"12{NBSP}345,7"


def test_signed_changes():
    assert format_signed(Decimal("2.44")) == "+2,4"
    assert format_signed(Decimal("-1")) == "\u22121,0"
    assert format_signed(Decimal("0.04")) == "0,0"
    assert format_number(None) == "–"


def test_datetime_in_stockholm_swedish_words():
    # 09:00 UTC is 10:00 in Stockholm in November (CET).
    assert format_datetime(datetime(2024, 11, 7, 9, 0, tzinfo=timezone.utc)) == "torsdag 7 november 2024 kl. 10.00"
    # Summer time: 05:00 UTC is 07:00 CEST.
    assert format_datetime(datetime(2025, 6, 3, 5, 0, tzinfo=timezone.utc)) == "tisdag 3 juni 2025 kl. 07.00"


def test_date_in_swedish_words():
    assert format_date(date(2025, 12, 2)) == "tisdag 2 december 2025"
    # 23:30 UTC on 1 December is already 2 December in Stockholm.
    assert format_date(datetime(2025, 12, 1, 23, 30, tzinfo=timezone.utc)) == "tisdag 2 december 2025"
