"""Authorizations (one per prescription), confirmations (one per pharmacy check) and dispenses.

Uniqueness is the database's job: authorization and confirmation numbers are unique, and a
confirmation, and an authorization, has at most one dispense (unique keys), so concurrent requests cannot dispense the
same confirmation twice on SQLite or PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from lenaguard.store.base import Base, UtcDateTime, utcnow


class Authorization(Base):
    __tablename__ = "authorizations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    prescriber_id: Mapped[str] = mapped_column(ForeignKey("prescribers.id"), index=True)
    indication: Mapped[str] = mapped_column(String(30))
    dose_mg: Mapped[float] = mapped_column(Float)
    first_day: Mapped[int] = mapped_column(Integer)  # dosing days of the cycle, first..last
    last_day: Mapped[int] = mapped_column(Integer)
    cycle_days: Mapped[int] = mapped_column(Integer)
    days_supply: Mapped[int] = mapped_column(Integer)
    risk_category: Mapped[str] = mapped_column(String(60))
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date] = mapped_column(Date)
    issued_by: Mapped[str] = mapped_column(ForeignKey("users.id"))


class Confirmation(Base):
    __tablename__ = "confirmations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    authorization_id: Mapped[str] = mapped_column(ForeignKey("authorizations.id"), index=True)
    pharmacy_id: Mapped[str] = mapped_column(ForeignKey("pharmacies.id"), index=True)
    confirmed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    confirmed_by: Mapped[str] = mapped_column(ForeignKey("users.id"))


class Dispense(Base):
    __tablename__ = "dispenses"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    confirmation_id: Mapped[str] = mapped_column(ForeignKey("confirmations.id"), unique=True)
    authorization_id: Mapped[str] = mapped_column(ForeignKey("authorizations.id"), unique=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    pharmacy_id: Mapped[str] = mapped_column(ForeignKey("pharmacies.id"), index=True)
    capsule_strength_mg: Mapped[float] = mapped_column(Float)
    quantity: Mapped[int] = mapped_column(Integer)
    days_supply: Mapped[int] = mapped_column(Integer)
    dispensed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    dispensed_on: Mapped[dt.date] = mapped_column(Date)
    dispensed_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
