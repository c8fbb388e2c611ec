"""Routes for authorizations, confirmations and dispenses.

POST /api/v1/authorizations                          prescriber or their nurse
POST /api/v1/authorizations/{number}/confirmations   pharmacist of a certified pharmacy
POST /api/v1/dispenses                               pharmacist of the confirming pharmacy
GET  /api/v1/patients/{id}/authorizations            whoever may see the patient
GET  /api/v1/patients/{id}/dispenses                 whoever may see the patient
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from lenaguard.vocab import Indication
from lenaguard.workflow.clock import Now
from lenaguard.workflow.dispensing import service
from lenaguard.workflow.dispensing.models import Authorization, Confirmation, Dispense
from lenaguard.workflow.web import Caller, Config, Db, Kb, Page, Paging

router = APIRouter(prefix="/api/v1", tags=["dispensing"])

PatientId = Annotated[str, Path(max_length=40)]
Number = Annotated[str, Path(max_length=20, pattern=r"^[0-9]+$")]
CycleDay = Annotated[int, Field(ge=1, le=366)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AuthorizationRequest(_Request):
    """A prescription to authorize under the REMS."""

    patient_id: str = Field(max_length=40)
    indication: Indication
    dose_mg: float = Field(gt=0, le=100, description="A capsule strength: one capsule a day.")
    days_on: tuple[CycleDay, CycleDay] | None = Field(
        default=None,
        description="[first, last] dosing days of the cycle; default: the indication's schedule.",
    )
    days_supply: int = Field(ge=1, le=366, description="At most the REMS maximum.")
    refills: int = Field(default=0, ge=0, le=99, description="The REMS allows none.")
    telephone: bool = Field(default=False, description="The REMS allows no telephone orders.")


class AuthorizationView(BaseModel):
    number: str
    patient_id: str
    prescriber_id: str
    indication: str
    dose_mg: float
    days_on: tuple[int, int]
    cycle_days: int
    days_supply: int
    quantity: int = Field(description="Capsules for the whole supply (one per dosing day).")
    risk_category: str
    issued_at: dt.datetime
    issued_on: dt.date
    expires_on: dt.date = Field(description="The last clinic date the number is valid.")
    status: str = Field(description="valid | expired | dispensed, on the clinic's today.")


class ConfirmationView(BaseModel):
    number: str
    authorization_number: str
    patient_id: str
    pharmacy_id: str
    confirmed_at: dt.datetime
    dispense_deadline: dt.datetime = Field(description="Dispense before this exact moment.")
    capsule_strength_mg: float
    quantity: int
    days_supply: int


class DispenseRequest(_Request):
    confirmation_number: str = Field(max_length=20, pattern=r"^[0-9]+$")
    capsule_strength_mg: float = Field(gt=0, le=100)
    quantity: int = Field(ge=1, le=1000, description="Capsules handed over.")
    days_supply: int = Field(ge=1, le=366)


class DispenseView(BaseModel):
    id: str
    authorization_number: str
    confirmation_number: str
    patient_id: str
    pharmacy_id: str
    capsule_strength_mg: float
    quantity: int
    days_supply: int
    dispensed_at: dt.datetime
    dispensed_on: dt.date
    next_fill_from: dt.date = Field(description="The first clinic date a new fill may follow.")


def _quantity(authorization: Authorization, days_supply: int) -> int:
    return service.dosing_days(
        days_supply, authorization.first_day, authorization.last_day, authorization.cycle_days
    )


def authorization_view(
    authorization: Authorization, dispense: Dispense | None, today: dt.date
) -> AuthorizationView:
    return AuthorizationView(
        number=authorization.number,
        patient_id=authorization.patient_id,
        prescriber_id=authorization.prescriber_id,
        indication=authorization.indication,
        dose_mg=authorization.dose_mg,
        days_on=(authorization.first_day, authorization.last_day),
        cycle_days=authorization.cycle_days,
        days_supply=authorization.days_supply,
        quantity=_quantity(authorization, authorization.days_supply),
        risk_category=authorization.risk_category,
        issued_at=authorization.issued_at,
        issued_on=authorization.issued_on,
        expires_on=authorization.expires_on,
        status=service.authorization_status(authorization, dispense is not None, today),
    )


def dispense_view(
    dispense: Dispense, confirmation: Confirmation, authorization: Authorization, kb
) -> DispenseView:
    return DispenseView(
        id=dispense.id,
        authorization_number=authorization.number,
        confirmation_number=confirmation.number,
        patient_id=dispense.patient_id,
        pharmacy_id=dispense.pharmacy_id,
        capsule_strength_mg=dispense.capsule_strength_mg,
        quantity=dispense.quantity,
        days_supply=dispense.days_supply,
        dispensed_at=dispense.dispensed_at,
        dispensed_on=dispense.dispensed_on,
        next_fill_from=service.next_fill_from(dispense, kb),
    )


@router.post(
    "/authorizations",
    status_code=201,
    response_model=AuthorizationView,
    summary="Authorize a prescription (or list every unmet REMS requirement)",
)
def post_authorization(
    body: AuthorizationRequest, caller: Caller, database: Db, settings: Config, kb: Kb, now: Now
) -> AuthorizationView:
    with database.transaction() as session:
        authorization = save_authorization(session, caller, body, settings=settings, kb=kb, now=now)
        return authorization_view(authorization, None, settings.clinic_date(now))


def save_authorization(session, caller, body: AuthorizationRequest, *, settings, kb, now):
    """From the request body to the service call (this route and the authorization page)."""
    return service.issue_authorization(
        session,
        caller,
        patient_id=body.patient_id,
        indication=body.indication,
        dose_mg=body.dose_mg,
        days_on=body.days_on,
        days_supply=body.days_supply,
        refills=body.refills,
        telephone=body.telephone,
        settings=settings,
        kb=kb,
        now=now,
    )


@router.post(
    "/authorizations/{number}/confirmations",
    status_code=201,
    response_model=ConfirmationView,
    summary="Confirm an authorization before dispensing (pharmacist)",
)
def post_confirmation(
    number: Number, caller: Caller, database: Db, settings: Config, kb: Kb, now: Now
) -> ConfirmationView:
    with database.transaction() as session:
        confirmation, authorization = service.confirm_authorization(
            session, caller, number, settings=settings, kb=kb, now=now
        )
        return ConfirmationView(
            number=confirmation.number,
            authorization_number=authorization.number,
            patient_id=authorization.patient_id,
            pharmacy_id=confirmation.pharmacy_id,
            confirmed_at=confirmation.confirmed_at,
            dispense_deadline=confirmation.expires_at,
            capsule_strength_mg=authorization.dose_mg,
            quantity=_quantity(authorization, authorization.days_supply),
            days_supply=authorization.days_supply,
        )


@router.post(
    "/dispenses",
    status_code=201,
    response_model=DispenseView,
    summary="Record the dispense of a confirmed authorization (pharmacist)",
)
def post_dispense(
    body: DispenseRequest, caller: Caller, database: Db, settings: Config, kb: Kb, now: Now
) -> DispenseView:
    with database.transaction() as session:
        dispense, confirmation, authorization = service.record_dispense(
            session,
            caller,
            confirmation_number=body.confirmation_number,
            capsule_strength_mg=body.capsule_strength_mg,
            quantity=body.quantity,
            days_supply=body.days_supply,
            settings=settings,
            kb=kb,
            now=now,
        )
        return dispense_view(dispense, confirmation, authorization, kb)


@router.get(
    "/patients/{patient_id}/authorizations",
    response_model=Page[AuthorizationView],
    summary="A patient's authorizations, newest first",
)
def get_authorizations(
    patient_id: PatientId, caller: Caller, database: Db, settings: Config, paging: Paging, now: Now
) -> Page[AuthorizationView]:
    with database.transaction() as session:
        rows, total = service.list_authorizations(
            session, caller, patient_id, limit=paging.limit, offset=paging.offset
        )
        today = settings.clinic_date(now)
        items = [authorization_view(a, d, today) for a, d in rows]
        return Page[AuthorizationView].of(items, total, paging)


@router.get(
    "/patients/{patient_id}/dispenses",
    response_model=Page[DispenseView],
    summary="A patient's dispenses, newest first",
)
def get_dispenses(
    patient_id: PatientId, caller: Caller, database: Db, kb: Kb, paging: Paging
) -> Page[DispenseView]:
    with database.transaction() as session:
        rows, total = service.list_dispenses(
            session, caller, patient_id, limit=paging.limit, offset=paging.offset
        )
        items = [dispense_view(d, c, a, kb) for d, c, a in rows]
        return Page[DispenseView].of(items, total, paging)
