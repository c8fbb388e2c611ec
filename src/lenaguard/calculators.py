"""The two quick calculators — creatinine clearance and the label starting dose — as typed
requests and answers, shared by the command line and the REST API.

A request is validated like a case file: finite numbers only, positive weights and
creatinine, the field named in every problem (`InputError`). The answers are the rules'
own results, so the calculators can never disagree with an assessment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import ConfigDict, Field, ValidationError, model_validator

from lenaguard.errors import FieldProblem, FieldValueError, InputError
from lenaguard.findings import Finding
from lenaguard.knowledge import Frozen, KnowledgeBase
from lenaguard.knowledge.topics.renal import RenalKnowledge
from lenaguard.rules.base.results import DosePlan
from lenaguard.rules.dose.renal import CrclResult, calculate_crcl, renal_band
from lenaguard.rules.dose.starting_dose import renal_starting_dose, starting_dose_notes
from lenaguard.vocab import Indication, RenalBand, Sex, WeightPolicy

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


class CrclRequest(_Request):
    """Inputs of Cockcroft-Gault: sex, age, weight, serum creatinine and the weight policy."""

    sex: Sex
    age_years: int = Field(description="Age in whole years.")
    weight_kg: float = Field(gt=0, description="Actual body weight in kg.")
    height_cm: float | None = Field(
        default=None, gt=0, description="Needed for the ideal, adjusted and bmi_rule policies."
    )
    creatinine: float = Field(gt=0, description="Serum creatinine in `creatinine_unit`.")
    creatinine_unit: str = Field(default="mg/dL", description="mg/dL or umol/L.")
    weight_policy: WeightPolicy = WeightPolicy.ACTUAL


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


def _validated(model: type[RequestT], data: dict[str, Any]) -> RequestT:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for item in exc.errors():
            raised = (item.get("ctx") or {}).get("error")
            if isinstance(raised, FieldValueError):
                problems.append(FieldProblem(raised.field, raised.message))
                continue
            field = ".".join(str(part) for part in item["loc"]) or "(input)"
            problems.append(FieldProblem(field, item["msg"]))
        raise InputError(problems) from exc


def _answer(compute: Callable[..., ResultT], *args: Any, **kwargs: Any) -> ResultT:
    try:
        return compute(*args, **kwargs)
    except FieldValueError as exc:
        raise InputError([FieldProblem(exc.field, exc.message)]) from exc


def creatinine_clearance(data: CrclRequest | dict[str, Any], kb: KnowledgeBase) -> CrclResult:
    """Cockcroft-Gault under the chosen weight policy; raises InputError naming the field."""
    request = data if isinstance(data, CrclRequest) else _validated(CrclRequest, data)
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
        data if isinstance(data, StartingDoseRequest) else _validated(StartingDoseRequest, data)
    )
    band = renal_band(request.crcl_ml_min, request.on_dialysis, kb.get(RenalKnowledge))
    plan = _answer(
        renal_starting_dose, request.indication, band, kb, crcl_ml_min=request.crcl_ml_min
    )
    notes = starting_dose_notes(request.indication, band, kb, crcl_ml_min=request.crcl_ml_min)
    return StartingDoseResult(**dict(plan), band=band, notes=notes)
