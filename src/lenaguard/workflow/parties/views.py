"""Routes for prescribers and pharmacies: `/api/v1/prescribers`, `/api/v1/pharmacies`.

Admins create parties and change certification dates; a prescriber (or their nurse) reads that
prescriber, a pharmacist their own pharmacy; clinic staff and patients read the pharmacies
(to choose one for the patient).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from lenaguard.workflow.parties import service
from lenaguard.workflow.parties.models import Pharmacy, Prescriber
from lenaguard.workflow.web import Caller, Config, Db, Page, Paging

router = APIRouter(prefix="/api/v1", tags=["parties"])

EARLIEST = dt.date(1990, 1, 1)
LATEST = dt.date(2200, 12, 31)
CertDate = Annotated[dt.date, Field(ge=EARLIEST, le=LATEST)]
PartyId = Annotated[str, Path(max_length=40)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Certification(_Request):
    """REMS certification dates: certified from `certified_on` through
    `certification_expires_on` (both included; no expiry: until changed)."""

    certified_on: CertDate | None = None
    certification_expires_on: CertDate | None = None


class NewPrescriber(Certification):
    name: str = Field(min_length=1, max_length=200)
    npi: str | None = Field(
        default=None, pattern=r"^[0-9]{10}$", description="National Provider Identifier."
    )


class NewPharmacy(Certification):
    name: str = Field(min_length=1, max_length=200)


class _Party(BaseModel):
    id: str
    name: str
    certified_on: dt.date | None
    certification_expires_on: dt.date | None
    certified_today: bool = Field(description="Certified on the clinic's today.")


class PrescriberView(_Party):
    npi: str | None


class PharmacyView(_Party):
    pass


def prescriber_view(prescriber: Prescriber, today: dt.date) -> PrescriberView:
    return PrescriberView(
        id=prescriber.id,
        name=prescriber.name,
        npi=prescriber.npi,
        certified_on=prescriber.certified_on,
        certification_expires_on=prescriber.certification_expires_on,
        certified_today=service.prescriber_certified(prescriber, today),
    )


def pharmacy_view(pharmacy: Pharmacy, today: dt.date) -> PharmacyView:
    return PharmacyView(
        id=pharmacy.id,
        name=pharmacy.name,
        certified_on=pharmacy.certified_on,
        certification_expires_on=pharmacy.certification_expires_on,
        certified_today=service.pharmacy_certified(pharmacy, today),
    )


@router.post("/prescribers", status_code=201, summary="Create a prescriber (admin)")
def create_prescriber(
    body: NewPrescriber, caller: Caller, database: Db, settings: Config
) -> PrescriberView:
    with database.transaction() as session:
        prescriber = service.create_prescriber(
            session,
            caller,
            name=body.name,
            npi=body.npi,
            certified_on=body.certified_on,
            certification_expires_on=body.certification_expires_on,
        )
        return prescriber_view(prescriber, settings.clinic_today())


@router.get("/prescribers", summary="List the prescribers you may see")
def list_prescribers(
    caller: Caller, database: Db, settings: Config, paging: Paging
) -> Page[PrescriberView]:
    with database.transaction() as session:
        rows, total = service.list_prescribers(
            session, caller, limit=paging.limit, offset=paging.offset
        )
        today = settings.clinic_today()
        return Page.of([prescriber_view(row, today) for row in rows], total, paging)


@router.get("/prescribers/{prescriber_id}", summary="One prescriber")
def get_prescriber(
    prescriber_id: PartyId, caller: Caller, database: Db, settings: Config
) -> PrescriberView:
    with database.transaction() as session:
        prescriber = service.get_prescriber(session, caller, prescriber_id)
        return prescriber_view(prescriber, settings.clinic_today())


@router.post(
    "/prescribers/{prescriber_id}/certification",
    summary="Set a prescriber's certification dates (admin)",
)
def certify_prescriber(
    prescriber_id: PartyId, body: Certification, caller: Caller, database: Db, settings: Config
) -> PrescriberView:
    with database.transaction() as session:
        prescriber = service.get_prescriber(session, caller, prescriber_id)
        service.set_certification(
            session,
            caller,
            prescriber,
            certified_on=body.certified_on,
            certification_expires_on=body.certification_expires_on,
        )
        return prescriber_view(prescriber, settings.clinic_today())


@router.post("/pharmacies", status_code=201, summary="Create a pharmacy (admin)")
def create_pharmacy(
    body: NewPharmacy, caller: Caller, database: Db, settings: Config
) -> PharmacyView:
    with database.transaction() as session:
        pharmacy = service.create_pharmacy(
            session,
            caller,
            name=body.name,
            certified_on=body.certified_on,
            certification_expires_on=body.certification_expires_on,
        )
        return pharmacy_view(pharmacy, settings.clinic_today())


@router.get("/pharmacies", summary="List the pharmacies you may see")
def list_pharmacies(
    caller: Caller, database: Db, settings: Config, paging: Paging
) -> Page[PharmacyView]:
    with database.transaction() as session:
        rows, total = service.list_pharmacies(
            session, caller, limit=paging.limit, offset=paging.offset
        )
        today = settings.clinic_today()
        return Page.of([pharmacy_view(row, today) for row in rows], total, paging)


@router.get("/pharmacies/{pharmacy_id}", summary="One pharmacy")
def get_pharmacy(
    pharmacy_id: PartyId, caller: Caller, database: Db, settings: Config
) -> PharmacyView:
    with database.transaction() as session:
        pharmacy = service.get_pharmacy(session, caller, pharmacy_id)
        return pharmacy_view(pharmacy, settings.clinic_today())


@router.post(
    "/pharmacies/{pharmacy_id}/certification",
    summary="Set a pharmacy's certification dates (admin)",
)
def certify_pharmacy(
    pharmacy_id: PartyId, body: Certification, caller: Caller, database: Db, settings: Config
) -> PharmacyView:
    with database.transaction() as session:
        pharmacy = service.get_pharmacy(session, caller, pharmacy_id)
        service.set_certification(
            session,
            caller,
            pharmacy,
            certified_on=body.certified_on,
            certification_expires_on=body.certification_expires_on,
        )
        return pharmacy_view(pharmacy, settings.clinic_today())
