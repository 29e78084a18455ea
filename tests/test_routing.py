"""URL builders made on first use and shared in the process (hti_comms.routing): the same URLs as werkzeug's own."""
from __future__ import annotations

from flask import url_for
from werkzeug.routing import Rule

from hti_comms import create_app
from hti_comms.routing import LazyRule


def _code(function):
    code = function.__code__
    return code.co_code, code.co_consts, code.co_varnames, code.co_names, function.__defaults__


def test_every_rule_s_builders_are_the_functions_werkzeug_compiles(app):
    rules = [rule for rule in app.url_map.iter_rules() if isinstance(rule, LazyRule)]
    assert len(rules) > 150  # every route of every domain, not only a few
    for rule in rules:
        for append_unknown in (False, True):
            assert _code(rule._shared_builder(append_unknown)) == _code(Rule._compile_builder(rule, append_unknown)), \
                (rule.rule, append_unknown)


def test_a_new_app_compiles_no_builder_until_a_url_is_built(migrated_database):
    settings = {"HTI_ENV": "test", "DATABASE_URL": migrated_database, "SERVER_NAME": None}
    first, second = create_app(settings), create_app(settings)
    rule = next(r for r in second.url_map.iter_rules() if r.endpoint == "newsletters_admin.recipients")
    assert rule._build_unknown.__name__ == "build_on_first_use"
    with first.test_request_context(base_url="https://hti.example.se"):
        built_first = url_for("newsletters_admin.recipients", newsletter_id=12, sida=2)
    with second.test_request_context(base_url="https://hti.example.se"):
        assert url_for("newsletters_admin.recipients", newsletter_id=12, sida=2) == built_first
    assert built_first == "/admin/nyhetsbrev/12/mottagare?sida=2"
    assert rule._build_unknown.__name__ != "build_on_first_use"  # compiled once, then kept by the rule
    # The two apps' alike rules share one compiled builder.
    first_rule = next(r for r in first.url_map.iter_rules() if r.endpoint == "newsletters_admin.recipients")
    assert first_rule._build_unknown.__func__ is rule._build_unknown.__func__


def test_a_url_whose_arguments_include_one_called_rule_is_built_before_and_after_the_builder_is_compiled(app):
    with app.test_request_context(base_url="https://hti.example.se"):
        first = url_for("newsletters_admin.recipients", newsletter_id=12, rule="a")
        again = url_for("newsletters_admin.recipients", newsletter_id=12, rule="b")
    assert (first, again) == ("/admin/nyhetsbrev/12/mottagare?rule=a", "/admin/nyhetsbrev/12/mottagare?rule=b")
