"""The case file v1: one patient's data for one assessment date (see docs/case-file.md).

The models are the single source of truth for the case file: `lenaguard schema` prints their
JSON Schema. Unknown keys are errors; impossible values are errors naming the field; lab
results are normalised to canonical units on load (the units as written are kept).
Data that is merely missing is not an error here: the rules turn it into findings saying
what is needed.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, model_validator

from lenaguard.errors import FieldValueError
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.topics.indications import IndicationsKnowledge
from lenaguard.knowledge.topics.labs import LabsKnowledge
from lenaguard.vocab import (
    Ethnicity,
    EventKind,
    Frequency,
    HeavyChain,
    HoldReason,
    Indication,
    LabTest,
    LightChain,
    QualitativeResult,
    Sex,
    Symptom,
    ToxicityKind,
    TransfusionKind,
    WeightPolicy,
)

_FORBID = ConfigDict(extra="forbid", frozen=True)


KNOWLEDGE_CONTEXT = "knowledge"
"""The pydantic validation-context key holding the knowledge base a case is validated against."""


def _knowledge(info: ValidationInfo) -> KnowledgeBase:
    """The knowledge base this validation runs against (lab units, capsule strengths, ages)."""
    knowledge = (info.context or {}).get(KNOWLEDGE_CONTEXT)
    if not isinstance(knowledge, KnowledgeBase):
        raise TypeError(
            "validate a case against a knowledge base: Case.from_data(data, kb) or "
            f"model_validate(data, context={{{KNOWLEDGE_CONTEXT!r}: kb}})"
        )
    return knowledge


class _Model(BaseModel):
    model_config = _FORBID


def _years_between(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class Reproductive(_Model):
    """Facts that decide whether a female patient can become pregnant (REMS)."""

    hysterectomy: bool | None = Field(default=None, description="Uterus removed.")
    bilateral_oophorectomy: bool | None = Field(default=None, description="Both ovaries removed.")
    months_since_last_menses: int | None = Field(
        default=None,
        ge=0,
        description="Months since the last menstrual period (natural menopause).",
    )
    menses_regular: bool | None = Field(
        default=None,
        description="Regular cycles: decides the pregnancy-test interval on treatment.",
    )
    amenorrhea_natural: bool | None = Field(
        default=None,
        description="The months without menses are natural menopause (true), or caused by "
        "treatment such as chemotherapy or a transplant (false), which does not count.",
    )


class Patient(_Model):
    id: str = Field(min_length=1, description="Your identifier for the patient.")
    sex: Sex
    age_years: int | None = Field(default=None, ge=0, le=120, description="Age in whole years.")
    birth_date: dt.date | None = Field(
        default=None, description="Birth date; used instead of age_years."
    )
    weight_kg: float | None = Field(default=None, gt=0, le=500, description="Actual body weight.")
    height_cm: float | None = Field(default=None, gt=0, le=272)
    on_dialysis: bool = Field(
        default=False, description="Receives maintenance hemodialysis (ESRD)."
    )
    reproductive: Reproductive | None = None
    ethnicity: Ethnicity | None = Field(default=None, description="Used by the VTE risk scores.")


class RenalSettings(_Model):
    weight_policy: WeightPolicy = Field(
        default=WeightPolicy.ACTUAL,
        description="Weight entering Cockcroft-Gault: actual (default for lenalidomide), ideal, "
        "adjusted, or bmi_rule.",
    )


class TherapyEvent(_Model):
    """One entry of the lenalidomide timeline."""

    date: dt.date
    event: EventKind
    dose_mg: float | None = Field(
        default=None, description="Dose from this event on (start, resume, dose_change)."
    )
    frequency: Frequency | None = Field(
        default=None, description="daily (default) or every_48h (severe renal impairment)."
    )
    days_on: tuple[int, int] | None = Field(
        default=None,
        description="Dosing days of each cycle when they differ from the indication's.",
    )
    reason: HoldReason | None = Field(
        default=None, description="Why the dose was held (hold only)."
    )
    note: str | None = None


class OtherToxicity(_Model):
    """The current non-hematologic toxicity judged related to lenalidomide."""

    grade: int = Field(ge=0, le=4, description="CTCAE grade, 0–4.")
    kind: ToxicityKind | None = None
    date: dt.date | None = None


class ProgressionDecision(_Model):
    """The prescriber's recorded decision to go on with lenalidomide after confirmed progression.

    The label's courses run "until disease progression"; going on after it is a clinical
    decision that lenaguard asks to be recorded, with its date and reason.
    """

    date: dt.date = Field(description="When the decision was made (on or after the progression).")
    reason: str = Field(min_length=1, max_length=500, description="Why treatment goes on.")


class Therapy(_Model):
    events: list[TherapyEvent] = Field(min_length=1, description="The timeline, oldest first.")
    other_toxicity: OtherToxicity | None = None
    continue_after_progression: ProgressionDecision | None = Field(
        default=None,
        description="Record this to go on after confirmed IMWG progression (date and reason).",
    )

    @model_validator(mode="after")
    def _coherent_timeline(self) -> Therapy:
        state = "not_started"
        previous: dt.date | None = None
        for index, item in enumerate(self.events):
            where = f"events.{index}"
            if previous is not None and item.date < previous:
                raise FieldValueError(f"{where}.date", "events must be in date order, oldest first")
            previous = item.date
            allowed = _ALLOWED_AFTER[state]
            if item.event not in allowed:
                names = ", ".join(sorted(allowed))
                raise FieldValueError(
                    f"{where}.event",
                    f"'{item.event}' cannot follow state '{state}'; allowed here: {names}",
                )
            needs_dose = item.event in (EventKind.START, EventKind.RESUME, EventKind.DOSE_CHANGE)
            if needs_dose and item.dose_mg is None:
                raise FieldValueError(f"{where}.dose_mg", f"required for a '{item.event}' event")
            if not needs_dose and item.dose_mg is not None:
                raise FieldValueError(f"{where}.dose_mg", f"not allowed on a '{item.event}' event")
            if item.event == EventKind.HOLD and item.reason is None:
                raise FieldValueError(
                    f"{where}.reason",
                    "required for a hold; allowed: "
                    + ", ".join(reason.value for reason in HoldReason),
                )
            if item.event != EventKind.HOLD and item.reason is not None:
                raise FieldValueError(f"{where}.reason", "only a 'hold' event has a reason")
            state = _STATE_AFTER[item.event]
        return self


_ALLOWED_AFTER = {
    "not_started": {EventKind.START},
    "active": {EventKind.HOLD, EventKind.STOP, EventKind.DOSE_CHANGE},
    "held": {EventKind.RESUME, EventKind.STOP},
    "stopped": {EventKind.START},
}
_STATE_AFTER = {
    EventKind.START: "active",
    EventKind.RESUME: "active",
    EventKind.DOSE_CHANGE: "active",
    EventKind.HOLD: "held",
    EventKind.STOP: "stopped",
}


class ReferenceRange(_Model):
    """A lab's own normal range, in the unit the result is written in (FHIR referenceRange)."""

    low: float | None = Field(default=None, ge=0)
    high: float | None = Field(default=None, gt=0)


