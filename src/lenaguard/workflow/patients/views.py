"""Routes for patients: enrollment, agreements, pharmacy, the stored case and its assessment.

POST /api/v1/patients                         enroll (prescriber, their nurse, admin)
GET  /api/v1/patients[/{id}]                  the patients you may see (audited)
POST /api/v1/patients/{id}/agreements         a signature on the patient-physician agreement
PUT  /api/v1/patients/{id}/pharmacy           the patient's certified pharmacy
PUT  /api/v1/patients/{id}/case               a new version of the stored case (JSON or YAML)
GET  /api/v1/patients/{id}/case[/versions]    the current case, every version (audited)
POST /api/v1/patients/{id}/assess             the assessment of the merged case
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from lenaguard.assess import Assessment
from lenaguard.case import Reproductive
from lenaguard.caseio import decode_case_bytes, parse_case_document
from lenaguard.errors import CaseError
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.base import Citation, Status
from lenaguard.knowledge.topics.rems import RemsRiskCategory
from lenaguard.vocab import Sex
from lenaguard.workflow.clock import Now
from lenaguard.workflow.patients import service
from lenaguard.workflow.patients.models import CaseVersion, Patient
from lenaguard.workflow.web import Caller, Config, Db, Kb, Page, Paging

router = APIRouter(prefix="/api/v1", tags=["patients"])

PatientId = Annotated[str, Path(max_length=40)]
Day = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2200, 12, 31))]

CASE_MEDIA_TYPES = {
    "application/json",
    "application/yaml",
    "application/x-yaml",
    "text/yaml",
    "text/x-yaml",
}
CASE_BODY: dict[str, Any] = {
    "required": True,
    "description": "A case file (docs/case-file.md) as JSON or YAML, without the fields the "
    "workflow records (patient.sex, birth_date, age_years, reproductive; pregnancy tests).",
    "content": {
        "application/json": {"schema": {"type": "object"}},
        "application/yaml": {"schema": {"type": "string"}},
    },
}


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Enrollment(_Request):
    name: str = Field(min_length=1, max_length=200)
    sex: Sex
    birth_date: Day
    reproductive: Reproductive | None = Field(
        default=None, description="Females: the history that decides reproductive potential."
    )
    guardian_name: str | None = Field(
        default=None,
        max_length=200,
        description="Parent or legal guardian: required for a patient in a REMS child category.",
    )
    prescriber_id: str | None = Field(
        default=None,
        max_length=40,
        description="The prescriber enrolling the patient (required for a nurse or an admin).",
    )


class AgreementSignature(_Request):
    signer: Literal["patient", "parent_or_guardian"]
    signed_on: Day


class PharmacyChoice(_Request):
    pharmacy_id: str = Field(min_length=1, max_length=40)


class RiskCategoryView(BaseModel):
    """The REMS risk category computed from the enrollment facts on `as_of` (never typed in)."""

    as_of: dt.date
    category: RemsRiskCategory
    name: str
    child: bool
    reproductive_potential: bool | None
    presumed: bool
    basis: list[str]
    would_change: list[str]
    status: Status
    citations: list[Citation]


class AgreementView(BaseModel):
    signer: Literal["patient", "parent_or_guardian"]
    text: str
    signed_on: dt.date | None
    status: Status
    citations: list[Citation]


class PatientView(BaseModel):
    id: str
    prescriber_id: str
    name: str
    sex: Sex
    birth_date: dt.date
    age_years: int = Field(description="On the clinic's today.")
    reproductive: Reproductive | None
    guardian_name: str | None
    enrolled_on: dt.date
    pharmacy_id: str | None
    risk_category: RiskCategoryView
    agreements: list[AgreementView] = Field(description="Every signature enrollment needs.")
    agreements_complete: bool


class CaseView(BaseModel):
    patient_id: str
    version: int
    case: dict[str, Any]
    recorded_by: str
    recorded_at: dt.datetime


def patient_view(patient: Patient, today: dt.date, kb: KnowledgeBase) -> PatientView:
    category = service.risk_category(patient, today, kb)
    agreements = [
        AgreementView(
            signer=agreement.signer,
            text=agreement.text,
            signed_on=signed_on,
            status=agreement.status,
            citations=agreement.citations,
        )
        for agreement, signed_on in service.agreements_for(patient, category, kb)
    ]
    return PatientView(
        id=patient.id,
        prescriber_id=patient.prescriber_id,
        name=patient.name,
        sex=Sex(patient.sex),
        birth_date=patient.birth_date,
        age_years=service.age_on(patient.birth_date, today),
        reproductive=patient.reproductive,
        guardian_name=patient.guardian_name,
        enrolled_on=patient.enrolled_on,
        pharmacy_id=patient.pharmacy_id,
        risk_category=RiskCategoryView(
            as_of=today, **category.model_dump(exclude={"citations"}), citations=category.citations
        ),
        agreements=agreements,
        agreements_complete=all(agreement.signed_on is not None for agreement in agreements),
    )


def case_view(version: CaseVersion) -> CaseView:
    return CaseView(
        patient_id=version.patient_id,
        version=version.version,
        case=version.data,
        recorded_by=version.recorded_by,
        recorded_at=version.recorded_at,
    )


@router.post("/patients", status_code=201, summary="Enroll a patient")
def enroll(
    body: Enrollment, caller: Caller, database: Db, settings: Config, kb: Kb, now: Now
) -> PatientView:
    with database.transaction() as session:
        patient = save_enrollment(session, caller, body, settings=settings, kb=kb, now=now)
        return patient_view(patient, settings.clinic_date(now), kb)


@router.get("/patients", summary="List the patients you may see")
def list_patients(
    caller: Caller, database: Db, settings: Config, kb: Kb, paging: Paging
) -> Page[PatientView]:
    with database.transaction() as session:
        rows, total = service.list_patients(
            session, caller, limit=paging.limit, offset=paging.offset
        )
        today = settings.clinic_today()
        return Page.of([patient_view(row, today, kb) for row in rows], total, paging)


@router.get("/patients/{patient_id}", summary="One patient (audited read)")
def get_patient(
    patient_id: PatientId, caller: Caller, database: Db, settings: Config, kb: Kb
) -> PatientView:
    with database.transaction() as session:
        patient = service.read_patient(session, caller, patient_id)
        return patient_view(patient, settings.clinic_today(), kb)


@router.post(
    "/patients/{patient_id}/agreements",
    summary="Record a signature on the patient-physician agreement",
)
def sign_agreement(
    patient_id: PatientId,
    body: AgreementSignature,
    caller: Caller,
    database: Db,
    settings: Config,
    kb: Kb,
    now: Now,
) -> PatientView:
    with database.transaction() as session:
        patient = save_agreement(
            session, caller, patient_id, body, settings=settings, kb=kb, now=now
        )
        return patient_view(patient, settings.clinic_date(now), kb)


@router.put("/patients/{patient_id}/pharmacy", summary="Choose the patient's certified pharmacy")
def choose_pharmacy(
    patient_id: PatientId,
    body: PharmacyChoice,
    caller: Caller,
    database: Db,
    settings: Config,
    kb: Kb,
    now: Now,
) -> PatientView:
    with database.transaction() as session:
        patient = save_pharmacy_choice(
            session, caller, patient_id, body, settings=settings, kb=kb, now=now
        )
        return patient_view(patient, settings.clinic_date(now), kb)


async def _case_document(request: Request) -> Any:
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if media not in CASE_MEDIA_TYPES:
        raise CaseError(
            [
                (
                    "content-type",
                    f"{media or 'none'} is not accepted; send application/json or application/yaml",
                )
            ],
            source="request body",
        )
    text = decode_case_bytes(await request.body(), source="request body")
    return parse_case_document(text, source="request body")


@router.put(
    "/patients/{patient_id}/case",
    summary="Store a new version of the patient's case",
    openapi_extra={"requestBody": CASE_BODY},
    responses={422: {"description": "Invalid case, or it states what the workflow records."}},
)
async def put_case(
    patient_id: PatientId,
    request: Request,
    caller: Caller,
    database: Db,
    settings: Config,
    kb: Kb,
    now: Now,
) -> CaseView:
    data = await _case_document(request)
    with database.transaction() as session:
        version = service.store_case(
            session, caller, patient_id, data, settings=settings, kb=kb, now=now
        )
        return case_view(version)


@router.get("/patients/{patient_id}/case", summary="The current stored case (audited read)")
def get_case(patient_id: PatientId, caller: Caller, database: Db) -> CaseView:
    with database.transaction() as session:
        return case_view(service.current_case(session, caller, patient_id))


@router.get(
    "/patients/{patient_id}/case/versions",
    summary="Every version of the stored case, newest first (audited read)",
)
def get_case_versions(
    patient_id: PatientId, caller: Caller, database: Db, paging: Paging
) -> Page[CaseView]:
    with database.transaction() as session:
        rows, total = service.case_versions(
            session, caller, patient_id, limit=paging.limit, offset=paging.offset
        )
        return Page.of([case_view(row) for row in rows], total, paging)


@router.post(
    "/patients/{patient_id}/assess",
    summary="Assess the patient's merged case",
    response_model=Assessment,
    responses={422: {"description": "No case stored, or the merged case is invalid."}},
)
def assess_patient(
    patient_id: PatientId,
    caller: Caller,
    database: Db,
    settings: Config,
    kb: Kb,
    as_of: Annotated[
        dt.date | None,
        Query(
            ge=dt.date(1900, 1, 1),
            le=dt.date(2200, 12, 31),
            description="The assessment date (default: the clinic's today).",
        ),
    ] = None,
    verified_only: Annotated[
        bool, Query(description="Leave out rules that are not verified against the label.")
    ] = False,
) -> JSONResponse:
    with database.transaction() as session:
        patient = service.visible_patient(session, caller, patient_id)
        assessment = service.assess_patient(
            session,
            patient,
            as_of=as_of or settings.clinic_today(),
            settings=settings,
            kb=kb,
            verified_only=verified_only,
        )
        service.audit_read(session, caller, patient, "assessment")
    return JSONResponse(assessment.to_json_dict())


# From a request body to the service call, shared by these routes and the web pages' forms.


def save_enrollment(session, caller, body: Enrollment, *, settings, kb, now) -> Patient:
    return service.enroll_patient(
        session,
        caller,
        name=body.name,
        sex=body.sex,
        birth_date=body.birth_date,
        reproductive=body.reproductive,
        guardian_name=body.guardian_name,
        prescriber_id=body.prescriber_id,
        settings=settings,
        kb=kb,
        now=now,
    )


def save_agreement(
    session, caller, patient_id, body: AgreementSignature, *, settings, kb, now
) -> Patient:
    return service.record_agreement(
        session,
        caller,
        patient_id,
        signer=body.signer,
        signed_on=body.signed_on,
        settings=settings,
        kb=kb,
        now=now,
    )


def save_pharmacy_choice(
    session, caller, patient_id, body: PharmacyChoice, *, settings, kb, now
) -> Patient:
    return service.choose_pharmacy(
        session, caller, patient_id, pharmacy_id=body.pharmacy_id, settings=settings, now=now
    )
