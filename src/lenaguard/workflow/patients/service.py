"""Patients: enrollment, agreements, the chosen pharmacy, the stored versioned case, and the
merged case that every reader assesses.

Enrollment records sex, birth date and reproductive history; the REMS risk category is computed
from them by `lenaguard.rules.safety.rems` whenever it is needed (on the clinic's date), never
stored. The stored case holds the rest of the clinical picture; `merged_case` joins it with the
enrollment facts and the pregnancy-test records (`merge.merge_case`), and `assess_patient` runs
the assessment on that one merged case, so authorization, readiness, the worklist and
`POST /patients/{id}/assess` can never disagree.

Every write and every read of a patient's record is audited on the patient's chain, in the same
transaction. A patient the caller may not see and one that does not exist get the same 403
(admins get 404 for an unknown id).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lenaguard.assess import Assessment, assess
from lenaguard.case import Case, Reproductive
from lenaguard.caseio import case_from_data
from lenaguard.errors import AccessDenied, Conflict, NotFound, WorkflowError
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.topics.labs import LabsKnowledge, Plausibility
from lenaguard.plausibility import check_age
from lenaguard.rules.safety.rems import (
    EnrollmentAgreement,
    RemsCategoryResult,
    enrollment_agreements,
    rems_risk_category,
)
from lenaguard.settings import Settings
from lenaguard.vocab import Sex
from lenaguard.workflow.accounts.models import Role
from lenaguard.workflow.accounts.service import Principal
from lenaguard.workflow.audit.service import chain_for_patient, chain_for_user, record
from lenaguard.workflow.ids import new_id
from lenaguard.workflow.parties.models import Pharmacy, Prescriber
from lenaguard.workflow.parties.service import NOT_YOURS, pharmacy_certified, prescriber_certified
from lenaguard.workflow.patients.merge import (
    EnrolledFacts,
    PregnancyResult,
    merge_case,
    owned_fields_in,
)
from lenaguard.workflow.patients.models import CaseVersion, Patient
from lenaguard.workflow.records.models import PregnancyTest

__all__ = [
    "age_on",
    "agreements_for",
    "assess_patient",
    "audit_read",
    "case_versions",
    "choose_pharmacy",
    "current_case",
    "enroll_patient",
    "json_ready",
    "list_patients",
    "merged_case",
    "patient_case",
    "patient_snapshot",
    "read_patient",
    "record_agreement",
    "require_clinic_staff",
    "risk_category",
    "store_case",
    "visible_patient",
]

EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)


# ---------------------------------------------------------------- facts computed from enrollment


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Age in whole years on a date."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def _reproductive(patient: Patient) -> Reproductive | None:
    if patient.sex != Sex.FEMALE.value or patient.reproductive is None:
        return None
    return Reproductive.model_validate(patient.reproductive)


def risk_category(patient: Patient, on: dt.date, kb: KnowledgeBase) -> RemsCategoryResult:
    """The patient's REMS risk category on a clinic date (age from the birth date)."""
    return rems_risk_category(
        Sex(patient.sex), age_on(patient.birth_date, on), _reproductive(patient), kb
    )


def agreements_for(
    patient: Patient, category: RemsCategoryResult, kb: KnowledgeBase
) -> list[tuple[EnrollmentAgreement, dt.date | None]]:
    """Each signature the enrollment needs, with the date it was signed (None: not yet)."""
    signed = {
        "patient": patient.agreement_signed_on,
        "parent_or_guardian": patient.guardian_agreement_signed_on,
    }
    return [
        (agreement, signed[agreement.signer])
        for agreement in enrollment_agreements(category.category, kb)
    ]


def json_ready(value: Any) -> Any:
    """A JSON-typed copy (dates and times as ISO text), as stored and audited."""

    def iso(item: Any) -> str:
        if isinstance(item, dt.date | dt.datetime | dt.time):
            return item.isoformat()
        raise TypeError(f"not JSON serialisable: {type(item).__name__}")

    return json.loads(json.dumps(value, default=iso))


