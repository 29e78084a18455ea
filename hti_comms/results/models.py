"""Index results: one result set per year, one row per municipality."""
import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, LargeBinary, Numeric, String, UniqueConstraint, select
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..dbtypes import UTCDateTime
from ..extensions import db
from ..geo.models import Municipality

#: The four sub-indices, in the order the index presents them: (attribute, Swedish label).
SUB_INDICES: tuple[tuple[str, str], ...] = (
    ("information", "Information"),
    ("bistandshandlaggning", "Biståndshandläggning"),
    ("utforande", "Utförande"),
    ("stod_och_utveckling", "Stöd och utveckling"),
)
SUB_INDEX_LABELS = dict(SUB_INDICES)
#: Every measure of a result row: the total index first, then the sub-indices.
MEASURES: tuple[tuple[str, str], ...] = (("index_value", "Index"),) + SUB_INDICES

# Values are 0–100 as published; three decimals keep any precision a source file gives.
Score = Numeric(6, 3, asdecimal=True)


class PublicationMoment(db.Model):
    """When one year's results become public (07:00 Stockholm on publication day, as staff set it): the moment's one
    home, set before or after the year's results are imported, and kept when they are replaced."""

    __tablename__ = "publication_moment"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())


def set_moment(year: int, published_at: datetime | None) -> None:
    """Set (None: clear) the publication moment of `year` in the caller's transaction."""
    moment = db.session.get(PublicationMoment, year)
    if published_at is None:
        if moment is not None:
            db.session.delete(moment)
    elif moment is None:
        db.session.add(PublicationMoment(year=year, published_at=published_at))
    else:
        moment.published_at = published_at


class ResultSet(db.Model):
    """The results of one year, imported together."""

    __tablename__ = "result_set"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: True for synthetic demo data; shown as "Demodata" wherever these results appear.
    is_demo: Mapped[bool] = mapped_column(default=False)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: File name or "demo"; for staff to see where the numbers came from.
    source: Mapped[str] = mapped_column(String(255))
    imported_by: Mapped[str | None] = mapped_column(String(255))
    #: New on every import (a replaced year is a new row): what caches of the year's ranking are keyed by.
    data_version: Mapped[str] = mapped_column(String(32), default=lambda: uuid.uuid4().hex,
                                              server_default="initial")

    results: Mapped[list["IndexResult"]] = relationship(
        back_populates="result_set", cascade="all, delete-orphan", passive_deletes=True
    )

    @hybrid_property
    def published_at(self) -> datetime | None:
        """When the ranking becomes public (its `PublicationMoment`); None until staff set it."""
        moment = db.session.get(PublicationMoment, self.year)
        return moment.published_at if moment is not None else None

    @published_at.inplace.setter
    def _published_at_setter(self, published_at: datetime | None) -> None:
        set_moment(self.year, published_at)

    @published_at.inplace.expression
    @classmethod
    def _published_at_expression(cls):
        return select(PublicationMoment.published_at).where(PublicationMoment.year == cls.year) \
            .correlate_except(PublicationMoment).scalar_subquery()


class IndexResult(db.Model):
    __tablename__ = "index_result"
    __table_args__ = (
        UniqueConstraint("year", "municipality_code"),
        CheckConstraint("index_value >= 0 AND index_value <= 100", name="index_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("result_set.year", ondelete="CASCADE"), index=True)
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), index=True)
    #: The total index (0–100).
    index_value: Mapped[Decimal] = mapped_column(Score)
    #: Sub-indices (0–100); None when the source had no value for that area.
    information: Mapped[Decimal | None] = mapped_column(Score)
    bistandshandlaggning: Mapped[Decimal | None] = mapped_column(Score)
    utforande: Mapped[Decimal | None] = mapped_column(Score)
    stod_och_utveckling: Mapped[Decimal | None] = mapped_column(Score)

    result_set: Mapped[ResultSet] = relationship(back_populates="results")
    municipality: Mapped[Municipality] = relationship()

    def measure(self, name: str) -> Decimal | None:
        """Return the value of a measure by attribute name ('index_value', 'utforande', …)."""
        return getattr(self, name)


class ResultUpload(db.Model):
    """A results file staff uploaded and look at before anything is saved (the preview); deleted once decided.

    The preview and the import read the very same bytes, so what staff saw is what is saved.
    """

    __tablename__ = "result_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    #: Staff ticked "replace the year's results" on the upload.
    replace: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_by: Mapped[str | None] = mapped_column(String(255))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
