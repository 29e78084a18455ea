"""Groups of settings read and validated apart from the rest of `config.build_config`: mail, staff, delivery."""
from __future__ import annotations

import re
from email.utils import parseaddr
from pathlib import Path

from .config_values import ConfigError, env_bool, env_float, env_int
from .organisation import SENDER_NAME

#: The instance folder (as config.INSTANCE_DIR, which imports this module).
INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"

DEFAULT_MAIL_FROM = f"{SENDER_NAME} <hemtjanstindex@spfseniorerna.se>"
#: Seconds the send worker waits for the SMTP server in each phase of a message (README, Configuration). The
#: older SMTP_TIMEOUT, when set, is the default of every phase.
SMTP_PHASE_TIMEOUTS = {"SMTP_CONNECT_TIMEOUT": 10.0, "SMTP_GREETING_TIMEOUT": 30.0, "SMTP_COMMAND_TIMEOUT": 30.0,
                       "SMTP_DATA_TIMEOUT": 60.0, "SMTP_FINAL_REPLY_TIMEOUT": 30.0}


def mail_settings(env: dict) -> dict:
    """Return the sender, the Reply-To a person reads, and the contact details shown in footers."""
    mail_from = env.get("MAIL_FROM") or DEFAULT_MAIL_FROM
    _from_name, from_address = parseaddr(mail_from)
    if "@" not in from_address:
        raise ConfigError(f"MAIL_FROM {mail_from!r} has no email address; write e.g. {DEFAULT_MAIL_FROM!r}")
    # Replies must reach a person: by default the sender's mailbox, in production someone's own address.
    reply_to = env.get("MAIL_REPLY_TO") or from_address
    _reply_name, reply_address = parseaddr(reply_to)
    if "@" not in reply_address:
        raise ConfigError(f"MAIL_REPLY_TO {reply_to!r} is not an email address; write e.g. karin.ek@spfseniorerna.se")
    return {
        "MAIL_FROM": mail_from,
        "MAIL_REPLY_TO": reply_to,
        #: Shown in the footer of every page and email next to the Reply-To address (each optional).
        "CONTACT_PHONE": (env.get("CONTACT_PHONE") or "").strip(),
        "CONTACT_ADDRESS": (env.get("CONTACT_ADDRESS") or "").strip(),
        "ORGANISATION_URL": env.get("ORGANISATION_URL") or "https://www.spfseniorerna.se",
        **bounce_settings(env, from_address),
    }


def bounce_settings(env: dict, from_address: str) -> dict:
    """Return where bounces and complaints come back (the VERP envelope sender) and the IMAP mailbox to read."""
    local_part = env.get("BOUNCE_LOCAL_PART") or "bounces"
    domain = (env.get("BOUNCE_DOMAIN") or from_address.rpartition("@")[2]).lower()
    if not local_part.replace("-", "").replace(".", "").isalnum() or not local_part.isascii() or "." not in domain:
        raise ConfigError(f"BOUNCE_LOCAL_PART {local_part!r} / BOUNCE_DOMAIN {domain!r}: write e.g. bounces and "
                          "utskick.spfseniorerna.se (letters, digits, '-' and '.')")
    security = env.get("BOUNCE_IMAP_SECURITY") or "ssl"
    if security not in ("ssl", "starttls", "none"):
        raise ConfigError(f"BOUNCE_IMAP_SECURITY must be ssl, starttls or none, got {security!r}")
    return {
        #: Every message goes out with the envelope sender BOUNCE_LOCAL_PART+<token>@BOUNCE_DOMAIN (VERP).
        "BOUNCE_LOCAL_PART": local_part.lower(),
        "BOUNCE_DOMAIN": domain,
        #: The IMAP mailbox `hti bounces poll` reads (no host: not configured); read messages are moved to
        #: BOUNCE_IMAP_DONE_FOLDER.
        "BOUNCE_IMAP_HOST": env.get("BOUNCE_IMAP_HOST") or None,
        "BOUNCE_IMAP_PORT": env_int(env, "BOUNCE_IMAP_PORT", 993 if security == "ssl" else 143),
        "BOUNCE_IMAP_SECURITY": security,
        "BOUNCE_IMAP_USER": env.get("BOUNCE_IMAP_USER") or None,
        "BOUNCE_IMAP_PASSWORD": env.get("BOUNCE_IMAP_PASSWORD") or None,
        "BOUNCE_IMAP_FOLDER": env.get("BOUNCE_IMAP_FOLDER") or "INBOX",
        "BOUNCE_IMAP_DONE_FOLDER": env.get("BOUNCE_IMAP_DONE_FOLDER") or "Behandlade",
        #: Where `hti bounce-inbox` keeps what it accepted until it is processed (kept over restarts: not in /tmp).
        "BOUNCE_SPOOL_DIR": env.get("BOUNCE_SPOOL_DIR") or str(INSTANCE_DIR / "bounce-spool"),
    }


