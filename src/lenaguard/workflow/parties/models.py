"""REMS-certified prescribers and pharmacies, with the dates their certification covers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from lenaguard.store.base import Base, UtcDateTime, utcnow


class Prescriber(Base):
    __tablename__ = "prescribers"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    npi: Mapped[str | None] = mapped_column(String(10))
    certified_on: Mapped[dt.date | None] = mapped_column(Date)
    certification_expires_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class Pharmacy(Base):
    __tablename__ = "pharmacies"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    certified_on: Mapped[dt.date | None] = mapped_column(Date)
    certification_expires_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
