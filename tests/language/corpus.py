"""Every text the product generates, for the language check: built through the same functions that send them.

`edge_case_years()` stores three years for all 290 municipalities with the edge cases generated text must say
right: the first year (no year before), a municipality without last year's result and one without this year's,
changes of 0,00, ±0,04, ±0,05 and more (some between indices written alike at one decimal), shared places,
places 1 and 290, missing sub-indices, Gotland alone in its county and district, and names ending in s
(Borås, Västerås) whose genitive takes no second s.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app

from hti_comms.action_plans.register import MeasureInput, add_measure
from hti_comms.briefs.emails import DISTRICT_DIGEST_TEMPLATE, LOCAL_BRIEF_TEMPLATE, local_brief_context, \
    local_brief_subject
from hti_comms.briefs.national import build_national_summary
from hti_comms.briefs.services import district_context, districts
from hti_comms.briefs.talking_points import TalkingPoints, build_talking_points
from hti_comms.delivery.render import RenderedTemplate, template_context
from hti_comms.extensions import db
from hti_comms.geo.services import municipalities_by_code
from hti_comms.publication.moments import parse_wall_clock, set_publication
from hti_comms.publication.access import access_spec
from hti_comms.publication.summaries import summary_context, summary_spec
from hti_comms.results.ranking import compute_ranking
from tests.briefs.factories import store_year
from tests.helpers import reference_codes

YEARS = (2023, 2024, 2025)
#: Changes since last year, in turn (last year = this year − change); 0,05 steps land on both sides of rounding.
CHANGES = tuple(Decimal(c) for c in ("0", "0.04", "-0.04", "0.05", "-0.05", "1.2", "-2.35", "0.96", "-0.08",
                                     "12.5", "-0.1", "0.15"))
#: The municipalities the edge cases name: code → (this year's index, the change since last year).
NAMED = {"1490": ("69.96", "-0.04"),   # Borås: genitive "Borås", a change that rounds to 0,0
         "1980": ("55.05", "0.05"),    # Västerås: +0,05, written 55,0 → 55,1
         "1281": ("60.04", "0.04"),    # Lund
         "0180": ("58.00", "0.05"),    # Stockholm: +0,05 between indices both written 58,0
         "0980": ("50.00", "0")}       # Gotland: alone in its county; unchanged
#: Without a result last year (2024) / without a result this year (2025).
NEW_THIS_YEAR, MISSING_THIS_YEAR = "0117", "0120"


@dataclass(frozen=True)
class Text:
    """One generated text and what the figure check needs to read it."""

    where: str
    text: str
    year: int | None = None
    municipality_code: str | None = None
    district_id: int | None = None


def _values(position: int) -> Decimal:
    # Distinct values over 30–90 in an order unrelated to the codes, two decimals; a few shared on purpose below.
    return Decimal("30.00") + Decimal((position * 37) % 290) * Decimal("0.21")


def edge_case_years() -> tuple[int, ...]:
    """Store 2023–2025 for all 290 municipalities with the edge cases above, each with its publication moment."""
    codes = [code for code, _name in reference_codes()]
    this_year = {code: _values(position) for position, code in enumerate(codes)}
    for tied in (codes[10:12], codes[20:23], codes[40:42]):  # shared places
        for code in tied:
            this_year[code] = this_year[tied[0]]
    change = {code: CHANGES[position % len(CHANGES)] for position, code in enumerate(codes)}
    for code, (index, moved) in NAMED.items():
        this_year[code], change[code] = Decimal(index), Decimal(moved)
    years = {2025: this_year, 2024: {c: v - change[c] for c, v in this_year.items()}}
    years[2023] = {c: v - CHANGES[(i + 5) % len(CHANGES)] for i, (c, v) in enumerate(years[2024].items())}
    years[2024].pop(NEW_THIS_YEAR)
    years[2025].pop(MISSING_THIS_YEAR)
    for year, values in sorted(years.items()):
        rows = {}
        for position, (code, index) in enumerate(values.items()):
            subs = [index + Decimal(offset) for offset in ("1.5", "-2.25", "0", "3.05")]
            if position % 13 == 0:
                subs[position % 4] = ""  # a missing sub-index
            rows[code] = [f"{index:.2f}", *(s if s == "" else f"{s:.2f}" for s in subs)]
        store_year(year, rows)
    for year, day in ((2023, "2023-12-05"), (2024, "2024-12-03"), (2025, "2025-12-04")):
        set_publication(year, parse_wall_clock(f"{day} 07:00"), actor="språkkontrollen")
    for code, year, area, text in plans():
        add_measure(year, code, MeasureInput(area, text), actor="språkkontrollen")
    db.session.commit()
    return YEARS


def plans() -> list[tuple[str, int, str, str]]:
    """Action plans with the edge cases of the sentences about them the year after: an area that fell (with two
    measures), one that rose, about the same (Borås, −0,04), the same (Gotland, the whole index), the whole index
    written alike in both years (Stockholm), a sub-index missing, a plan two years back with no result in between
    (the municipality new this year), a plan with no following year, and one of a municipality without a result."""
    codes = [code for code, _name in reference_codes()]
    fell, rose, missing = codes[6], codes[9], codes[0]
    return [
        (fell, 2023, "utforande", "ge varje person en fast kontaktperson"),
        (fell, 2024, "information", "förbättra informationen på kommunens webbplats"),
        (fell, 2024, "information", "ge tydligare besked om vad hemtjänsten kostar"),
        (rose, 2024, "utforande", "minska antalet olika personer som besöker varje brukare"),
        (rose, 2025, "bistandshandlaggning", "förenkla besluten efter en sjukhusvistelse"),
        ("1490", 2024, "information", "förbättra informationen på kommunens webbplats"),
        ("0980", 2024, "index", "följa upp resultatet tillsammans med pensionärsrådet"),
        ("0180", 2024, "index", "följa upp resultatet tillsammans med pensionärsrådet"),
        ("0180", 2024, "stod_och_utveckling", "erbjuda digital tillsyn på natten"),
        (missing, 2024, "information", "förbättra informationen på kommunens webbplats"),
        (NEW_THIS_YEAR, 2023, "bistandshandlaggning", "förenkla besluten efter en sjukhusvistelse"),
        (MISSING_THIS_YEAR, 2024, "utforande", "ge varje person en fast kontaktperson"),
    ]


def rendered(template: str, context: dict, *, subject: str, list_key: str | None = None,
             fields: dict | None = None) -> tuple[str, str]:
    """Return an email's (html, text) as a recipient reads it (without the CSS inlining, which adds no words)."""
    env = current_app.jinja_env
    values = template_context(context, subject=subject, list_key=list_key)
    html = env.get_template(f"emails/{template}.html").render(values)
    text = env.get_template(f"emails/{template}.txt").render(values)
    rendering = RenderedTemplate.from_parts(html, text)
    # Fixed values (a real send signs a token per recipient): the same text on every run and database.
    recipient = {"name": "Karin Kommun", "email": "karin.kommun@example.se",
                 "unsubscribe_url": "https://hti.example.se/avregistrera/token",
                 "preferences_url": "https://hti.example.se/installningar/token",
                 **{f"fields.{key}": value for key, value in (fields or {}).items()}}
    return rendering.fill({key: recipient.get(key, "") for key in rendering.keys})


