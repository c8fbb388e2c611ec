"""Findings: what a rule tells the user, with its evidence status, sources and inputs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, model_validator

from lenaguard.knowledge.base import (
    SUMMARY_LIMIT,
    CardSummary,
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
from lenaguard.vocab import Category, DoseAction, Frequency, Severity


class TestDue(Frozen):
    """A test a finding asks for, and the date it must be done by."""

    test: str = Field(description="cbc, pregnancy_test, creatinine, hbv_dna, … (monitoring names)")
    by: dt.date


class ChangeDose(Frozen):
    """Remedy: give this dose instead."""

    type: Literal["change_dose"] = "change_dose"
    dose_mg: float | None
    frequency: Frequency | None = None
    days_on: tuple[int, int] | None = None
    cycle_days: int | None = None


class OrderTest(Frozen):
    """Remedy: order this test (by this date)."""

    type: Literal["order_test"] = "order_test"
    test: str
    by: dt.date | None = None


class StartMedication(Frozen):
    """Remedy: start a medication of this class (e.g. aspirin, lmwh, antiviral)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    type: Literal["start_medication"] = "start_medication"
    medication_class: str = Field(alias="class")


class StopMedication(Frozen):
    """Remedy: stop this medication."""

    type: Literal["stop_medication"] = "stop_medication"
    name: str


class RecordField(Frozen):
    """Remedy: record this case-file field (a full dotted path)."""

    type: Literal["record"] = "record"
    field: str


class SeekCare(Frozen):
    """Remedy: the patient seeks care with this urgency."""

    type: Literal["seek_care"] = "seek_care"
    urgency: str


Remedy = Annotated[
    ChangeDose | OrderTest | StartMedication | StopMedication | RecordField | SeekCare,
    Field(discriminator="type"),
]
"""The one-click fix a finding offers (CDS Hooks suggestions, web pages), or none."""


class Finding(Frozen):
    """One statement about the case: a problem, a requirement, or information.

    `status` and `citations` come from the knowledge entries the rule used; `inputs` are the
    case values it read, so a clinician can retrace the rule. The `summary` becomes a CDS Hooks
    card's summary: one sentence, shorter than SUMMARY_LIMIT characters; lists, methods and
    explanations go to the `detail`. The ids are a public contract, listed in docs/findings.md.
    """

    id: str = Field(pattern=r"^[a-z_]+(\.[a-z0-9_]+)+$")
    category: Category
    severity: Severity
    summary: CardSummary = Field(
        description=f"One plain sentence, under {SUMMARY_LIMIT} characters (a CDS Hooks card "
        "summary)."
    )
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
    tests_due: list[TestDue] = Field(
        default_factory=list,
        description="Tests this finding asks for, each by a date; they appear in `monitoring` "
        "and on the calendar on or before that date.",
    )
    remedy: Remedy | None = Field(default=None, description="The fix this finding offers.")

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


def _order(wanted: TestDue) -> OrderTest:
    """A finding that asks for a test offers ordering it, unless it names another remedy."""
    return OrderTest(test=wanted.test, by=wanted.by)


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
        tests_due: list[TestDue] | None = None,
        remedy: Remedy | None = None,
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
            tests_due=tests_due,
            remedy=remedy,
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
        tests_due: list[TestDue] | None = None,
        remedy: Remedy | None = None,
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
            tests_due=tests_due or [],
            remedy=remedy if remedy is not None or not tests_due else _order(tests_due[0]),
        )
