"""Findings: what a rule tells the user, with its evidence status, sources and inputs."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lenaguard.knowledge.base import Citation, Cited, Status, merge_citations, weakest
from lenaguard.vocab import Category, DoseAction, Severity


class Finding(BaseModel):
    """One statement about the case: a problem, a requirement, or information.

    `status` and `citations` come from the knowledge entries the rule used; `inputs` are the
    case values it read, so a clinician can retrace the rule.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z_]+(\.[a-z0-9_]+)+$")
    category: Category
    severity: Severity
    summary: str
    detail: str
    status: Status
    citations: list[Citation] = Field(min_length=1)
    inputs: dict[str, Any] = Field(default_factory=dict)
    blocking: bool = Field(
        default=False, description="True when this finding stops the prescription going ahead."
    )
    requires_dose_action: DoseAction | None = Field(
        default=None,
        description="hold or stop: what this finding requires of today's dose, whatever the "
        "dose rules decided (e.g. a missed period interrupts lenalidomide during the evaluation).",
    )

    @classmethod
    def from_entries(
        cls,
        *entries: Cited,
        id: str,
        category: Category,
        severity: Severity,
        summary: str,
        detail: str,
        inputs: dict[str, Any] | None = None,
        blocking: bool = False,
        requires_dose_action: DoseAction | None = None,
    ) -> Finding:
        """A finding resting on knowledge entries: their weakest status, all their citations."""
        if not entries:
            raise ValueError("a finding must rest on at least one knowledge entry")
        return cls(
            id=id,
            category=category,
            severity=severity,
            summary=summary,
            detail=detail,
            status=weakest(entry.status for entry in entries),
            citations=merge_citations(*entries),
            inputs=inputs or {},
            blocking=blocking,
            requires_dose_action=requires_dose_action,
        )


def format_number(value: float) -> str:
    """A number as a clinician writes it: 30000 → '30,000', 2.5 → '2.5', 10.0 → '10'."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")