def talking_points(year: int) -> Iterator[TalkingPoints]:
    ranking = compute_ranking(year)
    for municipality in municipalities_by_code().values():
        yield build_talking_points(municipality, year, ranking)


def national_summary(year: int) -> list[Text]:
    return [Text(f"riksöversikten {year}", sentence) for sentence in build_national_summary(year).sentences()]


def local_briefs(points: TalkingPoints, *, embargoed_too: bool = True) -> list[Text]:
    """The local brief as the council gets it and (`embargoed_too`) as the embargoed audience gets it (subject,
    HTML, text)."""
    texts = []
    code, year = points.municipality.code, points.year
    for embargoed in (False, True) if embargoed_too else (False,):
        subject = local_brief_subject(points, embargoed_audience=embargoed)
        html, text = rendered(LOCAL_BRIEF_TEMPLATE, local_brief_context(points, embargoed_audience=embargoed),
                              subject=subject, list_key="lokala-resultat")
        where = f"resultatbrevet {code} {year}" + (" (embargo)" if embargoed else "")
        texts += [Text(where, part, year, code) for part in (subject, html, text)]
    return texts


def embargoed_summary(points: TalkingPoints) -> list[Text]:
    """The embargoed summary: the email (subject, HTML, text) and its personal web version."""
    code, year = points.municipality.code, points.year
    spec = summary_spec(year, code, points.ranking)
    html, text = rendered(spec.template, spec.context, subject=spec.subject,
                          fields={"summary_url": "https://hti.example.se/sammanfattning/abc"})
    web = current_app.jinja_env.get_template("web/publication/_summary.html").render(
        summary=summary_context(year, code, points.ranking))
    where = f"sammanfattningen under embargo {code} {year}"
    return [Text(where, part, year, code) for part in (spec.subject, html, text)] + [
        Text(f"{where} (webbversionen)", web, year, code)]


