"""Renderings of a municipality's brief (bar chart, inlined email, PDF) kept between views."""
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import UTCDateTime
from ..extensions import db


class BriefRendering(db.Model):
    """The latest rendering of one kind for a municipality's year; replaced when its data version changes."""

    __tablename__ = "brief_rendering"

    #: "chart" (PNG), "email" or "email_embargoed" (the inlined HTML and text as JSON, recipients' values still
    #: placeholders) or "pdf".
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    municipality_code: Mapped[str] = mapped_column(String(4), primary_key=True)
    #: Digest of everything the rendering is made from: the figures and sentences (from this year's results and
    #: last year's), the municipality's name, the templates and the drawing libraries' versions. A re-import
    #: with other figures, a renamed municipality or a new layout gives another version.
    data_version: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    rendered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PublicationSending(db.Model):
    """Staff's choice for one year: the local briefs and/or district digests go out by themselves at publication.

    The moment is never stored here: the sweep reads the year's publication moment each time it runs, so a
    postponement moves the sending with it.
    """

    __tablename__ = "brief_at_publication"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: Each municipality's local brief to its pensioner council.
    send_local: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Each district's digest to its chairs and officers.
    send_district: Mapped[bool] = mapped_column(Boolean, default=True)
    chosen_by: Mapped[str] = mapped_column(String(255), default="")
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: When the sweep had gone through every municipality and district after the publication (None: not yet).
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Briefs held back because their figures disagreed with the results, each
    #: {"kind": "local" | "district", "target": code or district id, "name": …, "reason": …}; shown to staff.
    held: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
