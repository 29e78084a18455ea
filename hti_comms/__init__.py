"""hti-comms: the communication tool behind SPF Seniorerna's Hemtjänstindex."""
from __future__ import annotations

import logging

from flask import Flask, render_template

from .config import PROJECT_ROOT, build_config


def create_app(config: dict | None = None) -> Flask:
    """Build the application; no I/O happens here (no migrations, network or scheduler)."""
    settings = build_config(overrides=config)
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.update(settings)
    _configure_logging(app)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind the TLS proxy the client's address is the proxy's; believe its header, and only its.
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    from . import clock

    clock.configure_fake_now(app.config["HTI_FAKE_NOW"])

    _init_extensions(app)
    _register_blueprints(app)
    _register_template_helpers(app)
    _register_error_pages(app)

    from .cli import register_commands

    register_commands(app)
    return app


def _configure_logging(app: Flask) -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def _init_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (registers every table)
    from .extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    limiter.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from .admin import add_menu_item
    from .admin.views import bp as admin_bp
    from .auth.views import bp as auth_bp
    from .briefs.admin import bp as briefs_admin_bp
    from .delivery.admin import bp as delivery_admin_bp, sink_bp as testpost_admin_bp
    from .geo.admin import bp as geo_admin_bp
    from .public.views import bp as public_bp
    from .results.admin import bp as results_admin_bp
    from .subscribers.admin import bp as subscribers_admin_bp
    from .subscribers.views import bp as subscribers_bp

    for blueprint in (public_bp, auth_bp, admin_bp, results_admin_bp, geo_admin_bp, briefs_admin_bp,
                      subscribers_bp, subscribers_admin_bp, delivery_admin_bp, testpost_admin_bp):
        app.register_blueprint(blueprint)

    add_menu_item("admin.dashboard", "Översikt")
    add_menu_item("results_admin.index", "Resultat")
    add_menu_item("geo_admin.districts", "Distrikt")
    add_menu_item("briefs_admin.index", "Talepunkter")
    add_menu_item("subscribers_admin.contacts", "Kontakter")
    add_menu_item("delivery_admin.sends", "Utkorg")
    add_menu_item("testpost_admin.index", "Testpost")


def _register_template_helpers(app: Flask) -> None:
    from .admin import MENU
    from .formatting import register_filters

    register_filters(app)

    @app.context_processor
    def inject_globals():
        return {"admin_menu": MENU, "hti_env": app.config["HTI_ENV"], "is_fake_clock": bool(app.config["HTI_FAKE_NOW"])}


ERROR_PAGES = {
    400: ("Felaktig begäran", "Något i förfrågan var fel. Gå tillbaka och försök igen."),
    404: ("Sidan finns inte", "Kontrollera adressen, eller gå till startsidan."),
    413: ("Filen är för stor", "Filen får vara högst 20 MB. Dela upp den och försök igen."),
    429: ("För många försök", "Du har gjort för många försök på kort tid. Vänta en stund och försök igen."),
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
