"""Tokens beyond the round trip: what `make mutation` found every other test let through (see mutation/).

Each test below fails for a change to hti_comms/tokens.py that the round-trip tests (make, then read) accept:
the timestamp's bytes at an instant whose first byte is a letter, a payload that is not what
a personal token holds, a subject key of another length.
"""
from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

import pytest
from flask import Flask
from itsdangerous import TimestampSigner, URLSafeSerializer, URLSafeTimedSerializer

from hti_comms import clock, tokens

KEY = "nyckel-för-mutationstester-" + "0" * 16
#: 0x58…: the timestamp's first byte is b"X", which must stay (only zero bytes go).
X_INSTANT = datetime.fromtimestamp(0x58A1B2C3, timezone.utc)


@pytest.fixture
def signing():
    app = Flask(__name__)
    app.config.update(SECRET_KEY=KEY, SECRET_KEY_FALLBACKS=[])
    with app.app_context():
        clock.stop_at(X_INSTANT)
        yield
    clock.reset()


def _library_timed(purpose: str, at: datetime) -> URLSafeTimedSerializer:
    class At(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(at.timestamp())

    return URLSafeTimedSerializer(KEY, salt=f"hti-comms/{purpose}", signer=At)


def test_a_timed_token_is_the_librarys_at_an_instant_whose_first_byte_is_a_letter(signing):
    assert int(X_INSTANT.timestamp()).to_bytes(8, "big").lstrip(b"\x00")[:1] == b"X"
    assert tokens.make_token("confirm", [1]) == _library_timed("confirm", X_INSTANT).dumps([1])
    assert tokens.read_token("confirm", tokens.make_token("confirm", [1])) == [1]


@pytest.mark.parametrize("payload", [["nyckel"], {"s": 5}, {"x": 1}, "nyckel"])
def test_a_signed_payload_that_is_no_personal_token_is_refused(signing, payload):
    forged = URLSafeSerializer(KEY, salt="hti-comms/personal/unsubscribe").dumps(payload)
    with pytest.raises(tokens.BadToken) as refused:
        tokens.read_personal_token("unsubscribe", forged)
    assert not refused.value.expired and str(refused.value) == "invalid"


@pytest.mark.parametrize("extra", [{"y": "2025", "m": "0114"}, {"y": 2025, "m": 114}, {"y": 2025}, {"m": "0114"}])
def test_a_municipality_token_needs_a_whole_year_and_a_code(signing, extra):
    token = tokens.make_personal_token("embargo-summary", "nyckel", None, **extra)
    assert tokens.read_municipality_token("embargo-summary", token) is None


def test_an_expired_token_says_so_and_a_missing_subject_is_a_programming_error(signing):
    token = tokens.make_personal_token("unsubscribe", "nyckel", timedelta(seconds=1))
    clock.stop_at(X_INSTANT + timedelta(seconds=1))
    with pytest.raises(tokens.BadToken) as refused:
        tokens.read_personal_token("unsubscribe", token)
    assert refused.value.expired and str(refused.value) == "expired" and refused.value.subject == "nyckel"
    with pytest.raises(ValueError, match="^a personal token needs a subject key$"):
        tokens.make_personal_token("unsubscribe", "", None)


def test_a_subject_key_is_22_url_safe_characters():
    keys = {tokens.new_subject_key() for _ in range(20)}
    assert len(keys) == 20
    assert all(len(key) == 22 and len(base64.urlsafe_b64decode(key + "==")) == 16 for key in keys)