class LabResult(_Model):
    """One dated lab result, named by `test` or by LOINC code."""

    test: LabTest | None = None
    loinc: str | None = Field(default=None, description="LOINC code, instead of or besides test.")
    value: float | None = Field(default=None, ge=0)
    unit: str | None = None
    result: QualitativeResult | None = Field(default=None, description="negative or positive.")
    sensitivity_miu_ml: float | None = Field(
        default=None, gt=0, description="Pregnancy tests: sensitivity of the assay in mIU/mL."
    )
    reference_range: ReferenceRange | None = None
    date: dt.date

    _test: LabTest = PrivateAttr()
    _canonical_value: float | None = PrivateAttr(default=None)
    _canonical_unit: str | None = PrivateAttr(default=None)
    _canonical_range: tuple[float | None, float | None] | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _resolve_and_normalise(self, info: ValidationInfo) -> LabResult:
        labs = _knowledge(info).get(LabsKnowledge)
        test = self.test
        if self.loinc is not None:
            from_code = labs.test_for_loinc(self.loinc)
            if from_code is None:
                raise FieldValueError("loinc", f"code {self.loinc!r} is not one lenaguard knows")
            if test is not None and test != from_code:
                raise FieldValueError(
                    "loinc", f"code {self.loinc} is {from_code.value}, not {test.value}"
                )
            test = from_code
        if test is None:
            raise FieldValueError("test", "give `test` (a lab name) or `loinc` (a LOINC code)")
        definition = labs.tests[test]
        self._test = test
        if (
            definition.kind == "qualitative"
            and self.result is None
            and not (definition.also_quantitative and self.value is not None)
        ):
            raise FieldValueError(
                "result", f"required for {test.value}; allowed: negative, positive"
            )
        if definition.kind == "quantitative" and self.value is None:
            raise FieldValueError("value", f"required for {test.value}")
        if self.value is not None:
            if self.unit is None:
                raise FieldValueError(
                    "unit", f"required for {test.value}; allowed: {', '.join(definition.units)}"
                )
            conversion = definition.units.get(self.unit)
            if conversion is None:
                raise FieldValueError(
                    "unit",
                    f"{self.unit!r} is not accepted for {test.value}; "
                    f"allowed: {', '.join(definition.units)}",
                )
            if test == LabTest.CREATININE and self.value == 0:
                raise FieldValueError("value", "a creatinine of 0 is impossible")
            if test == LabTest.MARROW_PLASMA_CELLS and self.value > 100:
                raise FieldValueError("value", "a percentage cannot exceed 100")
            self._canonical_value = conversion.to_canonical(self.value)
            self._canonical_unit = definition.canonical_unit
            if self.reference_range is not None:
                low, high = self.reference_range.low, self.reference_range.high
                self._canonical_range = (
                    None if low is None else conversion.to_canonical(low),
                    None if high is None else conversion.to_canonical(high),
                )
        return self

    # Cached: the rules read these many times per assessment, and a private attribute goes
    # through pydantic's slower attribute look-up.
    @cached_property
    def lab_test(self) -> LabTest:
        """The test this result is of, resolved from `test` or `loinc`."""
        return self._test

    @cached_property
    def canonical_value(self) -> float | None:
        """The value in the test's canonical unit (e.g. counts per microlitre)."""
        return self._canonical_value

    @cached_property
    def canonical_unit(self) -> str | None:
        return self._canonical_unit

    def canonical_reference_range(self) -> tuple[float | None, float | None] | None:
        """The lab's own normal range converted to the canonical unit, if one was given."""
        return self._canonical_range


