"""Demo action plans for `make run`: measures marked as demo data for a few municipalities in the two latest demo
years, so the public pages show plans and the latest year's talking points follow up the year before's."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from .. import clock
from ..extensions import db
from ..results.models import ResultSet
from .models import Measure, PlanReminder
from .register import MeasureInput, add_measure

ACTOR = "Demodata"
#: (code, area, text, horizon, status) of the year before the latest demo year.
EARLIER = (
    ("1446", "information", "ta fram en tydligare webbplats med klarspråk", "kort", "genomford"),
    ("1446", "information", "införa en avgiftskalkylator på webbplatsen", "kort", "genomford"),
    ("1446", "utforande", "minska antalet olika personal som besöker varje person under en dag", "lang", "pagar"),
    ("1446", "utforande", "ge varje person en namngiven kontaktperson i hemtjänsten", "kort", "genomford"),
    ("1446", "bistandshandlaggning", "förenkla besluten om hemtjänst efter en sjukhusvistelse", "kort", "pagar"),
    ("1446", "stod_och_utveckling", "erbjuda digital tillsyn och läkemedelsrobotar", "lang", "pagar"),
    ("0180", "information", "skriva broschyren om hemtjänst på lättläst svenska", "kort", "genomford"),
    ("1480", "utforande", "planera besöken så att färre olika personer kommer till varje person", "lang", "pagar"),
    ("1280", "stod_och_utveckling", "samarbeta mer med vårdcentralerna kring dem som har hemtjänst", "lang",
     "pagar"),
    ("0114", "index", "följa upp resultatet i pensionärsrådet under hösten", "kort", "genomford"),
)
#: The same for the latest demo year.
LATEST = (
    ("1446", "information", "berätta på webbplatsen hur man klagar på hemtjänsten", "kort", "planerad"),
    ("0180", "utforande", "ge varje person en namngiven kontaktperson i hemtjänsten", "kort", "pagar"),
    ("0180", "bistandshandlaggning", "låta den som söker hemtjänst vara med och planera sin hjälp", "lang",
     "planerad"),
    ("0114", "information", "ta fram en tydligare webbplats med klarspråk", "kort", "planerad"),
)


def load() -> str | None:
    """Register the demo measures (once, on a database without measures); return a line saying so, or None."""
    years = list(db.session.scalars(select(ResultSet.year).where(ResultSet.is_demo.is_(True))
                                    .order_by(ResultSet.year.desc()).limit(2)))
    if len(years) < 2 or db.session.scalar(select(Measure.id).limit(1)) is not None:
        return None
    latest, earlier = years
    for year, rows in ((earlier, EARLIER), (latest, LATEST)):
        published_at = clock.as_utc(db.session.get(ResultSet, year).published_at)
        since = clock.to_stockholm(published_at + timedelta(days=60)).date()  # as if entered two months after
        entered_at = published_at + timedelta(days=60)
        for code, area, text, horizon, status in rows:
            measure = add_measure(year, code, MeasureInput(area, text, horizon, status, "", since), actor=ACTOR,
                                  is_demo=True)
            measure.created_at = measure.updated_at = measure.versions[0].changed_at = entered_at
        # The demo's years are past: their reminders count as sent, so the scheduler sends nothing for the demo.
        db.session.add(PlanReminder(year=year, sent_at=published_at, recipients=0))
    db.session.commit()
    count = len(EARLIER) + len(LATEST)
    return f"DEMODATA: {count} åtgärder i kommunernas åtgärdsplaner för {earlier} och {latest}."
