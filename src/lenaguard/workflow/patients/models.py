"""An enrolled patient and every version of their clinical case.

The risk category is never stored as typed-in data: it is computed by the REMS rules from sex,
birth date and reproductive history whenever it is needed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lenaguard.store.base import Base, Json, UtcDateTime, utcnow


class Patient(Base):
    __tablename__ = "patients"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    prescriber_id: Mapped[str] = mapped_column(ForeignKey("prescribers.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    sex: Mapped[str] = mapped_column(String(10))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    reproductive: Mapped[dict[str, Any] | None] = mapped_column(Json)
    guardian_name: Mapped[str | None] = mapped_column(String(200))
    enrolled_on: Mapped[dt.date] = mapped_column(Date)
    agreement_signed_on: Mapped[dt.date | None] = mapped_column(Date)
    guardian_agreement_signed_on: Mapped[dt.date | None] = mapped_column(Date)
    pharmacy_id: Mapped[str | None] = mapped_column(ForeignKey("pharmacies.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class CaseVersion(Base):
    """One version of a patient's clinical case file (as JSON); the highest version is current."""

    __tablename__ = "case_versions"
    __table_args__ = (UniqueConstraint("patient_id", "version", name="uq_case_versions_version"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(Json)
    recorded_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