def patient_snapshot(patient: Patient) -> dict[str, Any]:
    """The stored patient as plain values (audit before/after)."""
    return json_ready(
        {
            "id": patient.id,
            "prescriber_id": patient.prescriber_id,
            "name": patient.name,
            "sex": patient.sex,
            "birth_date": patient.birth_date,
            "reproductive": patient.reproductive,
            "guardian_name": patient.guardian_name,
            "enrolled_on": patient.enrolled_on,
            "agreement_signed_on": patient.agreement_signed_on,
            "guardian_agreement_signed_on": patient.guardian_agreement_signed_on,
            "pharmacy_id": patient.pharmacy_id,
        }
    )


# ---------------------------------------------------------------- who may see and act


def visible_patient(
    session: Session, principal: Principal, patient_id: str, *, for_update: bool = False
) -> Patient:
    """The patient, if the caller may see them; else the same 403 as for an unknown id
    (admins: 404 for an unknown id). `for_update` locks the row (PostgreSQL) so concurrent
    writers about one patient queue."""
    query = select(Patient).where(Patient.id == patient_id)
    if for_update:
        query = query.with_for_update()
    patient = session.execute(query).scalar_one_or_none()
    if patient is None:
        raise NotFound(NOT_YOURS) if principal.role is Role.ADMIN else AccessDenied(NOT_YOURS)
    if not principal.may_see_patient(patient):
        raise AccessDenied(NOT_YOURS)
    return patient


def require_clinic_staff(principal: Principal, patient: Patient) -> None:
    """Admin, or the patient's prescriber or their nurse (call after `visible_patient`)."""
    if principal.role is Role.ADMIN:
        return
    if principal.role in (Role.PRESCRIBER, Role.NURSE) and principal.may_act_for_prescriber(
        patient.prescriber_id
    ):
        return
    if principal.may_see_patient(patient):
        raise AccessDenied("only the patient's prescriber, their nurse or an admin may do this")
    raise AccessDenied(NOT_YOURS)


def audit_read(session: Session, principal: Principal, patient: Patient, entity: str) -> None:
    """Log a read of (part of) a patient's record on the patient's chain."""
    record(
        session,
        chain=chain_for_patient(patient.id),
        actor_id=principal.user_id,
        actor_role=principal.role.value,
        action="read",
        entity=entity,
        entity_id=patient.id,
    )


def _audit_write(
    session: Session,
    principal: Principal,
    patient_id: str,
    *,
    action: str,
    entity: str,
    entity_id: str,
    before: Any = None,
    after: Any = None,
) -> None:
    record(
        session,
        chain=chain_for_patient(patient_id),
        actor_id=principal.user_id,
        actor_role=principal.role.value,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
    )


# ---------------------------------------------------------------- enrollment


def _enrolling_prescriber(
    session: Session, principal: Principal, prescriber_id: str | None
) -> Prescriber:
    """The prescriber a patient is enrolled for: the caller themself, the prescriber a nurse
    names (one they act for), or the one an admin names."""
    if principal.role is Role.PRESCRIBER:
        if prescriber_id is not None and prescriber_id != principal.prescriber_id:
            raise AccessDenied("a prescriber enrolls patients for themself only")
        prescriber_id = principal.prescriber_id
    elif principal.role in (Role.NURSE, Role.ADMIN):
        if prescriber_id is None:
            raise WorkflowError(
                [("prescriber_id", "required: the prescriber the patient is enrolled with")],
                title="cannot enroll the patient",
            )
        if not principal.may_act_for_prescriber(prescriber_id):
            raise AccessDenied(NOT_YOURS)
    else:
        raise AccessDenied("only a prescriber, their nurse or an admin enrolls patients")
    assert prescriber_id is not None
    prescriber = session.get(Prescriber, prescriber_id)
    if prescriber is None:
        raise WorkflowError(
            [("prescriber_id", f"no prescriber with id {prescriber_id!r}")],
            title="cannot enroll the patient",
        )
    return prescriber


