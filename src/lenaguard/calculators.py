"""The two quick calculators — creatinine clearance and the label starting dose — as typed
requests and answers, shared by the command line and the REST API.

A request is validated like a case file, against the knowledge base the calculation uses:
finite numbers only; age, weight, height and creatinine inside the same possible ranges as in
a case file (labs.yaml, with the range given in the unit written); the field named in every
problem (`InputError`). The answers are the rules' own results, so the calculators can never
disagree with an assessment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import (
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from lenaguard.case import KNOWLEDGE_CONTEXT
from lenaguard.errors import FieldProblem, FieldValueError, InputError
from lenaguard.findings import Finding
from lenaguard.knowledge import Frozen, KnowledgeBase
from lenaguard.knowledge.topics.labs import LabsKnowledge, Plausibility
from lenaguard.knowledge.topics.renal import RenalKnowledge
from lenaguard.plausibility import check_age, check_lab_value
from lenaguard.rules.base.results import DosePlan
from lenaguard.rules.dose.renal import CrclResult, calculate_crcl, renal_band
from lenaguard.rules.dose.starting_dose import renal_starting_dose, starting_dose_notes
from lenaguard.vocab import Indication, LabTest, RenalBand, Sex, WeightPolicy

__all__ = [
    "CrclRequest",
    "CrclResult",
    "StartingDoseRequest",
    "StartingDoseResult",
    "creatinine_clearance",
    "starting_dose",
]


class _Request(Frozen):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


RequestT = TypeVar("RequestT", bound=_Request)
ResultT = TypeVar("ResultT")


def _labs(info: ValidationInfo) -> LabsKnowledge | None:
    """The labs knowledge to check against; None when a request is built without one (it is
    checked again, against the calculation's knowledge base, when it is computed)."""
    kb = (info.context or {}).get(KNOWLEDGE_CONTEXT)
    return kb.get(LabsKnowledge) if isinstance(kb, KnowledgeBase) else None


class CrclRequest(_Request):
    """Inputs of Cockcroft-Gault: sex, age, weight, serum creatinine and the weight policy.

    Age, weight, height and creatinine must lie in the possible ranges of a case file."""

    sex: Sex
    age_years: int = Field(description="Age in whole years.")
    weight_kg: float = Field(description="Actual body weight in kg.")
    height_cm: float | None = Field(
        default=None, description="Needed for the ideal, adjusted and bmi_rule policies."
    )
    creatinine: float = Field(description="Serum creatinine in `creatinine_unit`.")
    creatinine_unit: str = Field(default="mg/dL", description="mg/dL or umol/L.")
    weight_policy: WeightPolicy = WeightPolicy.ACTUAL

    @field_validator("age_years", "weight_kg", "height_cm")
    @classmethod
    def _possible(cls, value: float | None, info: ValidationInfo) -> float | None:
        labs = _labs(info)
        if value is None or labs is None:
            return value
        if info.field_name == "age_years":
            check, what = check_age(labs, value), "an age"
        else:
            test = LabTest.WEIGHT if info.field_name == "weight_kg" else LabTest.HEIGHT
            unit = labs.tests[test].canonical_unit
            assert unit is not None  # every numeric test has one (knowledge validation)
            check, what = check_lab_value(labs, test, value, unit), f"a {test.value}"
        if check.level is Plausibility.IMPOSSIBLE:
            raise ValueError(check.impossible_message(what))
        return value

    @model_validator(mode="after")
    def _possible_creatinine(self, info: ValidationInfo) -> CrclRequest:
        labs = _labs(info)
        units = None if labs is None else labs.tests[LabTest.CREATININE].units
        if labs is None or units is None or self.creatinine_unit not in units:
            return self  # an unknown unit is named by the calculation itself
        check = check_lab_value(labs, LabTest.CREATININE, self.creatinine, self.creatinine_unit)
        if check.level is Plausibility.IMPOSSIBLE:
            raise FieldValueError("creatinine", check.impossible_message("creatinine"))
        return self


class StartingDoseRequest(_Request):
    """The label starting dose for an indication: give the CrCl, or say the patient is on
    dialysis (not both)."""

    indication: Indication
    crcl_ml_min: float | None = Field(default=None, ge=0, description="Creatinine clearance.")
    on_dialysis: bool = False

    @model_validator(mode="after")
    def _one_renal_input(self) -> StartingDoseRequest:
        if self.crcl_ml_min is None and not self.on_dialysis:
            raise FieldValueError("crcl_ml_min", "required unless the patient is on dialysis")
        if self.crcl_ml_min is not None and self.on_dialysis:
            raise FieldValueError("crcl_ml_min", "give either a clearance or on_dialysis, not both")
        return self


class StartingDoseResult(DosePlan):
    """The label's starting dose for the band, with the notes that go with it."""

    band: RenalBand
    notes: list[Finding] = Field(default_factory=list)


def _validated(model: type[RequestT], data: dict[str, Any], kb: KnowledgeBase) -> RequestT:
    try:
        return model.model_validate(data, context={KNOWLEDGE_CONTEXT: kb})
    except ValidationError as exc:
        problems = []
        for item in exc.errors():
            raised = (item.get("ctx") or {}).get("error")
            if isinstance(raised, FieldValueError):
                problems.append(FieldProblem(raised.field, raised.message))
                continue
            field = ".".join(str(part) for part in item["loc"]) or "(input)"
            problems.append(FieldProblem(field, item["msg"].removeprefix("Value error, ")))
        raise InputError(problems) from exc


def _answer(compute: Callable[..., ResultT], *args: Any, **kwargs: Any) -> ResultT:
    try:
        return compute(*args, **kwargs)
    except FieldValueError as exc:
        raise InputError([FieldProblem(exc.field, exc.message)]) from exc


def creatinine_clearance(data: CrclRequest | dict[str, Any], kb: KnowledgeBase) -> CrclResult:
    """Cockcroft-Gault under the chosen weight policy; raises InputError naming the field.
    A request is (re)checked against `kb`, whoever built it."""
    raw = data.model_dump() if isinstance(data, CrclRequest) else data
    request = _validated(CrclRequest, raw, kb)
    return _answer(
        calculate_crcl,
        sex=request.sex,
        age_years=request.age_years,
        weight_kg=request.weight_kg,
        height_cm=request.height_cm,
        creatinine=request.creatinine,
        creatinine_unit=request.creatinine_unit,
        weight_policy=request.weight_policy,
        kb=kb,
    )


def starting_dose(
    data: StartingDoseRequest | dict[str, Any], kb: KnowledgeBase
) -> StartingDoseResult:
    """The label starting dose for the indication and renal function, with its notes."""
    request = (
        data if isinstance(data, StartingDoseRequest) else _validated(StartingDoseRequest, data, kb)
    )
    band = renal_band(request.crcl_ml_min, request.on_dialysis, kb.get(RenalKnowledge))
    plan = _answer(
        renal_starting_dose, request.indication, band, kb, crcl_ml_min=request.crcl_ml_min
    )
    notes = starting_dose_notes(request.indication, band, kb, crcl_ml_min=request.crcl_ml_min)
    return StartingDoseResult(**dict(plan), band=band, notes=notes)
