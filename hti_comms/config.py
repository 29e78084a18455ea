"""Configuration read from the environment and validated at start-up."""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import idna
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from .config_sections import delivery_settings, mail_settings, operations_settings, staff_settings
from .config_values import ConfigError, env_bool, env_float, env_int

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"

ENVIRONMENTS = ("development", "test", "production")
DEV_SECRET_KEY = "dev-only-not-a-secret"  # noqa: S105 - only ever used when HTI_ENV=development
SMTP_SECURITY_MODES = ("none", "starttls", "ssl")
VALIDATED_SETTINGS = ("HTI_ENV", "SECRET_KEY", "SECRET_KEY_FALLBACKS", "DATABASE_URL", "BASE_URL", "HTI_FAKE_NOW",
                      "HTI_CLOCK_SKEW_SECONDS", "SMTP_SECURITY", "REDIS_URL", "RATELIMIT_ENABLED", "TRUSTED_PROXIES")
#: Shortest SECRET_KEY (and old key in SECRET_KEY_FALLBACKS) production accepts: 32 characters, e.g. 16 random
#: bytes as hex; anything shorter can be guessed offline from one signed link.
MIN_SECRET_KEY_LENGTH = 32


def normalise_database_url(url: str) -> str:
    """Return a SQLAlchemy URL with an explicit driver, or raise ConfigError."""
    url = url.strip()
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"DATABASE_URL {url!r} is malformed; set it to e.g. "
            "postgresql://user@host:5432/dbname or sqlite:////absolute/path/hti.db"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ConfigError(
            f"DATABASE_URL uses {backend!r}; set it to a postgresql:// or sqlite:/// URL"
        )
    if backend == "postgresql":
        if not parsed.database:
            raise ConfigError("DATABASE_URL names no database; set it to postgresql://user@host:5432/dbname")
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def build_config(env: dict | None = None, overrides: dict | None = None) -> dict:
    """Return the Flask config for the given environment, validated."""
    env = dict(os.environ if env is None else env)
    overrides = dict(overrides or {})
    # Settings that are validated below may come from either place; overrides win (tests, create_app callers).
    for key in VALIDATED_SETTINGS:
        if key in overrides:
            value = overrides.pop(key)
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
    hti_env = env.get("HTI_ENV", "production")
    if hti_env not in ENVIRONMENTS:
        raise ConfigError(f"HTI_ENV must be one of {', '.join(ENVIRONMENTS)}, got {hti_env!r}")

    secret_key, secret_key_fallbacks = _secret_keys(env, hti_env)

    default_db = f"sqlite:///{INSTANCE_DIR / 'hti.db'}"
    database_url = normalise_database_url(
        env.get("DATABASE_URL") or default_db
    )

    base_url = (env.get("BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"BASE_URL {base_url!r} is not an http(s) URL; set e.g. https://hti.spfseniorerna.se")

    smtp_security = (env.get("SMTP_SECURITY") or "none").lower()
    if smtp_security not in SMTP_SECURITY_MODES:
        raise ConfigError(f"SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY_MODES)}, got {smtp_security!r}")

    fake_now = env.get("HTI_FAKE_NOW") or None
    if fake_now:
        if hti_env == "production":
            raise ConfigError("HTI_FAKE_NOW is set in production; unset HTI_FAKE_NOW (it is for demos and tests only)")
        try:
            parsed_now = datetime.fromisoformat(fake_now)
        except ValueError:
            raise ConfigError(f"HTI_FAKE_NOW {fake_now!r} is not an ISO 8601 time, e.g. 2026-12-01T07:00:00+01:00") from None
        if parsed_now.tzinfo is None:
            raise ConfigError(f"HTI_FAKE_NOW {fake_now!r} has no UTC offset; write e.g. 2026-12-01T07:00:00+01:00")

    clock_skew = env_float(env, "HTI_CLOCK_SKEW_SECONDS", 0.0)
    if clock_skew and hti_env == "production":
        raise ConfigError("HTI_CLOCK_SKEW_SECONDS is set in production; unset it (it makes the clock wrong on purpose, "
                          "for tests of clocks that disagree)")

    rate_limits_on = env_bool(env.get("RATELIMIT_ENABLED"), default=True)
    redis_url = env.get("REDIS_URL") or None
    if hti_env == "production" and rate_limits_on and not redis_url:
        # In memory, every gunicorn worker would count on its own: each would let the whole limit through.
        raise ConfigError("REDIS_URL is not set; set REDIS_URL (e.g. redis://127.0.0.1:6379/0) so that every web "
                          "worker shares the login and form rate limits, or set RATELIMIT_ENABLED=false")
    trusted_proxies = trusted_proxy_count(env)

    delivery = delivery_settings(env)
    is_https = parts.scheme == "https"
    config = {
        "HTI_ENV": hti_env,
        "TESTING": hti_env == "test",
        #: argon2id's cost for staff passwords (`auth.services`): argon2-cffi's RFC 9106 low-memory profile (t=3,
        #: 64 MiB, 4 lanes) everywhere but the tests, which hash with its cheapest profile (a hash is still argon2id;
        #: one made so is made again at full cost on its first login elsewhere). Not a setting: no deployment may
        #: lower it.
        "PASSWORD_HASH_PROFILE": "CHEAPEST" if hti_env == "test" else "RFC_9106_LOW_MEMORY",
        "SECRET_KEY": secret_key,
        #: Old keys still accepted for sessions and links (Flask 3.1 reads this too); new ones use SECRET_KEY.
        "SECRET_KEY_FALLBACKS": secret_key_fallbacks,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BASE_URL": base_url,
        "PREFERRED_URL_SCHEME": parts.scheme,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": is_https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": is_https,
        "WTF_CSRF_TIME_LIMIT": None,
        #: Off: it demands a Referer on https, which our no-referrer token pages never send. hti_comms/forgery.py
        #: checks where a post came from instead (Sec-Fetch-Site, Origin, then Referer).
        "WTF_CSRF_SSL_STRICT": False,
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "SMTP_HOST": env.get("SMTP_HOST") or "127.0.0.1",
        "SMTP_PORT": env_int(env, "SMTP_PORT", 8025),
        "SMTP_USERNAME": env.get("SMTP_USERNAME") or None,
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD") or None,
        "SMTP_SECURITY": smtp_security,
        #: Accept addresses with letters such as å before the @ (only if the SMTP relay speaks SMTPUTF8).
        "SMTP_UTF8": env_bool(env.get("SMTP_UTF8")),
        #: Mail goes to the local development sink (`hti mail-sink`, started by `hti dev`): the staff menu shows
        #: Testpost. Default: on outside production when SMTP_HOST is this machine.
        "MAIL_SINK": env_bool(env.get("MAIL_SINK"), default=hti_env != "production" and
                           (env.get("SMTP_HOST") or "127.0.0.1") in ("127.0.0.1", "localhost", "::1")),
        **mail_settings(env),
        "REDIS_URL": redis_url,
        "RATELIMIT_ENABLED": rate_limits_on,
        #: Put before every rate-limit key in Redis (Flask-Limiter), so that installations sharing one Redis never
        #: count together.
        "RATELIMIT_KEY_PREFIX": env.get("RATELIMIT_KEY_PREFIX") or "",
        #: Proxies in front of the app whose X-Forwarded-For/-Proto are believed (werkzeug's ProxyFix).
        "TRUSTED_PROXIES": trusted_proxies,
        #: Flask-Limiter strings for the public subscriber forms (per client address).
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT") or "10 per minute;50 per hour",
        #: Staff login, failed tries at one account from one client address (or one known device).
        "LOGIN_ACCOUNT_ADDRESS_RATE_LIMIT": env.get("LOGIN_ACCOUNT_ADDRESS_RATE_LIMIT")
        or "10 per minute;30 per hour;100 per day",
        #: Staff login, failed tries at one account from all addresses together, except from the account's known
        #: devices; above what one address may do, so one address alone never uses it up (hti_comms/auth/limits.py).
        "LOGIN_ACCOUNT_RATE_LIMIT": env.get("LOGIN_ACCOUNT_RATE_LIMIT") or "50 per hour;300 per day",
        #: "Glömt lösenordet?": requests per client address and per account, and how long a link works.
        "PASSWORD_RESET_RATE_LIMIT": env.get("PASSWORD_RESET_RATE_LIMIT") or "5 per hour",
        "PASSWORD_RESET_MINUTES": env_int(env, "PASSWORD_RESET_MINUTES", 30),
        #: Counts accepted sign-ups only; a form sent back with mistakes to correct never counts.
        "SIGNUP_RATE_LIMIT": env.get("SIGNUP_RATE_LIMIT") or "5 per minute;20 per hour",
        #: Every post to the sign-up form, accepted or not: generous, against floods only.
        "SIGNUP_ATTEMPT_RATE_LIMIT": env.get("SIGNUP_ATTEMPT_RATE_LIMIT") or "30 per minute;300 per hour",
        #: Generous: mail providers send one-click unsubscribes for many people from few addresses.
        "UNSUBSCRIBE_RATE_LIMIT": env.get("UNSUBSCRIBE_RATE_LIMIT") or "60 per minute",
        #: A public form sent again with the same address (a sign-up, an event registration, an order) within this
        #: many minutes of the last confirmation email sends no second one: nobody's inbox can be flooded.
        "CONFIRMATION_RESEND_MINUTES": env_int(env, "CONFIRMATION_RESEND_MINUTES", 60),
        #: Days a confirmation link works, and days before a never-confirmed sign-up is deleted.
        "SUBSCRIBERS_CONFIRM_DAYS": env_int(env, "SUBSCRIBERS_CONFIRM_DAYS", 7),
        "SUBSCRIBERS_UNCONFIRMED_RETENTION_DAYS": env_int(env, "SUBSCRIBERS_UNCONFIRMED_RETENTION_DAYS", 30),
        #: How long a preference link and a data-export link work (an unsubscribe link works until revoked).
        "PREFERENCES_LINK_DAYS": env_int(env, "PREFERENCES_LINK_DAYS", 90),
        "DATA_EXPORT_LINK_MINUTES": env_int(env, "DATA_EXPORT_LINK_MINUTES", 60),
        #: Flask-Limiter string for the buttons that email a person a fresh link (per client address).
        "LINK_EMAIL_RATE_LIMIT": env.get("LINK_EMAIL_RATE_LIMIT") or "5 per hour",
        #: Months after a year's publication when the ordering municipalities are reminded of their action plan.
        "ACTION_PLAN_REMINDER_MONTHS": env_int(env, "ACTION_PLAN_REMINDER_MONTHS", 9),
        "HTI_FAKE_NOW": fake_now,
        #: The organisation's own domains: the lookalike-link check compares every link with them.
        "ORGANISATION_DOMAINS": organisation_domains(env),
        #: Tests only: this process's own clock is this many seconds wrong (the database's time corrects it).
        "HTI_CLOCK_SKEW_SECONDS": clock_skew,
        **delivery,
        **staff_settings(env),
        **operations_settings(env),
    }
    for name in ("PREFERENCES_LINK_DAYS", "DATA_EXPORT_LINK_MINUTES", "ACTION_PLAN_REMINDER_MONTHS"):
        if config[name] < 1:
            raise ConfigError(f"{name} must be at least 1, got {config[name]}")
    config.update(overrides)
    return config


def trusted_proxy_count(env: dict) -> int:
    """Return TRUSTED_PROXIES: how many proxies in front of the app write X-Forwarded-For (gunicorn.conf.py too)."""
    trusted_proxies = env_int(env, "TRUSTED_PROXIES", 0)
    if trusted_proxies < 0:
        raise ConfigError(f"TRUSTED_PROXIES must be 0 or more (the number of proxies in front of the app), "
                          f"got {trusted_proxies}")
    return trusted_proxies


def _secret_keys(env: dict, hti_env: str) -> tuple[str, list[str]]:
    """Return SECRET_KEY and the old keys of SECRET_KEY_FALLBACKS, refusing weak keys in production."""
    secret_key = env.get("SECRET_KEY")
    fallbacks = [key.strip() for key in (env.get("SECRET_KEY_FALLBACKS") or "").split(",") if key.strip()]
    how = "(e.g. python -c 'import secrets; print(secrets.token_hex(32))')"
    if not secret_key:
        if hti_env == "production":
            raise ConfigError(f"SECRET_KEY is not set; set SECRET_KEY to a long random string {how}")
        return DEV_SECRET_KEY, fallbacks
    if hti_env == "production":
        if secret_key == DEV_SECRET_KEY:
            raise ConfigError("SECRET_KEY is the development key; set a real SECRET_KEY in production")
        if len(secret_key) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(f"SECRET_KEY has {len(secret_key)} characters; production needs at least "
                              f"{MIN_SECRET_KEY_LENGTH}: set a long random string {how}")
        if any(len(key) < MIN_SECRET_KEY_LENGTH for key in fallbacks):
            raise ConfigError(f"SECRET_KEY_FALLBACKS holds a key shorter than {MIN_SECRET_KEY_LENGTH} characters; "
                              "remove it (links signed with it stop working)")
    return secret_key, fallbacks


def startup_warnings(config: dict) -> list[str]:
    """Return what an operator must hear about once when a process starts (settings allowed but unwise)."""
    warnings = []
    if config["HTI_ENV"] == "production" and config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        warnings.append("!!! DATABASE_URL is SQLite in production: one writer at a time and no second machine; "
                        "set DATABASE_URL to postgresql://user@host:5432/db !!!")
    return warnings


#: The organisation's own domains when ORGANISATION_DOMAINS is not set (its video-meeting host included).
DEFAULT_ORGANISATION_DOMAINS = ("spfseniorerna.se", "hemtjanstindex.se", "spfseniorerna-se.zoom.us")


def organisation_domains(env: dict) -> list[str]:
    """Return ORGANISATION_DOMAINS as lower-case ASCII hosts (punycode), refusing anything that is not a host.

    KNOWN_LINK_DOMAINS, its old name, is still read when the new one is not set.
    """
    raw = env.get("ORGANISATION_DOMAINS") or env.get("KNOWN_LINK_DOMAINS") or ",".join(DEFAULT_ORGANISATION_DOMAINS)
    domains = []
    for entry in (part.strip() for part in raw.split(",")):
        if not entry:
            continue
        host = entry.lower().rstrip(".")
        try:
            ascii_host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError:
            ascii_host = ""
        if not ascii_host or "." not in ascii_host or any(c in entry for c in "/:@ "):
            raise ConfigError(f"ORGANISATION_DOMAINS holds {entry!r}, which is not a domain; write host names "
                              "separated by commas, e.g. spfseniorerna.se,hemtjanstindex.se")
        if ascii_host not in domains:
            domains.append(ascii_host)
    return domains
