"""Service points and reports of wrong listings."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Float,
    ForeignKey,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, UTCDateTime


class ServicePointRow(Base):
    """A listed service point (public information, not about any person)."""

    __tablename__ = "service_points"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kinds: Mapped[str] = mapped_column(String(400))  # kind ids separated by ";"
    address: Mapped[str] = mapped_column(String(300), default="")
    province: Mapped[str] = mapped_column(String(40), index=True)
    commune: Mapped[str] = mapped_column(String(100), default="")
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    phone: Mapped[str] = mapped_column(String(24), default="")
    hours: Mapped[str] = mapped_column(String(500), default="")  # canonical opening_hours text
    notes: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(200), default="")
    verified_on: Mapped[date | None]
    sample: Mapped[bool] = mapped_column(default=False)
    # Open Referral HSDS fields (domain.directory.About)
    status: Mapped[str] = mapped_column(String(20), default="active", server_default="active")
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    url: Mapped[str] = mapped_column(String(300), default="", server_default="")
    email: Mapped[str] = mapped_column(String(200), default="", server_default="")
    eligibility: Mapped[str] = mapped_column(String(300), default="", server_default="")
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    fee: Mapped[str] = mapped_column(String(10), default="unknown", server_default="unknown")
    languages: Mapped[str] = mapped_column(String(100), default="", server_default="")  # codes separated by ";"
    accessibility: Mapped[str] = mapped_column(String(300), default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ListingReport(Base):
    """ "This listing is wrong", reported anonymously: the point, the reason and the day, nothing else."""

    __tablename__ = "listing_reports"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("service_points.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    reported_on: Mapped[date]


class DirectoryVersion(Base):
    """One row whose number goes up with every change to the directory, so workers know to reload it."""

    __tablename__ = "directory_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
