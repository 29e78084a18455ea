"""Follow-up links: the municipality's own work on its result, added by staff and shown on its public page."""
from __future__ import annotations

from sqlalchemy import bindparam, delete, select

from ..checks import Finding, error
from ..clock import now
from ..extensions import db
from ..geo.services import find_municipality
from ..inputs import BadInput, check_text
from ..linkcheck import check_links
from ..markdown import Link
from .models import FollowUpLink

TITLE_MAX, URL_MAX = 200, 2000
TITLE, URL, MUNICIPALITY = "Länktext", "Webbadress", "Kommun"


def link_rows(year: int, municipality_code: str) -> tuple[tuple[int, str, str], ...]:
    """Return (id, title, url) of the links on the municipality's page for `year`: part of the kept page's key."""
    with db.engine.connect() as connection:
        return tuple(tuple(row) for row in connection.execute(_LINK_ROWS, {"year": year, "code": municipality_code}))


#: Built once: this runs on every request of a municipality page.
_LINK_ROWS = (select(FollowUpLink.id, FollowUpLink.title, FollowUpLink.url)
              .where(FollowUpLink.year == bindparam("year"), FollowUpLink.municipality_code == bindparam("code"))
              .order_by(FollowUpLink.id))


def links_of_year(year: int) -> list[FollowUpLink]:
    """Return every link added for `year`, by municipality then order of adding (for the staff page)."""
    return sorted(db.session.scalars(select(FollowUpLink).where(FollowUpLink.year == year)),
                  key=lambda link: (link.municipality.short_name, link.id))


def add_link(year: int, municipality: str, title: str, url: str, *,
             added_by: str | None) -> tuple[FollowUpLink | None, list[Finding]]:
    """Check and store a link; return it with any warnings, or None with the errors (nothing stored)."""
    findings: list[Finding] = []
    title, url = " ".join((title or "").split()), (url or "").strip()
    found = find_municipality(municipality or "")
    if found is None:
        findings.append(error(MUNICIPALITY, "Välj en av de 290 kommunerna."))
    for field, value, maximum in ((TITLE, title, TITLE_MAX), (URL, url, URL_MAX)):
        try:
            check_text(value, field)
        except BadInput as problem:
            findings.append(error(field, str(problem)))
        if not value:
            findings.append(error(field, "Fältet är tomt. Fyll i det."))
        elif len(value) > maximum:
            findings.append(error(field, f"Högst {maximum} tecken; nu är det {len(value)}."))
    if url and len(url) <= URL_MAX:
        findings.extend(check_links([(URL, Link(url=url, text=title))]))
        if url.startswith("mailto:"):
            findings.append(error(URL, "Ange en webbsida (https://…), inte en e-postadress."))
    if any(f.is_error for f in findings):
        return None, findings
    link = FollowUpLink(year=year, municipality_code=found.code, title=title, url=url, added_at=now(),
                        added_by=added_by)
    db.session.add(link)
    db.session.commit()
    return link, findings


def remove_link(link_id: int) -> bool:
    """Remove a link; return whether there was one."""
    removed = db.session.execute(delete(FollowUpLink).where(FollowUpLink.id == link_id)).rowcount
    db.session.commit()
    return bool(removed)


DEMO_LINKS = (
    ("0180", "Demodata: Stockholms handlingsplan för hemtjänsten", "https://example.se/demodata/stockholm-handlingsplan"),
    ("1480", "Demodata: Göteborgs uppföljning av Hemtjänstindex", "https://example.se/demodata/goteborg-uppfoljning"),
)


def load_demo_links() -> str | None:
    """Add a few follow-up links marked "Demodata" to the newest demo year (on `hti init-db --demo`)."""
    from ..results.ranking import available_years
    from ..results.services import load_demo_data

    # This domain comes before the results in DOMAINS: the links need the demo results (loaded once either way).
    lines = [load_demo_data()]
    years = available_years()
    if years and db.session.scalar(select(FollowUpLink.id).limit(1)) is None:
        for code, title, url in DEMO_LINKS:
            db.session.add(FollowUpLink(year=years[0], municipality_code=code, title=title, url=url,
                                        added_at=now(), added_by=None))
        db.session.commit()
        lines.append(f"DEMODATA: {len(DEMO_LINKS)} länkar till kommunernas eget arbete för {years[0]} är inlagda.")
    return "\n".join(line for line in lines if line) or None
