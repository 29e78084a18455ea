"""The newsletter section kind "Så jobbar kommunerna": municipalities whose planned area moved most, each with a
draft built from its plan and the figures, for staff to edit ("Så jobbar Karlsborg med hemtjänstindex").

The staff form lists the municipalities with a plan of an earlier year and a result in the latest year, the one
whose targeted area moved most (up or down) first, each with a draft: the talking points' own sentences about the
plan (`followup`). Staff tick the ones they want and edit the words. Before the newsletter can be sent, every
number in each edited text is checked against the results (`briefs.figures.check_figures`), so an edit cannot
send a wrong figure.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import escape

from ..checks import Finding, error
from ..geo.services import municipalities_by_code
from ..inputs import BadInput, check_text
from ..links import absolute
from ..markdown import Link
from ..newsletters.sections import (
    RenderContext, RenderedSection, SectionDataError, SectionKind, render_markdown_body,
)
from .followup import earlier_plans, followup_points, movement

#: How many municipalities the form offers (the chosen ones are always shown too).
OFFERED = 12
TEXT_MAX = 3000


@dataclass(frozen=True)
class Candidate:
    code: str
    name: str
    plan_year: int
    #: The largest change of a targeted area (signed), or None when no figure can be compared.
    moved: Decimal | None
    draft: str

    @property
    def moved_text(self) -> str:
        """Return the movement in the words of the one owner of the change sentence ("ökat med 4,2 enheter")."""
        from ..briefs.wording import IndexChange

        return "ingen jämförelse" if self.moved is None else IndexChange(self.moved, Decimal(0)).words()


def latest_year() -> int | None:
    from ..results.ranking import available_years

    years = available_years()
    return years[0] if years else None


def candidates(year: int) -> list[Candidate]:
    """Return the municipalities with an earlier plan and a result in `year`, the largest movement first."""
    from ..results.services import stored_values

    plans = earlier_plans(year)
    values = stored_values(year, plans)
    names = {code: m.short_name for code, m in municipalities_by_code().items()}
    found = []
    for code, plan in plans.items():
        current = values.get(code)
        if current is None:
            continue
        draft = " ".join(p.text for p in followup_points(names[code], plan, current) if p.kind == "plan")
        found.append(Candidate(code, names[code], plan.plan_year, movement(plan, current), draft))
    return sorted(found, key=lambda c: (c.moved is None, -abs(c.moved or 0), c.name))


def form_context() -> dict:
    year = latest_year()
    return {"plan_year": year, "plan_candidates": candidates(year)[:OFFERED] if year else [],
            "plan_names": {code: m.short_name for code, m in municipalities_by_code().items()}}


def read_choices(form: Mapping) -> dict:
    """Return the section data: the year and each ticked municipality with its (edited) text."""
    codes = form.getlist("plan_codes") if hasattr(form, "getlist") else form.get("plan_codes", [])
    year = str(form.get("plan_year", ""))
    if not year.isdigit():
        raise SectionDataError("Så jobbar kommunerna: det finns inga resultat att jämföra med ännu.")
    names = {code: m.short_name for code, m in municipalities_by_code().items()}
    chosen = []
    for code in dict.fromkeys(c for c in codes if c in names):
        text = (form.get(f"plan_text_{code}") or "").strip()
        if not text:
            raise SectionDataError(f"Så jobbar {names[code]}: texten är tom. Skriv en text eller ta bort bocken.")
        if len(text) > TEXT_MAX:
            raise SectionDataError(f"Så jobbar {names[code]}: högst {TEXT_MAX} tecken; nu är det {len(text)}.")
        try:
            check_text(text, f"Texten om {names[code]}")
        except BadInput as problem:
            raise SectionDataError(str(problem)) from None
        chosen.append({"code": code, "text": text})
    if not chosen:
        raise SectionDataError("Så jobbar kommunerna: kryssa för minst en kommun.")
    return {"year": int(year), "municipalities": chosen}


def _chosen(data: Mapping) -> list[tuple[str, str, str]]:
    names = {code: m.short_name for code, m in municipalities_by_code().items()}
    return [(item["code"], names[item["code"]], item["text"]) for item in (data or {}).get("municipalities", [])
            if item.get("code") in names]


def render_plans(section, context: RenderContext) -> RenderedSection:
    """Render each chosen municipality: a heading, the text as staff left it, and a link to its results page."""
    intro = render_markdown_body(section.body, context) if section.body.strip() else None
    html, text = ([intro.html], [intro.text]) if intro else ([], [])
    links = list(intro.links) if intro else []
    year = (section.data or {}).get("year")
    for code, name, words in _chosen(section.data):
        link = Link(absolute(f"/resultat/{year}/{code}"), f"{name} i Hemtjänstindex {year}")
        paragraphs = [part.strip() for part in words.split("\n\n") if part.strip()]
        html.append(f"<h3>{escape(f'Så jobbar {name}')}</h3>")
        html += [f"<p>{escape(' '.join(part.split()))}</p>" for part in paragraphs]
        html.append(f'<p><a href="{escape(context.href(link.url, link.text))}">{escape(link.text)}</a></p>')
        text.append(f"Så jobbar {name}\n\n" + "\n\n".join(" ".join(p.split()) for p in paragraphs)
                    + f"\n\n{link.text}:\n{link.url}")
        links.append(link)
    return RenderedSection(html="\n".join(html), text="\n\n".join(text), links=tuple(links))


def check_plans(section, context: RenderContext) -> list[Finding]:
    """Check every number of every municipality's text against the results (the figure check)."""
    from ..briefs.figures import FigureMismatch, check_figures, year_figures

    year = (section.data or {}).get("year")
    chosen = _chosen(section.data)
    if not chosen:
        return [error(f"Avsnitt ”{section.title}”", "Inga kommuner är valda.")]
    try:
        figures = year_figures(int(year))
    except (FigureMismatch, TypeError, ValueError):
        return [error(f"Avsnitt ”{section.title}”", f"Det finns inga resultat för {year} att kontrollera mot.")]
    findings = []
    for code, name, words in chosen:
        try:
            # The whole text is about the one municipality and its plan: read as one paragraph.
            check_figures(figures, code, [" ".join(words.split())])
        except FigureMismatch as mismatch:
            findings.append(error(f"Så jobbar {name}", mismatch.summary))
    return findings


PLANS_SECTION = SectionKind(
    key="action_plans", label="Så jobbar kommunerna", render=render_plans,
    form_template="web/action_plans/_newsletter_section.html", read_form=read_choices, form_context=form_context,
    check=check_plans,
    help="Välj kommuner vars planerade område har rört sig mest sedan planen. Varje kommun får ett utkast byggt på "
         "planen och siffrorna; ändra texten som du vill. Alla siffror kontrolleras mot resultaten innan brevet "
         "kan skickas. Texten ovan blir en inledning.")