def enroll_patient(
    session: Session,
    principal: Principal,
    *,
    name: str,
    sex: Sex,
    birth_date: dt.date,
    reproductive: Reproductive | None = None,
    guardian_name: str | None = None,
    prescriber_id: str | None = None,
    settings: Settings,
    kb: KnowledgeBase,
    now: dt.datetime,
) -> Patient:
    """Enroll a patient with a prescriber certified on the clinic's today.

    Refused (422 naming the field) for a birth date in the future or giving an impossible age,
    a reproductive history for a male, or a child (under the REMS child age) without a guardian;
    refused with the unmet code `prescriber_not_certified` when the prescriber is not certified.
    """
    prescriber = _enrolling_prescriber(session, principal, prescriber_id)
    today = settings.clinic_date(now)
    problems: list[tuple[str, str]] = []
    if not name.strip():
        problems.append(("name", "must not be empty"))
    if birth_date > today:
        problems.append(("birth_date", f"after the clinic's today ({today})"))
    elif birth_date < EARLIEST_BIRTH_DATE:
        problems.append(("birth_date", f"before {EARLIEST_BIRTH_DATE}"))
    else:
        check = check_age(kb.get(LabsKnowledge), age_on(birth_date, today))
        if check.level is Plausibility.IMPOSSIBLE:
            problems.append(
                ("birth_date", f"gives an impossible age; possible ages: {check.possible_words}")
            )
    if sex is Sex.MALE and reproductive is not None:
        problems.append(("reproductive", "applies to female patients only"))
    if problems:
        raise WorkflowError(problems, title="cannot enroll the patient")
    guardian = (guardian_name or "").strip() or None
    patient = Patient(
        id=new_id("pat"),
        prescriber_id=prescriber.id,
        name=name.strip(),
        sex=sex.value,
        birth_date=birth_date,
        reproductive=(
            None
            if reproductive is None
            else reproductive.model_dump(mode="json", exclude_none=True)
        ),
        guardian_name=guardian,
        enrolled_on=today,
    )
    category = risk_category(patient, today, kb)
    if category.child and guardian is None:
        raise WorkflowError(
            [("guardian_name", "required for a patient in a REMS child category")],
            title="cannot enroll the patient",
        )
    if not prescriber_certified(prescriber, today):
        raise WorkflowError(
            [("prescriber_id", f"prescriber {prescriber.id} is not REMS-certified on {today}")],
            title="cannot enroll the patient",
            unmet=[
                (
                    "prescriber_not_certified",
                    f"The prescriber must be certified in the REMS on {today} to enroll patients.",
                )
            ],
        )
    session.add(patient)
    session.flush()
    _audit_write(
        session,
        principal,
        patient.id,
        action="create",
        entity="patient",
        entity_id=patient.id,
        after=patient_snapshot(patient),
    )
    return patient


def record_agreement(
    session: Session,
    principal: Principal,
    patient_id: str,
    *,
    signer: str,
    signed_on: dt.date,
    settings: Settings,
    kb: KnowledgeBase,
    now: dt.datetime,
) -> Patient:
    """Record a signature on the patient-physician agreement (clinic staff or admin).

    The guardian's signature only for a patient whose category needs one; no date in the
    future or before the birth date; a signature already recorded is a 409 (never changed).
    """
    patient = visible_patient(session, principal, patient_id, for_update=True)
    require_clinic_staff(principal, patient)
    today = settings.clinic_date(now)
    category = risk_category(patient, today, kb)
    needed = {agreement.signer for agreement in enrollment_agreements(category.category, kb)}
    if signer not in needed:
        raise WorkflowError(
            [("signer", f"{category.name}: no {signer.replace('_', ' ')} signature is needed")],
            title="agreement not needed",
        )
    if signed_on > today:
        raise WorkflowError([("signed_on", f"after the clinic's today ({today})")])
    if signed_on < patient.birth_date:
        raise WorkflowError([("signed_on", "before the patient's birth date")])
    column = "agreement_signed_on" if signer == "patient" else "guardian_agreement_signed_on"
    already = getattr(patient, column)
    if already is not None:
        raise Conflict(
            [("signer", f"the {signer.replace('_', ' ')} signature was recorded on {already}")],
            title="agreement already recorded",
        )
    before = patient_snapshot(patient)
    setattr(patient, column, signed_on)
    session.flush()
    _audit_write(
        session,
        principal,
        patient.id,
        action="sign_agreement",
        entity="patient",
        entity_id=patient.id,
        before=before,
        after=patient_snapshot(patient),
    )
    return patient