def staff_settings(env: dict) -> dict:
    """Return the settings of staff accounts: second factor, invitations, approvals and the staff log."""
    settings = {
        #: Everyone must log in with a second factor, not only utskick, publicering and administrator.
        "TWO_FACTOR_FOR_EVERYONE": env_bool(env.get("TWO_FACTOR_FOR_EVERYONE")),
        #: Failed second-factor codes per account (only someone with the password gets that far).
        "SECOND_FACTOR_RATE_LIMIT": env.get("SECOND_FACTOR_RATE_LIMIT") or "5 per minute;20 per hour",
        "STAFF_INVITATION_HOURS": env_int(env, "STAFF_INVITATION_HOURS", 72),
        #: A send to more recipients than this waits for a second person with the role utskick.
        "APPROVAL_THRESHOLD": env_int(env, "APPROVAL_THRESHOLD", 50),
        #: Years the staff log (and the embargo log in it) is kept; the scheduler deletes older rows.
        "STAFF_LOG_RETENTION_YEARS": env_int(env, "STAFF_LOG_RETENTION_YEARS", 3),
    }
    for name in ("STAFF_INVITATION_HOURS", "STAFF_LOG_RETENTION_YEARS"):
        if settings[name] < 1:
            raise ConfigError(f"{name} must be at least 1, got {settings[name]}")
    if settings["APPROVAL_THRESHOLD"] < 0:
        raise ConfigError("APPROVAL_THRESHOLD must be 0 (every send waits for a second person) or more")
    return settings


def delivery_settings(env: dict) -> dict:
    """Return the send worker's, DKIM's and the scheduler's settings, validated."""
    settings = {
        "SMTP_POOL_SIZE": env_int(env, "SMTP_POOL_SIZE", 4),
        "SMTP_RATE_PER_SECOND": env_float(env, "SMTP_RATE_PER_SECOND", 0.0),
        "SEND_BATCH_SIZE": env_int(env, "SEND_BATCH_SIZE", 200),
        "SEND_LEASE_SECONDS": env_int(env, "SEND_LEASE_SECONDS", 300),
        "SEND_RETRY_BASE_SECONDS": env_int(env, "SEND_RETRY_BASE_SECONDS", 60),
        "SEND_MAX_ATTEMPTS": env_int(env, "SEND_MAX_ATTEMPTS", 8),
        "SCHEDULER_STALE_SECONDS": env_int(env, "SCHEDULER_STALE_SECONDS", 60),
        "DKIM_PRIVATE_KEY_PATH": env.get("DKIM_PRIVATE_KEY_PATH") or None,
        "DKIM_SELECTOR": env.get("DKIM_SELECTOR") or None,
        "DKIM_DOMAIN": env.get("DKIM_DOMAIN") or None,
    }
    for name, default in SMTP_PHASE_TIMEOUTS.items():
        settings[name] = env_float(env, name, env_float(env, "SMTP_TIMEOUT", default))
        if settings[name] <= 0:
            raise ConfigError(f"{name} must be more than 0 seconds, got {settings[name]:g}")
    for name in ("SMTP_POOL_SIZE", "SEND_BATCH_SIZE", "SEND_LEASE_SECONDS", "SEND_MAX_ATTEMPTS",
                 "SCHEDULER_STALE_SECONDS"):
        if settings[name] < 1:
            raise ConfigError(f"{name} must be at least 1, got {settings[name]}")
    if settings["SMTP_RATE_PER_SECOND"] < 0:
        raise ConfigError("SMTP_RATE_PER_SECOND must be 0 (no limit) or more")
    if settings["DKIM_PRIVATE_KEY_PATH"] and not (settings["DKIM_SELECTOR"] and settings["DKIM_DOMAIN"]):
        raise ConfigError("DKIM_PRIVATE_KEY_PATH is set; also set DKIM_SELECTOR and DKIM_DOMAIN")
    return settings


def operations_settings(env: dict) -> dict:
    """Return the nightly backup's and the metrics' settings, validated."""
    settings = {
        #: Folder of the scheduler's nightly backup (none: no nightly backup).
        "BACKUP_DIR": env.get("BACKUP_DIR") or None,
        #: Nightly backups kept in BACKUP_DIR (older ones are deleted).
        "BACKUP_KEEP": env_int(env, "BACKUP_KEEP", 14),
        #: Bearer token that opens /metrics from other addresses than 127.0.0.1 (none: only from 127.0.0.1).
        "METRICS_TOKEN": env.get("METRICS_TOKEN") or None,
        #: The caching proxies (Varnish) in front of the app, told after every change to what public results pages
        #: show (hti_comms/public/proxy_ban.py); comma-separated http:// addresses, none: no proxy to tell.
        "VARNISH_URLS": [url.strip().rstrip("/") for url in (env.get("VARNISH_URLS") or "").split(",") if url.strip()],
    }
    for url in settings["VARNISH_URLS"]:
        if not re.fullmatch(r"http://[^/\s]+", url):
            raise ConfigError(f"VARNISH_URLS: {url!r} is not an http:// address of a proxy (e.g. http://127.0.0.1:6081)")
    if settings["BACKUP_KEEP"] < 1:
        raise ConfigError(f"BACKUP_KEEP must be at least 1, got {settings['BACKUP_KEEP']}")
    return settings
