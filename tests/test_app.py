import logging
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from hti_comms import clock, create_app
from hti_comms.config import ConfigError, build_config


def test_factory_builds_an_app_without_touching_the_database(tmp_path):
    database = tmp_path / "never-created.db"
    app = create_app({"HTI_ENV": "test", "DATABASE_URL": f"sqlite:///{database}"})
    assert app.config["TESTING"] is True
    assert "hti" in app.cli.commands
    assert not database.exists()


def test_factory_accepts_overrides():
    app = create_app({"HTI_ENV": "test", "DATABASE_URL": "sqlite://", "BASE_URL": "https://hti.example.se/"})
    assert app.config["BASE_URL"] == "https://hti.example.se"
    assert app.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("url", ["not a url", "mysql://root@localhost/x", "postgresql://localhost:5432"])
def test_malformed_database_url_stops_with_one_clear_line(url):
    with pytest.raises(ConfigError) as error:
        build_config({"HTI_ENV": "development", "DATABASE_URL": url})
    assert "DATABASE_URL" in error.value.message and "\n" not in error.value.message


def test_postgres_urls_get_the_psycopg_driver():
    config = build_config({"HTI_ENV": "development", "DATABASE_URL": "postgres://u@db:5432/hti"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db:5432/hti"


def test_missing_secret_key_outside_development():
    with pytest.raises(ConfigError, match="SECRET_KEY is not set; set SECRET_KEY"):
        build_config({"HTI_ENV": "production"})
    assert build_config({"HTI_ENV": "development"})["SECRET_KEY"]


def test_bad_config_ends_the_process_with_one_line(project_root):
    env = {"PATH": "/usr/bin:/bin", "HTI_ENV": "production", "SECRET_KEY": "x" * 32, "DATABASE_URL": "nonsense"}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "hti", "results", "--year", "2024"],
                            cwd=project_root, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "hti-comms: configuration error: DATABASE_URL 'nonsense' is malformed; set it to e.g. "
        "postgresql://user@host:5432/dbname or sqlite:////absolute/path/hti.db"
    ]


def test_fake_now_starts_the_clock_there_and_warns(caplog):
    with caplog.at_level(logging.WARNING):
        create_app({"HTI_ENV": "test", "DATABASE_URL": "sqlite://", "HTI_FAKE_NOW": "2026-12-01T06:59:00+01:00"})
    started = datetime(2026, 12, 1, 5, 59, tzinfo=timezone.utc)
    assert started <= clock.now() < started + timedelta(seconds=5)
    assert clock.now().tzinfo is not None
    assert any("HTI_FAKE_NOW is set" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)


def test_fake_now_is_refused_in_production():
    with pytest.raises(ConfigError, match="HTI_FAKE_NOW is set in production"):
        build_config({"HTI_ENV": "production", "SECRET_KEY": "x" * 32, "HTI_FAKE_NOW": "2026-12-01T07:00:00+01:00"})


def test_fake_now_needs_an_offset():
    with pytest.raises(ConfigError, match="no UTC offset"):
        build_config({"HTI_ENV": "development", "HTI_FAKE_NOW": "2026-12-01T07:00:00"})


def test_clock_keeps_running_after_being_set():
    clock.set_now(datetime(2024, 11, 7, 9, 0, tzinfo=timezone.utc))
    first = clock.now()
    second = clock.now()
    assert second >= first and first.year == 2024


def test_a_stopped_clock_reads_the_same_instant_until_it_is_moved_again():
    import time

    moment = datetime(2025, 12, 2, 5, 59, 59, tzinfo=timezone.utc)
    clock.stop_at(moment)
    first = clock.now()
    time.sleep(0.02)
    assert first == clock.now() == clock.trusted_now() == moment
    clock.set_now(moment)  # moved again: it runs on from there
    time.sleep(0.02)
    assert clock.now() > moment
    clock.stop_at(moment)
    clock.reset()
    assert clock.now().year >= 2026


def test_public_pages_are_swedish(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="sv">' in html and "Hemtjänstindex" in html
    missing = client.get("/finns-inte")
    assert missing.status_code == 404 and "Sidan finns inte" in missing.get_data(as_text=True)


def test_production_needs_a_shared_store_for_rate_limits():
    production = {"HTI_ENV": "production", "SECRET_KEY": "x" * 32}
    with pytest.raises(ConfigError, match="REDIS_URL is not set; set REDIS_URL") as error:
        build_config(production)
    assert "\n" not in error.value.message
    assert build_config({**production, "REDIS_URL": "redis://127.0.0.1:6379/0"})["RATELIMIT_ENABLED"] is True
    assert build_config({**production, "RATELIMIT_ENABLED": "false"})["RATELIMIT_ENABLED"] is False
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES must be a whole number"):
        build_config({"HTI_ENV": "test", "TRUSTED_PROXIES": "yes"})
    assert build_config({"HTI_ENV": "test", "TRUSTED_PROXIES": "1"})["TRUSTED_PROXIES"] == 1


def test_varnish_urls_are_http_addresses_of_proxies():
    assert build_config({"HTI_ENV": "test"})["VARNISH_URLS"] == []
    assert build_config({"HTI_ENV": "test", "VARNISH_URLS": "http://127.0.0.1:6081/, http://10.0.0.2:6081"})[
        "VARNISH_URLS"] == ["http://127.0.0.1:6081", "http://10.0.0.2:6081"]
    with pytest.raises(ConfigError, match="VARNISH_URLS: '127.0.0.1:6081' is not an http:// address"):
        build_config({"HTI_ENV": "test", "VARNISH_URLS": "127.0.0.1:6081"})
