"""Indications: starting dose, dosing days per cycle, duration, escalation, start conditions."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from lenaguard.knowledge.base import CardSummary, Cited, CitedText, Frozen, Topic
from lenaguard.knowledge.registry import register
from lenaguard.vocab import Frequency, Indication


class CycleSchedule(Frozen):
    """Dosing days `days_on` (first and last, inclusive) of a cycle of `cycle_days` days."""

    days_on: tuple[int, int]
    cycle_days: int = Field(gt=0)

    @model_validator(mode="after")
    def _inside_cycle(self) -> CycleSchedule:
        first, last = self.days_on
        if not 1 <= first <= last <= self.cycle_days:
            raise ValueError("days_on must satisfy 1 <= first <= last <= cycle_days")
        return self

    @property
    def continuous(self) -> bool:
        return self.days_on == (1, self.cycle_days)


class Escalation(Cited):
    """A documented dose increase above the starting dose."""

    statement_template = (
        "Lenalidomide maintenance may rise to {to_mg} mg after {after_cycles} cycles, {condition}."
    )

    to_mg: float
    after_cycles: int
    condition: str


class StartRequirement(Cited):
    """Blood counts needed before the first dose (maintenance after transplant)."""

    anc_min_per_ul: float
    platelets_min_per_ul: float
    combine: Literal["and/or"]
    wording: str


class IndicationNote(Cited):
    """A point of the label to plan for with this indication, cited on its own section (so that
    the starting-dose citations stay those of the dose)."""

    text: CardSummary = Field(
        description="Shown as a finding's summary, so one short sentence; reads `values`."
    )
    values: dict[str, float] = Field(
        default_factory=dict, description="The numbers the text names ({values[cycles]})."
    )


class IndicationEntry(Cited):
    statement_template = "{name}: lenalidomide {dose_mg} mg once {frequency}, on days {schedule.days_on[0]} to {schedule.days_on[1]} of each {schedule.cycle_days}-day cycle, {duration}."
    name: str
    combination: str | None = None
    dose_mg: float
    frequency: Frequency
    schedule: CycleSchedule
    duration: str
    max_cycles: int | None = None
    escalation: Escalation | None = None
    start_requirement: StartRequirement | None = None
    notes: list[IndicationNote] = Field(default_factory=list)


class CitedValues(Cited):
    values: list[float]


class MissedDose(Cited):
    hours_late_limit: float
    text: str


class CapsuleHandling(Frozen):
    """How the patient and a caregiver handle, store and return the capsules at home (read by
    the patient handout; each part has its own status and sources)."""

    keep_closed: CitedText
    caregiver: CitedText
    storage: CitedText
    returning: CitedText


class MinimumAge(Cited):
    years: int
    text: str


@register("indications")
class IndicationsKnowledge(Topic):
    topic: Literal["indications"] = "indications"
    capsule_strengths_mg: CitedValues
    administration: CitedText
    missed_dose: MissedDose
    handling: CapsuleHandling
    adults_only: MinimumAge
    not_indicated: list[CitedText]
    indications: dict[Indication, IndicationEntry]

    @model_validator(mode="after")
    def _every_indication(self) -> IndicationsKnowledge:
        missing = sorted(set(Indication) - set(self.indications))
        if missing:
            raise ValueError(f"indications missing: {', '.join(missing)}")
        strengths = set(self.capsule_strengths_mg.values)
        for key, entry in self.indications.items():
            if entry.dose_mg not in strengths:
                raise ValueError(f"{key}: dose_mg {entry.dose_mg} is not a capsule strength")
        return self

    def entry(self, indication: Indication) -> IndicationEntry:
        return self.indications[indication]
