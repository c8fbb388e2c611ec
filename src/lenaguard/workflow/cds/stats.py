"""Acceptance and override rates of CDS Hooks cards, per card type (`lenaguard cds stats`).

A card's type is the finding it came from (`infection.hbv_screening_needed`, …) or `dose.renal`,
`dose.plan`, `rems.supply` for the cards about the draft order. Rates are over the cards that
got feedback; `issued` counts every card returned, so `issued - with_feedback` were neither
accepted nor overridden (dismissed, or the EHR sends no feedback).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lenaguard.workflow.cds.models import CdsCard, CdsFeedback


@dataclass
class CardTypeStats:
    card_type: str
    issued: int = 0
    accepted: int = 0
    overridden: int = 0
    override_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def with_feedback(self) -> int:
        return self.accepted + self.overridden

    @property
    def acceptance_rate(self) -> float | None:
        return self.accepted / self.with_feedback if self.with_feedback else None

    @property
    def override_rate(self) -> float | None:
        return self.overridden / self.with_feedback if self.with_feedback else None

    def to_json(self) -> dict:
        return {
            **asdict(self),
            "with_feedback": self.with_feedback,
            "acceptance_rate": self.acceptance_rate,
            "override_rate": self.override_rate,
        }


def card_stats(session: Session) -> list[CardTypeStats]:
    """One row per card type seen (issued or in feedback), most issued first."""
    rows: dict[str, CardTypeStats] = {}

    def row(card_type: str) -> CardTypeStats:
        return rows.setdefault(card_type, CardTypeStats(card_type))

    for card_type, count in session.execute(
        select(CdsCard.card_type, func.count()).group_by(CdsCard.card_type)
    ):
        row(card_type).issued = count
    # the latest outcome of each card counts (an EHR may send feedback again)
    latest = (
        select(CdsFeedback.card, func.max(CdsFeedback.id).label("last"))
        .group_by(CdsFeedback.card)
        .subquery()
    )
    outcomes = session.execute(
        select(CdsFeedback.card_type, CdsFeedback.outcome, CdsFeedback.override_code).join(
            latest, CdsFeedback.id == latest.c.last
        )
    )
    for card_type, outcome, reason in outcomes:
        stats = row(card_type)
        if outcome == "accepted":
            stats.accepted += 1
        else:
            stats.overridden += 1
            key = reason or "(no reason)"
            stats.override_reasons[key] = stats.override_reasons.get(key, 0) + 1
    return sorted(rows.values(), key=lambda s: (-s.issued, s.card_type))