def choose_pharmacy(
    session: Session,
    principal: Principal,
    patient_id: str,
    *,
    pharmacy_id: str,
    settings: Settings,
    now: dt.datetime,
) -> Patient:
    """Set the patient's pharmacy (clinic staff, admin, or the patient): a pharmacy certified
    on the clinic's today (else unmet `pharmacy_not_certified`)."""
    patient = visible_patient(session, principal, patient_id, for_update=True)
    if principal.role is not Role.PATIENT:
        require_clinic_staff(principal, patient)
    pharmacy = session.get(Pharmacy, pharmacy_id)
    if pharmacy is None:
        raise WorkflowError(
            [("pharmacy_id", f"no pharmacy with id {pharmacy_id!r}")],
            title="cannot choose the pharmacy",
        )
    today = settings.clinic_date(now)
    if not pharmacy_certified(pharmacy, today):
        raise WorkflowError(
            [("pharmacy_id", f"{pharmacy.name} ({pharmacy.id}) is not REMS-certified on {today}")],
            title="cannot choose the pharmacy",
            unmet=[
                (
                    "pharmacy_not_certified",
                    f"Choose a pharmacy certified in the REMS on {today}.",
                )
            ],
        )
    before = patient_snapshot(patient)
    patient.pharmacy_id = pharmacy.id
    session.flush()
    _audit_write(
        session,
        principal,
        patient.id,
        action="choose_pharmacy",
        entity="patient",
        entity_id=patient.id,
        before=before,
        after=patient_snapshot(patient),
    )
    return patient


def read_patient(session: Session, principal: Principal, patient_id: str) -> Patient:
    """The patient (if visible), the read audited."""
    patient = visible_patient(session, principal, patient_id)
    audit_read(session, principal, patient, "patient")
    return patient


def list_patients(
    session: Session,
    principal: Principal,
    *,
    limit: int,
    offset: int,
    search: str | None = None,
) -> tuple[list[Patient], int]:
    """(one page, total) of the patients the caller may see, by name; `search` keeps those
    whose name contains it (any case) or whose id is exactly it. The listing is audited
    with the ids shown, on the reader's own chain (`user:<id>`), so listings by different
    users never queue behind one chain head."""
    query = select(Patient)
    words = (search or "").strip()
    if words:
        escaped = words.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(
            func.lower(Patient.name).like(f"%{escaped}%", escape="\\") | (Patient.id == words)
        )
    if principal.role in (Role.PRESCRIBER, Role.NURSE):
        query = query.where(Patient.prescriber_id.in_(sorted(principal.acting_for)))
    elif principal.role is Role.PATIENT:
        query = query.where(Patient.id == principal.patient_id)
    elif principal.role is Role.PHARMACIST:
        query = query.where(Patient.pharmacy_id == principal.pharmacy_id)
    elif principal.role is not Role.ADMIN:
        query = query.where(Patient.id.is_(None))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = list(
        session.execute(
            query.order_by(Patient.name, Patient.id).limit(limit).offset(offset)
        ).scalars()
    )
    if rows:
        record(
            session,
            chain=chain_for_user(principal.user_id),
            actor_id=principal.user_id,
            actor_role=principal.role.value,
            action="read",
            entity="patient_list",
            entity_id=principal.user_id,
            after={"patient_ids": [patient.id for patient in rows]},
        )
    return rows, total


# ---------------------------------------------------------------- the stored case


def _latest_version(session: Session, patient_id: str) -> CaseVersion | None:
    return session.execute(
        select(CaseVersion)
        .where(CaseVersion.patient_id == patient_id)
        .order_by(CaseVersion.version.desc())
        .limit(1)
    ).scalar_one_or_none()


def _enrolled_facts(patient: Patient) -> EnrolledFacts:
    return EnrolledFacts(
        patient_id=patient.id,
        sex=patient.sex,
        birth_date=patient.birth_date,
        reproductive=patient.reproductive,
    )


def _pregnancy_results(session: Session, patient_id: str) -> list[PregnancyResult]:
    tests = session.execute(
        select(PregnancyTest).where(PregnancyTest.patient_id == patient_id)
    ).scalars()
    return [
        PregnancyResult(
            taken_at=test.taken_at, result=test.result, sensitivity_miu_ml=test.sensitivity_miu_ml
        )
        for test in tests
    ]


