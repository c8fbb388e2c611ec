"""Users (one per person acting on the service), their API tokens and nurse assignments."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from lenaguard.store.base import Base, UtcDateTime, utcnow


class Role(enum.StrEnum):
    ADMIN = "admin"
    PRESCRIBER = "prescriber"
    NURSE = "nurse"
    PHARMACIST = "pharmacist"
    PATIENT = "patient"


class User(Base):
    """A person who uses the service; what they may see follows from role and links."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    name: Mapped[str] = mapped_column(String(200))
    prescriber_id: Mapped[str | None] = mapped_column(ForeignKey("prescribers.id"), index=True)
    pharmacy_id: Mapped[str | None] = mapped_column(ForeignKey("pharmacies.id"), index=True)
    patient_id: Mapped[str | None] = mapped_column(ForeignKey("patients.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class ApiToken(Base):
    """A bearer token, stored as its SHA-256 digest; shown to its owner once, at creation."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class NurseAssignment(Base):
    """A nurse acts for the prescribers named here, on their patients only."""

    __tablename__ = "nurse_assignments"

    nurse_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    prescriber_id: Mapped[str] = mapped_column(ForeignKey("prescribers.id"), primary_key=True)


class WebSession(Base):
    """A signed-in browser: made at the login page from a valid API token, ended by logging
    out or by its expiry. The cookie holds a random session key; only its digest is stored."""

    __tablename__ = "web_sessions"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    token_id: Mapped[str] = mapped_column(ForeignKey("api_tokens.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
