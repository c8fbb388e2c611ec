"""Workflow records about a patient. Each is dated, attributed to whoever recorded it, and never
changed: a correction is a new record (the newest wins where one value is current)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from lenaguard.store.base import Base, UtcDateTime, utcnow


class _Recorded:
    recorded_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class PregnancyTest(_Recorded, Base):
    """A medically supervised pregnancy test; `taken_at` is exact (24-hour windows count in time)."""

    __tablename__ = "pregnancy_tests"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    taken_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    result: Mapped[str] = mapped_column(String(10))  # negative | positive
    sensitivity_miu_ml: Mapped[float | None] = mapped_column(Float)


class Counselling(_Recorded, Base):
    """Counselling given to the patient: contraception, or the REMS education and Medication Guide."""

    __tablename__ = "counselling"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # contraception | rems_education
    given_on: Mapped[dt.date] = mapped_column(Date)


class Survey(_Recorded, Base):
    """A mandatory REMS survey taken by the patient or by the prescriber about the patient."""

    __tablename__ = "surveys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    respondent: Mapped[str] = mapped_column(String(20))  # patient | prescriber
    taken_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Insurance(_Recorded, Base):
    """The patient's coverage and prior-authorization status; the newest record is current."""

    __tablename__ = "insurance"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    payer: Mapped[str] = mapped_column(String(200))
    member_id: Mapped[str] = mapped_column(String(100))
    prior_authorization: Mapped[str] = mapped_column(String(20))
    # not_required | pending | approved | denied
