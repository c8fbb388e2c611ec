"""Stand-ins for the parties and patients services while they are built on another branch.

Same names and signatures as `lenaguard.workflow.parties.service` and
`lenaguard.workflow.patients.service` (issue 8, enrollment branch); once those are on main, the
dispensing, readiness and worklist services import them from there and this module goes.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from lenaguard.assess import Assessment, assess
from lenaguard.case import Reproductive
from lenaguard.caseio import case_from_data
from lenaguard.errors import AccessDenied, NotFound
from lenaguard.knowledge import KnowledgeBase
from lenaguard.rules.safety.rems import RemsCategoryResult, rems_risk_category
from lenaguard.settings import Settings
from lenaguard.vocab import Sex
from lenaguard.workflow.accounts.models import Role
from lenaguard.workflow.accounts.service import Principal
from lenaguard.workflow.audit.service import chain_for_patient, record
from lenaguard.workflow.parties.models import Pharmacy, Prescriber
from lenaguard.workflow.patients.merge import EnrolledFacts, PregnancyResult, merge_case
from lenaguard.workflow.patients.models import CaseVersion, Patient
from lenaguard.workflow.records.models import PregnancyTest

NOT_YOURS = "no such record, or not yours"


def _certified(certified_on: dt.date | None, expires_on: dt.date | None, on: dt.date) -> bool:
    if certified_on is None or certified_on > on:
        return False
    return expires_on is None or on <= expires_on


def prescriber_certified(prescriber: Prescriber, on: dt.date) -> bool:
    return _certified(prescriber.certified_on, prescriber.certification_expires_on, on)


def pharmacy_certified(pharmacy: Pharmacy, on: dt.date) -> bool:
    return _certified(pharmacy.certified_on, pharmacy.certification_expires_on, on)


def age_on(birth_date: dt.date, on: dt.date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def risk_category(patient: Patient, on: dt.date, kb: KnowledgeBase) -> RemsCategoryResult:
    reproductive = (
        Reproductive.model_validate(patient.reproductive)
        if patient.sex == Sex.FEMALE.value and patient.reproductive is not None
        else None
    )
    return rems_risk_category(Sex(patient.sex), age_on(patient.birth_date, on), reproductive, kb)


def visible_patient(
    session: Session, principal: Principal, patient_id: str, *, for_update: bool = False
) -> Patient:
    query = select(Patient).where(Patient.id == patient_id)
    if for_update:
        query = query.with_for_update()
    patient = session.execute(query).scalar_one_or_none()
    if patient is None:
        raise NotFound(NOT_YOURS) if principal.role is Role.ADMIN else AccessDenied(NOT_YOURS)
    if not principal.may_see_patient(patient):
        raise AccessDenied(NOT_YOURS)
    return patient


def audit_read(session: Session, principal: Principal, patient: Patient, entity: str) -> None:
    record(
        session,
        chain=chain_for_patient(patient.id),
        actor_id=principal.user_id,
        actor_role=principal.role.value,
        action="read",
        entity=entity,
        entity_id=patient.id,
    )


def merged_case(session: Session, patient: Patient, *, as_of: dt.date, settings: Settings) -> dict:
    latest = session.execute(
        select(CaseVersion)
        .where(CaseVersion.patient_id == patient.id)
        .order_by(CaseVersion.version.desc())
        .limit(1)
    ).scalar_one_or_none()
    tests = session.execute(
        select(PregnancyTest).where(PregnancyTest.patient_id == patient.id)
    ).scalars()
    return merge_case(
        None if latest is None else latest.data,
        EnrolledFacts(patient.id, patient.sex, patient.birth_date, patient.reproductive),
        [PregnancyResult(t.taken_at, t.result, t.sensitivity_miu_ml) for t in tests],
        as_of=as_of,
        zone=settings.timezone,
    )


def assess_patient(
    session: Session,
    patient: Patient,
    *,
    as_of: dt.date,
    settings: Settings,
    kb: KnowledgeBase,
    verified_only: bool = False,
) -> Assessment:
    data = merged_case(session, patient, as_of=as_of, settings=settings)
    case = case_from_data(data, today=as_of, source=f"patient {patient.id}", kb=kb)
    return assess(case, kb, verified_only=verified_only)
