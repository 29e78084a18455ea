"""Signed tokens: personal links name an opaque key (never an address), expire by the app clock, keys rotate."""
from datetime import timedelta

import pytest

from hti_comms import clock
from hti_comms.links import (
    PREFERENCES_PURPOSE, UNSUBSCRIBE_PURPOSE, data_export_url, preferences_url, unsubscribe_url,
)
from hti_comms.tokens import (
    BadToken, make_personal_token, make_token, new_subject_key, read_personal_token, read_token,
)

OLD_KEY = "o" * 40
NEW_KEY = "n" * 40


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_round_trip_and_purpose_separation(app):
    token = make_token("confirm", {"e": "a@b.se"})
    assert read_token("confirm", token) == {"e": "a@b.se"}
    with pytest.raises(BadToken):
        read_token("unsubscribe", token)


def test_tampered_token_is_rejected(app):
    token = make_token("confirm", {"e": "a@b.se"})
    with pytest.raises(BadToken) as error:
        read_token("confirm", token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])
    assert not error.value.expired


def test_personal_token_round_trip_purpose_and_kind_separation(app):
    key = new_subject_key()
    token = make_personal_token("event-cancel", key, timedelta(days=1), r=17)
    read = read_personal_token("event-cancel", token)
    assert (read.subject, read.extra) == (key, {"r": 17})
    for wrong in (lambda: read_personal_token("preferences", token), lambda: read_token("event-cancel", token),
                  lambda: read_personal_token("event-cancel", make_token("event-cancel", {"s": key}))):
        with pytest.raises(BadToken):
            wrong()


def test_links_in_emails_carry_no_address(app):
    key = new_subject_key()
    for url in (unsubscribe_url(key, "nyhetsbrev"), preferences_url(key), data_export_url(key)):
        assert url.startswith("https://hti.example.se/")
        # The payload of a signed token is readable by anyone; it must hold nothing but the opaque key.
        assert "@" not in url and "example" not in url.split("/", 3)[3]
    assert read_personal_token(UNSUBSCRIBE_PURPOSE, token_of(unsubscribe_url(key, None))).subject == key


def test_personal_tokens_expire_by_the_application_clock(app):
    key = new_subject_key()
    preferences = token_of(preferences_url(key))
    unsubscribe = token_of(unsubscribe_url(key, None))
    export = token_of(data_export_url(key))

    clock.set_now(clock.now() + timedelta(minutes=61))
    with pytest.raises(BadToken) as error:
        read_personal_token("data-export", export)
    assert error.value.expired and error.value.subject == key  # genuine: a fresh link can go to the owner
    assert read_personal_token(PREFERENCES_PURPOSE, preferences).subject == key

    clock.set_now(clock.now() + timedelta(days=90))
    with pytest.raises(BadToken) as error:
        read_personal_token(PREFERENCES_PURPOSE, preferences)
    assert error.value.expired
    # RFC 8058: an unsubscribe link in a years-old email still works.
    clock.set_now(clock.now() + timedelta(days=3 * 365))
    assert read_personal_token(UNSUBSCRIBE_PURPOSE, unsubscribe).subject == key


def test_signing_keys_rotate_with_fallbacks(app):
    key = new_subject_key()
    app.config.update(SECRET_KEY=OLD_KEY, SECRET_KEY_FALLBACKS=[])
    signed_with_old = make_personal_token("preferences", key, None)
    timed_with_old = make_token("confirm", {"c": 1})

    app.config.update(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[OLD_KEY])
    assert read_personal_token("preferences", signed_with_old).subject == key
    assert read_token("confirm", timed_with_old) == {"c": 1}
    signed_with_new = make_personal_token("preferences", key, None)

    app.config.update(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[])
    assert read_personal_token("preferences", signed_with_new).subject == key
    with pytest.raises(BadToken):
        read_personal_token("preferences", signed_with_old)
    with pytest.raises(BadToken):
        read_token("confirm", timed_with_old)


def test_a_personal_token_needs_a_subject(app):
    with pytest.raises(ValueError):
        make_personal_token("preferences", "", None)
