"""`GET /api/v1/patients/{id}/readiness`: the first-prescription checklist."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from lenaguard.workflow.clock import Now
from lenaguard.workflow.dispensing.requirements import ItemStatus, Owner
from lenaguard.workflow.readiness import service
from lenaguard.workflow.web import Caller, Config, Db, Kb

router = APIRouter(prefix="/api/v1", tags=["readiness"])

PatientId = Annotated[str, Path(max_length=40)]


class ChecklistItem(BaseModel):
    item: str = Field(
        description="prescriber_certified | patient_enrolled | counselling | pregnancy_tests | "
        "patient_survey | prescriber_survey | insurance | prior_authorization | authorization | "
        "pharmacy_chosen | dispensed"
    )
    status: ItemStatus
    date: dt.date | None = Field(description="When it was done, or the date it is due by.")
    owner: Owner = Field(description="Who acts next.")
    next_step: str


class ReadinessView(BaseModel):
    patient_id: str
    as_of: dt.date = Field(description="The clinic's date of the checklist.")
    risk_category: str
    cycle: service.Cycle = Field(
        description="next: a new prescription is being prepared; authorized: an authorization "
        "waits to be filled; filled: dispensed, the next fill not due yet."
    )
    ready: bool = Field(
        description="Every item but the dispense is done or not applicable: the pharmacy can "
        "fill the prescription (or has)."
    )
    readiness: str | None = Field(
        description="The clinical side: the assessment's readiness (ready | not_ready | "
        "not_determined) of the patient's merged case; null without an assessable case."
    )
    items: list[ChecklistItem]


@router.get(
    "/patients/{patient_id}/readiness",
    response_model=ReadinessView,
    summary="The first-prescription checklist of a patient",
)
def get_readiness(
    patient_id: PatientId, caller: Caller, database: Db, settings: Config, kb: Kb, now: Now
) -> ReadinessView:
    with database.transaction() as session:
        result = service.patient_readiness(
            session, caller, patient_id, settings=settings, kb=kb, now=now
        )
        return ReadinessView(
            patient_id=result.patient.id,
            as_of=result.today,
            risk_category=result.risk_category,
            cycle=result.cycle,
            ready=result.ready,
            readiness=result.readiness,
            items=[
                ChecklistItem(
                    item=check.item,
                    status=check.status,
                    date=check.date,
                    owner=check.owner,
                    next_step=check.next_step,
                )
                for check in result.items
            ],
        )
