"""The database clock in an app and a process: wiring it in, its health for checks, a line for commands.

The measuring itself is `hti_comms.dbclock`.
"""
from __future__ import annotations

import logging

from flask import Flask, render_template
from sqlalchemy.engine import make_url

from . import clock, dbclock
from .clock import ClockNotTrusted
from .dbclock import ClockHealth, DatabaseClock

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Make the app's database the clock of this process (no I/O: the first reading measures)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    current = clock.reference()
    if make_url(url).get_backend_name() != "postgresql":
        clock.use_reference(None)
    elif not (isinstance(current, DatabaseClock) and current.url == url):
        clock.use_reference(DatabaseClock(url))
    clock.configure_skew(app.config.get("HTI_CLOCK_SKEW_SECONDS") or 0.0)

    @app.before_request
    def this_is_a_web_server():
        if dbclock.role() is None:
            dbclock.set_role("webbservern")

    @app.errorhandler(ClockNotTrusted)
    def clock_not_trusted(error):
        response = app.make_response((render_template(
            "web/errors/error.html", title="Tjänsten är tillfälligt otillgänglig",
            message="Vi kan inte visa det här just nu. Försök igen om en stund."), 503))
        response.headers["Cache-Control"] = "no-store"
        response.headers["Retry-After"] = "30"
        log.error("refused a request: %s", error)
        return response


def clock_health() -> ClockHealth:
    """Return this process's clock state, for a health check (fails when embargo decisions are refused)."""
    reference = clock.reference()
    if isinstance(reference, DatabaseClock):
        return reference.health()
    return ClockHealth(True, 0.0, None, None, "sqlite")


def describe() -> str:
    """Return one Swedish line about this process's clock, for the start of long-running commands."""
    reference = clock.reference()
    if not isinstance(reference, DatabaseClock):
        return ("Klockan: databasen är en fil på den här datorn (SQLite) och har ingen egen klocka; den här datorns "
                "klocka gäller.")
    health = reference.health()
    if health.offset_seconds is None:
        return "Klockan: databasens klocka gick inte att läsa; embargobeslut väntar tills den kan läsas."
    seconds = f"{abs(health.offset_seconds):.3f}".replace(".", ",")
    direction = "efter" if health.offset_seconds > 0 else "före"
    return (f"Klockan: den här datorns klocka går {seconds} s {direction} databasens; programmet räknar med "
            "databasens tid och mäter igen varje minut.")
