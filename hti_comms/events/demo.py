"""Demo events for `make run`: the autumn cycle, dated from today so it is always ahead, marked as demo."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from .. import clock
from .inputs import EventInput, parse_event
from .registration import RegistrationInput, register
from .services import create_event

DEMO_SPEAKERS = "Eva Exempelsson, förbundsordförande, SPF Seniorerna (demo)\n" \
                "Lars Påhittad, vetenskaplig ledare för Hemtjänstindex (demo)"
DEMO_PEOPLE = [
    ("Anna Andersson", "anna.andersson@example.se", "Ledamot i kommunens pensionärsråd", "Upplands Väsby"),
    ("Bertil Berg", "bertil.berg@example.se", "Ordförande i en SPF-förening", "SPF Seniorerna Solna"),
    ("Cecilia Dahl", "cecilia.dahl@example.se", "Ledamot i kommunens seniorråd", "Gävle"),
    ("David Ek", "david.ek@example.se", "Ordförande i ett SPF-distrikt", "SPF Seniorerna Skåne"),
]


def _thursday_of_week(day: date, weeks_ahead: int) -> date:
    return day - timedelta(days=day.weekday()) + timedelta(weeks=weeks_ahead, days=3)


def _at(day: date, hour: int, minute: int = 0) -> str:
    return datetime(day.year, day.month, day.day, hour, minute).strftime("%Y-%m-%d %H:%M")


def _create(raw: EventInput):
    data, findings = parse_event(raw)
    if data is None:
        raise RuntimeError("demo event does not pass its own checks: " + "; ".join(map(str, findings)))
    return create_event(data, is_demo=True)


def load() -> str:
    """Create the four demo events and a few demo registrations; return a line for `hti init-db --demo`."""
    today = clock.to_stockholm(clock.now()).date()
    course_day = _thursday_of_week(today, 1)
    webinar_day = course_day + timedelta(weeks=3)
    publication_day = webinar_day + timedelta(days=12)  # a Tuesday, early in the month after
    webcast_day = publication_day + timedelta(weeks=1)
    course = _create(EventInput(
        kind="kurs", title="Grundkurs om Hemtjänstindex (demo)", start=_at(course_day, 10), end=_at(course_day, 11, 30),
        description="Vad mäter Hemtjänstindex, och hur kan pensionärsrådet använda resultatet i samtalet med "
                    "kommunen? En introduktion för dig som är ny i rådet.\n\nKursen är digital. Möteslänken "
                    "skickas till dig som är anmäld.",
        speakers=DEMO_SPEAKERS, registration="here", capacity=40,
        join_url="https://mote.example.org/demo-grundkurs"))
    webinar = _create(EventInput(
        kind="webbinarium", title="Webbinarium inför publiceringen (demo)", start=_at(webinar_day, 10),
        end=_at(webinar_day, 12),
        description="Om årets index, de fyra delindexen och hur resultaten kan användas. Fullt i demon, så "
                    "nya anmälningar hamnar på väntelistan.",
        speakers=DEMO_SPEAKERS, registration="here", capacity=3, join_url="https://mote.example.org/demo-webbinarium"))
    _create(EventInput(
        kind="publicering", title="Hemtjänstindex publiceras (demo)", start=_at(publication_day, 7),
        end=_at(publication_day, 7),
        description="Rankningen av alla 290 kommuner publiceras kl. 07.00 på Hemtjänstindex webbplats. Det blir "
                    "**inget** webbinarium den dagen."))
    _create(EventInput(
        kind="webbsandning", title="Vinnarna berättar – webbsändning (demo)", start=_at(webcast_day, 10),
        end=_at(webcast_day, 11, 30),
        description="Kommunerna som fick bäst resultat berättar hur de arbetar. Ingen anmälan krävs; länken till "
                    "sändningen kommer här."))
    for event, people in ((course, DEMO_PEOPLE[:2]), (webinar, DEMO_PEOPLE)):
        for name, email, role, organisation in people:
            register(event, RegistrationInput(name=name, email=email, role=role, organisation=organisation,
                                              question="Hur jämför vi oss med grannkommunerna?"
                                              if name.startswith("Cecilia") else ""),
                     is_demo=True, notify=False)
    return "Demoevenemang: grundkurs, webbinarium (fullt, med väntelista), publicering och webbsändning."