def access_email(points: TalkingPoints) -> list[Text]:
    spec = access_spec(points.year, points.municipality)
    html, text = rendered(spec.template, spec.context, subject=spec.subject,
                          fields={"action_plan_url": "https://hti.example.se/atgardsplan/abc"})
    where = f"tillgångsbrevet {points.municipality.code} {points.year}"
    return [Text(where, part, points.year, points.municipality.code) for part in (spec.subject, html, text)]


def alert_email(points: TalkingPoints) -> list[Text]:
    """The "Min kommun" result of a municipality, as each follower gets it at the publication."""
    from hti_comms.alerts.emails import result_spec

    spec = result_spec(points)
    html, text = rendered(spec.template, spec.context, subject=spec.subject, list_key=spec.list_key)
    where = f"resultatet med e-post (Min kommun) {points.municipality.code} {points.year}"
    return [Text(where, part, points.year, points.municipality.code) for part in (spec.subject, html, text)]


def district_digests(year: int) -> list[Text]:
    ranking = compute_ranking(year)
    texts = []
    for district in districts():
        digest = district_context(district, ranking)
        if not digest["rows"]:
            continue
        subject = f"{district.name}: kommunerna i Hemtjänstindex {year}"
        html, text = rendered(DISTRICT_DIGEST_TEMPLATE, {"digest": digest}, subject=subject,
                              list_key="lokala-resultat")
        texts += [Text(f"distriktsbrevet {district.name} {year}", part, year, district_id=district.id)
                  for part in (html, text)]
    return texts


def relative_phrases() -> list[Text]:
    """Every phrase `relative_phrase` says, from eight moments (a Wednesday in October, New Year's Eve, a leap
    day, the days around both daylight-saving changes) up to two years either way."""
    from hti_comms.formatting import relative_phrase
    from hti_comms.clock import STOCKHOLM

    moments = [datetime(2025, 10, 22, 9, 0), datetime(2025, 12, 31, 23, 30), datetime(2024, 2, 29, 12, 0),
               datetime(2026, 3, 28, 22, 0), datetime(2026, 3, 29, 3, 30), datetime(2025, 10, 26, 1, 0),
               datetime(2025, 1, 5, 8, 0), datetime(2027, 6, 30, 18, 0)]
    phrases = set()
    for now in (moment.replace(tzinfo=STOCKHOLM) for moment in moments):
        for days in range(-800, 801):
            phrases.add(relative_phrase(now + timedelta(days=days, hours=(days % 5) - 2), now=now))
    return [Text("relativa uttryck", f"Kursen är {phrase}.") for phrase in sorted(phrases)]


def edge_codes(year: int) -> set[str]:
    """Return the municipalities whose texts show the edge cases of a year: the named ones, those without a
    result this year or last, places 1 and last, and a shared place."""
    ranking = compute_ranking(year)
    entries = ranking.entries
    shared = next((e.municipality_code for e in entries if ranking.shares_rank(e)), None)
    return {*NAMED, NEW_THIS_YEAR, MISSING_THIS_YEAR, entries[0].municipality_code, entries[-1].municipality_code,
            *([shared] if shared else []), *(code for code, _year, _area, _text in plans())}


