"""Security headers on every kind of page, pages free of inline script and style, production settings."""
import logging
import re

import pytest

from hti_comms import create_app
from hti_comms.config import ConfigError, build_config
from hti_comms.links import preferences_url

LONG_KEY = "k" * 32


def assert_page_headers(response, *, referrer: str) -> None:
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == referrer
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"  # BASE_URL is https in the tests


def test_public_page_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert_page_headers(response, referrer="strict-origin-when-cross-origin")


def test_staff_page_headers(staff_login):
    response = staff_login.get("/admin/")
    assert response.status_code == 200
    assert_page_headers(response, referrer="strict-origin-when-cross-origin")


def test_token_page_sends_no_referrer_and_is_never_cached(client, make_contact):
    contact = make_contact("eva@exempel.se")
    response = client.get(preferences_url(contact.link_key).removeprefix("https://hti.example.se"))
    assert response.status_code == 200
    assert_page_headers(response, referrer="no-referrer")
    assert response.headers["Cache-Control"] == "no-store"
    # A page that refuses a link still carries the token in its URL.
    refused = client.get("/avregistrera/trasig")
    assert refused.status_code == 400 and refused.headers["Referrer-Policy"] == "no-referrer"


def test_no_hsts_without_https(migrated_database):
    from hti_comms.extensions import db

    app = create_app({"HTI_ENV": "test", "DATABASE_URL": migrated_database, "BASE_URL": "http://127.0.0.1:5000"})
    try:
        response = app.test_client().get("/")  # the start page asks the database which years are public
        assert "Strict-Transport-Security" not in response.headers
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    finally:
        with app.app_context():
            db.engine.dispose()  # this app's pool, or its connection is left open for the garbage collector


def test_templates_have_no_inline_script_handlers_or_style(project_root):
    """Pages load script and style from files only; emails (templates/emails) are not pages and are exempt."""
    offenders = []
    for template in sorted((project_root / "templates" / "web").rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"\son[a-z]+\s*=", r"\sstyle\s*=", r"<style\b",
                        r"javascript:"):
            offenders += [f"{template.relative_to(project_root)}: {m.group(0)}"
                          for m in re.finditer(pattern, text, re.IGNORECASE)]
    assert offenders == []


def test_production_refuses_a_short_secret_key_with_one_line():
    with pytest.raises(ConfigError) as error:
        build_config({"HTI_ENV": "production", "SECRET_KEY": "x" * 31})
    assert error.value.message.startswith("SECRET_KEY has 31 characters; production needs at least 32")
    assert "\n" not in error.value.message
    with pytest.raises(ConfigError, match="SECRET_KEY_FALLBACKS holds a key shorter than 32"):
        build_config({"HTI_ENV": "production", "SECRET_KEY": LONG_KEY, "REDIS_URL": REDIS,
                      "SECRET_KEY_FALLBACKS": "short"})
    # Short keys are fine for development and tests.
    assert build_config({"HTI_ENV": "development", "SECRET_KEY": "kort"})["SECRET_KEY"] == "kort"


#: Production needs shared rate-limit storage; nothing connects to it while the config is built.
REDIS = "redis://127.0.0.1:6379/0"


def test_secret_key_fallbacks_are_a_comma_separated_list():
    config = build_config({"HTI_ENV": "production", "SECRET_KEY": LONG_KEY, "REDIS_URL": REDIS,
                           "SECRET_KEY_FALLBACKS": f" {'a' * 32}, {'b' * 40} ,"})
    assert config["SECRET_KEY_FALLBACKS"] == ["a" * 32, "b" * 40]
    assert build_config({"HTI_ENV": "production", "SECRET_KEY": LONG_KEY, "REDIS_URL": REDIS})["SECRET_KEY_FALLBACKS"] == []


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "SQLite" in r.getMessage()]


def test_production_on_sqlite_warns_once_at_start_up(caplog, tmp_path):
    with caplog.at_level(logging.WARNING):
        create_app({"HTI_ENV": "production", "SECRET_KEY": LONG_KEY, "REDIS_URL": REDIS,
                    "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    [warning] = _warnings(caplog)
    assert "DATABASE_URL is SQLite in production" in warning and "postgresql://" in warning
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        create_app({"HTI_ENV": "production", "SECRET_KEY": LONG_KEY, "REDIS_URL": REDIS,
                    "DATABASE_URL": "postgresql://hti@db.example:5432/hti"})
        create_app({"HTI_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert _warnings(caplog) == []
