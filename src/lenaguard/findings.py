"""Findings: what a rule tells the user, with its evidence status, sources and inputs."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from lenaguard.knowledge.base import (
    Citation,
    Cited,
    Frozen,
    Status,
    basis_of,
    check_reading_status,
    merge_citations,
    weakest,
    with_basis,
)
from lenaguard.vocab import Category, DoseAction, Severity


class Finding(Frozen):
    """One statement about the case: a problem, a requirement, or information.

    `status` and `citations` come from the knowledge entries the rule used; `inputs` are the
    case values it read, so a clinician can retrace the rule.
    """

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
    basis: Literal["lenaguard"] | None = Field(
        default=None,
        description="'lenaguard' when the finding rests on lenaguard's own reading where the "
        "sources are silent (its status is then unverified); null when it rests on the sources.",
    )

    _fill_basis = model_validator(mode="before")(with_basis)

    @model_validator(mode="after")
    def _id_names_its_category(self) -> Finding:
        if self.id.split(".", 1)[0] != self.category.value:
            raise ValueError(f"id {self.id!r} must start with its category {self.category.value!r}")
        if self.basis != basis_of(self.citations):
            raise ValueError("basis must be 'lenaguard' exactly when a citation is lenaguard's")
        check_reading_status(self.status, self.citations)
        return self

    @classmethod
    def maker(cls, category: Category) -> FindingMaker:
        """A builder of findings of one category, so the id prefix always equals the category."""
        return FindingMaker(category)


class FindingMaker:
    """Builds the findings of one category: `name` becomes the id `<category>.<name>`.

    A rule module binds its category once (`_finding = Finding.maker(Category.RENAL)`), so no
    call can file a finding under the wrong category or spell the prefix differently.
    """

    __slots__ = ("category",)

    def __init__(self, category: Category):
        self.category = category

    def __call__(
        self,
        *entries: Cited,
        name: str,
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
        return self.with_citations(
            name=name,
            severity=severity,
            summary=summary,
            detail=detail,
            status=weakest(entry.status for entry in entries),
            citations=merge_citations(*entries),
            inputs=inputs,
            blocking=blocking,
            requires_dose_action=requires_dose_action,
        )

    def with_citations(
        self,
        *,
        name: str,
        severity: Severity,
        summary: str,
        detail: str,
        status: Status,
        citations: list[Citation],
        inputs: dict[str, Any] | None = None,
        blocking: bool = False,
        requires_dose_action: DoseAction | None = None,
    ) -> Finding:
        """A finding that carries the status and citations of a result already decided."""
        return Finding(
            id=f"{self.category.value}.{name}",
            category=self.category,
            severity=severity,
            summary=summary,
            detail=detail,
            status=status,
            citations=citations,
            inputs=inputs or {},
            blocking=blocking,
            requires_dose_action=requires_dose_action,
        )