def circular_sections() -> list[Text]:
    """The circular's "Kommande evenemang" section with every kind of event and registration, a cancelled one and
    one going on, rendered as of a week before, the day before and during the first event."""
    from hti_comms import clock
    from hti_comms.events.inputs import EventInput, parse_event
    from hti_comms.events.services import cancel_event, create_event
    from hti_comms.newsletters.models import NewsletterKind
    from hti_comms.newsletters.render import render_newsletter
    from hti_comms.newsletters.services import SectionFields, create_newsletter

    clock.set_now(datetime.fromisoformat("2025-10-22T09:00:00+02:00"))
    made = []
    for values in (
        dict(kind="kurs", title="Grundkurs om Hemtjänstindex", start="2025-11-06 10:00", end="2025-11-06 11:30",
             registration="here", speakers="Eva Eriksson, förbundsordförande\nLars Larsson, vetenskaplig ledare"),
        dict(kind="webbinarium", title="Webbinarium inför publiceringen", start="2025-11-27 10:00",
             end="2025-11-27 12:00", registration="external",
             registration_url="https://spfseniorerna.zoom.us/webinar/register/WN_abc"),
        dict(kind="publicering", title="Hemtjänstindex 2025 publiceras", start="2025-12-04 07:00",
             end="2025-12-04 07:00", registration="none"),
        dict(kind="webbsandning", title="Vinnarna berättar", start="2025-12-11 10:00", end="2025-12-11 11:00",
             registration="none", stream_url="https://www.spfseniorerna.se/sandning"),
        dict(kind="webbsandning", title="Så arbetar Karlsborg med resultatet", start="2026-01-15 10:00",
             end="2026-01-15 11:00", registration="none"),
        dict(kind="kurs", title="Fördjupningskurs", start="2026-02-05 10:00", end="2026-02-05 12:00",
             registration="here"),
    ):
        data, findings = parse_event(EventInput(**{"join_url": "", "speakers": "", "description": "", **values}))
        assert data is not None, [str(f) for f in findings]
        made.append(create_event(data))
    cancel_event(made[-1])
    circular = create_newsletter(NewsletterKind.CIRCULAR, "Inbjudan: kurser och webbinarier hösten 2025", sections=[
        SectionFields(title="Kommande evenemang", kind="events", body="Välkommen till höstens träffar!",
                      data={"event_ids": [event.id for event in made]})])
    texts = []
    for now in ("2025-10-29T08:00:00+01:00", "2025-11-05T08:00:00+01:00", "2025-11-06T10:30:00+01:00"):
        sent = render_newsletter(circular, purpose="preview", now=datetime.fromisoformat(now))
        texts += [Text(f"cirkulärets evenemang {now[:10]}", sent.plain_text)]
        texts += [Text(f"cirkulärets evenemang {now[:10]} (HTML)", section["html"])
                  for section in sent.context["sections"]]
    return texts


def action_plan_texts() -> list[Text]:
    """What the action plans say besides the talking points: the newsletter section "Så jobbar kommunerna" with the
    draft of every municipality with an earlier plan, and the reminder with and without registered measures."""
    from hti_comms.action_plans.newsletter_section import candidates, read_choices
    from hti_comms.action_plans.reminders import reminder_spec
    from hti_comms.newsletters.models import NewsletterKind
    from hti_comms.newsletters.render import render_newsletter
    from hti_comms.newsletters.services import SectionFields, create_newsletter
    from werkzeug.datastructures import MultiDict

    found = candidates(2025)
    data = read_choices(MultiDict([("plan_year", "2025"), *[("plan_codes", c.code) for c in found],
                                   *[(f"plan_text_{c.code}", c.draft) for c in found]]))
    newsletter = create_newsletter(NewsletterKind.NEWSLETTER, "Så jobbar kommunerna med resultatet", sections=[
        SectionFields(title="Så jobbar kommunerna", kind="action_plans", body="Så arbetar kommunerna.", data=data)])
    sent = render_newsletter(newsletter, purpose="preview")
    texts = [Text("avsnittet Så jobbar kommunerna", sent.plain_text)]
    texts += [Text(f"utkastet om {c.name}", c.draft, 2025, c.code) for c in found]
    municipalities = municipalities_by_code()
    for code in ("0180", "0114"):  # with measures registered for 2025 (none) and for 2024 (two)
        for year in (2024, 2025):
            spec = reminder_spec(year, municipalities[code])
            html, text = rendered(spec.template, spec.context, subject=spec.subject,
                                  fields={"plan_url": "https://hti.example.se/atgardsplan/abc"})
            texts += [Text(f"påminnelsen {code} {year}", part) for part in (spec.subject, html, text)]
    return texts


def import_summaries() -> list[Text]:
    """What a contact import says it did, and why nothing was imported, for the counts 0, 1 and 2."""
    from itertools import product

    from hti_comms.subscribers.imports.store import describe_outcome, refused_for_errors

    texts = [Text("importen", describe_outcome(dict(zip(("created", "updated", "skipped", "invalid"), counts))))
             for counts in product((0, 1, 2), repeat=4)]
    return texts + [Text("importen", refused_for_errors(count, remedy)) for count in (1, 2)
                    for remedy in ("välj att hoppa över", "kryssa i rutan för att hoppa över")]
