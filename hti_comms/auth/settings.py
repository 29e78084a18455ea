"""Staff page for administrators: the settings this installation runs with, read from its environment.

Settings come from environment variables checked at start-up (README, Configuration); the page only shows them,
in Swedish, so an administrator can see who the mail is from, where replies go, how long links work and what the
limits are without reading the server's files. Secrets (keys, passwords) are never shown, only whether they are set.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, render_template

from ..formatting import counted, format_number
from ..staff import staff_blueprint
from .roles import Role

bp = staff_blueprint("settings_admin", __name__, "/installningar", read=Role.ADMINISTRATOR)

#: Settings whose value is a secret: the page says only whether they are set.
SECRETS = frozenset({"SECRET_KEY", "SECRET_KEY_FALLBACKS", "SMTP_PASSWORD", "DKIM_PRIVATE_KEY_PATH"})
ENVIRONMENT_NAMES = {"production": "Drift", "development": "Utveckling", "test": "Provkörning"}
SMTP_SECURITY_NAMES = {"none": "Ingen", "starttls": "STARTTLS", "ssl": "SSL/TLS"}
#: Flask-Limiter's periods in Swedish ("10 per minute" -> "10 i minuten").
RATE_PERIODS = {"second": "i sekunden", "minute": "i minuten", "hour": "i timmen", "day": "om dygnet",
                "month": "i månaden", "year": "om året"}


@dataclass(frozen=True)
class Setting:
    name: str
    label: str
    #: How the value is written for a person: "text", "yes_no", "days", "hours", "minutes", "seconds", "list", "url".
    shown_as: str = "text"


GROUPS: tuple[tuple[str, tuple[Setting, ...]], ...] = (
    ("Installationen", (
        Setting("HTI_ENV", "Miljö"),
        Setting("BASE_URL", "Webbadress i brev och länkar", "url"),
        Setting("DATABASE_URL", "Databas", "url"),
        Setting("SECRET_KEY", "Nyckel för inloggning och länkar"),
        Setting("SECRET_KEY_FALLBACKS", "Gamla nycklar som fortfarande godtas"),
        Setting("TRUSTED_PROXIES", "Betrodda proxyservrar framför appen"),
    )),
    ("Avsändare och kontaktuppgifter", (
        Setting("MAIL_FROM", "Avsändare av alla brev"),
        Setting("MAIL_REPLY_TO", "Svar på brev går till"),
        Setting("CONTACT_PHONE", "Telefonnummer i sidfoten"),
        Setting("CONTACT_ADDRESS", "Postadress i sidfoten"),
        Setting("ORGANISATION_URL", "Organisationens webbplats", "url"),
        Setting("ORGANISATION_DOMAINS", "Organisationens egna domäner (för kontrollen av länkar)", "list"),
    )),
    ("Utskick", (
        Setting("SMTP_HOST", "E-postserver"),
        Setting("SMTP_PORT", "Port"),
        Setting("SMTP_SECURITY", "Kryptering till e-postservern"),
        Setting("SMTP_USERNAME", "Användarnamn hos e-postservern"),
        Setting("SMTP_PASSWORD", "Lösenord hos e-postservern"),
        Setting("DKIM_DOMAIN", "Domän för digital signatur (DKIM)"),
        Setting("DKIM_PRIVATE_KEY_PATH", "Nyckel för digital signatur (DKIM)"),
        Setting("SMTP_RATE_PER_SECOND", "Högst antal brev per sekund och utskicksprocess (0 = ingen gräns)"),
        Setting("SEND_MAX_ATTEMPTS", "Antal försök innan ett brev ges upp"),
        Setting("APPROVAL_THRESHOLD", "Utskick till fler mottagare än så väntar på en andra person"),
        Setting("MAIL_SINK", "Breven stannar i Testpost (inget lämnar datorn)", "yes_no"),
    )),
    ("Inloggning för personal", (
        Setting("TWO_FACTOR_FOR_EVERYONE", "Tvåstegsverifiering krävs av alla", "yes_no"),
        Setting("STAFF_INVITATION_HOURS", "En inbjudan gäller", "hours"),
        Setting("PASSWORD_RESET_MINUTES", "En länk för nytt lösenord gäller", "minutes"),
        Setting("LOGIN_RATE_LIMIT", "Försök att logga in per adress"),
        Setting("LOGIN_ACCOUNT_RATE_LIMIT", "Misslyckade försök per konto"),
        Setting("STAFF_LOG_RETENTION_YEARS", "Personalloggen sparas i år"),
    )),
    ("Prenumeranter och länkar i brev", (
        Setting("SUBSCRIBERS_CONFIRM_DAYS", "En länk för att bekräfta gäller", "days"),
        Setting("SUBSCRIBERS_UNCONFIRMED_RETENTION_DAYS", "Obekräftade anmälningar tas bort efter", "days"),
        Setting("PREFERENCES_LINK_DAYS", "En länk till inställningarna gäller", "days"),
        Setting("DATA_EXPORT_LINK_MINUTES", "En länk till en persons uppgifter gäller", "minutes"),
        Setting("CONFIRMATION_RESEND_MINUTES", "Samma bekräftelse skickas högst en gång per", "minutes"),
        Setting("SIGNUP_RATE_LIMIT", "Anmälningar per adress"),
    )),
    ("Schemaläggaren", (
        Setting("SCHEDULER_STALE_SECONDS", "Varning när schemaläggaren inte hörts av på", "seconds"),
    )),
)

UNITS = {"days": ("dag", "dagar"), "hours": ("timme", "timmar"), "minutes": ("minut", "minuter"),
         "seconds": ("sekund", "sekunder")}


def describe(setting: Setting, config) -> str:
    """Return the setting's value as a person reads it ("7 dagar", "Ja", "Inte satt"); never a secret."""
    value = config.get(setting.name)
    if setting.name in SECRETS:
        return "Satt (visas inte)" if value else "Inte satt"
    if setting.name == "HTI_ENV":
        return ENVIRONMENT_NAMES.get(value, str(value))
    if setting.name == "DATABASE_URL":
        return _database(str(value or ""))
    if setting.name == "SMTP_SECURITY":
        return SMTP_SECURITY_NAMES.get(value, str(value))
    if setting.name.endswith("_RATE_LIMIT") and value:
        return _rate_limit(str(value))
    if value in (None, "", [], ()):
        return "Inte satt"
    if setting.shown_as == "yes_no" or isinstance(value, bool):
        return "Ja" if value else "Nej"
    if setting.shown_as in UNITS and isinstance(value, (int, float)):
        one, many = UNITS[setting.shown_as]
        return counted(int(value), one, many) if float(value).is_integer() else f"{format_number(value)} {many}"
    if setting.shown_as == "list" or isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    if isinstance(value, float):
        return format_number(value) if not value.is_integer() else str(int(value))
    return str(value)


