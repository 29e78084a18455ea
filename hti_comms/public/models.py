"""Links staff add to a municipality's public results page: the municipality's own follow-up work."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime
from ..extensions import db
from ..geo.models import Municipality


class FollowUpLink(db.Model):
    """A page of the municipality's own about its result (an action plan, a council report), shown publicly."""

    __tablename__ = "follow_up_link"
    __table_args__ = (Index("ix_follow_up_link_year_municipality", "year", "municipality_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The index year whose results the work follows up; shown on that year's page of the municipality.
    year: Mapped[int]
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"))
    #: What the reader clicks, in the municipality's words ("Handlingsplan för hemtjänsten 2026").
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
    added_by: Mapped[str | None] = mapped_column(String(255))

    municipality: Mapped[Municipality] = relationship()


class PublicContentVersion(db.Model):
    """A number raised in the same transaction as every change to what a public results page shows: follow-up
    links, action plans, result sets and publication moments (`content_version`). The publication state is read
    with it, so the replay layer answers a municipality page again only while it is unchanged, and the caching
    proxies are told of each new number (`proxy_ban`)."""

    __tablename__ = "public_content_version"

    #: Always 1: one row.
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int]
