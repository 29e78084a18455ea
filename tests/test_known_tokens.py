"""Links already mailed keep working: tokens made with a fixed key at a stopped instant are known strings.

Every unsubscribe, summary and registration link in someone's inbox was made by this code. A change to the salts,
the payload's keys, the timestamp's bytes or the base64 form would kill them all while every round-trip test
(make, then read) still passed. The strings below were made by the code that mailed them; itsdangerous, the
library whose format the fast path writes by hand, must make the same ones.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from flask import Flask
from itsdangerous import TimestampSigner, URLSafeSerializer, URLSafeTimedSerializer

from hti_comms import clock, tokens

KEY = "nyckel-för-kända-länkar-" + "0" * 16
SUBJECT = "AbCdEfGhIjKlMnOpQrStUv"
#: 0x69004200: its last byte is zero, so the timestamp's bytes must lose their leading zeros only.
MADE_AT = datetime.fromtimestamp(0x69004200, timezone.utc)

NEWSLETTER_LINK = "WzE0LDNd.aQBCAA.6ebln6g4W5WZ_I7R3suPRjaBfhY"
UNSUBSCRIBE = "eyJzIjoiQWJDZEVmR2hJaktsTW5PcFFyU3RVdiIsImwiOiJueWhldHNicmV2In0.7im-twvt-oMaH1hhnmV_kLzpV-g"
REGISTRATION = "eyJzIjoiQWJDZEVmR2hJaktsTW5PcFFyU3RVdiIsIngiOjE3NjQyMTY1NzZ9.y499KDm9rsLJd-8SVQJOJ9TWQFM"
SUMMARY = "eyJzIjoiQWJDZEVmR2hJaktsTW5PcFFyU3RVdiIsInkiOjIwMjUsIm0iOiIwMTE0In0.eYwNiJHkfWY7PtHVQBhwI97SJyc"


@pytest.fixture
def signing():
    app = Flask(__name__)
    app.config.update(SECRET_KEY=KEY, SECRET_KEY_FALLBACKS=[])
    with app.app_context():
        clock.stop_at(MADE_AT)
        yield
    clock.reset()


def test_the_tokens_made_today_are_the_ones_already_mailed(signing):
    assert tokens.make_token("newsletter-link", [14, 3]) == NEWSLETTER_LINK
    assert tokens.make_personal_token("unsubscribe", SUBJECT, None, l="nyhetsbrev") == UNSUBSCRIBE
    assert tokens.make_personal_token("event-registration-cancel", SUBJECT, timedelta(days=30)) == REGISTRATION
    assert tokens.make_municipality_token("embargo-summary", SUBJECT, 2025, "0114") == SUMMARY


def test_the_library_makes_the_same_tokens(signing):
    class At(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(MADE_AT.timestamp())

    timed = URLSafeTimedSerializer(KEY, salt="hti-comms/newsletter-link", signer=At)
    assert timed.dumps([14, 3]) == NEWSLETTER_LINK

    def personal(purpose: str) -> URLSafeSerializer:
        return URLSafeSerializer(KEY, salt=f"hti-comms/personal/{purpose}")

    assert personal("unsubscribe").dumps({"s": SUBJECT, "l": "nyhetsbrev"}) == UNSUBSCRIBE
    expires = int((MADE_AT + timedelta(days=30)).timestamp())
    assert personal("event-registration-cancel").dumps({"s": SUBJECT, "x": expires}) == REGISTRATION
    assert personal("embargo-summary").dumps({"s": SUBJECT, "y": 2025, "m": "0114"}) == SUMMARY


def test_the_known_tokens_read_back_and_only_for_their_purpose(signing):
    assert tokens.read_token("newsletter-link", NEWSLETTER_LINK) == [14, 3]
    read = tokens.read_personal_token("unsubscribe", UNSUBSCRIBE)
    assert (read.subject, read.extra, read.expires_at) == (SUBJECT, {"l": "nyhetsbrev"}, None)
    assert tokens.read_municipality_token("embargo-summary", SUMMARY) == (SUBJECT, 2025, "0114")
    assert tokens.read_municipality_token("action-plan-form", SUMMARY) is None
    with pytest.raises(tokens.BadToken):
        tokens.read_personal_token("preferences", UNSUBSCRIBE)


def test_a_personal_token_expires_at_its_exact_instant(signing):
    expires_at = MADE_AT + timedelta(days=30)
    clock.stop_at(expires_at - timedelta(seconds=1))
    assert tokens.read_personal_token("event-registration-cancel", REGISTRATION).expires_at == expires_at
    clock.stop_at(expires_at)
    with pytest.raises(tokens.BadToken) as refused:
        tokens.read_personal_token("event-registration-cancel", REGISTRATION)
    assert refused.value.expired and refused.value.subject == SUBJECT


def test_a_timed_token_is_its_age_old_at_the_exact_second(signing):
    clock.stop_at(MADE_AT + timedelta(seconds=60))
    assert tokens.read_token("newsletter-link", NEWSLETTER_LINK, max_age_seconds=60) == [14, 3]
    clock.stop_at(MADE_AT + timedelta(seconds=61))
    with pytest.raises(tokens.BadToken) as refused:
        tokens.read_token("newsletter-link", NEWSLETTER_LINK, max_age_seconds=60)
    assert refused.value.expired
