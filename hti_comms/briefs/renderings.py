"""Charts, brief emails and PDFs made once per (year, municipality, data version) and kept in the database.

Drawing the bar chart takes 60–100 ms, inlining the email's CSS a few, a PDF over 100 ms; the staff pages, the
sends and `hti brief-pdf` ask for the same ones again and again. Each is kept in `brief_rendering`, one row per
kind, year and municipality, with the data version it was made from, and made again only when that changes.

The data version is a digest of everything the rendering is made from: the figures and sentences of the brief
(which come from the year's results and the year before's, which the trend sentences compare with), the
municipality's name, and the templates, code and library versions that draw it. So a re-import or replacement
of the year's results with other figures, of the previous year's, a renamed municipality or a new layout after
a deploy all give a new version, without any code having to remember to invalidate anything; a re-import with
the same figures keeps the renderings, which are then still right.

The store is the database rather than files in the instance folder: it is the one thing every process already
shares (several gunicorn workers, the scheduler and the send workers, which may run on other machines or in
containers with their own file systems), a write is one atomic upsert (two workers making the same rendering at
once both succeed, and no reader ever sees half a file), and one row per slot keeps it bounded (about 80 KB per
municipality and year). Reading a row costs a millisecond or two.

Nothing here commits: the rows are written in the caller's transaction (a staff page commits after rendering,
a send commits them with its outbox rows).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import cache
from importlib.metadata import version as library_version

from flask import current_app
from sqlalchemy import select

from .. import clock
from ..config import PROJECT_ROOT
from ..delivery.api import EmailSpec
from ..delivery.render import RenderedTemplate, render_template_pair
from ..extensions import db
from .models import BriefRendering
from .services import brief_context, is_published, publication_text
from .talking_points import TalkingPoints

CHART, EMAIL, EMBARGOED_EMAIL, PDF = "chart", "email", "email_embargoed", "pdf"

#: What draws a rendering besides its data: a change in any of these after a deploy makes every version new.
LAYOUT_SOURCES = ("templates/emails", "templates/pdf", "hti_comms/briefs/charts.py", "hti_comms/briefs/pdf.py",
                  "hti_comms/formatting.py", "hti_comms/delivery/render.py", "hti_comms/delivery/inlining.py")
DRAWING_LIBRARIES = ("matplotlib", "weasyprint", "pydyf", "premailer", "cssutils")


def chart_png(points: TalkingPoints) -> bytes:
    """Return the bar chart of the municipality's sub-indices (PNG), drawn only when its data has changed."""
    from . import charts

    return _kept(CHART, points, _chart_inputs(points),
                 lambda: charts.sub_index_chart(points.sub_indices, points.municipality.short_name))


def brief_email(spec: EmailSpec, points: TalkingPoints) -> RenderedTemplate:
    """Return the municipality's brief email `spec` rendered with its CSS inlined, recipients' values left open."""
    inputs = {"template": spec.template, "subject": spec.subject, "list_key": spec.list_key,
              "context": spec.context, "base_url": current_app.config["BASE_URL"]}

    def render() -> bytes:
        html, text = render_template_pair(spec.template, spec.context, subject=spec.subject,
                                          list_key=spec.list_key).parts
        return json.dumps({"html": html, "text": text}, ensure_ascii=False).encode("utf-8")

    # The embargoed summary and the public brief say different things: each keeps a slot of its own.
    kind = {"local_brief": EMAIL, "local_brief_embargoed": EMBARGOED_EMAIL}[spec.kind]
    parts = json.loads(_kept(kind, points, inputs, render))
    return RenderedTemplate.from_parts(parts["html"], parts["text"])


def brief_pdf(points: TalkingPoints) -> bytes:
    """Return the printable A4 brief of the municipality (PDF), made only when its data has changed.

    Raises FigureMismatch when a sentence disagrees with the stored results (checked on every call; the
    printed page itself is checked whenever it is made).
    """
    from . import pdf
    from .figures import check_talking_points

    check_talking_points(points)
    # The PDF marks every page "EJ PUBLICERAT" until publication: the release state is part of its data.
    inputs = {"brief": brief_context(points), "chart": _chart_inputs(points) if points.entry else None,
              "published": is_published(points.ranking), "publication": publication_text(points.ranking)}
    return _kept(PDF, points, inputs,
                 lambda: pdf.brief_pdf(points, chart_png(points) if points.entry is not None else None))


def _chart_inputs(points: TalkingPoints) -> dict:
    return {"name": points.municipality.short_name,
            "figures": [(f.name, f.label, f.value, f.national_average) for f in points.sub_indices]}


def _kept(kind: str, points: TalkingPoints, inputs: object, make: Callable[[], bytes]) -> bytes:
    """Return the kept rendering of this kind if it was made from the same data version, else make and keep it."""
    year, code = points.year, points.municipality.code
    data_version = _data_version(kind, inputs)
    kept = db.session.execute(
        select(BriefRendering.data_version, BriefRendering.content)
        .where(BriefRendering.kind == kind, BriefRendering.year == year, BriefRendering.municipality_code == code)
    ).first()
    if kept is not None and kept.data_version == data_version:
        return kept.content
    content = make()
    _keep(kind, year, code, data_version, content)
    return content


def _keep(kind: str, year: int, code: str, data_version: str, content: bytes) -> None:
    """Insert or replace the rendering of the slot (an upsert: a second process making it at once is harmless)."""
    # The dialect in use only: importing PostgreSQL's (with its drivers) costs a SQLite process about 20 ms.
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(BriefRendering).values(kind=kind, year=year, municipality_code=code,
                                       data_version=data_version, content=content, rendered_at=clock.now())
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["kind", "year", "municipality_code"],
        set_={name: statement.excluded[name] for name in ("data_version", "content", "rendered_at")},
    ))


def _data_version(kind: str, inputs: object) -> str:
    layout = _layout_fingerprint.__wrapped__() if current_app.jinja_env.auto_reload else _layout_fingerprint()
    payload = json.dumps([kind, layout, inputs], default=str, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@cache
def _layout_fingerprint() -> str:
    """Return a digest of the templates, code and library versions that draw the renderings.

    Made once per process; when templates reload as they are edited (debug), made again for every rendering.
    """
    digest = hashlib.sha256()
    for source in LAYOUT_SOURCES:
        path = PROJECT_ROOT / source
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file():
                digest.update(str(file.relative_to(PROJECT_ROOT)).encode() + b"\0" + file.read_bytes() + b"\0")
    for name in DRAWING_LIBRARIES:
        digest.update(f"{name}={library_version(name)}\0".encode())
    return digest.hexdigest()
