"""Renderings of a municipality's brief (bar chart, inlined email, PDF) kept between views."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
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
