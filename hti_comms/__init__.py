"""hti-comms: the communication tool behind SPF Seniorerna's Hemtjänstindex."""
from __future__ import annotations

import gc
import importlib.util
import logging
import sys

from flask import Flask, render_template

from .config import PROJECT_ROOT, build_config, startup_warnings


def _skip_flask_wtf_translations() -> None:
    """Spare every process Flask-WTF's attempt at translations, which fails here after importing Babel.

    `flask_wtf.form` tries `flask_wtf.i18n`, which imports Babel's dates (reading the system's time zone, about
    13 ms with pytz) and then Flask-Babel, which this app does not install; the ImportError makes Flask-WTF go on
    without translations (our forms have their own Swedish messages, `hti_comms.forms`). Marking the module absent
    gives the same outcome without the import. With Flask-Babel installed, Flask-WTF is left as it is.
    """
    if "flask_wtf" not in sys.modules and importlib.util.find_spec("flask_babel") is None:
        sys.modules.setdefault("flask_wtf.i18n", None)


_skip_flask_wtf_translations()


#: Every domain of the application, in order: their pages, staff menu entries, commands, sweeps, kinds of email
#: and personal data are registered in this order. Adding a domain is one package and one line here.
DOMAINS = (
    "hti_comms.public",
    "hti_comms.auth",
    "hti_comms.stafflog",
    "hti_comms.results",
    "hti_comms.geo",
    "hti_comms.briefs",
    "hti_comms.subscribers",
    "hti_comms.delivery",
    "hti_comms.bounces",
    "hti_comms.newsletters",
    "hti_comms.events",
    "hti_comms.publication",
    "hti_comms.approvals",
    "hti_comms.action_plans",
    "hti_comms.alerts",
    "hti_comms.yearplan",
    "hti_comms.letters",
    "hti_comms.scheduling",
    "hti_comms.operations",
)


def create_app(config: dict | None = None) -> Flask:
    """Build the application; no I/O happens here (no migrations, network or scheduler)."""
    # Building the app (importing the domains: models, routes, sweeps) makes a few hundred thousand objects that
    # live as long as the process and almost no garbage, yet the cyclic garbage collector would walk them all
    # several times over: about an eighth of every process's start-up. It runs as usual once the app is built.
    was_collecting = gc.isenabled()
    gc.disable()
    try:
        return _build_app(config)
    finally:
        if was_collecting:
            gc.enable()


def _build_app(config: dict | None) -> Flask:
    settings = build_config(overrides=config)
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    from .routing import LazyRule

    app.url_rule_class = LazyRule  # before any route is added
    app.config.update(settings)
    _configure_logging(app)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind the TLS proxy the client's address is the proxy's; believe its header, and only its.
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    for warning in startup_warnings(settings):
        logging.getLogger("hti_comms").warning(warning)

    from . import inputs

    inputs.init_app(app)  # URL converters first: the domains' routes use them

    from . import clock

    clock.configure_fake_now(app.config["HTI_FAKE_NOW"])

    _init_extensions(app)
    from . import dbclock_app

    dbclock_app.init_app(app)  # the database server's time becomes this process's clock (measured on first use)
    from . import forgery, security

    forgery.init_app(app)
    security.init_app(app)
    from . import staff

    staff.init_app(app)
    from .domain import load_domains

    load_domains(app, DOMAINS)
    _register_template_helpers(app)
    _register_error_pages(app)

    from .cli import register_commands

    register_commands(app)
    return app


def _configure_logging(app: Flask) -> None:
    """Show our own messages from INFO up, and libraries' only from WARNING up.

    Libraries say a lot at INFO that nobody running `hti` needs (WeasyPrint and fontTools on every stylesheet
    and font, Alembic on every connection); a warning or an error from them is still shown.
    """
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger(__name__).setLevel(logging.INFO)


def _init_extensions(app: Flask) -> None:
    from .extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    limiter.init_app(app)


def _register_template_helpers(app: Flask) -> None:
    from .domain import describe_owner, registry, send_kind_label
    from . import organisation
    from .formatting import register_filters

    app.jinja_env.add_extension("jinja2.ext.do")
    organisation.init_app(app)
    register_filters(app)
    app.add_template_filter(send_kind_label, "send_kind")
    app.add_template_filter(describe_owner, "owner_described")
    menu = registry(app).menu

    @app.context_processor
    def inject_globals():
        return {"admin_menu": menu, "hti_env": app.config["HTI_ENV"], "is_fake_clock": bool(app.config["HTI_FAKE_NOW"])}


ERROR_PAGES = {
    400: ("Felaktig begäran", "Något i förfrågan var fel. Gå tillbaka och försök igen."),
    403: ("Du har inte tillgång till sidan", "Sidan är inte till för dig. Gå till startsidan."),
    404: ("Sidan finns inte", "Kontrollera adressen, eller gå till startsidan."),
    405: ("Det gick inte", "Sidan kan inte användas så. Gå tillbaka och försök igen."),
    413: ("Filen är för stor", "Filen får vara högst 20 MB. Dela upp den och försök igen."),
    429: ("För många försök", "Du har gjort för många försök på kort tid. Vänta en stund och försök igen."),
    500: ("Något gick fel hos oss", "Felet är inte ditt. Försök igen om en stund; hjälper det inte, skriv till oss."),
}


def _register_error_pages(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    def render_error(status: int, title: str, message: str):
        return render_template("web/errors/error.html", title=title, message=message), status

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, "Formuläret har gått ut",
                            "Sidan var öppen för länge eller skickades från fel ställe. "
                            "Gå tillbaka, ladda om sidan och försök igen.")

    for status, (title, message) in ERROR_PAGES.items():
        app.register_error_handler(status, lambda error, s=status, t=title, m=message: render_error(s, t, m))
