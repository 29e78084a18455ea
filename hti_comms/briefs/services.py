"""Brief contents (figures as display text) and the embargo check every send path goes through."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..clock import as_utc, now
from ..extensions import db
from ..formatting import format_datetime, format_number
from ..geo.models import District
from ..results.models import ResultSet
from ..results.publication import is_released
from ..results.ranking import RankedResult, YearRanking, competition_ranks
from .talking_points import TalkingPoints, build_talking_points
from .wording import IndexChange, gap, place, places

#: What the brief lists as facts; the demo warning has its own banner there.
FACT_KINDS = ("index", "trend", "plan", "sub_index", "county", "missing")


class ReleaseError(PermissionError):
    """A Swedish message saying why results of a year may not be sent yet."""


def check_release(year: int, *, embargoed_audience: bool, at: datetime | None = None) -> None:
    """Raise ReleaseError unless briefs for `year` may go out now to this kind of audience.

    Before publication only an embargoed, entitled audience (e.g. a municipality's own registered contacts
    who pre-ordered the report package) may receive results; a year without a publication time is unpublished.
    `at` is when the send is scheduled (None = now); a send scheduled for the publication moment is allowed.
    """
    result_set = db.session.get(ResultSet, year)
    if result_set is None:
        raise ReleaseError(f"Det finns inga resultat för {year}, så det finns inget att skicka.")
    if embargoed_audience:
        return
    if result_set.published_at is None:
        raise ReleaseError(f"Resultaten för {year} har ingen publiceringstid ännu. Innan de är publicerade får de "
                           "bara skickas till mottagare med embargo.")
    moment = max(now(), as_utc(at)) if at else now()
    if not is_released(result_set.published_at, moment):
        raise ReleaseError(f"Resultaten för {year} publiceras {format_datetime(result_set.published_at)}. "
                           "Före dess får de bara skickas till mottagare med embargo.")


def is_published(ranking: YearRanking, at: datetime | None = None) -> bool:
    """Return whether the year's results are public at `at` (default now): published_at set and passed."""
    return is_released(ranking.published_at, at)


def publication_text(ranking: YearRanking) -> str:
    """Return when an unpublished year is published, in Swedish ('publiceras tisdag 1 december …')."""
    if ranking.published_at is None:
        return f"Resultaten för {ranking.year} har ingen publiceringstid ännu"
    return f"Resultaten för {ranking.year} publiceras {format_datetime(ranking.published_at)}"


def brief_context(points: TalkingPoints) -> dict:
    """Return what a local brief shows, as JSON-serialisable display text (figures already formatted)."""
    entry, ranking = points.entry, points.ranking
    figures = []
    if entry is not None:
        figures.append(_figure_row("Index", entry.index, ranking.national_average))
        figures.extend(_figure_row(f.label, f.value, f.national_average) for f in points.sub_indices)
    return {
        "year": points.year,
        "municipality_code": points.municipality.code,
        "municipality_name": points.municipality.short_name,
        "is_demo": ranking.is_demo,
        "has_result": entry is not None,
        "place": place(entry.rank, ranking.ranked_count, ranking.shares_rank(entry)) if entry else None,
        "figures": figures,
        "facts": points.texts(*FACT_KINDS),
        "questions": points.texts("question"),
        "press": points.texts("press"),
    }


def _figure_row(label: str, value, average) -> dict:
    return {
        "label": label,
        "value": format_number(value) if value is not None else "uppgift saknas",
        "national_average": format_number(average),
        "gap": gap(value, average) if value is not None and average is not None else "–",
    }


@dataclass(frozen=True)
class DistrictRow:
    district_rank: int
    is_shared: bool
    entry: RankedResult


def district_rows(ranking: YearRanking, district_id: int) -> list[DistrictRow]:
    """Return the district's municipalities ranked within the district (ties share a place, as nationally)."""
    members = [e for e in ranking.entries if e.district_id == district_id]
    ranks = competition_ranks({e.municipality_code: e.index for e in members})
    counts: dict[int, int] = {}
    for value in ranks.values():
        counts[value] = counts.get(value, 0) + 1
    rows = [DistrictRow(ranks[e.municipality_code], counts[ranks[e.municipality_code]] > 1, e) for e in members]
    return sorted(rows, key=lambda r: (r.district_rank, r.entry.municipality_name))


def district_context(district: District, ranking: YearRanking) -> dict:
    """Return what a district digest shows: every municipality of the district, ranked within it."""
    rows = district_rows(ranking, district.id)
    municipalities = {m.code: m for m in district.municipalities}
    missing = sorted(m.short_name for code, m in municipalities.items() if ranking.entry(code) is None)
    return {
        "year": ranking.year,
        "district_name": district.name,
        "is_demo": ranking.is_demo,
        "national_average": format_number(ranking.national_average),
        "ranked_count": ranking.ranked_count,
        "count": len(rows),
        "missing": missing,
        "rows": [{
            "district_place": place(row.district_rank, len(rows), row.is_shared),
            "name": row.entry.municipality_name,
            "code": row.entry.municipality_code,
            "index": format_number(row.entry.index),
            "gap": gap(row.entry.index, ranking.national_average),
            "national_place": place(row.entry.rank, ranking.ranked_count, ranking.shares_rank(row.entry)),
            "change": _change_text(row.entry, ranking),
            "facts": build_talking_points(municipalities[row.entry.municipality_code], ranking.year,
                                          ranking).texts("index", "trend"),
        } for row in rows],
    }


def _change_text(entry: RankedResult, ranking: YearRanking) -> str:
    """Return the digest's change column: the index change in the talking points' words, and the move."""
    if entry.rank_change is None:
        return "ingen jämförelse"
    moved = entry.rank_change
    places_text = "samma plats" if moved == 0 else (f"upp {places(moved)}" if moved > 0 else f"ned {places(-moved)}")
    return f"{IndexChange(entry.index, entry.previous_index).short()}, {places_text} sedan {ranking.previous_year}"


def districts() -> list[District]:
    return list(db.session.scalars(select(District).order_by(District.name)))
