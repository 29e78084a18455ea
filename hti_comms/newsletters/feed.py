"""The Atom feed of the web archive (feedgen): titles, dates and the archived text, nothing personal."""
from __future__ import annotations

from flask import current_app, render_template

from .. import clock

from .models import Newsletter


def atom_feed(newsletters: list[Newsletter]) -> bytes:
    """Return the Atom document of the archive, newest first."""
    from feedgen.feed import FeedGenerator

    base = current_app.config["BASE_URL"]
    feed = FeedGenerator()
    feed.id(f"{base}/nyhetsbrev")
    feed.title("Hemtjänstindex: nyhetsbrev och cirkulär")
    feed.subtitle("Nyhetsbrev och cirkulär om Hemtjänstindex från SPF Seniorerna.")
    feed.author({"name": "SPF Seniorerna"})
    feed.link(href=f"{base}/nyhetsbrev", rel="alternate")
    feed.link(href=f"{base}/nyhetsbrev/atom.xml", rel="self")
    feed.language("sv")
    feed.updated(newsletters[0].started_at if newsletters else clock.now())
    # feedgen lists entries in the reverse order of adding them; add the oldest first.
    for newsletter in reversed(newsletters):
        url = f"{base}/nyhetsbrev/{newsletter.id}"
        entry = feed.add_entry()
        entry.id(url)
        entry.title(newsletter.archive.get("title") + (f": {newsletter.topic}" if not newsletter.is_circular
                                                      else ""))
        entry.link(href=url)
        entry.published(newsletter.started_at)
        entry.updated(newsletter.started_at)
        if newsletter.archive.get("topics"):
            entry.summary(newsletter.archive["topics"])
        entry.content(render_template("web/newsletters/_content.html", content=newsletter.archive, absolute=True),
                      type="html")
    return feed.atom_str(pretty=True)