def _merge(
    stored: dict[str, Any] | None,
    session: Session,
    patient: Patient,
    *,
    as_of: dt.date,
    settings: Settings,
) -> dict[str, Any]:
    return merge_case(
        stored,
        _enrolled_facts(patient),
        _pregnancy_results(session, patient.id),
        as_of=as_of,
        zone=settings.timezone,
    )


def merged_case(
    session: Session, patient: Patient, *, as_of: dt.date, settings: Settings
) -> dict[str, Any]:
    """The case every reader assesses: the current stored case, the enrollment facts and the
    pregnancy tests taken up to `as_of` (clinic dates) as labs. 422 (`case_missing`) when no case
    is stored yet. No access check and no audit: callers have done both."""
    latest = _latest_version(session, patient.id)
    return _merge(
        None if latest is None else latest.data, session, patient, as_of=as_of, settings=settings
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
    """The assessment of the patient's merged case on `as_of` (the same as `POST /assess` of
    that case file). 422 naming fields when the merged case is not valid on that date."""
    case = patient_case(session, patient, as_of=as_of, settings=settings, kb=kb)
    return assess(case, kb, verified_only=verified_only)


def patient_case(
    session: Session, patient: Patient, *, as_of: dt.date, settings: Settings, kb: KnowledgeBase
) -> Case:
    """The patient's merged case on `as_of`, validated (the case every page of the patient
    shows). 422 naming fields when it is not valid on that date."""
    data = merged_case(session, patient, as_of=as_of, settings=settings)
    return case_from_data(data, today=as_of, source=f"patient {patient.id}", kb=kb)


def store_case(
    session: Session,
    principal: Principal,
    patient_id: str,
    data: Any,
    *,
    settings: Settings,
    kb: KnowledgeBase,
    now: dt.datetime,
) -> CaseVersion:
    """Store a new version of the patient's case (clinic staff or admin).

    The case may not state what the workflow owns (sex, birth date, reproductive history,
    pregnancy tests): each is a 422 naming the field. The merged case (with enrollment and
    pregnancy tests) must validate on the clinic's today, else a 422 naming each field; nothing
    is stored on a refusal. `as_of` is not stored: the date is chosen when assessing.
    """
    patient = visible_patient(session, principal, patient_id, for_update=True)
    require_clinic_staff(principal, patient)
    if not isinstance(data, dict):
        raise WorkflowError(
            [("(case)", "the case file must be a mapping of fields")], title="invalid case file"
        )
    owned = owned_fields_in(data)
    if owned:
        raise WorkflowError(owned, title="the case states what the workflow records")
    stored = json_ready({key: value for key, value in data.items() if key != "as_of"})
    today = settings.clinic_date(now)
    merged = _merge(stored, session, patient, as_of=today, settings=settings)
    case_from_data(merged, today=today, source=f"patient {patient.id}", kb=kb)
    latest = _latest_version(session, patient.id)
    version = CaseVersion(
        id=new_id("cas"),
        patient_id=patient.id,
        version=1 if latest is None else latest.version + 1,
        data=stored,
        recorded_by=principal.user_id,
        recorded_at=now,
    )
    session.add(version)
    session.flush()
    _audit_write(
        session,
        principal,
        patient.id,
        action="create" if latest is None else "update",
        entity="case",
        entity_id=version.id,
        before=None if latest is None else {"version": latest.version, "case": latest.data},
        after={"version": version.version, "case": stored},
    )
    return version


def current_case(session: Session, principal: Principal, patient_id: str) -> CaseVersion:
    """The current version of the patient's stored case (audited read); 404 when none yet."""
    patient = visible_patient(session, principal, patient_id)
    latest = _latest_version(session, patient.id)
    if latest is None:
        raise NotFound(
            [("case", "no clinical case stored for this patient yet")], title="no case stored"
        )
    audit_read(session, principal, patient, "case")
    return latest


def case_versions(
    session: Session, principal: Principal, patient_id: str, *, limit: int, offset: int
) -> tuple[list[CaseVersion], int]:
    """(one page, total) of the stored case's versions, newest first (audited read)."""
    patient = visible_patient(session, principal, patient_id)
    query = select(CaseVersion).where(CaseVersion.patient_id == patient.id)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(CaseVersion.version.desc()).limit(limit).offset(offset)
    ).scalars()
    audit_read(session, principal, patient, "case_versions")
    return list(rows), total
