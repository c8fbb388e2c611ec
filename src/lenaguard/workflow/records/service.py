"""Record and read a patient's workflow records: pregnancy tests, counselling, surveys, insurance.

Each record is dated, attributed (`recorded_by`) and audited on the patient's chain in the
writer's transaction; a correction is a new record, never an edit. Clinic staff (the patient's
prescriber or their nurse) and admins record; a patient may record only their own patient
survey; pharmacists read their pharmacy's patients' records and write none. Reads are audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lenaguard.errors import AccessDenied, NotFound, WorkflowError
from lenaguard.knowledge import KnowledgeBase
from lenaguard.rules.safety.rems import requires_pregnancy_tests
from lenaguard.settings import Settings
from lenaguard.workflow.accounts.models import Role
from lenaguard.workflow.accounts.service import Principal
from lenaguard.workflow.audit.service import chain_for_patient, record
from lenaguard.workflow.ids import new_id
from lenaguard.workflow.patients.models import Patient
from lenaguard.workflow.patients.service import (
    audit_read,
    json_ready,
    require_clinic_staff,
    risk_category,
    visible_patient,
)
from lenaguard.workflow.records.models import Counselling, Insurance, PregnancyTest, Survey

__all__ = [
    "current_insurance",
    "list_records",
    "record_counselling",
    "record_insurance",
    "record_pregnancy_test",
    "record_survey",
    "snapshot",
]

Row = TypeVar("Row", PregnancyTest, Counselling, Survey, Insurance)

ENTITY = {
    PregnancyTest: "pregnancy_test",
    Counselling: "counselling",
    Survey: "survey",
    Insurance: "insurance",
}
_NEWEST = {
    PregnancyTest: (PregnancyTest.taken_at.desc(), PregnancyTest.recorded_at.desc()),
    Counselling: (Counselling.given_on.desc(), Counselling.recorded_at.desc()),
    Survey: (Survey.taken_at.desc(), Survey.recorded_at.desc()),
    Insurance: (Insurance.recorded_at.desc(),),
}


def snapshot(row: PregnancyTest | Counselling | Survey | Insurance) -> dict[str, Any]:
    """A record as plain values (audit after, responses)."""
    columns = [column.key for column in row.__table__.columns]
    return json_ready({key: getattr(row, key) for key in columns})


def _not_in_future(field: str, moment: dt.datetime, now: dt.datetime) -> None:
    if moment > now:
        raise WorkflowError([(field, f"in the future (now is {now.isoformat()})")])


def _not_before_birth(field: str, day: dt.date, patient: Patient) -> None:
    if day < patient.birth_date:
        raise WorkflowError([(field, f"before the patient's birth date ({patient.birth_date})")])


def _store(session: Session, principal: Principal, patient: Patient, row: Row) -> Row:
    session.add(row)
    session.flush()
    record(
        session,
        chain=chain_for_patient(patient.id),
        actor_id=principal.user_id,
        actor_role=principal.role.value,
        action="create",
        entity=ENTITY[type(row)],
        entity_id=row.id,
        after=snapshot(row),
    )
    return row


def record_pregnancy_test(
    session: Session,
    principal: Principal,
    patient_id: str,
    *,
    taken_at: dt.datetime,
    result: str,
    sensitivity_miu_ml: float | None,
    settings: Settings,
    kb: KnowledgeBase,
    now: dt.datetime,
) -> PregnancyTest:
    """A pregnancy test result (clinic staff or admin), only for a patient whose REMS category
    requires pregnancy tests (else 422, unmet `pregnancy_tests_not_applicable`)."""
    patient = visible_patient(session, principal, patient_id)
    require_clinic_staff(principal, patient)
    _not_in_future("taken_at", taken_at, now)
    taken_on = settings.clinic_date(taken_at)
    _not_before_birth("taken_at", taken_on, patient)
    category = risk_category(patient, settings.clinic_date(now), kb)
    if not requires_pregnancy_tests(category.category):
        raise WorkflowError(
            [("patient", f"{category.name}: the REMS requires no pregnancy tests")],
            title="pregnancy tests do not apply",
            unmet=[
                (
                    "pregnancy_tests_not_applicable",
                    "Pregnancy tests are recorded only for females of reproductive potential.",
                )
            ],
        )
    row = PregnancyTest(
        id=new_id("prg"),
        patient_id=patient.id,
        taken_at=taken_at,
        result=result,
        sensitivity_miu_ml=sensitivity_miu_ml,
        recorded_by=principal.user_id,
        recorded_at=now,
    )
    return _store(session, principal, patient, row)


def record_counselling(
    session: Session,
    principal: Principal,
    patient_id: str,
    *,
    kind: str,
    given_on: dt.date,
    settings: Settings,
    now: dt.datetime,
) -> Counselling:
    """Counselling given to the patient (clinic staff or admin); not dated in the future."""
    patient = visible_patient(session, principal, patient_id)
    require_clinic_staff(principal, patient)
    today = settings.clinic_date(now)
    if given_on > today:
        raise WorkflowError([("given_on", f"after the clinic's today ({today})")])
    _not_before_birth("given_on", given_on, patient)
    row = Counselling(
        id=new_id("cns"),
        patient_id=patient.id,
        kind=kind,
        given_on=given_on,
        recorded_by=principal.user_id,
        recorded_at=now,
    )
    return _store(session, principal, patient, row)


def record_survey(
    session: Session,
    principal: Principal,
    patient_id: str,
    *,
    respondent: str,
    taken_at: dt.datetime,
    settings: Settings,
    now: dt.datetime,
) -> Survey:
    """A mandatory REMS survey. The patient survey: by the patient themself, or recorded by
    clinic staff or an admin; the prescriber survey: by the prescriber, their nurse or an admin."""
    patient = visible_patient(session, principal, patient_id)
    if principal.role is Role.PATIENT:
        if respondent != "patient":
            raise AccessDenied("a patient records only their own patient survey")
    else:
        require_clinic_staff(principal, patient)
    _not_in_future("taken_at", taken_at, now)
    _not_before_birth("taken_at", settings.clinic_date(taken_at), patient)
    row = Survey(
        id=new_id("srv"),
        patient_id=patient.id,
        respondent=respondent,
        taken_at=taken_at,
        recorded_by=principal.user_id,
        recorded_at=now,
    )
    return _store(session, principal, patient, row)


def record_insurance(
    session: Session,
    principal: Principal,
    patient_id: str,
    *,
    payer: str,
    member_id: str,
    prior_authorization: str,
    now: dt.datetime,
) -> Insurance:
    """The patient's coverage and prior-authorization status (clinic staff or admin); the
    newest record is current."""
    patient = visible_patient(session, principal, patient_id)
    require_clinic_staff(principal, patient)
    problems = [
        (field, "must not be empty")
        for field, value in (("payer", payer), ("member_id", member_id))
        if not value.strip()
    ]
    if problems:
        raise WorkflowError(problems)
    row = Insurance(
        id=new_id("ins"),
        patient_id=patient.id,
        payer=payer.strip(),
        member_id=member_id.strip(),
        prior_authorization=prior_authorization,
        recorded_by=principal.user_id,
        recorded_at=now,
    )
    return _store(session, principal, patient, row)


def list_records(
    session: Session,
    principal: Principal,
    patient_id: str,
    table: type[Row],
    *,
    limit: int,
    offset: int,
) -> tuple[list[Row], int]:
    """(one page, total) of one kind of record about a visible patient, newest first
    (audited read)."""
    patient = visible_patient(session, principal, patient_id)
    query = select(table).where(table.patient_id == patient.id)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(*_NEWEST[table], table.id.desc()).limit(limit).offset(offset)
    ).scalars()
    audit_read(session, principal, patient, ENTITY[table])
    return list(rows), total


def current_insurance(session: Session, principal: Principal, patient_id: str) -> Insurance:
    """The newest insurance record (audited read); 404 when none is recorded."""
    rows, _total = list_records(session, principal, patient_id, Insurance, limit=1, offset=0)
    if not rows:
        raise NotFound([("insurance", "no insurance recorded for this patient yet")])
    return rows[0]