def _rate_limit(limit: str) -> str:
    """Return a Flask-Limiter limit in Swedish: "10 per minute;50 per hour" -> "10 i minuten, 50 i timmen"."""
    parts = []
    for part in limit.replace(",", ";").split(";"):
        words = part.split()
        if len(words) == 3 and words[1] == "per":
            amount, period = words[0], words[2].rstrip("s")
        elif len(words) == 2 and "/" in words[0]:
            amount, period = words[0].split("/")[0], words[1].rstrip("s")
        else:
            parts.append(part.strip())
            continue
        parts.append(f"{amount} {RATE_PERIODS.get(period, period)}")
    return ", ".join(p for p in parts if p)


def _database(url: str) -> str:
    """Return the database's kind and where it is, without user name or password."""
    if url.startswith("sqlite"):
        return "SQLite (en fil på servern)"
    parts = urlsplit(url)
    where = parts.hostname or "den här datorn"
    name = parts.path.lstrip("/")
    return f"PostgreSQL på {where}{f':{parts.port}' if parts.port else ''}, databasen {name}"


@bp.route("/")
def index():
    config = current_app.config
    groups = [(title, [(setting, describe(setting, config)) for setting in settings]) for title, settings in GROUPS]
    return render_template("web/auth/admin/settings.html", groups=groups)
