"""The register of measures: the one rule for a measure's words and link, adding and changing them with history.

A measure's text is written to follow "Kommunen planerar att …" ("förbättra informationen på kommunens
webbplats"), because the following year's talking points say "Inför 2025 planerade Karlsborg att <text>". The
rule here makes typed text fit that sentence (a leading "att" and a final full stop go, the first letter is lower
case unless the word is an abbreviation) and refuses what would break it: a second sentence inside the text, or a
line break. Every change of a measure is a new `MeasureVersion` saying who, when and what changed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from .. import clock
from ..checks import Finding, error
from ..extensions import db
from ..geo.services import find_municipality
from ..inputs import BadInput, check_text
from ..linkcheck import check_links
from ..markdown import Link
from ..results.services import check_year
from ..status import TransitionError, transition
from .models import MEASURE_TRANSITIONS, Area, Horizon, Measure, MeasureStatus, MeasureVersion, PlanSubmission

TEXT_MIN, TEXT_MAX, URL_MAX = 5, 300, 2000
#: The Swedish field names every message names (forms, the command line, the review page).
YEAR, MUNICIPALITY, AREA, TEXT, HORIZON, STATUS, SINCE, SOURCE = (
    "År", "Kommun", "Delindex", "Åtgärd", "Sikt", "Status", "Datum för status", "Källa")
#: A full stop, question or exclamation mark followed by a new sentence: the generated sentence would break there.
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-ZÅÄÖ”\"]")


class PlanError(ValueError):
    """Measures that cannot be stored; `findings` name each field (Swedish), nothing was saved."""

    def __init__(self, findings: list[Finding]):
        self.findings = list(findings)
        super().__init__(" ".join(f"{f.field}: {f.message}" for f in self.findings))


def _aliases() -> dict[str, object]:
    found: dict[str, object] = {}
    for enum_class in (Area, Horizon, MeasureStatus):
        for member in enum_class:
            for name in (member.value, member.label, member.name):
                found[(enum_class.__name__, _key(name))] = member
    for alias in ("hela", "hela_indexet", "helaindexet", "hela_index", "helhet", "helheten", "total", "totalt",
                  "totalindex", "index_value", "hemtjanstindex"):
        found[("Area", _key(alias))] = Area.INDEX
    for alias in ("stod", "stod_utveckling"):
        found[("Area", _key(alias))] = Area.STOD_OCH_UTVECKLING
    return found


def _key(text: str) -> str:
    table = str.maketrans({"å": "a", "ä": "a", "ö": "o", " ": "_", "-": "_", "/": "_"})
    return (text or "").strip().lower().translate(table)


_ALIASES: dict | None = None


def parse_choice(enum_class, value, field: str):
    """Return the member of `enum_class` named by `value` (its value, label or a known alias), or raise PlanError."""
    global _ALIASES
    if isinstance(value, enum_class):
        return value
    _ALIASES = _ALIASES or _aliases()
    member = _ALIASES.get((enum_class.__name__, _key(str(value))))
    if member is None:
        allowed = ", ".join(m.value for m in enum_class)
        raise PlanError([error(field, f"”{value}” finns inte bland alternativen; välj {allowed}.")])
    return member


def clean_text(text: str) -> str:
    """Return a measure's text as the sentences use it: one line, no leading "att", no final punctuation, and a
    lower-case first letter unless the first word is an abbreviation ("KPI", "IT-stöd")."""
    text = " ".join((text or "").split())
    text = re.sub(r"^(?:att|Att|ATT)\s+", "", text).rstrip(" .!?;:,")
    first = text.split(" ", 1)[0]
    if first[:1].isupper() and not (len(first) > 1 and (first[1].isupper() or first[1] in "-")):
        text = text[:1].lower() + text[1:]
    return text


@dataclass(frozen=True)
class MeasureInput:
    """What someone typed or chose for a measure (strings or enum members)."""

    area: object
    text: str
    horizon: object = Horizon.SHORT
    status: object = MeasureStatus.PLANNED
    source_url: str = ""
    status_since: date | None = None


@dataclass(frozen=True)
class CleanMeasure:
    area: Area
    text: str
    horizon: Horizon
    status: MeasureStatus
    source_url: str
    status_since: date | None

    def values(self) -> dict:
        """Return the stored form of every field, as the history records it."""
        return {"area": self.area.value, "text": self.text, "horizon": self.horizon.value,
                "status": self.status.value, "status_since": self.status_since.isoformat() if self.status_since
                else None, "source_url": self.source_url}


def check_measure(data: MeasureInput) -> CleanMeasure:
    """Return the measure as it will be stored, or raise PlanError naming every field that is wrong."""
    findings: list[Finding] = []
    chosen = {}
    for name, enum_class, field in (("area", Area, AREA), ("horizon", Horizon, HORIZON),
                                    ("status", MeasureStatus, STATUS)):
        try:
            chosen[name] = parse_choice(enum_class, getattr(data, name), field)
        except PlanError as problem:
            findings.extend(problem.findings)
    raw = data.text or ""
    text = clean_text(raw)
    source = (data.source_url or "").strip()
    for field, value, what in ((TEXT, raw, "Texten"), (SOURCE, source, "Adressen")):
        try:
            check_text(value, what)
        except BadInput as problem:
            findings.append(error(field, str(problem)))
    if len(text) < TEXT_MIN:
        findings.append(error(TEXT, "Skriv vad kommunen ska göra, till exempel ”förbättra informationen på "
                                    "kommunens webbplats”."))
    elif len(text) > TEXT_MAX:
        findings.append(error(TEXT, f"Högst {TEXT_MAX} tecken; nu är det {len(text)}. Skriv kortare: det som "
                                    "står här blir en del av en mening."))
    elif "\n" in raw.strip() or _SENTENCE_BREAK.search(text):
        findings.append(error(TEXT, "Skriv åtgärden som en enda mening, utan punkt, frågetecken eller "
                                    "utropstecken mitt i: den blir en del av en mening om kommunens plan."))
    if source:
        if len(source) > URL_MAX:
            findings.append(error(SOURCE, f"Högst {URL_MAX} tecken; nu är det {len(source)}."))
        elif source.startswith("mailto:"):
            findings.append(error(SOURCE, "Ange en webbsida (https://…), inte en e-postadress."))
        else:
            findings.extend(f for f in check_links([(SOURCE, Link(url=source, text="Kommunens egen sida"))])
                            if f.is_error)
    if findings:
        raise PlanError(findings)
    return CleanMeasure(chosen["area"], text, chosen["horizon"], chosen["status"], source, data.status_since)


def _municipality_and_year(year: int, municipality: str):
    findings = []
    problem = check_year(year)
    if problem is not None:
        findings.append(error(YEAR, problem.message))
    found = find_municipality(municipality or "")
    if found is None:
        findings.append(error(MUNICIPALITY, f"Hittar ingen kommun som heter eller har koden ”{municipality}”."))
    if findings:
        raise PlanError(findings)
    return found


def today() -> date:
    return clock.to_stockholm(clock.now()).date()


def add_measure(year: int, municipality: str, data: MeasureInput, *, actor: str,
                submission: PlanSubmission | None = None, is_demo: bool = False) -> Measure:
    """Register a measure (public from now on) with its first version; the caller commits. PlanError: nothing."""
    found = _municipality_and_year(year, municipality)
    clean = check_measure(data)
    now = clock.now()
    measure = Measure(year=year, municipality_code=found.code, area=clean.area, text=clean.text,
                      horizon=clean.horizon, status=clean.status, status_since=clean.status_since or today(),
                      source_url=clean.source_url, created_at=now, updated_at=now, is_demo=is_demo)
    db.session.add(measure)
    db.session.flush()
    _record(measure, {name: [None, value] for name, value in _values(measure).items()}, actor, submission, now)
    return measure


def update_measure(measure: Measure, data: MeasureInput, *, actor: str,
                   submission: PlanSubmission | None = None) -> bool:
    """Change a measure; return whether anything changed (a new version then says what). The caller commits.

    A status changes only as `MEASURE_TRANSITIONS` allows; a new status without a date of its own starts today.
    """
    clean = check_measure(data)
    before = _values(measure)
    if clean.status is not measure.status:
        try:
            transition(measure, clean.status, MEASURE_TRANSITIONS)
        except TransitionError as problem:
            raise PlanError([error(STATUS, str(problem))]) from None
        measure.status_since = clean.status_since or today()
    elif clean.status_since is not None:
        measure.status_since = clean.status_since
    measure.area, measure.text, measure.horizon = clean.area, clean.text, clean.horizon
    measure.source_url = clean.source_url
    after = _values(measure)
    changes = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    if not changes:
        return False
    measure.updated_at = clock.now()
    _record(measure, changes, actor, submission, measure.updated_at)
    return True


def _values(measure: Measure) -> dict:
    return {"area": measure.area.value, "text": measure.text, "horizon": measure.horizon.value,
            "status": measure.status.value, "status_since": measure.status_since.isoformat(),
            "source_url": measure.source_url}


def _record(measure: Measure, changes: dict, actor: str, submission: PlanSubmission | None, at: datetime) -> None:
    number = len(measure.versions) + 1
    measure.versions.append(MeasureVersion(number=number, changed_at=at, changed_by=actor[:255], changes=changes,
                                           submission_id=submission.id if submission is not None else None))
    db.session.flush()


def measures_of(year: int, municipality_code: str | None = None) -> list[Measure]:
    """Return the measures of a year (of one municipality), by municipality, area in the index's order, then age."""
    query = select(Measure).where(Measure.year == year)
    if municipality_code is not None:
        query = query.where(Measure.municipality_code == municipality_code)
    order = {area: position for position, area in enumerate(Area)}
    return sorted(db.session.scalars(query),
                  key=lambda m: (m.municipality.short_name, order[m.area], m.created_at, m.id))


#: The words staff read for each field of the history.
FIELD_LABELS = {"area": AREA, "text": TEXT, "horizon": HORIZON, "status": STATUS, "status_since": SINCE,
                "source_url": SOURCE}


def shown_value(name: str, value) -> str:
    """Return a stored value of a field as staff read it in the history."""
    if value in (None, ""):
        return "–"
    if name == "area":
        return Area(value).label
    if name == "horizon":
        return Horizon(value).label
    if name == "status":
        return MeasureStatus(value).label
    if name == "status_since":
        from ..formatting import format_date

        return format_date(date.fromisoformat(value))
    return str(value)
