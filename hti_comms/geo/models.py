"""Counties, municipalities and SPF districts."""
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class County(db.Model):
    __tablename__ = "county"

    #: Two-digit county code from SCB, e.g. "01" for Stockholms län.
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    short_name: Mapped[str] = mapped_column(String(100))

    municipalities: Mapped[list["Municipality"]] = relationship(back_populates="county", order_by="Municipality.name")

    def __repr__(self) -> str:
        return f"<County {self.code} {self.short_name}>"


class District(db.Model):
    """An SPF Seniorerna district; by default one per county, editable by staff."""

    __tablename__ = "district"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    #: The county the district was created for by default; None for districts staff made up.
    county_code: Mapped[str | None] = mapped_column(ForeignKey("county.code"), unique=True)

    county: Mapped[County | None] = relationship()
    municipalities: Mapped[list["Municipality"]] = relationship(back_populates="district", order_by="Municipality.name")

    def __repr__(self) -> str:
        return f"<District {self.name}>"


class Municipality(db.Model):
    __tablename__ = "municipality"

    #: Four-digit municipality code from SCB, leading zero kept ("0114").
    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    #: Full name, e.g. "Upplands Väsby kommun".
    name: Mapped[str] = mapped_column(String(100))
    #: Short name used in running text, e.g. "Upplands Väsby".
    short_name: Mapped[str] = mapped_column(String(100), index=True)
    county_code: Mapped[str] = mapped_column(ForeignKey("county.code"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"), index=True)

    county: Mapped[County] = relationship(back_populates="municipalities")
    district: Mapped[District | None] = relationship(back_populates="municipalities")

    def __repr__(self) -> str:
        return f"<Municipality {self.code} {self.short_name}>"