class Medication(_Model):
    """A current medication, by name, brand or RxNorm code."""

    name: str | None = Field(default=None, min_length=1)
    rxnorm: str | None = Field(default=None, pattern=r"^\d+$")
    dose_mg: float | None = Field(default=None, gt=0)
    mg_per_month: float | None = Field(
        default=None, gt=0, description="Dexamethasone: total mg per 28-day month (VTE scores)."
    )
    intensity: Literal["prophylactic", "therapeutic"] | None = Field(
        default=None, description="Anticoagulants: prophylactic or therapeutic dosing."
    )

    @model_validator(mode="after")
    def _named(self) -> Medication:
        if self.name is None and self.rxnorm is None:
            raise FieldValueError("name", "give `name` or `rxnorm`")
        return self


class Conditions(_Model):
    """True/false facts the rules use; left out means not known."""

    vte_history: bool | None = Field(default=None, description="Previous DVT or PE.")
    fracture_pelvis_hip_femur: bool | None = None
    central_line: bool | None = Field(
        default=None, description="Tunneled line or central venous catheter."
    )
    pacemaker: bool | None = None
    surgery_within_90_days: bool | None = None
    recent_surgery_trauma_or_anesthesia: bool | None = None
    immobilization: bool | None = None
    cardiac_disease: bool | None = None
    chronic_kidney_disease: bool | None = None
    diabetes: bool | None = None
    acute_infection: bool | None = None
    clotting_disorder: bool | None = Field(
        default=None, description="Inherited or acquired thrombophilia."
    )
    hyperviscosity: bool | None = None
    active_viral_infection: bool | None = Field(
        default=None, description="Active, uncontrolled viral infection."
    )
    autologous_hsct: bool | None = Field(
        default=None, description="Autologous stem-cell transplant received."
    )
    multi_agent_chemotherapy: bool | None = None
    high_tumor_burden: bool | None = None
    prior_thalidomide_grade4_rash: bool | None = None
    lenalidomide_hypersensitivity: bool | None = Field(
        default=None,
        description="Severe hypersensitivity to lenalidomide (angioedema, anaphylaxis, SJS, TEN).",
    )
    pregnant: bool | None = None
    breastfeeding: bool | None = None


class Transfusion(_Model):
    date: dt.date
    kind: TransfusionKind
    units: int = Field(ge=1)
    pre_transfusion_hemoglobin_g_dl: float | None = Field(default=None, gt=0)


class DiseaseImaging(_Model):
    """A dated imaging assessment of myeloma (plasmacytomas, bone lesions)."""

    date: dt.date
    plasmacytoma_spd_cm2: float | None = Field(
        default=None, ge=0, description="Sum of the products of plasmacytoma diameters."
    )
    new_lesions: bool = Field(default=False, description="New bone lesions or plasmacytomas seen.")


class Myeloma(_Model):
    """Disease facts the IMWG response rules need."""

    heavy_chain: HeavyChain | None = None
    light_chain: LightChain | None = None
    imaging: list[DiseaseImaging] = Field(default_factory=list)


