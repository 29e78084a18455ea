"""The address rule function by function: what `make mutation` found the form and import tests let through (see
mutation/). No app and no database: these are the rule's own answers, exact to the Swedish message.
"""
from __future__ import annotations

import pytest
from flask import Flask
from wtforms import Form, StringField
from wtforms.validators import StopValidation

from hti_comms.addresses import (
    MAX_LENGTH, AddressValidator, InvalidAddress, display_address, is_same_address, lookup_form, normalise_address,
    search_form,
)

MISSING = "E-postadressen saknas."
TOO_LONG = f"E-postadressen är för lång (högst {MAX_LENGTH} tecken)."


@pytest.mark.parametrize("text", [None, "", "   "])
def test_a_missing_address_says_so(text):
    with pytest.raises(InvalidAddress) as refused:
        normalise_address(text)
    assert str(refused.value) == MISSING


def test_an_invalid_address_is_named_in_the_message_and_unprintable_characters_are_shown_escaped():
    for text, shown in (("anna@", "anna@"), ("anna@exempel.se\x00", "anna@exempel.se\\x00"),
                        ('"a@b"@exempel.se', '"a@b"@exempel.se')):
        with pytest.raises(InvalidAddress) as refused:
            normalise_address(text)
        assert str(refused.value) == f"”{shown}” är ingen giltig e-postadress."
    with pytest.raises(InvalidAddress) as refused:
        normalise_address("åsa@exempel.se")
    assert str(refused.value) == ("”åsa@exempel.se” går inte att skicka e-post till: bokstäver som å, ä och ö före @ "
                                  "fungerar inte i alla e-postsystem. Kontrollera adressen med mottagaren.")


def test_the_domain_is_what_follows_the_last_at_sign():
    assert normalise_address("AnnaXX@XXexempel.se") == "annaxx@xxexempel.se"
    assert normalise_address("Anna.Ek+nyhetsbrev@Exämpel.SE") == "anna.ek+nyhetsbrev@xn--exmpel-cua.se"


def test_the_longest_addresses_are_accepted_and_one_character_more_is_refused():
    longest = "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 58 + ".se"
    assert len(longest) == MAX_LENGTH and normalise_address(longest.upper()) == longest
    with pytest.raises(InvalidAddress) as refused:
        normalise_address("a" + longest)
    assert str(refused.value) == TOO_LONG


def test_is_same_address_accepts_the_address_however_written_and_nothing_else():
    stored = "anna@xn--exmpel-cua.se"
    assert is_same_address(" ANNA@Exämpel.se", stored)
    assert not is_same_address("anna@exampel.se", stored)
    for typed in ("", "   ", "anna", "anna@", "@xn--exmpel-cua.se"):
        assert not is_same_address(typed, stored), typed
    assert not is_same_address("", "")


def test_lookup_and_search_forms():
    assert lookup_form(" Anna@Exämpel.SE ") == "anna@xn--exmpel-cua.se"
    assert lookup_form("  Inte En Adress ") == "inte en adress" and lookup_form(None) == ""
    assert search_form(" Anna@Exämpel.SE ") == "anna@xn--exmpel-cua.se"
    assert search_form("EXÄMPEL") == "xn--exmpel-cua"
    assert search_form("exa\u0308mpel") == "xn--exmpel-cua"  # written with a combining diaeresis
    assert search_form("anna@.exämpel") == "anna@.xn--exmpel-cua"  # a fragment with an empty label
    assert search_form("Anna@Exempel") == "anna@exempel" and search_form("") == ""
    assert search_form("anna@ex!ämpel") == "anna@ex!ämpel"  # not a domain: searched as typed


def test_display_address_shows_unicode_only_for_a_punycode_domain_after_the_last_at_sign():
    assert display_address("bo@xn--exmple-cua.se") == "bo@exämple.se"
    assert display_address('"a@b"@xn--exmple-cua.se') == '"a@b"@exämple.se'
    assert display_address("xn--exmple-cua.se") == "xn--exmple-cua.se"
    assert display_address("anna@exempel.se") == "anna@exempel.se"
    assert display_address("bo@xn--a.se") == "bo@xn--a.se"  # not valid punycode: shown as stored
    assert display_address("") == ""


def _refusal(field: str, value: str) -> str | None:
    # Made here, not at import: the validator is what is tested.
    class _Form(Form):
        plain = StringField(validators=[AddressValidator()])
        hinted = StringField(validators=[AddressValidator("Skriv hela adressen.")])

    form = _Form(data={field: value})
    try:
        form[field].validators[0](form, form[field])
    except StopValidation as stop:
        return str(stop)
    return None


def test_the_form_validator_says_the_rule_and_its_hint():
    assert _refusal("plain", "anna@") == "”anna@” är ingen giltig e-postadress."
    assert _refusal("hinted", "anna@") == "”anna@” är ingen giltig e-postadress. Skriv hela adressen."
    assert _refusal("hinted", "") is None and _refusal("plain", "anna@exempel.se") is None
    app = Flask(__name__)
    with app.app_context():
        assert _refusal("plain", "anna@exämpel.se") is None


def test_an_address_whose_ascii_form_is_too_long_is_refused_however_short_it_looks():
    label = "ä" * 20  # 20 characters, 26 in punycode
    domain = ".".join([label] * 8) + ".se"
    for local_length in (64, 255 - 1 - len(".".join(["xn--4" + "c" + "a" * 20] * 8) + ".se")):
        address = "a" * local_length + "@" + domain
        assert len(address) < MAX_LENGTH
        with pytest.raises(InvalidAddress):
            normalise_address(address)


def test_the_message_shows_a_printable_address_as_typed_and_judges_the_part_before_the_last_at_sign():
    for text in ("anna\\ek@exempel.se", "a" * 63 + "\\@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 58 + ".se"):
        with pytest.raises(InvalidAddress) as refused:
            normalise_address(text)
        assert str(refused.value) == f"”{text}” är ingen giltig e-postadress."
    with pytest.raises(InvalidAddress, match="bokstäver som å, ä och ö före @"):
        normalise_address("a@å@exempel.se")


def test_a_plain_address_whose_ascii_form_is_one_character_too_long_is_refused():
    domain = "b" * 63 + "." + "c" * 63 + "." + "d" * 36 + "." + "ä" * 20 + ".se"  # 194 characters in ASCII
    for local_length in (64, 60):  # 259 and 255 characters in ASCII, 253 and 249 as typed
        with pytest.raises(InvalidAddress):
            normalise_address("a" * local_length + "@" + domain)
    assert len(normalise_address("a" * 59 + "@" + domain)) == MAX_LENGTH


def test_with_smtputf8_a_unicode_local_part_is_kept_up_to_the_length_limit():
    app = Flask(__name__)
    app.config["SMTP_UTF8"] = True
    with app.app_context():
        assert normalise_address("Åsa@Exämpel.se") == "åsa@xn--exmpel-cua.se"
        with pytest.raises(InvalidAddress) as refused:
            normalise_address("å" * 40 + "@" + ".".join(["ä" * 20] * 8) + ".se")
        assert str(refused.value) in (TOO_LONG, "”" + "å" * 40 + "@" + ".".join(["ä" * 20] * 8) + ".se” är ingen giltig e-postadress.")
