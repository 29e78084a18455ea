"""What staff type about an event (the staff form and `hti event create`), checked into clean values.

Every problem becomes a Finding naming the field in Swedish; errors stop the save, warnings are shown. Times
are Stockholm wall-clock times, turned into one UTC instant each by `scheduling.localtime` (the daylight-saving
rule is written there); a time that does not exist or exists twice gets a note saying which instant it means.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr

from flask import current_app

from .. import clock
from ..addresses import InvalidAddress, normalise_address
from ..checks import Finding, error
from ..inputs import control_character
from ..linkcheck import check_links
from ..markdown import Link, render_markdown
from ..scheduling.localtime import dst_note, read_wall_clock, stockholm_to_utc
from .models import EventKind, RegistrationMode

#: The Swedish name of each field, used in messages and to show an error next to its field.
LABELS = {
    "kind": "Typ", "title": "Rubrik", "description": "Beskrivning", "speakers": "Medverkande",
    "start": "Start", "end": "Slut", "registration": "Anmälan", "registration_url": "Länk till anmälan",
    "join_url": "Möteslänk", "stream_url": "Länk till sändningen", "capacity": "Antal platser",
    "opens": "Anmälan öppnar", "closes": "Sista anmälningsdag", "organiser_name": "Arrangör",
    "organiser_email": "Arrangörens e-post", "reminders": "Påminnelser",
}
#: Reminder offsets staff can choose, in minutes before the start, with their Swedish words.
REMINDER_CHOICES = [(10080, "1 vecka före"), (2880, "2 dagar före"), (1440, "1 dag före"), (180, "3 timmar före"),
                    (60, "1 timme före"), (15, "15 minuter före")]
DEFAULT_REMINDERS = (1440, 60)
TITLE_MAX, URL_MAX, NAME_MAX = 200, 500, 200


@dataclass
class EventInput:
    """The raw values, as typed (strings), from the staff form or the command line."""

    kind: str
    title: str
    start: str
    end: str
    description: str = ""
    speakers: str = ""
    registration: str | None = None
    registration_url: str = ""
    join_url: str = ""
    stream_url: str = ""
    capacity: str | int | None = None
    opens: str = ""
    closes: str = ""
    organiser_name: str = ""
    organiser_email: str = ""
    reminders: tuple[int, ...] | None = None


@dataclass
class EventData:
    """Checked values, ready to be saved."""

    kind: EventKind
    title: str
    description: str
    speakers: list[tuple[str, str]]
    starts_at: datetime
    ends_at: datetime
    registration_mode: RegistrationMode
    registration_url: str
    join_url: str
    stream_url: str
    capacity: int | None
    opens_at: datetime | None
    closes_at: datetime | None
    organiser_name: str
    organiser_email: str
    reminders: tuple[int, ...]
    #: Notes about daylight-saving times that were moved or had two meanings (Swedish).
    notes: list[str] = field(default_factory=list)


class EventInputError(ValueError):
    """The input has errors; `findings` lists them all (warnings too)."""

    def __init__(self, findings: list[Finding]):
        super().__init__("\n".join(str(f) for f in findings if f.is_error))
        self.findings = findings


def _wall_clock(value: str, key: str, findings: list[Finding], notes: list[str], *, required: bool):
    text = (value or "").strip()
    if not text:
        if required:
            findings.append(error(LABELS[key], "Fyll i datum och tid, till exempel 2025-11-06 10:00."))
        return None
    try:
        local = read_wall_clock(text)
    except ValueError:
        local = None
    if local is None:
        findings.append(error(LABELS[key], f"”{text}” är inte ett datum och en tid. Skriv till exempel "
                                           "2025-11-06 10:00 (svensk tid)."))
        return None
    note = dst_note(local, "Det gäller", label=LABELS[key])
    if note:
        notes.append(note)
    return stockholm_to_utc(local)


def _speakers(text: str, findings: list[Finding]) -> list[tuple[str, str]]:
    """Parse one speaker a line: "Namn, titel" (the title is optional)."""
    speakers = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = " ".join(line.split())
        if not line:
            continue
        name, _, title = line.partition(",")
        name, title = name.strip(), title.strip()
        if len(name) > NAME_MAX or len(title) > NAME_MAX:
            findings.append(error(LABELS["speakers"], f"Rad {number}: namn och titel får vara högst {NAME_MAX} "
                                                      "tecken vardera."))
        speakers.append((name, title))
    return speakers


def _capacity(value, findings: list[Finding]) -> int | None:
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    if not text.isdigit() or int(text) < 1 or int(text) > 100_000:
        findings.append(error(LABELS["capacity"], f"”{text}” är inget antal platser. Skriv ett heltal från 1 "
                                                  "och uppåt, eller lämna fältet tomt för obegränsat."))
        return None
    return int(text)


def _url(value: str, key: str, findings: list[Finding]) -> str:
    url = (value or "").strip()
    if len(url) > URL_MAX:
        findings.append(error(LABELS[key], f"Länken får vara högst {URL_MAX} tecken."))
    return url


def _default_organiser() -> tuple[str, str]:
    name, address = parseaddr(current_app.config["MAIL_FROM"])
    return name, address


def parse_event(raw: EventInput) -> tuple[EventData | None, list[Finding]]:
    """Return the checked event and every finding; the data is None when there is an error."""
    findings: list[Finding] = []
    notes: list[str] = []
    for key in ("title", "description", "speakers", "registration_url", "join_url", "stream_url", "organiser_name",
                "organiser_email"):
        character = control_character(getattr(raw, key) or "")
        if character:
            findings.append(error(LABELS[key], f"Texten innehåller ett osynligt {character} som inte kan sparas. "
                                               "Ta bort det och försök igen."))
    try:
        kind = EventKind(raw.kind)
    except ValueError:
        findings.append(error(LABELS["kind"], f"”{raw.kind}” är ingen typ. Välj kurs, webbinarium, publicering "
                                              "eller webbsandning."))
        kind = None
    title = " ".join((raw.title or "").split())
    if not title:
        findings.append(error(LABELS["title"], "Skriv en rubrik."))
    elif len(title) > TITLE_MAX:
        findings.append(error(LABELS["title"], f"Rubriken får vara högst {TITLE_MAX} tecken."))
    starts_at = _wall_clock(raw.start, "start", findings, notes, required=True)
    ends_at = _wall_clock(raw.end, "end", findings, notes, required=True)
    if starts_at and ends_at:
        if ends_at < starts_at or (ends_at == starts_at and kind is not EventKind.PUBLICERING):
            findings.append(error(LABELS["end"], "Slutet måste vara efter starten."))
    opens_at = _wall_clock(raw.opens, "opens", findings, notes, required=False)
    closes_at = _wall_clock(raw.closes, "closes", findings, notes, required=False)
    if opens_at and closes_at and closes_at <= opens_at:
        findings.append(error(LABELS["closes"], "Sista anmälningsdag måste vara efter att anmälan öppnar."))
    if closes_at and starts_at and closes_at > starts_at:
        findings.append(error(LABELS["closes"], "Anmälan kan inte stänga efter att evenemanget har börjat."))
    default_mode = "here" if kind is not None and kind.allows_registration else "none"
    try:
        mode = RegistrationMode((raw.registration or default_mode).strip())
    except ValueError:
        findings.append(error(LABELS["registration"], f"”{raw.registration}” är inget sätt att anmäla sig. Välj "
                                                      "none, here eller external."))
        mode = RegistrationMode.NONE
    registration_url = _url(raw.registration_url, "registration_url", findings)
    join_url = _url(raw.join_url, "join_url", findings)
    stream_url = _url(raw.stream_url, "stream_url", findings)
    capacity = _capacity(raw.capacity, findings)
    _check_kind_rules(kind, mode, registration_url, join_url, stream_url, capacity, opens_at, closes_at, findings)
    description = (raw.description or "").strip()
    speakers = _speakers(raw.speakers, findings)
    organiser_name = " ".join((raw.organiser_name or "").split())
    organiser_email = (raw.organiser_email or "").strip()
    if not organiser_email and not organiser_name:
        organiser_name, organiser_email = _default_organiser()
    if organiser_email:
        try:
            organiser_email = normalise_address(organiser_email)
        except InvalidAddress as exc:
            findings.append(error(LABELS["organiser_email"], str(exc)))
    reminders = tuple(sorted(set(raw.reminders if raw.reminders is not None else DEFAULT_REMINDERS), reverse=True))
    findings.extend(_link_findings(description, registration_url, join_url, stream_url))
    if any(f.is_error for f in findings):
        return None, findings
    return EventData(
        kind=kind, title=title, description=description, speakers=speakers, starts_at=starts_at, ends_at=ends_at,
        registration_mode=mode, registration_url=registration_url, join_url=join_url, stream_url=stream_url,
        capacity=capacity, opens_at=opens_at, closes_at=closes_at, organiser_name=organiser_name[:NAME_MAX],
        organiser_email=organiser_email, reminders=reminders if mode is RegistrationMode.HERE else (),
        notes=notes), findings


def _check_kind_rules(kind, mode, registration_url, join_url, stream_url, capacity, opens_at, closes_at,
                      findings: list[Finding]) -> None:
    if kind is not None and not kind.allows_registration and mode is not RegistrationMode.NONE:
        findings.append(error(LABELS["registration"], f"En {kind.label.lower()} har ingen anmälan. Välj "
                                                      "”Ingen anmälan”."))
    if kind is EventKind.PUBLICERING and join_url:
        findings.append(error(LABELS["join_url"], "En publicering har ingen möteslänk."))
    if kind is EventKind.WEBBSANDNING and join_url:
        findings.append(error(LABELS["join_url"], "En webbsändning har ingen privat möteslänk. Lägg länken till "
                                                  "sändningen under ”Länk till sändningen”: den är offentlig."))
    if mode is RegistrationMode.EXTERNAL and not registration_url:
        findings.append(error(LABELS["registration_url"], "Anmälan sker hos mötestjänsten: klistra in länken till "
                                                          "dess anmälningssida."))
    if mode is not RegistrationMode.EXTERNAL and registration_url:
        findings.append(error(LABELS["registration_url"], "En länk till anmälan används bara när anmälan sker hos "
                                                          "mötestjänsten (extern länk)."))
    if mode is not RegistrationMode.HERE:
        if join_url and kind is not None and kind.allows_registration:
            findings.append(error(LABELS["join_url"], "Möteslänken skickas bara till den som anmält sig här. Med "
                                                      "extern anmälan skickar mötestjänsten länken själv; utan "
                                                      "anmälan, lägg en offentlig länk under ”Länk till "
                                                      "sändningen”."))
        if capacity is not None:
            findings.append(error(LABELS["capacity"], "Antal platser gäller bara när anmälan sker här."))
        if opens_at or closes_at:
            findings.append(error(LABELS["opens"], "Tider för anmälan gäller bara när anmälan sker här."))


def _link_findings(description: str, registration_url: str, join_url: str, stream_url: str) -> list[Finding]:
    """Run the link checks (form, https, lookalike hosts) over every link of the event together."""
    links = [(LABELS["description"], link) for link in render_markdown(description).links]
    for key, url in (("registration_url", registration_url), ("join_url", join_url), ("stream_url", stream_url)):
        if url:
            links.append((LABELS[key], Link(url=url, text=LABELS[key])))
    return check_links(links)


def _wall_clock_text(moment: datetime | None) -> str:
    return clock.to_stockholm(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def input_for(event) -> EventInput:
    """Return an event's current values as input (to change some of them through the form or command line)."""
    return EventInput(
        kind=event.kind.value, title=event.title, start=_wall_clock_text(event.starts_at),
        end=_wall_clock_text(event.ends_at), description=event.description,
        speakers="\n".join(f"{s.name}, {s.title}" if s.title else s.name for s in event.speakers),
        registration=event.registration_mode.value, registration_url=event.registration_url,
        join_url=event.join_url, stream_url=event.stream_url,
        capacity=str(event.capacity) if event.capacity else "", opens=_wall_clock_text(event.registration_opens_at),
        closes=_wall_clock_text(event.registration_closes_at), organiser_name=event.organiser_name,
        organiser_email=event.organiser_email, reminders=tuple(event.reminder_offsets))