class Case(_Model):
    """One patient on (or about to start) lenalidomide, as of one date."""

    as_of: dt.date = Field(description="The date the assessment is for.")
    indication: Indication
    patient: Patient
    renal: RenalSettings = RenalSettings()
    therapy: Therapy | None = Field(default=None, description="Absent: not started yet.")
    labs: list[LabResult] = Field(default_factory=list)
    medications: list[Medication] = Field(default_factory=list)
    conditions: Conditions = Conditions()
    transfusions: list[Transfusion] = Field(default_factory=list)
    symptoms: list[Symptom] = Field(default_factory=list)
    myeloma: Myeloma | None = None

    @classmethod
    def from_data(cls, data: object, kb: KnowledgeBase) -> Case:
        """Validate parsed case data against `kb` (lab units, capsule strengths, age limits)."""
        return cls.model_validate(data, context={KNOWLEDGE_CONTEXT: kb})

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Case:
        kb = _knowledge(info)
        patient = self.patient
        if patient.age_years is None and patient.birth_date is None:
            raise FieldValueError("patient.age_years", "required (or give patient.birth_date)")
        if patient.birth_date is not None:
            if patient.birth_date > self.as_of:
                raise FieldValueError("patient.birth_date", "after as_of")
            computed = _years_between(patient.birth_date, self.as_of)
            if patient.age_years is not None and patient.age_years != computed:
                raise FieldValueError(
                    "patient.age_years",
                    f"{patient.age_years} disagrees with birth_date "
                    f"(age {computed} on {self.as_of})",
                )
        if patient.sex == Sex.MALE and patient.reproductive is not None:
            raise FieldValueError("patient.reproductive", "applies to female patients only")
        indications = kb.get(IndicationsKnowledge)
        strengths = indications.capsule_strengths_mg.values
        cycle_days = indications.entry(self.indication).schedule.cycle_days
        if self.therapy is not None:
            for index, item in enumerate(self.therapy.events):
                if item.days_on is not None:
                    first, last = item.days_on
                    if not 1 <= first <= last <= cycle_days:
                        raise FieldValueError(
                            f"therapy.events.{index}.days_on",
                            f"[{first}, {last}] must be days of "
                            f"the {cycle_days}-day cycle, first ≤ last (e.g. [1, 21])",
                        )
                if item.dose_mg is not None and item.dose_mg not in strengths:
                    allowed = ", ".join(f"{s:g}" for s in strengths)
                    raise FieldValueError(
                        f"therapy.events.{index}.dose_mg",
                        f"{item.dose_mg:g} mg is not a capsule strength; allowed: {allowed}",
                    )
        dated = [("labs", i, lab.date) for i, lab in enumerate(self.labs)]
        dated += [("transfusions", i, t.date) for i, t in enumerate(self.transfusions)]
        if self.therapy is not None:
            dated += [("therapy.events", i, e.date) for i, e in enumerate(self.therapy.events)]
            decision = self.therapy.continue_after_progression
            if decision is not None and decision.date > self.as_of:
                raise FieldValueError(
                    "therapy.continue_after_progression.date",
                    f"{decision.date} is after as_of ({self.as_of})",
                )
        for where, index, when in dated:
            if when > self.as_of:
                raise FieldValueError(
                    f"{where}.{index}.date", f"{when} is after as_of ({self.as_of})"
                )
        return self

    @property
    def age_years(self) -> int:
        """Age on the assessment date."""
        if self.patient.birth_date is not None:
            return _years_between(self.patient.birth_date, self.as_of)
        assert self.patient.age_years is not None  # guaranteed by validation
        return self.patient.age_years

    @cached_property
    def _series_by_test(self) -> dict[LabTest, tuple[LabResult, ...]]:
        by_test: dict[LabTest, list[LabResult]] = {}
        for lab in sorted(self.labs, key=lambda lab: lab.date):
            by_test.setdefault(lab.lab_test, []).append(lab)
        return {test: tuple(results) for test, results in by_test.items()}

    def series(self, test: LabTest) -> list[LabResult]:
        """All results of one test, oldest first."""
        return list(self._series_by_test.get(test, ()))

    def latest(self, test: LabTest, on_or_before: dt.date | None = None) -> LabResult | None:
        """The most recent result of a test, on or before a date (default: as_of)."""
        limit = on_or_before or self.as_of
        found = [lab for lab in self.series(test) if lab.date <= limit]
        return found[-1] if found else None

    @property
    def weight_kg(self) -> float | None:
        """Patient weight: the patient field, else the latest weight measurement."""
        if self.patient.weight_kg is not None:
            return self.patient.weight_kg
        measured = self.latest(LabTest.WEIGHT)
        return None if measured is None else measured.canonical_value

    @property
    def height_cm(self) -> float | None:
        if self.patient.height_cm is not None:
            return self.patient.height_cm
        measured = self.latest(LabTest.HEIGHT)
        return None if measured is None else measured.canonical_value
