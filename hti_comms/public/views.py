"""The public start page and the privacy page."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, send_from_directory

from ..domain import registry
from ..links import PRIVACY_PATH
from ..results.publication import public_years

bp = Blueprint("public", __name__)


#: How many coming events the start page shows.
HOME_EVENTS = 3


@bp.route("/")
def home():
    """The front door: the latest results, when the next are published, the next events, the latest newsletter."""
    from ..events.services import upcoming_events
    from ..events.wording import registration_text, when_text
    from ..newsletters.views import published
    from ..publication.moments import next_publication

    # Only years public now (asked on every request): before publication the page is as if the year did not exist.
    years = public_years()
    newsletters = published()
    return render_template("web/public/home.html", latest_year=years[0] if years else None,
                           next_publication=next_publication(),
                           events=upcoming_events(include_cancelled=False)[:HOME_EVENTS],
                           when_text=when_text, registration_text=registration_text,
                           newsletter=newsletters[0] if newsletters else None)


def privacy_items() -> list[tuple[str, str]]:
    """Return (label, text) of what each domain keeps about a person, settings filled in."""
    values = {key: value for key, value in current_app.config.items() if key.isupper()}
    return [(item.label, item.privacy.format(**values)) for _domain, item in registry().personal_data
            if item.privacy]


@bp.route(PRIVACY_PATH)
def privacy():
    config = current_app.config
    return render_template("web/public/privacy.html", items=privacy_items(),
                           confirm_days=config["SUBSCRIBERS_CONFIRM_DAYS"],
                           unconfirmed_days=config["SUBSCRIBERS_UNCONFIRMED_RETENTION_DAYS"])


@bp.route("/favicon.ico")
def favicon():
    """Serve the icon where browsers look for it first, also on pages without <link rel=icon> (PDF, JSON)."""
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=86400)
