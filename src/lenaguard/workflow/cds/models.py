"""Tables of the CDS Hooks service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lenaguard.store.base import Base, Json, UtcDateTime


class CdsAssessment(Base):
    """An assessment made for a hook call, shown by the signed `/assessments/{id}` page."""

    __tablename__ = "cds_assessments"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    service: Mapped[str] = mapped_column(String(80))
    hook_instance: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    assessment: Mapped[Any] = mapped_column(Json)


class CdsCard(Base):
    """A card lenaguard returned: its type, so feedback about it can be counted by type."""

    __tablename__ = "cds_cards"

    uuid: Mapped[str] = mapped_column(String(40), primary_key=True)
    service: Mapped[str] = mapped_column(String(80))
    card_type: Mapped[str] = mapped_column(String(120))
    hook_instance: Mapped[str] = mapped_column(String(40))
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class CdsFeedback(Base):
    """What a clinician did with a card (CDS Hooks feedback)."""

    __tablename__ = "cds_feedback"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    service: Mapped[str] = mapped_column(String(80))
    card: Mapped[str] = mapped_column(String(100), index=True)
    card_type: Mapped[str] = mapped_column(String(120), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    accepted_suggestions: Mapped[Any | None] = mapped_column(Json)
    override_code: Mapped[str | None] = mapped_column(String(200))
    override_display: Mapped[str | None] = mapped_column(String(500))
    user_comment: Mapped[str | None] = mapped_column(Text)
    outcome_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class CdsTokenUse(Base):
    """A JWT id already accepted from an issuer, kept until the token expires (no replay)."""

    __tablename__ = "cds_token_uses"

    issuer: Mapped[str] = mapped_column(String(300), primary_key=True)
    jti: Mapped[str] = mapped_column(String(200), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
