"""Routes for a patient's workflow records, each list newest first and paginated:

POST/GET /api/v1/patients/{id}/pregnancy-tests
POST/GET /api/v1/patients/{id}/counselling
POST/GET /api/v1/patients/{id}/surveys
POST/GET /api/v1/patients/{id}/insurance     (+ GET …/insurance/current)
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from lenaguard.workflow.clock import Now
from lenaguard.workflow.records import service
from lenaguard.workflow.records.models import Counselling, Insurance, PregnancyTest, Survey
from lenaguard.workflow.web import Caller, Config, Db, Kb, Page, Paging

router = APIRouter(prefix="/api/v1/patients/{patient_id}", tags=["records"])

PatientId = Annotated[str, Path(max_length=40)]
Day = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2200, 12, 31))]
Moment = Annotated[
    AwareDatetime,
    Field(
        ge=dt.datetime(1900, 1, 1, tzinfo=dt.UTC),
        le=dt.datetime(2200, 12, 31, tzinfo=dt.UTC),
        description="An exact moment with its UTC offset, e.g. 2026-11-20T09:30:00-05:00.",
    ),
]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Recorded(BaseModel):
    id: str
    patient_id: str
    recorded_by: str = Field(description="The user who recorded it.")
    recorded_at: dt.datetime


class NewPregnancyTest(_Request):
    taken_at: Moment
    result: Literal["negative", "positive"]
    sensitivity_miu_ml: float | None = Field(
        default=None, gt=0, le=10_000, description="The assay's sensitivity in mIU/mL."
    )


class PregnancyTestView(_Recorded):
    taken_at: dt.datetime
    result: Literal["negative", "positive"]
    sensitivity_miu_ml: float | None


class NewCounselling(_Request):
    kind: Literal["contraception", "rems_education"]
    given_on: Day


class CounsellingView(_Recorded):
    kind: Literal["contraception", "rems_education"]
    given_on: dt.date


class NewSurvey(_Request):
    respondent: Literal["patient", "prescriber"]
    taken_at: Moment


class SurveyView(_Recorded):
    respondent: Literal["patient", "prescriber"]
    taken_at: dt.datetime


PriorAuthorization = Literal["not_required", "pending", "approved", "denied"]


class NewInsurance(_Request):
    payer: str = Field(min_length=1, max_length=200)
    member_id: str = Field(min_length=1, max_length=100)
    prior_authorization: PriorAuthorization


class InsuranceView(_Recorded):
    payer: str
    member_id: str
    prior_authorization: PriorAuthorization


def _view(row, model):
    return model.model_validate(service.snapshot(row))


def _lister(table: type, view: type[BaseModel]):
    """The GET route listing one kind of record of a patient, newest first (audited)."""

    def list_records(
        patient_id: PatientId, caller: Caller, database: Db, paging: Paging
    ) -> Page[Any]:
        with database.transaction() as session:
            rows, total = service.list_records(
                session, caller, patient_id, table, limit=paging.limit, offset=paging.offset
            )
            return Page.of([_view(row, view) for row in rows], total, paging)

    return list_records


@router.post("/pregnancy-tests", status_code=201, summary="Record a pregnancy test")
def add_pregnancy_test(
    patient_id: PatientId,
    body: NewPregnancyTest,
    caller: Caller,
    database: Db,
    settings: Config,
    kb: Kb,
    now: Now,
) -> PregnancyTestView:
    with database.transaction() as session:
        row = save_pregnancy_test(
            session, caller, patient_id, body, settings=settings, kb=kb, now=now
        )
        return _view(row, PregnancyTestView)


router.add_api_route(
    "/pregnancy-tests",
    _lister(PregnancyTest, PregnancyTestView),
    methods=["GET"],
    response_model=Page[PregnancyTestView],
    summary="Pregnancy tests, newest first (audited read)",
    name="list_pregnancy_tests",
)


@router.post("/counselling", status_code=201, summary="Record counselling given")
def add_counselling(
    patient_id: PatientId,
    body: NewCounselling,
    caller: Caller,
    database: Db,
    settings: Config,
    kb: Kb,
    now: Now,
) -> CounsellingView:
    with database.transaction() as session:
        row = save_counselling(session, caller, patient_id, body, settings=settings, kb=kb, now=now)
        return _view(row, CounsellingView)


router.add_api_route(
    "/counselling",
    _lister(Counselling, CounsellingView),
    methods=["GET"],
    response_model=Page[CounsellingView],
    summary="Counselling, newest first (audited read)",
    name="list_counselling",
)


@router.post("/surveys", status_code=201, summary="Record a mandatory REMS survey")
def add_survey(
    patient_id: PatientId,
    body: NewSurvey,
    caller: Caller,
    database: Db,
    settings: Config,
    kb: Kb,
    now: Now,
) -> SurveyView:
    with database.transaction() as session:
        row = save_survey(session, caller, patient_id, body, settings=settings, kb=kb, now=now)
        return _view(row, SurveyView)


router.add_api_route(
    "/surveys",
    _lister(Survey, SurveyView),
    methods=["GET"],
    response_model=Page[SurveyView],
    summary="Surveys, newest first (audited read)",
    name="list_surveys",
)


@router.post("/insurance", status_code=201, summary="Record the patient's insurance")
def add_insurance(
    patient_id: PatientId,
    body: NewInsurance,
    caller: Caller,
    database: Db,
    settings: Config,
    kb: Kb,
    now: Now,
) -> InsuranceView:
    with database.transaction() as session:
        row = save_insurance(session, caller, patient_id, body, settings=settings, kb=kb, now=now)
        return _view(row, InsuranceView)


router.add_api_route(
    "/insurance",
    _lister(Insurance, InsuranceView),
    methods=["GET"],
    response_model=Page[InsuranceView],
    summary="Insurance records, newest first (audited read)",
    name="list_insurance",
)


@router.get("/insurance/current", summary="The current (newest) insurance record")
def current_insurance(patient_id: PatientId, caller: Caller, database: Db) -> InsuranceView:
    with database.transaction() as session:
        return _view(service.current_insurance(session, caller, patient_id), InsuranceView)


# One call per record type from its request body, shared by these routes and the web pages' forms
# (the same signature for every record: session, caller, patient, body, settings, kb, now).


def save_pregnancy_test(session, caller, patient_id, body: NewPregnancyTest, *, settings, kb, now):
    return service.record_pregnancy_test(
        session,
        caller,
        patient_id,
        taken_at=body.taken_at,
        result=body.result,
        sensitivity_miu_ml=body.sensitivity_miu_ml,
        settings=settings,
        kb=kb,
        now=now,
    )


def save_counselling(session, caller, patient_id, body: NewCounselling, *, settings, kb, now):
    return service.record_counselling(
        session,
        caller,
        patient_id,
        kind=body.kind,
        given_on=body.given_on,
        settings=settings,
        now=now,
    )


def save_survey(session, caller, patient_id, body: NewSurvey, *, settings, kb, now):
    return service.record_survey(
        session,
        caller,
        patient_id,
        respondent=body.respondent,
        taken_at=body.taken_at,
        settings=settings,
        now=now,
    )


def save_insurance(session, caller, patient_id, body: NewInsurance, *, settings, kb, now):
    return service.record_insurance(
        session,
        caller,
        patient_id,
        payer=body.payer,
        member_id=body.member_id,
        prior_authorization=body.prior_authorization,
        now=now,
    )
