"""`GET /api/v1/worklist`: every item due or overdue for the caller's patients."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from lenaguard.workflow.clock import Now
from lenaguard.workflow.dispensing.requirements import ItemStatus, Owner
from lenaguard.workflow.web import Caller, Config, Db, Kb, Page, Paging
from lenaguard.workflow.worklist import service

router = APIRouter(prefix="/api/v1", tags=["worklist"])

MAX_HORIZON_DAYS = 90


class WorkItemView(BaseModel):
    patient_id: str
    patient_name: str
    item: str = Field(
        description="A readiness item (pregnancy_tests, patient_survey, …), "
        "authorization_expiring, refill, or a monitored test (cbc, pregnancy_test, …)."
    )
    source: str = Field(description="rems (the workflow) | monitoring (the assessment)")
    status: ItemStatus = Field(description="due | overdue")
    due: dt.date
    owner: Owner
    next_step: str


@router.get(
    "/worklist",
    response_model=Page[WorkItemView],
    summary="Everything due or overdue for the caller's patients, most urgent first",
)
def get_worklist(
    caller: Caller,
    database: Db,
    settings: Config,
    kb: Kb,
    paging: Paging,
    now: Now,
    within_days: Annotated[
        int,
        Query(
            ge=0, le=MAX_HORIZON_DAYS, description="Include items due up to this many days ahead."
        ),
    ] = 7,
) -> Page[WorkItemView]:
    with database.transaction() as session:
        items, total = service.worklist(
            session,
            caller,
            settings=settings,
            kb=kb,
            now=now,
            within_days=within_days,
            limit=paging.limit,
            offset=paging.offset,
        )
        return Page[WorkItemView].of(
            [WorkItemView(**work.__dict__) for work in items], total, paging
        )
