from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from hti_comms.formatting import (
    format_date, format_datetime, format_integer, format_number, format_signed, format_span, relative_phrase,
)

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


# --- relative phrases and spans (Stockholm calendar days, ISO weeks) ---------------------------------------------

SE = ZoneInfo("Europe/Stockholm")


def _local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SE)


@pytest.mark.parametrize("now,moment,phrase", [
    # Within one ISO week (Monday first).
    ("2025-11-05 09:00", "2025-11-05 18:00", "i dag"),            # Wednesday, later the same day
    ("2025-11-05 09:00", "2025-11-06 10:00", "i morgon"),
    ("2025-11-05 09:00", "2025-11-07 10:00", "i övermorgon"),
    ("2025-11-05 09:00", "2025-11-08 10:00", "på lördag"),
    ("2025-11-05 09:00", "2025-11-09 10:00", "på söndag"),        # still this week: Sunday is its last day
    # The next week: a Wednesday to the next week's Thursday is "nästa vecka", not "på torsdag".
    ("2025-11-05 09:00", "2025-11-13 10:00", "nästa vecka"),
    ("2025-11-05 09:00", "2025-11-10 10:00", "nästa vecka"),      # next Monday, five days away
    ("2025-11-09 20:00", "2025-11-10 10:00", "i morgon"),         # Sunday to Monday
    ("2025-11-08 09:00", "2025-11-10 10:00", "i övermorgon"),     # Saturday to Monday
    ("2025-11-07 09:00", "2025-11-11 10:00", "nästa vecka"),      # Friday to Tuesday
    ("2025-11-05 09:00", "2025-11-20 10:00", "om två veckor"),
    ("2025-11-05 09:00", "2025-11-27 10:00", "om tre veckor"),
    # Month boundaries.
    ("2025-10-31 09:00", "2025-11-03 10:00", "nästa vecka"),      # Friday 31 October to Monday 3 November
    ("2025-10-30 09:00", "2025-11-20 10:00", "om tre veckor"),
    ("2026-01-20 09:00", "2026-03-02 10:00", "om sex veckor"),
    ("2026-01-02 09:00", "2026-02-27 10:00", "nästa månad"),
    ("2025-10-01 09:00", "2025-12-15 10:00", "om två månader"),
    # Year boundaries: 29 December 2025 is the Monday of ISO week 1 of 2026.
    ("2025-12-30 09:00", "2026-01-02 10:00", "på fredag"),
    ("2025-12-31 09:00", "2026-01-08 10:00", "nästa vecka"),      # Wednesday to the next week's Thursday
    ("2025-12-28 09:00", "2025-12-29 10:00", "i morgon"),
    ("2025-12-27 09:00", "2026-01-01 10:00", "nästa vecka"),      # Saturday to the Thursday of week 1
    ("2025-12-29 09:00", "2026-01-12 10:00", "om två veckor"),
    ("2025-11-05 09:00", "2026-11-05 10:00", "om ett år"),
    ("2025-11-05 09:00", "2027-12-05 10:00", "om två år"),
    # The past.
    ("2025-11-06 09:00", "2025-11-05 10:00", "i går"),
    ("2025-11-06 09:00", "2025-11-04 10:00", "i förrgår"),
    ("2025-11-07 09:00", "2025-11-03 10:00", "i måndags"),
    ("2025-11-03 09:00", "2025-10-30 10:00", "förra veckan"),     # Monday back to last Thursday
    ("2026-01-02 09:00", "2025-12-24 10:00", "förra veckan"),     # across the new year
    ("2025-11-27 09:00", "2025-11-06 10:00", "för tre veckor sedan"),
    ("2025-11-27 09:00", "2025-08-06 10:00", "för tre månader sedan"),
    ("2026-11-27 09:00", "2025-11-06 10:00", "för ett år sedan"),
])
def test_relative_phrases(now, moment, phrase):
    assert relative_phrase(_local(moment), now=_local(now)) == phrase


def test_relative_phrases_count_stockholm_days_not_utc_days():
    # 00.30 in Stockholm on the October change night is still the evening before in UTC.
    now = datetime(2025, 10, 25, 22, 30, tzinfo=timezone.utc)
    assert relative_phrase(_local("2025-10-26 10:00"), now=now) == "i dag"
    assert relative_phrase(_local("2025-10-27 10:00"), now=now) == "i morgon"


def test_relative_phrase_follows_the_application_clock():
    from hti_comms import clock

    clock.set_now(_local("2025-11-05 09:00"))
    assert relative_phrase(_local("2025-11-13 10:00")) == "nästa vecka"
    clock.set_now(_local("2025-11-12 09:00"))
    assert relative_phrase(_local("2025-11-13 10:00")) == "i morgon"


def test_spans_in_words():
    now = _local("2025-10-01 09:00")
    assert format_span(_local("2025-11-06 10:00"), _local("2025-11-06 11:30"), now) == \
        "torsdag 6 november kl. 10.00–11.30"
    assert format_span(_local("2025-12-02 07:00"), _local("2025-12-02 07:00"), now) == "tisdag 2 december kl. 07.00"
    assert format_span(_local("2026-01-15 10:00"), _local("2026-01-15 12:00"), now) == \
        "torsdag 15 januari 2026 kl. 10.00–12.00"
    assert format_span(_local("2025-11-06 10:00"), _local("2025-11-07 15:00"), now) == \
        "torsdag 6 november kl. 10.00 – fredag 7 november kl. 15.00"


def test_a_count_and_its_noun_agree():
    from hti_comms.formatting import counted

    assert counted(1, "kommun", "kommuner") == "1 kommun"
    assert counted(0, "rad", "rader") == "0 rader"
    assert counted(2, "kontaktperson", "kontaktpersoner") == "2 kontaktpersoner"
    assert counted(12345, "ny kontakt", "nya kontakter") == f"12{NBSP}345 nya kontakter"


@pytest.mark.parametrize("name, expected", [
    ("Lund", "Lunds"), ("Upplands Väsby", "Upplands Väsbys"), ("Borås", "Borås"), ("Västerås", "Västerås"),
    ("Strängnäs", "Strängnäs"), ("Gotland", "Gotlands"), ("Malung-Sälen", "Malung-Sälens"),
])
def test_the_genitive_of_a_name_ending_in_s_takes_no_second_s(name, expected):
    from hti_comms.formatting import genitive

    assert genitive(name) == expected


def test_a_label_that_ends_a_sentence_gets_no_colon():
    from hti_comms.formatting import labelled

    consent = "Jag har läst texten ovan och vill få e-post från SPF Seniorerna."
    assert labelled(consent, "Du behöver kryssa i rutan.") == f"{consent} Du behöver kryssa i rutan."
    assert labelled("Vill du ha påminnelser?", "Välj ja eller nej.") == "Vill du ha påminnelser? Välj ja eller nej."
    assert labelled("E-postadress", "Skriv din e-postadress.") == "E-postadress: Skriv din e-postadress."
    assert labelled("Till:", "Skriv vilka.") == "Till: Skriv vilka."
