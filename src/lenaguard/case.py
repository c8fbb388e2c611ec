"""The case file v1: one patient's data for one assessment date (see docs/case-file.md).

The models are the single source of truth for the case file: `lenaguard schema` prints their
JSON Schema. Unknown keys are errors; impossible values are errors naming the field; lab
results are normalised to canonical units on load (the units as written are kept).
Data that is merely missing is not an error here: the rules turn it into findings saying
what is needed.

Every number is finite; lab values, weight, height and age must lie in the possible range of
the knowledge base (labs.yaml), values that are possible but improbable are accepted and left
to the rules (which block the prescription until they are confirmed). Text is capped in
length, dates lie inside the patient's life, and two different results of one test on one
date need their times, so that no result depends on the order of lines in the file.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from functools import cached_property
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from lenaguard.errors import FieldValueError
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.topics.indications import IndicationsKnowledge
from lenaguard.knowledge.topics.labs import LabsKnowledge, Plausibility
from lenaguard.plausibility import check_age, check_lab_value
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

_FORBID = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _not_true_or_false(value: object) -> object:
    # pydantic would read true as 1: a weight of `true` must be an error, never 1 kg.
    if isinstance(value, bool):
        raise ValueError("a number is needed here, not true or false")
    return value


Number = Annotated[float, BeforeValidator(_not_true_or_false)]
"""A finite number (never a boolean)."""
Count = Annotated[int, BeforeValidator(_not_true_or_false)]
"""A whole number (never a boolean)."""

MAX_TEXT_LENGTH = 200
"""Characters allowed in an identifier, a name, a unit or a code."""
MAX_NOTE_LENGTH = 2000
"""Characters allowed in free text (an event's note)."""

EARLIEST_DATE = dt.date(1850, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)
"""The dates lenaguard computes with: calendars and intervals run years past `as_of`, and a
date far outside this window is a typing error, never a patient's."""

CONFIRMABLE_PATIENT_FIELDS = ("age_years", "birth_date", "weight_kg", "height_cm")
"""Patient fields whose improbable values can be marked as checked in `patient.confirmed`."""


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
    months_since_last_menses: Count | None = Field(
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
    id: str = Field(
        min_length=1, max_length=MAX_TEXT_LENGTH, description="Your identifier for the patient."
    )
    sex: Sex
    age_years: Count | None = Field(
        default=None, description="Age in whole years (possible range: labs.yaml age_years)."
    )
    birth_date: dt.date | None = Field(
        default=None, description="Birth date; used instead of age_years."
    )
    weight_kg: Number | None = Field(
        default=None, description="Actual body weight (possible range: labs.yaml weight)."
    )
    height_cm: Number | None = Field(
        default=None, description="Height (possible range: labs.yaml height)."
    )
    on_dialysis: bool = Field(
        default=False, description="Receives maintenance hemodialysis (ESRD)."
    )
    reproductive: Reproductive | None = None
    ethnicity: Ethnicity | None = Field(default=None, description="Used by the VTE risk scores.")
    confirmed: list[Literal["age_years", "birth_date", "weight_kg", "height_cm"]] = Field(
        default_factory=list,
        description="Fields whose improbable values were checked and are right (e.g. "
        "[weight_kg] for a weight of 260 kg).",
    )

    @field_validator("age_years", "weight_kg", "height_cm")
    @classmethod
    def _possible(cls, value: float | None, info: ValidationInfo) -> float | None:
        """Each value inside its possible range (labs.yaml), each field reported on its own."""
        if value is None:
            return value
        labs = _knowledge(info).get(LabsKnowledge)
        if info.field_name == "age_years":
            check = check_age(labs, value)
            what = "an age"
        else:
            test = LabTest.WEIGHT if info.field_name == "weight_kg" else LabTest.HEIGHT
            unit = labs.tests[test].canonical_unit
            assert unit is not None  # every numeric test has one (knowledge validation)
            check = check_lab_value(labs, test, value, unit)
            what = f"a {test.value}"
        if check.level is Plausibility.IMPOSSIBLE:
            raise ValueError(check.impossible_message(what))
        return value

    def is_confirmed(self, field: str) -> bool:
        """Whether an improbable value of this field was marked as checked."""
        if field in ("age_years", "birth_date"):  # either confirms the age
            return "age_years" in self.confirmed or "birth_date" in self.confirmed
        return field in self.confirmed


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
    dose_mg: Number | None = Field(
        default=None, description="Dose from this event on (start, resume, dose_change)."
    )
    frequency: Frequency | None = Field(
        default=None, description="daily (default) or every_48h (severe renal impairment)."
    )
    days_on: tuple[Count, Count] | None = Field(
        default=None,
        description="Dosing days of each cycle when they differ from the indication's.",
    )
    reason: HoldReason | None = Field(
        default=None, description="Why the dose was held (hold only)."
    )
    note: str | None = Field(
        default=None, max_length=MAX_NOTE_LENGTH, description="Free text, not read by the rules."
    )


class OtherToxicity(_Model):
    """The current non-hematologic toxicity judged related to lenalidomide."""

    grade: Count = Field(ge=0, le=4, description="CTCAE grade, 0–4.")
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

    low: Number | None = Field(default=None, ge=0)
    high: Number | None = Field(default=None, gt=0)


_TIME_OF_DAY = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")


class LabResult(_Model):
    """One dated lab result, named by `test` or by LOINC code."""

    test: LabTest | None = None
    loinc: str | None = Field(
        default=None,
        max_length=MAX_TEXT_LENGTH,
        description="LOINC code, instead of or besides test.",
    )
    value: Number | None = Field(
        default=None, description="Numeric result, in `unit` (possible range: labs.yaml)."
    )
    unit: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)
    result: QualitativeResult | None = Field(default=None, description="negative or positive.")
    sensitivity_miu_ml: Number | None = Field(
        default=None, gt=0, description="Pregnancy tests: sensitivity of the assay in mIU/mL."
    )
    reference_range: ReferenceRange | None = None
    date: dt.date
    time: dt.time | None = Field(
        default=None,
        description='Time of day of the sample, "HH:MM" or "HH:MM:SS" (quoted in YAML). Needed '
        "when one test has two different results on one date: the later one counts.",
    )
    confirmed: bool = Field(
        default=False,
        description="The value is outside the expected range, was checked, and is right.",
    )

    _test: LabTest = PrivateAttr()
    _canonical_value: float | None = PrivateAttr(default=None)
    _canonical_unit: str | None = PrivateAttr(default=None)
    _canonical_range: tuple[float | None, float | None] | None = PrivateAttr(default=None)

    @field_validator("time", mode="before")
    @classmethod
    def _time_as_text(cls, value: object) -> object:
        # YAML reads an unquoted 12:30 as the number 750 (base 60): refuse numbers, never guess.
        if value is None or isinstance(value, dt.time):
            return value
        if isinstance(value, str) and _TIME_OF_DAY.match(value):
            return value
        raise ValueError(
            'write the time of day as text in quotes, "HH:MM" or "HH:MM:SS" (e.g. "08:30")'
        )

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
            check = check_lab_value(labs, test, self.value, self.unit)
            if check.level is Plausibility.IMPOSSIBLE:
                raise FieldValueError("value", check.impossible_message(test.value))
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

    def same_result(self, other: LabResult) -> bool:
        """Whether two results say the same thing (value in canonical units, qualitative
        result, reference range, assay sensitivity), however they were written."""

        def close(a: float | None, b: float | None) -> bool:
            return a == b or (a is not None and b is not None and math.isclose(a, b))

        mine, theirs = self._canonical_range or (None, None), other._canonical_range or (None, None)
        return (
            self.lab_test == other.lab_test
            and close(self._canonical_value, other._canonical_value)
            and self.result == other.result
            and close(mine[0], theirs[0])
            and close(mine[1], theirs[1])
            and self.sensitivity_miu_ml == other.sensitivity_miu_ml
        )

    @property
    def sort_key(self) -> tuple:
        """A total order of results: by date, then time of day (untimed first), then content,
        so that results never depend on the order of lines in the file."""
        return (
            self.date,
            self.time or dt.time.min,
            self.lab_test.value,
            -math.inf if self._canonical_value is None else self._canonical_value,
            self.result.value if self.result is not None else "",
            self.unit or "",
            self.loinc or "",
            self.confirmed,
        )

    def canonical_reference_range(self) -> tuple[float | None, float | None] | None:
        """The lab's own normal range converted to the canonical unit, if one was given."""
        return self._canonical_range


class Medication(_Model):
    """A current medication, by name, brand or RxNorm code."""

    name: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT_LENGTH)
    rxnorm: str | None = Field(default=None, pattern=r"^\d+$", max_length=MAX_TEXT_LENGTH)
    dose_mg: Number | None = Field(default=None, gt=0)
    mg_per_month: Number | None = Field(
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
    units: Count = Field(ge=1)
    pre_transfusion_hemoglobin_g_dl: Number | None = Field(default=None, gt=0)


class DiseaseImaging(_Model):
    """A dated imaging assessment of myeloma (plasmacytomas, bone lesions)."""

    date: dt.date
    plasmacytoma_spd_cm2: Number | None = Field(
        default=None, ge=0, description="Sum of the products of plasmacytoma diameters."
    )
    new_lesions: bool = Field(default=False, description="New bone lesions or plasmacytomas seen.")


class Myeloma(_Model):
    """Disease facts the IMWG response rules need."""

    heavy_chain: HeavyChain | None = None
    light_chain: LightChain | None = None
    imaging: list[DiseaseImaging] = Field(default_factory=list)


_SYMPTOM_ORDER = list(Symptom)
"""Symptoms are kept in the vocabulary's order."""


def _content_key(item: BaseModel) -> str:
    return json.dumps(item.model_dump(mode="json"), sort_keys=True)


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
        if not EARLIEST_DATE <= self.as_of <= LATEST_DATE:
            raise FieldValueError(
                "as_of",
                f"{self.as_of} is outside the dates lenaguard can assess "
                f"({EARLIEST_DATE} to {LATEST_DATE})",
            )
        if patient.age_years is None and patient.birth_date is None:
            raise FieldValueError("patient.age_years", "required (or give patient.birth_date)")
        if patient.birth_date is not None:
            if patient.birth_date > self.as_of:
                raise FieldValueError("patient.birth_date", "after as_of")
            computed = _years_between(patient.birth_date, self.as_of)
            check = check_age(kb.get(LabsKnowledge), computed)
            if check.level is Plausibility.IMPOSSIBLE:
                raise FieldValueError(
                    "patient.birth_date",
                    f"gives an age of {computed} on {self.as_of}, which is not possible; "
                    f"possible ages: {check.possible_words}",
                )
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
        born = self.earliest_birth_date
        for where, when in self._dates():
            if when > self.as_of:
                raise FieldValueError(where, f"{when} is after as_of ({self.as_of})")
            if when < born:
                raise FieldValueError(
                    where,
                    f"{when} is before the patient was born ({self._birth_words()}); "
                    "check the year",
                )
        self._check_same_day_results()
        return self

    def _dates(self) -> list[tuple[str, dt.date]]:
        """Every dated entry of the case, with the path of its date."""
        dated = [(f"labs.{i}.date", lab.date) for i, lab in enumerate(self.labs)]
        dated += [(f"transfusions.{i}.date", t.date) for i, t in enumerate(self.transfusions)]
        if self.therapy is not None:
            dated += [
                (f"therapy.events.{i}.date", e.date) for i, e in enumerate(self.therapy.events)
            ]
            toxicity = self.therapy.other_toxicity
            if toxicity is not None and toxicity.date is not None:
                dated.append(("therapy.other_toxicity.date", toxicity.date))
            decision = self.therapy.continue_after_progression
            if decision is not None:
                dated.append(("therapy.continue_after_progression.date", decision.date))
        if self.myeloma is not None:
            dated += [
                (f"myeloma.imaging.{i}.date", scan.date)
                for i, scan in enumerate(self.myeloma.imaging)
            ]
        return dated

    @model_validator(mode="after")
    def _canonical_order(self) -> Case:
        """Medications, transfusions and symptoms are sets, whatever order the file lists them
        in: keep them in one order (of their content; symptoms in the vocabulary's order), so
        that nothing a rule says (not even the order of the inputs it quotes) depends on the
        order of lines. Runs after the checks that name entries by position. Lab results keep
        the file's order (findings name them as `labs.N`); `series` and `latest` order them by
        date, time and content."""
        for name in ("medications", "transfusions"):
            items = getattr(self, name)
            object.__setattr__(self, name, sorted(items, key=_content_key))
        object.__setattr__(self, "symptoms", sorted(self.symptoms, key=_SYMPTOM_ORDER.index))
        return self

    @property
    def earliest_birth_date(self) -> dt.date:
        """The birth date, or the earliest one the age allows (age + 1 years before as_of, plus
        a day): no entry of the case can be dated before it."""
        if self.patient.birth_date is not None:
            return self.patient.birth_date
        assert self.patient.age_years is not None  # guaranteed by validation
        years = self.patient.age_years + 1
        try:
            anniversary = self.as_of.replace(year=self.as_of.year - years)
        except ValueError:  # 29 February in a year that has none
            anniversary = self.as_of.replace(year=self.as_of.year - years, day=28)
        return anniversary + dt.timedelta(days=1)

    def _birth_words(self) -> str:
        if self.patient.birth_date is not None:
            return f"birth_date {self.patient.birth_date}"
        return (
            f"age {self.patient.age_years} on {self.as_of}: born on or after "
            f"{self.earliest_birth_date}"
        )

    def _check_same_day_results(self) -> None:
        """Two different results of one test on one date need their times (the later counts);
        without them, which one counts would depend on the order of the lines."""
        seen: dict[tuple[LabTest, dt.date], list[int]] = {}
        for index, lab in enumerate(self.labs):
            earlier = seen.setdefault((lab.lab_test, lab.date), [])
            for other_index in earlier:
                other = self.labs[other_index]
                if other.same_result(lab):
                    continue  # the same result written twice: harmless
                if lab.time is not None and other.time is not None and lab.time != other.time:
                    continue  # both timed: the later one counts
                if lab.time is None or other.time is None:
                    fix = (
                        'give both results their time of day (e.g. time: "08:30") so that '
                        "the later one counts, or remove the wrong one"
                    )
                else:
                    fix = "they have the same time: correct the time or remove the wrong one"
                raise FieldValueError(
                    f"labs.{index}",
                    f"{lab.lab_test.value} on {lab.date} has two different results, "
                    f"labs.{other_index} and labs.{index}; {fix}",
                )
            earlier.append(index)

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
        for lab in sorted(self.labs, key=lambda lab: lab.sort_key):
            results = by_test.setdefault(lab.lab_test, [])
            previous = results[-1] if results else None
            repeated = (
                previous is not None
                and previous.date == lab.date
                and (previous.time == lab.time or None in (previous.time, lab.time))
                and previous.same_result(lab)
            )
            if not repeated:  # the same result written twice counts once
                results.append(lab)
        return {test: tuple(results) for test, results in by_test.items()}

    def series(self, test: LabTest) -> list[LabResult]:
        """All results of one test, oldest first (by date, then time of day); a result written
        twice counts once."""
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
